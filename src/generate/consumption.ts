// The true consumption of an account over a span of days: a per-account base load, the class's
// seasonal swing integrated day by day (so a 33-day period holds more than a 28-day one, and a
// period straddling July and August gets both), a slow yearly drift, month-to-month noise, and
// the legitimate disturbances: the regional heat wave and vacancies.
import {
  COMMERCIAL, DAYS_PER_MONTH, EVENT_VACANCY, INDUSTRIAL, RESIDENTIAL, SEASON_PROFILES,
} from './catalog.js';
import type { Population } from './population.js';
import { normal, Stream, uniform } from './random.js';
import { firstDayOfRead, windowEndDay, type DataWindow } from './window.js';

export interface HeatWave {
  /** Region index (R01 = 0). */
  region: number;
  /** Read month whose period is hot. */
  period: number;
  size: number;
}

const MS_PER_DAY = 86_400_000;

/** The profile at a day, interpolated between mid-month points so the year has no steps. */
function seasonAt(profile: readonly number[], day: number): number {
  const date = new Date(day * MS_PER_DAY);
  const month = date.getUTCMonth();
  const daysInMonth = new Date(Date.UTC(date.getUTCFullYear(), month + 1, 0)).getUTCDate();
  const position = month + (date.getUTCDate() - 0.5) / daysInMonth - 0.5;
  const below = Math.floor(position);
  const t = position - below;
  return profile[(below + 12) % 12]! * (1 - t) + profile[(below + 13) % 12]! * t;
}

export class ConsumptionModel {
  private readonly firstDay: number;
  /** Per class, running sum of (season − 1) from the window's first day. */
  private readonly seasonExcess: Float64Array[];
  /** Per account, the last month whose deviation was read and that deviation: months come in order. */
  private readonly noiseMonth: Int32Array;
  private readonly noiseValue: Float64Array;

  constructor(
    private readonly seed: number,
    window: DataWindow,
    private readonly pop: Population,
    private readonly heatWave: HeatWave | null,
    private readonly noiseMemory = 0,
  ) {
    this.firstDay = firstDayOfRead(window, 0);
    this.noiseMonth = new Int32Array(pop.count).fill(-1);
    this.noiseValue = new Float64Array(pop.count);
    const days = windowEndDay(window) - this.firstDay + 1;
    this.seasonExcess = SEASON_PROFILES.map((profile) => {
      const cumulative = new Float64Array(days + 1);
      for (let i = 0; i < days; i++) cumulative[i + 1] = cumulative[i]! + seasonAt(profile, this.firstDay + i) - 1;
      return cumulative;
    });
  }

  /** kWh the account's trend predicts for [fromDay, toDay): what an estimating utility would bill. */
  expectedKwh(a: number, fromDay: number, toDay: number): number {
    const pop = this.pop;
    const excess = this.seasonExcess[pop.seasonProfile[a]!]!;
    const seasonalDays = toDay - fromDay
      + pop.seasonSensitivity[a]! * (excess[toDay - this.firstDay]! - excess[fromDay - this.firstDay]!);
    const years = ((fromDay + toDay) / 2 - this.firstDay) / 365.25;
    return (pop.baseKwh[a]! * Math.exp(pop.growth[a]! * years) * seasonalDays) / DAYS_PER_MONTH;
  }

  /** Whether read month m's period of account a is in the heat wave's region and month. */
  inHeatWave(a: number, m: number): boolean {
    const hw = this.heatWave;
    return hw !== null && m === hw.period && this.pop.region[a] === hw.region;
  }

  /** Whether read month m's period of account a is inside the heat wave with the full lift (homes and shops). */
  isHot(a: number, m: number): boolean {
    const cls = this.pop.customerClass[a]!;
    return this.inHeatWave(a, m) && (cls === RESIDENTIAL || cls === COMMERCIAL);
  }

  /**
   * Read month m's standard normal deviation from the trend: independent draws, or with memory φ
   * the stationary AR(1) series n(m) = φ·n(m−1) + √(1−φ²)·ε(m) from n(0) = ε(0), so that every
   * month keeps the same spread and only how long a deviation lasts changes. The series goes on
   * from the account's last month read (the same value a walk from month 0 gives, without it).
   */
  noise(a: number, m: number): number {
    const phi = this.noiseMemory;
    if (phi === 0) return normal(this.seed, Stream.noise, a, m);
    const fresh = Math.sqrt(1 - phi * phi);
    const last = this.noiseMonth[a]!;
    if (last === m) return this.noiseValue[a]!;
    let k = last >= 0 && last < m ? last : 0;
    let n = k === last ? this.noiseValue[a]! : normal(this.seed, Stream.noise, a, 0);
    while (k < m) n = phi * n + fresh * normal(this.seed, Stream.noise, a, ++k);
    this.noiseMonth[a] = m;
    this.noiseValue[a] = n;
    return n;
  }

  /** The true kWh of read month m's period, given the trend for its days. */
  actualKwh(a: number, m: number, expected: number): number {
    const pop = this.pop;
    let kwh = expected * Math.exp(pop.noiseSigma[a]! * this.noise(a, m));
    if (this.isHot(a, m)) kwh *= 1 + this.heatWave!.size;
    // Factories cool too, less than homes and shops: their use (and with it their peak demand) rises by half as much.
    else if (this.inHeatWave(a, m) && pop.customerClass[a] === INDUSTRIAL) kwh *= 1 + this.heatWave!.size / 2;
    if (pop.event[a] === EVENT_VACANCY && m >= pop.eventPeriod[a]! && m < pop.eventPeriod[a]! + pop.eventLength[a]!) {
      // An empty home still runs a fridge and standby loads: near zero, not zero.
      kwh *= 0.01 + 0.05 * uniform(this.seed, Stream.vacancyDepth, a);
    }
    return kwh;
  }
}
