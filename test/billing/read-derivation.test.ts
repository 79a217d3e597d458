// One derivation of a period's reads (src/billing/reads.sql) for every path: the bill run, a
// correction's re-pricing, `review show` and the statement take the same opening and closing
// reads, so a correction with no changed read gives the run's bill line for line and the
// statement shows the reads that were billed. Hand-made accounts where the paths used to differ:
// an opening read more than 62 days back (corrections looked back 100 days), a read from before
// move-in, and an exchange with reads outside each meter's service. Prices are GD-RES in
// February: 0–200 kWh at 0.58886875, 201–400 at 0.63886875 CNY (VAT included).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Statement, STATEMENT_SCHEMA_ID } from '../../schemas/statement.js';
import { parseBillingPeriod } from '../../src/calendar/index.js';
import { billVersion, openSession, periodRegisters, repriceBill } from '../../src/review/decide.js';
import { openStore } from '../../src/store/index.js';
import { runCli } from '../helpers.js';
import { billHandData } from './hand-store.js';
const PERIOD = '2026-02';

/** meter register: opening date value → closing date value (values in register units). */
const EXPECTED_READS: Record<string, string[]> = {
  // 2025-11-10 is more than 62 days before February: the meter opens at its first read in the period.
  GAP: ['MG total: 2026-02-05 400 → 2026-02-25 450'],
  IN: ['MI total: 2026-02-05 1000 → 2026-02-27 1100'],
  EX: ['MX total: 2026-01-31 5000 → 2026-02-10 5100', 'MXB total: 2026-02-10 10 → 2026-02-27 210'],
};

const walk = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(join(dir, d.name)) : [join(dir, d.name)]));

describe('one derivation of a period\'s reads', () => {
  it('gives the run, a correction with unchanged reads, review show and the statement the same reads and line items', async () => {
    const { dir, db } = await billHandData([
      'account_id,name,address,customer_class,tariff_id,region,meter_id,start_date,previous_meter_id,meter_exchanged_at',
      'GAP,Long gap,1 Road,residential,GD-RES,R1,MG,2020-01-01,,',
      'IN,Moves in,2 Road,residential,GD-RES,R1,MI,2026-02-05,,',
      'EX,Exchange,3 Road,residential,GD-RES,R1,MXB,2020-01-01,MX,2026-02-10',
    ], [
      'meter_id,read_at,register,value,read_type',
      'MG,2025-11-10,total,100,actual', 'MG,2026-02-05,total,400,actual', 'MG,2026-02-25,total,450,actual',
      'MI,2026-01-20,total,500,actual', 'MI,2026-02-05,total,1000,actual', 'MI,2026-02-27,total,1100,actual',
      'MX,2026-01-31,total,5000,actual', 'MX,2026-02-10,total,5100,actual', 'MX,2026-02-12,total,5150,actual',
      'MXB,2026-01-25,total,7,actual', 'MXB,2026-02-10,total,10,actual', 'MXB,2026-02-27,total,210,actual',
    ], PERIOD);

    const store = await openStore(db);
    const session = await openSession(store);
    const bills = await store.rows(`SELECT a.account_key, a.account_id, a.customer_class::VARCHAR AS customer_class, a.tariff_id, a.household_size,
        a.contract_kva::DOUBLE AS contract_kva, a.pf_standard::DOUBLE AS pf_standard, b.kwh_milli::INTEGER AS wh, b.amount_minor::INTEGER AS fen
      FROM bills b JOIN accounts a USING (account_key) WHERE b.is_current ORDER BY a.account_id`);
    // 300 kWh: 200 × 0.58886875 + 100 × 0.63886875 = 181.660625; 50 and 100 kWh in the first block.
    expect(bills.map((b) => [b.account_id, b.wh, b.fen])).toEqual([['EX', 300_000, 18166], ['GAP', 50_000, 2944], ['IN', 100_000, 5889]]);
    for (const account of bills) {
      const id = String(account.account_id);
      const registers = await periodRegisters(session.connection, Number(account.account_key), parseBillingPeriod(PERIOD)!);
      expect(registers.map((r) => `${r.meterId} ${r.register}: ${r.openAt.slice(0, 10)} ${r.openValue / 1000} → ${r.closeAt.slice(0, 10)} ${r.closeValue / 1000}`), id)
        .toEqual(EXPECTED_READS[id]);
      const version = (await store.rows(`SELECT b.*, b.status::VARCHAR AS status, b.start_date::VARCHAR AS start_date, b.end_date::VARCHAR AS end_date,
          b.kwh_milli::DOUBLE AS kwh_milli, b.amount_minor::DOUBLE AS amount_minor, c.currency, c.tariff_id, c.versions AS tariff_versions
        FROM bills b JOIN bill_contexts c USING (context_key) WHERE b.account_key = $k AND b.is_current`, { k: Number(account.account_key) })).map(billVersion)[0]!;
      const again = await repriceBill(session, account, version, parseBillingPeriod(PERIOD)!, registers);
      if (typeof again === 'string') throw new Error(again);
      const stored = (await store.rows(`SELECT c.label, l.quantity_milli::INTEGER AS q, c.rate, l.amount_minor::INTEGER AS amount
        FROM line_items l JOIN charges c USING (charge_key) WHERE l.account_key = $k AND l.bill_version = $v ORDER BY l.seq`,
      { k: Number(account.account_key), v: version.billVersion })).map((r) => [r.label, r.q, r.rate, r.amount]);
      expect(again.priced.lineItems.map((i) => [i.label, i.quantityMilli, i.rate, i.amountMinor]), id).toEqual(stored);
      expect([again.kwhMilli, again.priced.totalMinor], id).toEqual([version.kwhMilli, version.amountMinor]);
    }
    session.connection.closeSync();
    store.close();

    for (const id of ['GAP', 'IN', 'EX']) {
      const shown = await runCli(['review', 'show', id, '--period', PERIOD, '--json'], db);
      expect(shown.code, shown.err).toBe(0);
      const determinants = (JSON.parse(shown.out) as { determinants: { meterId: string; register: string; openAt: string; openValue: number; closeAt: string; closeValue: number }[] }).determinants;
      expect(determinants.map((r) => `${r.meterId} ${r.register}: ${r.openAt.slice(0, 10)} ${r.openValue / 1000} → ${r.closeAt.slice(0, 10)} ${r.closeValue / 1000}`), id)
        .toEqual(EXPECTED_READS[id]);
    }

    const out = join(dir, 'statements');
    const written = await runCli(['statements', '--period', PERIOD, '--out', out, '--format', 'json', '--include-held'], db);
    expect(written.code, written.err).toBe(0);
    const statements = walk(out).filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(readFileSync(f, 'utf8')) as { schema?: string }).filter((j) => j.schema === STATEMENT_SCHEMA_ID).map((j) => Statement.parse(j));
    expect(statements.map((s) => s.account.id).sort()).toEqual(['EX', 'GAP', 'IN']);
    for (const s of statements) {
      const reads = s.meters.flatMap((m) => m.registers.map((r) =>
        `${m.meterId} ${r.register}: ${r.opening!.date} ${r.opening!.valueMilli / 1000} → ${r.closing.date} ${r.closing.valueMilli / 1000}`));
      expect(reads.sort(), s.account.id).toEqual([...EXPECTED_READS[s.account.id]!].sort());
    }
  });
});
