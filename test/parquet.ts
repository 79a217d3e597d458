// Parquet files for tests: written from a query, and read back, by a throwaway in-memory DuckDB
// that is closed after each call, so no test holds an instance or a file open.
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';

async function inMemory<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return await work(connection);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Writes the rows of `query` to the Parquet file `path`; `params` are bound, `$path` among them. */
export async function writeParquet(path: string, query: string, params: Record<string, DuckDBValue> = {}): Promise<void> {
  await inMemory((connection) => connection.run(`COPY (${query}) TO $path (FORMAT parquet)`, { ...params, path }));
}

/** The rows of `query` (over read_parquet($path), say) as JSON-friendly objects. */
export async function parquetRows(query: string, params: Record<string, DuckDBValue>): Promise<Record<string, unknown>[]> {
  return inMemory(async (connection) => (await connection.runAndReadAll(query, params)).getRowObjectsJson() as Record<string, unknown>[]);
}
