// How `evaluate` scores against must_flag labels, on bills written by hand: recall counts only
// must-flag bills, precision leaves ambiguous bills out, a flagged legitimate event is a false
// alarm, and months 2–6 of a persisting error are scored apart.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateFlags, type EvaluationReport } from '../../src/anomaly/index.js';
import { openStore, type Store } from '../../src/store/index.js';

let store: Store;
let dir: string;

/** Account n (A000000n) billed 10 kWh/day in 2025-01..2025-06, flagged in the periods listed. */
async function account(n: number, flagged: number[], customerClass = 'residential'): Promise<void> {
  await store.run(`INSERT INTO accounts VALUES ($key, $id, 'n', 'a', $class, 'T', 'R01', 'M', 1, 6, NULL, DATE '2020-01-01', NULL, NULL, NULL, NULL, NULL, 1, $key)`,
    { key: n, id: `A000000${n}`, class: customerClass });
  for (let month = 1; month <= 6; month++) {
    const period = 202500 + month;
    const flags = flagged.includes(period) ? 1 : 0;
    await store.run(`INSERT INTO bills VALUES ($key, $period, 1, 1, true, $status, DATE '2025-01-01', DATE '2025-01-31', 30,
      300000, NULL, NULL, NULL, NULL, NULL, NULL, 18000, 0, 0, 0, $flags, $score)`,
    { key: n, period, status: flags ? 'held' : 'ready', flags, score: flags * 100 });
  }
}

async function report(labels: string): Promise<EvaluationReport> {
  const path = join(dir, `labels-${Math.random().toString(36).slice(2)}.csv`);
  writeFileSync(path, labels);
  return evaluateFlags(store, { labelsPath: path, from: '2025-01', to: '2025-06', top: 10 });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'billrun-must-'));
  store = await openStore(join(dir, 'must.duckdb'));
  await account(1, [202502, 202503]);          // a wrong multiplier from 2025-02, caught in its first two months only
  await account(2, [202504]);                  // a heat wave month flagged: a false alarm
  await account(3, [202505]);                  // an ambiguous small drop, flagged
  await account(4, [202506], 'industrial');    // a flag on nothing at all
});
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const LABELS = `account_id,period,kind,must_flag
A0000001,2025-02,wrong_multiplier,1
A0000001,2025-03,wrong_multiplier,1
A0000001,2025-04,wrong_multiplier,1
A0000001,2025-05,wrong_multiplier,1
A0000001,2025-06,wrong_multiplier,1
A0000002,2025-04,heat_wave,0
A0000002,2025-05,estimated_read,0
A0000003,2025-05,sustained_drop,ambiguous
`;

describe('evaluate with must_flag labels', () => {
  it('scores recall on must-flag bills, precision without ambiguous ones, and the persisting months apart', async () => {
    const r = await report(LABELS);
    expect(r.window).toMatchObject({ bills: 24, must: 5, ambiguous: 1, legitimate: 2, persisting: 4, verdicts: 'must_flag' });
    // Flagged: 1/02, 1/03 (must), 2/04 (legitimate), 3/05 (ambiguous, left out), 4/06 (unlabelled).
    expect(r.billrun.flagged).toBe(5);
    expect(r.billrun.precision).toBeCloseTo(2 / 4, 10);
    expect(r.billrun.recall).toBeCloseTo(2 / 5, 10);
    // Months 2–6 of the wrong multiplier: 2025-03..06, of which 2025-03 flagged.
    expect(r.billrun.recall_persisting).toBeCloseTo(1 / 4, 10);
    expect(r.billrun.flag_ratio).toBeCloseTo(5 / 5, 10);
    expect(r.by_kind['heat_wave (legitimate)']!.billrun_flagged).toBe(1);
    expect(r.by_kind['estimated_read (legitimate)']!.billrun_flagged).toBe(0);
    expect(r.by_kind.wrong_multiplier!.billrun_flagged).toBeCloseTo(2 / 5, 10);
    expect(r.by_class.industrial!.billrun.precision).toBe(0);
  });

  it('reads a file without must_flag as every label a must', async () => {
    const r = await report(LABELS.split('\n').map((line) => line.split(',').slice(0, 3).join(',')).join('\n'));
    expect(r.window).toMatchObject({ must: 8, ambiguous: 0, legitimate: 0, verdicts: 'kind' });
    expect(r.billrun.recall).toBeCloseTo(4 / 8, 10);
  });

  it('refuses a must_flag that is none of 1, 0, ambiguous, naming the line', async () => {
    await expect(report(`${LABELS}A0000004,2025-06,misread,maybe\n`)).rejects.toThrow(/line 10.*must_flag must be 1, 0 or ambiguous, not 'maybe'/);
  });
});
