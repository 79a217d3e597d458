// Through a real bill run on hand-made reads: a heat wave in one region, felt by its homes and its
// few shops, while the shops' class as a whole (mostly in the other region) did not move. Region
// R1: 40 homes and 32 shops, steady. Region R2: 31 homes (their own peer group) and 4 shops — too
// few for a class × region median, so the shops fall back to their class. In July 2025 R2's homes
// and shops S1–S3 use 60% more; S4's meter loses two thirds of its use from that month on.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { runCli, tempDir } from '../helpers.js';

const GD_RES = join(import.meta.dirname, '..', '..', 'samples', 'tariffs', 'GD-RES.yaml');
const AFTER_THE_DATA = new Date('2026-12-01T09:00:00Z');
const HEAT_FROM = new Date(Date.UTC(2025, 6, 1));
const HEAT_TO = new Date(Date.UTC(2025, 7, 1));
interface FlagRow { account_id: string; period: number; rule_id: string; suppressed: boolean; reason: string }
let flags: FlagRow[] = [];

/** Monthly reads on the 1st, 2023-12 … 2025-10, of a meter using `kpd(day)` kWh a day. */
function reads(meter: string, kpd: (day: Date) => number): string[] {
  const lines: string[] = [];
  let value = 1000;
  for (let month = 0; month <= 22; month++) {
    const day = new Date(Date.UTC(2023, 11 + month, 1));
    if (month > 0) {
      const previous = new Date(Date.UTC(2023, 10 + month, 1));
      value += kpd(previous) * ((day.getTime() - previous.getTime()) / 86_400_000);
    }
    lines.push(`${meter},${day.toISOString().slice(0, 10)},total,${Math.round(value)},actual`);
  }
  return lines;
}

beforeAll(async () => {
  const dir = tempDir();
  const db = join(dir, 'store.duckdb');
  expect((await runCli(['tariff', 'load', GD_RES], db)).code).toBe(0);
  const accounts: { id: string; cls: string; region: string; kpd: (day: Date) => number }[] = [];
  const heat = (day: Date) => day >= HEAT_FROM && day < HEAT_TO;
  for (let i = 1; i <= 40; i++) accounts.push({ id: `H1-${i}`, cls: 'residential', region: 'R1', kpd: () => 10 });
  for (let i = 1; i <= 32; i++) accounts.push({ id: `S1-${i}`, cls: 'commercial', region: 'R1', kpd: () => 300 });
  for (let i = 1; i <= 31; i++) accounts.push({ id: `H2-${i}`, cls: 'residential', region: 'R2', kpd: (d) => (heat(d) ? 16 : 10) });
  for (let i = 1; i <= 3; i++) accounts.push({ id: `S${i}`, cls: 'commercial', region: 'R2', kpd: (d) => (heat(d) ? 480 : 300) });
  accounts.push({ id: 'S4', cls: 'commercial', region: 'R2', kpd: (d) => (d >= HEAT_FROM ? 100 : 300) });
  writeFileSync(join(dir, 'accounts.csv'), [
    'account_id,name,address,customer_class,tariff_id,region,meter_id,multiplier,register_digits,start_date,previous_meter_id,meter_exchanged_at,contract_kva,pf_standard',
    ...accounts.map((a) => `${a.id},Premises ${a.id},1 Road,${a.cls},GD-RES,${a.region},M${a.id},1,7,2020-01-01,,,,`),
  ].join('\n') + '\n');
  writeFileSync(join(dir, 'reads.csv'), ['meter_id,read_at,register,value,read_type',
    ...accounts.flatMap((a) => reads(`M${a.id}`, a.kpd))].join('\n') + '\n');
  for (const [kind, file] of [['accounts', 'accounts.csv'], ['readings', 'reads.csv']] as const) {
    const load = await runCli(['load', kind, join(dir, file)], db, AFTER_THE_DATA);
    expect(load.code, load.err).toBe(0);
  }
  const run = await runCli(['bill', '--from', '2024-01', '--to', '2025-10', '--out', join(dir, 'out')], db);
  expect(run.code, run.err).toBe(0);
  const store = await openStore(db, { readOnly: true });
  flags = (await store.rows(`SELECT a.account_id, b.period, f.rule_id, f.suppressed, f.reason FROM bills b JOIN accounts a USING (account_key)
    JOIN flags f USING (account_key, period, bill_version)
    WHERE b.is_current AND a.account_id IN ('S1', 'S2', 'S3', 'S4') ORDER BY a.account_id, b.period`)) as unknown as FlagRow[];
  store.close();
}, 900_000);

it('lets the heat wave pass on the shops of the small group, explained by their class in the region\'s weather', () => {
  const shops = flags.filter((r) => r.account_id !== 'S4');
  expect(shops.filter((r) => !r.suppressed)).toEqual([]);
  // The period closed on 2025-08-01 holds July's use: class +0%, the region's accounts +60% over their classes.
  expect(shops.map((r) => `${r.account_id} ${r.period} ${r.reason}`)).toEqual(['S1', 'S2', 'S3'].map((id) =>
    `${id} 202508 kWh/day 300.0 → 480.0 (+60%) vs last month, but class peers in the region's weather +60%: the whole group moved (weather or season)`));
});

it('still holds the shop whose meter lost two thirds of its use in the heat wave, every month', () => {
  const held = flags.filter((r) => r.account_id === 'S4' && !r.suppressed);
  expect(held.map((r) => r.period)).toEqual([202508, 202509, 202510]);
  expect(held[0]!.reason).toContain('class peers +0%');
});
