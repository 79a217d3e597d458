// Review stage: the second review of held bills, from the ranked list to a decision on each.
//
// Inputs:  the store's bills (status, score, is_current), flags, line items, reads and accounts
//          of billed periods; reviewers' decisions (one at a time or a CSV of them).
// Outputs: bill status changes, corrections re-billed as the next bill version (with their line
//          items and the corrected or estimated reads), the review_decisions audit trail, and
//          for people: the queue (table, JSON, CSV), an account's full picture, statistics per
//          rule and reviewer, and a self-contained HTML report.
// Invariants:
//   - only held bills (HELD_STATUSES) take decisions, along the transitions in transitions.ts;
//   - every status change has exactly one audit row, written in the same transaction; the trail
//     is append-only (this stage never updates or deletes it);
//   - a decision applies only if the bill is still current and in the state it was decided on
//     (a guarded UPDATE): of two concurrent decisions on a bill one wins, the other changes nothing;
//   - a correction keeps the old version (status 'corrected', no longer current) and writes the
//     next version as current and 'ready'; its determinants come from the reads exactly as the
//     bill run derives them, and its amount is the exact sum of its line items;
//   - a bulk import is all-or-nothing: any problem in any row and nothing is written;
//   - one claim per bill (review_claims' key): of two reviewers claiming a bill, one holds it;
//   - every cell written to CSV is formula-neutralised, every text in HTML escaped.
export { REVIEW_ACTIONS, ReviewAction, transition } from './transitions.js';
export { parseStatuses, reviewQueue, type QueueFilter, type ReviewItem } from './queue.js';
export { accountReview, historyScaleMax, levelLines, type AccountReview } from './account.js';
export { cachedPeerChanges, type PeerSource } from './peers.js';
export { decide, type DecisionRecord, type DecisionRequest } from './decide.js';
export { parseReadCorrection, type ReadCorrection } from './correction.js';
export { exportQueue, importDecisions, EXPORT_COLUMNS, type ImportReport } from './bulk.js';
export { reviewStats, type ReviewStats, type RuleStats } from './stats.js';
export { writeReport } from './report.js';
export {
  accountPeriods, billedPeriods, claimBill, claimHolder, currentStatus, queueFacets, queuePage, refreshQueue, unclaimBill, type ClaimResult, type PageFilter, type PageItem, type QueuePage } from './page.js';
