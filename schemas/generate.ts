// Options of `billrun generate`, validated once at the boundary (the CLI hands its parsed flags
// here). The bounds keep every per-account index inside the typed arrays the generator uses:
// periods fit a Uint8, account and meter numbers an Int32, regions their 2-digit code; ids are
// zero-padded to 7 digits and simply grow an eighth one past 9,999,999 accounts.
import { z } from 'zod';
import { LAST_PERIOD_YEAR, Period } from './inputs.js';

export const OUTPUT_FORMATS = ['parquet', 'csv'] as const;

export const GenerateOptions = z.object({
  accounts: z.number().int().min(1).max(50_000_000),
  /** Billing periods from `start`; an opening read is added in the month before. */
  months: z.number().int().min(1).max(120),
  start: Period,
  seed: z.number().int().min(0).max(0xffff_ffff),
  /** Output directory, created when missing. */
  out: z.string().min(1),
  format: z.enum(OUTPUT_FORMATS).default('parquet'),
  /** Share of account-periods that carry an injected (labelled) anomaly. */
  anomalyRate: z.number().min(0).max(0.05).default(0.01),
  regions: z.number().int().min(1).max(99).default(5),
  /** Relative lift of residential and commercial consumption in the heat-wave region's period. */
  heatWaveSize: z.number().min(0).max(3).default(0.35),
  /**
   * Scales every account's month-to-month noise (1 = the catalog's class levels, per account
   * spread around them; 2 doubles every account's swings): how volatile the world is.
   */
  volatility: z.number().min(0).max(5).default(1),
  /**
   * How much of a month's deviation from the account's trend carries into the next: the lag-one
   * autocorrelation of the log noise (a guest staying a season, a new appliance, a cold spell that
   * lasts). 0, independent months, is the default; each month's spread stays the same whatever it is.
   */
  noiseMemory: z.number().min(0).max(0.95).default(0),
  /**
   * Share of homes heated electrically: their use peaks in winter while their neighbours' peaks in
   * summer, so a home's season is not its peer group's. 0 by default (every home follows its class).
   */
  heatingShare: z.number().min(0).max(1).default(0),
  /** Commercial accounts with hourly interval data; default 0.1% of them, 1 to 200. */
  intervalAccounts: z.number().int().min(0).max(10_000).optional(),
  /**
   * Share of residential accounts with smart meters that send only hourly interval data, no
   * register reads (billed from their intervals alone). 0 by default, so data sets and fixtures
   * built before issue 16 stay the same; `demo` asks for 2%, the bench for 0.5%.
   */
  intervalOnlyShare: z.number().min(0).max(1).default(0),
  /** Tariff YAML files to copy; default `samples/tariffs` of the package. */
  tariffsDir: z.string().min(1).optional(),
  /** Hourly load shapes; default `samples/loads` of the package (NREL SAM). */
  loadShapesDir: z.string().min(1).optional(),
}).refine((o) => Number(o.start.slice(0, 4)) * 12 + Number(o.start.slice(5, 7)) - 1 + o.months <= LAST_PERIOD_YEAR * 12 + 12,
  { path: ['months'], message: `the periods must end by ${LAST_PERIOD_YEAR}-12` });
/** What callers pass: defaults may be left out. */
export type GenerateOptions = z.input<typeof GenerateOptions>;
/** After validation, with defaults filled in. */
export type ResolvedGenerateOptions = z.output<typeof GenerateOptions>;
