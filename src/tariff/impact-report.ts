// The impact of a price change as one self-contained HTML file (`tariff simulate --out FILE.html`):
// the same figures as the text and JSON forms, with revenue per month under the stored and the
// proposed policy as a chart. Nothing is fetched or run (a Content-Security-Policy forbids it);
// every text is escaped, names of customers and labels of tariffs included.
import { svgPairedBarChart } from '../charts/index.js';
import { formatMinor, minorDigits } from '../money/index.js';
import { htmlReport } from '../text/html-report.js';
import { escapeHtml as h } from '../text/index.js';
import { percentText, untrustedText, type GroupImpact, type ImpactSummary } from './impact.js';

export interface ImpactReportContext {
  tariffId: string;
  storedRevision: number;
  proposedFile: string;
  /** ISO timestamp. */
  generatedAt: string;
}

const CSS = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5rem auto; max-width: 1100px; padding: 0 1rem; color: #222; }
h1 { font-size: 1.35rem; } h2 { font-size: 1.1rem; margin-top: 1.8rem; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { padding: .2rem .6rem; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; white-space: nowrap; }
td.name { white-space: normal; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.up { color: #a52a2a; } .down { color: #2e7d32; }
.note { background: #fff6e0; border-left: 4px solid #e0a800; padding: .4rem .7rem; }
ul.lines { margin: 0; padding-left: 1rem; }
`;

export function renderImpactHtml(s: ImpactSummary, context: ImpactReportContext): string {
  const money = (minor: number): string => formatMinor(minor, s.currency);
  const signed = (minor: number): string => (minor > 0 ? `+${money(minor)}` : money(minor));
  const cls = (minor: number): string => (minor > 0 ? 'up' : minor < 0 ? 'down' : '');
  const range = s.from === s.to ? (s.from ?? '') : `${s.from} to ${s.to}`;
  const scale = 10 ** (minorDigits(s.currency) ?? 2);
  const chart = svgPairedBarChart(s.byMonth.map((m) => ({ label: m.key, first: m.oldMinor / scale, second: m.newMinor / scale })), {
    title: `Revenue per month (${s.currency}), stored and proposed policy`,
    legend: [`stored (revision ${context.storedRevision})`, 'proposed'],
    width: Math.max(360, Math.min(1000, s.byMonth.length * 80)),
    format: (v) => v.toLocaleString('en-US', { maximumFractionDigits: 0 }),
  });
  const groupTable = (title: string, id: string, groups: GroupImpact[]): string => `
<h2>${h(title)}</h2>
<table id="${id}">
<thead><tr><th></th><th class="n">bills</th><th class="n">stored</th><th class="n">proposed</th><th class="n">change</th><th class="n">%</th>` +
    `<th class="n">median per bill</th><th class="n">up / down / same</th></tr></thead>
<tbody>${groups.map((g) => `<tr data-key="${h(g.key)}"><th>${h(g.key)}</th><td class="n">${g.bills}</td><td class="n">${money(g.oldMinor)}</td>` +
    `<td class="n">${money(g.newMinor)}</td><td class="n ${cls(g.changeMinor)}">${signed(g.changeMinor)}</td><td class="n">${percentText(g.changePercent)}</td>` +
    `<td class="n">${signed(g.medianChangeMinor)}</td><td class="n">${g.increased} / ${g.decreased} / ${g.unchanged}</td></tr>`).join('\n')}</tbody>
</table>`;
  const p = s.changeMinorPercentiles;
  const header = `<h1>Impact of ${h(context.proposedFile)} on ${h(context.tariffId)}, ${h(range)}</h1>
<p>Against revision ${context.storedRevision} in the store; generated ${h(context.generatedAt.slice(0, 16).replace('T', ' '))} UTC.</p>`;
  const main = `<section id="summary">
<p id="total">${s.bills} ${s.untrusted.included ? '' : 'trusted '}bills of ${s.accounts} accounts: ` +
    `<b>${money(s.oldMinor)} → ${money(s.newMinor)} ${h(s.currency)}</b>, change <b class="${cls(s.changeMinor)}">${signed(s.changeMinor)}</b> (${percentText(s.changePercent)}).</p>
${s.untrusted.bills > 0 ? `<p class="note" id="untrusted">${h(untrustedText(s.untrusted, money))}</p>` : ''}
<figure id="revenue-chart">${chart}</figure>
</section>
${groupTable('By month', 'by-month', s.byMonth)}
${groupTable('By customer class', 'by-class', s.byClass)}
${groupTable('By region', 'by-region', s.byRegion)}
<h2>Change per bill</h2>
${p ? `<p>${h(s.currency)}: min ${signed(p.min)}, p5 ${signed(p.p5)}, p25 ${signed(p.p25)}, median ${signed(p.p50)}, p75 ${signed(p.p75)}, ` +
    `p95 ${signed(p.p95)}, max ${signed(p.max)}.${s.billsWithoutOldAmount ? ` ${s.billsWithoutOldAmount} bills had no previous amount.` : ''}</p>` : '<p>No bills.</p>'}
<table id="histogram"><thead><tr><th>change</th><th class="n">bills</th></tr></thead>
<tbody>${s.histogram.map((b) => `<tr><td>${h(b.label)}</td><td class="n">${b.bills}</td></tr>`).join('')}</tbody></table>
<h2>Most affected bills</h2>
<table id="most-affected">
<thead><tr><th>account</th><th>customer</th><th>class, region</th><th>period</th><th class="n">kWh/day</th><th class="n">stored</th>` +
    `<th class="n">proposed</th><th class="n">change</th><th>line items that moved</th></tr></thead>
<tbody>${s.mostAffected.map((a) => `<tr data-account="${h(a.accountId)}"><td>${h(a.accountId)}</td><td class="name">${h(a.customerName)}</td>` +
    `<td>${h(a.customerClass)}, ${h(a.region)}</td><td>${h(a.period)}</td><td class="n">${a.kwhPerDay === null ? '' : a.kwhPerDay.toFixed(1)}</td>` +
    `<td class="n">${money(a.oldMinor)}</td><td class="n">${money(a.newMinor)}</td><td class="n ${cls(a.changeMinor)}">${signed(a.changeMinor)} (${percentText(a.changePercent)})</td>` +
    `<td><ul class="lines">${a.lines.map((l) => `<li>${h(l.label)}: ${money(l.oldMinor)} → ${money(l.newMinor)}</li>`).join('')}</ul></td></tr>`).join('\n')}</tbody>
</table>`;
  return htmlReport({ title: `Impact of ${context.tariffId} ${range}`, style: CSS, header, main });
}
