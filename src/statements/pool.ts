// The statement worker pool (the pool itself and how a task crosses: src/store/pool-protocol.ts).
import { runTask, workerPool } from '../store/index.js';
import { TASK_TABLES, type StatementMessage, type StatementResult } from './protocol.js';

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
    render: (task) => runTask(pool, task, TASK_TABLES) as Promise<StatementResult>,
    close: () => pool.destroy(),
  };
}
