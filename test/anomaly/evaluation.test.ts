// `billrun evaluate` on a small generated set with a fixed seed: the report's numbers agree with
// the store and the labels, and billrun's rules beat the naive 30% rule on the same bills.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvaluationReport } from '../../src/anomaly/index.js';
import { openStore } from '../../src/store/index.js';
import { billedStore, type BilledStore } from '../billed-store.js';
import { runCli } from '../helpers.js';

let billed: BilledStore;
let report: EvaluationReport;
const FROM = '2024-07';
const TO = '2025-06';

beforeAll(async () => {
  billed = await billedStore({ accounts: 1500, months: 18, seed: 3, anomalyRate: 0.02 });
  const result = await runCli(['evaluate', '--labels', join(billed.data, 'labels.csv'), '--from', FROM, '--to', TO, '--top', '20', '--json'], billed.db);
  expect(result.code, result.err).toBe(0);
  report = JSON.parse(result.out) as EvaluationReport;
}, 600_000);
afterAll(() => billed?.remove());

describe('billrun evaluate', () => {
  it('counts what the store and the labels hold', async () => {
    const store = await openStore(billed.db, { readOnly: true });
    const [counts] = await store.rows(`SELECT count(*)::INTEGER AS bills, count(*) FILTER (WHERE flag_count > 0)::INTEGER AS flagged
      FROM bills WHERE is_current AND period BETWEEN 202407 AND 202506`);
    store.close();
    expect(report.window.bills).toBe(counts!.bills);
    expect(report.billrun.flagged).toBe(counts!.flagged);
    const labels = readFileSync(join(billed.data, 'labels.csv'), 'utf8').trim().split('\n').slice(1)
      .filter((line) => { const period = line.split(',')[1]!; return period >= FROM && period <= TO; });
    const byKind = Object.values(report.by_kind);
    expect(byKind.reduce((sum, k) => sum + k.labels, 0)).toBe(labels.length);
    expect(report.by_period.map((p) => p.period)).toHaveLength(12);
    expect(report.window.rules_versions).toEqual(['2026.15']);
    expect(report.window.verdicts).toBe('must_flag');
  });

  // Issue 13's targets (precision ≥ 0.90, recall ≥ 0.95) are not met yet (bench/evaluation.md).
  // This setting (1,500 accounts, 18 periods: the window opens with half a year of history)
  // measured with rules 2026.3: seed 3 flag rate 1.09× true, precision 0.80, recall 0.87; seed 4
  // 1.19×, 0.74, 0.87; the naive rule's precision 0.15 and 0.10 at 5–6× the flag rate. The bars
  // sit one seed-to-seed difference (0.06) below the lower seed. The top of the ranked list is not
  // asserted: cut at 20 of about 50 flagged bills a period it held 0.75 and 0.73 (at 10,000
  // accounts, seed 7, the top 100 held 0.91 against the list's 0.87).
  it('flags far fewer bills than the naive rule, most of them real, and misses little', () => {
    expect(report.billrun.flag_rate).toBeLessThan(1.5 * report.window.anomaly_rate);
    expect(report.naive.flag_rate).toBeGreaterThan(4 * report.billrun.flag_rate);
    expect(report.billrun.precision!).toBeGreaterThan(0.67);
    expect(report.billrun.recall!).toBeGreaterThan(0.8);
    expect(report.billrun.precision!).toBeGreaterThan(4 * report.naive.precision!);
  });

  it('catches an error code in the opening read as well as in the closing one', async () => {
    const store = await openStore(billed.db, { readOnly: true });
    await store.run(`CREATE TEMP TABLE l AS SELECT * FROM read_csv($path, all_varchar = true)`, { path: join(billed.data, 'labels.csv') });
    const rows = await store.rows(`
      SELECT count(*)::INTEGER AS labels,
             count(*) FILTER (WHERE EXISTS (SELECT 1 FROM flags f WHERE f.account_key = b.account_key AND f.period = b.period
                                            AND f.bill_version = b.bill_version AND f.rule_id = 'sentinel_value' AND NOT f.suppressed))::INTEGER AS caught
      FROM l JOIN accounts a USING (account_id)
      JOIN bills b ON b.account_key = a.account_key AND b.period = replace(l.period, '-', '')::INTEGER AND b.is_current
      WHERE l.kind = 'sentinel'`);
    store.close();
    // A sentinel labels the period it closes and the next one, which opens on it.
    expect(rows[0]!.labels).toBeGreaterThan(10);
    expect(rows[0]!.caught).toBe(rows[0]!.labels);
  });

  it('prints both rule sets side by side, per kind, rule and period', async () => {
    const text = await runCli(['evaluate', '--labels', join(billed.data, 'labels.csv'), '--period', '2025-03'], billed.db);
    expect(text.code, text.err).toBe(0);
    expect(text.out).toMatch(/^billrun\s+\d/m);
    expect(text.out).toMatch(/^naive \(kWh\/day ±30% MoM or YoY\)\s+\d/m);
    expect(text.out).toContain('label kind');
    expect(text.out).toContain('mom_kwh_per_day');
    expect(text.out).toMatch(/^2025-03\s/m);
  });

  it('refuses labels without the required columns and a reversed window', async () => {
    const bad = join(billed.dir, 'bad-labels.csv');
    writeFileSync(bad, 'account,month\nA0000001,2025-01\n');
    const missing = await runCli(['evaluate', '--labels', bad, '--period', '2025-01'], billed.db);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('missing account_id, period, kind');
    const reversed = await runCli(['evaluate', '--labels', join(billed.data, 'labels.csv'), '--from', '2025-06', '--to', '2025-01'], billed.db);
    expect(reversed.code).toBe(2);
    expect(reversed.err).toContain('--from 2025-06 is after --to 2025-01');
  });

  it('reads a labels file of kinds only, counting every label as a must', async () => {
    const kindsOnly = join(billed.dir, 'kinds-only.csv');
    const lines = readFileSync(join(billed.data, 'labels.csv'), 'utf8').trim().split('\n');
    writeFileSync(kindsOnly, lines.map((l) => l.split(',').slice(0, 3).join(',')).join('\n'));
    const result = await runCli(['evaluate', '--labels', kindsOnly, '--from', FROM, '--to', TO, '--json'], billed.db);
    expect(result.code, result.err).toBe(0);
    const plain = JSON.parse(result.out) as EvaluationReport;
    expect(plain.window.verdicts).toBe('kind');
    expect(plain.window.ambiguous + plain.window.legitimate).toBe(0);
    expect(plain.window.must).toBeGreaterThan(report.window.must);
  });
});
