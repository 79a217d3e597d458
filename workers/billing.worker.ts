// Billing worker thread: rebuilds the task's batch as a schema-checked Arrow table over the moved
// buffers, prices and scores it, and moves the result buffers back. The work itself lives in
// src/billing/price-batch.ts.
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { priceBatch } from '../src/billing/price-batch.js';
import { BATCH_COLUMNS, resultBuffers, type PriceMessage } from '../src/billing/protocol.js';
// Straight from the module, not the store's index: that would load DuckDB into every worker.
import { fromWire, tableColumns } from '../src/store/arrow.js';

export default function billingWorker({ batch, ...task }: PriceMessage) {
  const columns = tableColumns(fromWire(batch, BATCH_COLUMNS, `billing batch ${task.batchNo}`), BATCH_COLUMNS);
  const result = priceBatch({ ...task, columns });
  return move({ [transferableSymbol]: resultBuffers(result), [valueSymbol]: result } as never);
}
