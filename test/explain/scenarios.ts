// Bills whose change the explain tests take apart: each pair is priced by the tariff engine,
// as the bill run would have stored it.
import type { PricingInput } from '../../schemas/bill.js';
import { READ_FLAGS } from '../../schemas/review.js';
import { epochDay } from '../../src/calendar/index.js';
import type { ChangeInput, ExplainedBill } from '../../src/explain/index.js';
import { priceBill, type CompiledTariff } from '../../src/tariff/index.js';
import { sample, tou } from '../tariff/helpers.js';

export function input(period: string, from: string, to: string, kwh: number, extra: Partial<PricingInput> = {}): PricingInput {
  return {
    period, startDay: epochDay(from), endDay: epochDay(to), customerClass: 'residential', householdSize: 3, contractKva: null, pfStandard: null,
    kwhMilli: Math.round(kwh * 1000), touKwhMilli: null, demandMilli: null, touDemandMilli: null, kvarhMilli: null,
    ytdKwhMilli: 0, ytdAmountMinor: 0, ...extra,
  };
}

export function point(tariff: CompiledTariff, pricing: PricingInput, readFlags = 0) {
  return { input: pricing, amountMinor: priceBill(tariff, pricing).totalMinor, readFlags, tariff };
}

export function change(tariff: CompiledTariff, previous: PricingInput, current: PricingInput, extra: Partial<ChangeInput> = {}): ChangeInput {
  return {
    against: 'last_month', previous: point(tariff, previous), current: point(tariff, current),
    firstRead: null, peerRatio: null, estimatesBefore: null, meterExchangeDate: null, ...extra,
  };
}

export const BILL: ExplainedBill = { accountId: 'A0001234', customerClass: 'residential', region: 'GZ-HZ', currency: 'CNY' };

const GD = () => sample('GD-RES');

/** The scenarios of issue 11, by name. */
export function scenarios(): Record<string, { bill: ExplainedBill; change: ChangeInput }> {
  const gd = GD();
  const tou = sample('RES-TOU');
  const ind = sample('IND-2P');
  const mkt = sample('RES-MKT');
  const res = (c: ChangeInput) => ({ bill: BILL, change: c });
  const industrial = { customerClass: 'industrial' as const, householdSize: null, contractKva: 630, pfStandard: 0.9 };
  return {
    // 520 kWh in June (31 days), 700 in July (30 days): docs/domain.md's 459.21 CNY, reaching tier 3.
    'residential-tiered': res(change(gd, input('2025-06', '2025-05-15', '2025-06-15', 520), input('2025-07', '2025-06-15', '2025-07-15', 700))),
    // Peers used 20% more per day; this account 30% more, in the same tier.
    'weather': res(change(gd, input('2025-08', '2025-08-01', '2025-08-31', 300), input('2025-09', '2025-09-01', '2025-10-01', 390),
      { against: 'last_month', peerRatio: 1.2 })),
    'tou': res(change(tou,
      input('2025-06', '2025-06-01', '2025-07-01', 320, { touKwhMilli: touQ(80, 160, 80) }),
      input('2025-07', '2025-07-01', '2025-08-01', 400, { touKwhMilli: touQ(100, 200, 100) }))),
    'industrial-two-part': {
      bill: { ...BILL, accountId: 'IND-2P-03', customerClass: 'industrial', region: 'FS-NH' },
      change: change(ind,
        input('2025-06', '2025-05-15', '2025-06-15', 90000, { ...industrial, touKwhMilli: touQ(15000, 30000, 45000, 0), demandMilli: 520_000, kvarhMilli: 40_000_000 }),
        input('2025-07', '2025-06-15', '2025-07-15', 100000, { ...industrial, touKwhMilli: touQ(17000, 33000, 50000, 0), demandMilli: 700_000, kvarhMilli: 42_000_000 }),
        { peerRatio: 1.05 }),
    },
    // 300 kWh over 30 days both times; the new period has 15 days under version 2025-07 (+8%).
    'tariff-change': res(change(mkt, input('2025-06', '2025-06-01', '2025-07-01', 300), input('2025-07', '2025-06-16', '2025-07-16', 300))),
    // April (other months: 200/400) to May (summer: 260/600) at the same 10 kWh a day.
    'seasonal-switch': res(change(gd, input('2025-04', '2025-04-01', '2025-05-01', 300), input('2025-05', '2025-05-01', '2025-06-01', 310))),
    // From tier 2 down to tier 1: usage falls from 500 to 240 kWh in September.
    'tier-crossing': res(change(gd, input('2025-08', '2025-08-01', '2025-09-01', 500), input('2025-09', '2025-09-01', '2025-10-01', 240))),
    'estimate': res(change(gd, input('2025-06', '2025-06-01', '2025-07-01', 300), input('2025-07', '2025-07-01', '2025-08-01', 420),
      { current: point(gd, input('2025-07', '2025-07-01', '2025-08-01', 420), READ_FLAGS.estimatedClose) })),
    // Two estimated bills (400 kWh over 61 days), then an actual read: 500 kWh over 30 days.
    'catch-up': res(change(gd, input('2025-07', '2025-07-01', '2025-08-01', 200), input('2025-09', '2025-09-01', '2025-10-01', 500), {
      previous: point(gd, input('2025-08', '2025-08-01', '2025-09-01', 200), READ_FLAGS.estimatedClose),
      current: point(gd, input('2025-09', '2025-09-01', '2025-10-01', 500), READ_FLAGS.estimatedOpen),
      estimatesBefore: { bills: 2, kwhMilli: 400_000, days: 61 },
    })),
    'meter-exchange': res(change(gd, input('2025-06', '2025-06-01', '2025-07-01', 300), input('2025-07', '2025-07-01', '2025-08-01', 380), {
      current: point(gd, input('2025-07', '2025-07-01', '2025-08-01', 380), READ_FLAGS.meterExchange),
      meterExchangeDate: '2025-07-10',
    })),
    // Read 4,500 kWh (a digit slip), corrected in review to 450.
    'corrected': res(change(gd, input('2025-06', '2025-06-01', '2025-07-01', 300), input('2025-07', '2025-07-01', '2025-08-01', 450), {
      firstRead: { input: input('2025-07', '2025-07-01', '2025-08-01', 4500), readFlags: 0 },
    })),
  };
}

function touQ(peak: number, flat: number, valley: number, sharp = 0) {
  return tou(sharp, peak, flat, valley);
}
