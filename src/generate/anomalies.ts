// Which accounts carry an injected anomaly, which kind, from which period. Planned up front so
// the label rate can be aimed at `anomalyRate` of account-periods: each kind labels a different
// number of periods (a stuck meter 2–4, a misread the bad period and the compensating one, a
// wrong multiplier or a sustained drop every period from its onset to the end: nobody fixes it),
// so event probabilities are scaled by the labels an event of that kind is expected to produce.
import { ANOMALY_KINDS, type AnomalyKind } from '../../schemas/inputs.js';
import { EVENT_EXCHANGE, EVENT_INTERVAL, EVENT_MOVE_IN, EVENT_MOVE_OUT, EVENT_VACANCY } from './catalog.js';
import type { Population } from './population.js';
import { pickWeighted, Stream, uniform, uniformInt } from './random.js';

/** Anomaly codes in the typed arrays: 0 = none, else 1 + index in ANOMALY_KINDS. */
export const NO_ANOMALY = 0;
const code = (kind: AnomalyKind): number => ANOMALY_KINDS.indexOf(kind) + 1;
export const MISREAD = code('misread');
export const STUCK_METER = code('stuck_meter');
export const SUSTAINED_DROP = code('sustained_drop');
export const NEGATIVE_ADVANCE = code('negative_advance');
export const WRONG_MULTIPLIER = code('wrong_multiplier');
export const ESTIMATE_CATCH_UP = code('estimate_catch_up');
export const SENTINEL = code('sentinel');

/** Share of anomaly events by kind (not of labels) where every kind is possible. */
const EVENT_SHARES: Record<AnomalyKind, number> = {
  misread: 0.22, stuck_meter: 0.12, sustained_drop: 0.15, negative_advance: 0.10,
  wrong_multiplier: 0.10, estimate_catch_up: 0.16, sentinel: 0.15,
};
const WRONG_MULTIPLIER_FACTORS = [10, 0.1, 2, 0.5];
/**
 * Share of exchanged CT meters whose new meter's ratio never reaches the billing data (half: the
 * case is rare in the world but the costliest, and an evaluation must see it): from the
 * exchange day on the account is billed at 1/multiplier of its use (issue 13's headline case).
 */
const EXCHANGE_WRONG_MULTIPLIER_SHARE = 0.5;
/** Reads on either side of an anomaly kept free of legitimate estimates, so labels stay clean. */
export const ANOMALY_QUIET_READS = 5;
/** Onset draws tried before an account whose legitimate event leaves no room goes without. */
const ONSET_ATTEMPTS = 4;

export interface AnomalyPlan {
  kind: Uint8Array;
  /** First labelled period (for estimate_catch_up: the catch-up period). */
  onset: Uint8Array;
  /** stuck_meter: periods stuck; estimate_catch_up: estimated reads before the catch-up. */
  length: Uint8Array;
  /**
   * sustained_drop: share kept; wrong_multiplier: factor; negative_advance: share reversed;
   * estimate_catch_up: what the catch-up read overshoots, as a share of the period's use.
   */
  factor: Float32Array;
  /** Accounts with an anomaly, by kind. */
  events: Record<AnomalyKind, number>;
}

/** Onsets favour the last 12 periods (twice the weight) but reach back to period `from`. */
function onsetWeights(months: number, from: number): number[] {
  const weights: number[] = [];
  for (let k = from; k <= months; k++) weights.push(k > months - 12 ? 2 : 1);
  return weights;
}

function expectedLabels(kind: AnomalyKind, months: number): number {
  if (kind === 'negative_advance') return 1;
  const weights = onsetWeights(months, 2);
  let total = 0;
  let labels = 0;
  weights.forEach((w, i) => {
    const k = i + 2;
    const count = kind === 'stuck_meter' ? (Math.min(2, months - k + 1) + Math.min(3, months - k + 1) + Math.min(4, months - k + 1)) / 3
      : kind === 'sustained_drop' || kind === 'wrong_multiplier' ? months - k + 1
        : k < months ? 2 : 1;
    total += w;
    labels += w * count;
  });
  return labels / total;
}

/** The anomaly changes the account's data from then on (tampering, a wrong CT ratio). */
export function isLasting(kind: number): boolean {
  return kind === SUSTAINED_DROP || kind === WRONG_MULTIPLIER;
}

/**
 * Whether an anomaly over periods [first, last] would collide with the account's legitimate event.
 * Anomalies and events share accounts — a tampered meter can be exchanged later, a household
 * that moves in can misread — but not periods: a label must describe one cause, and the period
 * beside an event stays clean so its partial or split period is not mistaken for the anomaly.
 * A lasting anomaly only needs its onset clear of the event, and it must start after an exchange
 * (a new meter would end it) or a move-in.
 */
function collides(pop: Population, a: number, kind: number, first: number, last: number): boolean {
  const event = pop.event[a]!;
  const at = pop.eventPeriod[a]!;
  switch (event) {
    case EVENT_INTERVAL: return true;
    case EVENT_MOVE_IN: return first <= at + 1;
    case EVENT_MOVE_OUT: return (isLasting(kind) ? first : last) >= at - 1;
    case EVENT_EXCHANGE:
      if (isLasting(kind)) return first <= at + 1;
      // A freshly fitted meter reads near zero: it has no room to run backwards.
      if (kind === NEGATIVE_ADVANCE) return last >= at - 1;
      return !(last <= at - 2 || first >= at + 2);
    case EVENT_VACANCY: {
      const end = at + pop.eventLength[a]!;
      return isLasting(kind) ? first >= at - 1 && first <= end : first <= end && last >= at - 1;
    }
    default: return false;
  }
}

/** Periods whose meter data an anomaly changes: from its first estimate or onset to its last bad read. */
function affectedPeriods(kind: number, onset: number, length: number, months: number): [number, number] {
  if (kind === ESTIMATE_CATCH_UP) return [onset - length, onset + 1];
  if (kind === MISREAD || kind === SENTINEL) return [onset, onset + 1];
  if (kind === STUCK_METER) return [onset, onset + length - 1];
  return [onset, isLasting(kind) ? months : onset];
}

function feasible(kind: AnomalyKind, months: number): boolean {
  return months >= (kind === 'estimate_catch_up' ? 4 : 2);
}

export function planAnomalies(pop: Population, months: number, anomalyRate: number, seed: number): AnomalyPlan {
  const { count } = pop;
  const plan: AnomalyPlan = {
    kind: new Uint8Array(count), onset: new Uint8Array(count), length: new Uint8Array(count), factor: new Float32Array(count),
    events: Object.fromEntries(ANOMALY_KINDS.map((k) => [k, 0])) as Record<AnomalyKind, number>,
  };
  let eligible = 0;
  let eligibleWithCt = 0;
  for (let a = 0; a < count; a++) {
    if (pop.event[a] === EVENT_INTERVAL) continue;
    eligible++;
    if (pop.multiplier[a]! > 1) eligibleWithCt++;
  }
  const possible = ANOMALY_KINDS.filter((k) => feasible(k, months) && (k !== 'wrong_multiplier' || eligibleWithCt > 0));
  if (eligible === 0 || possible.length === 0 || anomalyRate === 0) return plan;

  // A wrong multiplier needs a CT-connected meter: its share shrinks with theirs, so a CT account
  // is no likelier to carry an anomaly than any other account.
  const share = (k: AnomalyKind): number => EVENT_SHARES[k] * (k === 'wrong_multiplier' ? eligibleWithCt / eligible : 1);
  const labelsPerShare = possible.reduce((sum, k) => sum + share(k) * expectedLabels(k, months), 0);
  const events = (k: AnomalyKind): number => (anomalyRate * count * months * share(k)) / labelsPerShare;
  const probability = (k: AnomalyKind, withCt: boolean): number => {
    if (!possible.includes(k)) return 0;
    if (k === 'wrong_multiplier') return withCt ? events(k) / eligibleWithCt : 0;
    return events(k) / eligible;
  };
  // Per-account kind probabilities; scaled down when a high rate would ask for more than one event.
  const table = (withCt: boolean): number[] => {
    const p = ANOMALY_KINDS.map((k) => probability(k, withCt));
    const total = p.reduce((s, x) => s + x, 0);
    return total > 1 ? p.map((x) => x / total) : p;
  };
  const withoutCt = table(false);
  const withCt = table(true);

  for (let a = 0; a < count; a++) {
    if (pop.event[a] === EVENT_INTERVAL) continue;
    if (pop.event[a] === EVENT_EXCHANGE && pop.multiplier[a]! > 1 && pop.eventPeriod[a]! >= 2
      && uniform(seed, Stream.anomalyMode, a, 1) < EXCHANGE_WRONG_MULTIPLIER_SHARE) {
      plan.kind[a] = WRONG_MULTIPLIER;
      plan.onset[a] = pop.eventPeriod[a]!;
      plan.length[a] = 1;
      plan.factor[a] = 1 / pop.multiplier[a]!;
      plan.events.wrong_multiplier++;
      continue;
    }
    const p = pop.multiplier[a]! > 1 ? withCt : withoutCt;
    let u = uniform(seed, Stream.anomaly, a);
    let chosen = -1;
    for (let k = 0; k < p.length; k++) {
      if (u < p[k]!) {
        chosen = k;
        break;
      }
      u -= p[k]!;
    }
    if (chosen < 0) continue;
    const kind = ANOMALY_KINDS[chosen]!;
    const kindCode = chosen + 1;
    const length = kindCode === STUCK_METER || kindCode === ESTIMATE_CATCH_UP ? uniformInt(seed, Stream.anomalyLength, a, 0, 2, 4) : 1;
    const from = kindCode === ESTIMATE_CATCH_UP ? length + 2 : 2;
    if (from > months) continue;
    const weights = onsetWeights(months, from);
    let onset = 0;
    for (let attempt = 0; attempt < ONSET_ATTEMPTS && onset === 0; attempt++) {
      const candidate = from + pickWeighted(uniform(seed, Stream.anomalyOnset, a, attempt), weights);
      const [first, last] = affectedPeriods(kindCode, candidate, length, months);
      if (!collides(pop, a, kindCode, first, last)) onset = candidate;
    }
    if (onset === 0) continue;
    const f = uniform(seed, Stream.anomalyFactor, a);
    plan.kind[a] = kindCode;
    plan.onset[a] = onset;
    plan.length[a] = length;
    plan.factor[a] = kindCode === SUSTAINED_DROP ? 0.15 + 0.7 * f
      : kindCode === WRONG_MULTIPLIER ? WRONG_MULTIPLIER_FACTORS[pickWeighted(f, [0.35, 0.35, 0.15, 0.15])]!
        : kindCode === NEGATIVE_ADVANCE ? 0.2 + 0.8 * f
          : kindCode === ESTIMATE_CATCH_UP ? 0.5 + f
            : 1;
    plan.events[kind]++;
  }
  return plan;
}

/** Whether period m of an account with this plan carries a label. */
export function isLabelled(plan: AnomalyPlan, a: number, m: number): boolean {
  const kind = plan.kind[a]!;
  if (kind === NO_ANOMALY) return false;
  const onset = plan.onset[a]!;
  // A misread, an error code or an overshooting catch-up read also spoils the next period, which opens on it.
  if (kind === MISREAD || kind === SENTINEL || kind === ESTIMATE_CATCH_UP) return m === onset || m === onset + 1;
  if (kind === STUCK_METER) return m >= onset && m < onset + plan.length[a]!;
  if (isLasting(kind)) return m >= onset;
  return m === onset;
}

/**
 * A drop to more than this share of the true use is within what an honest account's use can do
 * (a lost customer, a quieter month): a label a reviewer may or may not be expected to catch.
 */
const AMBIGUOUS_DROP_KEPT = 0.7;

/**
 * What a label asks of the rules: '1' must be flagged, or 'ambiguous' when the period billed a
 * share of its true use (the planned factor, or billed/true) within what honest use can do.
 */
export function mustFlag(plan: AnomalyPlan, a: number, billedShare = plan.factor[a]!): '1' | 'ambiguous' {
  const kind = plan.kind[a];
  if (kind !== SUSTAINED_DROP && kind !== WRONG_MULTIPLIER) return '1';
  return billedShare > AMBIGUOUS_DROP_KEPT && billedShare < 1 / AMBIGUOUS_DROP_KEPT ? 'ambiguous' : '1';
}

/** A wrong multiplier that came with a new meter: it starts in the exchange period itself. */
export function startsAtExchange(plan: AnomalyPlan, pop: Population, a: number): boolean {
  return plan.kind[a] === WRONG_MULTIPLIER && pop.event[a] === EVENT_EXCHANGE && plan.onset[a] === pop.eventPeriod[a];
}
