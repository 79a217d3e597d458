// `billrun tariff simulate`: every billed period of a range priced again under the stored and a
// proposed policy, changing nothing. The store side of impact.ts, beside registry.ts.
import type { PricingInput } from '../../schemas/bill.js';
import type { CustomerClass } from '../../schemas/inputs.js';
import type { TariffPolicy } from '../../schemas/tariff.js';
import { epochDay, periodKey, periodRange } from '../calendar/index.js';
import { sqlStatements, type Store } from '../store/index.js';
import { compileTariff } from './compile.js';
import { isPricingError } from './errors.js';
import { ImpactTally, lineChanges, type ImpactOptions, type ImpactRow, type ImpactSummary } from './impact.js';
import { priceBill } from './price.js';
import { storedPolicy, type StoredPolicy } from './registry.js';

const SQL = sqlStatements(import.meta.url, 'registry.sql');

export interface SimulationOptions extends ImpactOptions {
  /** Billing periods YYYY-MM, inclusive. */
  from: string;
  to: string;
}

export interface Simulation {
  stored: StoredPolicy;
  summary: ImpactSummary;
  /** Bills one of the policies could not price (no version in force, a missing determinant). */
  unpriced: number;
}

interface SimulatedBill extends ImpactRow {
  oldInput: PricingInput;
  newInput: PricingInput;
}

/** The impact of `proposed` on the bills of `from`..`to`; null when the tariff is not in the store. */
export async function simulateChange(store: Store, proposed: TariffPolicy, options: SimulationOptions): Promise<Simulation | null> {
  const stored = await storedPolicy(store, proposed.id);
  if (!stored) return null;
  const before = compileTariff(stored.policy);
  const after = compileTariff(proposed);
  const tally = new ImpactTally<SimulatedBill>(proposed.currency, options);
  // A bill's year-to-date amount under the proposal includes the change of the account's earlier
  // bills of that year (annual minimums settle on it); months before `from` are not re-priced.
  const earlierChange = new Map<string, { year: number; changeMinor: number }>();
  let unpriced = 0;
  for (const period of periodRange(options.from, options.to)) {
    const key = periodKey(period);
    const year = Math.floor(key / 100);
    const rows = await store.rows(SQL['bills-to-simulate']!, { tariff_id: proposed.id, period: key, year_start: year * 100 + 1 });
    for (const row of rows) {
      const accountId = String(row.account_id);
      const oldInput = pricingInput(period, row);
      const carried = earlierChange.get(accountId);
      const newInput = { ...oldInput, ytdAmountMinor: oldInput.ytdAmountMinor + (carried?.year === year ? carried.changeMinor : 0) };
      let oldMinor: number;
      let newMinor: number;
      try {
        oldMinor = priceBill(before, oldInput).totalMinor;
        newMinor = priceBill(after, newInput).totalMinor;
      } catch (error) {
        if (!isPricingError(error)) throw error;
        unpriced++;
        continue;
      }
      earlierChange.set(accountId, { year, changeMinor: (carried?.year === year ? carried.changeMinor : 0) + newMinor - oldMinor });
      const days = Number(row.days);
      tally.add({
        accountId, customerName: String(row.name), customerClass: String(row.customer_class), region: String(row.region), period,
        kwhPerDay: days > 0 ? Number(row.kwh) / 1000 / days : null, oldMinor, newMinor, trusted: Boolean(row.trusted), oldInput, newInput,
      });
    }
  }
  const summary = tally.finish((bill) => lineChanges(priceBill(before, bill.oldInput).lineItems, priceBill(after, bill.newInput).lineItems));
  return { stored, summary, unpriced };
}

function pricingInput(period: string, r: Record<string, unknown>): PricingInput {
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  const energy = (v: unknown) => Math.max(0, num(v) ?? 0);
  const tou = r.peak === null && r.flat === null && r.valley === null && r.sharp === null ? null
    : { sharp: energy(r.sharp), peak: energy(r.peak), flat: energy(r.flat), valley: energy(r.valley) };
  return {
    period, startDay: epochDay(String(r.start_date)), endDay: epochDay(String(r.end_date)), customerClass: String(r.customer_class) as CustomerClass,
    householdSize: num(r.household_size), contractKva: num(r.contract_kva), pfStandard: num(r.pf_standard),
    // As the bill run: a reverse or garbage advance is priced as nothing.
    kwhMilli: energy(r.kwh), touKwhMilli: tou, demandMilli: num(r.demand), touDemandMilli: null, kvarhMilli: num(r.kvarh),
    ytdKwhMilli: Number(r.ytd_kwh), ytdAmountMinor: Number(r.ytd_amount),
  };
}
