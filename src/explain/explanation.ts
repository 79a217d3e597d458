// One bill's explanation from its waterfall: the change, the causes, and the texts.
import type { BillPoint, Comparison, Explanation, ExplainSettings } from '../../schemas/explanation.js';
import type { CustomerClass } from '../../schemas/inputs.js';
import { waterfall, type ChangeInput } from './waterfall.js';
import { explanationTexts } from './wording.js';

export interface ExplainedBill {
  accountId: string;
  customerClass: CustomerClass;
  region: string;
  currency: string;
}

/** Whether a bill moved enough against the earlier one to explain (the rules file's `explain`). */
export function isNotable(previousMinor: number, currentMinor: number, settings: ExplainSettings): boolean {
  const change = Math.abs(currentMinor - previousMinor);
  return change >= settings.min_change_amount_minor && change >= settings.min_change * Math.abs(previousMinor) && change > 0;
}

/** Last month if that change is notable, else the same month last year if that one is; else null. */
export function comparisonFor(
  current: number, lastMonth: number | null, lastYear: number | null, settings: ExplainSettings,
): Comparison | null {
  if (lastMonth !== null && isNotable(lastMonth, current, settings)) return 'last_month';
  if (lastYear !== null && isNotable(lastYear, current, settings)) return 'last_year';
  return null;
}

function point(change: ChangeInput['current']): BillPoint {
  const input = change.input;
  return { period: input.period, days: input.endDay - input.startDay, kwhMilli: input.kwhMilli, amountMinor: change.amountMinor };
}

export function explainChange(bill: ExplainedBill, change: ChangeInput, notable: boolean): Explanation {
  const causes = waterfall(change);
  const previous = point(change.previous);
  const current = point(change.current);
  const changeMinor = current.amountMinor - previous.amountMinor;
  const base = {
    ...bill,
    period: current.period,
    against: change.against,
    notable,
    previous,
    current,
    changeMinor,
    changePercent: previous.amountMinor === 0 ? null : Math.round((changeMinor / Math.abs(previous.amountMinor)) * 1000) / 10,
    causes,
  };
  // The texts (two locales, agent and customer) are made when first read: a statement shows one of
  // the four, and making all of them took a fifth of a period's explanations (9 of 47 CPU-s at 1M).
  let text: Explanation['text'] | undefined;
  return { ...base, get text() { return (text ??= explanationTexts(base)); } };
}

