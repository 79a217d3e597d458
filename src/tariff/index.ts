// Tariff stage: price policies in, priced bills out.
//
// Inputs:  policy files (YAML/JSON text, schemas/tariff.ts) and, per account and billing period,
//          PricingInput determinants (schemas/bill.ts).
// Outputs: validated policies with every problem at once (parsePolicy / validatePolicy), a JSON
//          Schema of the format, compiled tariffs, PricedBills with line items, TOU schedule and
//          holiday rows for SQL classification, policy diffs and impact summaries.
// Invariants:
//   - money is exact: prices are decimal text, amounts integer minor units, rounding half-up
//     (away from zero) to the currency's minor unit; no binary float touches a price;
//   - a bill's line items always add up to totalMinor;
//   - splitting a period between versions conserves every quantity exactly (integer Wh);
//   - line-item labels, units and rate texts are made at compile time, a small set per policy
//     (prorated tier labels once per day count, then reused);
//   - priceBill is pure and throws only PricingError (with a stable `code`) for expected failures;
//   - touPeriodAt and touScheduleRows/holidayRows read the same grid, so JS and SQL agree.
//
// The stage's store side (policies loaded as revisions, read back, the reach of a change in billed
// periods) is ./registry.ts, with ./simulate.ts (billed periods priced again under a proposal):
// the stage's other entry points. Billing worker threads import this module to price bills and
// must not load the database client with it.
import { z } from 'zod';
import { TariffPolicy } from '../../schemas/tariff.js';

export { compileTariff } from './compile.js';
export type { CompiledTariff, CompiledVersion, CompiledLine } from './compile.js';
export { priceBill } from './price.js';
export { PricingError, isPricingError, PRICING_ERROR_CODES } from './errors.js';
export type { PricingErrorCode } from './errors.js';
export { parsePolicy } from './parse.js';
export type { PolicyFormat } from './parse.js';
export { validatePolicy } from './validate.js';
export { formatProblem, hasErrors, PROBLEM_CODES } from './problems.js';
export type { Problem, ProblemCode, Severity } from './problems.js';
export { touPeriodAt, touScheduleRows, demandScheduleRows, holidayRows } from './schedule.js';
export type { TouScheduleRow, HolidayRow, DayType } from './schedule.js';
export { diffPolicies } from './diff.js';
export { reachOfChange, dayRangeText } from './versions.js';
export type { DayRange } from './versions.js';
export type { PolicyChange, PolicyChangeKind } from './diff.js';
export { summariseImpact, ImpactTally, lineChanges } from './impact.js';
export type {
  ImpactRow, ImpactSummary, ImpactOptions, GroupImpact, HistogramBucket, AffectedBill, LineChange, Percentiles, UntrustedBills,
} from './impact.js';
export { renderImpactHtml } from './impact-report.js';
export type { ImpactReportContext } from './impact-report.js';
export { splitByDays } from './split.js';
export { powerFactorHundredths } from './power-factor.js';

/** JSON Schema (draft 2020-12) of the policy file format, for editors and `billrun tariff schema`. */
export function tariffJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(TariffPolicy, { io: 'input' }) as Record<string, unknown>;
}
