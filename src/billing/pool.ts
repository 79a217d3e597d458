// The billing worker pool. Threads are fixed (min = max) so piscina does not oversubscribe the
// cores the run also gives DuckDB, and stay alive between batches (non-zero idle timeout).
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import { sourceDir } from '../store/index.js';
import { taskBuffers, type PriceResult, type PriceTask } from './protocol.js';

/** Compiled worker scripts live in dist/workers whether we run from dist/ or from sources under test. */
export function compiledWorker(name: string): string {
  return join(sourceDir(import.meta.url), '..', '..', 'dist', 'workers', `${name}.worker.js`);
}

export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

export interface BillingPool {
  price(task: PriceTask): Promise<PriceResult>;
  close(): Promise<void>;
}

export function createBillingPool(workers: number): BillingPool {
  const pool = new Piscina({
    filename: compiledWorker('billing'),
    minThreads: workers,
    maxThreads: workers,
    idleTimeout: 60_000,
  });
  return {
    price: (task) => pool.run(task, { transferList: taskBuffers(task) }) as Promise<PriceResult>,
    close: () => pool.destroy(),
  };
}
