// Explain stage: why a bill changed, before the customer calls.
//
// Inputs:  the store's current bills of a period with last month's and the same month last
//          year's, the bill review corrected, the run of estimated bills before, the accounts,
//          the peers' change (class × region) and the price policies; the rules file's `explain`
//          thresholds (schemas/rules.ts).
// Outputs: Explanations (schemas/explanation.ts): for every bill whose amount moved notably, the
//          change as a waterfall of causes in money (days, weather, usage, estimate, catch-up,
//          meter exchange, tier, season, price version, correction, other), an agent's script and
//          a customer text in every statement locale; JSONL or CSV exports of a period.
// Invariants:
//   - the causes' amounts add up exactly, in minor units, to current − earlier amount: every
//     intermediate point is a bill priced by the tariff engine, the chain starts at the earlier
//     stored amount and ends at the current one, and whatever re-pricing cannot reproduce is
//     `other` (waterfall.ts throws, as a bug, if a sum ever differs);
//   - reads only: explaining changes nothing in the store;
//   - the same store gives the same explanations and the same bytes in the exports.
export { explainBill, explainPeriod, explainRules, type ExplainPeriodOptions, type ExplainRules, type PeriodExplanations } from './store.js';
export { comparisonFor, explainChange, isNotable, type ExplainedBill } from './explanation.js';
export { waterfall, withEnergy, type ChangeInput, type PricedPoint } from './waterfall.js';
export { causeLabel, explanationText, explanationTexts, statementBox } from './wording.js';
export { EXPORT_FORMATS, writeExplanations, type ExportFormat } from './export.js';
