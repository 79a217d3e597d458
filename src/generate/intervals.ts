// Hourly interval data for the commercial accounts with interval meters. Their consumption comes
// from NREL's measured commercial load shapes (one year, 8,760 hours), scaled per account and
// aligned by weekday, and their `total` register is the running sum of the hours, so register
// advances and interval sums agree to the watt-hour.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { weekday } from '../calendar/index.js';
import type { ColumnBatch, ColumnSpec } from '../store/columnar.js';
import type { HeatWave } from './consumption.js';
import { RESIDENTIAL } from './catalog.js';
import { initialMilli } from './meter.js';
import type { Population } from './population.js';
import { normal, Stream, uniform } from './random.js';
import { firstDayOfRead, readDay, type DataWindow } from './window.js';

export const INTERVAL_SPECS: readonly ColumnSpec[] = [
  { name: 'day', kind: 'date' },
  { name: 'hour', kind: 'uint8' },
  { name: 'meter_no', kind: 'int32' },
  { name: 'wh', kind: 'double' },
];

const SHAPE_FILES = ['commercial.csv', 'commercial_large.csv', 'residential.csv'];
const RESIDENTIAL_SHAPE = 2;
const HOURS_PER_YEAR = 8760;
const MS_PER_DAY = 86_400_000;

export interface LoadShape {
  kw: Float64Array;
  yearKwh: number;
}

export async function readLoadShapes(dir: string): Promise<LoadShape[]> {
  return Promise.all(SHAPE_FILES.map(async (file) => {
    const text = await readFile(path.join(dir, file), 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
      throw new Error(`hourly load shape ${path.join(dir, file)} not found: point loadShapesDir at NREL's loads, or ask for no interval accounts`);
    });
    const kw = Float64Array.from(text.trim().split('\n').slice(1), Number);
    if (kw.length !== HOURS_PER_YEAR || kw.some((v) => !Number.isFinite(v) || v < 0)) {
      throw new Error(`${path.join(dir, file)}: expected ${HOURS_PER_YEAR} non-negative hourly kW values`);
    }
    return { kw, yearKwh: kw.reduce((s, v) => s + v, 0) };
  }));
}

/**
 * Day of the shapes' year to use for a calendar day: the same time of year on the same weekday.
 * The shapes' year has 365 days and starts on a Monday.
 */
function shapeDay(day: number): number {
  const date = new Date(day * MS_PER_DAY);
  const year = date.getUTCFullYear();
  let dayOfYear = day - Date.UTC(year, 0, 1) / MS_PER_DAY;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (leap && dayOfYear >= 59) dayOfYear--;
  let shift = (((weekday(day) - 1 - dayOfYear) % 7) + 7) % 7;
  if (shift > 3) shift -= 7;
  let shaped = dayOfYear + shift;
  if (shaped < 0) shaped += 7;
  if (shaped > 364) shaped -= 7;
  return shaped;
}

export class IntervalGenerator {
  /** Register value (Wh) of each interval account at the current month's read. */
  readonly readMilli: Float64Array;
  private readonly cumulative: Float64Array;
  private readonly scale: Float64Array;
  private readonly shape: Uint8Array;
  private readonly fromDay: Int32Array;
  private readonly toDay: Int32Array;
  private readonly hotFrom: Int32Array;
  private readonly hotTo: Int32Array;
  private rows = 0;

  constructor(
    private readonly seed: number,
    private readonly window: DataWindow,
    private readonly pop: Population,
    private readonly shapes: readonly LoadShape[],
    private readonly heatWave: HeatWave | null,
  ) {
    const n = pop.intervalAccounts.length;
    this.readMilli = new Float64Array(n);
    this.cumulative = new Float64Array(n);
    this.scale = new Float64Array(n);
    this.shape = new Uint8Array(n);
    this.fromDay = new Int32Array(n);
    this.toDay = new Int32Array(n);
    this.hotFrom = new Int32Array(n);
    this.hotTo = new Int32Array(n);
    pop.intervalAccounts.forEach((a, s) => {
      const cycleDay = pop.cycleDay[a]!;
      this.shape[s] = pop.customerClass[a] === RESIDENTIAL ? RESIDENTIAL_SHAPE : uniform(seed, Stream.intervalShape, a) < 0.5 ? 0 : 1;
      this.scale[s] = (pop.baseKwh[a]! * 12) / shapes[this.shape[s]!]!.yearKwh;
      this.cumulative[s] = initialMilli(seed, a + 1, 0, pop.registerDigits[a]!, false);
      this.fromDay[s] = readDay(seed, window, a, cycleDay, 0);
      // An interval-only meter is billed by calendar month: its data covers every day of the read months.
      this.fromDay[s] = pop.intervalOnly[a] ? firstDayOfRead(window, 0) : this.fromDay[s]!;
      this.toDay[s] = pop.intervalOnly[a] ? firstDayOfRead(window, window.months + 1) : readDay(seed, window, a, cycleDay, window.months);
      if (heatWave && pop.region[a] === heatWave.region) {
        this.hotFrom[s] = readDay(seed, window, a, cycleDay, heatWave.period - 1);
        this.hotTo[s] = readDay(seed, window, a, cycleDay, heatWave.period);
      }
    });
  }

  get rowCount(): number {
    return this.rows;
  }

  /** Hours of read month m, ordered by hour then meter; sets `readMilli` for the month's reads. */
  month(m: number): ColumnBatch {
    const { pop, seed, window } = this;
    const accounts = pop.intervalAccounts;
    const first = firstDayOfRead(window, m);
    const next = firstDayOfRead(window, m + 1);
    const capacity = accounts.length * (next - first) * 24;
    const day = new Int32Array(capacity);
    const hour = new Uint8Array(capacity);
    const meterNo = new Int32Array(capacity);
    const wh = new Float64Array(capacity);
    const dayFactor = new Float64Array(accounts.length);
    let n = 0;
    for (let d = first; d < next; d++) {
      const shapeHour = shapeDay(d) * 24;
      for (let s = 0; s < accounts.length; s++) {
        const a = accounts[s]!;
        if (d === readDay(seed, window, a, pop.cycleDay[a]!, m)) this.readMilli[s] = this.cumulative[s]!;
        const years = (d - this.fromDay[s]!) / 365.25;
        const hot = d >= this.hotFrom[s]! && d < this.hotTo[s]! ? 1 + this.heatWave!.size : 1;
        dayFactor[s] = this.scale[s]! * Math.exp(pop.growth[a]! * years + 0.08 * normal(seed, Stream.intervalNoise, a, d)) * hot;
      }
      for (let h = 0; h < 24; h++) {
        for (let s = 0; s < accounts.length; s++) {
          if (d < this.fromDay[s]! || d >= this.toDay[s]!) continue;
          const value = Math.round(this.shapes[this.shape[s]!]!.kw[shapeHour + h]! * dayFactor[s]! * 1000);
          this.cumulative[s] = this.cumulative[s]! + value;
          day[n] = d;
          hour[n] = h;
          meterNo[n] = accounts[s]! + 1;
          wh[n] = value;
          n++;
        }
      }
    }
    this.rows += n;
    return { rowCount: n, columns: { day, hour, meter_no: meterNo, wh }, nulls: {} };
  }
}
