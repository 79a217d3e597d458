// The explain benchmark: `npm run build && node dist/bench/explain.js [--bills N] [--db STORE --period P]`.
//
// Part 1 explains N generated bill pairs (deterministic: every sample tariff in turn, random days,
// usage, TOU splits, demand, peers, estimates, corrections) in JavaScript and streams them to a
// JSONL file: explanations per second of the waterfall, the texts and the writing (--bills 0
// skips it). Part 2, with --db and --period, runs what `billrun explain --period P --out FILE`
// runs, end to end on a billed store: bills read and explained per second, CPU time and the peak
// resident memory. Prints one JSON line.
import { readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PricingInput } from '../schemas/bill.js';
import type { Explanation } from '../schemas/explanation.js';
import { READ_FLAGS } from '../schemas/review.js';
import { addPeriods, epochDay } from '../src/calendar/index.js';
import { explainChange, explainPeriod, writeExplanations, type ChangeInput } from '../src/explain/index.js';
import { uniform } from '../src/generate/index.js';
import { openStore } from '../src/store/index.js';
import { compileTariff, parsePolicy, priceBill, type CompiledTariff } from '../src/tariff/index.js';

const value = (flag: string) => {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

function tariff(id: string): CompiledTariff {
  const { policy } = parsePolicy(readFileSync(new URL(`../../samples/tariffs/${id}.yaml`, import.meta.url), 'utf8'), 'yaml', id);
  return compileTariff(policy!);
}

const TARIFFS = ['GD-RES', 'GD-RES', 'GD-RES', 'RES-TOU', 'RES-MKT', 'COM-TOU', 'IND-2P', 'AGR-FLAT'].map(tariff);

function* generated(n: number, seed: number): Generator<ChangeInput> {
  // The generator's counter-based randomness: the same seed gives the same bills.
  let draws = 0;
  const random = () => uniform(seed, 0, draws++);
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  for (let k = 0; k < n; k++) {
    const t = TARIFFS[k % TARIFFS.length]!;
    const business = t.id === 'IND-2P' || t.id === 'COM-TOU';
    const period = addPeriods('2024-01', int(1, 23));
    const bill = (p: string, kwh: number): PricingInput => {
      const end = epochDay(`${addPeriods(p, 1)}-01`) - int(0, 5);
      const split = [t.id === 'RES-TOU' ? 0 : random(), random(), random(), random()];
      const sum = split.reduce((a, b) => a + b, 0);
      const parts = split.map((w) => Math.round((kwh * w) / sum));
      const tou = t.id.includes('TOU') || business;
      return {
        period: p, startDay: end - int(28, 33), endDay: end, customerClass: business ? 'industrial' : 'residential', householdSize: 3,
        contractKva: business ? 630 : null, pfStandard: t.id === 'IND-2P' ? 0.9 : null,
        kwhMilli: tou ? parts.reduce((a, b) => a + b, 0) : kwh,
        touKwhMilli: tou ? { sharp: parts[0]!, peak: parts[1]!, flat: parts[2]!, valley: parts[3]! } : null,
        demandMilli: business ? int(100_000, 900_000) : null, touDemandMilli: null,
        kvarhMilli: business ? Math.round(kwh * 0.4) : null, ytdKwhMilli: 0, ytdAmountMinor: 0,
      };
    };
    const scale = business ? 60_000_000 : 600_000;
    const previous = bill(addPeriods(period, -1), int(scale / 4, scale));
    const current = bill(period, int(scale / 4, scale));
    const flags = random() < 0.9 ? 0 : [READ_FLAGS.estimatedClose, READ_FLAGS.estimatedOpen, READ_FLAGS.meterExchange][int(0, 2)]!;
    yield {
      against: 'last_month',
      previous: { input: previous, amountMinor: priceBill(t, previous).totalMinor, readFlags: 0, tariff: t },
      current: { input: current, amountMinor: priceBill(t, current).totalMinor, readFlags: flags, tariff: t },
      firstRead: random() < 0.01 ? { input: { ...current, kwhMilli: current.kwhMilli * 10 }, readFlags: 0 } : null,
      peerRatio: 0.8 + random() * 0.5,
      estimatesBefore: flags === READ_FLAGS.estimatedOpen ? { bills: 2, kwhMilli: int(0, scale * 2), days: 61 } : null,
      meterExchangeDate: flags === READ_FLAGS.meterExchange ? `${period}-10` : null,
    };
  }
}

async function synthetic(bills: number) {
  const out = join(tmpdir(), `billrun-explain-bench-${process.pid}.jsonl`);
  const bill = { accountId: 'A0000001', customerClass: 'residential' as const, region: 'R01', currency: 'CNY' };
  // Pricing the generated pairs is setup, not explaining: make them first.
  const changes = [...generated(bills, 1)];
  const cpu = process.cpuUsage();
  const started = performance.now();
  const explanations = function* (): Generator<Explanation> {
    for (const change of changes) yield explainChange(bill, change, true);
  };
  const written = await writeExplanations(out, explanations(), 'jsonl');
  const seconds = (performance.now() - started) / 1000;
  // On a shared machine the wall clock counts other processes' turns; CPU time does not.
  const { user, system } = process.cpuUsage(cpu);
  const cpuSeconds = (user + system) / 1e6;
  const bytes = statSync(out).size;
  rmSync(out);
  return {
    bills: written, seconds, perSecond: Math.round(written / seconds), cpuSeconds, perCpuSecond: Math.round(written / cpuSeconds),
    bytesPerBill: Math.round(bytes / written),
  };
}

async function endToEnd(db: string, period: string) {
  const store = await openStore(db, { readOnly: true });
  const out = join(tmpdir(), `billrun-explain-bench-${process.pid}-store.jsonl`);
  try {
    const cpu = process.cpuUsage();
    const started = performance.now();
    const result = await explainPeriod(store, period);
    // Reading the store and explaining interleave, one range of accounts at a time.
    const written = await writeExplanations(out, result.explanations, 'jsonl');
    const seconds = (performance.now() - started) / 1000;
    const { user, system } = process.cpuUsage(cpu);
    rmSync(out);
    return {
      period, bills: result.bills, comparable: result.comparable, explained: written,
      sharePercent: Math.round((written / result.bills) * 1000) / 10,
      seconds, perSecond: Math.round(result.bills / seconds), cpuSeconds: (user + system) / 1e6,
      // The process's peak resident memory (KiB on Linux): the bound the ranged reads keep.
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    };
  } finally {
    store.close();
  }
}

const bills = Number(value('--bills') ?? 100_000);
const db = value('--db');
const period = value('--period');
const result: Record<string, unknown> = { node: process.version };
// The store first: its peak memory is then the period's, not the synthetic pairs'.
if (db && period) result.store = await endToEnd(db, period);
if (bills > 0) result.synthetic = await synthetic(bills);
console.log(JSON.stringify(result));
