// Review rules as data: what each rule is worth (severity, likelihood) and the thresholds per
// customer class, versioned like tariffs. A file gives `defaults` and per-class overrides; the
// parsed value has every class resolved in full, so the hot loop never merges anything. The run
// records the version that produced each flag (flags.rules_version) and the whole rule set
// (runs.options).
import { z } from 'zod';
import { DEFAULT_EXPLAIN_SETTINGS, ExplainSettings } from './explanation.js';
import { CUSTOMER_CLASSES, IsoDate } from './inputs.js';
import { SEVERITIES } from './review.js';

export const RULE_IDS = [
  'mom_kwh_per_day',
  'yoy_kwh_per_day',
  'level_shift',
  'amount_change',
  'amount_bounds',
  'zero_advance',
  'negative_advance',
  'beyond_capacity',
  'sentinel_value',
  'duplicate_reads',
  'register_mismatch',
  'estimated_streak',
  'estimate_catch_up',
  'demand_change',
  'power_factor',
  'interval_estimated',
] as const;
export const RuleId = z.enum(RULE_IDS);
export type RuleId = z.infer<typeof RuleId>;

const RuleSetting = z.strictObject({
  severity: z.enum(SEVERITIES),
  /** How often a firing of this rule is a real error (0–1): multiplies the money at stake in the score. */
  likelihood: z.number().min(0).max(1),
});

/**
 * Rules added after rules files were written: a file without them gets this setting (the shipped
 * samples/rules.yaml states it too).
 */
const RULE_DEFAULTS: Partial<Record<RuleId, z.infer<typeof RuleSetting>>> = {
  interval_estimated: { severity: 'review', likelihood: 0.3 },
};

const share = () => z.number().min(0).max(1);

export const ClassThresholds = z.strictObject({
  /**
   * The smallest relative change of kWh/day vs last month (after the peer group's change) that
   * can flag, however steady the account (×(1+x) up or ÷(1+x) down): the floor of its band.
   */
  mom_change: z.number().positive(),
  /** The same against the same period last year (after the peers' year-over-year change). */
  yoy_change: z.number().positive(),
  /** The same against the account's trusted season-free median (after the peers' level this period). */
  baseline_change: z.number().positive(),
  /**
   * The least width of those bands for a rise (×(1+x)), not doubled where last month is the only
   * reference: honest use rises in bursts, so a rise needs this much however steady the account; a
   * fall keeps the floors above.
   */
  rise_change: z.number().positive(),
  /** An account's band is this many of its robust σ of log kWh/day (MAD × 1.4826) either way. */
  spread_z: z.number().positive(),
  /** The smallest σ an account is credited with (meter rounding, read-day jitter). */
  min_spread: z.number().positive(),
  /** Periods' worth of weight the peer group's typical σ has against the account's own (short histories lean on the peers). */
  spread_prior_periods: z.number().nonnegative(),
  /** Below this much money at stake (minor units) a band widens, up to ×2 at 1/16 of it: small accounts do not flood the list. */
  small_stake_minor: z.number().int().nonnegative(),
  /** Minimum absolute change in kWh over the period: no flag for 2 → 5 kWh. */
  min_change_kwh: z.number().nonnegative(),
  /** Periods of history the 12-period median needs before it counts as a baseline. */
  min_baseline_periods: z.number().int().min(1).max(12),
  /** Accounts a class × region group needs for its own median change; smaller groups use the whole class. */
  min_peers: z.number().int().min(1),
  /** A drop to below this share of the usual use (but not to zero) reads as a vacant premises; 0 = never. */
  vacancy_share: share(),
  /** Estimated closing reads in a row (this one included) that flag. */
  estimated_streak: z.number().int().min(1),
  /** A catch-up flags when this share of the bill's kWh is energy the estimates did not bill. */
  catch_up_share: share(),
  /** Relative change of the amount at unchanged prices that neither prices nor kWh explain. */
  amount_change: z.number().positive(),
  /** Minimum absolute amount change for amount_change, in minor units of the bill's currency. */
  min_change_amount_minor: z.number().int().nonnegative(),
  /** Absolute bounds of a bill's amount, minor units (SAP's absolute outsorting checks). */
  min_amount_minor: z.number().int(),
  max_amount_minor: z.number().int().positive(),
  /** Relative change of maximum demand vs the account's 12-period median that flags. */
  demand_change: z.number().positive(),
  /** Absolute change of the power factor vs the account's 12-period median that flags. */
  pf_change: z.number().positive(),
  /** An advance above this share of the register's whole range is not consumption. */
  capacity_share: share(),
  /** Relative disagreement between the total register and the sum of the TOU registers that flags. */
  register_tolerance: share(),
});
export type ClassThresholds = z.infer<typeof ClassThresholds>;

const classes = <T extends z.ZodType>(schema: T) =>
  z.strictObject(Object.fromEntries(CUSTOMER_CLASSES.map((c) => [c, schema])) as Record<(typeof CUSTOMER_CLASSES)[number], T>);

/** The file as written: defaults and partial per-class overrides. */
export const ReviewRulesFile = z.strictObject({
  version: z.string().min(1).max(64),
  /** First day this version is meant for (documentation and audit: the run records the version it used). */
  effective_from: IsoDate,
  description: z.string().optional(),
  rules: z.strictObject(Object.fromEntries(RULE_IDS.map((id) => [id, id in RULE_DEFAULTS ? RuleSetting.default(RULE_DEFAULTS[id]!) : RuleSetting])) as
    Record<RuleId, typeof RuleSetting>),
  defaults: ClassThresholds,
  classes: classes(ClassThresholds.partial()).partial().default({}),
  /** Which bills `billrun explain` and the statement's "Why your bill changed" box explain. */
  explain: ExplainSettings.default(DEFAULT_EXPLAIN_SETTINGS),
});

/** Rules as the bill run uses them: every class resolved. */
export const ReviewRules = ReviewRulesFile.transform(({ classes: overrides, defaults, ...rest }) => ({
  ...rest,
  classes: Object.fromEntries(CUSTOMER_CLASSES.map((c) => [c, { ...defaults, ...overrides[c] }])) as Record<(typeof CUSTOMER_CLASSES)[number], ClassThresholds>,
}));
export type ReviewRules = z.output<typeof ReviewRules>;
