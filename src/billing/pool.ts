// The billing worker pool (the pool itself and how a task crosses: src/store/pool-protocol.ts).
import { availableParallelism } from 'node:os';
import { runTask, workerPool } from '../store/index.js';
import { TASK_TABLES, type PriceMessage, type PriceResult } from './protocol.js';

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
    price: (task) => runTask(pool, task, TASK_TABLES) as Promise<PriceResult>,
    close: () => pool.destroy(),
  };
}
