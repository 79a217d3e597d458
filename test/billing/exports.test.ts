// The run's Parquet exports against the store they come from: every bill and line item, sorted by
// account id (not by the store's keys, which follow the account file's lines), each line item with
// its own charge's texts. write.sql looks the texts up after the sort by number, so a wrong number
// or order shows here as a label on the wrong line.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { runCli, tempDir } from '../helpers.js';
import { parquetRows } from '../parquet.js';

const SAMPLES = join(import.meta.dirname, '..', '..', 'samples', 'tariffs');

describe('bill run exports', () => {
  it('write every bill and line item in account-id order with its own charge and context', async () => {
    const dir = tempDir();
    const db = join(dir, 'store.duckdb');
    expect((await runCli(['tariff', 'load', join(SAMPLES, 'GD-RES.yaml'), join(SAMPLES, 'AGR-FLAT.yaml')], db)).code).toBe(0);
    // Keys follow the file's lines (C3 gets the first key); ids sort A1, B2, C3, D4.
    writeFileSync(join(dir, 'accounts.csv'), [
      'account_id,name,address,customer_class,tariff_id,region,meter_id,multiplier,register_digits,start_date,previous_meter_id,meter_exchanged_at,contract_kva,pf_standard',
      'C3,Three tiers,3 Road,residential,GD-RES,R1,M3,1,6,2020-01-01,,,,',
      'A1,One tier,1 Road,residential,GD-RES,R1,M1,1,6,2020-01-01,,,,',
      'D4,Pump,4 Road,agricultural,AGR-FLAT,R1,M4,1,6,2020-01-01,,,,',
      'B2,Two tiers,2 Road,residential,GD-RES,R1,M2,1,6,2020-01-01,,,,',
    ].join('\n') + '\n');
    writeFileSync(join(dir, 'reads.csv'), [
      'meter_id,read_at,register,value,read_type',
      'M1,2024-06-15,total,1000,actual', 'M1,2024-07-15,total,1100,actual',
      'M2,2024-06-15,total,1000,actual', 'M2,2024-07-15,total,1400,actual',
      'M3,2024-06-15,total,1000,actual', 'M3,2024-07-15,total,1700,actual',
      'M4,2024-06-15,total,1000,actual', 'M4,2024-07-15,total,3000,actual',
    ].join('\n') + '\n');
    expect((await runCli(['load', 'accounts', join(dir, 'accounts.csv')], db)).code).toBe(0);
    expect((await runCli(['load', 'readings', join(dir, 'reads.csv')], db)).code).toBe(0);
    const out = join(dir, 'out');
    const run = await runCli(['bill', '--period', '2024-07', '--out', out], db);
    expect(run.code, run.err).toBe(0);

    const store = await openStore(db, { readOnly: true });
    const storedItems = await store.rows(`SELECT a.account_id, l.seq::INTEGER AS seq, c.component, c.label, c.unit, c.rate, c.tariff_id,
        l.quantity_milli::BIGINT::VARCHAR AS quantity_milli, l.amount_minor::BIGINT::VARCHAR AS amount_minor
      FROM line_items l JOIN charges c USING (charge_key) JOIN accounts a USING (account_key) ORDER BY a.account_id, l.seq`);
    const storedBills = await store.rows(`SELECT a.account_id, c.tariff_id, c.currency, b.amount_minor::BIGINT::VARCHAR AS amount_minor
      FROM bills b JOIN bill_contexts c USING (context_key) JOIN accounts a USING (account_key) ORDER BY a.account_id`);
    const keys = await store.rows('SELECT account_id FROM accounts ORDER BY account_key');
    store.close();
    expect(keys.map((k) => k.account_id)).toEqual(['C3', 'A1', 'D4', 'B2']);
    // A1 100 kWh (one tier), B2 400 (two), C3 700 (three), D4 on the agricultural flat rate: charges of their own.
    expect(new Set(storedItems.map((i) => i.label)).size).toBeGreaterThanOrEqual(4);

    const path = join(out, '2024-07', 'line_items.parquet');
    const items = await parquetRows(`SELECT account_id, seq::INTEGER AS seq, component, label, unit, rate, tariff_id,
        quantity_milli::VARCHAR AS quantity_milli, amount_minor::VARCHAR AS amount_minor FROM read_parquet($path)`, { path });
    expect(items).toEqual(storedItems);
    const bills = await parquetRows(`SELECT account_id, tariff_id, currency, amount_minor::VARCHAR AS amount_minor
      FROM read_parquet($path)`, { path: join(out, '2024-07', 'bills.parquet') });
    expect(bills).toEqual(storedBills);
    expect(bills.map((b) => b.account_id)).toEqual(['A1', 'B2', 'C3', 'D4']);
    expect(new Set(bills.map((b) => b.tariff_id))).toEqual(new Set(['GD-RES', 'AGR-FLAT']));
  });

  it('finish a period whose every bill failed: empty bill and line-item files, every account in errors.csv', async () => {
    const dir = tempDir();
    const db = join(dir, 'store.duckdb');
    expect((await runCli(['tariff', 'load', join(SAMPLES, 'GD-RES.yaml')], db)).code).toBe(0);
    writeFileSync(join(dir, 'accounts.csv'), [
      'account_id,name,address,customer_class,tariff_id,region,meter_id,start_date',
      'A1,No reads,1 Road,residential,GD-RES,R1,M1,2020-01-01',
      'B2,No reads,2 Road,residential,GD-RES,R1,M2,2020-01-01',
    ].join('\n') + '\n');
    expect((await runCli(['load', 'accounts', join(dir, 'accounts.csv')], db)).code).toBe(0);
    const out = join(dir, 'out');
    // No charge and no context to bind to the exports: their lists are empty (a crash until 2026-12-08).
    const run = await runCli(['bill', '--period', '2024-07', '--out', out], db);
    expect(run.code, run.err).toBe(3);
    expect(run.out).toContain('2 accounts = 0 billed + 0 held for review + 2 errors');
    for (const file of ['bills.parquet', 'line_items.parquet']) {
      expect(await parquetRows('SELECT count(*)::INTEGER AS n FROM read_parquet($path)', { path: join(out, '2024-07', file) })).toEqual([{ n: 0 }]);
    }
    expect(readFileSync(join(out, '2024-07', 'errors.csv'), 'utf8').trim().split('\n').map((l) => l.split(',').slice(0, 2).join(','))).toEqual([
      'account_id,code', 'A1,no_reads', 'B2,no_reads',
    ]);
  });
});
