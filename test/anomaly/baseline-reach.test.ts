// Through real bill runs on hand-made reads. Forty steady homes make the peer group (their level
// never moves, so the peers' season is 1). Home T uses 10 kWh/day until April 2024 and 5 kWh/day
// from then on: a wrong level nobody decides on stays held for longer than a year. Home V honestly
// swings between 10 and 20 kWh/day every month: its band must learn that from its own months.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { runCli, tempDir } from '../helpers.js';

const GD_RES = join(import.meta.dirname, '..', '..', 'samples', 'tariffs', 'GD-RES.yaml');
const AFTER_THE_DATA = new Date('2026-12-01T09:00:00Z');
let db: string;
let held: { account_id: string; period: number; rule_id: string; reason: string }[] = [];

/** Monthly reads on the 1st, 2023-12 … 2025-09, of a meter using `kpd(day)` kWh a day. */
function reads(meter: string, kpd: (day: Date) => number): string[] {
  const lines: string[] = [];
  let value = 1000;
  for (let month = 0; month <= 21; month++) {
    const day = new Date(Date.UTC(2023, 11 + month, 1));
    if (month > 0) {
      const previous = new Date(Date.UTC(2023, 10 + month, 1));
      value += kpd(previous) * ((day.getTime() - previous.getTime()) / 86_400_000);
    }
    lines.push(`${meter},${day.toISOString().slice(0, 10)},total,${value},actual`);
  }
  return lines;
}

beforeAll(async () => {
  const dir = tempDir();
  db = join(dir, 'store.duckdb');
  expect((await runCli(['tariff', 'load', GD_RES], db)).code).toBe(0);
  const homes = [...Array.from({ length: 40 }, (_, i) => `P${i + 1}`), 'T', 'V'];
  writeFileSync(join(dir, 'accounts.csv'), [
    'account_id,name,address,customer_class,tariff_id,region,meter_id,multiplier,register_digits,start_date,previous_meter_id,meter_exchanged_at,contract_kva,pf_standard',
    ...homes.map((id) => `${id},Home ${id},1 Road,residential,GD-RES,R1,M${id},1,6,2020-01-01,,,,`),
  ].join('\n') + '\n');
  writeFileSync(join(dir, 'reads.csv'), ['meter_id,read_at,register,value,read_type',
    ...homes.flatMap((id) => reads(`M${id}`, (day) => {
      if (id === 'V') return day.getUTCMonth() % 2 === 0 ? 20 : 10;
      return id === 'T' && day >= new Date(Date.UTC(2024, 3, 1)) ? 5 : 10;
    }))].join('\n') + '\n');
  for (const [kind, file] of [['accounts', 'accounts.csv'], ['readings', 'reads.csv']] as const) {
    const load = await runCli(['load', kind, join(dir, file)], db, AFTER_THE_DATA);
    expect(load.code, load.err).toBe(0);
  }
  const run = await runCli(['bill', '--from', '2024-01', '--to', '2025-09', '--out', join(dir, 'out')], db);
  expect(run.code, run.err).toBe(0);
  // Read now: the test's temporary folder does not outlive the first test.
  const store = await openStore(db, { readOnly: true });
  held = (await store.rows(`SELECT a.account_id, b.period, f.rule_id, f.reason FROM bills b JOIN accounts a USING (account_key)
    JOIN flags f USING (account_key, period, bill_version)
    WHERE b.is_current AND b.status = 'held' AND NOT f.suppressed ORDER BY a.account_id, b.period`)) as typeof held;
  store.close();
}, 900_000);

it('holds the halved level every month, 17 months on, with the baseline of the last trusted months; steady homes never', () => {
  const heldT = held.filter((r) => r.account_id !== 'V');
  expect(heldT.map((r) => r.account_id)).toEqual(Array(17).fill('T'));
  // The period closed on 2024-05-01 (April's use) is the first at 5 kWh/day: held as a change, then as a level shift.
  expect(heldT.map((r) => r.period)).toEqual([202405, 202406, 202407, 202408, 202409, 202410, 202411, 202412,
    202501, 202502, 202503, 202504, 202505, 202506, 202507, 202508, 202509]);
  expect(heldT[0]!.rule_id).toBe('mom_kwh_per_day');
  expect(heldT.at(-1)!.rule_id).toBe('level_shift');
  expect(heldT.at(-1)!.reason).toMatch(/^kWh\/day at 1\/2 of its level since 2024-05: 5\.0 vs usual 10\.0;/);
});

it('learns a volatile home\'s band from all its measured months, held ones included, and stops holding its honest swings', () => {
  // Every change is ln 2 = 0.693: σ = 1.4826 × 0.693 / √2 = 0.727, a band of 4σ = 2.9 once the
  // home's own months outweigh its steady peers' spread. From trusted months only, the held 20s
  // would never count, the spread would stay that of the 10s (zero) and every 20 would hold.
  const heldV = held.filter((r) => r.account_id === 'V').map((r) => Number(r.period));
  expect(heldV.length).toBeGreaterThan(0);
  expect(heldV.filter((p) => p >= 202410)).toEqual([]);
});
