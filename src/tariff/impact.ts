// Revenue and bill impact of a price change, for `billrun tariff simulate`: the same billed
// determinants priced under the stored and the proposed policy, bill by bill, tallied per month,
// class and region. Amounts stay integer minor units; percentages are statistics for people, not
// money, so they are plain floats.
//
// Only bills trusted for impact (the store's bill_trusted_for_impact: current, no open review)
// enter the totals, percentiles, histogram and most affected list, unless the caller includes
// the others; either way they are counted on their own, so a reader sees what was left out.
import { formatMinor } from '../money/index.js';

export interface ImpactRow {
  accountId: string;
  /** The customer's name, as a reader recognises the bill. */
  customerName: string;
  customerClass: string;
  region: string;
  /** Billing period YYYY-MM. */
  period: string;
  /** null for a bill of no days. */
  kwhPerDay: number | null;
  oldMinor: number;
  newMinor: number;
  /** False for held and escalated bills (bill_trusted_for_impact in the store). */
  trusted: boolean;
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

/** Totals of one group of bills: a month, a customer class, a region. */
export interface GroupImpact {
  key: string;
  bills: number;
  oldMinor: number;
  newMinor: number;
  changeMinor: number;
  /** null when the group had nothing billed before. */
  changePercent: number | null;
  increased: number;
  decreased: number;
  unchanged: number;
  medianChangeMinor: number;
}

export interface HistogramBucket {
  /** Bucket of the per-bill % change: lower bound inclusive, upper exclusive (null = unbounded). */
  fromPercent: number | null;
  toPercent: number | null;
  label: string;
  bills: number;
}

/** A line item whose amount moved: amounts summed by label over the bill's versions. */
export interface LineChange {
  label: string;
  oldMinor: number;
  newMinor: number;
}

export interface AffectedBill extends Omit<ImpactRow, 'trusted'> {
  changeMinor: number;
  changePercent: number | null;
  lines: LineChange[];
}

export interface UntrustedBills {
  bills: number;
  oldMinor: number;
  newMinor: number;
  changeMinor: number;
  /** True when --include-held put them into the totals. */
  included: boolean;
}

export interface ImpactSummary {
  currency: string;
  /** Periods the bills belong to, first and last. */
  from: string | null;
  to: string | null;
  bills: number;
  accounts: number;
  oldMinor: number;
  newMinor: number;
  changeMinor: number;
  changePercent: number | null;
  byMonth: GroupImpact[];
  byClass: GroupImpact[];
  byRegion: GroupImpact[];
  /** Held and escalated bills: counted here whether or not they are in the totals. */
  untrusted: UntrustedBills;
  /** Per-bill change in minor units (nearest-rank percentiles). */
  changeMinorPercentiles: Percentiles | null;
  /** Per-bill change in %, over bills that had a non-zero old amount. */
  changePercentPercentiles: Percentiles | null;
  /** Bills whose old amount was zero, so a % change is undefined. */
  billsWithoutOldAmount: number;
  histogram: HistogramBucket[];
  mostAffected: AffectedBill[];
  /** The whole summary as a plain-text report. */
  text: string;
}

export interface ImpactOptions {
  /** Bills to list as most affected (default 10). */
  top?: number;
  /** Put held and escalated bills into the totals (they are always counted on their own). */
  includeHeld?: boolean;
}

const EDGES = [-20, -10, -5, -2, 0, 2, 5, 10, 20];

interface Group {
  bills: number;
  oldMinor: number;
  newMinor: number;
  changes: number[];
  up: number;
  down: number;
}

/**
 * Tallies bills one at a time, so a range of months never has to be held in memory as rows;
 * only per-bill changes (for percentiles and medians) and the most affected few are kept.
 */
export class ImpactTally<R extends ImpactRow = ImpactRow> {
  private readonly top: number;
  private readonly includeHeld: boolean;
  private oldMinor = 0;
  private newMinor = 0;
  private readonly changes: number[] = [];
  private readonly percents: number[] = [];
  private readonly accounts = new Set<string>();
  private readonly months = new Map<string, Group>();
  private readonly classes = new Map<string, Group>();
  private readonly regions = new Map<string, Group>();
  private readonly buckets = histogramBuckets();
  private readonly untrusted: UntrustedBills;
  private withoutOld = 0;
  /** Most affected so far, largest |change| first (unchanged bills are not affected). */
  private readonly most: R[] = [];

  constructor(private readonly currency: string, options: ImpactOptions = {}) {
    this.top = options.top ?? 10;
    this.includeHeld = options.includeHeld ?? false;
    this.untrusted = { bills: 0, oldMinor: 0, newMinor: 0, changeMinor: 0, included: this.includeHeld };
  }

  add(row: R): void {
    const change = row.newMinor - row.oldMinor;
    if (!row.trusted) {
      this.untrusted.bills++;
      this.untrusted.oldMinor += row.oldMinor;
      this.untrusted.newMinor += row.newMinor;
      this.untrusted.changeMinor += change;
      if (!this.includeHeld) return;
    }
    this.oldMinor += row.oldMinor;
    this.newMinor += row.newMinor;
    this.changes.push(change);
    this.accounts.add(row.accountId);
    const pct = percentOf(change, row.oldMinor);
    if (pct === null) this.withoutOld++;
    else {
      this.percents.push(pct);
      this.buckets[bucketOf(pct)]!.bills++;
    }
    for (const [groups, key] of [[this.months, row.period], [this.classes, row.customerClass], [this.regions, row.region]] as const) {
      const group = groups.get(key) ?? { bills: 0, oldMinor: 0, newMinor: 0, changes: [], up: 0, down: 0 };
      group.bills++;
      group.oldMinor += row.oldMinor;
      group.newMinor += row.newMinor;
      group.changes.push(change);
      if (change > 0) group.up++;
      else if (change < 0) group.down++;
      groups.set(key, group);
    }
    this.keepIfMostAffected(row, change);
  }

  /** The summary; `explain` lists the line items that moved, called for the most affected bills only. */
  finish(explain: (row: R) => LineChange[] = () => []): ImpactSummary {
    const months = [...this.months.keys()].sort();
    const summary: Omit<ImpactSummary, 'text'> = {
      currency: this.currency,
      from: months[0] ?? null,
      to: months.at(-1) ?? null,
      bills: this.changes.length,
      accounts: this.accounts.size,
      oldMinor: this.oldMinor,
      newMinor: this.newMinor,
      changeMinor: this.newMinor - this.oldMinor,
      changePercent: percentOf(this.newMinor - this.oldMinor, this.oldMinor),
      byMonth: groupImpacts(this.months),
      byClass: groupImpacts(this.classes),
      byRegion: groupImpacts(this.regions),
      untrusted: { ...this.untrusted },
      changeMinorPercentiles: percentilesOf(Float64Array.from(this.changes)),
      changePercentPercentiles: percentilesOf(Float64Array.from(this.percents)),
      billsWithoutOldAmount: this.withoutOld,
      histogram: this.buckets.map((b) => ({ ...b })),
      mostAffected: this.most.map((row) => ({
        accountId: row.accountId, customerName: row.customerName, customerClass: row.customerClass, region: row.region,
        period: row.period, kwhPerDay: row.kwhPerDay, oldMinor: row.oldMinor, newMinor: row.newMinor,
        changeMinor: row.newMinor - row.oldMinor, changePercent: percentOf(row.newMinor - row.oldMinor, row.oldMinor), lines: explain(row),
      })),
    };
    return { ...summary, text: impactText(summary) };
  }

  private keepIfMostAffected(row: R, change: number): void {
    if (this.top <= 0 || change === 0) return;
    const size = Math.abs(change);
    const before = (other: R): boolean => {
      const otherSize = Math.abs(other.newMinor - other.oldMinor);
      return size > otherSize || (size === otherSize && (row.accountId < other.accountId || (row.accountId === other.accountId && row.period < other.period)));
    };
    if (this.most.length === this.top && !before(this.most.at(-1)!)) return;
    let at = this.most.length;
    while (at > 0 && before(this.most[at - 1]!)) at--;
    this.most.splice(at, 0, row);
    if (this.most.length > this.top) this.most.pop();
  }
}

/** The summary of a list of rows (tests, small inputs). */
export function summariseImpact(rows: readonly ImpactRow[], currency: string, options: ImpactOptions = {}): ImpactSummary {
  const tally = new ImpactTally(currency, options);
  for (const row of rows) tally.add(row);
  return tally.finish();
}

/** Line items whose amount differs between two pricings, by label in the order they appear. */
export function lineChanges(oldLines: readonly { label: string; amountMinor: number }[], newLines: readonly { label: string; amountMinor: number }[]): LineChange[] {
  const byLabel = new Map<string, LineChange>();
  const entry = (label: string): LineChange => {
    let line = byLabel.get(label);
    if (!line) byLabel.set(label, (line = { label, oldMinor: 0, newMinor: 0 }));
    return line;
  };
  for (const line of oldLines) entry(line.label).oldMinor += line.amountMinor;
  for (const line of newLines) entry(line.label).newMinor += line.amountMinor;
  return [...byLabel.values()].filter((line) => line.oldMinor !== line.newMinor);
}

function groupImpacts(groups: Map<string, Group>): GroupImpact[] {
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, g]) => ({
    key,
    bills: g.bills,
    oldMinor: g.oldMinor,
    newMinor: g.newMinor,
    changeMinor: g.newMinor - g.oldMinor,
    changePercent: percentOf(g.newMinor - g.oldMinor, g.oldMinor),
    increased: g.up,
    decreased: g.down,
    unchanged: g.bills - g.up - g.down,
    medianChangeMinor: percentilesOf(Float64Array.from(g.changes))!.p50,
  }));
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
    buckets.push({ fromPercent: from, toPercent: to, label, bills: 0 });
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

export function percentText(pct: number | null): string {
  return pct === null ? 'n/a' : `${signed(pct.toFixed(2))}%`;
}

/** What the untrusted bills are, in words, for the text and HTML forms. */
export function untrustedText(u: UntrustedBills, money: (minor: number) => string): string {
  const what = `${u.bills} held or escalated bill${u.bills === 1 ? '' : 's'} (review not decided)`;
  const amounts = `billed ${money(u.oldMinor)} → ${money(u.newMinor)}, change ${signed(money(u.changeMinor))}`;
  return u.included ? `included: ${what}, ${amounts}` : `left out: ${what}, ${amounts}; --include-held adds them`;
}

function impactText(s: Omit<ImpactSummary, 'text'>): string {
  const money = (minor: number): string => formatMinor(minor, s.currency);
  const out: string[] = [];
  const range = s.from === s.to ? (s.from ?? '') : `${s.from}..${s.to}`;
  out.push(`Impact on ${s.bills} ${s.untrusted.included ? '' : 'trusted '}bills of ${s.accounts} accounts${range ? `, ${range}` : ''} (${s.currency})`);
  out.push(`  total billed: ${money(s.oldMinor)} → ${money(s.newMinor)}  change ${signed(money(s.changeMinor))} (${percentText(s.changePercent)})`);
  if (s.untrusted.bills > 0) out.push(`  ${untrustedText(s.untrusted, money)}`);
  const groups = (title: string, list: GroupImpact[]) => {
    if (list.length === 0) return;
    out.push(`  ${title}:`);
    const width = Math.max(...list.map((g) => g.key.length));
    for (const g of list) {
      out.push(`    ${g.key.padEnd(width)}  ${String(g.bills).padStart(8)} bills  ${money(g.oldMinor).padStart(14)} → ${money(g.newMinor).padStart(14)}  `
        + `${signed(money(g.changeMinor)).padStart(13)} (${percentText(g.changePercent)})  median ${signed(money(g.medianChangeMinor))}  `
        + `up ${g.increased} / down ${g.decreased} / same ${g.unchanged}`);
    }
  };
  if (s.byMonth.length > 1) groups('by month', s.byMonth);
  groups('by customer class', s.byClass);
  groups('by region', s.byRegion);
  const p = s.changeMinorPercentiles;
  if (p) {
    out.push(`  change per bill (${s.currency}): min ${money(p.min)}  p5 ${money(p.p5)}  p25 ${money(p.p25)}  median ${money(p.p50)}  `
      + `p75 ${money(p.p75)}  p95 ${money(p.p95)}  max ${money(p.max)}`);
  }
  const q = s.changePercentPercentiles;
  if (q) {
    const f = (x: number): string => `${x.toFixed(2)}%`;
    out.push(`  change per bill (%): min ${f(q.min)}  p5 ${f(q.p5)}  p25 ${f(q.p25)}  median ${f(q.p50)}  p75 ${f(q.p75)}  p95 ${f(q.p95)}  max ${f(q.max)}`);
  }
  if (s.billsWithoutOldAmount > 0) out.push(`  bills with no previous amount (no % change): ${s.billsWithoutOldAmount}`);
  const most = Math.max(1, ...s.histogram.map((b) => b.bills));
  const labelWidth = Math.max(...s.histogram.map((b) => b.label.length));
  out.push('  distribution of the change per bill:');
  for (const b of s.histogram) {
    const bar = '#'.repeat(Math.round((b.bills / most) * 40));
    out.push(`    ${b.label.padEnd(labelWidth)} |${bar.padEnd(40)}| ${b.bills}`);
  }
  if (s.mostAffected.length > 0) {
    out.push('  most affected bills:');
    for (const a of s.mostAffected) {
      const kpd = a.kwhPerDay === null ? '' : `, ${a.kwhPerDay.toFixed(1)} kWh/day`;
      out.push(`    ${a.accountId} ${a.customerName} (${a.customerClass}, ${a.region}) ${a.period}${kpd}: ${money(a.oldMinor)} → ${money(a.newMinor)}  `
        + `${signed(money(a.changeMinor))} (${percentText(a.changePercent)})`);
      for (const line of a.lines) out.push(`      ${line.label}: ${money(line.oldMinor)} → ${money(line.newMinor)}  ${signed(money(line.newMinor - line.oldMinor))}`);
    }
  }
  return out.join('\n');
}
