// One realistic data set, checked against the input contracts and against what its labels claim.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT_COLUMNS, AccountRow, ANOMALY_KINDS, REGISTERS } from '../../schemas/inputs.js';
import type { GenerateSummary } from '../../src/generate/index.js';
import { FIXTURE_TARIFFS, generateInTemp, openDuckDB, removeTempDirs, rows, scalar } from './helpers.js';

const OPTIONS = { accounts: 3000, months: 25, start: '2023-01', seed: 11, anomalyRate: 0.02, regions: 5, heatWaveSize: 0.35 } as const;
const FIRST_DAY = '2022-12-01';

let dir: string;
let summary: GenerateSummary;
let db: DuckDBConnection;

beforeAll(async () => {
  ({ dir, summary } = await generateInTemp(OPTIONS));
  db = await openDuckDB();
  const file = (name: string) => ({ path: path.join(dir, name) });
  await db.run('CREATE TABLE accounts AS SELECT * FROM read_csv($path, header = true, all_varchar = true)', file('accounts.csv'));
  await db.run('CREATE TABLE readings AS SELECT * FROM read_parquet($path, file_row_number = true)', file('readings.parquet'));
  await db.run('CREATE TABLE intervals AS SELECT * FROM read_parquet($path, file_row_number = true)', file('intervals.parquet'));
  await db.run(`CREATE TABLE all_labels AS SELECT * FROM read_csv($path, header = true,
    types = {'period': 'VARCHAR', 'must_flag': 'VARCHAR', 'true_kwh': 'DECIMAL(18,3)', 'billed_kwh': 'DECIMAL(18,3)'})`, file('labels.csv'));
  // labels: the anomalies (must_flag 1 or ambiguous); events: the legitimate ones (must_flag 0).
  await db.run(`CREATE TABLE labels AS SELECT * FROM all_labels WHERE must_flag <> '0'`);
  await db.run(`CREATE TABLE events AS SELECT * FROM all_labels WHERE must_flag = '0'`);
  // Every meter an account used, with its register's capacity, and each read beside the previous
  // read of the same meter and register.
  await db.run(`CREATE TABLE meters AS
    SELECT account_id, meter_id, customer_class, tariff_id, region, CAST(multiplier AS INTEGER) AS multiplier,
           CAST(10 ^ CAST(register_digits AS INTEGER) AS DECIMAL(18, 3)) AS cap FROM accounts
    UNION ALL
    SELECT account_id, previous_meter_id, customer_class, tariff_id, region, CAST(multiplier AS INTEGER),
           CAST(10 ^ CAST(register_digits AS INTEGER) AS DECIMAL(18, 3)) FROM accounts WHERE previous_meter_id IS NOT NULL`);
  await db.run(`CREATE TABLE steps AS
    SELECT m.account_id, m.customer_class, m.tariff_id, m.region, m.multiplier, m.cap, r.meter_id, r.register,
           r.read_at::DATE AS day, strftime(r.read_at::DATE, '%Y-%m') AS period, r.value, r.read_type,
           lag(r.value) OVER w AS prev_value, lag(r.read_at::DATE) OVER w AS prev_day, lag(r.read_type) OVER w AS prev_type
    FROM readings r JOIN meters m USING (meter_id)
    WINDOW w AS (PARTITION BY r.meter_id, r.register ORDER BY r.read_at)`);
  // Accounts served the whole window by one meter, with no move: the regular population.
  await db.run(`CREATE TABLE steady AS SELECT account_id FROM accounts
    WHERE start_date < '${FIRST_DAY}' AND end_date IS NULL AND previous_meter_id IS NULL`);
});

afterAll(removeTempDirs);

describe('accounts.csv', () => {
  it('has the contract columns and every row is an AccountRow', async () => {
    const header = (await readFile(path.join(dir, 'accounts.csv'), 'utf8')).split('\n', 1)[0];
    expect(header).toBe(ACCOUNT_COLUMNS.join(','));
    const numeric = new Set(['multiplier', 'register_digits', 'household_size', 'contract_kva']);
    const result = await db.runAndReadAll('SELECT * FROM accounts');
    const names = result.columnNames();
    const records = result.getRowsJson() as (string | null)[][];
    const failures = records.map((row) => {
      const record = Object.fromEntries(names.map((n, i) => [n, numeric.has(n) && row[i] !== null ? Number(row[i]) : row[i]]));
      return AccountRow.safeParse(record);
    }).filter((r) => !r.success);
    expect(failures).toEqual([]);
    expect(records.length).toBe(OPTIONS.accounts);
    expect(await scalar(db, 'SELECT count(DISTINCT account_id) + count(DISTINCT meter_id) FROM accounts')).toBe(2 * OPTIONS.accounts);
  });

  it('mixes classes and assigns tariffs by class', async () => {
    const share = async (where: string, of = 'true') => scalar(db, `SELECT avg(CASE WHEN ${where} THEN 1 ELSE 0 END) FROM accounts WHERE ${of}`);
    expect(await share(`customer_class = 'residential'`)).toBeCloseTo(0.80, 1);
    expect(await share(`customer_class = 'commercial'`)).toBeCloseTo(0.14, 1);
    expect(await share(`customer_class = 'industrial'`)).toBeGreaterThan(0.03);
    expect(await share(`tariff_id = 'GD-RES'`, `customer_class = 'residential'`)).toBeCloseTo(0.75, 1);
    expect(await share(`tariff_id = 'RES-TOU'`, `customer_class = 'residential'`)).toBeCloseTo(0.15, 1);
    expect(await share(`tariff_id = 'RES-MKT'`, `customer_class = 'residential'`)).toBeCloseTo(0.10, 1);
    expect(await rows(db, 'SELECT DISTINCT customer_class, tariff_id FROM accounts WHERE customer_class <> \'residential\' ORDER BY 1'))
      .toEqual([['agricultural', 'AGR-FLAT'], ['commercial', 'COM-TOU'], ['industrial', 'IND-2P']]);
    expect(await rows(db, `SELECT DISTINCT multiplier IN ('20', '40', '80', '200'), contract_kva IS NOT NULL, pf_standard IN ('0.90', '0.85')
      FROM accounts WHERE customer_class = 'industrial'`)).toEqual([[true, true, true]]);
    expect(await scalar(db, `SELECT count(*) FROM accounts WHERE (customer_class = 'residential') <> (household_size IS NOT NULL)`)).toBe(0);
    expect(await rows(db, 'SELECT DISTINCT register_digits FROM accounts ORDER BY 1')).toEqual([['5'], ['6']]);
  });

  it('keeps commas, quotes and CJK text intact through CSV quoting', async () => {
    expect(await scalar(db, `SELECT count(*) FROM accounts WHERE name LIKE '%,%'`)).toBeGreaterThan(0);
    expect(await scalar(db, `SELECT count(*) FROM accounts WHERE name LIKE '%"%'`)).toBeGreaterThan(0);
    expect(await scalar(db, `SELECT count(*) FROM accounts WHERE regexp_matches(name, '[\\x{4e00}-\\x{9fff}]')`)).toBeGreaterThan(0);
    expect(await scalar(db, `SELECT count(*) FROM accounts WHERE address LIKE '%,%'`)).toBeGreaterThan(0);
  });
});

describe('readings', () => {
  it('are sorted by read_at, meter_id, then register', async () => {
    const order = `list_position(${JSON.stringify(REGISTERS).replaceAll('"', "'")}, register)`;
    expect(await scalar(db, `SELECT count(*) FROM (
        SELECT read_at, meter_id, ${order} AS reg, lag(read_at) OVER w AS pa, lag(meter_id) OVER w AS pm, lag(${order}) OVER w AS pr
        FROM readings WINDOW w AS (ORDER BY file_row_number))
      WHERE pa IS NOT NULL AND (read_at, meter_id, reg) <= (pa, pm, pr)`)).toBe(0);
    expect(await rows(db, `SELECT column_type FROM (DESCRIBE readings) WHERE column_name = 'value'`)).toEqual([['DECIMAL(18,3)']]);
  });

  it('give steady accounts one read per register per month, opening read included, 28–33 days apart', async () => {
    expect(await rows(db, `SELECT DISTINCT count(*)::INTEGER, count(DISTINCT period)::INTEGER, min(day) >= '${FIRST_DAY}'
      FROM steps JOIN steady USING (account_id) GROUP BY meter_id, register`)).toEqual([[OPTIONS.months + 1, OPTIONS.months + 1, true]]);
    expect(await rows(db, `SELECT min(day - prev_day)::INTEGER, max(day - prev_day)::INTEGER
      FROM steps JOIN steady USING (account_id) WHERE prev_day IS NOT NULL`)).toEqual([[28, 33]]);
    expect(summary.readings).toBe(await scalar(db, 'SELECT count(*) FROM readings'));
  });

  it('carry the registers of each tariff', async () => {
    const registers = await rows(db, `SELECT tariff_id, string_agg(DISTINCT register, ',' ORDER BY register)
      FROM steps WHERE meter_id NOT IN (SELECT DISTINCT meter_id FROM intervals) GROUP BY tariff_id ORDER BY tariff_id`);
    expect(registers).toEqual([
      ['AGR-FLAT', 'total'], ['COM-TOU', 'flat,peak,sharp,total,valley'], ['GD-RES', 'total'],
      ['IND-2P', 'demand_kw,flat,peak,reactive_kvarh,total,valley'], ['RES-MKT', 'total'], ['RES-TOU', 'flat,peak,total,valley'],
    ]);
  });

  it('have TOU register advances that add up to the total advance', async () => {
    const [checked, mismatched] = (await rows(db, `WITH advances AS (
        SELECT account_id, meter_id, day, period, register, ((value - prev_value) % cap + cap) % cap AS advance, cap
        FROM steps WHERE prev_value IS NOT NULL AND register IN ('total', 'sharp', 'peak', 'flat', 'valley')),
      per_read AS (
        SELECT account_id, period, any_value(cap) AS cap, sum(advance) FILTER (WHERE register = 'total') AS total,
               sum(advance) FILTER (WHERE register <> 'total') AS tou
        FROM advances GROUP BY account_id, meter_id, day, period HAVING count(*) > 1)
      SELECT count(*), count(*) FILTER (WHERE tou % cap <> total)
      FROM per_read ANTI JOIN (SELECT * FROM labels WHERE kind IN ('misread', 'sentinel')) USING (account_id, period)`))[0]!.map(Number);
    expect(checked).toBeGreaterThan(5000);
    expect(mismatched).toBe(0);
  });

  it('roll five-digit registers over without a label', async () => {
    const rollovers = await rows(db, `SELECT value + cap - prev_value FROM steps
      WHERE register = 'total' AND cap = 100000 AND value < prev_value AND prev_type <> 'estimated'
        AND (account_id, period) NOT IN (SELECT (account_id, period) FROM labels)`);
    expect(rollovers.length).toBeGreaterThan(5);
    // Far below the dial's capacity: a wrap, not a reversal read as one. (An actual read below a
    // too-high estimate is a legitimate reversal, hence the estimates left out.)
    for (const [advance] of rollovers) expect(Number(advance)).toBeLessThan(20_000);
    expect(summary.rollovers).toBeGreaterThan(rollovers.length);
  });

  it('include legitimate estimates near 2% of reads, caught up by the next actual read', async () => {
    const share = await scalar(db, `SELECT avg(CASE WHEN read_type = 'estimated' THEN 1 ELSE 0 END) FROM steps
      WHERE register = 'total' AND account_id NOT IN (SELECT account_id FROM labels WHERE kind = 'estimate_catch_up')`);
    expect(share).toBeGreaterThan(0.012);
    expect(share).toBeLessThan(0.03);
    expect(await scalar(db, `SELECT count(*) FROM steps WHERE read_type = 'customer'`)).toBeGreaterThan(0);
  });

  it('show meter exchanges as a final and an initial read on the exchange day', async () => {
    const exchanges = await rows(db, `SELECT a.account_id,
        (SELECT max(day) FROM steps s WHERE s.meter_id = a.previous_meter_id) = a.meter_exchanged_at::DATE,
        (SELECT min(day) FROM steps s WHERE s.meter_id = a.meter_id) = a.meter_exchanged_at::DATE
      FROM accounts a WHERE previous_meter_id IS NOT NULL`);
    expect(exchanges.length).toBe(summary.disturbances.meterExchanges);
    expect(exchanges.length).toBeGreaterThan(0);
    for (const [, oldEnds, newStarts] of exchanges) expect([oldEnds, newStarts]).toEqual([true, true]);
  });

  it('start move-ins on their start date and stop move-outs on their end date', async () => {
    const moves = await rows(db, `SELECT a.account_id, a.start_date < '${FIRST_DAY}' OR min(s.day) = a.start_date::DATE,
        a.end_date IS NULL OR max(s.day) = a.end_date::DATE
      FROM accounts a JOIN steps s USING (account_id)
      WHERE a.start_date >= '${FIRST_DAY}' OR a.end_date IS NOT NULL GROUP BY a.account_id, a.start_date, a.end_date`);
    expect(moves.length).toBe(summary.disturbances.moveIns + summary.disturbances.moveOuts);
    for (const [, starts, ends] of moves) expect([starts, ends]).toEqual([true, true]);
  });
});

describe('labels', () => {
  it('hit the anomaly rate with every kind', async () => {
    const total = await scalar(db, 'SELECT count(*) FROM labels');
    expect(total).toBe(summary.labelledPeriods);
    expect(total / summary.accountPeriods).toBeGreaterThan(OPTIONS.anomalyRate * 0.7);
    expect(total / summary.accountPeriods).toBeLessThan(OPTIONS.anomalyRate * 1.3);
    const kinds = await rows(db, 'SELECT kind, count(*) FROM labels GROUP BY kind ORDER BY kind');
    expect(kinds.map(([k]) => k)).toEqual([...ANOMALY_KINDS].sort());
    for (const [kind, n] of kinds) expect(Number(n)).toBe(summary.labels[kind as keyof typeof summary.labels]);
    expect(await scalar(db, `SELECT count(DISTINCT period) FROM labels WHERE period < '2024-02'`)).toBeGreaterThan(5);
  });

  it('state billed kWh that the readings imply and true kWh that differs', async () => {
    // One row per labelled period; an exchange period adds the old meter's final advance to the new one's.
    const checked = await rows(db, `WITH per_period AS (
        SELECT account_id, period, sum(value - prev_value) AS advance, arg_max(value, day) AS value, arg_max(prev_value, day) AS prev_value,
               arg_max(prev_type, day) AS prev_type, any_value(cap) AS cap, any_value(multiplier) AS multiplier, count(*) AS meters
        FROM steps WHERE register = 'total' AND prev_value IS NOT NULL GROUP BY account_id, period)
      SELECT l.kind, l.true_kwh, l.billed_kwh, s.value, s.prev_value, s.cap, s.multiplier, s.prev_type, s.advance, s.meters
      FROM labels l JOIN per_period s USING (account_id, period)`);
    expect(checked.length).toBe(summary.labelledPeriods);
    for (const [kind, trueText, billedText, valueText, prevText, capText, multiplier, prevType, advanceText, meters] of checked) {
      const [trueKwh, billed, value, prev, cap, mult, advance] = [trueText, billedText, valueText, prevText, capText, multiplier, advanceText].map(Number) as number[];
      const context = JSON.stringify({ kind, trueKwh, billed, value, prev, prevType, meters });
      expect(trueKwh, context).toBeGreaterThan(0);
      const wraps = (billed! / mult! - advance!) / cap!;
      expect(Math.abs(wraps - Math.round(wraps)), context).toBeLessThan(1e-6);
      const ratio = billed! / trueKwh!;
      switch (kind) {
        case 'misread': expect(Math.abs(billed! - trueKwh!), context).toBeGreaterThan(0.3 * trueKwh!); break;
        case 'stuck_meter': expect([billed, value], context).toEqual([0, prev]); break;
        case 'negative_advance': expect(value, context).toBeLessThan(prev!); break;
        // The drop keeps 15–85% of the use, give or take the dial's last whole unit.
        case 'sustained_drop':
          expect(billed, context).toBeGreaterThan(0.15 * trueKwh! - mult!);
          expect(billed, context).toBeLessThan(0.85 * trueKwh! + mult!);
          break;
        case 'wrong_multiplier':
          if (Number(meters) > 1) {
            // The exchange period: the old meter billed right until the exchange day, the new one at 1/multiplier.
            expect(ratio, context).toBeGreaterThan(1 / mult! - 1e-6);
            expect(ratio, context).toBeLessThan(1);
          } else {
            expect([10, 0.1, 2, 0.5, 1 / mult!].some((f) => Math.abs(ratio / f - 1) < 0.01), context).toBe(true);
          }
          break;
        case 'estimate_catch_up':
          // The overshooting catch-up read bills above what the estimates left unbilled (by at least half a
          // period's use, over at most five periods); the period that opens on it pays the overshoot back.
          if (prevType === 'estimated') expect(ratio, context).toBeGreaterThan(1.1);
          else expect(ratio, context).toBeLessThan(1);
          break;
        case 'sentinel': expect([value, prev].some((v) => v === 4294967.295 || v === cap! - 0.001), context).toBe(true); break;
      }
    }
  });

  it('introduce a wrong multiplier at some CT meter exchanges and label every period from the exchange on', async () => {
    const runs = await rows(db, `SELECT a.account_id, CAST(a.multiplier AS INTEGER), min(l.period) = strftime(a.meter_exchanged_at::DATE, '%Y-%m'),
        count(*)::INTEGER, max(l.period), bool_and(l.must_flag = '1' OR l.period = strftime(a.meter_exchanged_at::DATE, '%Y-%m'))
      FROM labels l JOIN accounts a USING (account_id)
      WHERE l.kind = 'wrong_multiplier' AND a.meter_exchanged_at IS NOT NULL AND l.period <= strftime(a.meter_exchanged_at::DATE + 40, '%Y-%m')
        AND l.period >= strftime(a.meter_exchanged_at::DATE, '%Y-%m')
      GROUP BY a.account_id, a.multiplier, a.meter_exchanged_at`);
    expect(runs.length).toBeGreaterThan(0);
    for (const [, multiplier, startsAtExchange, , , mustFlagAfter] of runs) {
      expect(Number(multiplier)).toBeGreaterThan(1);
      expect([startsAtExchange, mustFlagAfter]).toEqual([true, true]);
    }
  });

  it('leave legitimate disturbances unlabelled', async () => {
    // Accounts with a move or an exchange may carry an anomaly, but two periods away from it —
    // except the wrong multiplier that the exchange itself brought.
    await db.run(`CREATE OR REPLACE MACRO month_no(p) AS CAST(substr(p, 1, 4) AS INTEGER) * 12 + CAST(substr(p, 6, 2) AS INTEGER)`);
    const [[clashing, sharing]] = await rows(db, `SELECT
        count(*) FILTER (WHERE (abs(month_no(l.period) - month_no(a.meter_exchanged_at)) < 2
            AND NOT (l.kind = 'wrong_multiplier' AND month_no(l.period) >= month_no(a.meter_exchanged_at)))
          OR (a.start_date >= '${FIRST_DAY}' AND month_no(l.period) < month_no(a.start_date) + 2)
          OR month_no(l.period) > month_no(a.end_date) - 2)::INTEGER,
        count(*) FILTER (WHERE a.meter_exchanged_at IS NOT NULL OR a.start_date >= '${FIRST_DAY}' OR a.end_date IS NOT NULL)::INTEGER
      FROM labels l JOIN accounts a USING (account_id)`) as [[number, number]];
    expect(clashing).toBe(0);
    expect(sharing).toBeGreaterThan(0);
    expect(await scalar(db, `SELECT count(*) FROM labels JOIN accounts USING (account_id)
      WHERE meter_id IN (SELECT meter_id FROM intervals)`)).toBe(0);
    // Legitimate estimates and the catch-up period after them carry no label.
    expect(await scalar(db, `SELECT count(*) FROM steps s JOIN labels l USING (account_id)
      WHERE s.register = 'total' AND (s.read_type = 'estimated' OR s.prev_type = 'estimated') AND s.period = l.period
        AND l.kind <> 'estimate_catch_up'`)).toBe(0);
    const { disturbances } = summary;
    expect(Math.min(disturbances.moveIns, disturbances.moveOuts, disturbances.meterExchanges, disturbances.vacancies)).toBeGreaterThan(0);
  });
});

describe('heat wave', () => {
  it('lifts the region’s residential and commercial use by about heatWaveSize in one summer period', async () => {
    const heat = summary.heatWave!;
    expect(['07', '08']).toContain(heat.period.slice(5));
    expect(heat.period >= '2024-02').toBe(true);
    const previous = `${heat.period.slice(0, 5)}${String(Number(heat.period.slice(5)) - 1).padStart(2, '0')}`;
    const [[inRegion, elsewhere]] = (await rows(db, `WITH per_day AS (
        SELECT account_id, region, period, ((value - prev_value) % cap + cap) % cap / (day - prev_day) AS kwh_per_day
        FROM steps JOIN steady USING (account_id)
        WHERE register = 'total' AND customer_class IN ('residential', 'commercial') AND read_type <> 'estimated' AND prev_type <> 'estimated'
          AND account_id NOT IN (SELECT account_id FROM labels) AND period IN ($1, $2)),
      ratio AS (
        SELECT account_id, any_value(region) AS region,
               max(kwh_per_day) FILTER (WHERE period = $1) / max(kwh_per_day) FILTER (WHERE period = $2) AS lift
        FROM per_day GROUP BY account_id)
      SELECT median(lift) FILTER (WHERE region = $3), median(lift) FILTER (WHERE region <> $3) FROM ratio`,
    [heat.period, previous, heat.region])) as [[number, number]];
    expect(inRegion / elsewhere).toBeGreaterThan(1 + OPTIONS.heatWaveSize - 0.06);
    expect(inRegion / elsewhere).toBeLessThan(1 + OPTIONS.heatWaveSize + 0.06);
  });
});

describe('intervals', () => {
  it('are hourly, sorted, and add up to the interval meter’s register advances', async () => {
    expect(summary.intervalAccounts).toBe(1);
    expect(await scalar(db, 'SELECT count(*) FROM intervals')).toBe(summary.intervalRows);
    expect(await rows(db, 'SELECT DISTINCT interval_minutes FROM intervals')).toEqual([[60]]);
    expect(await scalar(db, `SELECT count(*) FROM (SELECT interval_start, meter_id, lag(interval_start) OVER w AS ps, lag(meter_id) OVER w AS pm
      FROM intervals WINDOW w AS (ORDER BY file_row_number)) WHERE ps IS NOT NULL AND (interval_start, meter_id) <= (ps, pm)`)).toBe(0);
    expect(await rows(db, `SELECT DISTINCT s.register, s.tariff_id FROM steps s WHERE meter_id IN (SELECT meter_id FROM intervals)`))
      .toEqual([['total', 'COM-TOU']]);
    const periods = await rows(db, `SELECT ((s.value - s.prev_value) % s.cap + s.cap) % s.cap AS advance,
        (SELECT sum(kwh) FROM intervals i WHERE i.meter_id = s.meter_id
           AND i.interval_start::TIMESTAMP >= s.prev_day AND i.interval_start::TIMESTAMP < s.day) AS hours
      FROM steps s WHERE s.meter_id IN (SELECT meter_id FROM intervals) AND s.prev_value IS NOT NULL`);
    expect(periods.length).toBe(OPTIONS.months);
    for (const [advance, hours] of periods) expect(hours).toBe(advance);
  });
});

describe('tariffs', () => {
  it('copies the tariffs and moves the market price change into the window', async () => {
    expect((await readdir(path.join(dir, 'tariffs'))).sort()).toEqual(['GD-RES.yaml', 'RES-MKT.yaml']);
    expect(await readFile(path.join(dir, 'tariffs', 'GD-RES.yaml'), 'utf8')).toBe(await readFile(path.join(FIXTURE_TARIFFS, 'GD-RES.yaml'), 'utf8'));
    const text = await readFile(path.join(dir, 'tariffs', 'RES-MKT.yaml'), 'utf8');
    expect(text).toContain('# Test fixture: a market-priced residential tariff');
    const policy = parse(text) as { versions: { effective_from: string; effective_to?: string }[] };
    expect(summary.tariffChange).toEqual({ tariffId: 'RES-MKT', effectiveFrom: '2024-07-01' });
    expect(policy.versions[1]!.effective_from).toBe('2024-07-01');
    expect(policy.versions[0]!.effective_to).toBe('2024-06-30');
  });

  it('leaves no scratch files behind', async () => {
    expect((await readdir(dir)).sort()).toEqual(['accounts.csv', 'intervals.parquet', 'labels.csv', 'readings.parquet', 'tariffs']);
    expect(summary.files.map((f) => f.path)).toEqual([
      'accounts.csv', 'readings.parquet', 'intervals.parquet', 'labels.csv', path.join('tariffs', 'GD-RES.yaml'), path.join('tariffs', 'RES-MKT.yaml'),
    ]);
  });
});
