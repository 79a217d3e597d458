// The plain-text statement: 78 columns for line printers, terminals and text-only e-mail.
// Columns are padded by display width (a Chinese character takes two cells), and control
// characters in data are replaced so a name cannot drive the printer or the terminal.
import type { MeterRead, MeterReads, Statement, UsagePoint, WhyChanged } from '../../schemas/statement.js';
import { textBarChart } from '../charts/index.js';
import { minorDigits } from '../money/index.js';
import { withoutControlCharacters as clean } from '../text/index.js';
import { formatAmount, formatMilli, formatMilliFixed, formatMoney, formatPercent, LABELS, type Labels } from './locale.js';
import { chargeQuantity, chargeRate, readDecimals, registerQuantity } from './render-shared.js';

const WIDTH = 78;
/** East Asian wide characters (Hangul Jamo, CJK, Hangul syllables, full-width forms) take two cells. */
function isWide(code: number): boolean {
  return (code >= 0x1100 && code <= 0x115f) || (code >= 0x2e80 && code <= 0x303e) || (code >= 0x3041 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) || (code >= 0xf900 && code <= 0xfaff) || (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) || (code >= 0xffe0 && code <= 0xffe6);
}

/** Terminal cells of `text`: two for East Asian wide characters, one for the rest. */
export function displayWidth(text: string): number {
  let width = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x1100 && isWide(code)) width++;
  }
  return width;
}

function pad(text: string, width: number, right = false): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return right ? fill + text : text + fill;
}

// Paragraphs every statement of a run repeats (payment instructions, the utility's contact).
const wrapped = new Map<string, string[]>();

function wrapOnce(text: string): string[] {
  let lines = wrapped.get(text);
  if (!lines) {
    lines = wrap(text, WIDTH);
    if (wrapped.size < 1_000) wrapped.set(text, lines);
  }
  return lines;
}

/** Greedy wrap at spaces, or between any two wide characters. */
function wrap(text: string, width: number): string[] {
  const tokens = clean(text).match(/[\u2e80-\u9fff\uac00-\ud7a3\uff00-\uffef]|[^\s\u2e80-\u9fff\uac00-\ud7a3\uff00-\uffef]+|\s+/g) ?? [];
  const lines: string[] = [];
  let line = '';
  let used = 0;
  for (const token of tokens) {
    if (token.charCodeAt(0) <= 32 && token.trim() === '') {
      if (line) {
        line += ' ';
        used++;
      }
      continue;
    }
    const cells = displayWidth(token);
    if (line && used + cells > width) {
      lines.push(line.trimEnd());
      line = '';
      used = 0;
    }
    line += token;
    used += cells;
  }
  if (line.trim()) lines.push(line.trimEnd());
  return lines;
}

interface Column {
  header: string;
  right?: boolean;
  /** The column that wraps when the table is wider than the page. */
  flex?: boolean;
}

function table(columns: Column[], rows: string[][]): string[] {
  const widths = columns.map((c, i) => Math.max(displayWidth(c.header), ...rows.map((r) => displayWidth(r[i] ?? ''))));
  const flex = columns.findIndex((c) => c.flex);
  const total = widths.reduce((a, b) => a + b, 0) + 2 * (columns.length - 1);
  if (flex >= 0 && total > WIDTH) widths[flex] = Math.max(12, widths[flex]! - (total - WIDTH));
  const line = (cells: string[]) => cells.map((cell, i) => pad(cell, widths[i]!, columns[i]!.right)).join('  ').trimEnd();
  const out = [line(columns.map((c) => c.header)), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const row of rows) {
    const wrapped = flex >= 0 ? wrap(row[flex] ?? '', widths[flex]!) : [];
    out.push(line(row.map((cell, i) => (i === flex ? wrapped[0] ?? '' : cell))));
    for (const more of wrapped.slice(1)) out.push(line(row.map((_, i) => (i === flex ? more : ''))));
  }
  return out;
}

function heading(text: string): string[] {
  return ['', text, '='.repeat(Math.min(WIDTH, displayWidth(text)))];
}

export function renderText(s: Statement): string {
  const t = LABELS[s.locale];
  const currency = s.bill.currency;
  const digits = minorDigits(currency) ?? 2;
  const unit = t.currencyUnit(currency);
  const u = s.utility;
  const out: string[] = [];

  const left = [clean(u.name), ...u.address.map(clean)];
  const right = [t.title, `${t.billingPeriod}${t.colon}${t.monthLong(s.bill.period)}`,
    `${t.amountDue}${t.colon}${formatMoney(s.bill.amountMinor, currency)}`, t.dueBy(t.date(s.bill.dueDate))];
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const l = left[i] ?? '';
    const r = right[i] ?? '';
    out.push(`${pad(l, WIDTH - displayWidth(r) - 2)}  ${r}`.trimEnd());
  }
  out.push('-'.repeat(WIDTH));
  if (s.draft) out.push(`*** ${t.draftBanner} ***`);
  if (s.bill.correction) out.push(...wrap(t.correction(formatMoney(s.bill.correction.replacedAmountMinor, currency)), WIDTH));
  if (s.meterExchange) {
    const x = s.meterExchange;
    out.push(...wrap(t.meterExchange(t.date(x.date), clean(x.removedMeterId), clean(x.installedMeterId)), WIDTH));
  }
  if (s.bill.readFlags.includes('estimatedClose')) out.push(...wrap(t.estimatedRead, WIDTH));
  const statusNote = t.statusNote[s.bill.status];
  if (statusNote) out.push(statusNote);

  const facts: [string, string][] = [
    [t.account, clean(s.account.id)],
    [t.customer, clean(s.account.name)],
    [t.serviceAddress, clean(s.account.serviceAddress)],
    [t.customerClass, t.classes[s.account.customerClass]],
    [t.tariff, clean(s.tariff.name)],
    [t.billingPeriod, t.servicePeriod(t.date(s.service.from), t.date(s.service.to), s.service.days)],
  ];
  const factWidth = Math.max(...facts.map(([k]) => displayWidth(k))) + 2;
  out.push('');
  for (const [key, value] of facts) out.push(...wrap(value, WIDTH - factWidth).map((line, i) => `${pad(i === 0 ? key : '', factWidth)}${line}`));

  out.push(...heading(t.usageTitle), t.chartTitle);
  const last = s.usage.length - 1;
  out.push(...textBarChart(s.usage.map((p, i) => ({ label: p.period, value: p.whPerDay === null ? null : p.whPerDay / 1000, highlight: i === last })),
    { width: 40, format: (v) => v.toFixed(1), gapText: `(${t.noBill})` }));
  out.push('', ...comparison(s, t, unit), t.comparison.note);
  if (s.whyChanged) out.push(...whyChangedBox(s.whyChanged, s, t, unit));

  out.push(...heading(t.readsTitle));
  for (const meter of s.meters) out.push(...meterReads(meter, t));
  if (s.intervals) out.push(...wrap(t.intervalCounts(s.intervals), WIDTH));
  const c = s.consumption;
  const summary = [`${t.totalKwh} ${formatMilli(c.kwhMilli, 3)} ${t.units.kWh}`];
  if (c.whPerDay !== null) summary.push(`${t.kwhPerDay} ${formatMilliFixed(c.whPerDay, 2)} ${t.units.kWh}`);
  if (c.demandMilli !== null) summary.push(`${t.maxDemand} ${formatMilli(c.demandMilli, 3)} ${t.units.kW}`);
  if (c.kvarhMilli !== null) summary.push(`${t.reactive} ${formatMilli(c.kvarhMilli, 3)} ${t.units.kvarh}`);
  if (c.powerFactor !== null) summary.push(`${t.powerFactor} ${c.powerFactor}`);
  out.push(...wrap(summary.join(' · '), WIDTH));

  out.push(...heading(t.chargesTitle));
  const chargeRows = s.lineItems.map((item) => [clean(item.label), chargeQuantity(t, item, currency, digits),
    chargeRate(t, item, currency, unit), formatAmount(item.amountMinor, currency)]);
  const totals: [string, string][] = [[t.total, formatMoney(s.bill.amountMinor, currency)]];
  if (s.bill.taxIncludedMinor > 0) totals.push([t.ofWhichTax, formatMoney(s.bill.taxIncludedMinor, currency)]);
  const charges = table([{ header: t.charges.item, flex: true }, { header: t.charges.quantity, right: true }, { header: t.charges.rate, right: true },
    { header: t.charges.amount(unit), right: true }], [...chargeRows, ...totals.map(([k, v]) => [k, '', '', v])]);
  charges.splice(charges.length - totals.length, 0, charges[1]!);
  out.push(...charges);

  out.push(...heading(t.howToPay), ...wrapOnce(u.paymentInstructions));
  out.push('', '-'.repeat(WIDTH));
  const contact = [u.phone, u.email, u.website].filter((x): x is string => x !== null).map(clean).join(' · ');
  out.push(...wrapOnce(`${clean(u.name)} · ${t.contact}${t.colon}${contact}${u.taxId ? ` · ${t.taxId}${t.colon}${clean(u.taxId)}` : ''}`));
  return `${out.join('\n')}\n`;
}

/** The waterfall from the earlier bill to this one, then the customer text. */
function whyChangedBox(w: WhyChanged, s: Statement, t: Labels, unit: string): string[] {
  const currency = s.bill.currency;
  const signed = (minor: number) => `${minor > 0 ? '+' : ''}${formatAmount(minor, currency)}`;
  const earlier = w.against === 'last_month' ? t.previousMonth : t.sameMonthLastYear;
  const rows = [
    [`${earlier} (${t.month(w.comparedPeriod)})`, formatAmount(w.previousAmountMinor, currency)],
    ...w.causes.map((c) => [`  ${c.label}`, signed(c.amountMinor)]),
    [`${t.thisPeriod} (${t.month(s.bill.period)})`, formatAmount(s.bill.amountMinor, currency)],
  ];
  return [...heading(t.whyChangedTitle), ...table([{ header: '', flex: true }, { header: t.comparison.amount(unit), right: true }], rows),
    ...wrap(clean(w.text), WIDTH), t.whyChangedNote];
}

function comparison(s: Statement, t: Labels, unit: string): string[] {
  const c = s.comparison;
  const row = (name: string, p: UsagePoint | null, change: number | null, period: string): string[] => {
    if (!p) return [name, t.month(period), '', '', t.noBill, '', ''];
    return [name, t.month(p.period), p.days === null ? '' : String(p.days), p.kwhMilli === null ? '' : formatMilli(p.kwhMilli, 0),
      p.whPerDay === null ? '' : formatMilliFixed(p.whPerDay, 2), p.amountMinor === null ? '' : formatAmount(p.amountMinor, s.bill.currency),
      change === null ? '' : formatPercent(change)];
  };
  return table([{ header: '', flex: true }, { header: t.comparison.period }, { header: t.comparison.days, right: true }, { header: t.comparison.kwh, right: true },
    { header: t.comparison.kwhPerDay, right: true }, { header: t.comparison.amount(unit), right: true }, { header: t.comparison.change, right: true }], [
    row(t.thisPeriod, c.current, null, c.current.period),
    row(t.previousMonth, c.previousMonth, c.changeVsPreviousMonthPercent, s.usage[s.usage.length - 2]!.period),
    row(t.sameMonthLastYear, c.sameMonthLastYear, c.changeVsLastYearPercent, s.usage[0]!.period),
  ]);
}

/**
 * One meter's reads: the read dates in a line above the registers (one meter is read at once),
 * and a register's own date only where it differs from the meter's.
 */
function meterReads(meter: MeterReads, t: Labels): string[] {
  const first = meter.registers.find((r) => r.opening) ?? meter.registers[0]!;
  const when = (x: MeterRead) => `${t.date(x.date)} ${t.readTypes[x.readType]}`;
  const title = `${t.reads.meter} ${clean(meter.meterId)}${meter.role === 'removed' ? ` (${t.removedMeter})` : ''} · ` +
    `${t.reads.multiplier} ${meter.multiplier} · ${first.opening ? `${when(first.opening)} → ` : ''}${when(first.closing)}`;
  const value = (x: MeterRead | null, reference: MeterRead | null, decimals: number) => {
    if (!x) return '';
    const text = formatMilliFixed(x.valueMilli, decimals, false);
    return reference && x.date === reference.date && x.readType === reference.readType ? text : `${text} (${when(x)})`;
  };
  const rows = meter.registers.map((r) => {
    const decimals = readDecimals(r);
    return [t.registers[r.register], value(r.opening, first.opening, decimals), value(r.closing, first.closing, decimals), registerQuantity(t, r)];
  });
  return ['', ...wrap(title, WIDTH), ...table([{ header: t.reads.register }, { header: t.reads.previous, right: true },
    { header: t.reads.current, right: true }, { header: t.reads.consumption, right: true }], rows)];
}
