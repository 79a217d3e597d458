// Issue 16's Done-when: the four public SAM hourly-load cases (test/fixtures/sam-reference/data, a copy of ../shared/data/sam-utilityrate)
// billed from interval data alone through the real pipeline — `tariff load` of the hand-converted
// policy, `load accounts` with one interval-only meter per case (no register read ever), `load
// readings` of the hourly loads exactly as the data carries them (floats with up to 17 decimals),
// and `bill` for the twelve calendar months of 2018 — each monthly bill and the year equal, to
// the cent, the independent reference (test/fixtures/sam-reference/sam_reference.py, exact
// rational arithmetic straight from SAM's JSON, expected-bills.json).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { runCli, tempDir } from '../helpers.js';

const fixtures = new URL('../fixtures/sam-reference/', import.meta.url);
const data = new URL('data/', fixtures);

interface Expected {
  months: Record<string, { kwh: string; peak_kw: string; bill_cents: number }>;
  year_cents: number;
}
const expected = JSON.parse(readFileSync(new URL('expected-bills.json', fixtures), 'utf8')) as Record<string, Expected>;

const CASES = [
  { name: 'residential_tou', policy: 'SAM-RES-TOU', load: 'residential.csv', meter: 'MRT' },
  { name: 'residential_tou_tiers', policy: 'SAM-RES-TOU-TIERS', load: 'residential.csv', meter: 'MRTT' },
  { name: 'commercial_demand', policy: 'SAM-COM-DEMAND', load: 'commercial.csv', meter: 'MCD' },
  { name: 'commercial_kwh_per_kw', policy: 'SAM-COM-KWH-PER-KW', load: 'commercial_large.csv', meter: 'MCK' },
] as const;

const MONTHS = Array.from({ length: 12 }, (_, m) => `2018-${String(m + 1).padStart(2, '0')}`);
const AFTER_THE_DATA = new Date('2019-01-10T09:00:00Z');
/** Record k of the data is hour-beginning k % 24 of day k / 24 of a 365-day year starting on Monday 1 January: 2018. */
const hourStart = (k: number) => new Date(Date.UTC(2018, 0, 1, k)).toISOString().slice(0, 19);

/**
 * Plain decimal text rounded half-up to `decimals` places, on the digits themselves: how an export
 * of these readings with fewer decimals writes them. (Rounding the binary double instead, as
 * Number#toFixed does, turns a reading such as 12.3455 — stored as 12.34549999… — into 12.345: a
 * different reading, not the same one with fewer decimals.)
 */
function roundDecimalText(text: string, decimals: number): string {
  const [whole, fraction = ''] = text.split('.');
  const digits = BigInt(whole! + fraction.padEnd(decimals + 1, '0').slice(0, decimals + 1));
  const rounded = ((digits + 5n) / 10n).toString().padStart(decimals + 1, '0');
  return `${rounded.slice(0, -decimals)}.${rounded.slice(-decimals)}`;
}

/**
 * The cases' intervals as one readings file: the load's own text, or (`decimals`) a meter data
 * system's values held to 9 decimals (the text rounded half-up to 9) exported with `decimals`.
 */
function intervalsCsv(decimals?: 3 | 9): string {
  const lines = ['meter_id,interval_start,interval_minutes,kwh'];
  for (const { load, meter } of CASES) {
    const values = readFileSync(new URL(`loads/${load}`, data), 'utf8').trim().split('\n').slice(1);
    expect(values).toHaveLength(8760);
    values.forEach((kw, k) => lines.push(`${meter},${hourStart(k)},60,${decimals === undefined ? kw : roundDecimalText(roundDecimalText(kw, 9), decimals)}`));
  }
  return `${lines.join('\n')}\n`;
}

interface MonthBill { account_id: string; period: number; kwh: number; demand: number; cents: number }

/** A store with the four policies, the four interval-only accounts and their year of intervals, billed for `months`. */
async function billMonths(intervals: string, months: readonly string[]): Promise<MonthBill[]> {
  const dir = tempDir();
  const db = join(dir, 'store.duckdb');
  for (const { policy } of CASES) {
    const load = await runCli(['tariff', 'load', new URL(`policies/${policy}.yaml`, fixtures).pathname], db);
    expect(load.code, load.err).toBe(0);
  }
  writeFileSync(join(dir, 'accounts.csv'), [
    'account_id,name,address,customer_class,tariff_id,region,meter_id,start_date',
    ...CASES.map((c) => `${c.name},${c.name},1 Data Road,${c.name.startsWith('residential') ? 'residential' : 'commercial'},${c.policy},SAM,${c.meter},2017-12-01`),
  ].join('\n') + '\n');
  writeFileSync(join(dir, 'intervals.csv'), intervals);
  for (const [kind, file] of [['accounts', 'accounts.csv'], ['readings', 'intervals.csv']] as const) {
    const load = await runCli(['load', kind, join(dir, file)], db, AFTER_THE_DATA);
    expect(load.code, load.err).toBe(0);
  }
  for (const period of months) {
    const run = await runCli(['bill', '--period', period, '--out', join(dir, 'out')], db);
    expect(run.code, run.err).toBe(0);
  }
  const store = await openStore(db);
  try {
    return (await store.rows(`SELECT a.account_id, b.period, b.kwh_milli::INTEGER AS kwh, b.demand_milli::INTEGER AS demand, b.amount_minor::INTEGER AS cents
      FROM bills b JOIN accounts a USING (account_key) WHERE b.is_current ORDER BY a.account_id, b.period`)) as unknown as MonthBill[];
  } finally {
    await store.close();
  }
}

const milli = (text: string) => Math.round(Number(text) * 1000);

describe('the SAM hourly-load cases billed from interval data alone', () => {
  let bills: MonthBill[];
  beforeAll(async () => {
    bills = await billMonths(intervalsCsv(), MONTHS);
  }, 300_000);

  for (const { name } of CASES) {
    it(`${name}: every month and the year equal the independent reference to the cent`, () => {
      const reference = expected[name]!;
      const mine = bills.filter((b) => b.account_id === name);
      expect(mine.map((b) => b.period)).toEqual(MONTHS.map((m) => Number(m.replace('-', ''))));
      const got = mine.map((b) => ({ period: b.period, kwh: b.kwh, peak: b.demand, cents: b.cents }));
      const want = MONTHS.map((m) => ({
        period: Number(m.replace('-', '')), kwh: milli(reference.months[m]!.kwh), peak: milli(reference.months[m]!.peak_kw),
        cents: reference.months[m]!.bill_cents,
      }));
      expect(got).toEqual(want);
      expect(mine.reduce((sum, b) => sum + b.cents, 0)).toBe(reference.year_cents);
    });
  }

  it('bills the same whether the export carried 3 or 9 decimals', async () => {
    // The load rounds each value once, half-up from its decimal text, to 1 Wh, as an export to 3
    // decimals does: the same values exported with 9 decimals store the same Wh. Two months (a
    // winter and a summer one) keep the test short. (These 9-decimal values are not the data's own
    // text: 37.133499999999998 kWh held as 37.133500000 rounds to 37.134, the text itself to 37.133.)
    const months = ['2018-01', '2018-07'];
    const [three, nine] = [await billMonths(intervalsCsv(3), months), await billMonths(intervalsCsv(9), months)];
    expect(nine).toEqual(three);
    expect(three.map((b) => b.account_id)).toEqual(CASES.flatMap((c) => [c.name, c.name]).sort());
  }, 300_000);
});
