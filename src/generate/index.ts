// Sample-data generator: a synthetic utility whose files follow the input contracts of
// schemas/inputs.ts, with known anomalies for the review rules to find and honest legitimate
// disturbances for them not to flag.
//
// Inputs: GenerateOptions (schemas/generate.ts) — accounts × months from `start`, a seed, an output
// directory; the sample tariffs (samples/tariffs/*.yaml) and NREL's hourly commercial load shapes
// (samples/loads, from NREL SAM) of the package unless the options point elsewhere.
//
// Outputs in `out`:
//   accounts.csv                  ACCOUNT_COLUMNS, one row per account, by account_id
//   readings.parquet | .csv       register reads sorted by read_at, meter_id (then register)
//   intervals.parquet | .csv      hourly kWh of the interval accounts, sorted by interval_start, meter_id
//   labels.csv                    LabelRow per anomalous period (must_flag 1 or ambiguous) and per
//                                 period of a legitimate event (must_flag 0), by account_id, period
//   tariffs/*.yaml                the sample tariffs; RES-MKT's price change moved into the window
//
// Invariants:
// - Same options, same bytes: all randomness is a counter hash of the seed (./random.ts), DuckDB
//   writes with one thread in insertion order, nothing reads the clock.
// - Read m = 0 is an opening read in the month before `start`; read m closes billing period m
//   and is the last read of its register in its calendar month. Periods have 28–33 days except
//   the partial ones of move-ins and move-outs.
// - A register's value is its face: cumulative modulo 10^register_digits (demand_kw: the period's
//   maximum), in meter units — × multiplier gives kWh, kW, kvarh. TOU register advances add up to
//   `total`'s on every read that is not a labelled misread or sentinel.
// - Labels say what a review must catch: every period an injected anomaly spoils (a wrong
//   multiplier or a sustained drop every period from its onset on) has must_flag 1 (ambiguous for
//   a drop small enough to be honest use); the heat wave, estimated reads and their catch-up, meter
//   exchanges, move-ins, move-outs and vacancies are labelled must_flag 0 (rollovers and the tariff
//   change are not labelled). An account may have both an event and an anomaly, never in the same
//   or adjacent periods; interval accounts carry no anomaly.
// - Memory is O(accounts): reads go month by month into a scratch DuckDB file in `out`, removed
//   at the end, and each output file is one COPY from it.
import { existsSync } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ANOMALY_KINDS, CUSTOMER_CLASSES, READ_TYPES, REGISTERS, type AnomalyKind, type CustomerClass } from '../../schemas/inputs.js';
import { ACCOUNT_SPECS, accountBatch, regionCode } from './accounts.js';
import { planAnomalies } from './anomalies.js';
import { EVENT_EXCHANGE, EVENT_MOVE_IN, EVENT_MOVE_OUT, EVENT_VACANCY } from './catalog.js';
import { ConsumptionModel, type HeatWave } from './consumption.js';
import { INTERVAL_SPECS, IntervalGenerator, readLoadShapes } from './intervals.js';
import { GenerateOptions, type ResolvedGenerateOptions } from '../../schemas/generate.js';
import { buildPopulation, type Population } from './population.js';
import { Stream, uniform } from './random.js';
import { LABEL_SPECS, READING_SPECS, ReadingGenerator } from './readings.js';
import { quoteLiteral, ScratchStore, type FileFormat } from './scratch.js';
import { writeTariffs, type TariffChange } from './tariffs.js';
import { firstDayOfRead, makeWindow, periodOfRead, type DataWindow } from './window.js';

export { GenerateOptions, type ResolvedGenerateOptions } from '../../schemas/generate.js';
export type { TariffChange } from './tariffs.js';
export { uniform } from './random.js';

export interface GeneratedFile {
  /** Relative to the output directory. */
  path: string;
  bytes: number;
}

export interface GenerateSummary {
  accounts: number;
  accountsByClass: Record<CustomerClass, number>;
  firstPeriod: string;
  lastPeriod: string;
  /** Billable account-periods (closing reads). */
  accountPeriods: number;
  readings: number;
  estimatedReadings: number;
  /** Times a `total` register wrapped past its capacity. */
  rollovers: number;
  intervalAccounts: number;
  intervalRows: number;
  /** Anomalous (must-flag or ambiguous) labelled periods by kind. */
  labels: Record<AnomalyKind, number>;
  /** Periods labelled as legitimate events (must_flag 0), by kind. */
  events: Record<string, number>;
  labelledPeriods: number;
  /** labelledPeriods / accountPeriods. */
  labelRate: number;
  disturbances: { moveIns: number; moveOuts: number; meterExchanges: number; vacancies: number };
  heatWave: { region: string; period: string; size: number } | null;
  tariffChange: TariffChange | null;
  files: GeneratedFile[];
}

export type GenerateProgress = (done: number, total: number, stage: string) => void;

const ACCOUNT_BATCH = 65_536;

/** Where the package's own data lives, from src/ or from dist/src/ alike. */
function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('billrun generate: cannot find the package root (package.json)');
    dir = parent;
  }
  return dir;
}

/** A July or August period among the last 12 (June if neither is there); null without summer. */
function chooseHeatWave(seed: number, window: DataWindow, regions: number, size: number): HeatWave | null {
  const inMonths = (months: number[]) => {
    const found: number[] = [];
    for (let m = Math.max(2, window.months - 11); m <= window.months; m++) {
      if (months.includes(((window.openingIndex + m) % 12) + 1)) found.push(m);
    }
    return found;
  };
  const candidates = [inMonths([7, 8]), inMonths([6])].find((c) => c.length > 0);
  if (!candidates) return null;
  const period = candidates[Math.floor(uniform(seed, Stream.heatWave, 0) * candidates.length)]!;
  return { region: Math.floor(uniform(seed, Stream.heatWave, 1) * regions), period, size };
}

/** The market tariff's price change: the first day of the month six periods before the last. */
function tariffChangeDay(window: DataWindow): number {
  const m = window.months >= 8 ? window.months - 6 : Math.min(2, window.months);
  return firstDayOfRead(window, m);
}

function listLiteral(values: readonly string[]): string {
  return `[${values.map(quoteLiteral).join(', ')}]`;
}

const READINGS_SELECT = `SELECT printf('M%07d', meter_no) AS meter_id, read_day::VARCHAR AS read_at,
  ${listLiteral(REGISTERS)}[register + 1] AS register, CAST(value_milli / 1000 AS DECIMAL(18, 3)) AS value,
  ${listLiteral(READ_TYPES)}[read_type + 1] AS read_type
FROM readings`;
const INTERVALS_SELECT = `SELECT printf('M%07d', meter_no) AS meter_id, printf('%sT%02d:00:00', day::VARCHAR, hour) AS interval_start,
  60 AS interval_minutes, CAST(wh / 1000 AS DECIMAL(18, 3)) AS kwh
FROM intervals`;
const LABELS_SELECT = `SELECT printf('A%07d', account_no) AS account_id, period, kind,
  CAST(true_wh / 1000 AS DECIMAL(18, 3)) AS true_kwh, CAST(billed_wh / 1000 AS DECIMAL(18, 3)) AS billed_kwh, must_flag
FROM labels ORDER BY account_no, period, kind`;

function countEvents(pop: Population): GenerateSummary['disturbances'] {
  const counts = { moveIns: 0, moveOuts: 0, meterExchanges: 0, vacancies: 0 };
  for (const event of pop.event) {
    if (event === EVENT_MOVE_IN) counts.moveIns++;
    else if (event === EVENT_MOVE_OUT) counts.moveOuts++;
    else if (event === EVENT_EXCHANGE) counts.meterExchanges++;
    else if (event === EVENT_VACANCY) counts.vacancies++;
  }
  return counts;
}

export async function generateSampleData(input: GenerateOptions, onProgress?: GenerateProgress): Promise<GenerateSummary> {
  const parsed = GenerateOptions.safeParse(input);
  if (!parsed.success) throw new RangeError(`invalid generate options:\n${z.prettifyError(parsed.error)}`);
  const options: ResolvedGenerateOptions = parsed.data;
  const { seed, months, format } = options;
  const out = path.resolve(options.out);
  await mkdir(out, { recursive: true });
  const progress: GenerateProgress = onProgress ?? (() => {});

  const window = makeWindow(options.start, months);
  const heatWave = chooseHeatWave(seed, window, options.regions, options.heatWaveSize);
  const pop = buildPopulation(options, window);
  const plan = planAnomalies(pop, months, options.anomalyRate, seed);
  const model = new ConsumptionModel(seed, window, pop, heatWave, options.noiseMemory);
  const root = packageRoot();
  const intervals = pop.intervalAccounts.length > 0
    ? new IntervalGenerator(seed, window, pop, await readLoadShapes(options.loadShapesDir ?? path.join(root, 'samples', 'loads')), heatWave)
    : null;
  const readings = new ReadingGenerator(seed, window, pop, plan, model, intervals);
  const files: GeneratedFile[] = [];
  const labelCounts = Object.fromEntries(ANOMALY_KINDS.map((k) => [k, 0])) as Record<AnomalyKind, number>;
  const eventCounts: Record<string, number> = {};

  const store = await ScratchStore.open(out);
  try {
    await store.createTable('accounts', ACCOUNT_SPECS);
    await store.createTable('readings', READING_SPECS);
    await store.createTable('intervals', INTERVAL_SPECS);
    await store.createTable('labels', LABEL_SPECS);
    for (let from = 0; from < pop.count; from += ACCOUNT_BATCH) {
      const to = Math.min(pop.count, from + ACCOUNT_BATCH);
      await store.append('accounts', ACCOUNT_SPECS, accountBatch(seed, pop, from, to));
      progress(to, pop.count, 'accounts');
    }
    for (let m = 0; m <= months; m++) {
      if (intervals) await store.append('intervals', INTERVAL_SPECS, intervals.month(m));
      await store.append('readings', READING_SPECS, readings.month(m));
      progress(m + 1, months + 1, 'readings');
    }
    const labels = readings.labelBatch();
    const verdicts = labels.columns.must_flag as string[];
    (labels.columns.kind as string[]).forEach((kind, i) => {
      if (verdicts[i] === '0') eventCounts[kind] = (eventCounts[kind] ?? 0) + 1;
      else labelCounts[kind as AnomalyKind]++;
    });
    await store.append('labels', LABEL_SPECS, labels);

    const outputs: [name: string, select: string, format: FileFormat][] = [
      ['accounts.csv', 'SELECT * FROM accounts', 'csv'],
      [`readings.${format}`, READINGS_SELECT, format],
    ];
    if (intervals) outputs.push([`intervals.${format}`, INTERVALS_SELECT, format]);
    outputs.push(['labels.csv', LABELS_SELECT, 'csv']);
    for (const [i, [name, select, fileFormat]] of outputs.entries()) {
      files.push({ path: name, bytes: await store.copy(select, path.join(out, name), fileFormat) });
      progress(i + 1, outputs.length, 'files');
    }
  } finally {
    await store.close();
  }
  // Files of another format or an earlier run with interval data would contradict this data set.
  const written = new Set(files.map((f) => f.path));
  const stale = ['readings.parquet', 'readings.csv', 'intervals.parquet', 'intervals.csv'].filter((n) => !written.has(n));
  await Promise.all(stale.map((n) => rm(path.join(out, n), { force: true })));

  const tariffs = await writeTariffs(options.tariffsDir ?? path.join(root, 'samples', 'tariffs'), out, tariffChangeDay(window));
  for (const file of tariffs.files) {
    files.push({ path: path.relative(out, file), bytes: (await stat(file)).size });
  }

  const accountsByClass = Object.fromEntries(CUSTOMER_CLASSES.map((c) => [c, 0])) as Record<CustomerClass, number>;
  for (const cls of pop.customerClass) accountsByClass[CUSTOMER_CLASSES[cls]!]++;
  const labelledPeriods = Object.values(labelCounts).reduce((s, n) => s + n, 0);
  const { counts } = readings;
  return {
    accounts: pop.count,
    accountsByClass,
    firstPeriod: periodOfRead(window, 1),
    lastPeriod: periodOfRead(window, months),
    accountPeriods: counts.accountPeriods,
    readings: counts.readings,
    estimatedReadings: counts.estimatedReadings,
    rollovers: counts.rollovers,
    intervalAccounts: pop.intervalAccounts.length,
    intervalRows: intervals?.rowCount ?? 0,
    labels: labelCounts,
    events: eventCounts,
    labelledPeriods,
    labelRate: counts.accountPeriods > 0 ? labelledPeriods / counts.accountPeriods : 0,
    disturbances: countEvents(pop),
    heatWave: heatWave && { region: regionCode(heatWave.region), period: periodOfRead(window, heatWave.period), size: heatWave.size },
    tariffChange: tariffs.change,
    files,
  };
}
