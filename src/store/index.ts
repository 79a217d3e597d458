// The embedded store: one DuckDB database file (./billrun.duckdb by default, --db or BILLRUN_DB).
//
// Inputs: a path. Outputs: an open, migrated store. Invariants: the schema version only moves
// forward through numbered migrations (src/store/migrations/NNN_name.sql), each applied once in
// its own transaction and recorded in schema_migrations; one process at a time holds the file
// (DuckDB's own file lock), and a second one gets a clear "in use" message; a path that holds
// something other than a DuckDB database is refused before DuckDB opens it, and a store DuckDB
// cannot read (damaged, empty, a folder) is an environment fault naming the path.
import { closeSync, existsSync, openSync, readdirSync, readSync, rmSync, statSync } from 'node:fs';
import { totalmem } from 'node:os';
import { basename, join } from 'node:path';
import { DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { EXIT, FatalError } from '../diagnostics/index.js';
import { binaryFileKind, type BinaryFileKind } from '../text/index.js';
import { quoteIdent, sourceDir, sqlFile } from './sql.js';

export { appendBatch, appendColumns, allocateColumn, objectsToBatch, readColumns } from './columnar.js';
export type { ColumnBatch, ColumnData, ColumnKind, ColumnSpec } from './columnar.js';
export { fromWire, tableColumns, toWire, wireBuffers } from './arrow.js';
export type { Columns, WireBatch } from './arrow.js';
export { runTask, toWireTables, workerPool } from './pool-protocol.js';
export type { Table, TableSpecs, Tables, WireTables, WireTask } from './pool-protocol.js';
export { quoteIdent, sourceDir, sqlFile, sqlStatements } from './sql.js';
export { assertWritableFile, assertWritableFolder, isProcessAlive, makeFolder, publishFile, sha256File, tempPathFor, writeFileAtomic } from './files.js';

export const DEFAULT_STORE_PATH = './billrun.duckdb';

export interface StoreOptions {
  /** DuckDB worker threads; the bill run sets it together with its worker pool. */
  threads?: number;
  readOnly?: boolean;
  /** Memory limit for DuckDB, e.g. '8GB'. */
  memoryLimit?: string;
}

export interface Store {
  readonly path: string;
  readonly connection: DuckDBConnection;
  readonly instance: DuckDBInstance;
  /** Runs `work` in one transaction: everything or nothing reaches the file. */
  transaction<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T>;
  /** Rows as JSON-friendly values (for small results only: counts, lists a person reads). */
  rows(sql: string, params?: Record<string, DuckDBValue>): Promise<Record<string, unknown>[]>;
  run(sql: string, params?: Record<string, DuckDBValue>): Promise<void>;
  close(): void;
}

export function storePath(option: string | undefined, env: NodeJS.ProcessEnv): string {
  return option ?? env.BILLRUN_DB ?? DEFAULT_STORE_PATH;
}

/**
 * DuckDB's memory limit: --memory-limit, else $BILLRUN_MEMORY_LIMIT, else `defaultMemoryLimit`
 * of the machine's RAM.
 */
export function memoryLimit(option: string | undefined, env: NodeJS.ProcessEnv): string {
  const [setting, value] = option !== undefined ? ['--memory-limit', option]
    : env.BILLRUN_MEMORY_LIMIT !== undefined ? ['BILLRUN_MEMORY_LIMIT', env.BILLRUN_MEMORY_LIMIT] : [null, null];
  if (setting === null) return defaultMemoryLimit(totalmem());
  // Checked here because DuckDB refuses a bad size only as "Failed to set config", naming nothing.
  const size = MEMORY_SIZE.exec(value.trim());
  if (!size || !(Number(size[1]) > 0)) {
    throw new FatalError(`${setting} must be a size such as 4GB or 512MB (a number above 0 and KB, MB, GB, TB, KiB, MiB, GiB or TiB), not '${value}'`,
      EXIT.environment);
  }
  return value.trim();
}

/** Of the machine's RAM, DuckDB's by default: its own default (80%) leaves too little for the worker threads beside it. */
export const DEFAULT_MEMORY_SHARE = 0.4;

/**
 * The most DuckDB takes by default, whatever the RAM. A process's peak is DuckDB's limit plus Node,
 * the worker threads and memory DuckDB does not count, and that part grows with the limit: a bill
 * run of 10M accounts × 3 months with 2 workers peaked at 5.6–7.3 GB over eight runs at a 4 GiB
 * limit, 4.4 and 4.7 GB at 3 GiB, taking 1.03–1.10× as long (1M × 13: 5.0 against 3.2 GB, 0.93×
 * as long). So 3 GiB keeps the month of 10M accounts inside 6 GB. DuckDB's peak follows its limit once the data outgrow it, not
 * the data: past the limit it spills to the temporary directory beside the store instead of growing.
 */
export const DEFAULT_MEMORY_CAP_MIB = 3072;

/** The default memory limit for a machine with `totalBytes` of RAM, in whole MiB. */
export function defaultMemoryLimit(totalBytes: number): string {
  const shareMiB = Math.floor((totalBytes * DEFAULT_MEMORY_SHARE) / 2 ** 20);
  return `${Math.max(1, Math.min(shareMiB, DEFAULT_MEMORY_CAP_MIB))}MiB`;
}

const MEMORY_SIZE = /^(\d+(?:\.\d+)?)\s*(?:[KMGT]i?B)$/i;

export async function openStore(path: string, options: StoreOptions = {}): Promise<Store> {
  checkStoreFile(path);
  const config: Record<string, string> = {};
  if (options.threads) config.threads = String(options.threads);
  if (options.memoryLimit) config.memory_limit = options.memoryLimit;
  // DuckDB's default, said here because the bounded memory relies on it: spill beside the store.
  config.temp_directory = `${path}.tmp`;
  if (options.readOnly) config.access_mode = 'READ_ONLY';
  // A store this call creates and cannot finish (no memory to migrate it) is removed again: a
  // half-made file would be refused as damaged, or taken for a store, by the next command.
  const isNew = !existsSync(path);
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(path, config);
  } catch (error) {
    const translated = translateOpenError(path, error, options.memoryLimit);
    if (isNew && outOfMemoryError(options.memoryLimit, error)) removeStoreFiles(path);
    throw translated;
  }
  const connection = await instance.connect();
  const store = makeStore(path, instance, connection);
  try {
    if (!options.readOnly) await migrate(store);
  } catch (error) {
    store.close();
    if (isNew) removeStoreFiles(path);
    throw damagedStoreError(path, error) ?? outOfMemoryError(options.memoryLimit, error) ?? error;
  }
  return store;
}

/** The store file and what DuckDB keeps beside it (write-ahead log, spill folder). */
function removeStoreFiles(path: string): void {
  for (const file of [path, `${path}.wal`, `${path}.tmp`]) rmSync(file, { recursive: true, force: true });
}

/** The bytes a DuckDB database file carries at offset 8, after the header block's checksum. */
const DUCKDB_MAGIC = 'DUCK';

/**
 * A store path names a DuckDB database file or nothing yet. DuckDB itself opens a CSV or Parquet
 * file given as the database as a throw-away in-memory database, so everything "written" to it
 * would be lost without a word, as it would with an empty path or ':memory:'; and it reports an
 * empty file or a folder in terms of its own.
 */
function checkStoreFile(path: string): void {
  // DuckDB opens these as a database that is never written to a file (or one on MotherDuck's
  // servers): a load would report success and keep nothing.
  if (path.trim() === '' || /^(:memory:|md:|motherduck:)/i.test(path)) {
    throw new FatalError(`--db and BILLRUN_DB take the path of a store file, not '${path}' (DuckDB would keep that store in memory ` +
      'or elsewhere, and nothing would be saved)', EXIT.usage);
  }
  // Nothing there, or nothing reachable: DuckDB's own open says which.
  const stat = existsSync(path) ? statSync(path) : undefined;
  if (!stat) return;
  if (!stat.isFile()) throw new FatalError(`the store ${path} is ${stat.isDirectory() ? 'a folder' : 'not a regular file'}, not a store file`, EXIT.environment);
  if (stat.size === 0) {
    throw new FatalError(`the store ${path} is empty (0 bytes): it is not a database, or it was truncated; restore it from a backup, ` +
      'or remove it to start a new store', EXIT.environment);
  }
  const head = Buffer.alloc(16);
  const fd = openSync(path, 'r');
  let length: number;
  try {
    length = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (head.toString('latin1', 8, 12) === DUCKDB_MAGIC) return;
  throw new FatalError(`${path} is not a billrun store (a DuckDB database file) but ${describeFile(head.subarray(0, length))}; ` +
    '--db and BILLRUN_DB take a store file, or a new path for a new store', EXIT.usage);
}

const STORE_LOOKALIKES: Record<BinaryFileKind, string> = {
  gzip: 'a gzip file', zip: 'a zip archive', parquet: 'a Parquet file', sqlite: 'an SQLite database', utf16: 'a UTF-16 text file',
};

/** What the first bytes of a file say it is, for a message. */
function describeFile(head: Buffer): string {
  const kind = binaryFileKind(head);
  if (kind) return STORE_LOOKALIKES[kind];
  if (/^[\t\n\r\x20-\x7e\x80-\xff]*$/.test(head.toString('latin1'))) return 'a text file (CSV, YAML, …)';
  return 'a file of another kind';
}

/**
 * DuckDB's errors for a store file it cannot read whole: truncated, a block that fails its
 * checksum, a header that is not DuckDB's, a file of a newer DuckDB. They can come at open or at
 * the first query that reads the damaged block; either way the store is named and it is an
 * environment fault, not a bug.
 */
export function damagedStoreError(path: string, error: unknown): FatalError | null {
  if (error instanceof FatalError) return null;
  const message = error instanceof Error ? error.message : String(error);
  const first = message.split('\n')[0]!;
  const damaged = /Corrupt database file|not a valid DuckDB database file|database file with version number|Could not read enough bytes/i;
  if (!damaged.test(first)) return null;
  // An input file DuckDB reads (a Parquet file being loaded) can fail the same way; only the store's own count.
  if (/from file "/.test(first) && !first.includes(basename(path))) return null;
  return new FatalError(`the store ${path} is damaged and cannot be read (${first.replace(/^IO Error: /, '')}); ` +
    'restore it from a backup', EXIT.environment);
}

/**
 * DuckDB's "Out of Memory Error": the work did not fit in the memory DuckDB may use (and the
 * spill beside the store did not save it). A setting to change, not a bug; the transaction it
 * happened in was rolled back, and a bill run resumes from its last complete batch.
 */
export function outOfMemoryError(memoryLimit: string | undefined, error: unknown): FatalError | null {
  if (error instanceof FatalError) return null;
  const first = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
  if (!/^Out of Memory Error/.test(first)) return null;
  return new FatalError(`DuckDB ran out of memory under ${memoryLimit ? `its limit of ${memoryLimit}` : 'its default limit'} (${first.replace(/^Out of Memory Error: /, '')}): ` +
    'raise --memory-limit (or BILLRUN_MEMORY_LIMIT); a bill run can also use fewer --workers', EXIT.environment);
}

function translateOpenError(path: string, error: unknown, memoryLimit: string | undefined): Error {
  const message = error instanceof Error ? error.message : String(error);
  const lock = /Conflicting lock is held in (.*) \(PID (\d+)\)/.exec(message);
  if (lock) {
    return new FatalError(
      `the store ${path} is in use by another process (pid ${lock[2]}); wait for it to finish, or use --db for another store`,
      EXIT.busy,
    );
  }
  const cannotOpen = /Cannot open (?:file|database)[^:]*: (.*)$/m.exec(message);
  if (cannotOpen || /No such file or directory/.test(message)) {
    // A folder that is not there is a path typed wrong; one that cannot be written (a file in the
    // way, no permission, a read-only file system) is the environment.
    const missing = /No such file or directory|does not exist/.test(message);
    return new FatalError(`cannot open the store ${path}: ${cannotOpen?.[1] ?? message.split('\n')[0]}`, missing ? EXIT.usage : EXIT.environment);
  }
  return damagedStoreError(path, error) ?? outOfMemoryError(memoryLimit, error) ?? (error instanceof Error ? error : new Error(message));
}

/** Runs `work` on `connection` in one transaction: everything or nothing reaches the file. */
export async function inTransaction<T>(connection: DuckDBConnection, work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
  await connection.run('BEGIN TRANSACTION');
  let result: T;
  try {
    result = await work(connection);
  } catch (error) {
    // After a write conflict DuckDB has already aborted the transaction; the original error is what matters.
    await connection.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
  await connection.run('COMMIT');
  return result;
}

function makeStore(path: string, instance: DuckDBInstance, connection: DuckDBConnection): Store {
  return {
    path,
    instance,
    connection,
    transaction: (work) => inTransaction(connection, work),
    async rows(sql, params) {
      const reader = await connection.runAndReadAll(sql, params);
      return reader.getRowObjectsJson() as Record<string, unknown>[];
    },
    async run(sql, params) {
      await connection.run(sql, params);
    },
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/**
 * The same store on a connection of its own. One process may hold many connections: each runs its
 * own transactions beside the others' (DuckDB's optimistic concurrency), which is how the review
 * desk serves requests while a bill run writes. Closing it closes only this connection.
 */
export async function storeConnection(store: Store): Promise<Store> {
  const connection = await store.instance.connect();
  return { ...makeStore(store.path, store.instance, connection), close: () => connection.closeSync() };
}

interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function migrations(): Migration[] {
  const dir = join(sourceDir(import.meta.url), 'migrations');
  return readdirSync(dir)
    .filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 3)), name: f.slice(4, -4), sql: sqlFile(import.meta.url, `migrations/${f}`) }));
}

/** Brings the store's schema up to the newest migration; returns the versions applied now. */
export async function migrate(store: Store): Promise<number[]> {
  await store.run(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)`);
  const done = new Set((await store.rows('SELECT version FROM schema_migrations')).map((r) => Number(r.version)));
  const applied: number[] = [];
  for (const migration of migrations()) {
    if (done.has(migration.version)) continue;
    await store.transaction(async (connection) => {
      await connection.run(migration.sql);
      await connection.run('INSERT INTO schema_migrations VALUES ($version, $name, current_timestamp)', {
        version: migration.version,
        name: migration.name,
      });
    });
    applied.push(migration.version);
  }
  return applied;
}

/** Next free integer key of `column` in `table`. */
export async function nextKey(connection: DuckDBConnection, table: string, column: string): Promise<number> {
  const [t, c] = [quoteIdent(table), quoteIdent(column)];
  const reader = await connection.runAndReadAll(`SELECT coalesce(max(${c}), 0) + 1 AS k FROM ${t}`);
  return Number(reader.getRowsJson()[0]![0]);
}
