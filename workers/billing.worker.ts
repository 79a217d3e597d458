// Billing worker thread: rebuilds the task's batch as a schema-checked Arrow table over the moved
// buffers, prices and scores it, and moves the result buffers back. The work itself lives in
// src/billing/price-batch.ts.
import { priceBatch } from '../src/billing/price-batch.js';
import { resultArrays, TASK_TABLES, type PriceMessage } from '../src/billing/protocol.js';
// Straight from the module, not the store's index: that would load DuckDB into every worker.
import { fromWireTask, movedResult } from '../src/store/pool-protocol.js';

export default function billingWorker(message: PriceMessage) {
  const result = priceBatch(fromWireTask(message, TASK_TABLES, `billing batch ${message.batchNo}`));
  return movedResult(result, resultArrays(result));
}
