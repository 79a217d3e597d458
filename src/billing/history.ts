// The running history summary (migration 015, history.sql): brought to "as of" the period at the
// start of each bill run, inside the run's first transaction, so a killed start leaves the summary
// of the last run that started, and a rerun finds it as of its period already.
import type { DuckDBConnection } from '@duckdb/node-api';
import { addPeriods, periodKey, type BillingPeriod } from '../calendar/index.js';
import { sqlStatements } from '../store/index.js';
import { baselineParams, HISTORY_REACH_PERIODS } from './baseline.js';

const HISTORY_SQL = sqlStatements(import.meta.url, 'history.sql');

/**
 * Brings history_summary to "as of" the period, in ranges of `rangeSize` account keys. With `full`
 * (or when there is no summary yet, or it was made for a later period) every account's summary is
 * recomputed from its bills.
 */
export async function refreshHistory(connection: DuckDBConnection, billing: BillingPeriod, rangeSize: number, full = false): Promise<void> {
  const read = async (sql: string, params: Record<string, number> = {}) => (await connection.runAndReadAll(sql, params)).getRowsJson();
  const state = (await read('SELECT as_of, decision_mark FROM history_summary_state'))[0]?.map(Number);
  const [asOf = 0, decisionMark = 0] = state ?? [];
  // Every run brings the summary to its period first, so a run of an earlier period (a re-bill:
  // its bills and peer levels change) finds a summary made for a later one.
  const recompute = full || state === undefined || asOf > billing.key;
  const [keys, decisions] = (await read(`SELECT (SELECT coalesce(max(account_key), -1) + 1 FROM accounts),
    (SELECT coalesce(max(decision_id), 0) FROM review_decisions)`))[0]!.map(Number) as [number, number];
  const params = {
    // Recomputing every account, nothing is added to a summary: no bill is at or after the period.
    period: billing.key, as_of: recompute ? billing.key : asOf, full: recompute, decision_mark: decisionMark,
    one_period: !recompute && asOf === periodKey(addPeriods(billing.text, -1)),
    p13: periodKey(addPeriods(billing.text, -13)), p24: periodKey(addPeriods(billing.text, -24)),
    ...baselineParams(billing.text), reach_periods: HISTORY_REACH_PERIODS,
  };
  await connection.run('CREATE OR REPLACE TABLE history_next AS FROM history_summary LIMIT 0');
  // Each join of the statement is written with its small side last, and DuckDB is held to that: by
  // its estimates it built the standing summaries' join on them and copied every list (1.3 s of
  // 3.6 s at 200k accounts).
  await connection.run(`SET disabled_optimizers = 'build_side_probe_side'`);
  try {
    for (let lo = 0; lo < keys; lo += rangeSize) {
      await connection.run(`INSERT INTO history_next BY NAME\n${HISTORY_SQL.refresh!}`, { ...params, lo, hi: lo + rangeSize });
    }
  } finally {
    await connection.run('RESET disabled_optimizers');
  }
  // The new summary replaces the old one by name: copying it over cost another write of every row.
  await connection.run('DROP TABLE history_summary');
  await connection.run('ALTER TABLE history_next RENAME TO history_summary');
  await connection.run('DELETE FROM history_summary_state');
  await connection.run('INSERT INTO history_summary_state VALUES ($as_of, $decision_mark)', { as_of: billing.key, decision_mark: decisions });
}
