// Where a statement file goes, and how it gets there.
//
//   <out>/<period>/<region>/<shard>/<account_id>.<html|txt|json>          statements to send
//   <out>/<period>/drafts/<region>/<shard>/<account_id>.<ext>             held bills (--include-held)
//
// <shard> is the first hex digits of the FNV-1a hash of the account id, split into levels of at
// most two digits ("a3/f"), so no directory holds more than 256 subdirectories. The number of
// digits is chosen once per period from its largest region, for at most ~2,000 files per
// directory with all three formats, and recorded in the manifest so every later run of the
// period (filtered or not) finds the same paths. A region that is not a safe directory name
// gets one made from its hash. Account ids are checked against the input contract before they
// become file names.
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ACCOUNT_ID_PATTERN } from '../../schemas/inputs.js';
import { EXIT, FatalError } from '../diagnostics/index.js';
// From the module, not the store's index: this runs in the statement workers, which must not load DuckDB.
import { isProcessAlive, makeFolder } from '../store/files.js';

export const MAX_FILES_PER_DIRECTORY = 2_000;
const FORMATS_AT_MOST = 3;
const MAX_SHARD_DIGITS = 6;
const SAFE_NAME = /^[A-Za-z0-9_-]{1,32}$/;

/** Hex digits of shard needed so that `bills` accounts of one region spread to ≤ MAX_FILES_PER_DIRECTORY files per directory. */
export function shardDigitsFor(bills: number): number {
  let digits = 1;
  while (digits < MAX_SHARD_DIGITS && (bills * FORMATS_AT_MOST) / 16 ** digits > MAX_FILES_PER_DIRECTORY) digits++;
  return digits;
}

/** 32-bit FNV-1a over UTF-16 code units: stable across platforms and releases, cheap per account. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

export function regionDirectory(region: string): string {
  return SAFE_NAME.test(region) ? region : `region-${hex8(fnv1a(region))}`;
}

export function isSafeAccountId(accountId: string): boolean {
  return ACCOUNT_ID_PATTERN.test(accountId);
}

/** The statement's path relative to the period directory; the account id must be safe (isSafeAccountId). */
export function statementPath(accountId: string, region: string, shardDigits: number, draft: boolean, format: string): string {
  const hash = hex8(fnv1a(accountId)).slice(0, shardDigits);
  let shard = hash.slice(0, 2);
  for (let i = 2; i < hash.length; i += 2) shard += `/${hash.slice(i, i + 2)}`;
  return `${draft ? 'drafts/' : ''}${regionDirectory(region)}/${shard}/${accountId}.${format}`;
}

export type WriteOutcome = 'written' | 'unchanged';

/**
 * Writes a statement file. In a directory this run made (`fresh`), nothing can be there yet and
 * nobody can see the directory until publishPeriod() puts it in place, so the file is written
 * where it belongs. Anywhere else a file that already holds exactly these bytes is left alone,
 * and a new version goes to `<path>.<pid>.tmp` first and is renamed into place, so a reader (a
 * print vendor's pickup, a crash) never sees half a statement. Directories are made on the first
 * miss only: almost every statement lands in one that exists.
 */
export function writeStatementFile(path: string, content: Uint8Array, fresh: boolean): WriteOutcome {
  if (!fresh) {
    const existing = statSync(path, { throwIfNoEntry: false });
    if (existing && existing.size === content.length && readFileSync(path).equals(content)) return 'unchanged';
  }
  const target = fresh ? path : `${path}.${process.pid}.tmp`;
  let fd: number;
  try {
    fd = openSync(target, 'w');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    makeFolder(dirname(path));
    fd = openSync(target, 'w');
  }
  try {
    let offset = 0;
    while (offset < content.length) offset += writeSync(fd, content, offset);
  } finally {
    closeSync(fd);
  }
  if (!fresh) renameSync(target, path);
  return 'written';
}

export interface PeriodDirectory {
  /** Where this run writes. */
  root: string;
  /** Where the statements end up: <out>/<period>. */
  target: string;
  /** The run writes into a directory of its own that nobody sees until it is published. */
  fresh: boolean;
}

const TEMP_DIRECTORY = /^(\d{4}-\d{2})\.(\d+)\.tmp$/;

/**
 * The directory a run of `period` writes to. A period written before is updated in place, file
 * by file. A new one is written into `<period>.<pid>.tmp` beside it and renamed into place when
 * complete (publishPeriod): one rename instead of one per file, and the period appears whole.
 * A crashed run's directory is taken over, so the next run only writes what is missing.
 */
export function openPeriodDirectory(outDir: string, period: string): PeriodDirectory {
  const target = resolve(outDir, period);
  if (existsSync(target) && readdirSync(target).length > 0) return { root: target, target, fresh: false };
  makeFolder(dirname(target));
  const root = `${target}.${process.pid}.tmp`;
  for (const name of readdirSync(dirname(target))) {
    const m = TEMP_DIRECTORY.exec(name);
    if (!m || m[1] !== period || Number(m[2]) === process.pid) continue;
    if (isProcessAlive(Number(m[2]))) {
      throw new FatalError(`another run (pid ${m[2]}) is writing the ${period} statements into ${join(dirname(target), name)}; ` +
        'wait for it, or remove that directory if no such run exists', EXIT.busy);
    }
    renameSync(join(dirname(target), name), root);
    return { root, target, fresh: false };
  }
  mkdirSync(root);
  return { root, target, fresh: true };
}

/** Puts a run's own directory in place of the (absent or empty) period directory. */
export function publishPeriod(directory: PeriodDirectory): void {
  if (directory.root !== directory.target) renameSync(directory.root, directory.target);
}
