// The review state machine: which decision a reviewer may take on a bill in which state, and
// the state it leaves the decided bill version in. Pure; the store applies it (decide.ts).
import { z } from 'zod';
import { HELD_STATUSES, type BillStatus } from '../../schemas/bill.js';

export const REVIEW_ACTIONS = ['release', 'accept', 'correct', 'hold', 'dismiss', 'escalate'] as const;
export const ReviewAction = z.enum(REVIEW_ACTIONS);
export type ReviewAction = z.infer<typeof ReviewAction>;

/**
 * From → to per action. Only held bills (held, escalated) take decisions: a released bill may
 * already be on its way to the customer, so changing it is a new bill run, not a review.
 * `correct` marks the decided version 'corrected'; its re-bill (the next version) is 'ready'.
 * `hold` keeps a bill in the queue with a note (or takes an escalated one back into it).
 * `accept` releases the bill and says its level is real (a new tenant, a new line): the account's
 * baseline starts again at this period (migration 004's trusted_bills). A plain release or a
 * dismissal is a decision about the bill only: a level a usage rule questioned stays off the
 * baseline and keeps the next bills flagged.
 */
const TRANSITIONS: Record<ReviewAction, { from: readonly BillStatus[]; to: BillStatus }> = {
  release: { from: ['held', 'escalated'], to: 'released' },
  accept: { from: ['held', 'escalated'], to: 'released' },
  correct: { from: ['held', 'escalated'], to: 'corrected' },
  dismiss: { from: ['held', 'escalated'], to: 'dismissed' },
  escalate: { from: ['held'], to: 'escalated' },
  hold: { from: ['held', 'escalated'], to: 'held' },
};

export type Transition = { ok: true; to: BillStatus } | { ok: false; reason: string };

export function transition(from: BillStatus, action: ReviewAction): Transition {
  const rule = TRANSITIONS[action];
  if (rule.from.includes(from)) return { ok: true, to: rule.to };
  if (!HELD_STATUSES.includes(from)) {
    return { ok: false, reason: `the bill is not held (it is ${from}): only held or escalated bills take a review decision` };
  }
  return { ok: false, reason: `cannot ${action} a bill that is ${from}` };
}

/** Statuses a reviewer has finished with (the bill may go out, or was replaced by a re-bill). */
export const DECIDED_STATUSES: readonly BillStatus[] = ['released', 'dismissed', 'corrected'];
