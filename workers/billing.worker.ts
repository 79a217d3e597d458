// Billing worker thread: rebuilds the task's batch as a schema-checked Arrow table over the moved
// buffers, prices and scores it, and moves the result buffers back. The work itself lives in
// src/billing/price-batch.ts.
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { priceBatch } from '../src/billing/price-batch.js';
import { batchTable, resultBuffers, tableColumns, type PriceTask } from '../src/billing/protocol.js';

export default function billingWorker(task: PriceTask) {
  const columns = tableColumns(batchTable(task.columns, task.rowCount));
  const result = priceBatch({ ...task, columns });
  return move({ [transferableSymbol]: resultBuffers(result), [valueSymbol]: result } as never);
}
