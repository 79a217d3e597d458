// The HTML statement: one self-contained page (inline CSS and SVG, no scripts, no external
// assets) that prints on A4 and opens in any mail client or browser. Every string that comes
// from data (utility config, account master, tariff labels, meter ids) is escaped; the wording
// from locale.ts is ours. The usage chart comes first: customers look at it before the numbers.
import type { MeterRead, Statement, UsagePoint, WhyChanged } from '../../schemas/statement.js';
import type { StatementLocale } from '../../schemas/utility.js';
import { compactSvgBarChart } from '../charts/index.js';
import { minorDigits } from '../money/index.js';
import { escapeHtml } from '../text/index.js';
import { formatAmount, formatMilli, formatMilliFixed, formatMoney, formatPercent, LABELS, type Labels } from './locale.js';
import { chargeQuantity, chargeRate, readDecimals, registerQuantity } from './render-shared.js';

// Numbers align right by column position (the first cells of a row are labels), so no cell
// needs a class: a statement is made millions of times and every byte is written to disk.
const CSS = 'body{margin:0;background:#eef1f5;color:#1d2733;font:14px/1.45 "Noto Sans","Noto Sans CJK SC","PingFang SC",' +
  '"Microsoft YaHei",Arial,sans-serif}main{max-width:780px;margin:16px auto;background:#fff;padding:24px 32px}' +
  'header{display:flex;justify-content:space-between;gap:24px;border-bottom:3px solid #1f5fa8;padding-bottom:12px}' +
  'h1,h3{color:#1f5fa8}h1{font-size:19px;margin:0}h2{font-size:16px;margin:0}h3{font-size:15px;margin:20px 0 8px;' +
  'border-bottom:1px solid #d5dde8}p{margin:4px 0}.u,dt,th,small{color:#5b6b7d}.d{background:#f3f7fc;border:1px solid #c9d8ec;' +
  'padding:8px 14px;text-align:right;min-width:210px}.d span{display:block}.d b{display:block;font-size:26px;line-height:1.2}' +
  '.o{padding:7px 12px;margin:10px 0;background:#fff7e0;border:1px solid #f0d48a}.x{background:#fde8e8;color:#9b1c1c;' +
  'font-weight:bold;text-align:center}dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px}dd{margin:0}' +
  'table{width:100%;border-collapse:collapse;font-size:13px}th,td{padding:4px 6px;border-bottom:1px solid #e3e8ef;' +
  'text-align:left;vertical-align:top}td+td+td,th+th+th,.m td+td,.m th+th{text-align:right;white-space:nowrap}' +
  'tfoot td{font-weight:bold;border-top:2px solid #1d2733}tfoot .s td{font-weight:normal;border:0;color:#5b6b7d}' +
  'svg{display:block;width:100%;height:auto}footer{margin-top:22px;font-size:12px;color:#5b6b7d;border-top:1px solid #d5dde8;' +
  'padding-top:8px}.w table{max-width:460px}.w tbody tr+tr td:first-child{padding-left:18px}@media print{body{background:#fff}main{margin:0;max-width:none}}';

const HEAD = (t: Labels) => `<!DOCTYPE html>\n<html lang="${t.htmlLang}"><head><meta charset="utf-8">` +
  `<meta name="viewport" content="width=device-width,initial-scale=1"><style>${CSS}</style>`;

/** The parts every statement of a locale and utility repeats, made once per run. */
interface FixedParts {
  head: string;
  utility: string;
  tail: string;
}

const fixedParts = new WeakMap<Statement['utility'], Partial<Record<StatementLocale, FixedParts>>>();

function fixed(u: Statement['utility'], t: Labels): FixedParts {
  let byLocale = fixedParts.get(u);
  if (!byLocale) fixedParts.set(u, (byLocale = {}));
  let parts = byLocale[t.locale];
  if (!parts) {
    const contact = [u.phone, u.email, u.website].filter((x): x is string => x !== null).map(escapeHtml).join(' · ');
    parts = byLocale[t.locale] = {
      head: HEAD(t),
      utility: `<header><div><h1>${escapeHtml(u.name)}</h1><p class="u">${u.address.map(escapeHtml).join('<br>')}</p></div>`,
      tail: `<section><h3>${t.howToPay}</h3><p>${escapeHtml(u.paymentInstructions)}</p></section>` +
        `<footer>${escapeHtml(u.name)} · ${t.contact}${t.colon}${contact}${u.taxId ? ` · ${t.taxId}${t.colon}${escapeHtml(u.taxId)}` : ''}</footer>` +
        '</main></body></html>\n',
    };
  }
  return parts;
}

export function renderHtml(s: Statement): string {
  const t = LABELS[s.locale];
  const e = escapeHtml;
  const currency = s.bill.currency;
  const digits = minorDigits(currency) ?? 2;
  const unit = t.currencyUnit(currency);
  const parts = fixed(s.utility, t);

  let html = `${parts.head}<title>${t.title} · ${e(s.account.id)} · ${t.monthLong(s.bill.period)}</title></head><body><main>` +
    `${parts.utility}<div class="d"><h2>${t.title}</h2><span>${t.billingPeriod}${t.colon}${t.monthLong(s.bill.period)}</span>` +
    `<span class="u">${t.amountDue}</span><b>${formatMoney(s.bill.amountMinor, currency)}</b>` +
    `<span>${t.dueBy(t.date(s.bill.dueDate))}</span></div></header>`;

  if (s.draft) html += `<p class="o x">${t.draftBanner}</p>`;
  if (s.bill.correction) html += `<p class="o">${t.correction(formatMoney(s.bill.correction.replacedAmountMinor, currency))}</p>`;
  if (s.meterExchange) {
    const x = s.meterExchange;
    html += `<p class="o">${t.meterExchange(t.date(x.date), escapeHtml(x.removedMeterId), escapeHtml(x.installedMeterId))}</p>`;
  }
  if (s.bill.readFlags.includes('estimatedClose')) html += `<p class="o">${t.estimatedRead}</p>`;
  const statusNote = t.statusNote[s.bill.status];
  if (statusNote) html += `<p class="u">${statusNote}</p>`;

  const service = t.servicePeriod(t.date(s.service.from), t.date(s.service.to), s.service.days);
  html += `<dl><dt>${t.account}</dt><dd>${escapeHtml(s.account.id)}</dd><dt>${t.customer}</dt><dd>${escapeHtml(s.account.name)}</dd>` +
    `<dt>${t.serviceAddress}</dt><dd>${escapeHtml(s.account.serviceAddress)}</dd>` +
    `<dt>${t.customerClass}</dt><dd>${t.classes[s.account.customerClass]}</dd>` +
    `<dt>${t.tariff}</dt><dd>${e(s.tariff.name)}</dd><dt>${t.billingPeriod}</dt><dd>${service}</dd></dl>`;

  html += `<section><h3>${t.usageTitle}</h3>${usageChart(s, t)}${comparisonTable(s, t, unit)}</section>`;
  if (s.whyChanged) html += whyChangedBox(s.whyChanged, s, t, unit);
  html += `<section><h3>${t.readsTitle}</h3>${readsTable(s, t, e)}${s.intervals ? `<p class="o">${t.intervalCounts(s.intervals)}</p>` : ''}` +
    `${consumptionLine(s, t)}</section>`;

  html += `<section><h3>${t.chargesTitle}</h3><table class="m"><thead><tr><th>${t.charges.item}</th><th>${t.charges.quantity}</th>` +
    `<th>${t.charges.rate}</th><th>${t.charges.amount(unit)}</th></tr></thead><tbody>`;
  for (const item of s.lineItems) {
    html += `<tr><td>${e(item.label)}</td><td>${e(chargeQuantity(t, item, currency, digits))}</td>` +
      `<td>${e(chargeRate(t, item, currency, unit))}</td><td>${formatAmount(item.amountMinor, currency)}</td></tr>`;
  }
  html += `</tbody><tfoot><tr><td colspan="3">${t.total}</td><td>${formatMoney(s.bill.amountMinor, currency)}</td></tr>`;
  if (s.bill.taxIncludedMinor > 0) {
    html += `<tr class="s"><td colspan="3">${t.ofWhichTax}</td><td>${formatMoney(s.bill.taxIncludedMinor, currency)}</td></tr>`;
  }
  html += '</tfoot></table></section>';

  html += parts.tail;
  return html;
}

/** The waterfall from the earlier bill to this one, then the customer text. */
function whyChangedBox(w: WhyChanged, s: Statement, t: Labels, unit: string): string {
  const currency = s.bill.currency;
  const signed = (minor: number) => `${minor > 0 ? '+' : ''}${formatAmount(minor, currency)}`;
  const earlier = w.against === 'last_month' ? t.previousMonth : t.sameMonthLastYear;
  let html = `<section class="w"><h3>${t.whyChangedTitle}</h3><table class="m"><thead><tr><th></th><th>${t.comparison.amount(unit)}</th></tr></thead><tbody>` +
    `<tr><td>${earlier} (${t.month(w.comparedPeriod)})</td><td>${formatAmount(w.previousAmountMinor, currency)}</td></tr>`;
  for (const c of w.causes) html += `<tr><td>${escapeHtml(c.label)}</td><td>${signed(c.amountMinor)}</td></tr>`;
  html += `</tbody><tfoot><tr><td>${t.thisPeriod} (${t.month(s.bill.period)})</td><td>${formatAmount(s.bill.amountMinor, currency)}</td></tr></tfoot></table>` +
    `<p>${escapeHtml(w.text)}</p><p class="u">${t.whyChangedNote}</p></section>`;
  return html;
}

function usageChart(s: Statement, t: Labels): string {
  const last = s.usage.length - 1;
  const bars = s.usage.map((p, i) => ({ label: t.month(p.period), value: p.whPerDay === null ? null : p.whPerDay / 1000, highlight: i === last }));
  return compactSvgBarChart(bars, { title: t.chartTitle, width: 716, height: 190, format: (v) => v.toFixed(1) });
}

function comparisonTable(s: Statement, t: Labels, unit: string): string {
  const c = s.comparison;
  const currency = s.bill.currency;
  const row = (name: string, p: UsagePoint | null, change: number | null, period: string) => {
    if (!p) return `<tr><td>${name}</td><td>${t.month(period)}</td><td colspan="5">${t.noBill}</td></tr>`;
    return `<tr><td>${name}</td><td>${t.month(p.period)}</td><td>${p.days ?? ''}</td>` +
      `<td>${p.kwhMilli === null ? '' : formatMilli(p.kwhMilli, 0)}</td><td>${p.whPerDay === null ? '' : formatMilliFixed(p.whPerDay, 2)}</td>` +
      `<td>${p.amountMinor === null ? '' : formatAmount(p.amountMinor, currency)}</td><td>${change === null ? '' : formatPercent(change)}</td></tr>`;
  };
  return `<table><thead><tr><th></th><th>${t.comparison.period}</th><th>${t.comparison.days}</th><th>${t.comparison.kwh}</th>` +
    `<th>${t.comparison.kwhPerDay}</th><th>${t.comparison.amount(unit)}</th><th>${t.comparison.change}</th></tr></thead><tbody>` +
    row(t.thisPeriod, c.current, null, c.current.period) +
    row(t.previousMonth, c.previousMonth, c.changeVsPreviousMonthPercent, s.usage[s.usage.length - 2]!.period) +
    row(t.sameMonthLastYear, c.sameMonthLastYear, c.changeVsLastYearPercent, s.usage[0]!.period) +
    `</tbody></table><p><small>${t.comparison.note}</small></p>`;
}

function readsTable(s: Statement, t: Labels, e: (text: string) => string): string {
  let html = `<table><thead><tr><th>${t.reads.meter}</th><th>${t.reads.register}</th><th>${t.reads.previous}</th>` +
    `<th>${t.reads.current}</th><th>${t.reads.multiplier}</th><th>${t.reads.consumption}</th></tr></thead><tbody>`;
  for (const meter of s.meters) {
    // The meter's own cells on its first register only; empty cells keep the columns in place.
    const id = `${e(meter.meterId)}${meter.role === 'removed' ? `<br><small>${t.removedMeter}</small>` : ''}`;
    meter.registers.forEach((r, k) => {
      const decimals = readDecimals(r);
      const read = (x: MeterRead) => `${formatMilliFixed(x.valueMilli, decimals, false)}<br><small>${t.date(x.date)} · ${t.readTypes[x.readType]}</small>`;
      html += `<tr><td>${k === 0 ? id : ''}</td><td>${t.registers[r.register]}</td><td>${r.opening ? read(r.opening) : ''}</td>` +
        `<td>${read(r.closing)}</td><td>${k === 0 ? e(meter.multiplier) : ''}</td><td>${registerQuantity(t, r)}</td></tr>`;
    });
  }
  return `${html}</tbody></table>`;
}

function consumptionLine(s: Statement, t: Labels): string {
  const c = s.consumption;
  const parts = [`${t.totalKwh} <b>${formatMilli(c.kwhMilli, 3)} ${t.units.kWh}</b>`];
  if (c.whPerDay !== null) parts.push(`${t.kwhPerDay} ${formatMilliFixed(c.whPerDay, 2)} ${t.units.kWh}`);
  if (c.demandMilli !== null) parts.push(`${t.maxDemand} ${formatMilli(c.demandMilli, 3)} ${t.units.kW}`);
  if (c.kvarhMilli !== null) parts.push(`${t.reactive} ${formatMilli(c.kvarhMilli, 3)} ${t.units.kvarh}`);
  if (c.powerFactor !== null) parts.push(`${t.powerFactor} ${c.powerFactor}`);
  return `<p>${parts.join(' · ')}</p>`;
}
