// The one definition of the reads a billing period takes (reads.sql), installed as temporary
// DuckDB macros. DuckDB keeps temporary macros per connection, so every connection that runs the
// bill run's, a correction's, `review show`'s or the statements' SQL defines them first — outside
// a transaction, since a rollback would take them away again.
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlStatements } from '../store/index.js';

const READS_SQL = sqlStatements(import.meta.url, 'reads.sql');

/** Creates (or replaces) the read-derivation macros on `connection`. */
export async function defineReadDerivation(connection: DuckDBConnection): Promise<void> {
  // In file order: later macros call the earlier ones.
  for (const sql of Object.values(READS_SQL)) await connection.run(sql);
}
