// The desk's pages, rendered on the server with the escaping template of html.ts. Pages carry no
// inline script or style (the Content-Security-Policy forbids both); desk.js adds the keyboard
// triage on top of plain links and forms, so every page also works without it.
import { readFlagNames } from '../../schemas/review.js';
import { svgBarChart } from '../charts/index.js';
import { formatMinor } from '../money/index.js';
import { historyScaleMax, levelLines, REVIEW_ACTIONS, type AccountReview, type PageFilter, type QueuePage, type ReviewStats } from '../review/index.js';
import { html, trusted, type Html } from './html.js';
import type { DeskUser } from './users.js';

export function money(minor: number, currency: string): string {
  const text = formatMinor(minor, currency);
  const [whole = '', fraction] = text.replace('-', '').split('.');
  return `${text.startsWith('-') ? '-' : ''}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${fraction === undefined ? '' : `.${fraction}`}`;
}
const kwhPerDay = (wh: number | null) => (wh === null ? '–' : (wh / 1000).toFixed(1));
const milli = (x: number | null) => (x === null ? '–' : (x / 1000).toLocaleString('en-US', { maximumFractionDigits: 3 }));
const compact = (x: number) => (x >= 1e6 ? `${(x / 1e6).toFixed(1)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(0));
const change = (now: number | null, before: number | null) => {
  if (now === null || !before) return '–';
  const ratio = now / before;
  return ratio >= 10 || ratio < 0 ? `×${ratio.toFixed(1)}` : `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(0)}%`;
};

export interface PageContext {
  user: DeskUser | null;
  csrf: string;
  title: string;
}

export function layout(ctx: PageContext, body: Html, bodyClass = ''): string {
  const nav = ctx.user === null ? '' : html`<nav>
    ${ctx.user.role === 'agent' ? html`<a href="/lookup">Look up an account</a>` : html`<a href="/queue">Queue</a>
    ${ctx.user.role === 'supervisor' ? html`<a href="/queue?status=escalated">Escalations</a><a href="/runs">Bill runs</a><a href="/audit">Audit</a>` : ''}
    <a href="/stats">Stats</a><a href="/lookup">Look up</a>`}
    <span class="who">${ctx.user.name} (${ctx.user.role})</span>
    <form method="post" action="/logout" class="inline"><input type="hidden" name="_csrf" value="${ctx.csrf}"><button>Sign out</button></form>
  </nav>`;
  return '<!doctype html>' + html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<meta name="csrf-token" content="${ctx.csrf}"><title>${ctx.title} · billrun desk</title><link rel="stylesheet" href="/assets/desk.css">
<script src="/assets/desk.js" defer></script></head>
<body class="${bodyClass}"><header><a class="brand" href="/">billrun desk</a>${nav}</header><main>${body}</main>
<div id="toast" role="status" aria-live="polite"></div></body></html>`.text;
}

export function loginPage(ctx: PageContext, message: string | null): string {
  return layout(ctx, html`<section class="login"><h1>Sign in</h1>
    ${message ? html`<p class="error" role="alert">${message}</p>` : ''}
    <form method="post" action="/login">
      <input type="hidden" name="_csrf" value="${ctx.csrf}">
      <label>Name <input name="name" autocomplete="username" required autofocus></label>
      <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
      <button type="submit">Sign in</button>
    </form></section>`);
}

export function errorPage(ctx: PageContext, status: number, message: string): string {
  return layout({ ...ctx, title: String(status) }, html`<section class="error-page"><h1>${status}</h1><p class="error" role="alert">${message}</p>
    <p><a href="/">Back</a></p></section>`);
}

export interface QueueView {
  filter: PageFilter;
  page: QueuePage;
  periods: { period: string; flagged: number }[];
  facets: { rules: string[]; regions: string[] };
  statusText: string;
  assigneeText: string;
}

function select(name: string, label: string, values: readonly (string | [string, string])[], chosen: string): Html {
  return html`<label>${label} <select name="${name}">${values.map((v) => {
    const [value, text] = typeof v === 'string' ? [v, v || 'any'] : v;
    return html`<option value="${value}"${value === chosen ? trusted(' selected') : ''}>${text}</option>`;
  })}</select></label>`;
}

export function queuePageHtml(ctx: PageContext, view: QueueView, query: URLSearchParams): string {
  const { filter, page } = view;
  const pageNo = Math.floor(filter.offset / filter.limit) + 1;
  const pages = Math.max(1, Math.ceil(page.total / filter.limit));
  const link = (n: number) => {
    const q = new URLSearchParams(query);
    q.set('page', String(n));
    return `/queue?${q.toString()}`;
  };
  const rows = page.items.map((i) => html`<tr data-account="${i.accountId}" data-period="${filter.period}" data-status="${i.status}" tabindex="-1">
    <td><a href="/accounts/${encodeURIComponent(i.accountId)}?period=${filter.period}">${i.accountId}</a></td>
    <td class="name">${i.name}</td><td><span class="status ${i.status}">${i.status}</span></td>
    <td class="num">${compact(i.score)}</td><td>${i.rules.join(', ')}</td><td>${i.region}</td><td>${i.customerClass}</td>
    <td class="num">${kwhPerDay(i.kpd)}</td><td class="num">${change(i.kpd, i.prevKpd)}</td><td class="num">${money(i.amountMinor, i.currency)} ${i.currency}</td>
    <td class="claim">${i.claimedBy ?? ''}</td><td class="reason">${i.reason}</td></tr>`);
  const body = html`<section class="queue">
  <form class="filters" method="get" action="/queue">
    ${select('period', 'Period', view.periods.map((p) => [p.period, `${p.period} (${p.flagged})`] as [string, string]), filter.period)}
    ${select('status', 'Status', ['open', 'held', 'escalated', 'decided', 'released', 'dismissed', 'corrected', 'all'], view.statusText)}
    ${select('rule', 'Rule', ['', ...view.facets.rules], filter.rule ?? '')}
    ${select('region', 'Region', ['', ...view.facets.regions], filter.region ?? '')}
    ${select('class', 'Class', ['', 'residential', 'commercial', 'industrial', 'agricultural'], filter.customerClass ?? '')}
    <label>Score ≥ <input name="min_score" type="number" step="any" value="${filter.minScore ?? ''}" size="6"></label>
    ${select('assignee', 'Claimed by', [['', 'anyone'], ['me', 'me'], ['none', 'nobody']], view.assigneeText)}
    <button type="submit">Filter</button>
  </form>
  <p class="summary"><b>${page.total.toLocaleString('en-US')}</b> bills · page ${pageNo} of ${pages}
    ${pageNo > 1 ? html`<a rel="prev" href="${link(pageNo - 1)}">← previous page</a>` : ''}
    ${pageNo < pages ? html`<a rel="next" href="${link(pageNo + 1)}">next page →</a>` : ''}</p>
  <p class="keys">Keys: <kbd>j</kbd>/<kbd>k</kbd> next/previous · <kbd>Enter</kbd> open · <kbd>a</kbd> claim ·
    <kbd>r</kbd> release · <kbd>c</kbd> correct (estimate) · <kbd>d</kbd> dismiss · <kbd>e</kbd> escalate · <kbd>h</kbd> hold ·
    then a note and <kbd>Enter</kbd> · <kbd>Esc</kbd> cancel · <kbd>n</kbd>/<kbd>p</kbd> next/previous page</p>
  <table class="items" id="queue"><thead><tr><th>account</th><th>name</th><th>status</th><th>score</th><th>rules</th><th>region</th><th>class</th>
    <th>kWh/day</th><th>vs prev</th><th>amount</th><th>claimed by</th><th>reason</th></tr></thead>
  <tbody>${rows.length ? rows : html`<tr><td colspan="12">No bills match.</td></tr>`}</tbody></table>
  <form id="decide" class="decide-bar" hidden>
    <span id="decide-what"></span>
    <label>Note <input id="decide-note" name="note" autocomplete="off" size="60"></label>
    <span class="hint">Enter to apply, Esc to cancel</span>
  </form>
</section>`;
  return layout(ctx, body, 'queue-page');
}

function lineItemTable(review: AccountReview, items: AccountReview['lineItems']): Html {
  return html`<table class="lines"><thead><tr><th>item</th><th>quantity</th><th>rate</th><th>amount</th></tr></thead><tbody>
    ${items.map((l) => html`<tr><td>${l.label}</td><td class="num">${milli(l.quantityMilli)} ${l.unit}</td><td class="num">${l.rate}</td>
      <td class="num">${money(l.amountMinor, review.bill.currency)}</td></tr>`)}</tbody></table>`;
}

export interface AccountView {
  review: AccountReview;
  periods: string[];
  claim: { user: string; claimedAt: string } | null;
  /** Whether this user may decide this bill now (role, status, claim). */
  canDecide: boolean;
  whyNot: string | null;
  message: { kind: 'ok' | 'error'; text: string } | null;
}

export function accountPageHtml(ctx: PageContext, view: AccountView): string {
  const r = view.review;
  const a = r.account;
  const b = r.bill;
  const cur = b.currency;
  const others = r.history.filter((h) => !h.reviewed).map((h) => h.kwhPerDay);
  // The baseline the usage rules judged the period by, as `review show` prints it: the median of
  // the account's latest trusted bills (src/billing/baseline.ts); the bars of bills not trusted are pale.
  const baseline = r.level.trustedKwhPerDay;
  const chart = svgBarChart(r.history.map((h) => ({ label: h.period.slice(2), value: h.kwhPerDay, highlight: h.reviewed, muted: !h.reviewed && !h.trusted })), {
    title: `kWh per day, ${r.history[0]!.period} to ${r.period}`, width: 640, height: 190,
    scaleMax: historyScaleMax(others, r.history.at(-1)!.kwhPerDay),
    reference: baseline === null ? undefined : { value: baseline, label: `trusted baseline ${baseline.toFixed(1)}` },
  });
  const peers = r.peers;
  const decisionForm = view.canDecide ? html`<form method="post" action="/accounts/${encodeURIComponent(a.accountId)}/decide" class="decision" id="decision-form">
      <input type="hidden" name="_csrf" value="${ctx.csrf}"><input type="hidden" name="period" value="${r.period}">
      <fieldset><legend>Decision</legend>
      ${REVIEW_ACTIONS.map((action) => html`<label><input type="radio" name="action" value="${action}" required> ${action}</label>`)}
      </fieldset>
      <label>Corrected closing reads (correct only; e.g. <code>total=12345.6</code>, one per line; none = estimate)
        <textarea name="reads" rows="2" cols="40"></textarea></label>
      <label>Note <input name="note" required size="60"></label>
      <button type="submit">Apply</button>
    </form>` : html`<p class="readonly">${view.whyNot ?? ''}</p>`;
  const body = html`<section class="account-page">
  ${view.message ? html`<p class="${view.message.kind}" role="${view.message.kind === 'error' ? 'alert' : 'status'}">${view.message.text}</p>` : ''}
  <h1>${a.accountId} <span class="name">${a.name}</span> <span class="status ${b.status}">${b.status}</span></h1>
  <p class="meta">${a.address} · ${a.customerClass} · tariff ${a.tariffId} · region ${a.region} · meter ${a.meterId} (×${a.multiplier}, ${a.registerDigits} digits)
    ${a.previousMeterId ? html` · replaced ${a.previousMeterId} on ${a.meterExchangedAt}` : ''} · since ${a.startDate}${a.endDate ? html` until ${a.endDate}` : ''}</p>
  <p class="periods">Periods: ${view.periods.map((p) => (p === r.period ? html`<b>${p}</b> ` : html`<a href="/accounts/${encodeURIComponent(a.accountId)}?period=${p}">${p}</a> `))}</p>
  ${view.claim ? html`<p class="claim">Claimed by <b>${view.claim.user}</b> since ${view.claim.claimedAt}</p>` : ''}
  <div class="columns">
    <div>
      <h2>Bill ${r.period}, version ${b.billVersion}</h2>
      <p>${b.startDate} to ${b.endDate} (${b.days} days): ${milli(b.kwhMilli)} kWh = ${kwhPerDay(b.days > 0 ? b.kwhMilli / b.days : null)} kWh/day
        ${b.demandMilli !== null ? html` · demand ${milli(b.demandMilli)} kW` : ''} · score ${compact(b.score)}</p>
      <p class="amount">Amount <b>${money(b.amountMinor, cur)} ${cur}</b> (tariff ${b.tariffId} ${b.tariffVersions})</p>
      <p>Meter events: ${r.meterEvents.length ? readFlagNames(b.readFlags).join(', ') : 'none'}</p>
      <figure class="chart">${trusted(chart)}<figcaption>kWh per day; the reviewed period in red; pale: not trusted (estimated, under review,
        or a level nobody accepted); dashed: the trusted baseline. Peers (${peers.customerClass}, ${peers.region}, ${peers.peers}):
        month on month ${change(peers.mom, 1)}, year on year ${change(peers.yoy, 1)}; this account ${change(peers.ownMom, 1)} and ${change(peers.ownYoy, 1)}.</figcaption></figure>
      <ul class="baseline">${levelLines(r.level, a.meterExchangedAt).map((line) => html`<li>${line}</li>`)}</ul>
      <h3>Why it was flagged</h3>
      <ul class="reasons">${r.flags.length ? r.flags.map((f) => html`<li class="${f.suppressed ? 'suppressed' : ''}"><b>${f.ruleId}</b> ${f.severity}${f.suppressed ? ', suppressed' : ''}, score ${compact(f.score)}: ${f.reason}</li>`) : html`<li>no flags</li>`}</ul>
      <h3>Determinants</h3>
      <table class="lines"><thead><tr><th>meter</th><th>register</th><th>opening</th><th>closing</th><th>×</th><th>quantity</th></tr></thead><tbody>
        ${r.determinants.map((d) => html`<tr><td>${d.meterId}</td><td>${d.register}</td><td class="num">${milli(d.openValue)} (${d.openAt.slice(0, 10)}, ${d.openType ?? 'first'})</td>
          <td class="num">${milli(d.closeValue)} (${d.closeAt.slice(0, 10)}, ${d.closeType})</td><td class="num">${d.multiplier}</td><td class="num">${milli(d.quantityMilli)}</td></tr>`)}
      </tbody></table>
      <h3>Reads</h3>
      <table class="lines"><thead><tr><th>meter</th><th>read at</th><th>register</th><th>value</th><th>type</th><th>source</th></tr></thead><tbody>
        ${r.reads.map((x) => html`<tr><td>${x.meterId}</td><td>${x.readAt}</td><td>${x.register}</td><td class="num">${milli(x.valueMilli)}</td><td>${x.readType}</td><td>${x.source}</td></tr>`)}
      </tbody></table>
    </div>
    <div>
      <div class="bills ${r.rebill ? 'side-by-side' : ''}">
        <div class="bill-old"><h3>Line items, version ${b.billVersion}${r.rebill ? ' (before)' : ''}</h3>${lineItemTable(r, r.lineItems)}
          <p class="amount">Total ${money(b.amountMinor, cur)} ${cur}</p></div>
        ${r.rebill ? html`<div class="bill-new"><h3>Re-bill, version ${r.rebill.billVersion} (${r.rebill.status})</h3>${lineItemTable(r, r.rebillLineItems)}
          <p class="amount">Total <b class="new-amount">${money(r.rebill.amountMinor, cur)} ${cur}</b> (was ${money(b.amountMinor, cur)};
          ${milli(r.rebill.kwhMilli)} kWh, was ${milli(b.kwhMilli)})</p></div>` : ''}
      </div>
      ${decisionForm}
      <h3>Earlier decisions</h3>
      <table class="lines decisions"><thead><tr><th>#</th><th>when</th><th>period</th><th>action</th><th>from → to</th><th>by</th><th>from where</th><th>note</th></tr></thead><tbody>
        ${r.decisions.map((d) => html`<tr><td>${d.decisionId}</td><td>${d.decidedAt}</td><td>${d.period}</td><td>${d.action}</td><td>${d.fromStatus} → ${d.toStatus}</td>
          <td>${d.reviewer}</td><td>${d.source}</td><td>${d.note}</td></tr>`)}
      </tbody></table>
    </div>
  </div></section>`;
  return layout(ctx, body, 'account-page');
}

export function lookupPage(ctx: PageContext, message: string | null): string {
  return layout(ctx, html`<section class="lookup"><h1>Look up an account</h1>
    ${message ? html`<p class="error" role="alert">${message}</p>` : ''}
    <form method="get" action="/lookup"><label>Account id <input name="account" required autofocus></label><button>Look up</button></form></section>`);
}

export function statsPage(ctx: PageContext, stats: ReviewStats, periods: string[]): string {
  const pct = (x: number | null) => (x === null ? '–' : `${(100 * x).toFixed(0)}%`);
  return layout(ctx, html`<section class="stats"><h1>Review statistics ${stats.period}</h1>
    <form method="get" action="/stats">${select('period', 'Period', periods, stats.period)}<button>Show</button></form>
    <h2>Per rule</h2><table class="lines"><thead><tr><th>rule</th><th>flagged</th><th>open</th><th>released</th><th>dismissed</th><th>corrected</th><th>escalated</th><th>hit rate</th></tr></thead><tbody>
    ${[...stats.rules, stats.total].map((s) => html`<tr><td>${s.rule}</td><td class="num">${s.flagged}</td><td class="num">${s.open}</td><td class="num">${s.released}</td>
      <td class="num">${s.dismissed}</td><td class="num">${s.corrected}</td><td class="num">${s.escalated}</td><td class="num">${pct(s.hitRate)}</td></tr>`)}</tbody></table>
    <h2>Per reviewer</h2><table class="lines"><thead><tr><th>reviewer</th><th>decisions</th><th>release</th><th>correct</th><th>dismiss</th><th>escalate</th><th>hold</th><th>per day</th><th>median hours</th></tr></thead><tbody>
    ${stats.reviewers.map((r) => html`<tr><td>${r.reviewer}</td><td class="num">${r.decisions}</td><td class="num">${r.byAction.release}</td><td class="num">${r.byAction.correct}</td>
      <td class="num">${r.byAction.dismiss}</td><td class="num">${r.byAction.escalate}</td><td class="num">${r.byAction.hold}</td><td class="num">${r.perDay.toFixed(1)}</td>
      <td class="num">${r.medianHours === null ? '–' : r.medianHours.toFixed(1)}</td></tr>`)}</tbody></table>
    <h2>Backlog by age</h2><table class="lines"><thead><tr><th>age</th><th>bills</th><th>escalated</th></tr></thead><tbody>
    ${stats.backlog.map((x) => html`<tr><td>${x.age}</td><td class="num">${x.bills}</td><td class="num">${x.escalated}</td></tr>`)}</tbody></table>
  </section>`);
}

export function auditPage(ctx: PageContext, events: Record<string, unknown>[], decisions: Record<string, unknown>[]): string {
  const cell = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  return layout(ctx, html`<section class="audit"><h1>Audit trail</h1>
    <h2>Decisions</h2><table class="lines"><thead><tr><th>#</th><th>when</th><th>who</th><th>action</th><th>account</th><th>period</th><th>from → to</th><th>from where</th><th>note</th></tr></thead><tbody>
    ${decisions.map((d) => html`<tr><td>${cell(d.decision_id)}</td><td>${cell(d.decided_at)}</td><td>${cell(d.reviewer)}</td><td>${cell(d.action)}</td><td>${cell(d.account_id)}</td>
      <td>${cell(d.period)}</td><td>${cell(d.from_status)} → ${cell(d.to_status)}</td><td>${cell(d.source)}</td><td>${cell(d.note)}</td></tr>`)}</tbody></table>
    <h2>Desk events</h2><table class="lines"><thead><tr><th>#</th><th>when</th><th>who</th><th>event</th><th>account</th><th>period</th><th>from where</th><th>detail</th></tr></thead><tbody>
    ${events.map((e) => html`<tr><td>${cell(e.event_id)}</td><td>${cell(e.happened_at)}</td><td>${cell(e.user_name)}</td><td>${cell(e.event)}</td><td>${cell(e.account_id)}</td>
      <td>${cell(e.period)}</td><td>${cell(e.ip)}</td><td>${cell(e.detail)}</td></tr>`)}</tbody></table></section>`);
}

export function runsPage(ctx: PageContext, periods: string[]): string {
  return layout(ctx, html`<section class="runs"><h1>Bill runs</h1>
    <p>A run started here (or by <code>billrun bill</code> while the desk runs) bills inside the desk's process; decisions go on meanwhile.</p>
    <form id="run-form" method="post" action="/api/runs"><input type="hidden" name="_csrf" value="${ctx.csrf}">
      <label>Period <input name="period" placeholder="YYYY-MM" required pattern="\\d{4}-\\d{2}"></label>
      <label><input type="checkbox" name="rebill"> re-bill</label><button>Start</button></form>
    <pre id="run-log"></pre><p>Billed periods: ${periods.join(', ')}</p></section>`);
}
