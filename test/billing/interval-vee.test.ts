// Validation, estimation and editing (VEE) of interval data before billing, one account per gap
// kind, billed in one run with a register account (reads.sql interval_series). Every account
// reads the same hourly pattern in February 2026 — hour h of day d is 1000 + 10h + d Wh — so the
// month holds 672 hours and 759,024 Wh (28·24·1000 + 28·10·276 + 24·406), and each gap's
// estimate is worked out by hand below. The policy prices 1.00 USD per kWh, rounded once per bill,
// so a bill in cents is its Wh / 10, half-up. 1 February 2026 is a Sunday: the weekend days are
// 1, 7, 8, 14, 15, 21, 22 and 28; the other 20 are weekdays.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Statement, STATEMENT_SCHEMA_ID } from '../../schemas/statement.js';
import { openStore } from '../../src/store/index.js';
import { runCli } from '../helpers.js';

const PERIOD = '2026-02';
const AFTER_THE_DATA = new Date('2026-03-05T09:00:00Z');
const POLICY = `id: AMI-FLAT
name: Smart meter flat rate
currency: USD
rounding: per_bill
intervals: { interpolate_up_to_minutes: 120, spike_factor: 10 }
versions:
  - version: v1
    effective_from: 2025-01-01
    energy: { label: Energy, rate: 1.00 }
`;
const ACCOUNTS = ['FULL', 'SHORT', 'LONG', 'DAY', 'NEG', 'SPIKE'];

const wh = (day: number, hour: number) => 1000 + 10 * hour + day;
const at = (day: number, hour: number) => `2026-02-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00`;
const kwhText = (value: number) => (value / 1000).toFixed(3);

/** Each account's hours as (day, hour) → kWh text; undefined = not in the file. */
function intervalLines(): string[] {
  const lines = ['meter_id,interval_start,interval_minutes,kwh'];
  for (const account of ACCOUNTS) {
    for (let day = 1; day <= 28; day++) {
      for (let hour = 0; hour < 24; hour++) {
        let value: string | undefined = kwhText(wh(day, hour));
        // SHORT: 10:00 and 11:00 of the 10th never arrived; the hours either side read 1.000 and 2.000.
        if (account === 'SHORT' && day === 10) value = hour === 9 ? '1.0' : hour === 12 ? '2.0' : hour === 10 || hour === 11 ? undefined : value;
        // LONG: 13:00–16:00 of Wednesday the 11th never arrived (3 hours, beyond the 2-hour limit).
        if (account === 'LONG' && day === 11 && hour >= 13 && hour <= 15) value = undefined;
        // DAY: all of Saturday the 14th is missing.
        if (account === 'DAY' && day === 14) value = undefined;
        // NEG: the meter data system sent a negative value for 08:00 of the 20th.
        if (account === 'NEG' && day === 20 && hour === 8) value = '-0.5';
        // SPIKE: 500 kWh in one hour of the 17th, from a meter whose hours read about 1 kWh.
        if (account === 'SPIKE' && day === 17 && hour === 19) value = '500.0';
        if (value !== undefined) lines.push(`M-${account},${at(day, hour)},60,${value}`);
      }
    }
  }
  return lines;
}

const walk = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(join(dir, d.name)) : [join(dir, d.name)]));

describe('VEE of interval data before billing', () => {
  let dir: string;
  let db: string;
  let loadOut: string;
  beforeAll(async () => {
    // One store for all the tests here (tempDir's folders go after each test).
    dir = mkdtempSync(join(tmpdir(), 'billrun-vee-'));
    db = join(dir, 'store.duckdb');
    writeFileSync(join(dir, 'AMI-FLAT.yaml'), POLICY);
    expect((await runCli(['tariff', 'load', join(dir, 'AMI-FLAT.yaml')], db)).code).toBe(0);
    writeFileSync(join(dir, 'accounts.csv'), [
      'account_id,name,address,customer_class,tariff_id,region,meter_id,start_date',
      ...[...ACCOUNTS, 'REG'].map((id) => `${id},${id},1 Grid Road,residential,AMI-FLAT,R1,M-${id},2025-01-01`),
    ].join('\n') + '\n');
    writeFileSync(join(dir, 'intervals.csv'), intervalLines().join('\n') + '\n');
    writeFileSync(join(dir, 'reads.csv'), 'meter_id,read_at,register,value,read_type\nM-REG,2026-01-31,total,100,actual\nM-REG,2026-02-28,total,400,actual\n');
    expect((await runCli(['load', 'accounts', join(dir, 'accounts.csv')], db, AFTER_THE_DATA)).code).toBe(0);
    const intervals = await runCli(['load', 'readings', join(dir, 'intervals.csv'), '--rejects', dir], db, AFTER_THE_DATA);
    loadOut = intervals.out + intervals.err;
    expect((await runCli(['load', 'readings', join(dir, 'reads.csv')], db, AFTER_THE_DATA)).code).toBe(0);
    const run = await runCli(['bill', '--period', PERIOD, '--out', join(dir, 'out')], db);
    expect(run.code, run.err).toBe(0);
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function rows(sql: string): Promise<Record<string, unknown>[]> {
    const store = await openStore(db);
    try {
      return await store.rows(sql);
    } finally {
      await store.close();
    }
  }

  it('estimates each gap kind as the policy says and bills interval and register accounts in one run', async () => {
    const bills = await rows(`SELECT a.account_id, b.start_date::VARCHAR AS start_date, b.end_date::VARCHAR AS end_date, b.days::INTEGER AS days,
        b.kwh_milli::INTEGER AS wh, b.amount_minor::INTEGER AS cents, i.actual::INTEGER AS actual, i.estimated::INTEGER AS estimated,
        i.missing::INTEGER AS missing, i.interpolated::INTEGER AS interpolated, i.profiled::INTEGER AS profiled, i.spikes::INTEGER AS spikes
      FROM bills b JOIN accounts a USING (account_key)
      LEFT JOIN bill_intervals i USING (account_key, period, bill_version)
      WHERE b.is_current ORDER BY a.account_id`);
    const month = { start_date: '2026-02-01', end_date: '2026-03-01', days: 28 };
    const counts = (actual: number, interpolated: number, profiled: number, missing: number, spikes: number) =>
      ({ actual, estimated: interpolated + profiled, missing, interpolated, profiled, spikes });
    expect(bills).toEqual([
      // Saturday the 14th from the other 7 Saturdays and Sundays: hour h's mean is 1000 + 10h + 102/7
      // (days 1+7+8+15+21+22+28), half-up 1000 + 10h + 15, one Wh an hour more than the day's pattern.
      { account_id: 'DAY', ...month, wh: 759_048, cents: 75_905, ...counts(648, 0, 24, 24, 0) },
      { account_id: 'FULL', ...month, wh: 759_024, cents: 75_902, ...counts(672, 0, 0, 0, 0) },
      // 13:00–15:00 of the 11th from the other 19 weekdays: 1000 + 10h + 279/19 (14.68) → 1145, 1155, 1165
      // Wh against the pattern's 1141, 1151, 1161.
      { account_id: 'LONG', ...month, wh: 759_036, cents: 75_904, ...counts(669, 0, 3, 3, 0) },
      // The rejected 08:00 of the 20th, between 07:00 (1090) and 09:00 (1110): 1100.
      { account_id: 'NEG', ...month, wh: 759_024, cents: 75_902, ...counts(671, 1, 0, 1, 0) },
      { account_id: 'REG', start_date: '2026-01-31', end_date: '2026-02-28', days: 28, wh: 300_000, cents: 30_000,
        actual: null, estimated: null, missing: null, interpolated: null, profiled: null, spikes: null },
      // 10:00 and 11:00 of the 10th between 1000 at 09:00 and 2000 at 12:00: 1333.3 → 1333, 1666.7 → 1667;
      // the day's 09:00–12:00 read 6000 Wh instead of the pattern's 4460.
      { account_id: 'SHORT', ...month, wh: 760_564, cents: 76_056, ...counts(670, 2, 0, 2, 0) },
      // 500 kWh is far above 10 × the meter's 95th percentile (about 1.24 kWh): replaced by 1207 between
      // 1197 at 18:00 and 1217 at 20:00.
      { account_id: 'SPIKE', ...month, wh: 759_024, cents: 75_902, ...counts(671, 1, 0, 0, 1) },
    ]);
  });

  it('rejects the negative value at load with its line and reason', () => {
    const rejects = readFileSync(join(dir, 'intervals.csv.rejects.csv'), 'utf8').trim().split('\n');
    // NEG's 08:00 of the 20th: after the header, FULL's 672 lines, SHORT's 670, LONG's 669, DAY's 648
    // and NEG's own 19·24 + 8: line 1 + 2659 + 464 + 1.
    expect(rejects.slice(1)).toEqual([`${join(dir, 'intervals.csv')},3125,kwh,-0.5,must not be negative`]);
    expect(loadOut).toContain('rejected');
  });

  it('flags the bills estimated from the profile or with a spike replaced, not those with short gaps', async () => {
    const flags = await rows(`SELECT a.account_id, f.rule_id, f.severity, f.reason FROM flags f JOIN accounts a USING (account_key)
      WHERE f.rule_id = 'interval_estimated' ORDER BY a.account_id`);
    expect(flags.map((f) => [f.account_id, f.severity])).toEqual([['DAY', 'review'], ['LONG', 'review'], ['SPIKE', 'review']]);
    expect(String(flags[1]!.reason)).toContain("a gap longer than the policy's interpolation limit was estimated from the account's own profile");
    expect(String(flags[2]!.reason)).toContain('spike values');
  });

  it('shows the counts in review show', async () => {
    const text = await runCli(['review', 'show', 'LONG', '--period', PERIOD], db);
    expect(text.code, text.err).toBe(0);
    expect(text.out).toContain('  intervals (60 min): 669 actual, 3 estimated, 3 missing (estimated: 0 interpolated, 3 from the account\'s profile, 0 spikes replaced)');
    const json = JSON.parse((await runCli(['review', 'show', 'SPIKE', '--period', PERIOD, '--json'], db)).out) as { intervals: unknown };
    expect(json.intervals).toEqual({ intervalMinutes: 60, actual: 671, estimated: 1, missing: 0, interpolated: 1, profiled: 0, spikes: 1 });
    const register = JSON.parse((await runCli(['review', 'show', 'REG', '--period', PERIOD, '--json'], db)).out) as { intervals: unknown };
    expect(register.intervals).toBeNull();
  });

  it('prints the counts on the statement, and nothing of them on a register bill', async () => {
    const out = join(dir, 'statements');
    const written = await runCli(['statements', '--period', PERIOD, '--out', out, '--format', 'json,txt', '--include-held'], db);
    expect(written.code, written.err).toBe(0);
    const files = walk(out);
    const statements = files.filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(f, 'utf8')) as { schema?: string })
      .filter((j) => j.schema === STATEMENT_SCHEMA_ID).map((j) => Statement.parse(j));
    const byId = new Map(statements.map((s) => [s.account.id, s]));
    expect(byId.get('DAY')!.intervals).toEqual({ intervalMinutes: 60, actual: 648, estimated: 24, missing: 24 });
    expect('intervals' in byId.get('REG')!).toBe(false);
    const text = readFileSync(files.find((f) => f.endsWith('.txt') && readFileSync(f, 'utf8').includes('SHORT'))!, 'utf8');
    expect(text.replace(/\s+/g, ' ')).toContain("Billed from your smart meter's 672 readings of 60 minutes: 670 measured, 2 estimated (2 not received).");
  });
});
