// The worker pools. Threads are fixed (min = max) so piscina does not oversubscribe the cores the
// run also gives DuckDB, and stay alive between batches (non-zero idle timeout).
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import { EXIT, FatalError } from '../diagnostics/index.js';
import { sourceDir, wireBuffers } from '../store/index.js';
import type { PriceMessage, PriceResult } from './protocol.js';

type PoolOptions = NonNullable<ConstructorParameters<typeof Piscina>[0]>;

/**
 * A fixed pool (min = max threads) of one of the compiled worker scripts, which live in
 * dist/workers whether we run from dist/ or from sources under test.
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

export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

export interface BillingPool {
  price(task: PriceMessage): Promise<PriceResult>;
  close(): Promise<void>;
}

export function createBillingPool(workers: number): BillingPool {
  const pool = workerPool('billing', workers);
  return {
    price: (task) => pool.run(task, { transferList: wireBuffers(task.batch) }) as Promise<PriceResult>,
    close: () => pool.destroy(),
  };
}
