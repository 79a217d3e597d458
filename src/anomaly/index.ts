// Anomaly stage: which bills go to a human second review, why, and in what order.
//
// Inputs: one account's AccountFeatures for a period (schemas/review.ts: kWh/day, amount, the
// previous period, the same period last year, the 12-period median/MAD, the peer group's changes,
// read qualities and meter events, the amount repriced at last period's prices) and the review
// rules (schemas/rules.ts, shipped as samples/rules.yaml). Labelled sample data for evaluation.
// Outputs: flags — rule id, severity, a one-line reason with the numbers, suppressed or not, and a
// score (likelihood × money at stake, minor units) — and evaluation reports against labels.
// Invariants: evaluateAccount is pure, deterministic and cheap (it runs once per account in the
// billing workers); a suppressed flag is a record of why a rule did not fire and holds nothing;
// every flag's reason reads on its own; the rules version used is recorded by the bill run.
export { evaluateAccount } from './evaluate-account.js';
export { DEFAULT_RULES_FILE, loadRules } from './rules-file.js';
export { evaluateFlags } from './evaluation.js';
export type { EvaluationOptions, EvaluationReport, GroupScore, KindScore, PeriodScore, RuleScore, Score } from './evaluation.js';
