// The review desk over HTTP: sign-in, roles, CSRF, throttling, the paged queue against an
// independent count, claims and races, escalations, and a bill run handed over by `billrun bill`
// while reviewers decide through the desk.
import type { Explanation } from '../../schemas/explanation.js';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate, buildDesk } from '../../src/server/index.js';
import type { BilledStore } from '../billed-store.js';
import { median, runCli, tempDir } from '../helpers.js';
import { deskStore, PASSWORD, PERIOD, signIn, startDesk, type Desk } from './fixture.js';

let billed: BilledStore;
let desk: Desk;

beforeAll(async () => {
  billed = await deskStore();
  desk = await startDesk(billed);
}, 600_000);
afterAll(async () => {
  await desk?.close();
  billed?.remove();
});

const decisionsOf = async (accountId: string) => desk.store.rows(`SELECT d.action, d.reviewer, d.source, d.to_status::VARCHAR AS to_status
  FROM review_decisions d JOIN accounts a USING (account_key) WHERE a.account_id = $id AND d.period = 202502 ORDER BY d.decision_id`, { id: accountId });

describe('users', () => {
  it('stores an argon2id hash, never the password, and checks it', async () => {
    const [row] = await desk.store.rows("SELECT password_hash FROM desk_users WHERE user_name = 'ana'");
    expect(String(row!.password_hash)).toMatch(/^\$argon2id\$/);
    expect(String(row!.password_hash)).not.toContain(PASSWORD);
    expect(await authenticate(desk.store, 'ana', PASSWORD)).toEqual({ name: 'ana', role: 'reviewer' });
    expect(await authenticate(desk.store, 'ana', `${PASSWORD}!`)).toBeNull();
    expect(await authenticate(desk.store, 'nobody', PASSWORD)).toBeNull();
  });

  it('billrun users add reads the password from stdin, not argv', () => {
    const db = join(tempDir(), 'store.duckdb');
    const bin = join(process.cwd(), 'dist', 'src', 'cli', 'bin.js');
    const add = spawnSync('node', [bin, '--db', db, 'users', 'add', 'lin', '--role', 'supervisor'], { input: 'a long passphrase\n', encoding: 'utf8' });
    expect(add.stderr).toBe('');
    expect(add.stdout).toBe('added lin (supervisor)\n');
    const short = spawnSync('node', [bin, '--db', db, 'users', 'add', 'kim', '--role', 'agent'], { input: 'short\n', encoding: 'utf8' });
    expect(short.status).toBe(2);
    expect(short.stderr).toContain('at least 10 characters');
    const role = spawnSync('node', [bin, '--db', db, 'users', 'add', 'kim', '--role', 'admin'], { input: 'a long passphrase\n', encoding: 'utf8' });
    expect(role.status).toBe(2);
  });
});

describe('sign-in and roles', () => {
  it('refuses a wrong password and everything before sign-in', async () => {
    expect((await signIn(desk.url, 'ana', 'wrong password!')).status).toBe(401);
    expect((await fetch(`${desk.url}/api/queue`)).status).toBe(401);
    const page = await fetch(`${desk.url}/queue`, { redirect: 'manual' });
    expect([page.status, page.headers.get('location')]).toEqual([302, '/login']);
  });

  it('throttles sign-in attempts per address', async () => {
    const app = await buildDesk({ store: desk.store, now: () => new Date(), softwareVersion: 'test', runToken: 'x', loginAttemptsPerMinute: 3 });
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await app.inject({ method: 'POST', url: '/login', payload: { name: 'ana', password: 'guess' } })).statusCode);
    await app.close();
    // The first three fail on their missing CSRF token; the fourth is not even looked at.
    expect(codes).toEqual([403, 403, 403, 429]);
  });

  it('keeps an agent to one account: no queue, no stats, no decisions', async () => {
    const agent = await signIn(desk.url, 'ali');
    expect(agent.status).toBe(302);
    for (const path of ['/api/queue', '/queue', '/stats', '/audit', '/runs']) expect((await agent.get(path)).status, path).toBe(403);
    const decide = await agent.post('/api/decisions', { account: desk.held[0], period: PERIOD, action: 'release', note: 'agent' });
    expect(decide.status).toBe(403);
    const account = await agent.get(`/api/accounts/${desk.held[0]}/bills/${PERIOD}`);
    expect(account.status).toBe(200);
    expect(((await account.json()) as { account: { accountId: string } }).account.accountId).toBe(desk.held[0]);
    const [lookup] = await desk.store.rows("SELECT user_name, account_id, ip FROM desk_events WHERE event = 'lookup' ORDER BY event_id DESC LIMIT 1");
    expect(lookup).toEqual({ user_name: 'ali', account_id: desk.held[0], ip: '127.0.0.1' });
    const reviewer = await signIn(desk.url, 'bob');
    expect((await reviewer.post('/api/runs', { period: PERIOD })).status).toBe(403);
  });

  it('gives an agent the explanation of one bill: causes that add up to the change, and the history', async () => {
    const agent = await signIn(desk.url, 'ali');
    const accountId = desk.held[1]!;
    const response = await agent.get(`/api/accounts/${accountId}/bills/${PERIOD}/explanation`);
    expect(response.status).toBe(200);
    const explanation = (await response.json()) as Explanation;
    // The amounts are the stored bills', read here with SQL of the test's own.
    const [stored] = await desk.store.rows(`SELECT b.amount_minor::BIGINT AS amount FROM bills b JOIN accounts a USING (account_key)
      WHERE a.account_id = $id AND b.period = $period AND b.is_current`, { id: accountId, period: Number(PERIOD.replace('-', '')) });
    expect(explanation.current.amountMinor).toBe(Number(stored!.amount));
    expect(explanation.causes.reduce((sum, cause) => sum + cause.amountMinor, 0)).toBe(explanation.current.amountMinor - explanation.previous.amountMinor);
    expect(explanation.changeMinor).toBe(explanation.current.amountMinor - explanation.previous.amountMinor);
    expect(explanation.history!.at(-1)!.period).toBe(PERIOD);
    const [lookup] = await desk.store.rows("SELECT detail FROM desk_events WHERE event = 'lookup' ORDER BY event_id DESC LIMIT 1");
    expect(String(lookup!.detail)).toContain('explanation');
    expect((await agent.get(`/api/accounts/${accountId}/bills/2025-13/explanation`)).status).toBe(400);
  });

  it('refuses a write without the CSRF token and changes nothing', async () => {
    const ana = await signIn(desk.url, 'ana');
    const target = desk.held[5]!;
    const response = await ana.post('/api/decisions', { account: target, period: PERIOD, action: 'release', note: 'no token' }, { csrf: false });
    expect(response.status).toBe(403);
    expect(await decisionsOf(target)).toEqual([]);
  });
});

describe('the queue', () => {
  it('pages the open bills of a period by score, with totals counted independently', async () => {
    const ana = await signIn(desk.url, 'ana');
    const [{ open }] = (await desk.store.rows(`SELECT count(*)::INTEGER AS open FROM bills
      WHERE period = 202502 AND is_current AND status IN ('held', 'escalated')`)) as [{ open: number }];
    type Page = { total: number; items: { accountId: string; score: number; region: string; status: string }[] };
    const page1 = (await (await ana.get(`/api/queue?period=${PERIOD}&size=10&page=1`)).json()) as Page;
    const page2 = (await (await ana.get(`/api/queue?period=${PERIOD}&size=10&page=2`)).json()) as Page;
    expect(page1.total).toBe(open);
    const both = [...page1.items, ...page2.items];
    expect(new Set(both.map((i) => i.accountId)).size).toBe(20);
    expect(both.map((i) => i.score)).toEqual([...both.map((i) => i.score)].sort((a, b) => b - a));
    const region = page1.items[0]!.region;
    const [{ n }] = (await desk.store.rows(`SELECT count(*)::INTEGER AS n FROM bills b JOIN accounts a USING (account_key)
      WHERE b.period = 202502 AND b.is_current AND b.status IN ('held', 'escalated') AND a.region = $region`, { region })) as [{ n: number }];
    const filtered = (await (await ana.get(`/api/queue?period=${PERIOD}&region=${encodeURIComponent(region)}&size=500`)).json()) as Page;
    expect(filtered.total).toBe(n);
    expect(filtered.items.every((i) => i.region === region)).toBe(true);
    const past = (await (await ana.get(`/api/queue?period=${PERIOD}&size=10&page=999`)).json()) as Page;
    expect([past.items.length, past.total]).toEqual([0, open]);
  });

  it('lets one of two reviewers racing for a bill win and tells the other', async () => {
    const [ana, bob] = await Promise.all([signIn(desk.url, 'ana'), signIn(desk.url, 'bob')]);
    const target = desk.held[1]!;
    const responses = await Promise.all([
      ana.post('/api/decisions', { account: target, period: PERIOD, action: 'release', note: 'fine' }),
      bob.post('/api/decisions', { account: target, period: PERIOD, action: 'dismiss', note: 'false alarm' }),
    ]);
    const codes = responses.map((r) => r.status).sort();
    expect(codes).toEqual([200, 409]);
    const loser = responses.find((r) => r.status === 409)!;
    expect(((await loser.json()) as { error: string }).error).toMatch(/claimed by (ana|bob)|another decision/);
    const decisions = await decisionsOf(target);
    expect(decisions).toHaveLength(1);
    expect(decisions[0]!.source).toBe('desk 127.0.0.1');
  });

  it('holds a claim for its reviewer until she decides', async () => {
    const [ana, bob] = await Promise.all([signIn(desk.url, 'ana'), signIn(desk.url, 'bob')]);
    const target = desk.held[2]!;
    expect((await ana.post('/api/claims', { account: target, period: PERIOD })).status).toBe(200);
    const refused = await bob.post('/api/decisions', { account: target, period: PERIOD, action: 'release', note: 'mine?' });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: string }).error).toContain('claimed by ana');
    expect((await ana.post('/api/decisions', { account: target, period: PERIOD, action: 'hold', note: 'waiting for a read' })).status).toBe(200);
    expect((await bob.post('/api/claims', { account: target, period: PERIOD })).status).toBe(409);
    expect((await ana.post('/api/decisions', { account: target, period: PERIOD, action: 'release', note: 'read came in' })).status).toBe(200);
    expect((await decisionsOf(target)).map((d) => `${d.action} ${d.reviewer}`)).toEqual(['hold ana', 'release ana']);
  });

  it('sends escalations to supervisors', async () => {
    const [ana, sam] = await Promise.all([signIn(desk.url, 'ana'), signIn(desk.url, 'sam')]);
    const target = desk.held[3]!;
    expect((await ana.post('/api/decisions', { account: target, period: PERIOD, action: 'escalate', note: 'meter looks swapped' })).status).toBe(200);
    const again = await ana.post('/api/decisions', { account: target, period: PERIOD, action: 'release', note: 'changed my mind' });
    expect(again.status).toBe(403);
    const escalated = (await (await sam.get(`/api/queue?period=${PERIOD}&status=escalated`)).json()) as { items: { accountId: string }[] };
    expect(escalated.items.map((i) => i.accountId)).toContain(target);
    expect((await sam.post('/api/decisions', { account: target, period: PERIOD, action: 'correct', note: 'field check: estimate' })).status).toBe(200);
    expect((await decisionsOf(target)).map((d) => `${d.action} ${d.reviewer} ${d.to_status}`)).toEqual(['escalate ana escalated', 'correct sam corrected']);
  });
});

// Bills of their own for these tests: the first 30 held are the other tests', the last the browser's.
const spare = () => {
  const bills = desk.held.slice(30, -1);
  expect(bills.length).toBeGreaterThanOrEqual(6);
  return bills;
};

describe('the account page', () => {
  type AccountJson = {
    account: { customerClass: string; region: string };
    peers: { peers: number; mom: number | null; yoy: number | null };
    determinants: { register: string; openValue: number }[];
    level: { trustedKwhPerDay: number | null };
    history: { period: string; kwhPerDay: number | null; trusted: boolean }[];
  };
  const medianOrNull = (xs: number[]) => (xs.length === 0 ? null : median(xs));
  // The peers worked out here from the bills, in JavaScript: kWh/day of the group's current bills
  // with usage this period against the same accounts' last month.
  const peersOf = async (customerClass: string, region: string) => {
    const rows = await desk.store.rows(`SELECT b.period, a.account_id, b.kwh_milli::DOUBLE / b.days AS kpd FROM bills b JOIN accounts a USING (account_key)
      WHERE b.period IN (202501, 202502) AND b.is_current AND b.days > 0 AND b.kwh_milli > 0 AND a.customer_class::VARCHAR = $c AND a.region = $r`,
    { c: customerClass, r: region });
    const prev = new Map(rows.filter((r) => Number(r.period) === 202501).map((r) => [r.account_id, Number(r.kpd)]));
    const cur = rows.filter((r) => Number(r.period) === 202502);
    const ratios = cur.filter((r) => prev.has(r.account_id)).map((r) => Number(r.kpd) / prev.get(r.account_id)!);
    return { peers: cur.length, mom: medianOrNull(ratios) };
  };

  it('shows the peers of the account, kept between pages and worked out again after a correction', async () => {
    const sam = await signIn(desk.url, 'sam');
    // A held bill to correct (none the other tests decide), and an account of its group to look at.
    const [other] = (await desk.store.rows(`SELECT a.account_id, a.customer_class::VARCHAR AS customer_class, a.region FROM bills b JOIN accounts a USING (account_key)
      WHERE b.period = 202502 AND b.is_current AND b.status = 'held' AND b.kwh_milli > 0 AND a.account_id IN (SELECT unnest($ids::VARCHAR[]))
      ORDER BY a.account_id LIMIT 1`, { ids: `[${spare().slice(3).join(',')}]` }));
    const [viewed] = await desk.store.rows(`SELECT min(account_id) AS account_id FROM accounts WHERE customer_class::VARCHAR = $c AND region = $r AND account_id <> $other`,
      { c: String(other!.customer_class), r: String(other!.region), other: String(other!.account_id) });
    const target = String(viewed!.account_id);
    const page = async (id: string) => (await (await sam.get(`/api/accounts/${id}/bills/${PERIOD}`)).json()) as AccountJson;
    const before = await page(target);
    const expected = await peersOf(before.account.customerClass, before.account.region);
    expect(before.peers.peers).toBe(expected.peers);
    expect(before.peers.mom).toBeCloseTo(expected.mom!, 12);
    // The held bill corrected to no usage (its closing read = its opening read) leaves the group's
    // bills with usage one fewer.
    const otherPage = await page(String(other!.account_id));
    const total = otherPage.determinants.find((d) => d.register === 'total')!;
    const read = `total=${Math.floor(total.openValue / 1000)}.${String(total.openValue % 1000).padStart(3, '0')}`;
    const corrected = await sam.post('/api/decisions', { account: other!.account_id, period: PERIOD, action: 'correct', reads: read, note: 'meter stopped: no usage' });
    expect(corrected.status, await corrected.clone().text()).toBe(200);
    const after = await page(target);
    const recomputed = await peersOf(before.account.customerClass, before.account.region);
    expect(recomputed.peers).toBe(expected.peers - 1);
    expect(after.peers.peers).toBe(recomputed.peers);
    expect(after.peers.mom).toBeCloseTo(recomputed.mom!, 12);
  });

  it('draws the trusted baseline on the chart, the untrusted months pale', async () => {
    const sam = await signIn(desk.url, 'sam');
    const target = spare()[0]!;
    const data = (await (await sam.get(`/api/accounts/${target}/bills/${PERIOD}`)).json()) as AccountJson;
    // The baseline is the median of the 12 latest trusted months with use (`review show`'s figure,
    // the rules' baseline); the store's whole history (from 2024-01) is on the chart.
    const trusted = data.history.filter((h) => h.trusted && h.period < PERIOD && h.kwhPerDay !== null && h.kwhPerDay > 0)
      .sort((x, y) => y.period.localeCompare(x.period)).slice(0, 12).map((h) => h.kwhPerDay!);
    expect(data.level.trustedKwhPerDay).toBeCloseTo(median(trusted), 9);
    const html = await (await sam.get(`/accounts/${target}?period=${PERIOD}`)).text();
    expect(html).toContain(`trusted baseline ${median(trusted).toFixed(1)}`);
    expect(html).toMatch(/<line [^>]*stroke-dasharray="6 4"/);
    const pale = (html.match(/fill-opacity="0.35"/g) ?? []).length;
    expect(pale).toBe(data.history.filter((h) => h.period !== PERIOD && !h.trusted && h.kwhPerDay !== null).length);
  });
});

describe('the CLI while the desk holds the store', () => {
  const bin = join(process.cwd(), 'dist', 'src', 'cli', 'bin.js');
  // Another process, as a clerk's terminal is, run without blocking: the desk answers it from this one.
  const cli = (args: string[]) => new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn('node', [bin, '--db', desk.store.path, '--quiet', ...args]);
    let [stdout, stderr] = ['', ''];
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });

  it('hands `billrun review decide` to the desk, which keeps a desk reviewer\'s claim', async () => {
    const target = spare()[1]!;
    const decided = await cli(['review', 'decide', target, '--period', PERIOD, '--action', 'release', '--reviewer', 'lee', '--note', 'customer called']);
    expect(decided.stderr).toContain('the review desk at');
    expect(decided.status, decided.stderr).toBe(0);
    expect(decided.stdout).toContain('held → released');
    expect(await decisionsOf(target)).toEqual([{ action: 'release', reviewer: 'lee', source: 'cli via desk', to_status: 'released' }]);

    const ana = await signIn(desk.url, 'ana');
    const claimed = spare()[2]!;
    expect((await ana.post('/api/claims', { account: claimed, period: PERIOD })).status).toBe(200);
    const refused = await cli(['review', 'decide', claimed, '--period', PERIOD, '--action', 'dismiss', '--reviewer', 'lee', '--note', 'false alarm']);
    expect(refused.status).toBe(5);
    expect(refused.stderr).toContain('claimed by ana');
    expect(await decisionsOf(claimed)).toEqual([]);
  });

  it('tells a load that the desk holds the store and what to do', async () => {
    const load = await cli(['load', 'accounts', join(billed.data, 'accounts.csv')]);
    expect(load.status).toBe(4);
    expect(load.stderr).toContain(`the review desk at ${desk.url}`);
    expect(load.stderr).toContain('stop the desk');
  });
});

describe('working while a bill run goes on', () => {
  it('takes decisions through the desk while `billrun bill` re-bills another period through it, losing nothing', async () => {
    const clients = await Promise.all(['ana', 'bob'].map((name) => signIn(desk.url, name)));
    const targets = desk.held.slice(10, 30);
    const before = Number((await desk.store.rows('SELECT count(*) AS n FROM review_decisions'))[0]!.n);
    // The re-billed period's queue is read once before (review_queue keeps its rows), to see it follow the run.
    type Page = { total: number; items: { accountId: string; billVersion: number }[] };
    const queueOf = async () => (await (await clients[0]!.get('/api/queue?period=2025-01&status=all&size=500')).json()) as Page;
    expect((await queueOf()).items.every((i) => i.billVersion === 1)).toBe(true);
    // The CLI finds the desk through the handoff file beside the store and hands it the run.
    const run = runCli(['bill', '--period', '2025-01', '--rebill', '--json'], desk.store.path);
    let runFinished = false;
    void run.then(() => (runFinished = true));
    let duringRun = 0;
    const latencies: number[] = [];
    const statuses: number[] = [];
    for (const [i, account] of targets.entries()) {
      const started = performance.now();
      const response = await clients[i % 2]!.post('/api/decisions', { account, period: PERIOD, action: i % 3 === 0 ? 'dismiss' : 'release', note: `during the run ${i}` });
      latencies.push(performance.now() - started);
      if (!runFinished) duringRun++;
      statuses.push(response.status);
    }
    const result = await run;
    // The decisions really overlapped the run: several were answered before it finished (how many
    // depends on the machine's load beside the test: 8 of 20 in a full parallel test run, 20 alone).
    expect(duringRun).toBeGreaterThanOrEqual(5);
    expect(result.err).toContain('the review desk at');
    expect(result.code === 0 || result.code === 3, result.err).toBe(true);
    const summary = JSON.parse(result.out) as { runId: number; accountsIn: number; billed: number; held: number; errored: number; billVersion: number };
    expect(summary.billVersion).toBe(2);
    expect(summary.accountsIn).toBe(summary.billed + summary.held + summary.errored);
    const [{ bills }] = (await desk.store.rows('SELECT count(*)::INTEGER AS bills FROM bills WHERE period = 202501 AND bill_version = 2 AND run_id = $run',
      { run: summary.runId })) as [{ bills: number }];
    expect(bills).toBe(summary.billed + summary.held);
    expect(statuses).toEqual(targets.map(() => 200));
    const after = await desk.store.rows(`SELECT a.account_id, b.status::VARCHAR AS status FROM bills b JOIN accounts a USING (account_key)
      WHERE b.period = 202502 AND b.is_current AND a.account_id IN (SELECT unnest($ids::VARCHAR[])) ORDER BY a.account_id`, { ids: `[${targets.join(',')}]` });
    expect(after.map((r) => r.status).sort()).toEqual(targets.map((_, i) => (i % 3 === 0 ? 'dismissed' : 'released')).sort());
    expect(Number((await desk.store.rows('SELECT count(*) AS n FROM review_decisions'))[0]!.n)).toBe(before + targets.length);
    const requeued = await queueOf();
    const [{ flagged }] = (await desk.store.rows(`SELECT count(*)::INTEGER AS flagged FROM bills
      WHERE period = 202501 AND is_current AND (flag_count > 0 OR status <> 'ready')`)) as [{ flagged: number }];
    expect(requeued.total).toBe(flagged);
    expect(requeued.items.length).toBe(Math.min(500, flagged));
    expect(requeued.items.every((i) => i.billVersion === 2)).toBe(true);
    latencies.sort((a, b) => a - b);
    console.log(`decision round trip during the run: median ${latencies[10]!.toFixed(0)} ms, max ${latencies.at(-1)!.toFixed(0)} ms`);
  }, 300_000);
});

