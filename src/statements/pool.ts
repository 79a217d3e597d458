// The statement worker pool, shaped like the billing pool: fixed threads (min = max) that stay
// alive between batches, columns moved in the transfer list rather than copied.
import { join } from 'node:path';
import { Piscina } from 'piscina';
import { sourceDir } from '../store/index.js';
import { taskBuffers, type StatementResult, type StatementTask } from './protocol.js';

export interface StatementPool {
  render(task: StatementTask): Promise<StatementResult>;
  close(): Promise<void>;
}

export function createStatementPool(workers: number): StatementPool {
  const pool = new Piscina({
    // Compiled workers live in dist/workers whether this runs from dist/ or from sources under test.
    filename: join(sourceDir(import.meta.url), '..', '..', 'dist', 'workers', 'statements.worker.js'),
    minThreads: workers,
    maxThreads: workers,
    idleTimeout: 60_000,
    // Every statement allocates a few dozen short-lived objects and strings; a larger young
    // generation lets them die there instead of being scavenged and promoted many times a batch.
    resourceLimits: { maxYoungGenerationSizeMb: 64 },
  });
  return {
    render: (task) => pool.run(task, { transferList: taskBuffers(task) }) as Promise<StatementResult>,
    close: () => pool.destroy(),
  };
}
