// Statement worker thread: rebuilds the task's tables as schema-checked Arrow tables over the
// moved buffers, renders and writes the batch, and moves the result buffers back without copying.
// The work itself lives in src/statements/batch.ts.
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { processBatch } from '../src/statements/batch.js';
import { resultBuffers, TASK_TABLES, type StatementMessage, type StatementTask } from '../src/statements/protocol.js';
// Straight from the module, not the store's index: that would load DuckDB into every worker.
import { fromWire, tableColumns } from '../src/store/arrow.js';
import type { ColumnSpec, WireBatch } from '../src/store/index.js';

function table<S extends readonly ColumnSpec[]>(message: StatementMessage, name: keyof typeof TASK_TABLES, specs: S) {
  const wire: WireBatch = message[name];
  return { rowCount: wire.rowCount, columns: tableColumns(fromWire(wire, specs, `statements batch ${message.batchNo}: ${name}`), specs) };
}

export default function statementsWorker(message: StatementMessage) {
  const task: StatementTask = {
    ...message,
    accounts: table(message, 'accounts', TASK_TABLES.accounts),
    lines: table(message, 'lines', TASK_TABLES.lines),
    reads: table(message, 'reads', TASK_TABLES.reads),
    history: table(message, 'history', TASK_TABLES.history),
  };
  const result = processBatch(task);
  return move({ [transferableSymbol]: resultBuffers(result), [valueSymbol]: result } as never);
}
