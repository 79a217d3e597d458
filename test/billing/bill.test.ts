// Bills computed by hand, through the whole pipeline: load → bill → stored bills, line items,
// errors and the manifest. Prices are GD-RES (samples/tariffs/GD-RES.yaml): summer tiers
// 0–260 / 261–600 / >600 kWh at 0.58886875 / 0.63886875 / 0.88886875 CNY.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { runCli, tempDir } from '../helpers.js';

const SAMPLES = join(import.meta.dirname, '..', '..', 'samples', 'tariffs');

describe('bill run on hand-made data', () => {
  it('prices tiers, rollovers and meter exchanges to the fen, records unbillable accounts and goes on', async () => {
    const dir = tempDir();
    const db = join(dir, 'store.duckdb');
    const tariffs = readdirSync(SAMPLES).filter((f) => /^(GD-RES|IND-2P)\.yaml$/.test(f)).map((f) => join(SAMPLES, f));
    expect((await runCli(['tariff', 'load', ...tariffs], db)).code).toBe(0);
    writeFileSync(join(dir, 'accounts.csv'), [
      'account_id,name,address,customer_class,tariff_id,region,meter_id,multiplier,register_digits,start_date,previous_meter_id,meter_exchanged_at,contract_kva,pf_standard',
      'A1,Tiers,1 Road,residential,GD-RES,R1,M1,1,6,2020-01-01,,,,',
      'A2,No reads,2 Road,residential,GD-RES,R1,M2,1,6,2020-01-01,,,,',
      'A3,No PF register,3 Road,industrial,IND-2P,R1,M3,1,6,2020-01-01,,,500,0.90',
      'A4,Rollover,4 Road,residential,GD-RES,R1,M4,1,5,2020-01-01,,,,',
      'A5,Exchange,5 Road,residential,GD-RES,R1,M5B,1,6,2020-01-01,M5,2024-07-01,,',
    ].join('\n') + '\n');
    writeFileSync(join(dir, 'reads.csv'), [
      'meter_id,read_at,register,value,read_type',
      'M1,2024-06-15,total,1000,actual', 'M1,2024-07-15,total,1700,actual',
      'M2,2024-06-15,total,10,actual',
      'M3,2024-06-15,total,100,actual', 'M3,2024-07-15,total,5100,actual',
      'M4,2024-06-15,total,99900,actual', 'M4,2024-07-15,total,150,actual',
      'M5,2024-06-15,total,5000,actual', 'M5,2024-07-01,total,5100,actual',
      'M5B,2024-07-01,total,0,actual', 'M5B,2024-07-15,total,200,actual',
    ].join('\n') + '\n');
    expect((await runCli(['load', 'accounts', join(dir, 'accounts.csv')], db)).code).toBe(0);
    expect((await runCli(['load', 'readings', join(dir, 'reads.csv')], db)).code).toBe(0);

    const result = await runCli(['bill', '--period', '2024-07', '--out', join(dir, 'out'), '--json'], db);
    expect(result.code, result.err).toBe(3); // finished, with errors
    const summary = JSON.parse(result.out) as { accountsIn: number; billed: number; held: number; errored: number };
    expect(summary).toMatchObject({ accountsIn: 5, errored: 2 });
    expect(summary.billed + summary.held).toBe(3);

    const store = await openStore(db, { readOnly: true });
    const bills = await store.rows(`SELECT a.account_id, b.days, b.kwh_milli::INTEGER AS wh, b.amount_minor::INTEGER AS fen, b.read_flags
      FROM bills b JOIN accounts a USING (account_key) ORDER BY a.account_id`);
    expect(bills).toEqual([
      // 260 × 0.58886875 + 340 × 0.63886875 + 100 × 0.88886875 = 153.105875 + 217.215375 + 88.886875 = 459.208125
      { account_id: 'A1', days: 30, wh: 700_000, fen: 45921, read_flags: 0 },
      // A 5-digit register wraps: 99,900 → 00,150 is 250 kWh; 250 × 0.58886875 = 147.2171875
      { account_id: 'A4', days: 30, wh: 250_000, fen: 14722, read_flags: 8 },
      // Old meter 5,000 → 5,100 plus new meter 0 → 200: 300 kWh; 260 × 0.58886875 + 40 × 0.63886875 = 178.660625
      { account_id: 'A5', days: 30, wh: 300_000, fen: 17866, read_flags: 64 },
    ]);
    const items = await store.rows(`SELECT c.label, l.quantity_milli::INTEGER AS q, c.rate, l.amount_minor::INTEGER AS fen
      FROM line_items l JOIN charges c USING (charge_key) JOIN accounts a USING (account_key) WHERE a.account_id = 'A1' ORDER BY l.seq`);
    expect(items.map((i) => [i.q, i.rate])).toEqual([[260_000, '0.58886875'], [340_000, '0.63886875'], [100_000, '0.88886875']]);
    expect(items.reduce((sum, i) => sum + Number(i.fen), 0)).toBe(45921);
    // Prices include 13% VAT: 459.21 − 459.21 / 1.13 = 52.8295 → 52.83, reported, not added.
    expect(await store.rows(`SELECT tax_included_minor::INTEGER AS t FROM bills JOIN accounts USING (account_key) WHERE account_id = 'A1'`)).toEqual([{ t: 5283 }]);
    expect(await store.rows(`SELECT a.account_id, e.code FROM bill_errors e JOIN accounts a USING (account_key) ORDER BY 1`)).toEqual([
      { account_id: 'A2', code: 'no_reads' },
      { account_id: 'A3', code: 'missing_reactive' },
    ]);
    store.close();

    const manifest = JSON.parse(readFileSync(join(dir, 'out', '2024-07', 'manifest.json'), 'utf8'));
    expect(manifest.accounts.in).toBe(manifest.accounts.billed + manifest.accounts.held + manifest.accounts.errored);
    expect(manifest.amounts).toEqual([{ currency: 'CNY', bills: 3, amountMinor: 45921 + 14722 + 17866 }]);
    expect(manifest.line_items.amount_minor).toBe(45921 + 14722 + 17866);
    expect(manifest.inputs.map((i: { kind: string }) => i.kind)).toEqual(['tariff', 'tariff', 'accounts', 'readings']);
    // A first period: no class has accounts with a year of trusted history to measure a band scale by.
    expect(manifest.band_scales).toEqual([]);
    expect(readFileSync(join(dir, 'out', '2024-07', 'errors.csv'), 'utf8')).toContain('A2,no_reads,no meter read dated in 2024-07');
  });
});
