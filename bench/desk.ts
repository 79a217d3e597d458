// The review desk benchmark:
//   npm run build && node dist/bench/desk.js [--flagged 100000] [--bills 1000000] [--dir DIR] [--reps 20]
//
// Builds (or reuses, under --dir, default /tmp/billrun-desk-bench) a billed store of 2,000
// accounts × 13 months, then on a copy multiplies the last period's accounts and bills until it
// holds --flagged flagged bills among --bills bills of that period (copies of the real flagged and
// unflagged bills with their flags and the previous month's bills, under new account ids). A desk
// serves the copy on a free port and the benchmark times, over HTTP as a browser calls them: the
// queue's first page, a page deep in it, a filtered page, an account page and a decision's round
// trip. On the unexpanded store it then times decisions while a re-bill of the previous period
// runs in the desk. Results go to bench/results/desk.json; bench/README.md "## The review desk"
// quotes them.
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { addPeriods, periodKey } from '../src/calendar/index.js';
import { addUser, runThroughDesk, serveDesk, findDesk } from '../src/server/index.js';
import { openStore, type Store } from '../src/store/index.js';
import { billrun, ROOT, sync } from './cli.js';

const START = '2024-01';
const MONTHS = 13;
const PERIOD = addPeriods(START, MONTHS - 1);
const PASSWORD = 'bench password';

function prepare(dir: string): string {
  const data = join(dir, 'data');
  const history = join(dir, 'billed.duckdb');
  if (existsSync(history)) return history;
  mkdirSync(dir, { recursive: true });
  console.log('generating and billing 2,000 accounts × 13 months…');
  billrun(['generate', '--accounts', '2000', '--months', String(MONTHS), '--start', START, '--seed', '7', '--anomaly-rate', '0.05', '--out', data]);
  const building = join(dir, 'building.duckdb');
  rmSync(building, { force: true });
  billrun(['--db', building, 'tariff', 'load', ...readdirSync(join(data, 'tariffs')).map((f) => join(data, 'tariffs', f))]);
  billrun(['--db', building, 'load', 'accounts', join(data, 'accounts.csv')]);
  billrun(['--db', building, 'load', 'readings', ...readdirSync(data).filter((f) => /^(readings|intervals)\./.test(f)).map((f) => join(data, f))]);
  billrun(['--db', building, 'bill', '--from', START, '--to', PERIOD, '--out', join(dir, 'out')]);
  copyFileSync(building, history);
  rmSync(building, { force: true });
  return history;
}

/** Copies of the period's flagged and unflagged accounts (with their bills, flags and last month's bills) under new ids. */
async function expand(store: Store, flagged: number, bills: number): Promise<{ flagged: number; bills: number }> {
  const key = periodKey(PERIOD);
  const prev = periodKey(addPeriods(PERIOD, -1));
  const count = async (sql: string) => Number((await store.rows(sql, { period: key }))[0]!.n);
  const isFlagged = "(b.flag_count > 0 OR b.status <> 'ready')";
  const sourceFlagged = await count(`SELECT count(*) AS n FROM bills b WHERE b.period = $period AND b.is_current AND ${isFlagged}`);
  const sourceAll = await count('SELECT count(*) AS n FROM bills b WHERE b.period = $period AND b.is_current');
  const stride = Number((await store.rows('SELECT max(account_key) + 1 AS n FROM accounts'))[0]!.n);
  const flaggedCopies = Math.ceil((flagged - sourceFlagged) / sourceFlagged);
  const readyCopies = Math.max(0, Math.ceil((bills - flagged - (sourceAll - sourceFlagged)) / (sourceAll - sourceFlagged)));
  // Copy r of account k becomes account k + r × stride, id "<id>-r"; flagged ones take copies 1..F, the others F+1..F+R.
  await store.run(`CREATE TEMP TABLE copies AS
    SELECT b.account_key AS source_key, r.copy, b.account_key + r.copy * ${stride} AS account_key
    FROM bills b, range(1, ${flaggedCopies + readyCopies + 1}) r(copy)
    WHERE b.period = ${key} AND b.is_current
      AND (CASE WHEN ${isFlagged} THEN r.copy <= ${flaggedCopies} ELSE r.copy > ${flaggedCopies} END)`);
  await store.run(`INSERT INTO accounts SELECT c.account_key, a.account_id || '-' || c.copy, a.* EXCLUDE (account_key, account_id)
    FROM copies c JOIN accounts a ON a.account_key = c.source_key`);
  await store.run(`INSERT INTO bills SELECT c.account_key, b.* EXCLUDE (account_key)
    FROM copies c JOIN bills b ON b.account_key = c.source_key WHERE b.period IN (${key}, ${prev}) AND b.is_current`);
  await store.run(`INSERT INTO flags SELECT c.account_key, f.* EXCLUDE (account_key)
    FROM copies c JOIN flags f ON f.account_key = c.source_key WHERE f.period = ${key}`);
  await store.run('DROP TABLE copies');
  return {
    flagged: await count(`SELECT count(*) AS n FROM bills b WHERE b.period = $period AND b.is_current AND ${isFlagged}`),
    bills: await count('SELECT count(*) AS n FROM bills b WHERE b.period = $period AND b.is_current'),
  };
}

interface Client {
  get(path: string): Promise<Response>;
  post(path: string, body: unknown): Promise<Response>;
}

async function signIn(url: string, name: string): Promise<Client> {
  const cookieOf = (r: Response, previous: string) => r.headers.getSetCookie().map((c) => c.split(';')[0]!).find((c) => c.startsWith('billrun_desk=')) ?? previous;
  const first = await fetch(`${url}/login`);
  let cookie = cookieOf(first, '');
  const token = /name="_csrf" value="([^"]+)"/.exec(await first.text())![1]!;
  const login = await fetch(`${url}/login`, {
    method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: token, name, password: PASSWORD }).toString(),
  });
  cookie = cookieOf(login, cookie);
  const page = await fetch(`${url}/lookup`, { headers: { cookie } });
  cookie = cookieOf(page, cookie);
  const csrf = /name="csrf-token" content="([^"]+)"/.exec(await page.text())![1]!;
  return {
    get: (path) => fetch(`${url}${path}`, { headers: { cookie } }),
    post: (path, body) => fetch(`${url}${path}`, {
      method: 'POST', headers: { cookie, 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify(body),
    }),
  };
}

interface Timing {
  median: number;
  p95: number;
  max: number;
  n: number;
}

function summarize(ms: number[]): Timing {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { median: Math.round(at(0.5)), p95: Math.round(at(0.95)), max: Math.round(s.at(-1)!), n: s.length };
}

async function time(reps: number, call: (i: number) => Promise<Response>): Promise<Timing> {
  await (await call(-1)).arrayBuffer(); // warm: the first call compiles the statements
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const response = await call(i);
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`HTTP ${response.status} from a timed call`);
    ms.push(performance.now() - t0);
  }
  return summarize(ms);
}

async function heldAccounts(store: Store, limit: number, original: boolean): Promise<string[]> {
  return (await store.rows(`SELECT a.account_id FROM bills b JOIN accounts a USING (account_key)
    WHERE b.period = $period AND b.is_current AND b.status = 'held' AND ($original = (a.account_id NOT LIKE '%-%'))
    ORDER BY b.score DESC LIMIT $limit`, { period: periodKey(PERIOD), limit, original })).map((r) => String(r.account_id));
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { flagged: { type: 'string', default: '100000' }, bills: { type: 'string', default: '1000000' },
    dir: { type: 'string', default: '/tmp/billrun-desk-bench' }, reps: { type: 'string', default: '20' } } });
  const reps = Number(values.reps);
  const source = prepare(values.dir!);

  // ---- the queue at size ----
  const big = join(values.dir!, 'big.duckdb');
  rmSync(big, { force: true });
  copyFileSync(source, big);
  sync();
  let store = await openStore(big);
  const t0 = performance.now();
  const size = await expand(store, Number(values.flagged), Number(values.bills));
  console.log(`expanded to ${size.flagged.toLocaleString('en-US')} flagged of ${size.bills.toLocaleString('en-US')} bills in ${PERIOD} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  for (const [name, role] of [['ana', 'reviewer'], ['bob', 'reviewer']] as const) await addUser(store, name, role, PASSWORD, new Date());
  let desk = await serveDesk({ store, host: '127.0.0.1', port: 0, now: () => new Date(), softwareVersion: 'bench', loginAttemptsPerMinute: 100 });
  let ana = await signIn(desk.url, 'ana');
  const deepPage = Math.floor(size.flagged / 50 / 2);
  const region = String((await store.rows('SELECT min(region) AS r FROM accounts'))[0]!.r);
  const [original] = await heldAccounts(store, 1, true);
  const held = await heldAccounts(store, reps + 1, false);
  const atSize = {
    queueFirstPage: await time(reps, () => ana.get(`/queue?period=${PERIOD}`)),
    queueDeepPage: await time(reps, () => ana.get(`/queue?period=${PERIOD}&page=${deepPage}`)),
    queueFiltered: await time(reps, () => ana.get(`/queue?period=${PERIOD}&region=${region}&class=residential&min_score=1000`)),
    queueApiPage: await time(reps, () => ana.get(`/api/queue?period=${PERIOD}&page=2`)),
    accountPage: await time(reps, () => ana.get(`/accounts/${original}?period=${PERIOD}`)),
    decision: await time(reps, (i) => ana.post('/api/decisions', { account: held[i + 1]!, period: PERIOD, action: 'release', note: 'bench' })),
  };
  await desk.close();
  store.close();
  rmSync(big, { force: true });

  // ---- decisions while a bill run goes on (the store as billed) ----
  const small = join(values.dir!, 'small.duckdb');
  copyFileSync(source, small);
  sync();
  store = await openStore(small);
  for (const [name, role] of [['ana', 'reviewer']] as const) await addUser(store, name, role, PASSWORD, new Date());
  desk = await serveDesk({ store, host: '127.0.0.1', port: 0, now: () => new Date(), softwareVersion: 'bench', loginAttemptsPerMinute: 100 });
  ana = await signIn(desk.url, 'ana');
  const targets = await heldAccounts(store, 200, true);
  const idle = await time(Math.min(reps, 10), (i) => ana.post('/api/decisions', { account: targets[i + 1]!, period: PERIOD, action: 'hold', note: 'bench idle' }));
  let running = true;
  const runStarted = performance.now();
  const run = runThroughDesk(findDesk(small)!, { periods: [addPeriods(PERIOD, -1)], rebill: true }, () => undefined).finally(() => (running = false));
  const during: number[] = [];
  let next = 20;
  while (running && next < targets.length) {
    const t = performance.now();
    const response = await ana.post('/api/decisions', { account: targets[next++]!, period: PERIOD, action: 'release', note: 'bench during a run' });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`HTTP ${response.status} from a decision during the run`);
    if (running) during.push(performance.now() - t);
  }
  const [summary] = await run;
  const runSeconds = (performance.now() - runStarted) / 1000;
  await desk.close();
  store.close();
  rmSync(small, { force: true });

  const results = {
    measuredAt: new Date().toISOString(), machine: { cores: cpus().length, cpu: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version },
    period: PERIOD, flagged: size.flagged, bills: size.bills, atSize,
    duringRun: { run: { period: summary!.period, accounts: summary!.accountsIn, seconds: Number(runSeconds.toFixed(1)) }, idle, decision: summarize(during) },
  };
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'desk.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(JSON.stringify(results, null, 2));
}

await main();
