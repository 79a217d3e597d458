// Billing worker thread: checks the task's shape, prices and scores the batch, and moves the
// result buffers back without copying. The work itself lives in src/billing/price-batch.ts.
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { priceBatch } from '../src/billing/price-batch.js';
import { BATCH_COLUMNS, resultBuffers, type PriceTask } from '../src/billing/protocol.js';

export default function billingWorker(task: PriceTask) {
  for (const column of BATCH_COLUMNS) {
    const data = (task.columns as unknown as Record<string, ArrayLike<number> | undefined>)[column.name];
    if (!data || data.length < task.rowCount) throw new Error(`billing task ${task.batchNo}: column ${column.name} is missing or short`);
  }
  const result = priceBatch(task);
  return move({ [transferableSymbol]: resultBuffers(result), [valueSymbol]: result } as never);
}
