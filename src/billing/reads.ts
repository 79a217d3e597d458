// The one definition of the reads a billing period takes (reads.sql), installed as temporary
// DuckDB macros. DuckDB keeps temporary macros per connection, so every connection that runs the
// bill run's, a correction's, `review show`'s or the statements' SQL defines them first — outside
// a transaction, since a rollback would take them away again.
import type { DuckDBConnection } from '@duckdb/node-api';
import { INTERVAL_RULE_DEFAULTS } from '../../schemas/tariff.js';
import { sqlStatements } from '../store/index.js';

const READS_SQL = sqlStatements(import.meta.url, 'reads.sql');

/**
 * What a policy without an `intervals` field means, as the parameters the interval macros take
 * (interval_series, interval_windows): every statement that calls them binds these.
 */
export const INTERVAL_RULE_PARAMS = {
  default_demand_minutes: INTERVAL_RULE_DEFAULTS.demand_minutes,
  default_gap_minutes: INTERVAL_RULE_DEFAULTS.interpolate_up_to_minutes,
  default_spike_factor: INTERVAL_RULE_DEFAULTS.spike_factor,
} as const;

/** Creates (or replaces) the read-derivation macros on `connection`. */
export async function defineReadDerivation(connection: DuckDBConnection): Promise<void> {
  // In file order: later macros call the earlier ones.
  for (const sql of Object.values(READS_SQL)) await connection.run(sql);
}
