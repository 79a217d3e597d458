// Output folders and files at the CLI boundary: an output that cannot be written stops the command
// before it changes anything (exit 6 naming the folder); a period that was never billed has no
// statements (exit 2, as the review commands say); leftovers of a killed run are cleaned up.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers.js';
import { PERIOD, POLICY, smallStore, type SmallStore } from './fixture.js';

// One billed store for the tests that only read it (tempDir() folders go after each test).
let billed: SmallStore;
beforeAll(async () => {
  billed = await smallStore(mkdtempSync(join(tmpdir(), 'billrun-outputs-')));
});
afterAll(() => rmSync(billed.dir, { recursive: true, force: true }));

/** A path that no one can create, root included: it runs through a regular file. */
function throughAFile(dir: string): { file: string; path: string } {
  const file = join(dir, 'plain-file');
  writeFileSync(file, 'not a folder\n');
  return { file, path: join(file, 'sub') };
}

describe('an output folder that cannot be written', () => {
  it('bill: exit 6 naming the folder, before any bill is made current', async () => {
    const dir = tempDir();
    const { db, out } = await smallStore(dir, { bill: false });
    const { file, path } = throughAFile(dir);
    const refused = await runCli(['bill', '--period', PERIOD, '--out', path], db);
    expect(refused.err).toBe(`billrun: cannot write to the output folder ${join(path, PERIOD)}: ${file} is a file, not a folder\n`);
    expect(refused.code).toBe(6);
    // Nothing was billed: the same period bills now as version 1, without --rebill.
    const bill = await runCli(['bill', '--period', PERIOD, '--out', out, '--json'], db);
    expect(bill.code, bill.err).toBe(3);
    expect(JSON.parse(bill.out)).toMatchObject({ runId: 1, billVersion: 1, resumed: false, billed: 1, errored: 1 });
  });

  it('bill: a folder that fails while the outputs are written is named, and the same command then writes them without re-billing', async () => {
    const dir = tempDir();
    const { db, out } = await smallStore(dir, { bill: false });
    // A folder where the bills' temp file goes: the check before the run cannot see it coming.
    const blocked = join(out, PERIOD, `bills.parquet.${process.pid}.tmp`);
    mkdirSync(blocked, { recursive: true });
    const failed = await runCli(['bill', '--period', PERIOD, '--out', out], db);
    expect(failed.err).toBe(`billrun: cannot write the outputs of ${PERIOD} to ${join(out, PERIOD)} (Cannot open file "${blocked}": Is a directory); ` +
      'the bills are stored and current: run the same command again to write the outputs\n');
    expect(failed.code).toBe(6);
    rmSync(blocked, { recursive: true });
    const again = await runCli(['bill', '--period', PERIOD, '--out', out, '--json'], db);
    expect(again.code, again.err).toBe(3);
    expect(JSON.parse(again.out)).toMatchObject({ runId: 1, billVersion: 1, resumed: true, billed: 1, errored: 1 });
    expect(readFileSync(join(out, PERIOD, 'bills.parquet')).subarray(0, 4).toString()).toBe('PAR1');
  });

  it('statements, review report and review export: exit 6 naming the folder or the file', async () => {
    const { dir, db } = billed;
    const { file, path } = throughAFile(dir);
    const statements = await runCli(['statements', '--period', PERIOD, '--out', path], db);
    expect(statements.err).toBe(`billrun: cannot write to the output folder ${path}: ${file} is a file, not a folder\n`);
    expect(statements.code).toBe(6);
    for (const [command, name] of [['report', 'report.html'], ['export', 'queue.csv']] as const) {
      const target = join(path, name);
      const result = await runCli(['review', command, '--period', PERIOD, '--out', target], db);
      expect(result.err).toBe(`billrun: cannot write ${target}: ${file} is a file, not a folder\n`);
      expect(result.code).toBe(6);
    }
  });

  // Linux's /proc lets root pass access() but makes no folder (mkdir: ENOENT), where Node's own
  // recursive mkdir never returns: these commands spun at full CPU until killed.
  it.runIf(process.platform === 'linux')('a folder that cannot be made under one that looks writable (/proc): exit 6 before any work', async () => {
    const { db } = billed;
    const path = `/proc/billrun-${process.pid}`;
    for (const args of [['statements', '--period', PERIOD, '--out', path], ['statements', '--period', PERIOD, '--out', path, '--layout', 'stream'],
      ['bill', '--period', PERIOD, '--rebill', '--out', path]]) {
      const result = await runCli(args, db);
      expect(result.code, args.join(' ')).toBe(6);
      // As root access() passes and the probe folder fails; as another user access() says so.
      expect(result.err, args.join(' ')).toMatch(
        /^billrun: cannot write to the output folder \/proc\/billrun-\d+(\/\d{4}-\d{2})?: (cannot make a folder in \/proc \([A-Z]+\)|no permission to write in \/proc)\n$/);
    }
  });

  it('review report, review export, explain and tariff simulate --out in a folder that is not there: exit 6 naming it, nothing written', async () => {
    const { dir, db } = billed;
    const missing = join(dir, 'no', 'such');
    const commands: [string, string[]][] = [
      ['report.html', ['review', 'report', '--period', PERIOD]],
      ['queue.csv', ['review', 'export', '--period', PERIOD]],
      ['changes.jsonl', ['explain', '--period', PERIOD]],
      ['impact.html', ['tariff', 'simulate', POLICY, '--period', PERIOD]],
    ];
    for (const [name, args] of commands) {
      const target = join(missing, name);
      const result = await runCli([...args, '--out', target], db);
      expect([result.code, result.err, result.out], name).toEqual([6, `billrun: cannot write ${target}: no such folder ${missing}\n`, '']);
    }
    expect(existsSync(join(dir, 'no'))).toBe(false);
  });

  it('explain --out naming a folder: exit 2, as review export', async () => {
    const { dir, db } = billed;
    const folder = join(dir, 'explanations');
    mkdirSync(folder);
    const result = await runCli(['explain', '--period', PERIOD, '--out', folder], db);
    expect([result.code, result.err]).toEqual([2, `billrun: ${folder} is a folder: --out takes a file name\n`]);
  });

  it('review export --out naming a folder: exit 2', async () => {
    const { dir, db } = billed;
    const folder = join(dir, 'exports');
    mkdirSync(folder);
    const result = await runCli(['review', 'export', '--period', PERIOD, '--out', folder], db);
    expect(result.err).toBe(`billrun: ${folder} is a folder: --out takes a file name\n`);
    expect(result.code).toBe(2);
  });
});

describe('statements of a period that has not been billed', () => {
  it('exit 2 with the review commands\' message, and no folder written', async () => {
    const { dir, db } = billed;
    const out = join(dir, 'statements');
    const result = await runCli(['statements', '--period', '2024-08', '--out', out], db);
    expect(result.err).toBe('billrun: 2024-08 has not been billed: no statements to write\n');
    expect(result.code).toBe(2);
    expect(existsSync(out)).toBe(false);
    const review = await runCli(['review', 'list', '--period', '2024-08'], db);
    expect(review.err).toBe('billrun: 2024-08 has not been billed: nothing to review\n');
    expect(review.code).toBe(2);
  });
});

describe('temp files of a killed bill run', () => {
  it('are removed when the outputs are written again; a live run\'s temp file is left alone', async () => {
    const dir = tempDir();
    const { db, out } = await smallStore(dir, { bill: false });
    const dead = await exitedPid();
    const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)']);
    try {
      const folder = join(out, PERIOD);
      mkdirSync(folder, { recursive: true });
      const deadTemp = join(folder, `bills.parquet.${dead}.tmp`);
      const liveTemp = join(folder, `line_items.parquet.${live.pid}.tmp`);
      writeFileSync(deadTemp, 'half a file');
      writeFileSync(liveTemp, 'a file being written');
      const bill = await runCli(['bill', '--period', PERIOD, '--out', out], db);
      expect(bill.code, bill.err).toBe(3);
      expect(existsSync(deadTemp)).toBe(false);
      expect(readFileSync(liveTemp, 'utf8')).toBe('a file being written');
      expect(readFileSync(join(folder, 'bills.parquet')).subarray(0, 4).toString()).toBe('PAR1');
    } finally {
      live.kill();
    }
  });
});

/** The pid of a process that has exited. */
function exitedPid(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', '0']);
    child.on('error', reject);
    child.on('exit', () => resolve(child.pid!));
  });
}
