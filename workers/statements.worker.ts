// Statement worker thread: checks the task's shape, renders and writes the batch, and moves the
// result buffers back without copying. The work itself lives in src/statements/batch.ts.
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { processBatch } from '../src/statements/batch.js';
import {
  ACCOUNT_COLUMNS, HISTORY_COLUMNS, LINE_COLUMNS, READ_COLUMNS, resultBuffers, type StatementTask,
} from '../src/statements/protocol.js';
import type { ColumnSpec } from '../src/store/index.js';

function checkTable(task: StatementTask, name: 'accounts' | 'lines' | 'reads' | 'history', specs: readonly ColumnSpec[]): void {
  const table = task[name];
  for (const spec of specs) {
    const column = (table.columns as unknown as Record<string, ArrayLike<unknown> | undefined>)[spec.name];
    if (!column || column.length < table.rowCount) throw new Error(`statements task ${task.batchNo}: ${name}.${spec.name} is missing or short`);
  }
}

export default function statementsWorker(task: StatementTask) {
  checkTable(task, 'accounts', ACCOUNT_COLUMNS);
  checkTable(task, 'lines', LINE_COLUMNS);
  checkTable(task, 'reads', READ_COLUMNS);
  checkTable(task, 'history', HISTORY_COLUMNS);
  const result = processBatch(task);
  return move({ [transferableSymbol]: resultBuffers(result), [valueSymbol]: result } as never);
}
