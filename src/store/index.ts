// The embedded store: one DuckDB database file (./billrun.duckdb by default, --db or BILLRUN_DB).
//
// Inputs: a path. Outputs: an open, migrated store. Invariants: the schema version only moves
// forward through numbered migrations (src/store/migrations/NNN_name.sql), each applied once in
// its own transaction and recorded in schema_migrations; one process at a time holds the file
// (DuckDB's own file lock), and a second one gets a clear "in use" message.
import { readdirSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { EXIT, FatalError } from '../diagnostics/index.js';
import { quoteIdent, sourceDir, sqlFile } from './sql.js';

export { appendBatch, appendColumns, allocateColumn, objectsToBatch, readColumns } from './columnar.js';
export type { ColumnBatch, ColumnData, ColumnKind, ColumnSpec } from './columnar.js';
export { quoteIdent, sourceDir, sqlFile, sqlStatements } from './sql.js';
export { publishFile, sha256File, tempPathFor, writeFileAtomic } from './files.js';

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
 * DuckDB's memory limit: --memory-limit, else $BILLRUN_MEMORY_LIMIT, else 40% of the machine.
 * DuckDB's own default (80%) leaves too little for the worker threads beside it; past the limit
 * DuckDB spills to a temporary directory beside the store instead of growing.
 */
export function memoryLimit(option: string | undefined, env: NodeJS.ProcessEnv): string {
  return option ?? env.BILLRUN_MEMORY_LIMIT ?? `${Math.max(1, Math.floor((totalmem() * 0.4) / 2 ** 30))}GB`;
}

export async function openStore(path: string, options: StoreOptions = {}): Promise<Store> {
  const config: Record<string, string> = {};
  if (options.threads) config.threads = String(options.threads);
  if (options.memoryLimit) config.memory_limit = options.memoryLimit;
  if (options.readOnly) config.access_mode = 'READ_ONLY';
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(path, config);
  } catch (error) {
    throw translateOpenError(path, error);
  }
  const connection = await instance.connect();
  const store = makeStore(path, instance, connection);
  if (!options.readOnly) await migrate(store);
  return store;
}

function translateOpenError(path: string, error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  const lock = /Conflicting lock is held in (.*) \(PID (\d+)\)/.exec(message);
  if (lock) {
    return new FatalError(
      `the store ${path} is in use by another process (pid ${lock[2]}); wait for it to finish, or use --db for another store`,
      EXIT.busy,
    );
  }
  if (/No such file or directory|Cannot open file/.test(message)) {
    return new FatalError(`cannot open the store ${path}: ${message.split('\n')[0]}`, EXIT.usage);
  }
  return error instanceof Error ? error : new Error(message);
}

function makeStore(path: string, instance: DuckDBInstance, connection: DuckDBConnection): Store {
  return {
    path,
    instance,
    connection,
    async transaction(work) {
      await connection.run('BEGIN TRANSACTION');
      try {
        const result = await work(connection);
        await connection.run('COMMIT');
        return result;
      } catch (error) {
        await connection.run('ROLLBACK');
        throw error;
      }
    },
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
