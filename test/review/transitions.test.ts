import { describe, expect, it } from 'vitest';
import { BILL_STATUSES, HELD_STATUSES, type BillStatus } from '../../schemas/bill.js';
import { REVIEW_ACTIONS, transition, type ReviewAction } from '../../src/review/index.js';

// The whole state machine, written out: [from, action] → to, or refused.
const EXPECTED: Record<BillStatus, Record<ReviewAction, BillStatus | null>> = {
  held: { release: 'released', accept: 'released', correct: 'corrected', hold: 'held', dismiss: 'dismissed', escalate: 'escalated' },
  escalated: { release: 'released', accept: 'released', correct: 'corrected', hold: 'held', dismiss: 'dismissed', escalate: null },
  ready: { release: null, accept: null, correct: null, hold: null, dismiss: null, escalate: null },
  released: { release: null, accept: null, correct: null, hold: null, dismiss: null, escalate: null },
  dismissed: { release: null, accept: null, correct: null, hold: null, dismiss: null, escalate: null },
  corrected: { release: null, accept: null, correct: null, hold: null, dismiss: null, escalate: null },
};

describe('review transitions', () => {
  for (const from of BILL_STATUSES) {
    for (const action of REVIEW_ACTIONS) {
      const to = EXPECTED[from][action];
      it(`${from} + ${action} → ${to ?? 'refused'}`, () => {
        const step = transition(from, action);
        if (to === null) {
          expect(step.ok).toBe(false);
          const reason = step.ok ? '' : step.reason;
          expect(reason).toMatch(HELD_STATUSES.includes(from) ? /already escalated|cannot escalate/ : /not held/);
        } else {
          expect(step).toEqual({ ok: true, to });
        }
      });
    }
  }

  it('never leaves a decided bill held without a decision to hold it', () => {
    for (const action of REVIEW_ACTIONS) {
      const step = transition('held', action);
      expect(step.ok && HELD_STATUSES.includes(step.to)).toBe(action === 'hold' || action === 'escalate');
    }
  });
});
