// Anomaly stage: review flags for one account's bill from its features.
//
// Inputs: AccountFeatures (schemas/review.ts) and the review rules (schemas/rules.ts).
// Outputs: flags, each with a rule id, a severity, a one-line reason with the numbers and a score
// (money at stake) for ranking. Invariants: pure and deterministic; a suppressed flag holds nothing.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ReviewRules } from '../../schemas/rules.js';
import { assertReadable, FatalError } from '../diagnostics/index.js';
import { READ_FLAGS, type AccountFeatures, type Flag } from '../../schemas/review.js';

export const DEFAULT_RULES: ReviewRules = {
  version: 'builtin-1',
  classes: {
    residential: { mom_change: 0.6, yoy_change: 0.6, min_change_kwh: 60 },
    commercial: { mom_change: 0.5, yoy_change: 0.5, min_change_kwh: 300 },
    industrial: { mom_change: 0.4, yoy_change: 0.4, min_change_kwh: 2000 },
    agricultural: { mom_change: 0.8, yoy_change: 0.8, min_change_kwh: 200 },
  },
};

const kwhDay = (wh: number) => (wh / 1000).toFixed(1);
const pct = (ratio: number) => `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(0)}%`;

export function evaluateAccount(f: AccountFeatures, rules: ReviewRules): Flag[] {
  const flags: Flag[] = [];
  const t = rules.classes[f.customerClass];
  const stake = (expectedKpd: number) => Math.abs(f.amountMinor) * Math.min(1, Math.abs(f.kpd - expectedKpd) / Math.max(f.kpd, expectedKpd, 1));
  if (f.readFlags & READ_FLAGS.negativeAdvance) {
    flags.push({ ruleId: 'negative_advance', severity: 'hold', suppressed: false, score: Math.abs(f.prevAmountMinor ?? f.amountMinor) + 1,
      reason: 'closing read is below the opening read and not a register rollover: reverse rotation or misread' });
  }
  if (f.readFlags & READ_FLAGS.sentinel) {
    flags.push({ ruleId: 'sentinel_value', severity: 'hold', suppressed: false, score: Math.abs(f.amountMinor) + 1,
      reason: 'a read carries a meter error value (all nines / 4294967.295) or exceeds the register' });
  }
  const change = (ruleId: string, base: number | null, peer: number | null, limit: number, against: string) => {
    if (base === null || base <= 0 || f.days <= 0) return;
    const ratio = f.kpd / base;
    const peerRatio = peer !== null && peer > 0 ? peer : 1;
    const adjusted = ratio / peerRatio;
    const changeKwh = Math.abs(f.kpd - base * peerRatio) * f.days / 1000;
    if (Math.abs(adjusted - 1) <= limit || changeKwh < t.min_change_kwh) return;
    flags.push({
      ruleId, severity: 'hold', suppressed: false, score: stake(base * peerRatio),
      reason: `kWh/day ${kwhDay(base)} → ${kwhDay(f.kpd)} (×${ratio.toFixed(1)}) vs ${against}; region peers ${pct(peerRatio)}`,
    });
  };
  change('mom_kwh_per_day', f.prevKpd, f.peerMom, t.mom_change, 'last month');
  change('yoy_kwh_per_day', f.yoyKpd, f.peerYoy, t.yoy_change, 'same month last year');
  return flags;
}

/** Review rules from a YAML or JSON file, or the built-in defaults. */
export function loadRules(path: string | undefined): ReviewRules {
  if (!path) return DEFAULT_RULES;
  assertReadable(path);
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    throw FatalError.at({ file: path }, `not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  const parsed = ReviewRules.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw FatalError.at({ file: path }, `${issue.path.join('.') || '(document)'}: ${issue.message}`);
  }
  return parsed.data;
}
