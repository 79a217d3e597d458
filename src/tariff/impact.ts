// Revenue and bill impact of a price change, for `billrun tariff simulate`: the same determinants
// priced under the stored and the proposed policy. Amounts stay integer minor units; percentages
// are statistics for people, not money, so they are plain floats.
import { formatMinor } from '../money/index.js';

export interface ImpactRow {
  accountId: string;
  customerClass: string;
  oldMinor: number;
  newMinor: number;
}

export interface Percentiles {
  min: number;
  p5: number;
  p25: number;
  p50: number;
  p75: number;
  p95: number;
  max: number;
}

export interface ClassImpact {
  customerClass: string;
  accounts: number;
  oldMinor: number;
  newMinor: number;
  changeMinor: number;
  /** null when the class had nothing billed before. */
  changePercent: number | null;
  increased: number;
  decreased: number;
  unchanged: number;
  medianChangeMinor: number;
}

export interface HistogramBucket {
  /** Bucket of the per-account % change: lower bound inclusive, upper exclusive (null = unbounded). */
  fromPercent: number | null;
  toPercent: number | null;
  label: string;
  accounts: number;
}

export interface AffectedAccount extends ImpactRow {
  changeMinor: number;
  changePercent: number | null;
}

export interface ImpactSummary {
  currency: string;
  accounts: number;
  oldMinor: number;
  newMinor: number;
  changeMinor: number;
  changePercent: number | null;
  byClass: ClassImpact[];
  /** Per-account change in minor units (nearest-rank percentiles). */
  changeMinorPercentiles: Percentiles | null;
  /** Per-account change in %, over accounts that had a non-zero old bill. */
  changePercentPercentiles: Percentiles | null;
  /** Accounts whose old bill was zero, so a % change is undefined. */
  accountsWithoutOldAmount: number;
  histogram: HistogramBucket[];
  mostAffected: AffectedAccount[];
  /** The whole summary as a plain-text report. */
  text: string;
}

const EDGES = [-20, -10, -5, -2, 0, 2, 5, 10, 20];

export function summariseImpact(rows: readonly ImpactRow[], currency: string, options: { top?: number } = {}): ImpactSummary {
  const top = options.top ?? 10;
  let oldMinor = 0;
  let newMinor = 0;
  const changes = new Float64Array(rows.length);
  const percents: number[] = [];
  const classes = new Map<string, { rows: number; oldMinor: number; newMinor: number; changes: number[]; up: number; down: number }>();
  const buckets = histogramBuckets();
  let withoutOld = 0;

  rows.forEach((row, i) => {
    const change = row.newMinor - row.oldMinor;
    oldMinor += row.oldMinor;
    newMinor += row.newMinor;
    changes[i] = change;
    const pct = percentOf(change, row.oldMinor);
    if (pct === null) withoutOld++;
    else {
      percents.push(pct);
      buckets[bucketOf(pct)]!.accounts++;
    }
    const cls = classes.get(row.customerClass) ?? { rows: 0, oldMinor: 0, newMinor: 0, changes: [], up: 0, down: 0 };
    cls.rows++;
    cls.oldMinor += row.oldMinor;
    cls.newMinor += row.newMinor;
    cls.changes.push(change);
    if (change > 0) cls.up++;
    else if (change < 0) cls.down++;
    classes.set(row.customerClass, cls);
  });

  const byClass: ClassImpact[] = [...classes.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([customerClass, c]) => ({
    customerClass,
    accounts: c.rows,
    oldMinor: c.oldMinor,
    newMinor: c.newMinor,
    changeMinor: c.newMinor - c.oldMinor,
    changePercent: percentOf(c.newMinor - c.oldMinor, c.oldMinor),
    increased: c.up,
    decreased: c.down,
    unchanged: c.rows - c.up - c.down,
    medianChangeMinor: percentilesOf(Float64Array.from(c.changes))!.p50,
  }));

  const mostAffected = rows
    .map((row) => ({ ...row, changeMinor: row.newMinor - row.oldMinor, changePercent: percentOf(row.newMinor - row.oldMinor, row.oldMinor) }))
    .sort((a, b) => Math.abs(b.changeMinor) - Math.abs(a.changeMinor) || a.accountId.localeCompare(b.accountId))
    .slice(0, top);

  const summary: Omit<ImpactSummary, 'text'> = {
    currency,
    accounts: rows.length,
    oldMinor,
    newMinor,
    changeMinor: newMinor - oldMinor,
    changePercent: percentOf(newMinor - oldMinor, oldMinor),
    byClass,
    changeMinorPercentiles: percentilesOf(changes),
    changePercentPercentiles: percentilesOf(Float64Array.from(percents)),
    accountsWithoutOldAmount: withoutOld,
    histogram: buckets,
    mostAffected,
  };
  return { ...summary, text: impactText(summary) };
}

function percentOf(change: number, base: number): number | null {
  return base === 0 ? null : (change / base) * 100;
}

/** Nearest-rank percentiles: always an observed value, so minor units stay whole. */
function percentilesOf(values: Float64Array): Percentiles | null {
  if (values.length === 0) return null;
  const sorted = values.slice().sort();
  const rank = (p: number): number => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
  return { min: sorted[0]!, p5: rank(5), p25: rank(25), p50: rank(50), p75: rank(75), p95: rank(95), max: sorted[sorted.length - 1]! };
}

function histogramBuckets(): HistogramBucket[] {
  const buckets: HistogramBucket[] = [];
  for (let i = 0; i <= EDGES.length; i++) {
    const from = i === 0 ? null : EDGES[i - 1]!;
    const to = i === EDGES.length ? null : EDGES[i]!;
    const label = from === null ? `< ${to}%` : to === null ? `≥ ${from}%` : `${from}% to ${to}%`;
    buckets.push({ fromPercent: from, toPercent: to, label, accounts: 0 });
  }
  return buckets;
}

function bucketOf(pct: number): number {
  let i = 0;
  while (i < EDGES.length && pct >= EDGES[i]!) i++;
  return i;
}

function signed(text: string): string {
  return text.startsWith('-') ? text : `+${text}`;
}

function pctText(pct: number | null): string {
  return pct === null ? 'n/a' : `${signed(pct.toFixed(2))}%`;
}

function impactText(s: Omit<ImpactSummary, 'text'>): string {
  const money = (minor: number): string => formatMinor(minor, s.currency);
  const out: string[] = [];
  out.push(`Impact on ${s.accounts} accounts (${s.currency})`);
  out.push(`  total billed: ${money(s.oldMinor)} → ${money(s.newMinor)}  change ${signed(money(s.changeMinor))} (${pctText(s.changePercent)})`);
  if (s.byClass.length > 0) {
    out.push('  by customer class:');
    const width = Math.max(...s.byClass.map((c) => c.customerClass.length));
    for (const c of s.byClass) {
      out.push(`    ${c.customerClass.padEnd(width)}  ${String(c.accounts).padStart(8)} accounts  ${signed(money(c.changeMinor)).padStart(14)} `
        + `(${pctText(c.changePercent)})  median ${signed(money(c.medianChangeMinor))}  up ${c.increased} / down ${c.decreased} / same ${c.unchanged}`);
    }
  }
  const p = s.changeMinorPercentiles;
  if (p) {
    out.push(`  change per account (${s.currency}): min ${money(p.min)}  p5 ${money(p.p5)}  p25 ${money(p.p25)}  median ${money(p.p50)}  `
      + `p75 ${money(p.p75)}  p95 ${money(p.p95)}  max ${money(p.max)}`);
  }
  const q = s.changePercentPercentiles;
  if (q) {
    const f = (x: number): string => `${x.toFixed(2)}%`;
    out.push(`  change per account (%): min ${f(q.min)}  p5 ${f(q.p5)}  p25 ${f(q.p25)}  median ${f(q.p50)}  p75 ${f(q.p75)}  p95 ${f(q.p95)}  max ${f(q.max)}`);
  }
  if (s.accountsWithoutOldAmount > 0) out.push(`  accounts with no previous amount (no % change): ${s.accountsWithoutOldAmount}`);
  const most = Math.max(1, ...s.histogram.map((b) => b.accounts));
  const labelWidth = Math.max(...s.histogram.map((b) => b.label.length));
  out.push('  distribution of the change per account:');
  for (const b of s.histogram) {
    const bar = '#'.repeat(Math.round((b.accounts / most) * 40));
    out.push(`    ${b.label.padEnd(labelWidth)} |${bar.padEnd(40)}| ${b.accounts}`);
  }
  if (s.mostAffected.length > 0) {
    out.push('  most affected accounts:');
    for (const a of s.mostAffected) {
      out.push(`    ${a.accountId} (${a.customerClass}): ${money(a.oldMinor)} → ${money(a.newMinor)}  ${signed(money(a.changeMinor))} (${pctText(a.changePercent)})`);
    }
  }
  return out.join('\n');
}
