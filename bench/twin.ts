// The SQL twin of the month's run (bench/twin.sql): the bill run's own determinants stage, then the
// bills and line items of the policies SQL can price here — one version, energy as a flat rate or
// graduated monthly tiers (seasonal bounds, a household bonus), a monthly minimum, tax inside the
// prices, rounding per charge, a two-decimal currency: the shape of GD-RES and AGR-FLAT, which
// most generated accounts use. bench/run.ts times it beside the pipeline on the same store; the
// test (test/bench/twin.test.ts) checks its bills against the pipeline's.
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ReviewRules } from '../schemas/rules.js';
import type { TariffPolicy } from '../schemas/tariff.js';
import { stageDeterminants } from '../src/billing/index.js';
import type { BillingPeriod } from '../src/calendar/index.js';
import { decimalOf, minorDigits, unitsAtScale, type Decimal } from '../src/money/index.js';
import { sqlStatements } from '../src/store/index.js';

const SQL = sqlStatements(import.meta.url, 'twin.sql');

interface Block { tariffId: string; month: number; tier: number; lower: number; upper: number | null; bonusLower: number; bonusUpper: number | null; minMembers: number; rateE8: bigint }
interface PolicyRow { tariffId: string; minimumMinor: number; taxIncludedE8: bigint }

/** Units of a non-negative decimal at `scale`, or null when it has more digits than that. */
function at(value: string | number | undefined, scale: number): bigint | null {
  const d: Decimal | undefined = value === undefined ? undefined : decimalOf(value);
  if (!d || d.units < 0n || d.scale > scale) return null;
  return unitsAtScale(d, scale);
}

/** The twin's rows for one policy, or why the twin cannot price it. */
export function twinPolicy(policy: TariffPolicy): { blocks: Block[]; policy: PolicyRow } | { unsupported: string } {
  const [v, ...later] = policy.versions;
  if (!v || later.length > 0) return { unsupported: 'more than one version (split by days)' };
  if (minorDigits(policy.currency) !== 2) return { unsupported: `currency ${policy.currency} is not a two-decimal currency` };
  if ((policy.rounding ?? 'per_charge') !== 'per_charge') return { unsupported: `rounding ${policy.rounding}` };
  if (v.fixed || v.demand || v.power_factor || v.surcharges || v.minimum?.annual !== undefined || v.energy.tou || v.energy.tier_surcharge) {
    return { unsupported: 'charges other than energy, a monthly minimum and an included tax' };
  }
  if (v.tax && v.tax.mode !== 'included') return { unsupported: 'a tax added on top' };
  const tiers = v.energy.tiers;
  if (tiers && ((tiers.mode ?? 'graduated') !== 'graduated' || (tiers.basis ?? 'month') !== 'month' || (tiers.prorate ?? 'none') !== 'none')) {
    return { unsupported: 'tiers other than graduated monthly bounds as written' };
  }
  const seasonOf = (month: number) => v.seasons?.find((s) => s.months.includes(month))?.id;
  const pick = (value: string | number | Record<string, string | number> | undefined, month: number) =>
    value === undefined || typeof value !== 'object' ? value : value[seasonOf(month) ?? ''];
  const blocks: Block[] = [];
  const add = tiers?.household ? at(tiers.household.add, 3) : 0n;
  for (let month = 1; month <= 12; month++) {
    const written = tiers ? tiers.blocks : [{ up_to: undefined, up_to_per_kw: undefined, rate: v.energy.rate! }];
    let lower = 0n;
    for (const [tier, block] of written.entries()) {
      if (block.up_to_per_kw !== undefined) return { unsupported: 'kWh-per-kW bounds' };
      const rate = at(pick(block.rate, month), 8);
      const upper = block.up_to === undefined ? null : at(pick(block.up_to, month), 3);
      if (rate === null || add === null || (block.up_to !== undefined && upper === null)) return { unsupported: 'a price or bound the twin cannot read exactly' };
      blocks.push({
        tariffId: policy.id, month, tier, lower: Number(lower), upper: upper === null ? null : Number(upper),
        bonusLower: Number(lower === 0n ? 0n : lower + add), bonusUpper: upper === null ? null : Number(upper + add),
        minMembers: tiers?.household?.min_members ?? 2 ** 31 - 1, rateE8: rate,
      });
      if (upper !== null) lower = upper;
    }
  }
  const minimum = at(v.minimum?.monthly, 2);
  const tax = v.tax ? at(v.tax.rate, 8) : 0n;
  if ((v.minimum?.monthly !== undefined && minimum === null) || tax === null) return { unsupported: 'a minimum or tax rate the twin cannot read exactly' };
  return { blocks, policy: { tariffId: policy.id, minimumMinor: Number(minimum ?? 0n), taxIncludedE8: tax } };
}

export interface TwinResult {
  bills: number;
  lineItems: number;
  /** Policies of the staged accounts the twin does not price, with the reason. */
  unsupported: Record<string, string>;
  stagesMs: { determinants: number; pricing: number };
}

/**
 * Runs the twin for `period` on `connection` (a copy of the store: the stage replaces run_staging),
 * with the review rules' classes the pipeline billed with (their baseline settings shape the history features).
 */
export async function runTwin(connection: DuckDBConnection, period: BillingPeriod, classes: ReviewRules['classes'], stageSize: number): Promise<TwinResult> {
  const t0 = performance.now();
  await stageDeterminants(connection, period, classes, 0, stageSize);
  const t1 = performance.now();
  const stored = (await connection.runAndReadAll('SELECT tariff_id, policy FROM run_tariffs WHERE policy IS NOT NULL')).getRowObjectsJson();
  const blocks: Block[] = [];
  const policies: PolicyRow[] = [];
  const unsupported: Record<string, string> = {};
  for (const row of stored) {
    const twin = twinPolicy(JSON.parse(String(row.policy)) as TariffPolicy);
    if ('unsupported' in twin) unsupported[String(row.tariff_id)] = twin.unsupported;
    else {
      blocks.push(...twin.blocks);
      policies.push(twin.policy);
    }
  }
  await connection.run(`CREATE OR REPLACE TEMP TABLE twin_blocks (tariff_id VARCHAR, month INTEGER, tier INTEGER, lower BIGINT, upper BIGINT,
    bonus_lower BIGINT, bonus_upper BIGINT, min_members INTEGER, rate_e8 BIGINT)`);
  await connection.run('CREATE OR REPLACE TEMP TABLE twin_policies (tariff_id VARCHAR, minimum_minor BIGINT, tax_included_e8 BIGINT)');
  for (const b of blocks) {
    await connection.run('INSERT INTO twin_blocks VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
      [b.tariffId, b.month, b.tier, b.lower, b.upper, b.bonusLower, b.bonusUpper, b.minMembers, b.rateE8]);
  }
  for (const p of policies) await connection.run('INSERT INTO twin_policies VALUES ($1, $2, $3)', [p.tariffId, p.minimumMinor, p.taxIncludedE8]);
  const month = period.key % 100;
  await connection.run(SQL['line-items']!, { month });
  await connection.run(SQL.bills!);
  await connection.run(SQL['top-up-lines']!);
  const t2 = performance.now();
  const [counts] = (await connection.runAndReadAll(
    'SELECT (SELECT count(*) FROM twin_bills)::INTEGER AS bills, (SELECT count(*) FROM twin_line_items)::INTEGER AS lines')).getRowObjectsJson();
  return {
    bills: Number(counts!.bills), lineItems: Number(counts!.lines), unsupported,
    stagesMs: { determinants: Math.round(t1 - t0), pricing: Math.round(t2 - t1) },
  };
}
