// Statements of a store billed from generated data (every tariff, interval accounts, meter
// exchanges, rollovers, estimates, move-ins): each statement must explain its bill exactly.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Statement } from '../../schemas/statement.js';
import { openStore } from '../../src/store/index.js';
import { billedStore, type BilledStore } from '../billed-store.js';
import { runCli } from '../helpers.js';

let billed: BilledStore;
let statements: Statement[];
const PERIOD = '2025-01';

beforeAll(async () => {
  billed = await billedStore({ accounts: 400, months: 13, seed: 5, anomalyRate: 0.02 });
  const out = join(billed.dir, 'statements');
  const result = await runCli(['statements', '--period', PERIOD, '--out', out, '--format', 'json', '--include-held', '--batch-size', '97'], billed.db);
  expect(result.code, result.err).toBe(0);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const paths = (await connection.runAndReadAll('SELECT path FROM read_parquet($p) ORDER BY path', { p: join(out, PERIOD, 'files.parquet') }))
    .getRowsJson().map((r) => String(r[0]));
  connection.closeSync();
  instance.closeSync();
  statements = paths.map((p) => Statement.parse(JSON.parse(readFileSync(join(out, PERIOD, p), 'utf8'))));
});
afterAll(() => billed?.remove());

describe('statements of generated data', () => {
  it('cover every current bill of the period, held ones as drafts', async () => {
    const store = await openStore(billed.db, { readOnly: true });
    const bills = await store.rows(`SELECT a.account_id, b.status::VARCHAR AS status, b.amount_minor::BIGINT AS amount_minor
      FROM bills b JOIN accounts a USING (account_key) WHERE b.period = 202501 AND b.is_current ORDER BY a.account_id`);
    store.close();
    expect(statements.map((s) => s.account.id).sort()).toEqual(bills.map((b) => b.account_id));
    const byId = new Map(statements.map((s) => [s.account.id, s]));
    for (const bill of bills) {
      const statement = byId.get(String(bill.account_id))!;
      expect(statement.bill.status).toBe(bill.status);
      expect(statement.draft).toBe(bill.status === 'held' || bill.status === 'escalated');
      expect(statement.bill.amountMinor).toBe(Number(bill.amount_minor));
    }
  });

  it('show reads that add up to the billed energy, and line items that add up to the total', () => {
    let exchanges = 0;
    let checked = 0;
    for (const s of statements) {
      expect(s.lineItems.reduce((sum, item) => sum + item.amountMinor, 0)).toBe(s.bill.amountMinor);
      if (s.meterExchange) exchanges++;
      // Interval meters price TOU from hourly data; their registers only carry the total.
      const registers = s.meters.flatMap((m) => m.registers);
      const total = registers.filter((r) => r.register === 'total');
      const tou = registers.filter((r) => ['sharp', 'peak', 'flat', 'valley'].includes(r.register));
      const energy = total.length > 0 ? total : tou;
      if (energy.length === 0) continue;
      expect(energy.reduce((sum, r) => sum + r.quantityMilli, 0), s.account.id).toBe(s.consumption.kwhMilli);
      for (const meter of s.meters) {
        for (const r of meter.registers) if (r.advanceMilli >= 0) expect(r.quantityMilli).toBe(Math.round(r.advanceMilli * Number(meter.multiplier)));
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(statements.length * 0.9);
    expect(exchanges).toBeGreaterThan(0);
  });

  it('compare with the bills of last month and last year that the store holds', async () => {
    const store = await openStore(billed.db, { readOnly: true });
    const rows = await store.rows(`SELECT a.account_id, b.period, b.kwh_milli::BIGINT AS kwh, b.days, b.amount_minor::BIGINT AS amount
      FROM bills b JOIN accounts a USING (account_key) WHERE b.is_current AND b.period = 202401`);
    store.close();
    const key = (id: string, period: number) => `${id}@${period}`;
    const history = new Map(rows.map((r) => [key(String(r.account_id), Number(r.period)), r]));
    for (const s of statements) {
      const lastYear = history.get(key(s.account.id, 202401));
      expect(s.comparison.sameMonthLastYear?.kwhMilli ?? null).toBe(lastYear ? Number(lastYear.kwh) : null);
      expect(s.usage[0]!.amountMinor).toBe(lastYear ? Number(lastYear.amount) : null);
    }
  });
});
