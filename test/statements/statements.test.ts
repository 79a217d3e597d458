// The statements command on the golden store: held bills and drafts, reruns, the manifest and
// its index, withdrawals, filters, and the published JSON Schema.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statementPath } from '../../src/statements/index.js';
import { runCli } from '../helpers.js';
import { parquetRows } from '../parquet.js';
import { CORRECTED_ACCOUNT, HELD_ACCOUNT, PERIOD, statementsFixture, UTILITY, type StatementsFixture } from './fixture.js';

interface IndexRow {
  account_id: string;
  region: string;
  format: string;
  path: string;
  bytes: number;
  sha256: string;
  draft: boolean;
  correction: boolean;
}

interface Manifest {
  layout: { shard_digits: number };
  index: { file: string; sha256: string; files: number };
  directory: { files: { format: string; draft: boolean; files: number; bytes: number }[]; amounts: { currency: string; statements: number; amountMinor: number }[] };
  last_run: { bills: number; held_skipped: number; statements: number; drafts: number; files: { written: number; unchanged: number; withdrawn: number } };
}

let fx: StatementsFixture;
beforeAll(async () => {
  fx = await statementsFixture();
});
afterAll(() => fx?.remove());

async function statements(out: string, ...args: string[]) {
  return runCli(['statements', '--period', PERIOD, '--out', out, '--utility', UTILITY, '--json', ...args], fx.db);
}

function manifest(out: string): Manifest {
  return JSON.parse(readFileSync(join(out, PERIOD, 'manifest.json'), 'utf8')) as Manifest;
}

async function index(out: string): Promise<IndexRow[]> {
  return await parquetRows(`SELECT account_id, region, format, path, bytes, sha256, draft, correction FROM read_parquet($path) ORDER BY path`,
    { path: join(out, PERIOD, 'files.parquet') }) as unknown as IndexRow[];
}

describe('billrun statements', () => {
  it('writes no statement for a held bill, and a marked draft apart from the statements with --include-held', async () => {
    const out = join(fx.dir, 'held');
    const first = await statements(out, '--format', 'html,json');
    expect(first.code, first.err).toBe(0);
    const summary = JSON.parse(first.out) as { bills: number; heldSkipped: number; statements: number; drafts: number };
    expect(summary).toMatchObject({ bills: 6, heldSkipped: 1, statements: 5, drafts: 0 });
    const digits = manifest(out).layout.shard_digits;
    const final = join(out, PERIOD, statementPath(HELD_ACCOUNT, 'GZ-HZ', digits, false, 'html'));
    const draft = join(out, PERIOD, statementPath(HELD_ACCOUNT, 'GZ-HZ', digits, true, 'html'));
    expect(existsSync(final)).toBe(false);
    expect(existsSync(draft)).toBe(false);

    const withDrafts = await statements(out, '--format', 'html,json', '--include-held');
    expect(withDrafts.code, withDrafts.err).toBe(0);
    expect(JSON.parse(withDrafts.out)).toMatchObject({ statements: 6, drafts: 1, heldSkipped: 0 });
    expect(draft.startsWith(join(out, PERIOD, 'drafts'))).toBe(true);
    expect(readFileSync(draft, 'utf8')).toContain('DRAFT: this bill is held for review and must not be sent');
    expect(JSON.parse(readFileSync(draft.replace(/html$/, 'json'), 'utf8'))).toMatchObject({ draft: true, bill: { status: 'held' } });
    expect(existsSync(final)).toBe(false);
    expect((await index(out)).filter((r) => r.draft).map((r) => `${r.account_id}.${r.format}`)).toEqual([`${HELD_ACCOUNT}.html`, `${HELD_ACCOUNT}.json`]);

    // Without --include-held again, the drafts this run no longer makes are withdrawn.
    const again = await statements(out, '--format', 'html,json');
    expect(JSON.parse(again.out)).toMatchObject({ files: { written: 0, unchanged: 10, withdrawn: 2 } });
    expect(existsSync(draft)).toBe(false);
    expect((await index(out)).some((r) => r.draft)).toBe(false);
  });

  it('reruns give the same bytes and write nothing; the manifest and its index account for every file', async () => {
    const out = join(fx.dir, 'rerun');
    const first = await statements(out, '--format', 'html,txt,json', '--workers', '2', '--batch-size', '2');
    expect(first.code, first.err).toBe(0);
    const rows = await index(out);
    expect(rows).toHaveLength(15);
    const before = new Map(rows.map((r) => [r.path, statSync(join(out, PERIOD, r.path)).mtimeMs]));
    for (const row of rows) {
      const bytes = readFileSync(join(out, PERIOD, row.path));
      expect(bytes.length).toBe(row.bytes);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(row.sha256);
    }
    expect(rows.filter((r) => r.correction).map((r) => r.account_id)).toEqual([CORRECTED_ACCOUNT, CORRECTED_ACCOUNT, CORRECTED_ACCOUNT]);
    const m = manifest(out);
    expect(m.index.sha256).toBe(createHash('sha256').update(readFileSync(join(out, PERIOD, m.index.file))).digest('hex'));
    expect(m.index.files).toBe(15);
    expect(m.directory.files.map((f) => [f.format, f.files])).toEqual([['html', 5], ['json', 5], ['txt', 5]]);
    expect(m.last_run).toMatchObject({ bills: 6, held_skipped: 1, statements: 5, files: { written: 15, unchanged: 0, withdrawn: 0 } });
    const total = m.directory.amounts[0]!;
    expect(total).toMatchObject({ currency: 'CNY', statements: 5 });

    // One worker and another batch size: the same files, none rewritten.
    const second = await statements(out, '--format', 'html,txt,json', '--workers', '1', '--batch-size', '100');
    expect(JSON.parse(second.out)).toMatchObject({ files: { written: 0, unchanged: 15, withdrawn: 0 } });
    expect(await index(out)).toEqual(rows);
    for (const row of rows) expect(statSync(join(out, PERIOD, row.path)).mtimeMs).toBe(before.get(row.path));

    // A file damaged on disk is put right by the next run.
    const victim = join(out, PERIOD, rows[0]!.path);
    writeFileSync(victim, 'not a statement');
    const third = await statements(out, '--format', 'html,txt,json');
    expect(JSON.parse(third.out)).toMatchObject({ files: { written: 1, unchanged: 14 } });
    expect(createHash('sha256').update(readFileSync(victim)).digest('hex')).toBe(rows[0]!.sha256);
  });

  it('renders only the accounts asked for, keeps the rest of the directory, and reports accounts without a bill', async () => {
    const out = join(fx.dir, 'filters');
    expect((await statements(out)).code).toBe(0);
    const full = await index(out);
    const one = await statements(out, '--account', 'RES-TIER-01', '--account', 'NO-SUCH-1');
    expect(one.code).toBe(3);
    expect(JSON.parse(one.out)).toMatchObject({ bills: 1, statements: 1, missingAccounts: ['NO-SUCH-1'], files: { unchanged: 1, written: 0 } });
    expect(await index(out)).toEqual(full);

    const region = await statements(out, '--region', 'GZ-TH', '--format', 'txt');
    expect(region.code, region.err).toBe(0);
    expect(JSON.parse(region.out)).toMatchObject({ bills: 2, statements: 2 });
    const after = await index(out);
    expect(after.filter((r) => r.format === 'txt').map((r) => r.account_id)).toEqual(['RES-EXCH-05', 'RES-TOU-02']);
    expect(after.filter((r) => r.format === 'html')).toEqual(full);
  });

  it('refuses bad options before touching anything', async () => {
    const out = join(fx.dir, 'refused');
    for (const [args, message] of [
      [['--format', 'pdf'], /--format takes/],
      [['--locale', 'fr'], /--locale must be one of en, zh-CN/],
      [['--account', '../etc/passwd'], /is not an account id/],
    ] as const) {
      const result = await statements(out, ...args);
      expect(result.code).toBe(2);
      expect(result.err).toMatch(message);
    }
    expect(existsSync(out)).toBe(false);
  });

  it('publishes the JSON statement as JSON Schema', async () => {
    const result = await runCli(['statements', 'schema']);
    expect(result.code, result.err).toBe(0);
    const schema = JSON.parse(result.out) as { properties: Record<string, { const?: unknown }>; required: string[] };
    expect(schema.properties.schema!.const).toBe('billrun.statement');
    expect(schema.properties.schemaVersion!.const).toBe(1);
    expect(schema.required).toEqual(expect.arrayContaining(['account', 'bill', 'lineItems', 'comparison', 'usage', 'meters']));
  });
});
