// Whether a period has been billed: the one test the commands that read a period's bills (the
// review commands, statements) make before they show, decide or write anything of it.
import type { DuckDBConnection } from '@duckdb/node-api';
import { periodKey } from '../calendar/index.js';
import { FatalError } from '../diagnostics/index.js';
import { sqlStatements } from '../store/index.js';

const SQL = sqlStatements(import.meta.url, 'billed.sql');

export async function isPeriodBilled(connection: DuckDBConnection, period: string): Promise<boolean> {
  const reader = await connection.runAndReadAll(SQL['period-billed']!, { period: periodKey(period) });
  return Number(reader.getRowsJson()[0]![0]) > 0;
}

/** Throws the usage error `<period> has not been billed[: <consequence>]` unless the period has bills. */
export async function assertPeriodBilled(connection: DuckDBConnection, period: string, consequence?: string): Promise<void> {
  if (!(await isPeriodBilled(connection, period))) throw new FatalError(`${period} has not been billed${consequence ? `: ${consequence}` : ''}`);
}
