// Statement worker thread: rebuilds the task's tables as schema-checked Arrow tables over the
// moved buffers, renders and writes the batch, and moves the result buffers back without copying.
// The work itself lives in src/statements/batch.ts.
import { processBatch } from '../src/statements/batch.js';
import { resultArrays, TASK_TABLES, type StatementMessage } from '../src/statements/protocol.js';
// Straight from the module, not the store's index: that would load DuckDB into every worker.
import { fromWireTask, movedResult } from '../src/store/pool-protocol.js';

export default function statementsWorker(message: StatementMessage) {
  const result = processBatch(fromWireTask(message, TASK_TABLES, `statements batch ${message.batchNo}`));
  return movedResult(result, resultArrays(result));
}
