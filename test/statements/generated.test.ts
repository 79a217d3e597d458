// Statements of a store billed from generated data (every tariff, interval accounts, meter
// exchanges, rollovers, estimates, move-ins): each statement must explain its bill exactly.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Statement } from '../../schemas/statement.js';
import { openStore } from '../../src/store/index.js';
import { billedStore, type BilledStore } from '../billed-store.js';
import { runCli } from '../helpers.js';
import { parquetRows } from '../parquet.js';

let billed: BilledStore;
let statements: Statement[];
const PERIOD = '2025-01';

beforeAll(async () => {
  billed = await billedStore({ accounts: 400, months: 13, seed: 5, anomalyRate: 0.02 });
  const out = join(billed.dir, 'statements');
  const result = await runCli(['statements', '--period', PERIOD, '--out', out, '--format', 'json', '--include-held', '--batch-size', '97'], billed.db);
  expect(result.code, result.err).toBe(0);
  const paths = (await parquetRows('SELECT path FROM read_parquet($path) ORDER BY path', { path: join(out, PERIOD, 'files.parquet') }))
    .map((r) => String(r.path));
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

  it('show exactly the reads the bill took: the rule worked out from the raw readings, and the billed service dates', async () => {
    // The rule, written out here independently of src/billing/reads.sql: a meter's reads count
    // from the later of move-in and its installation to the earlier of move-out and its removal;
    // the closing read is the last one in the period, the opening read the last one in the 62
    // days before it, else the first one in the period.
    const [first, next, lookback] = ['2025-01-01', '2025-02-01', '2024-10-31'];
    const store = await openStore(billed.db, { readOnly: true });
    const reads = await store.rows(`SELECT a.account_id, m.meter_id, a.start_date::VARCHAR AS start_date, a.end_date::VARCHAR AS end_date,
        m.installed_on::VARCHAR AS installed_on, m.removed_on::VARCHAR AS removed_on, r.register::VARCHAR AS register,
        r.read_date::VARCHAR AS read_date, strftime(r.read_at, '%Y-%m-%d %H:%M:%S') AS read_at, r.value_milli::DOUBLE AS value_milli, r.read_type::VARCHAR AS read_type
      FROM readings r JOIN meters m USING (meter_key) JOIN accounts a USING (account_key)
      WHERE r.read_date >= DATE '2024-10-31' AND r.read_date < DATE '2025-02-01' ORDER BY r.read_at`);
    const bills = new Map((await store.rows(`SELECT a.account_id, b.start_date::VARCHAR AS start_date, b.end_date::VARCHAR AS end_date
      FROM bills b JOIN accounts a USING (account_key) WHERE b.period = 202501 AND b.is_current`)).map((b) => [String(b.account_id), b]));
    store.close();
    type Read = { date: string; valueMilli: number; readType: string };
    const expected = new Map<string, { prior?: Read; first?: Read; close?: Read }>();
    for (const r of reads) {
      const from = [r.start_date, r.installed_on].filter(Boolean).sort().at(-1) as string;
      const to = [r.end_date, r.removed_on].filter(Boolean).sort()[0] as string | undefined;
      const date = String(r.read_date);
      if (date < from || (to !== undefined && date > to) || date < lookback || date >= next) continue;
      const key = `${r.account_id}|${r.meter_id}|${r.register}`;
      const slot = expected.get(key) ?? {};
      const read = { date, valueMilli: Number(r.value_milli), readType: String(r.read_type) };
      if (date < first) slot.prior = read; // in read_at order: the last one wins
      else {
        slot.first ??= read;
        slot.close = read;
      }
      expected.set(key, slot);
    }
    let compared = 0;
    for (const s of statements) {
      const shown = s.meters.flatMap((m) => m.registers.map((r) => [`${s.account.id}|${m.meterId}|${r.register}`, r] as const));
      const want = [...expected].filter(([key, slot]) => key.startsWith(`${s.account.id}|`) && slot.close);
      expect(shown.map(([key]) => key).sort(), s.account.id).toEqual(want.map(([key]) => key).sort());
      for (const [key, r] of shown) {
        const slot = expected.get(key)!;
        expect(r.closing, key).toEqual(slot.close);
        expect(r.opening, key).toEqual(r.register === 'demand_kw' ? null : (slot.prior ?? slot.first));
        compared++;
      }
      // The bill's service dates are the earliest opening and the latest closing energy read.
      const energy = shown.map(([, r]) => r).filter((r) => r.unit === 'kWh');
      if (energy.length === 0) continue;
      const bill = bills.get(s.account.id)!;
      expect([s.service.from, s.service.to], s.account.id).toEqual([bill.start_date, bill.end_date]);
      expect(energy.map((r) => r.opening!.date).sort()[0], s.account.id).toBe(bill.start_date);
      expect(energy.map((r) => r.closing.date).sort().at(-1), s.account.id).toBe(bill.end_date);
    }
    expect(compared).toBeGreaterThan(statements.length);
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
