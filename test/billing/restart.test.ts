// The bill run's promises under failure: killed at random moments it resumes to exactly the bills
// of an uninterrupted run; a billed period is refused without --rebill; a second process on the
// same store is turned away; outputs are the same bytes whatever the worker count.
import { spawn } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { billedStore, type BilledStore } from '../billed-store.js';
import { runCli, tempDir } from '../helpers.js';

const BIN = join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'bin.js');

let billed: BilledStore;
let period: string;
beforeAll(async () => {
  // Two periods billed for history; the third is the one the tests run.
  billed = await billedStore({ accounts: 2500, months: 3, seed: 21, billedMonths: 2 });
  period = '2024-03';
});
afterAll(() => billed.remove());

function copyStore(name: string): string {
  const dir = tempDir();
  const db = join(dir, `${name}.duckdb`);
  copyFileSync(billed.db, db);
  return db;
}

function run(db: string, args: string[], quiet = true): { child: ReturnType<typeof spawn>; done: Promise<{ code: number | null; signal: string | null; err: string }> } {
  const child = spawn(process.execPath, [BIN, '--db', db, ...(quiet ? ['--quiet'] : []), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (chunk) => (err += chunk));
  const done = new Promise<{ code: number | null; signal: string | null; err: string }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal, err }));
  });
  return { child, done };
}

/** A digest of everything a run stores for the period, independent of keys and insertion order. */
async function periodDigest(db: string): Promise<Record<string, unknown>> {
  const store = await openStore(db, { readOnly: true });
  const [bills] = await store.rows(`SELECT count(*)::INTEGER AS n, count(DISTINCT account_key)::INTEGER AS accounts,
      sum(amount_minor)::BIGINT::VARCHAR AS amount, md5(string_agg(a.account_id || ':' || b.status || ':' || b.amount_minor || ':' || b.kwh_milli || ':' || b.score, ',' ORDER BY a.account_id)) AS digest
    FROM bills b JOIN accounts a USING (account_key) WHERE b.period = 202403`);
  const [items] = await store.rows(`SELECT count(*)::INTEGER AS n, md5(string_agg(a.account_id || ':' || l.seq || ':' || c.label || ':' || l.quantity_milli || ':' || l.amount_minor, ',' ORDER BY a.account_id, l.seq)) AS digest
    FROM line_items l JOIN accounts a USING (account_key) JOIN charges c USING (charge_key) WHERE l.period = 202403`);
  const [flags] = await store.rows(`SELECT count(*)::INTEGER AS n, md5(string_agg(a.account_id || ':' || f.rule_id || ':' || f.reason, ',' ORDER BY a.account_id, f.rule_id, f.reason)) AS digest
    FROM flags f JOIN accounts a USING (account_key) WHERE f.period = 202403`);
  const [runs] = await store.rows(`SELECT count(*)::INTEGER AS n, bool_and(status = 'done') AS done FROM runs WHERE period = 202403`);
  store.close();
  return { bills, items, flags, runs };
}

describe('bill run under failure', () => {
  it('resumes after kill -9 at random moments to exactly the bills of an uninterrupted run', async () => {
    const reference = copyStore('reference');
    const clean = await runCli(['bill', '--period', period, '--batch-size', '100'], reference);
    expect(clean.code, clean.err).toBeLessThanOrEqual(3);
    const expected = await periodDigest(reference);
    expect((expected.bills as { n: number }).n).toBeGreaterThan(2000);

    const killed = copyStore('killed');
    // A fixed seed keeps the kill moments reproducible; the failing seed is printed on a mismatch.
    let seed = 20240301;
    const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let kills = 0;
    for (let attempt = 0; attempt < 12; attempt++) {
      const { child, done } = run(killed, ['bill', '--period', period, '--batch-size', '100']);
      if (attempt < 6) {
        const delay = 150 + Math.floor(next() * 1500);
        const timer = setTimeout(() => child.kill('SIGKILL'), delay);
        const result = await done;
        clearTimeout(timer);
        if (result.signal === 'SIGKILL') {
          kills++;
          continue;
        }
        expect(result.code, result.err).toBeLessThanOrEqual(3);
        break;
      }
      const result = await done;
      expect(result.code, result.err).toBeLessThanOrEqual(3);
      break;
    }
    expect(kills, 'the run was never interrupted: the kill delays are too long for this machine').toBeGreaterThan(0);
    expect(await periodDigest(killed), `kill seed 20240301, ${kills} kills`).toEqual(expected);
  });

  it('resumes a run interrupted by a billrun from before the band scales and the own-season months, measuring the scales from its staged rows', async () => {
    const reference = copyStore('scales-reference');
    expect((await runCli(['bill', '--period', period, '--batch-size', '100'], reference)).code).toBeLessThanOrEqual(3);
    const db = copyStore('scales');
    const first = run(db, ['bill', '--period', period, '--batch-size', '100'], false);
    await new Promise<void>((resolve) => first.child.stderr!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('billing 2024-03')) resolve();
    }));
    first.child.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    // What a run started by rules 2026.7 left: staged rows and peers, no band scales, no own-season
    // months (a period with two months of history has none: the bills stay the reference's).
    const store = await openStore(db);
    expect(await store.rows(`SELECT status::VARCHAR AS status FROM runs WHERE period = 202403`)).toEqual([{ status: 'running' }]);
    await store.connection.run('DROP TABLE run_scales');
    for (const column of ['yoy_level', 'since_low', 'since_high', 'yoy_recent_log_level']) await store.connection.run(`ALTER TABLE run_staging DROP COLUMN ${column}`);
    store.close();
    const resumed = await runCli(['bill', '--period', period, '--batch-size', '100'], db);
    expect(resumed.code, resumed.err).toBeLessThanOrEqual(3);
    expect(await periodDigest(db)).toEqual(await periodDigest(reference));
  });

  it('refuses to bill a billed period again without --rebill, and keeps the earlier version with it', async () => {
    const db = copyStore('rebill');
    expect((await runCli(['bill', '--period', period], db)).code).toBeLessThanOrEqual(3);
    const again = await runCli(['bill', '--period', period], db);
    expect(again.code).toBe(5);
    expect(again.err).toMatch(/2024-03 is already billed \(run \d+, version 1, finished .*\); use --rebill/);
    const rebill = await runCli(['bill', '--period', period, '--rebill'], db);
    expect(rebill.code, rebill.err).toBeLessThanOrEqual(3);
    const store = await openStore(db, { readOnly: true });
    expect(await store.rows(`SELECT bill_version, bool_and(is_current) AS current, count(*) > 2000 AS many
      FROM bills WHERE period = 202403 GROUP BY ALL ORDER BY bill_version`)).toEqual([
      { bill_version: 1, current: false, many: true },
      { bill_version: 2, current: true, many: true },
    ]);
    store.close();
  });

  it('turns a second run on the same store away with a clear message', async () => {
    const db = copyStore('busy');
    const first = run(db, ['bill', '--period', period, '--batch-size', '50'], false);
    // Its first progress line means it holds the store and is billing.
    await new Promise<void>((resolve) => first.child.stderr!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('billing 2024-03')) resolve();
    }));
    const second = await new Promise<{ code: number | null; err: string }>((resolve) => {
      const { done } = run(db, ['bill', '--period', period]);
      void done.then(resolve);
    });
    const firstResult = await first.done;
    expect(firstResult.code, firstResult.err).toBeLessThanOrEqual(3);
    expect(second.code).toBe(4);
    expect(second.err).toMatch(/the store .*busy\.duckdb is in use by another process \(pid \d+\)/);
    expect(second.err).not.toMatch(/\n\s+at /);
  });

  it('writes the same bytes whatever the number of workers, the batch size and the determinants ranges', async () => {
    const one = copyStore('one');
    const two = copyStore('two');
    const outOne = tempDir();
    const outTwo = tempDir();
    expect((await runCli(['bill', '--period', period, '--workers', '1', '--out', outOne], one)).code).toBeLessThanOrEqual(3);
    expect((await runCli(['bill', '--period', period, '--workers', '2', '--batch-size', '333', '--stage-size', '97', '--out', outTwo], two)).code).toBeLessThanOrEqual(3);
    for (const file of ['bills.parquet', 'line_items.parquet', 'flags.parquet', 'errors.csv']) {
      expect(readFileSync(join(outOne, period, file)).equals(readFileSync(join(outTwo, period, file))), file).toBe(true);
    }
    const manifest = (dir: string) => {
      const { run: _run, ...rest } = JSON.parse(readFileSync(join(dir, period, 'manifest.json'), 'utf8')) as Record<string, unknown>;
      return { ...rest, outputs: undefined, run_id: undefined };
    };
    expect(manifest(outOne)).toEqual(manifest(outTwo));
  });
});
