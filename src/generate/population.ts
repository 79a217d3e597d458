// The account population: every attribute drawn once into typed arrays (O(accounts) memory), so
// the month loop, the account file and the interval loop read the same facts cheaply.
import {
  AGR_FLAT, COMMERCIAL, COM_TOU, EVENT_EXCHANGE, EVENT_INTERVAL, EVENT_MOVE_IN, EVENT_MOVE_OUT, EVENT_NONE,
  EVENT_VACANCY, GD_RES, HEATED_HOME, NOISE_SIGMA, NOISE_SPREAD, VOLATILE_FACTOR, VOLATILE_SHARE, INDUSTRIAL, IND_2P, RESIDENTIAL, RES_MKT, RES_TOU,
} from './catalog.js';
import type { ResolvedGenerateOptions } from '../../schemas/generate.js';
import { normal, pickWeighted, Stream, uniform, uniformInt } from './random.js';
import { firstDayOfRead, readDay, type DataWindow } from './window.js';
import { withIntervalOnlyMeters } from './interval-only.js';

export interface Population {
  count: number;
  customerClass: Uint8Array;
  tariff: Uint8Array;
  region: Uint8Array;
  cycleDay: Uint8Array;
  registerDigits: Uint8Array;
  /** CT ratio: register units × multiplier = kWh. */
  multiplier: Uint16Array;
  /** 0 when not residential. */
  householdSize: Uint8Array;
  /** kVA, 0 when none. */
  contractKva: Uint16Array;
  /** 0 none, else the PF standard in hundredths (90, 85). */
  pfStandard: Uint8Array;
  /** kWh in an average month at the yearly mean, before seasons and noise. */
  baseKwh: Float64Array;
  /** How strongly its seasonal swing applies to this account. */
  seasonSensitivity: Float32Array;
  /** Its seasonal swing: SEASON_PROFILES' index, the class's own or HEATED_HOME. */
  seasonProfile: Uint8Array;
  /** Yearly drift of consumption (log scale). */
  growth: Float32Array;
  /** tan φ of the power factor: kvarh per kWh. */
  reactiveRatio: Float32Array;
  loadFactor: Float32Array;
  /** σ of this account's month-to-month log consumption. */
  noiseSigma: Float32Array;
  startDay: Int32Array;
  event: Uint8Array;
  /** Read month of the event (move-in/out, exchange, first vacant period). */
  eventPeriod: Uint8Array;
  /** Move-in day, move-out day or exchange day. */
  eventDay: Int32Array;
  /** Vacant periods. */
  eventLength: Uint8Array;
  /** Number of the meter fitted at an exchange, 0 otherwise. */
  newMeterNo: Int32Array;
  /** Interval slot (index among interval accounts), −1 otherwise. */
  intervalSlot: Int32Array;
  intervalAccounts: Int32Array;
  /** 1 for an interval account whose meter has no register (interval-only.ts). */
  intervalOnly: Uint8Array;
}

const CT_RATIOS_INDUSTRIAL = [20, 40, 80, 200];
const CT_RATIOS_COMMERCIAL = [5, 10, 20, 40];
const TRANSFORMER_KVA = [100, 160, 200, 250, 315, 400, 500, 630, 800, 1000, 1250, 1600, 2000, 2500, 3150, 4000, 5000, 6300, 8000, 10000, 12500, 16000, 20000, 25000, 31500, 40000, 50000, 63000];

/** Commercial accounts fitted with interval meters: evenly spread over the population. */
function chooseIntervalAccounts(customerClass: Uint8Array, requested: number | undefined): Int32Array {
  const commercial: number[] = [];
  customerClass.forEach((c, a) => {
    if (c === COMMERCIAL) commercial.push(a);
  });
  const wanted = requested ?? Math.min(200, Math.max(commercial.length > 0 ? 1 : 0, Math.round(commercial.length * 0.001)));
  const n = Math.min(wanted, commercial.length);
  return Int32Array.from({ length: n }, (_, i) => commercial[Math.floor(((i + 0.5) * commercial.length) / n)]!);
}

export function buildPopulation(options: ResolvedGenerateOptions, window: DataWindow): Population {
  const { accounts: count, seed, months, regions } = options;
  const pop: Population = {
    count,
    customerClass: new Uint8Array(count),
    tariff: new Uint8Array(count),
    region: new Uint8Array(count),
    cycleDay: new Uint8Array(count),
    registerDigits: new Uint8Array(count),
    multiplier: new Uint16Array(count),
    householdSize: new Uint8Array(count),
    contractKva: new Uint16Array(count),
    pfStandard: new Uint8Array(count),
    baseKwh: new Float64Array(count),
    seasonSensitivity: new Float32Array(count),
    seasonProfile: new Uint8Array(count),
    growth: new Float32Array(count),
    reactiveRatio: new Float32Array(count),
    loadFactor: new Float32Array(count),
    noiseSigma: new Float32Array(count),
    startDay: new Int32Array(count),
    event: new Uint8Array(count),
    eventPeriod: new Uint8Array(count),
    eventDay: new Int32Array(count),
    eventLength: new Uint8Array(count),
    newMeterNo: new Int32Array(count),
    intervalSlot: new Int32Array(count).fill(-1),
    intervalAccounts: new Int32Array(0),
    intervalOnly: new Uint8Array(count),
  };
  for (let a = 0; a < count; a++) {
    pop.customerClass[a] = pickWeighted(uniform(seed, Stream.customerClass, a), [0.80, 0.14, 0.05, 0.01]);
    pop.region[a] = Math.floor(uniform(seed, Stream.region, a) * regions);
  }
  ({ intervalAccounts: pop.intervalAccounts, intervalOnly: pop.intervalOnly } = withIntervalOnlyMeters(
    seed, pop.customerClass, chooseIntervalAccounts(pop.customerClass, options.intervalAccounts), options.intervalOnlyShare));
  pop.intervalAccounts.forEach((a, slot) => {
    pop.intervalSlot[a] = slot;
    pop.event[a] = EVENT_INTERVAL;
  });

  let nextMeterNo = count + 1;
  const openingDay = firstDayOfRead(window, 0);
  for (let a = 0; a < count; a++) {
    const cls = pop.customerClass[a]!;
    const tariff = cls === RESIDENTIAL ? [GD_RES, RES_TOU, RES_MKT][pickWeighted(uniform(seed, Stream.tariff, a), [0.75, 0.15, 0.10])]!
      : cls === COMMERCIAL ? COM_TOU : cls === INDUSTRIAL ? IND_2P : AGR_FLAT;
    pop.tariff[a] = tariff;

    if (pop.event[a] === EVENT_NONE && months >= 2) {
      const u = uniform(seed, Stream.event, a);
      // Factories do not move in or out within the window, but their CT meters are exchanged too.
      if (cls !== INDUSTRIAL && u < 0.015) pop.event[a] = EVENT_MOVE_IN;
      else if (cls !== INDUSTRIAL && u < 0.03) pop.event[a] = EVENT_MOVE_OUT;
      else if (u < 0.04) pop.event[a] = EVENT_EXCHANGE;
      else if (cls === RESIDENTIAL && u < 0.055) pop.event[a] = EVENT_VACANCY;
    }
    const event = pop.event[a]!;
    // Dated events sit between the month's first day and the regular read, which needs a cycle
    // day late enough to leave room; drawing those accounts' cycle days from 8–28 does that.
    const datedEvent = event === EVENT_MOVE_IN || event === EVENT_MOVE_OUT || event === EVENT_EXCHANGE;
    pop.cycleDay[a] = uniformInt(seed, Stream.cycleDay, a, 0, datedEvent ? 8 : 1, 28);

    const analogMeter = (tariff === GD_RES || tariff === RES_MKT || tariff === AGR_FLAT) && event !== EVENT_INTERVAL;
    pop.registerDigits[a] = analogMeter && uniform(seed, Stream.digits, a) < 0.12 ? 5 : 6;
    pop.multiplier[a] = cls === INDUSTRIAL
      ? CT_RATIOS_INDUSTRIAL[pickWeighted(uniform(seed, Stream.multiplier, a), [0.3, 0.35, 0.25, 0.1])]!
      : cls === COMMERCIAL && event !== EVENT_INTERVAL && uniform(seed, Stream.multiplier, a) < 0.15
        ? CT_RATIOS_COMMERCIAL[uniformInt(seed, Stream.multiplier, a, 1, 0, 3)]!
        : 1;

    const z = normal(seed, Stream.baseLoad, a);
    if (cls === RESIDENTIAL) {
      const household = 1 + pickWeighted(uniform(seed, Stream.household, a), [0.28, 0.34, 0.16, 0.14, 0.06, 0.02]);
      pop.householdSize[a] = household;
      pop.baseKwh[a] = (200 + 40 * household) * Math.exp(0.35 * z);
    } else if (cls === COMMERCIAL) {
      pop.baseKwh[a] = 3500 * Math.exp(0.9 * z);
    } else if (cls === INDUSTRIAL) {
      pop.baseKwh[a] = 300_000 * Math.exp(0.8 * z);
    } else {
      pop.baseKwh[a] = 1200 * Math.exp(0.8 * z);
    }
    const volatile = uniform(seed, Stream.volatileAccount, a) < VOLATILE_SHARE[cls]! ? VOLATILE_FACTOR[cls]! : 1;
    pop.noiseSigma[a] = options.volatility * NOISE_SIGMA[cls]! * volatile * Math.exp(NOISE_SPREAD * normal(seed, Stream.volatility, a));
    pop.seasonSensitivity[a] = 0.4 + 1.2 * uniform(seed, Stream.acSensitivity, a);
    pop.seasonProfile[a] = cls === RESIDENTIAL && uniform(seed, Stream.heating, a) < options.heatingShare ? HEATED_HOME : cls;
    pop.growth[a] = 0.03 * normal(seed, Stream.growth, a);

    if (cls === INDUSTRIAL) {
      const pf = Math.min(0.99, Math.max(0.72, 0.91 + 0.03 * normal(seed, Stream.powerFactor, a)));
      pop.reactiveRatio[a] = Math.sqrt(1 - pf * pf) / pf;
      const loadFactor = 0.45 + 0.35 * uniform(seed, Stream.loadFactor, a);
      pop.loadFactor[a] = loadFactor;
      const kva = (pop.baseKwh[a]! / 730 / loadFactor / pf) * (1.1 + 0.5 * uniform(seed, Stream.contract, a));
      pop.contractKva[a] = TRANSFORMER_KVA.find((size) => size >= kva) ?? TRANSFORMER_KVA[TRANSFORMER_KVA.length - 1]!;
      pop.pfStandard[a] = uniform(seed, Stream.pfStandard, a) < 0.85 ? 90 : 85;
    }

    pop.startDay[a] = openingDay - 30 - Math.floor(uniform(seed, Stream.startDate, a) * 6000);
    if (event === EVENT_VACANCY) {
      pop.eventPeriod[a] = uniformInt(seed, Stream.eventPeriod, a, 0, 2, months);
      pop.eventLength[a] = uniformInt(seed, Stream.eventLength, a, 0, 2, 4);
    } else if (datedEvent) {
      const m = uniformInt(seed, Stream.eventPeriod, a, 0, 2, months);
      pop.eventPeriod[a] = m;
      const first = firstDayOfRead(window, m);
      const regular = readDay(seed, window, a, pop.cycleDay[a]!, m);
      const previous = readDay(seed, window, a, pop.cycleDay[a]!, m - 1);
      const u = uniform(seed, Stream.eventDay, a);
      if (event === EVENT_MOVE_IN) {
        // At least five days before the first regular read: a short first period, not an empty one.
        pop.eventDay[a] = first + Math.floor(u * (regular - first - 4));
        pop.startDay[a] = pop.eventDay[a]!;
      } else if (event === EVENT_MOVE_OUT) {
        pop.eventDay[a] = Math.max(first + Math.floor(u * (regular - first - 1)), previous + 3);
      } else {
        pop.eventDay[a] = first + Math.floor(u * (regular - first));
        pop.newMeterNo[a] = nextMeterNo++;
      }
    }
  }
  return pop;
}
