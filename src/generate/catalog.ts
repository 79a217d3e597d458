// Fixed facts the generator draws from: tariffs per class and the registers their meters carry,
// seasonal profiles, and the codes of the per-account events kept in typed arrays.
import { REGISTERS, type Register } from '../../schemas/inputs.js';

/** Indices into CUSTOMER_CLASSES (agricultural = 3). */
export const RESIDENTIAL = 0;
export const COMMERCIAL = 1;
export const INDUSTRIAL = 2;

export const REGISTER_INDEX = Object.fromEntries(REGISTERS.map((r, i) => [r, i])) as Record<Register, number>;

export interface TariffMeter {
  id: string;
  /** Time-of-use registers (indices into REGISTERS) whose advances add up to `total`'s. */
  touRegisters: readonly number[];
  /** Typical share of each TOU register in the total. */
  touShares: readonly number[];
  demandAndReactive: boolean;
}

const r = REGISTER_INDEX;
export const TARIFFS: readonly TariffMeter[] = [
  { id: 'GD-RES', touRegisters: [], touShares: [], demandAndReactive: false },
  { id: 'RES-TOU', touRegisters: [r.peak, r.flat, r.valley], touShares: [0.30, 0.42, 0.28], demandAndReactive: false },
  { id: 'RES-MKT', touRegisters: [], touShares: [], demandAndReactive: false },
  { id: 'COM-TOU', touRegisters: [r.sharp, r.peak, r.flat, r.valley], touShares: [0.08, 0.34, 0.36, 0.22], demandAndReactive: false },
  { id: 'IND-2P', touRegisters: [r.peak, r.flat, r.valley], touShares: [0.28, 0.36, 0.36], demandAndReactive: true },
  { id: 'AGR-FLAT', touRegisters: [], touShares: [], demandAndReactive: false },
];
export const GD_RES = 0;
export const RES_TOU = 1;
export const RES_MKT = 2;
export const COM_TOU = 3;
export const IND_2P = 4;
export const AGR_FLAT = 5;

/**
 * Consumption relative to the yearly mean at mid-month, January first, per class: residential
 * air-conditioning peaks in July–August with a smaller heating bump in winter; commercial cooling
 * is milder; industry barely moves (a February holiday dip); irrigation follows the growing season.
 */
export const SEASON_PROFILES: readonly (readonly number[])[] = [
  [1.12, 1.05, 0.92, 0.85, 0.92, 1.10, 1.45, 1.50, 1.18, 0.92, 0.90, 1.05],
  [0.98, 0.95, 0.95, 0.96, 1.02, 1.12, 1.28, 1.30, 1.15, 1.00, 0.95, 0.98],
  [0.97, 0.88, 1.00, 1.00, 1.01, 1.02, 1.06, 1.06, 1.02, 1.00, 1.00, 0.98],
  [0.45, 0.45, 0.65, 0.95, 1.30, 1.60, 1.85, 1.75, 1.25, 0.80, 0.50, 0.45],
  [1.75, 1.60, 1.25, 0.85, 0.70, 0.80, 1.00, 1.00, 0.75, 0.80, 1.15, 1.55],
];

/**
 * The last profile: an electrically heated home (a heat pump or resistive heating, as the homes of
 * north China's coal-to-electricity programme), whose use peaks in winter with a little summer
 * cooling while its neighbours' peaks in summer (generate --heating-share).
 */
export const HEATED_HOME = 4;

/**
 * Month-to-month noise (σ of log consumption) of a typical account per class. Accounts differ
 * more than classes: each account's σ is its class's × a log-normal spread, and some accounts are
 * volatile by trade (a shop on promotions, a factory working to orders) with several times it.
 */
export const NOISE_SIGMA = [0.08, 0.06, 0.05, 0.12] as const;
/** σ of the log of an account's noise level around its class's. */
export const NOISE_SPREAD = 0.4;
/** Share of accounts per class volatile by trade, and how many times the class's σ they swing. */
export const VOLATILE_SHARE = [0.02, 0.15, 0.25, 0.1] as const;
export const VOLATILE_FACTOR = [2.5, 3, 4, 2] as const;

/** Legitimate account events; at most one per account, none together with an anomaly. */
export const EVENT_NONE = 0;
export const EVENT_MOVE_IN = 1;
export const EVENT_MOVE_OUT = 2;
export const EVENT_EXCHANGE = 3;
export const EVENT_VACANCY = 4;
/** Commercial accounts with hourly interval data and only a `total` register. */
export const EVENT_INTERVAL = 5;

/** Mean days per month: base loads are per average month, scaled by the days actually read. */
export const DAYS_PER_MONTH = 30.436875;

export const ESTIMATED_READ_SHARE = 0.02;
export const CUSTOMER_READ_SHARE = 0.01;
