// The rejects file: one CSV row per rejected input row, for the people who fix the source data.
// It is opened in spreadsheets, so cells that could run as formulas are neutralised.
import { dirname } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { EXIT, FatalError } from '../diagnostics/index.js';
import { appendBatch, makeFolder, publishFile, tempPathFor } from '../store/index.js';
import { neutraliseFormula } from '../text/index.js';

export interface Reject {
  line: number;
  column: string;
  value: string;
  reason: string;
}

export async function writeRejects(connection: DuckDBConnection, target: string, file: string, rejects: Reject[]): Promise<void> {
  try {
    makeFolder(dirname(target));
  } catch (error) {
    throw new FatalError(`cannot write rejects to ${dirname(target)}: ${(error as Error).message.split('\n')[0]}`, EXIT.environment);
  }
  await connection.run('CREATE OR REPLACE TEMP TABLE rejects_out (file VARCHAR, line BIGINT, "column" VARCHAR, value VARCHAR, reason VARCHAR)');
  await appendBatch(connection, 'rejects_out', [
    { name: 'file', kind: 'varchar' },
    { name: 'line', kind: 'int64' },
    { name: 'column', kind: 'varchar' },
    { name: 'value', kind: 'varchar' },
    { name: 'reason', kind: 'varchar' },
  ], {
    rowCount: rejects.length,
    columns: {
      file: rejects.map(() => neutraliseFormula(file)),
      line: BigInt64Array.from(rejects, (r) => BigInt(r.line)),
      column: rejects.map((r) => r.column),
      value: rejects.map((r) => neutraliseFormula(r.value)),
      reason: rejects.map((r) => r.reason),
    },
    nulls: {},
  });
  try {
    await connection.run(`COPY (SELECT * FROM rejects_out ORDER BY line) TO $path (FORMAT csv, HEADER true)`, { path: tempPathFor(target) });
    publishFile(target);
  } catch (error) {
    throw new FatalError(`cannot write the rejects file ${target}: ${(error as Error).message.split('\n')[0]}`, EXIT.environment);
  }
  await connection.run('DROP TABLE rejects_out');
}
