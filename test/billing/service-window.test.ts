// The reads a bill opens and closes on lie inside the meter's service to the account: from the
// later of the account's start (move-in) and the meter's installation (exchange), to the earlier
// of the account's end (move-out) and the meter's removal. A read outside it belongs to someone
// else or to another meter's life and is never billed (issue 15 item 3). Prices are GD-RES in
// February ("other" months): 0–200 kWh at 0.58886875, 201–400 at 0.63886875 CNY, VAT included.
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { billHandData } from './hand-store.js';

describe('reads outside the service window', () => {
  it('opens at the move-in read, closes at the move-out read and keeps each meter of an exchange to its own dates', async () => {
    const { db } = await billHandData([
      'account_id,name,address,customer_class,tariff_id,region,meter_id,start_date,end_date,previous_meter_id,meter_exchanged_at',
      'IN,Moves in,1 Road,residential,GD-RES,R1,M1,2026-02-05,,,',
      'OUT,Moves out,2 Road,residential,GD-RES,R1,M2,2020-01-01,2026-02-15,,',
      'EX,Exchange,3 Road,residential,GD-RES,R1,M3B,2020-01-01,,M3,2026-02-10',
    ], [
      'meter_id,read_at,register,value,read_type',
      // Before move-in (the previous occupant's read), the move-in read, the closing read.
      'M1,2026-01-20,total,500,actual', 'M1,2026-02-05,total,1000,actual', 'M1,2026-02-27,total,1100,actual',
      // The last read before the period, the move-out read, a read after the account ended.
      'M2,2026-01-31,total,1000,actual', 'M2,2026-02-15,total,1200,actual', 'M2,2026-02-27,total,1300,actual',
      // Old meter: its last read before the period, its final read on the exchange day, a read after its removal.
      'M3,2026-01-31,total,5000,actual', 'M3,2026-02-10,total,5100,actual', 'M3,2026-02-12,total,5150,actual',
      // New meter: a bench-test read before it was installed, its initial read, its closing read.
      'M3B,2026-01-25,total,7,actual', 'M3B,2026-02-10,total,10,actual', 'M3B,2026-02-27,total,210,actual',
    ], '2026-02');

    const store = await openStore(db, { readOnly: true });
    const bills = await store.rows(`SELECT a.account_id, b.start_date::VARCHAR AS opens, b.end_date::VARCHAR AS closes, b.days,
        b.kwh_milli::INTEGER AS wh, b.amount_minor::INTEGER AS fen, b.read_flags
      FROM bills b JOIN accounts a USING (account_key) WHERE b.is_current ORDER BY a.account_id`);
    store.close();
    expect(bills).toEqual([
      // Old meter 5,000 → 5,100 (not 5,150) plus new meter 10 → 210 (not from 7): 300 kWh;
      // 200 × 0.58886875 + 100 × 0.63886875 = 117.77375 + 63.886875 = 181.660625.
      { account_id: 'EX', opens: '2026-01-31', closes: '2026-02-27', days: 27, wh: 300_000, fen: 18166, read_flags: 64 },
      // 1,000 → 1,100 from the move-in read, not 500 → 1,100: 100 × 0.58886875 = 58.886875.
      { account_id: 'IN', opens: '2026-02-05', closes: '2026-02-27', days: 22, wh: 100_000, fen: 5889, read_flags: 128 },
      // 1,000 → 1,200 at the move-out read, not → 1,300: 200 × 0.58886875 = 117.77375.
      { account_id: 'OUT', opens: '2026-01-31', closes: '2026-02-15', days: 15, wh: 200_000, fen: 11777, read_flags: 256 },
    ]);
  });
});
