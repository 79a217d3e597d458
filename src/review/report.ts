// The review report: one self-contained HTML file for reviewers and managers — summaries by rule,
// region and class, the ranked list with filters and sorting, and per account its kWh/day
// history with the flagged period marked, its reasons and its line items.
//
// Self-contained means no network: styles and the small script are inlined, charts are inline
// SVG, and a Content-Security-Policy forbids loading anything. Every text from the store goes
// through escapeHtml, and the script reads its data from escaped data-* attributes, so a name
// like "<script>" is shown as text. The list works without the script (no filters or sorting
// then); account details open through #links and the :target selector.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BILL_STATUSES } from '../../schemas/bill.js';
import { CUSTOMER_CLASSES } from '../../schemas/inputs.js';
import { readFlagNames } from '../../schemas/review.js';
import { addPeriods, periodFromKey, periodKey } from '../calendar/index.js';
import { svgBarChart, type Bar } from '../charts/index.js';
import { formatMinor } from '../money/index.js';
import { sourceDir, sqlStatements, writeFileAtomic, type Store } from '../store/index.js';
import { escapeHtml } from '../text/index.js';
import { htmlReport } from '../text/html-report.js';
import { HISTORY_PERIODS, historyScaleMax, levelHistory, levelLines } from './account.js';
import { queueItems, type ReviewItem } from './queue.js';
import { reviewStats, type ReviewStats, type RuleStats } from './stats.js';

const SQL = sqlStatements(import.meta.url, 'report.sql');

export interface GroupSummary {
  group: string;
  flagged: number;
  open: number;
  decided: number;
  confirmed: number;
  /** Amount still held, per currency. */
  heldMinor: Record<string, number>;
}

export interface AccountDetail {
  history: Bar[];
  /** The trusted baseline and an open level shift, one line each (account.ts levelLines). */
  level: string[];
  flags: { ruleId: string; severity: string; suppressed: boolean; score: number; reason: string }[];
  lineItems: { billVersion: number; label: string; unit: string; quantityMilli: number; rate: string; amountMinor: number }[];
}

export interface ReportData {
  period: string;
  generatedAt: string;
  billed: number;
  stats: ReviewStats;
  byRegion: GroupSummary[];
  byClass: GroupSummary[];
  /** The ranked list (at most `limit` accounts), highest score first. */
  items: ReviewItem[];
  details: Map<string, AccountDetail>;
}

export interface ReportOptions {
  /** Accounts listed and detailed (the highest scores); summaries always cover every flagged bill. */
  limit: number;
  now: Date;
}

async function reportData(store: Store, period: string, options: ReportOptions): Promise<ReportData> {
  const stats = await reviewStats(store, period, options.now);
  const key = periodKey(period);
  const items = await queueItems(store, { period, statuses: BILL_STATUSES, limit: options.limit }, options.now);
  const groups = async (by: 'region' | 'class') => {
    const summaries = new Map<string, GroupSummary>();
    for (const r of await store.rows(SQL['by-group']!, { by })) {
      const group = String(r.grp);
      const s = summaries.get(group) ?? { group, flagged: 0, open: 0, decided: 0, confirmed: 0, heldMinor: {} };
      s.flagged += Number(r.flagged);
      s.open += Number(r.open);
      s.decided += Number(r.decided);
      s.confirmed += Number(r.confirmed);
      if (Number(r.held_minor) !== 0) s.heldMinor[String(r.currency)] = Number(r.held_minor);
      summaries.set(group, s);
    }
    return [...summaries.values()];
  };

  await store.run(SQL.accounts!, { limit: options.limit });
  const details = new Map<string, AccountDetail>(items.map((i) => [i.account_id, { history: [], level: [], flags: [], lineItems: [] }]));
  const at = { period: key };
  const history = await store.rows(SQL.history!, { ...at, from: periodKey(addPeriods(period, 1 - HISTORY_PERIODS)) });
  for (const [accountId, detail] of details) {
    const own = new Map(history.filter((r) => r.account_id === accountId).map((r) => [periodFromKey(Number(r.period)), r.kpd]));
    detail.history = Array.from({ length: HISTORY_PERIODS }, (_, i) => {
      const p = addPeriods(period, i + 1 - HISTORY_PERIODS);
      const kpd = own.get(p);
      return { label: `${p.slice(5)}/${p.slice(2, 4)}`, value: kpd === undefined || kpd === null ? null : Number(kpd) / 1000, highlight: p === period };
    });
  }
  for (const r of await store.rows(SQL.keys!)) {
    const detail = details.get(String(r.account_id));
    if (detail) detail.level = levelLines(await levelHistory(store, Number(r.account_key), period), null);
  }
  for (const r of await store.rows(SQL.flags!, at)) {
    details.get(String(r.account_id))?.flags.push({
      ruleId: String(r.rule_id), severity: String(r.severity), suppressed: Boolean(r.suppressed), score: Number(r.score), reason: String(r.reason),
    });
  }
  for (const r of await store.rows(SQL['line-items']!, at)) {
    details.get(String(r.account_id))?.lineItems.push({
      billVersion: Number(r.bill_version), label: String(r.label), unit: String(r.unit), quantityMilli: Number(r.quantity_milli),
      rate: String(r.rate), amountMinor: Number(r.amount_minor),
    });
  }
  return {
    period,
    generatedAt: options.now.toISOString().slice(0, 16).replace('T', ' '),
    billed: Number((await store.rows(SQL.billed!, at))[0]!.bills),
    stats,
    byRegion: await groups('region'),
    byClass: await groups('class'),
    items,
    details,
  };
}

/** Writes the report through a temp file renamed into place; returns the number of accounts listed. */
export async function writeReport(store: Store, period: string, out: string, options: ReportOptions): Promise<number> {
  const data = await reportData(store, period, options);
  writeFileAtomic(out, renderReport(data));
  return data.items.length;
}

const asset = (name: string) => readFileSync(join(sourceDir(import.meta.url), name), 'utf8');
const h = escapeHtml;

/** 1234567.8 (minor units) → "1,234,567.80" in the currency's digits. */
function money(amountMinor: number, currency: string): string {
  const text = formatMinor(amountMinor, currency);
  const [whole = '', fraction] = text.replace('-', '').split('.');
  return `${text.startsWith('-') ? '-' : ''}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${fraction === undefined ? '' : `.${fraction}`}`;
}

function compact(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e9) return `${(n / 1e9).toFixed(1)}G`;
  if (a >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (a >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return n.toFixed(0);
}

const count = (n: number) => n.toLocaleString('en-US');
const kwhPerDay = (wh: number | null) => (wh === null ? '–' : (wh / 1000).toFixed(1));
const percent = (x: number | null) => (x === null ? '–' : `${(100 * x).toFixed(0)}%`);

/** kWh/day now against last month: "+35%", or "×12.0" for the large moves misreads make. */
function change(item: ReviewItem): { ratio: number | null; text: string } {
  if (item.kpd === null || item.prev_kpd === null || item.prev_kpd <= 0) return { ratio: null, text: '–' };
  const ratio = item.kpd / item.prev_kpd;
  if (ratio >= 10 || ratio < 0) return { ratio, text: `×${ratio.toFixed(1)}` };
  return { ratio, text: `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(0)}%` };
}

function table(headers: string[], rows: string[][], numeric: boolean[] = []): string {
  const cell = (tag: string, text: string, i: number) => `<${tag}${numeric[i] ? ' class="num"' : ''}>${text}</${tag}>`;
  return `<table><thead><tr>${headers.map((x, i) => cell('th', x, i)).join('')}</tr></thead>` +
    `<tbody>${rows.map((r) => `<tr>${r.map((x, i) => cell('td', x, i)).join('')}</tr>`).join('')}</tbody></table>`;
}

function ruleTable(stats: ReviewStats): string {
  const row = (s: RuleStats) => [h(s.rule), ...[s.flagged, s.notHeld, s.open, s.released, s.dismissed, s.corrected, s.escalated].map(count), percent(s.hitRate)];
  return table(['rule', 'flagged', 'not held', 'open', 'released', 'dismissed', 'corrected', 'escalated', 'hit rate'],
    [...stats.rules.map(row), row(stats.total)], [false, true, true, true, true, true, true, true, true]);
}

function groupTable(label: string, groups: GroupSummary[]): string {
  return table([label, 'flagged', 'open', 'decided', 'confirmed', 'amount held'], groups.map((g) => [
    h(g.group), count(g.flagged), count(g.open), count(g.decided), count(g.confirmed),
    h(Object.entries(g.heldMinor).map(([currency, minor]) => `${money(minor, currency)} ${currency}`).join(', ') || '–'),
  ]), [false, true, true, true, true, true]);
}

function options(values: readonly string[], all: string): string {
  return [`<option value="">${h(all)}</option>`, ...values.map((v) => `<option value="${h(v)}">${h(v)}</option>`)].join('');
}

function queueRow(item: ReviewItem): string {
  const c = change(item);
  const data = {
    account: item.account_id, name: item.name, status: item.status, rules: item.rules.join(' '), region: item.region,
    class: item.customer_class, score: String(item.score), amount: String(item.amount_minor), change: c.ratio === null ? '' : String(c.ratio),
  };
  const attributes = Object.entries(data).map(([k, v]) => ` data-${k}="${h(v)}"`).join('');
  const id = h(item.account_id);
  return `<tr${attributes}><td><a href="#acct-${id}">${id}</a></td><td>${h(item.name)}</td><td><span class="status ${h(item.status)}">${h(item.status)}</span></td>` +
    `<td class="num">${compact(item.score)}</td><td>${h(item.rules.join(', '))}</td><td>${h(item.region)}</td><td>${h(item.customer_class)}</td>` +
    `<td class="num">${kwhPerDay(item.kpd)}</td><td class="num">${c.text}</td><td class="num">${money(item.amount_minor, item.currency)}</td>` +
    `<td class="reason">${h(item.reason)}</td></tr>`;
}

function accountSection(item: ReviewItem, detail: AccountDetail, period: string): string {
  const scaleMax = historyScaleMax(detail.history.filter((b) => !b.highlight).map((b) => b.value), detail.history.find((b) => b.highlight)?.value ?? null);
  const chart = svgBarChart(detail.history, { title: `kWh per day, ${detail.history[0]?.label} to ${period} (flagged period marked)`, width: 560, height: 170, scaleMax });
  const id = h(item.account_id);
  const reasons = detail.flags.map((f) =>
    `<li class="${f.suppressed ? 'suppressed' : ''}"><b>${h(f.ruleId)}</b> <span class="severity">${h(f.severity)}${f.suppressed ? ', suppressed' : ''}</span> ` +
    `score ${compact(f.score)}: ${h(f.reason)}</li>`).join('');
  const items = (version: number) => table(['item', 'quantity', 'rate', 'amount'], detail.lineItems.filter((l) => l.billVersion === version).map((l) => [
    h(l.label), `${(l.quantityMilli / 1000).toLocaleString('en-US', { maximumFractionDigits: 3 })} ${h(l.unit)}`, h(l.rate), money(l.amountMinor, item.currency),
  ]), [false, true, true, true]);
  const corrected = item.status === 'corrected'
    ? `<h4>Re-bill (version ${item.current_version}): ${money(item.current_amount_minor, item.currency)} ${h(item.currency)}</h4>${items(item.current_version)}`
    : '';
  const decided = item.last_action
    ? `<p class="decision">Last decision: ${h(item.last_action)} by ${h(item.reviewer ?? '')} at ${h(item.decided_at ?? '')}: “${h(item.note ?? '')}”</p>` : '';
  const events = readFlagNames(item.read_flags);
  return `<article class="account" id="acct-${id}" data-account="${id}">` +
    `<p class="back"><a href="#queue">← back to the list</a></p>` +
    `<h3>${id} <span class="name">${h(item.name)}</span> <span class="status ${h(item.status)}">${h(item.status)}</span></h3>` +
    `<p class="meta">${h(item.address)} · ${h(item.customer_class)} · region ${h(item.region)} · tariff ${h(item.tariff_id)} · ` +
    `${h(item.start_date)} to ${h(item.end_date)} (${item.days} days) · ${kwhPerDay(item.kpd)} kWh/day · ` +
    `${money(item.amount_minor, item.currency)} ${h(item.currency)}${events.length ? ` · meter events: ${h(events.join(', '))}` : ''}</p>` +
    `<figure>${chart}</figure>` +
    `<h4>Why it was flagged</h4><ul class="reasons">${reasons || '<li>no flags</li>'}</ul>` +
    `<h4>Trusted baseline and level</h4><ul class="level">${detail.level.map((line) => `<li>${h(line)}</li>`).join('')}</ul>` +
    `${decided}<h4>Line items (version ${item.bill_version})</h4>${items(item.bill_version)}${corrected}</article>`;
}

function renderReport(data: ReportData): string {
  const { stats, items, period } = data;
  const naive = stats.naive;
  const rules = [...new Set(items.flatMap((i) => i.rules))].sort();
  const regions = [...new Set(items.map((i) => i.region))].sort();
  const total = stats.total;
  const shownNote = items.length < total.flagged ? ` (the ${items.length} highest scores of ${total.flagged})` : '';
  const header = `<h1>Second review — ${h(period)}</h1>
<p>${count(total.flagged)} of ${count(data.billed)} bills flagged: ${count(total.open)} held, ${count(total.escalated)} escalated, ` +
  `${count(total.released)} released, ${count(total.dismissed)} dismissed, ${count(total.corrected)} corrected` +
  `${total.notHeld ? `, ${count(total.notHeld)} flagged for information only (not held)` : ''}. Generated ${h(data.generatedAt)} UTC.</p>`;
  const main = `<section id="summary">
<h2>Summary</h2>
<h3>By rule</h3>
<p class="note">A bill flagged by several rules counts under each; the last row counts every bill once. Hit rate = (corrected + escalated) / decided.</p>
${ruleTable(stats)}
<p class="naive">The naive rule (kWh/day changed by more than 30% against last month or last year) would flag ${count(naive.naiveFlagged)} of ${count(naive.bills)} bills; ` +
  `the review rules held ${count(naive.rulesHeld)} (${count(naive.both)} of them also naive). Of ${count(naive.confirmed)} confirmed problems the naive rule flags ${count(naive.naiveConfirmed)}.</p>
<div class="groups"><div><h3>By region</h3>${groupTable('region', data.byRegion)}</div><div><h3>By class</h3>${groupTable('class', data.byClass)}</div></div>
</section>
<section id="queue">
<h2>Flagged accounts${h(shownNote)}</h2>
<form id="filters" onsubmit="return false">
<label>Status <select name="status"><option value="">all</option><option value="open" selected>open (held, escalated)</option>${BILL_STATUSES.map((s) => `<option value="${s}">${s}</option>`).join('')}</select></label>
<label>Rule <select name="rule">${options(rules, 'all')}</select></label>
<label>Region <select name="region">${options(regions, 'all')}</select></label>
<label>Class <select name="class">${options(CUSTOMER_CLASSES, 'all')}</select></label>
<label>Min score <input name="minScore" type="number" min="0" step="any"></label>
<label>Search <input name="search" type="search" placeholder="account or name"></label>
</form>
<p id="shown" aria-live="polite">${items.length} accounts</p>
<table id="queue-table">
<thead><tr>${[
    ['account', 'Account', 'text'], ['name', 'Name', 'text'], ['status', 'Status', 'text'], ['score', 'Score', 'number'], ['rules', 'Rules', 'text'],
    ['region', 'Region', 'text'], ['class', 'Class', 'text'], ['', 'kWh/day', ''], ['change', 'vs last month', 'number'], ['amount', 'Amount', 'number'],
    ['', 'Top reason', ''],
  ].map(([key, label, kind]) => (key ? `<th data-key="${key}" aria-sort="${key === 'score' ? 'descending' : 'none'}"><button type="button" data-sort="${key}" data-kind="${kind}">${label}</button></th>` : `<th>${label}</th>`)).join('')}</tr></thead>
<tbody>
${items.map(queueRow).join('\n')}
</tbody>
</table>
</section>
<section id="accounts">
<h2>Accounts</h2>
<p class="note">Choose an account in the list to see its history, reasons and line items.</p>
${items.map((i) => accountSection(i, data.details.get(i.account_id)!, period)).join('\n')}
</section>`;
  return htmlReport({ title: `Second review ${period}`, style: asset('report.css'), header, main, script: asset('report.client.js') });
}
