// How an account's peers (its class and region) moved in a period, for `review show` and the
// desk's account page. The medians take a pass over every bill of three periods (0.4–1.5 s at a
// million bills) and are the same for every account of a group, so a long-lived process (the
// desk) keeps each period's answer for every group while the rows it reads stay as they were.
import { addPeriods, periodKey } from '../calendar/index.js';
import { sqlStatements, type Store } from '../store/index.js';

const SQL = sqlStatements(import.meta.url, 'review.sql');

export interface PeerGroupChange {
  /** Current bills of the group with kWh this period. */
  peers: number;
  /** Median ratio of kWh/day to last month / the same month last year; null without such peers. */
  mom: number | null;
  yoy: number | null;
}

/** Where an account review gets its peer group's change from; undefined: the group has no bills. */
export type PeerSource = (store: Store, period: string, customerClass: string, region: string) => Promise<PeerGroupChange | undefined>;

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const groupKey = (customerClass: string, region: string): string => `${customerClass}\u0000${region}`;
const periodParams = (period: string) => ({
  period: periodKey(period), prev: periodKey(addPeriods(period, -1)), yoy: periodKey(addPeriods(period, -12)),
});

async function peerChanges(store: Store, period: string, group: { customerClass: string; region: string } | null): Promise<Map<string, PeerGroupChange>> {
  const rows = await store.rows(SQL['peer-changes']!, {
    ...periodParams(period), customer_class: group?.customerClass ?? null, region: group?.region ?? null,
  });
  return new Map(rows.map((r) => [groupKey(String(r.customer_class), String(r.region)),
    { peers: Number(r.peers), mom: num(r.peer_mom), yoy: num(r.peer_yoy) }]));
}

/** The one group's change, computed from the store (a one-off look, as `review show` takes). */
export const groupPeerChange: PeerSource = async (store, period, customerClass, region) =>
  (await peerChanges(store, period, { customerClass, region })).get(groupKey(customerClass, region));

/**
 * Peer changes kept between calls: every group of a period is computed at once and kept until
 * what it was computed from changes (a run of the period, the month or the year before; a
 * correction in them; an account load) — a look at those small tables per call instead of the
 * pass over the bills. Concurrent callers of a period share one computation.
 */
export function cachedPeerChanges(): { source: PeerSource; warm(store: Store, period: string): Promise<void> } {
  const kept = new Map<string, { inputs: string; changes: Promise<Map<string, PeerGroupChange>> }>();
  const current = async (store: Store, period: string): Promise<Map<string, PeerGroupChange>> => {
    // The inputs are read before the medians: a change committed in between makes the kept answer
    // look older than it is (computed again next time), never newer.
    const inputs = String((await store.rows(SQL['peer-inputs']!, periodParams(period)))[0]!.inputs);
    let entry = kept.get(period);
    if (!entry || entry.inputs !== inputs) {
      const changes = peerChanges(store, period, null);
      entry = { inputs, changes };
      kept.set(period, entry);
      changes.catch(() => {
        if (kept.get(period)?.changes === changes) kept.delete(period);
      });
    }
    return entry.changes;
  };
  return {
    source: async (store, period, customerClass, region) => (await current(store, period)).get(groupKey(customerClass, region)),
    /** Brings the period's answer up to date now, so that the next reader does not wait for it. */
    warm: async (store, period) => {
      await current(store, period);
    },
  };
}
