// A billed store and a running desk for the server tests: generated data billed through the CLI
// (800 accounts, 14 months), one held account renamed to markup, and three users of each kind.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { serveDesk, addUser, type RunningDesk } from '../../src/server/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { billedStore, type BilledStore } from '../billed-store.js';

export const PERIOD = '2025-02';
export const SCRIPT_NAME = '<script>alert("x")</script><img src=x onerror=alert(1)> & Sons';
export const PASSWORD = 'correct horse battery';
export const USERS = { ana: 'reviewer', bob: 'reviewer', sam: 'supervisor', ali: 'agent' } as const;

export async function deskStore(): Promise<BilledStore> {
  return billedStore({ accounts: 800, months: 14, start: '2024-01', seed: 11, anomalyRate: 0.05 });
}

export interface Desk {
  store: Store;
  desk: RunningDesk;
  url: string;
  /** Held accounts of PERIOD, highest score first. */
  held: string[];
  scriptAccount: string;
  close(): Promise<void>;
}

/** A private copy of the billed store, served by a desk on a free port. */
export async function startDesk(billed: BilledStore, now = () => new Date()): Promise<Desk> {
  // Not tempDir(): that is emptied after each test, and the desk outlives single tests.
  const dir = mkdtempSync(join(tmpdir(), 'billrun-desk-'));
  const db = join(dir, 'store.duckdb');
  copyFileSync(billed.db, db);
  const store = await openStore(db);
  const held = (await store.rows(`SELECT a.account_id FROM bills b JOIN accounts a USING (account_key)
    WHERE b.period = 202502 AND b.is_current AND b.status = 'held' ORDER BY b.score DESC, a.account_id`)).map((r) => String(r.account_id));
  expect(held.length).toBeGreaterThanOrEqual(30);
  const scriptAccount = held.at(-1)!;
  await store.run('UPDATE accounts SET name = $name WHERE account_id = $id', { name: SCRIPT_NAME, id: scriptAccount });
  for (const [name, role] of Object.entries(USERS)) await addUser(store, name, role, PASSWORD, now());
  const desk = await serveDesk({ store, host: '127.0.0.1', port: 0, now, softwareVersion: 'test', loginAttemptsPerMinute: 20 });
  return {
    store, desk, url: desk.url, held, scriptAccount,
    async close() {
      await desk.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A signed-in HTTP client (cookie and CSRF token), as a browser would hold them. */
export interface Client {
  get(path: string): Promise<Response>;
  post(path: string, body: unknown, options?: { csrf?: boolean }): Promise<Response>;
}

function cookieOf(response: Response, previous: string): string {
  const set = response.headers.getSetCookie().map((c) => c.split(';')[0]!).find((c) => c.startsWith('billrun_desk='));
  return set ?? previous;
}

export async function signIn(url: string, name: string, password = PASSWORD): Promise<Client & { status: number }> {
  let cookie = '';
  const first = await fetch(`${url}/login`);
  cookie = cookieOf(first, cookie);
  const loginToken = /name="_csrf" value="([^"]+)"/.exec(await first.text())![1]!;
  const login = await fetch(`${url}/login`, {
    method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: loginToken, name, password }).toString(),
  });
  cookie = cookieOf(login, cookie);
  const page = await fetch(`${url}/lookup`, { headers: { cookie } });
  cookie = cookieOf(page, cookie);
  const csrf = /name="csrf-token" content="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  return {
    status: login.status,
    get: (path) => fetch(`${url}${path}`, { headers: { cookie, accept: 'application/json' }, redirect: 'manual' }),
    post: (path, body, options) => fetch(`${url}${path}`, {
      method: 'POST', redirect: 'manual',
      headers: { cookie, 'content-type': 'application/json', accept: 'application/json', ...(options?.csrf === false ? {} : { 'x-csrf-token': csrf }) },
      body: JSON.stringify(body),
    }),
  };
}
