// The statement worker pool, shaped like the billing pool: fixed threads (min = max) that stay
// alive between batches, columns moved in the transfer list rather than copied.
import { workerPool } from '../billing/pool.js';
import { wireBuffers } from '../store/index.js';
import type { StatementMessage, StatementResult } from './protocol.js';

export interface StatementPool {
  render(task: StatementMessage): Promise<StatementResult>;
  close(): Promise<void>;
}

export function createStatementPool(workers: number): StatementPool {
  const pool = workerPool('statements', workers, {
    // Every statement allocates a few dozen short-lived objects and strings; a larger young
    // generation lets them die there instead of being scavenged and promoted many times a batch.
    resourceLimits: { maxYoungGenerationSizeMb: 64 },
  });
  return {
    render: (task) => pool.run(task, { transferList: wireBuffers(task.accounts, task.lines, task.reads, task.history) }) as Promise<StatementResult>,
    close: () => pool.destroy(),
  };
}
