// Demand from interval data alone: the policy's demand window (30 minutes here) over 15-minute
// intervals, classified by the policy's own demand_schedule — stored beside the energy schedule
// since issue 16 (before, tariff_schedule held only the energy period and demand was classified by
// it). The schedules differ on purpose: energy peak 08–12, demand peak 17–21.
//
// One meter in February 2026 reads 100 Wh every 15 minutes (0.4 kW), except
// - 18:00 and 18:15 of the 10th: 500 Wh each → the 18:00–18:30 window holds 1000 Wh = 2.0 kW, in the
//   demand peak (the energy schedule calls 18:00 flat);
// - 09:15 and 09:30 of the 11th: 600 Wh each, astride two windows: 09:00–09:30 and 09:30–10:00 hold
//   700 Wh each = 1.4 kW (one 15-minute interval alone would be 2.4 kW), in the demand flat period.
// Energy: 28·96·100 + 2·400 + 2·500 = 270,600 Wh, of which 08–12 (energy peak, every day):
// 28·16·100 + 1000 = 45,800 Wh; flat 224,800 Wh.
// Bill: 45.8 × 0.20 + 224.8 × 0.10 + 2.0 kW × 10 + 1.4 kW × 1 = 9.16 + 22.48 + 20.00 + 1.40 = 53.04.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { runCli, tempDir } from '../helpers.js';

const ALL_MONTHS = '[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]';
const POLICY = `id: AMI-DEMAND
name: Smart meter demand
currency: USD
rounding: per_bill
intervals: { demand_minutes: 30 }
versions:
  - version: v1
    effective_from: 2025-01-01
    energy: { tou: { rates: { peak: 0.20, flat: 0.10 } } }
    demand:
      basis: tou
      tou:
        peak: { blocks: [{ rate: 10.0 }] }
        flat: { blocks: [{ rate: 1.0 }] }
    tou_schedule:
      - { months: ${ALL_MONTHS}, days: all, periods: { peak: "8-12", flat: "0-8, 12-24" } }
    demand_schedule:
      - { months: ${ALL_MONTHS}, days: all, periods: { peak: "17-21", flat: "0-17, 21-24" } }
`;

function intervals(): string {
  const special: Record<string, number> = {
    '2026-02-10T18:00': 500, '2026-02-10T18:15': 500, '2026-02-11T09:15': 600, '2026-02-11T09:30': 600,
  };
  const lines = ['meter_id,interval_start,interval_minutes,kwh'];
  for (let day = 1; day <= 28; day++) {
    for (let quarter = 0; quarter < 96; quarter++) {
      const start = `2026-02-${String(day).padStart(2, '0')}T${String(Math.floor(quarter / 4)).padStart(2, '0')}:${String((quarter % 4) * 15).padStart(2, '0')}`;
      lines.push(`M-D,${start}:00,15,${((special[start] ?? 100) / 1000).toFixed(3)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

describe('demand from interval data alone', () => {
  it('takes the maximum per demand period over the policy\'s window, classified by the demand schedule', async () => {
    const dir = tempDir();
    const db = join(dir, 'store.duckdb');
    writeFileSync(join(dir, 'AMI-DEMAND.yaml'), POLICY);
    const load = await runCli(['tariff', 'load', join(dir, 'AMI-DEMAND.yaml')], db);
    expect(load.code, load.err).toBe(0);
    writeFileSync(join(dir, 'accounts.csv'), 'account_id,name,address,customer_class,tariff_id,region,meter_id,start_date\nD,Demand,1 Road,commercial,AMI-DEMAND,R1,M-D,2025-01-01\n');
    writeFileSync(join(dir, 'intervals.csv'), intervals());
    for (const [kind, file] of [['accounts', 'accounts.csv'], ['readings', 'intervals.csv']] as const) {
      const loaded = await runCli(['load', kind, join(dir, file)], db, new Date('2026-03-05T00:00:00Z'));
      expect(loaded.code, loaded.err).toBe(0);
    }
    const run = await runCli(['bill', '--period', '2026-02', '--out', join(dir, 'out')], db);
    expect(run.code, run.err).toBe(0);

    const store = await openStore(db);
    try {
      const bill = (await store.rows(`SELECT kwh_milli::INTEGER AS wh, kwh_peak_milli::INTEGER AS peak, kwh_flat_milli::INTEGER AS flat,
          demand_milli::INTEGER AS demand, amount_minor::INTEGER AS cents FROM bills WHERE is_current`))[0];
      expect(bill).toEqual({ wh: 270_600, peak: 45_800, flat: 224_800, demand: 2_000, cents: 5_304 });
      const lines = await store.rows(`SELECT c.component, c.label, l.quantity_milli::INTEGER AS q, l.amount_minor::INTEGER AS amount
        FROM line_items l JOIN charges c USING (charge_key) ORDER BY l.seq`);
      expect(lines.filter((l) => l.component === 'demand').map((l) => [l.q, l.amount])).toEqual([[2_000, 2_000], [1_400, 140]]);
      const stored = await store.rows(`SELECT period, demand_period FROM tariff_schedule WHERE month = 2 AND day_type = 'weekday' AND hour IN (9, 18) ORDER BY hour`);
      expect(stored).toEqual([{ period: 'peak', demand_period: 'flat' }, { period: 'flat', demand_period: 'peak' }]);
    } finally {
      await store.close();
    }
  }, 120_000);
});
