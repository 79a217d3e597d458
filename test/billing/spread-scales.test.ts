// determinants.sql's spread-scales on staged rows written by hand: each class's median z (the
// smaller of this month off its baseline and off the same month last year / √2, after the peers,
// over the account's spread) against the median of independent months, and the same for the
// quarter's evidence; worked out here in JavaScript.
import { DuckDBInstance } from '@duckdb/node-api';
import { beforeAll, expect, it } from 'vitest';
import { loadRules } from '../../src/anomaly/index.js';
import { NULL_LEVEL_Z, NULL_SHIFT_Z } from '../../src/billing/index.js';
import { spreadScaleParams } from '../../src/billing/spread.js';
import { sqlStatements } from '../../src/store/sql.js';
import { median } from '../helpers.js';

const STAGE_SQL = sqlStatements(new URL('../../src/billing/run.ts', import.meta.url).href, 'determinants.sql');
const rules = loadRules(undefined);

interface Row { cls: string; region: string; d: number; recent: number; spread: number; yoy: number | null; baseN?: number; readFlags?: number }

const PEER_BASE = 1.1;
const CLASS_BASE = 0.9;
const PEER_YOY = 1.05;
const CLASS_YOY = 0.95;
const rows: Row[] = [];
// 40 homes in R01 whose months stray about twice what their changes say, and whose quarters agree.
// Last year's month agrees with every fourth home (its own season) and is far off for the others.
for (let i = 0; i < 40; i++) {
  rows.push({ cls: 'residential', region: 'R01', d: (i % 2 ? 1 : -1) * 0.004 * (i + 1), recent: 0.003 * (i % 7), spread: 0.05, yoy: i % 4 ? 0.4 : 0.01 });
}
// Not scored: an estimate, a short baseline, no trusted month last year (they would widen the scale if they counted).
rows.push({ cls: 'residential', region: 'R01', d: 3, recent: 3, spread: 0.05, yoy: 3, readFlags: 1 });
rows.push({ cls: 'residential', region: 'R01', d: 3, recent: 3, spread: 0.05, yoy: 3, baseN: 5 });
rows.push({ cls: 'residential', region: 'R01', d: 3, recent: 3, spread: 0.05, yoy: null });
// 35 steady plants in a region of 3 (the class's levels are taken) with spreads below the floor.
for (let i = 0; i < 35; i++) rows.push({ cls: 'industrial', region: `R0${2 + (i % 2)}`, d: 0.002 * (i + 1), recent: -0.001 * i, spread: 0.001, yoy: 0.003 * i });
// 10 shops: too few to tell.
for (let i = 0; i < 10; i++) rows.push({ cls: 'commercial', region: 'R01', d: 0.5, recent: 0.5, spread: 0.01, yoy: 0.5 });

let scales: Record<string, { level: number; shift: number }>;

beforeAll(async () => {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(`CREATE TYPE customer_class AS ENUM ('residential', 'commercial', 'industrial', 'agricultural')`);
  await c.run(`CREATE TABLE run_staging (customer_class customer_class, region VARCHAR, days INTEGER, kwh DOUBLE, read_flags INTEGER,
    base_n INTEGER, recent_n INTEGER, base_median DOUBLE, base_log_mad DOUBLE, recent_log_level DOUBLE, yoy_kpd DOUBLE)`);
  await c.run(`CREATE TABLE run_peers (customer_class customer_class, region VARCHAR, peer_n INTEGER, peer_base DOUBLE, class_base DOUBLE,
    peer_yoy DOUBLE, class_yoy DOUBLE)`);
  for (const r of rows) {
    const [peerBase, peerYoy] = r.cls === 'industrial' ? [CLASS_BASE, CLASS_YOY] : [PEER_BASE, PEER_YOY];
    // 30 days at 10 kWh/day of baseline, moved by the peers and then by d; last year's month
    // moved by the peers' change since would be this month's kWh/day off by yoy.
    const kpd = 10_000 * peerBase * Math.exp(r.d);
    await c.run('INSERT INTO run_staging VALUES ($cls, $region, 30, $kwh, $flags, $base_n, 3, 10000, $spread, $recent, $yoy_kpd)', {
      cls: r.cls, region: r.region, kwh: 30 * kpd, flags: r.readFlags ?? 0, base_n: r.baseN ?? 12,
      spread: r.spread, recent: Math.log(10_000) + r.recent, yoy_kpd: r.yoy === null ? null : kpd / Math.exp(r.yoy) / peerYoy,
    });
  }
  await c.run(`INSERT INTO run_peers VALUES ('residential', 'R01', 43, ${PEER_BASE}, 1.0, ${PEER_YOY}, 1.0), ('commercial', 'R01', 10, 1.0, 1.0, 1.0, 1.0),
    ('industrial', 'R02', 18, 5.0, ${CLASS_BASE}, 5.0, ${CLASS_YOY}), ('industrial', 'R03', 17, 5.0, ${CLASS_BASE}, 5.0, ${CLASS_YOY})`);
  await c.run(STAGE_SQL['spread-scales']!, spreadScaleParams(rules.classes));
  const out = (await c.runAndReadAll('SELECT customer_class::VARCHAR, level_scale, shift_scale FROM run_scales')).getRows();
  scales = Object.fromEntries(out.map(([cls, level, shift]) => [String(cls), { level: Number(level), shift: Number(shift) }]));
  c.closeSync();
  db.closeSync();
});

function expected(cls: string, floor: number): { level: number; shift: number } {
  const scored = rows.filter((r) => r.cls === cls && !r.readFlags && !r.baseN && r.yoy !== null);
  const spread = (r: Row) => Math.max(r.spread, floor);
  const yoy = (r: Row) => Math.abs(r.yoy!) / Math.SQRT2;
  return {
    level: Math.max(1, median(scored.map((r) => Math.min(Math.abs(r.d), yoy(r)) / spread(r))) / NULL_LEVEL_Z),
    shift: Math.max(1, median(scored.map((r) => Math.min(Math.abs((r.d + 3 * r.recent) / 4), yoy(r)) / spread(r))) / NULL_SHIFT_Z),
  };
}

it('widens a class whose months stray further than their changes say, by its median z over the independent months\'', () => {
  const homes = expected('residential', rules.classes.residential.min_spread / 1.4826);
  expect(homes.level).toBeGreaterThan(1.5);
  expect(scales.residential!.level).toBeCloseTo(homes.level, 9);
  expect(scales.residential!.shift).toBeCloseTo(homes.shift, 9);
});

it('measures a small region\'s accounts against their class\'s level, and a steady account with the rules\' floor of the spread', () => {
  // The floor (min_spread 0.04 σ = 0.027 as a MAD), not the plants' 0.001, divides: else the scale would be ~25.
  const plants = expected('industrial', rules.classes.industrial.min_spread / 1.4826);
  expect(scales.industrial!.level).toBeCloseTo(plants.level, 9);
  expect(scales.industrial!.shift).toBeCloseTo(plants.shift, 9);
  expect(scales.industrial!.level).toBeLessThan(5);
});

it('keeps the bands of a class with fewer scored accounts than its min_peers', () => {
  expect(scales.commercial).toEqual({ level: 1, shift: 1 });
});
