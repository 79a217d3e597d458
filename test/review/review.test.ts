import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELD_STATUSES } from '../../schemas/bill.js';
import { READ_FLAGS } from '../../schemas/review.js';
import { parseBillingPeriod } from '../../src/calendar/index.js';
import { EXIT, FatalError } from '../../src/diagnostics/index.js';
import { parseCsv } from '../../src/text/csv.js';
import {
  applyDecision, billVersion, decide, openSession, periodRegisters, planDecision, repriceBill, type DecisionRequest, type PlannedDecision,
} from '../../src/review/decide.js';
import { inTransaction, openStore, type Store } from '../../src/store/index.js';
import { runCli, tempDir } from '../helpers.js';
import { FORMULA_NAME, PERIOD, reviewFixture, SCRIPT_NAME, storeCopy, type ListRow, type ReviewFixture } from './fixture.js';

const NOW = new Date('2026-01-15T09:00:00Z');
const PERIOD_KEY = 202502;

let fx: ReviewFixture;
beforeAll(async () => {
  fx = await reviewFixture();
});
afterAll(() => fx.billed.remove());

async function cli(db: string, ...args: string[]) {
  return runCli(args, db);
}

async function json<T = Record<string, unknown>>(db: string, ...args: string[]): Promise<T> {
  const result = await runCli(args, db);
  expect(result.code, result.err).toBe(0);
  return JSON.parse(result.out) as T;
}

async function withStore<T>(db: string, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(db);
  try {
    return await work(store);
  } finally {
    store.close();
  }
}

/** Everything a decision could change; equal fingerprints mean nothing changed. */
function fingerprint(db: string): Promise<Record<string, unknown>> {
  return withStore(db, async (store) => (await store.rows(`SELECT
    (SELECT count(*) FROM bills) AS bills,
    (SELECT bit_xor(hash(account_key, period, bill_version, status, is_current, amount_minor)) FROM bills)::VARCHAR AS bill_states,
    (SELECT count(*) FROM line_items) AS line_items,
    (SELECT count(*) FROM readings) AS readings,
    (SELECT count(*) FROM review_decisions) AS decisions,
    (SELECT count(*) FROM charges) AS charges`))[0]!);
}

function trail(db: string, accountId: string): Promise<Record<string, unknown>[]> {
  return withStore(db, (store) => store.rows(`SELECT d.action, d.from_status::VARCHAR AS from_status, d.to_status::VARCHAR AS to_status,
      d.bill_version, d.new_bill_version, d.reviewer, d.note, d.source, d.amount_before_minor::DOUBLE AS amount_before,
      d.amount_after_minor::DOUBLE AS amount_after
    FROM review_decisions d JOIN accounts a USING (account_key) WHERE a.account_id = $id ORDER BY d.decision_id`, { id: accountId }));
}

/** The statements contract: current bills of the period whose status is not held are sendable. */
function sendable(db: string): Promise<Map<string, { version: number; status: string }>> {
  return withStore(db, async (store) => new Map((await store.rows(`SELECT a.account_id, b.bill_version, b.status::VARCHAR AS status
    FROM bills b JOIN accounts a USING (account_key)
    WHERE b.period = ${PERIOD_KEY} AND b.is_current AND b.status::VARCHAR NOT IN (${HELD_STATUSES.map((s) => `'${s}'`).join(', ')})`))
    .map((r) => [String(r.account_id), { version: Number(r.bill_version), status: String(r.status) }])));
}

interface ShowJson {
  account: { registerDigits: number };
  bill: { billVersion: number; status: string; amountMinor: number; kwhMilli: number; days: number; readFlags: number };
  rebill: { billVersion: number; status: string; amountMinor: number; kwhMilli: number; days: number; readFlags: number } | null;
  history: { period: string; kwhPerDay: number | null; reviewed: boolean }[];
  determinants: { meterId: string; register: string; openValue: number; closeValue: number; closeAt: string }[];
  reads: { register: string; valueMilli: number; readType: string; source: string }[];
  lineItems: { amountMinor: number }[];
  rebillLineItems: { amountMinor: number }[];
  flags: { ruleId: string; reason: string }[];
  peers: { peers: number; mom: number | null };
  decisions: { action: string; fromStatus: string; toStatus: string; reviewer: string }[];
}

const sum = (xs: { amountMinor: number }[]) => xs.reduce((s, x) => s + x.amountMinor, 0);

describe('review list', () => {
  it('ranks the held bills by score with account_id first, and filters them', async () => {
    const db = fx.billed.db;
    const all = await json<ListRow[]>(db, 'review', 'list', '--period', PERIOD, '--format', 'json');
    expect(all.map((r) => r.account_id)).toEqual(fx.held);
    expect(Object.keys(all[0]!)[0]).toBe('account_id');
    expect(all.every((r, i) => r.status === 'held' && (i === 0 || all[i - 1]!.score >= r.score))).toBe(true);

    const rule = all[0]!.rules[0]!;
    const byRule = await json<ListRow[]>(db, 'review', 'list', '--period', PERIOD, '--rule', rule, '--format', 'json');
    expect(byRule.map((r) => r.account_id)).toEqual(all.filter((r) => r.rules.includes(rule)).map((r) => r.account_id));
    const region = all[0]!.region;
    const byRegion = await json<ListRow[]>(db, 'review', 'list', '--period', PERIOD, '--region', region, '--class', all[0]!.customer_class, '--format', 'json');
    expect(byRegion.map((r) => r.account_id)).toEqual(all.filter((r) => r.region === region && r.customer_class === all[0]!.customer_class).map((r) => r.account_id));
    const minScore = all[4]!.score;
    const top = await json<ListRow[]>(db, 'review', 'list', '--period', PERIOD, '--min-score', String(minScore), '--limit', '3', '--format', 'json');
    expect(top.map((r) => r.account_id)).toEqual(all.slice(0, 3).map((r) => r.account_id));
    expect(await json<ListRow[]>(db, 'review', 'list', '--period', PERIOD, '--status', 'decided', '--format', 'json')).toEqual([]);
  });

  it('prints a table that fits a terminal and CSV with formula cells neutralised', async () => {
    const table = await cli(fx.billed.db, 'review', 'list', '--period', PERIOD);
    expect(table.code, table.err).toBe(0);
    const lines = table.out.trimEnd().split('\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(120);
    expect(lines[2]!.startsWith(fx.held[0]!)).toBe(true);

    const csv = await cli(fx.billed.db, 'review', 'list', '--period', PERIOD, '--format', 'csv');
    const records = parseCsv(csv.out);
    const nameAt = records[0]!.cells.indexOf('name');
    const formulaRow = records.find((r) => r.cells[0] === fx.formulaAccount)!;
    expect(formulaRow.cells[nameAt]).toBe(`'${FORMULA_NAME}`);
    expect(records.length - 1).toBe(fx.held.length);
  });

  it('refuses an unknown period, status or class', async () => {
    const cases: [string[], RegExp][] = [
      [['--period', '2031-01'], /2031-01 has not been billed/],
      [['--period', '2025-13'], /--period must be YYYY-MM/],
      [['--period', PERIOD, '--status', 'pending'], /unknown status 'pending'/],
      [['--period', PERIOD, '--class', 'domestic'], /unknown customer class 'domestic'/],
    ];
    for (const [args, message] of cases) {
      const result = await cli(fx.billed.db, 'review', 'list', ...args);
      expect(result.code).toBe(EXIT.usage);
      expect(result.err).toMatch(message);
    }
  });
});

describe('review show', () => {
  it('shows history, reads, determinants, line items, reasons, peers and decisions', async () => {
    const account = fx.held[0]!;
    const shown = await json<ShowJson>(fx.billed.db, 'review', 'show', account, '--period', PERIOD, '--json');
    expect(shown.history).toHaveLength(16);
    expect(shown.history.at(-1)).toMatchObject({ period: PERIOD, reviewed: true });
    expect(shown.history.filter((h) => h.kwhPerDay !== null).length).toBeGreaterThanOrEqual(13);
    expect(shown.bill.status).toBe('held');
    expect(shown.flags.length).toBeGreaterThan(0);
    expect(shown.flags.every((f) => f.reason.length > 0)).toBe(true);
    expect(sum(shown.lineItems)).toBe(shown.bill.amountMinor);
    expect(shown.determinants.length).toBeGreaterThan(0);
    expect(shown.reads.length).toBeGreaterThanOrEqual(shown.determinants.length);
    expect(shown.peers.peers).toBeGreaterThan(0);
    expect(shown.decisions).toEqual([]);

    const text = await cli(fx.billed.db, 'review', 'show', account, '--period', PERIOD);
    expect(text.code, text.err).toBe(0);
    for (const heading of ['Why it was flagged', 'Peers (', 'kWh per day, 2023-11 to 2025-02', 'Reads and determinants', 'Line items (version 1)', 'Decisions on this account']) {
      expect(text.out).toContain(heading);
    }
    expect(text.out).toContain('2025-02 ');
    expect(text.out).toContain('◀');
  });

  it('says which of account and period is unknown', async () => {
    const unknown = await cli(fx.billed.db, 'review', 'show', 'NOBODY', '--period', PERIOD);
    expect([unknown.code, unknown.err]).toEqual([EXIT.usage, "billrun: unknown account 'NOBODY'\n"]);
    const unbilled = await cli(fx.billed.db, 'review', 'show', fx.held[0]!, '--period', '2030-01');
    expect([unbilled.code, unbilled.err]).toEqual([EXIT.usage, 'billrun: 2030-01 has not been billed\n']);
  });
});

describe('re-pricing from reads', () => {
  it('reproduces every stored bill of the period and its line items exactly from unchanged reads', async () => {
    const mismatches = await withStore(fx.billed.db, async (store) => {
      const session = await openSession(store);
      const bills = await store.rows(`SELECT a.account_key, a.account_id, a.customer_class::VARCHAR AS customer_class, a.tariff_id, a.household_size,
          a.contract_kva::DOUBLE AS contract_kva, a.pf_standard::DOUBLE AS pf_standard
        FROM bills b JOIN accounts a USING (account_key) WHERE b.period = ${PERIOD_KEY} AND b.is_current ORDER BY a.account_id`);
      const found: string[] = [];
      let lineItems = 0;
      for (const account of bills) {
        const version = (await store.rows(`SELECT b.*, b.status::VARCHAR AS status, b.start_date::VARCHAR AS start_date, b.end_date::VARCHAR AS end_date,
            b.kwh_milli::DOUBLE AS kwh_milli, b.amount_minor::DOUBLE AS amount_minor, c.currency, c.tariff_id, c.versions AS tariff_versions
          FROM bills b JOIN bill_contexts c USING (context_key) WHERE b.account_key = $k AND b.period = ${PERIOD_KEY} AND b.is_current`,
        { k: Number(account.account_key) })).map(billVersion)[0]!;
        const registers = await periodRegisters(session.connection, Number(account.account_key), parseBillingPeriod(PERIOD)!);
        const again = await repriceBill(session, account, version, parseBillingPeriod(PERIOD)!, registers);
        if (typeof again === 'string') {
          found.push(`${account.account_id}: ${again}`);
          continue;
        }
        const derivedBits = READ_FLAGS.estimatedClose | READ_FLAGS.estimatedOpen | READ_FLAGS.customerRead | READ_FLAGS.rollover |
          READ_FLAGS.negativeAdvance | READ_FLAGS.sentinel;
        const stored = { amount: version.amountMinor, kwh: version.kwhMilli, tou: version.touKwhMilli, demand: version.demandMilli, kvarh: version.kvarhMilli, flags: version.readFlags & derivedBits };
        const derived = { amount: again.priced.totalMinor, kwh: again.kwhMilli, tou: again.touKwhMilli, demand: again.demandMilli, kvarh: again.kvarhMilli, flags: again.readFlags & derivedBits };
        if (JSON.stringify(stored) !== JSON.stringify(derived)) found.push(`${account.account_id}: stored ${JSON.stringify(stored)} ≠ ${JSON.stringify(derived)}`);
        // Line by line: the charge, its quantity, rate and amount, in the run's order.
        const storedItems = (await store.rows(`SELECT c.component, c.label, c.unit, c.rate, c.tariff_version, l.quantity_milli::DOUBLE AS quantity_milli,
            l.amount_minor::DOUBLE AS amount_minor
          FROM line_items l JOIN charges c USING (charge_key)
          WHERE l.account_key = $k AND l.period = ${PERIOD_KEY} AND l.bill_version = $v ORDER BY l.seq`,
        { k: Number(account.account_key), v: version.billVersion })).map((r) => Object.values(r).map(String).join(' | '));
        const repricedItems = again.priced.lineItems.map((i) =>
          [i.component, i.label, i.unit, i.rate, i.tariffVersion, i.quantityMilli, i.amountMinor].map(String).join(' | '));
        if (JSON.stringify(storedItems) !== JSON.stringify(repricedItems)) {
          found.push(`${account.account_id}: line items ${JSON.stringify(storedItems)} ≠ ${JSON.stringify(repricedItems)}`);
        }
        lineItems += storedItems.length;
      }
      session.connection.closeSync();
      expect(bills.length).toBeGreaterThan(300);
      expect(lineItems).toBeGreaterThan(bills.length);
      return found;
    });
    expect(mismatches.slice(0, 5)).toEqual([]);
  });
});

describe('review decide', () => {
  it('releases and dismisses a held bill, which then becomes sendable, and records who, when and why', async () => {
    const db = storeCopy(fx);
    const [a, b] = [fx.held[1]!, fx.held[5]!];
    expect((await sendable(db)).has(a)).toBe(false);
    const released = await cli(db, 'review', 'decide', a, '--period', PERIOD, '--action', 'release', '--reviewer', 'ana', '--note', 'confirmed with the customer');
    expect(released.code, released.err).toBe(0);
    expect(released.out).toBe(`${a} ${PERIOD}: held → released by ana (decision 1)\n`);
    await cli(db, 'review', 'decide', b, '--period', PERIOD, '--action', 'dismiss', '--reviewer', 'ben', '--note', 'heat wave');
    const after = await sendable(db);
    expect(after.get(a)).toEqual({ version: 1, status: 'released' });
    expect(after.get(b)).toEqual({ version: 1, status: 'dismissed' });
    expect(await trail(db, a)).toMatchObject([{ action: 'release', from_status: 'held', to_status: 'released', bill_version: 1, new_bill_version: null, reviewer: 'ana', note: 'confirmed with the customer', source: 'cli' }]);
    const decided = await withStore(db, (store) => store.rows(`SELECT strftime(decided_at, '%Y-%m-%dT%H:%M:%S') AS at FROM review_decisions ORDER BY decision_id`));
    expect(decided).toEqual([{ at: '2026-01-15T09:00:00' }, { at: '2026-01-15T09:00:00' }]);
  });

  it('keeps an escalated bill unsendable, and takes hold and release after it', async () => {
    const db = storeCopy(fx);
    const account = fx.held[6]!;
    const step = (action: string) => cli(db, 'review', 'decide', account, '--period', PERIOD, '--action', action, '--reviewer', 'cy', '--note', `${action} it`);
    expect((await step('escalate')).code).toBe(0);
    expect((await sendable(db)).has(account)).toBe(false);
    const again = await step('escalate');
    expect(again.code).toBe(EXIT.refused);
    expect(again.err).toMatch(/cannot escalate a bill that is escalated \(escalate by cy at /);
    expect((await step('hold')).code).toBe(0);
    expect((await sendable(db)).has(account)).toBe(false);
    expect((await step('release')).code).toBe(0);
    expect((await sendable(db)).get(account)).toEqual({ version: 1, status: 'released' });
    expect((await trail(db, account)).map((t) => `${t.from_status}→${t.to_status}`)).toEqual(['held→escalated', 'escalated→held', 'held→released']);
  });

  it('corrects with a read: the old version is kept as corrected, the re-bill is current, and a re-run of the period agrees', async () => {
    const db = storeCopy(fx);
    // A held bill whose opening read is sound (a sentinel opening needs the previous period corrected first).
    let account = '';
    let before: ShowJson | undefined;
    for (const candidate of fx.held) {
      before = await json<ShowJson>(db, 'review', 'show', candidate, '--period', PERIOD, '--json');
      const capacity = 10 ** before.account.registerDigits * 1000;
      if (before.determinants.every((d) => d.openValue + 123_456 < capacity)) {
        account = candidate;
        break;
      }
    }
    expect(account).not.toBe('');
    const close = before!.determinants.filter((d) => d.register === before!.determinants[0]!.register).at(-1)!;
    const value = (close.openValue + 123_456) / 1000;
    const decided = await cli(db, 'review', 'decide', account, '--period', PERIOD, '--action', 'correct', '--reviewer', 'dee',
      '--note', 'photo of the meter', '--read', `${close.register}=${value}`);
    expect(decided.code, decided.err).toBe(0);
    expect(decided.out).toContain(`re-billed as version 2 from the corrected ${close.register} reading`);

    const after = await json<ShowJson>(db, 'review', 'show', account, '--period', PERIOD, '--json');
    expect(after.bill).toMatchObject({ billVersion: 1, status: 'corrected' });
    expect(after.rebill).toMatchObject({ billVersion: 2, status: 'ready' });
    expect(sum(after.rebillLineItems)).toBe(after.rebill!.amountMinor);
    expect(after.reads.filter((r) => r.source === 'review decision 1')).toMatchObject([{ register: close.register, valueMilli: close.openValue + 123_456, readType: 'actual' }]);
    expect(after.decisions).toMatchObject([{ action: 'correct', fromStatus: 'held', toStatus: 'corrected', reviewer: 'dee' }]);
    expect((await sendable(db)).get(account)).toEqual({ version: 2, status: 'ready' });
    expect(await trail(db, account)).toMatchObject([{ bill_version: 1, new_bill_version: 2, amount_before: before!.bill.amountMinor, amount_after: after.rebill!.amountMinor }]);

    // The correction changed the reads, not the bill: billing the period again derives the same bill.
    const rerun = await cli(db, 'bill', '--period', PERIOD, '--rebill', '--out', tempDir());
    expect([0, EXIT.dataErrors]).toContain(rerun.code);
    const rebilled = await json<ShowJson>(db, 'review', 'show', account, '--period', PERIOD, '--json');
    const current = rebilled.rebill ?? rebilled.bill;
    expect([current.billVersion, current.amountMinor, current.kwhMilli]).toEqual([3, after.rebill!.amountMinor, after.rebill!.kwhMilli]);
  });

  it('corrects without a read by estimating from the account\'s own history', async () => {
    const db = storeCopy(fx);
    const account = fx.held[2]!;
    const decided = await cli(db, 'review', 'decide', account, '--period', PERIOD, '--action', 'correct', '--reviewer', 'eve', '--note', 'no access: estimate');
    expect(decided.code, decided.err).toBe(0);
    expect(decided.out).toContain('from an estimate from the account\'s baseline');
    const shown = await json<ShowJson>(db, 'review', 'show', account, '--period', PERIOD, '--json');
    const rebill = shown.rebill!;
    expect(rebill.readFlags & READ_FLAGS.estimatedClose).toBeTruthy();
    expect(shown.reads.filter((r) => r.source === 'review decision 1').every((r) => r.readType === 'estimated')).toBe(true);
    const past = shown.history.slice(3, 15).flatMap((h) => (h.kwhPerDay === null ? [] : [h.kwhPerDay]));
    const kwhPerDay = rebill.kwhMilli / rebill.days / 1000;
    expect(kwhPerDay).toBeGreaterThanOrEqual(Math.min(...past) * 0.99);
    expect(kwhPerDay).toBeLessThanOrEqual(Math.max(...past) * 1.01);
  });

  it('refuses bad decisions with a clear message and changes nothing', async () => {
    const db = storeCopy(fx);
    const held = fx.held[0]!;
    const shown = await json<ShowJson>(db, 'review', 'show', held, '--period', PERIOD, '--json');
    const first = shown.determinants[0]!;
    const notHeld = (await sendable(db)).keys().next().value as string;
    const before = await fingerprint(db);
    const cases: [string[], number, RegExp][] = [
      [[notHeld, '--action', 'release'], EXIT.refused, /the bill is not held \(it is ready\)/],
      [['NOBODY', '--action', 'release'], EXIT.usage, /unknown account 'NOBODY'/],
      [[held, '--action', 'correct', '--read', `${first.register}=${(first.openValue - 1000) / 1000}`], EXIT.usage, /is lower than the opening reading/],
      [[held, '--action', 'release', '--read', `${first.register}=1`], EXIT.usage, /corrected reads only go with the action correct/],
      [[held, '--action', 'correct', '--read', 'total=abc'], EXIT.usage, /--read the total reading 'abc' must be a non-negative number/],
      [[held, '--action', 'approve'], EXIT.usage, /argument 'approve' is invalid/],
    ];
    for (const [args, code, message] of cases) {
      const result = await cli(db, 'review', 'decide', args[0]!, '--period', PERIOD, '--reviewer', 'fay', '--note', 'n', ...args.slice(1));
      expect(result.code, result.err).toBe(code);
      expect(result.err).toMatch(message);
    }
    const wrongPeriod = await cli(db, 'review', 'decide', held, '--period', '2030-01', '--action', 'release', '--reviewer', 'fay', '--note', 'n');
    expect([wrongPeriod.code, wrongPeriod.err]).toEqual([EXIT.usage, `billrun: ${held} 2030-01: 2030-01 has not been billed\n`]);
    expect(await fingerprint(db)).toEqual(before);

    // A re-run of the period that has not finished will replace its bills: no decisions meanwhile.
    await withStore(db, (store) => store.run(`INSERT INTO runs SELECT run_id + 100, period, bill_version + 1, 'running', batch_size, batch_count,
      accounts_in, started_at, NULL, options, NULL FROM runs WHERE period = ${PERIOD_KEY}`));
    const during = await cli(db, 'review', 'decide', held, '--period', PERIOD, '--action', 'release', '--reviewer', 'fay', '--note', 'n');
    expect(during.code).toBe(EXIT.refused);
    expect(during.err).toMatch(/a bill run of 2025-02 \(run \d+\) has not finished: finish it before deciding/);
  });

  describe('two reviewers at once', () => {
    const request = (action: 'release' | 'dismiss', reviewer: string): DecisionRequest => ({
      accountId: fx.held[1]!, period: PERIOD, action, reviewer, note: `${reviewer} decides`, reads: [], source: 'cli',
    });

    async function twoPlans(store: Store) {
      const sessions = [await openSession(store), await openSession(store)];
      const plans: PlannedDecision[] = [];
      for (const [i, session] of sessions.entries()) {
        const plan = await planDecision(session, request(i === 0 ? 'release' : 'dismiss', i === 0 ? 'gus' : 'hal'));
        if ('field' in plan) throw new Error(plan.message);
        plans.push(plan);
      }
      return { sessions, plans };
    }

    it('the later one finds the bill decided and changes nothing', async () => {
      const db = storeCopy(fx);
      await withStore(db, async (store) => {
        const { sessions: [s1, s2], plans: [p1, p2] } = await twoPlans(store);
        await inTransaction(s1!.connection, () => applyDecision(s1!.connection, p1!, NOW));
        await expect(inTransaction(s2!.connection, () => applyDecision(s2!.connection, p2!, NOW))).rejects.toThrow(/another decision on this bill was taken at the same time/);
        s1!.connection.closeSync();
        s2!.connection.closeSync();
      });
      expect((await trail(db, fx.held[1]!)).map((t) => t.reviewer)).toEqual(['gus']);
    });

    it('overlapping transactions: the second writer gets a conflict, not a second decision', async () => {
      const db = storeCopy(fx);
      await withStore(db, async (store) => {
        const { sessions: [s1, s2], plans: [p1, p2] } = await twoPlans(store);
        await s1!.connection.run('BEGIN TRANSACTION');
        await s2!.connection.run('BEGIN TRANSACTION');
        await applyDecision(s1!.connection, p1!, NOW);
        const second = applyDecision(s2!.connection, p2!, NOW);
        await expect(second).rejects.toThrow(FatalError);
        await expect(second).rejects.toThrow(/nothing was changed/);
        await s1!.connection.run('COMMIT');
        await s2!.connection.run('ROLLBACK').catch(() => undefined);
        s1!.connection.closeSync();
        s2!.connection.closeSync();
      });
      expect((await trail(db, fx.held[1]!)).map((t) => t.reviewer)).toEqual(['gus']);
    });

    it('two concurrent calls: one wins, the other gets a clear refusal, the trail shows one decision', async () => {
      const db = storeCopy(fx);
      const outcomes = await withStore(db, (store) => Promise.allSettled([decide(store, request('release', 'gus'), NOW), decide(store, request('dismiss', 'hal'), NOW)]));
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const lost = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
      expect(lost.reason).toBeInstanceOf(FatalError);
      expect((lost.reason as FatalError).exitCode).toBe(EXIT.refused);
      expect((lost.reason as FatalError).message).toMatch(/another decision on this bill was taken at the same time|is not held/);
      expect(await trail(db, fx.held[1]!)).toHaveLength(1);
    });
  });

  it('takes a period\'s whole queue from list to decided with the CLI alone', async () => {
    const db = storeCopy(fx);
    const queue = await json<ListRow[]>(db, 'review', 'list', '--period', PERIOD, '--format', 'json');
    const actions = ['correct', 'release', 'dismiss', 'escalate'];
    for (const [i, item] of queue.entries()) {
      const action = actions[i % actions.length]!;
      const result = await cli(db, 'review', 'decide', item.account_id, '--period', PERIOD, '--action', action, '--reviewer', 'ivy', '--note', action);
      expect(result.code, `${item.account_id} ${action}: ${result.err}`).toBe(0);
    }
    const escalated = await json<ListRow[]>(db, 'review', 'list', '--period', PERIOD, '--format', 'json');
    expect(escalated.every((r) => r.status === 'escalated')).toBe(true);
    for (const item of escalated) {
      expect((await cli(db, 'review', 'decide', item.account_id, '--period', PERIOD, '--action', 'release', '--reviewer', 'ivy', '--note', 'field check ok')).code).toBe(0);
    }
    expect(await json(db, 'review', 'list', '--period', PERIOD, '--format', 'json')).toEqual([]);
    const held = await withStore(db, (store) => store.rows(`SELECT count(*)::INTEGER AS n FROM bills WHERE period = ${PERIOD_KEY} AND is_current AND status IN ('held', 'escalated')`));
    expect(held).toEqual([{ n: 0 }]);
    const decided = await json<ListRow[]>(db, 'review', 'list', '--period', PERIOD, '--status', 'decided', '--format', 'json');
    expect(decided.map((r) => r.account_id).sort()).toEqual([...fx.held].sort());
  });
});

describe('review import and export', () => {
  function decisionsFile(rows: string[]): string {
    const file = join(tempDir(), 'decisions.csv');
    writeFileSync(file, ['account_id,period,action,reviewer,note,reads', ...rows].join('\n') + '\n');
    return file;
  }

  it('exports the queue with formula cells neutralised, and imports it back once filled in', async () => {
    const db = storeCopy(fx);
    const out = join(tempDir(), 'queue.csv');
    const exported = await cli(db, 'review', 'export', '--period', PERIOD, '--out', out, '--status', 'open');
    expect(exported.code, exported.err).toBe(0);
    const text = readFileSync(out, 'utf8');
    const records = parseCsv(text);
    const header = records[0]!.cells;
    expect(header.slice(0, 3)).toEqual(['account_id', 'period', 'status']);
    const name = (account: string) => records.find((r) => r.cells[0] === account)!.cells[header.indexOf('name')]!;
    expect(name(fx.formulaAccount)).toBe(`'${FORMULA_NAME}`);
    expect(name(fx.scriptAccount)).toBe(SCRIPT_NAME);
    for (const record of records) for (const cell of record.cells) expect(cell).not.toMatch(/^[=+@]/);

    // A reviewer fills in three rows and leaves the rest.
    const fill: Record<string, [string, string]> = { [fx.held[0]!]: ['release', 'ok'], [fx.held[1]!]: ['escalate', 'meter check'], [fx.held[2]!]: ['correct', 'estimate'] };
    const filled = records.map((r, i) => {
      if (i === 0 || !fill[r.cells[0]!]) return r.cells;
      const cells = [...r.cells];
      [cells[header.indexOf('action')], cells[header.indexOf('note')]] = fill[r.cells[0]!]!;
      cells[header.indexOf('reviewer')] = 'jo';
      return cells;
    });
    const back = join(tempDir(), 'filled.csv');
    writeFileSync(back, filled.map((cells) => cells.map((c) => (/[",\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c)).join(',')).join('\n'));
    const before = await fingerprint(db);
    const dry = await json<{ changes: { accountId: string; toStatus: string }[]; applied: boolean; skipped: number }>(db, 'review', 'import', back, '--dry-run', '--json');
    expect(dry.applied).toBe(false);
    expect(dry.changes.map((c) => `${c.accountId}:${c.toStatus}`).sort()).toEqual([`${fx.held[0]}:released`, `${fx.held[1]}:escalated`, `${fx.held[2]}:corrected`].sort());
    expect(dry.skipped).toBe(records.length - 4);
    expect(await fingerprint(db)).toEqual(before);

    const applied = await cli(db, 'review', 'import', back);
    expect(applied.code, applied.err).toBe(0);
    expect(applied.out).toContain('applied 3 decisions');
    const line = records.findIndex((r) => r.cells[0] === fx.held[1]) + 1;
    expect(await trail(db, fx.held[1]!)).toMatchObject([{ action: 'escalate', reviewer: 'jo', note: 'meter check', source: `${back}:${records[line - 1]!.line}` }]);
    expect((await sendable(db)).get(fx.held[2]!)).toEqual({ version: 2, status: 'ready' });
  });

  it('imports all rows or none, naming the file, line and column of every problem', async () => {
    const db = storeCopy(fx);
    const before = await fingerprint(db);
    const file = decisionsFile([
      `${fx.held[0]},${PERIOD},release,kim,ok,`,
      `${fx.held[1]},${PERIOD},aprove,kim,typo,`,
      `${fx.held[2]},${PERIOD},correct,kim,"read, from photo",total=1;flat=x`,
      `${fx.held[0]},${PERIOD},dismiss,kim,twice,`,
      `${fx.held[3]},2031-01,release,kim,later,`,
    ]);
    const result = await cli(db, 'review', 'import', file);
    expect(result.code).toBe(EXIT.usage);
    expect(result.err).toBe([
      'billrun: 4 problems, nothing was imported:',
      `  ${file}: line 3: column action: unknown action 'aprove' (use release, accept, correct, hold, dismiss, escalate)`,
      `  ${file}: line 4: column reads: the flat reading 'x' must be a non-negative number with at most 3 decimals`,
      `  ${file}: line 5: column account_id: ${fx.held[0]} ${PERIOD} is already decided on line 2 of this file`,
      `  ${file}: line 6: column period: 2031-01 has not been billed`,
    ].join('\n') + '\n');
    expect(await fingerprint(db)).toEqual(before);

    const missing = join(tempDir(), 'bad.csv');
    writeFileSync(missing, 'account_id,period,action\n');
    const header = await cli(db, 'review', 'import', missing);
    expect([header.code, header.err]).toEqual([EXIT.usage, `billrun: ${missing}: line 1: missing columns reviewer, note: decisions need account_id, period, action, reviewer, note (and reads for corrections)\n`]);
  });

  it('refuses the whole file when one bill is no longer held', async () => {
    const db = storeCopy(fx);
    expect((await cli(db, 'review', 'decide', fx.held[1]!, '--period', PERIOD, '--action', 'release', '--reviewer', 'lee', '--note', 'done')).code).toBe(0);
    const before = await fingerprint(db);
    const result = await cli(db, 'review', 'import', decisionsFile([`${fx.held[0]},${PERIOD},release,kim,ok,`, `${fx.held[1]},${PERIOD},dismiss,kim,late,`]));
    expect(result.code).toBe(EXIT.refused);
    expect(result.err).toContain(`line 3: column action: the bill is not held (it is released): only held or escalated bills take a review decision (release by lee at `);
    expect(await fingerprint(db)).toEqual(before);
  });
});

describe('review stats', () => {
  it('counts per rule, backlog and reviewers that add up, beside the naive rule computed independently', async () => {
    const db = storeCopy(fx);
    const plan: [string, string][] = [
      [fx.held[0]!, 'correct'], [fx.held[1]!, 'dismiss'], [fx.held[2]!, 'release'], [fx.held[3]!, 'escalate'], [fx.held[4]!, 'hold'], [fx.held[5]!, 'dismiss'],
    ];
    for (const [i, [account, action]] of plan.entries()) {
      const reviewer = i % 2 ? 'mo' : 'nia';
      expect((await cli(db, 'review', 'decide', account, '--period', PERIOD, '--action', action, '--reviewer', reviewer, '--note', action)).code).toBe(0);
    }
    type Counts = { flagged: number; notHeld: number; open: number; released: number; dismissed: number; corrected: number; escalated: number; decided: number; confirmed: number; hitRate: number | null };
    const stats = await json<{ rules: (Counts & { rule: string })[]; total: Counts; backlog: { bills: number; escalated: number }[]; reviewers: { reviewer: string; decisions: number; byAction: Record<string, number> }[]; naive: Record<string, number> }>(
      db, 'review', 'stats', '--period', PERIOD, '--json');
    for (const s of [...stats.rules, stats.total]) {
      expect(s.flagged).toBe(s.notHeld + s.open + s.released + s.dismissed + s.corrected + s.escalated);
      expect(s.decided).toBe(s.released + s.dismissed + s.corrected + s.escalated);
      expect(s.confirmed).toBe(s.corrected + s.escalated);
      expect(s.hitRate).toBe(s.decided ? s.confirmed / s.decided : null);
    }
    expect(stats.total).toMatchObject({ corrected: 1, escalated: 1, dismissed: 2, released: 1, open: fx.held.length - 5 });
    expect(stats.total.flagged - stats.total.notHeld).toBe(fx.held.length);
    const listed = await json<ListRow[]>(db, 'review', 'list', '--period', PERIOD, '--status', 'all', '--format', 'json');
    for (const rule of stats.rules) expect(rule.flagged).toBe(listed.filter((r) => r.rules.includes(rule.rule)).length);
    expect(stats.backlog.reduce((n, b) => n + b.bills, 0)).toBe(stats.total.open + stats.total.escalated);
    expect(stats.reviewers.map((r) => [r.reviewer, r.decisions])).toEqual([['mo', 3], ['nia', 3]]);
    expect(stats.reviewers.reduce((n, r) => n + Object.values(r.byAction).reduce((a, b) => a + b, 0), 0)).toBe(plan.length);

    // The naive rule, recomputed here from the bills themselves.
    const bills = await withStore(db, (store) => store.rows(`SELECT account_key, period, status::VARCHAR AS status, is_current,
        kwh_milli::DOUBLE AS kwh, days FROM bills WHERE period IN (${PERIOD_KEY}, 202501, 202402) AND days > 0 ORDER BY bill_version`));
    const kpd = (period: number) => new Map(bills.filter((b) => Number(b.period) === period && b.is_current).map((b) => [b.account_key, Number(b.kwh) / Number(b.days)]));
    const [prev, yoy] = [kpd(202501), kpd(202402)];
    const judged = new Map<unknown, number>();
    for (const b of bills.filter((x) => Number(x.period) === PERIOD_KEY && (x.is_current || x.status === 'corrected'))) {
      if (b.status === 'corrected' || !judged.has(b.account_key)) judged.set(b.account_key, Number(b.kwh) / Number(b.days));
    }
    const moved = (now: number, base: number | undefined) => base !== undefined && (base === 0 ? now !== 0 : Math.abs(now / base - 1) > 0.3);
    const naive = [...judged].filter(([k, v]) => moved(v, prev.get(k)) || moved(v, yoy.get(k))).length;
    expect(stats.naive).toMatchObject({ bills: judged.size, naiveFlagged: naive, rulesHeld: fx.held.length, confirmed: 2 });

    const text = await cli(db, 'review', 'stats', '--period', PERIOD);
    expect(text.out).toContain('Backlog by age (still held)');
    expect(text.out).toContain(`naive rule flags ${naive.toLocaleString('en-US')} of`);
  });
});
