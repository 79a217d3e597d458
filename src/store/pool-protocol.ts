// What the two worker pools (billing and statements) share of their protocol: the pool itself, a
// task that carries named tables, each crossing to the worker thread in the one batch format
// (arrow.ts: buffers moved, not copied), and a result whose typed arrays are moved back. Each
// stage's protocol.ts keeps only its own: its tables' columns, the rest of its task, its result.
//
// The workers import this module directly, not the store's index (that would load DuckDB into
// every worker): it must import nothing that loads DuckDB.
import { join } from 'node:path';
import { move, Piscina, transferableSymbol, valueSymbol } from 'piscina';
import { EXIT, FatalError } from '../diagnostics/index.js';
import { fromWire, tableColumns, toWire, wireBuffers, type Columns, type WireBatch } from './arrow.js';
import type { ColumnBatch, ColumnSpec } from './columnar.js';
import { sourceDir } from './sql.js';

/** The tables of a task by name, each as the column specs of the statement that reads it. */
export type TableSpecs = Readonly<Record<string, readonly ColumnSpec[]>>;

/** One table of a task, as the worker's loops index it. */
export interface Table<C> {
  rowCount: number;
  columns: C;
}

/** The tables named in `S`, as the worker's loops index them. */
export type Tables<S extends TableSpecs> = { [T in keyof S]: Table<Columns<S[T]>> };

/** The tables named in `S`, as the batch format carries them across the thread boundary. */
export type WireTables<S extends TableSpecs> = { [T in keyof S]: WireBatch };

/** A task as it crosses to the worker: its tables in the batch format, everything else as it is. */
export type WireTask<Task, S extends TableSpecs> = Omit<Task, keyof S> & WireTables<S>;

type PoolOptions = NonNullable<ConstructorParameters<typeof Piscina>[0]>;

/**
 * A fixed pool (min = max threads) of one of the compiled worker scripts, which live in
 * dist/workers whether we run from dist/ or from sources under test. Threads are fixed so piscina
 * does not oversubscribe the cores the run also gives DuckDB, and stay alive between batches
 * (non-zero idle timeout).
 *
 * The workers load their module with import(), not require(): piscina tries require() first, and
 * Node 20's require(esm) aborts the whole process ("IsGraphAsync must be used on an instantiated
 * module") when a worker is terminated while require() instantiates the module — which is what
 * closing the pool of a short run does to a worker still starting up. With require(esm) off in
 * the workers, require() fails at once and piscina's import() fallback loads the module, and a
 * terminated import() just ends.
 */
export function workerPool(name: string, workers: number, options: PoolOptions = {}): Piscina {
  try {
    return new Piscina({
      filename: join(sourceDir(import.meta.url), '..', '..', 'dist', 'workers', `${name}.worker.js`),
      minThreads: workers,
      maxThreads: workers,
      idleTimeout: 60_000,
      execArgv: [...process.execArgv, '--no-experimental-require-module'],
      ...options,
    });
  } catch (error) {
    // The pool starts all its threads at once: a --workers the system cannot give threads for
    // (its thread or memory limits) fails here, which is the environment, not a bug. Node
    // reports it as ERR_WORKER_INIT_FAILED with the system's error name (EAGAIN) as the message.
    if ((error as NodeJS.ErrnoException).code !== 'ERR_WORKER_INIT_FAILED') throw error;
    throw new FatalError(`cannot start ${workers} worker threads (${(error as Error).message}: the system refused more threads): ` +
      'use fewer --workers', EXIT.environment);
  }
}

/** Pool side: the batches read for a task, each in the batch format with the columns its specs name. */
export function toWireTables<S extends TableSpecs>(
  tables: { [T in keyof S]: Pick<ColumnBatch, 'rowCount' | 'columns'> }, specs: S,
): WireTables<S> {
  const wire: Record<string, WireBatch> = {};
  for (const [name, columns] of Object.entries(specs)) wire[name] = toWire(tables[name]!, columns);
  return wire as WireTables<S>;
}

/** Pool side: runs the task on the pool with every buffer of its tables in the transfer list; resolves to the worker's result. */
export function runTask<S extends TableSpecs>(pool: Piscina, task: WireTables<S>, specs: S): Promise<unknown> {
  const tables = Object.keys(specs).map((name) => task[name]!);
  return pool.run(task, { transferList: wireBuffers(...tables) }) as Promise<unknown>;
}

/** Thread side: the task with its tables rebuilt over the moved buffers, each checked against its specs. */
export function fromWireTask<M extends WireTables<S>, S extends TableSpecs>(message: M, specs: S, what: string): Omit<M, keyof S> & Tables<S> {
  const task: Record<string, unknown> = { ...message };
  for (const [name, columns] of Object.entries(specs)) {
    const wire = message[name]!;
    task[name] = { rowCount: wire.rowCount, columns: tableColumns(fromWire(wire, columns, `${what}: ${name}`), columns) };
  }
  return task as Omit<M, keyof S> & Tables<S>;
}

/** Thread side: the result to return, with the buffers of its typed arrays moved back rather than copied. */
export function movedResult(result: object, arrays: readonly ArrayBufferView[]): unknown {
  const buffers = [...new Set(arrays.map((array) => array.buffer as ArrayBuffer))];
  return move({ [transferableSymbol]: buffers, [valueSymbol]: result } as never);
}
