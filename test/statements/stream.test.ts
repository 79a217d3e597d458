// `statements --layout stream` on the golden store: every index row points at exactly its
// statement (checked against the statement the files layout writes for the same account), every
// sendable bill appears once per format, reruns give the same bytes, held bills only as drafts.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statementPath } from '../../src/statements/index.js';
import { parseCsv } from '../../src/text/csv.js';
import { runCli } from '../helpers.js';
import { HELD_ACCOUNT, INPUT, PERIOD, statementsFixture, UTILITY, type StatementsFixture } from './fixture.js';

interface StreamEntry { file: string; index: string; format: string; draft: boolean; statements: number; bytes: number; sha256: string; index_sha256: string }
interface StreamsManifest { schema: string; statements: number; drafts: number; held_skipped: number; streams: StreamEntry[] }
interface IndexRow { accountId: string; region: string; offset: number; length: number; pages: string; sha256: string }

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');
// Every account of the golden input; all are billed in July, one is held.
const ACCOUNTS = parseCsv(readFileSync(join(INPUT, 'accounts.csv'), 'utf8')).slice(1).map((r) => r.cells[0]!);
const SENDABLE = ACCOUNTS.filter((a) => a !== HELD_ACCOUNT).sort();

let fx: StatementsFixture;
let filesOut: string;
beforeAll(async () => {
  fx = await statementsFixture();
  // The files layout, as the reference for each statement's bytes.
  filesOut = join(fx.dir, 'files');
  const files = await statements(filesOut, '--format', 'html,txt,json', '--include-held');
  expect(files.code, files.err).toBe(0);
}, 600_000);
afterAll(() => fx?.remove());

async function statements(out: string, ...args: string[]) {
  return runCli(['statements', '--period', PERIOD, '--out', out, '--utility', UTILITY, '--json', ...args], fx.db);
}

function streamsDir(out: string): string {
  return join(out, PERIOD, 'streams');
}

function manifest(out: string): StreamsManifest {
  return JSON.parse(readFileSync(join(streamsDir(out), 'manifest.json'), 'utf8')) as StreamsManifest;
}

function indexRows(out: string, entry: StreamEntry): IndexRow[] {
  const [header, ...rows] = parseCsv(readFileSync(join(streamsDir(out), entry.index), 'utf8'));
  expect(header!.cells).toEqual(['account_id', 'region', 'offset', 'length', 'pages', 'sha256']);
  return rows.map(({ cells: [accountId, region, offset, length, pages, sha] }) => ({
    accountId: accountId!, region: region!, offset: Number(offset), length: Number(length), pages: pages!, sha256: sha!,
  }));
}

/** The statement the files layout wrote for the account, as the stream must hold it. */
function expectedBytes(accountId: string, region: string, format: string, draft: boolean): Buffer {
  const ext = format === 'jsonl' ? 'json' : format;
  const file = readFileSync(join(filesOut, PERIOD, statementPath(accountId, region, 1, draft, ext)));
  if (ext !== 'html') return file;
  const text = file.toString('utf8');
  return Buffer.from(text.slice(text.indexOf('<body>') + '<body>'.length, text.lastIndexOf('</body>')));
}

function treeDigest(dir: string): Record<string, string> {
  const digest: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else digest[relative(dir, path)] = sha256(readFileSync(path));
    }
  };
  walk(dir);
  return digest;
}

describe('billrun statements --layout stream', () => {
  it('indexes every sendable statement once per format, at exactly its bytes, with its checksum', async () => {
    const out = join(fx.dir, 'stream');
    // Batches of 2: the 5 sendable statements make 3 streams per format.
    const run = await statements(out, '--layout', 'stream', '--format', 'html,txt,json', '--batch-size', '2');
    expect(run.code, run.err).toBe(0);
    const m = manifest(out);
    expect(m.statements).toBe(5);
    expect(m.held_skipped).toBe(1);
    expect(m.streams.map((s) => s.file)).toEqual([
      'statements-00001.html', 'statements-00001.jsonl', 'statements-00001.txt',
      'statements-00002.html', 'statements-00002.jsonl', 'statements-00002.txt',
      'statements-00003.html', 'statements-00003.jsonl', 'statements-00003.txt',
    ]);
    for (const format of ['html', 'txt', 'jsonl']) {
      const seen: string[] = [];
      for (const entry of m.streams.filter((s) => s.file.endsWith(`.${format}`))) {
        const stream = readFileSync(join(streamsDir(out), entry.file));
        expect(sha256(stream)).toBe(entry.sha256);
        expect(stream.length).toBe(entry.bytes);
        expect(sha256(readFileSync(join(streamsDir(out), entry.index)))).toBe(entry.index_sha256);
        const rows = indexRows(out, entry);
        expect(rows.length).toBe(entry.statements);
        for (const row of rows) {
          const bytes = stream.subarray(row.offset, row.offset + row.length);
          expect(bytes.equals(expectedBytes(row.accountId, row.region, format, false)), `${entry.file} ${row.accountId}`).toBe(true);
          expect(sha256(bytes)).toBe(row.sha256);
          expect(row.pages).toBe('');
          seen.push(row.accountId);
        }
        const text = stream.toString('utf8');
        if (format === 'html') {
          expect(text.startsWith('<!DOCTYPE html>')).toBe(true);
          expect(text).toContain('main{break-after:page}');
          expect(text.match(/<main>/g)).toHaveLength(rows.length);
          expect(text.endsWith('</body></html>\n')).toBe(true);
        }
        if (format === 'txt') {
          // Exactly the statements, a form feed between each two.
          expect(text).toBe(rows.map((r) => expectedBytes(r.accountId, r.region, 'txt', false).toString('utf8')).join('\f'));
        }
      }
      expect(seen).toEqual(SENDABLE);
    }
    expect(existsSync(join(streamsDir(out), 'drafts'))).toBe(false);
  }, 300_000);

  it('gives the same bytes on a rerun, replacing the streams whole', async () => {
    const out = join(fx.dir, 'rerun');
    const first = await statements(out, '--layout', 'stream', '--format', 'html,txt', '--batch-size', '2');
    expect(first.code, first.err).toBe(0);
    const before = treeDigest(streamsDir(out));
    const again = await statements(out, '--layout', 'stream', '--format', 'html,txt', '--batch-size', '2');
    expect(again.code, again.err).toBe(0);
    expect(treeDigest(streamsDir(out))).toEqual(before);
    // A rerun with another batch size leaves no stream of the earlier one behind.
    const wider = await statements(out, '--layout', 'stream', '--format', 'html', '--batch-size', '10');
    expect(wider.code, wider.err).toBe(0);
    expect(Object.keys(treeDigest(streamsDir(out))).sort()).toEqual(['manifest.json', 'statements-00001.html', 'statements-00001.html.index.csv']);
    expect(readdirSync(join(out, PERIOD))).toEqual(['streams']);
  }, 300_000);

  it('puts a held bill only in a drafts stream, and only with --include-held', async () => {
    const out = join(fx.dir, 'held');
    const run = await statements(out, '--layout', 'stream', '--format', 'txt', '--include-held');
    expect(run.code, run.err).toBe(0);
    const m = manifest(out);
    expect(m.streams.map((s) => s.file)).toEqual(['drafts/statements-00001.txt', 'statements-00001.txt']);
    const [drafts, sendable] = m.streams;
    const draftRows = indexRows(out, drafts!);
    expect(draftRows.map((r) => r.accountId)).toEqual([HELD_ACCOUNT]);
    const stream = readFileSync(join(streamsDir(out), drafts!.file));
    expect(stream.equals(expectedBytes(HELD_ACCOUNT, draftRows[0]!.region, 'txt', true))).toBe(true);
    expect(indexRows(out, sendable!).map((r) => r.accountId)).toEqual(SENDABLE);
    expect(m.drafts).toBe(1);
  }, 300_000);

  it('refuses --account and --region: a stream run replaces the whole period', async () => {
    const run = await statements(join(fx.dir, 'filtered'), '--layout', 'stream', '--account', HELD_ACCOUNT);
    expect(run.code).toBe(2);
    expect(run.err).toContain('--layout stream');
    expect(existsSync(join(fx.dir, 'filtered'))).toBe(false);
  }, 300_000);
});
