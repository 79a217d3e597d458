// Smart meters that send only interval data (issue 16): a share of the residential accounts gets
// an hourly interval meter without register reads, so bills of generated data include accounts
// billed from their intervals alone (src/billing/reads.sql interval_series). They join the
// interval accounts of intervals.ts (hourly kWh from NREL's residential load shape) and, like
// them, carry no anomaly; their intervals cover every day of every read month.
import { RESIDENTIAL } from './catalog.js';
import { Stream, uniform } from './random.js';

/**
 * The interval accounts (ascending, so the interval file stays sorted by meter within an hour)
 * with the residential interval-only ones added, and which accounts have no register.
 */
export function withIntervalOnlyMeters(
  seed: number, customerClass: Uint8Array, intervalAccounts: Int32Array, share: number,
): { intervalAccounts: Int32Array; intervalOnly: Uint8Array } {
  const intervalOnly = new Uint8Array(customerClass.length);
  if (share <= 0) return { intervalAccounts, intervalOnly };
  customerClass.forEach((c, a) => {
    if (c === RESIDENTIAL && uniform(seed, Stream.intervalOnly, a) < share) intervalOnly[a] = 1;
  });
  const chosen = new Set(intervalAccounts);
  intervalOnly.forEach((only, a) => {
    if (only) chosen.add(a);
  });
  return { intervalAccounts: Int32Array.from([...chosen].sort((x, y) => x - y)), intervalOnly };
}
