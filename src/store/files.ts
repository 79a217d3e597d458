// Output files appear whole or not at all: everything billrun writes goes to a temp name beside
// its target first and is renamed into place, so a kill never leaves half a file under the real
// name. The temp name carries the writer's pid, which is how a later run tells the leftovers of a
// dead run from the files a live one is still writing.
import { createHash } from 'node:crypto';
import {
  accessSync, closeSync, constants, createReadStream, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { EXIT, FatalError } from '../diagnostics/index.js';

/**
 * `mkdir -p`: the missing folders of `dir`, from the nearest one that exists, one at a time. Node's
 * own recursive mkdir never returns where mkdir fails with ENOENT under a folder that exists
 * (`--out /proc/x` spun at full CPU): here that error is thrown, as a plain mkdir throws it.
 */
export function makeFolder(dir: string): void {
  const missing: string[] = [];
  for (let at = resolve(dir); !existsSync(at); at = dirname(at)) {
    missing.push(at);
    if (dirname(at) === at) break;
  }
  for (const folder of missing.reverse()) {
    try {
      mkdirSync(folder);
    } catch (error) {
      // Another writer (a statements worker) made it in between.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/** The temp name a writer fills before `publishFile` renames it to `path`. */
export function tempPathFor(path: string): string {
  return `${path}.${process.pid}.tmp`;
}

/** Whether a process with this pid runs (one of another user counts: it cannot be signalled, but it is there). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Renames the filled temp file to `path`, durably: the file's data reaches the disk before the
 * rename, and the rename (the folder's entry) after it, so a power loss leaves the old file or
 * the whole new one, never an empty file under the real name. Leftover temp files of `path` from
 * runs that died before their rename are removed.
 */
export function publishFile(path: string): void {
  const temp = tempPathFor(path);
  syncToDisk(temp, 'r+');
  renameSync(temp, path);
  syncFolder(dirname(path));
  removeDeadRunTemps(path);
}

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  writeFileSync(tempPathFor(path), data);
  publishFile(path);
}

function syncToDisk(path: string, flags: string): void {
  const fd = openSync(path, flags);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function syncFolder(dir: string): void {
  try {
    syncToDisk(dir, 'r');
  } catch (error) {
    // Some platforms (Windows) cannot open a folder for syncing; their renames are durable by other means.
    if (!['EISDIR', 'EPERM', 'EACCES'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
  }
}

function removeDeadRunTemps(path: string): void {
  const prefix = `${basename(path)}.`;
  for (const name of readdirSync(dirname(path))) {
    if (!name.startsWith(prefix)) continue;
    const pid = /^(\d+)\.tmp$/.exec(name.slice(prefix.length))?.[1];
    if (pid === undefined || Number(pid) === process.pid || isProcessAlive(Number(pid))) continue;
    rmSync(join(dirname(path), name), { force: true });
  }
}

/**
 * Refuses, before any work, an output folder that cannot be written (a path through a file, a
 * folder without write permission, a read-only file system), so a command does not fail after
 * it has changed the store. Creates nothing: the folder is made when the outputs are written.
 */
export function assertWritableFolder(dir: string, what = 'to the output folder'): void {
  const reason = unwritable(dir);
  if (reason) throw new FatalError(`cannot write ${what} ${dir}: ${reason}`, EXIT.environment);
}

/**
 * `assertWritableFolder` for an output file: it must not name a folder, and its folder must be
 * writable and exist (the file's temp file is written beside it, and no folder is made for it).
 */
export function assertWritableFile(path: string): void {
  if (existsSync(path) && statSync(path).isDirectory()) throw new FatalError(`${path} is a folder: --out takes a file name`);
  const folder = dirname(resolve(path));
  const reason = unwritable(folder) ?? (existsSync(folder) ? null : `no such folder ${dirname(path)}`);
  if (reason) throw new FatalError(`cannot write ${path}: ${reason}`, EXIT.environment);
}

function unwritable(dir: string): string | null {
  let existing = resolve(dir);
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  if (!statSync(existing).isDirectory()) return `${existing} is a file, not a folder`;
  try {
    // access() also reports a read-only file system to root, whom permissions do not stop.
    accessSync(existing, constants.W_OK | constants.X_OK);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EROFS' ? `${existing} is on a read-only file system` : `no permission to write in ${existing}`;
  }
  if (existing === resolve(dir)) return null;
  // A folder still to be made: access() passes in /proc and /sys, where no folder can be made.
  const probe = join(existing, `.billrun-probe-${process.pid}`);
  try {
    mkdirSync(probe);
    rmSync(probe, { recursive: true, force: true });
    return null;
  } catch (error) {
    return `cannot make a folder in ${existing} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
  }
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
