// The desk's HTTP application: plugins (cookie, session, CSRF, form bodies, login throttling),
// one hook that signs users in and enforces roles per route, and the routes. Every request works
// on a connection of its own from a small pool, so requests, decisions and a bill run are
// concurrent transactions on one DuckDB instance.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySession from '@fastify/session';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { HELD_STATUSES } from '../../schemas/bill.js';
import { isPeriod, periodKey } from '../calendar/index.js';
import { EXIT, FatalError } from '../diagnostics/index.js';
import { explainBill } from '../explain/index.js';
import {
  accountPeriods, accountReview, billedPeriods, cachedPeerChanges, claimBill, claimHolder, currentStatus, decide, parseReadCorrection, parseStatuses, queueFacets,
  queuePage, refreshQueue, REVIEW_ACTIONS, reviewStats, unclaimBill, type DecisionRecord, type PageFilter, type ReadCorrection, type ReviewAction,
} from '../review/index.js';
import { sourceDir, sqlStatements, storeConnection, type Store } from '../store/index.js';
import {
  accountPageHtml, auditPage, errorPage, loginPage, lookupPage, queuePageHtml, runsPage, statsPage, type PageContext,
} from './pages.js';
import { createRunLane, parseRunRequest, type RunEvent } from './runs.js';
import { authenticate, type DeskRole, type DeskUser } from './users.js';

const SQL = sqlStatements(import.meta.url, 'desk.sql');

declare module 'fastify' {
  interface Session {
    user?: DeskUser;
    flash?: { kind: 'ok' | 'error'; text: string };
  }
  interface FastifyContextConfig {
    /** Who may use the route; absent: anyone signed in. */
    roles?: readonly DeskRole[];
    /** Served without signing in. */
    public?: boolean;
    /** Also open to the bearer token of the handoff file (the CLI on the desk's machine). */
    handoff?: boolean;
  }
}

export interface DeskOptions {
  store: Store;
  now: () => Date;
  softwareVersion: string;
  /** Bearer token with which `billrun bill` hands runs to the desk. */
  runToken: string;
  https?: { key: Buffer; cert: Buffer };
  /** Sign-in attempts per address and minute. */
  loginAttemptsPerMinute?: number;
  /** Rows of a queue page. */
  pageSize?: number;
}

const STAFF: readonly DeskRole[] = ['reviewer', 'supervisor'];
const SUPERVISORS: readonly DeskRole[] = ['supervisor'];
const ASSETS = { 'desk.css': 'text/css; charset=utf-8', 'desk.js': 'text/javascript; charset=utf-8' } as const;
// No inline script or style and nothing from elsewhere: injected markup could not run even if it got through.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'";

/** A few connections kept open; each request borrows one for its whole length. */
function connectionPool(store: Store) {
  const idle: Store[] = [];
  return {
    async use<T>(work: (connection: Store) => Promise<T>): Promise<T> {
      const connection = idle.pop() ?? (await storeConnection(store));
      try {
        return await work(connection);
      } finally {
        if (idle.length < 8) idle.push(connection);
        else connection.close();
      }
    },
    close() {
      for (const c of idle.splice(0)) c.close();
    },
  };
}

export class DeskError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function deskError(error: FatalError): DeskError {
  return new DeskError(error.exitCode === EXIT.refused ? 409 : error.exitCode === EXIT.busy ? 503 : 400, error.message);
}

export async function buildDesk(options: DeskOptions): Promise<FastifyInstance> {
  const { store, now } = options;
  const app = Fastify({ logger: false, https: options.https ?? null, bodyLimit: 64 * 1024 });
  const pool = connectionPool(store);
  const runs = createRunLane(store);
  // Peer medians take a pass over a period's bills: the desk keeps them, and brings them (and the
  // queue's rows, review.refreshQueue) up to date in the background after what changes them (a
  // run, a correction), so that pages do not wait.
  const peers = cachedPeerChanges();
  const background = new Set<Promise<void>>();
  const inBackground = (work: (connection: Store) => Promise<void>) => {
    // A failed warm-up costs nothing: the next page computes (and reports) it itself.
    const done: Promise<void> = pool.use(work).catch(() => undefined).finally(() => background.delete(done));
    background.add(done);
  };
  app.addHook('onClose', async () => {
    await Promise.all([...background]);
    pool.close();
  });
  // What a run changes and pages would otherwise wait for: the period's queue rows and its peers.
  const warm = async (c: Store, period: string) => {
    await refreshQueue(c, period);
    await peers.warm(c, period);
  };
  const assets = Object.fromEntries(Object.keys(ASSETS).map((name) => [name, readFileSync(join(sourceDir(import.meta.url), 'assets', name))]));

  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    // Sessions live in the desk's memory: restarting the desk signs everyone out.
    secret: randomBytes(32).toString('hex'),
    cookieName: 'billrun_desk',
    saveUninitialized: false,
    // Secure whenever the desk serves HTTPS (a browser drops Secure cookies over plain HTTP, which
    // the default localhost desk speaks); 'auto' would also weaken SameSite to lax, so it is not used.
    cookie: { httpOnly: true, sameSite: 'strict', secure: Boolean(options.https), path: '/', maxAge: 8 * 3600 * 1000 },
  });
  await app.register(fastifyCsrf, { sessionPlugin: '@fastify/session' });
  await app.register(fastifyFormbody);
  await app.register(fastifyRateLimit, { global: false });

  const event = (request: FastifyRequest, kind: string, detail: string, at?: { accountId?: string; period?: string }, user: string | null | undefined = request.session.user?.name) =>
    pool.use((c) => c.run(SQL['insert-event']!, {
      at: now().toISOString().slice(0, 19).replace('T', ' '), user_name: user ?? null, event: kind, account_id: at?.accountId ?? null,
      period: at?.period ? periodKey(at.period) : null, ip: request.ip, detail,
    }));
  const isApi = (request: FastifyRequest) => request.url.startsWith('/api/');
  const context = (request: FastifyRequest, reply: FastifyReply, title: string): PageContext =>
    ({ user: request.session.user ?? null, csrf: reply.generateCsrf(), title });
  const bearer = (request: FastifyRequest) => {
    const m = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '');
    if (!m) return false;
    const [given, expected] = [Buffer.from(m[1]!), Buffer.from(options.runToken)];
    return given.length === expected.length && timingSafeEqual(given, expected);
  };

  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('content-security-policy', CSP).header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer')
      .header('x-frame-options', 'DENY').header('cache-control', reply.getHeader('cache-control') ?? 'no-store');
    return payload;
  });

  // Sign-in, roles and CSRF, for every route in one place.
  app.addHook('preHandler', (request, reply, done) => {
    const config = request.routeOptions.config;
    if (config.public) return done();
    const viaToken = Boolean(config.handoff) && bearer(request);
    if (!viaToken) {
      const user = request.session.user;
      if (!user) {
        if (isApi(request) || request.method !== 'GET') return done(new DeskError(401, 'sign in first'));
        void reply.redirect('/login');
        return;
      }
      if (config.roles && !config.roles.includes(user.role)) {
        return done(new DeskError(403, `a ${user.role} may not use ${request.routeOptions.url ?? request.url}`));
      }
    }
    if (request.method === 'GET' || request.method === 'HEAD' || viaToken) return done();
    app.csrfProtection(request, reply, done);
  });

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    let status = error instanceof DeskError ? error.status : error instanceof FatalError ? deskError(error).status : error.statusCode ?? 500;
    let message = status >= 500 && !(error instanceof DeskError) ? 'internal error (see the desk\'s log)' : error.message;
    if (error.code?.startsWith('FST_CSRF')) {
      status = 403;
      message = 'the form was not sent by this desk (missing or wrong CSRF token): reload the page and try again';
    }
    if (status >= 500) console.error(error);
    void reply.code(status);
    if (isApi(request) || request.headers.accept?.includes('application/json')) return reply.send({ error: message });
    return reply.type('text/html; charset=utf-8').send(errorPage(context(request, reply, 'error'), status, message));
  });
  app.setNotFoundHandler((request) => {
    throw new DeskError(404, `nothing at ${request.url}`);
  });

  for (const [name, type] of Object.entries(ASSETS)) {
    app.get(`/assets/${name}`, { config: { public: true } }, (_request, reply) =>
      reply.type(type).header('cache-control', 'private, max-age=300').send(assets[name]));
  }

  // ---- sign-in ----
  app.get('/login', { config: { public: true } }, (request, reply) =>
    reply.type('text/html; charset=utf-8').send(loginPage(context(request, reply, 'Sign in'), null)));
  app.post('/login', {
    config: { public: true, rateLimit: { max: options.loginAttemptsPerMinute ?? 5, timeWindow: 60_000 } },
    // CSRF on the sign-in form too: another site must not sign a browser in under its own account.
    preHandler: (request, reply, done) => app.csrfProtection(request, reply, done),
  }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const name = typeof body.name === 'string' ? body.name.trim() : '';
    const password = typeof body.password === 'string' ? body.password : '';
    const user = name && password ? await pool.use((c) => authenticate(c, name, password)) : null;
    if (!user) {
      await event(request, 'sign-in-failed', `name '${name.slice(0, 64)}'`, undefined, null);
      return reply.code(401).type('text/html; charset=utf-8').send(loginPage(context(request, reply, 'Sign in'), 'Wrong name or password.'));
    }
    await request.session.regenerate();
    request.session.user = user;
    await event(request, 'sign-in', user.role);
    return reply.redirect(user.role === 'agent' ? '/lookup' : '/queue');
  });
  app.post('/logout', async (request, reply) => {
    await event(request, 'sign-out', '');
    await request.session.destroy();
    return reply.redirect('/login');
  });
  app.get('/', (request, reply) => reply.redirect(request.session.user?.role === 'agent' ? '/lookup' : '/queue'));

  // ---- the queue ----
  const queueFilter = async (c: Store, query: Record<string, string | undefined>, user: DeskUser): Promise<{ filter: PageFilter; statusText: string; assigneeText: string }> => {
    const periods = query.period ? [] : await billedPeriods(c);
    const period = query.period || periods.find((p) => p.flagged > 0)?.period || periods[0]?.period;
    if (!period) throw new DeskError(404, 'nothing has been billed yet');
    if (!isPeriod(period)) throw new DeskError(400, `period must be YYYY-MM, not '${period}'`);
    const statusText = query.status || 'open';
    const minScore = query.min_score ? Number(query.min_score) : undefined;
    if (minScore !== undefined && !Number.isFinite(minScore)) throw new DeskError(400, `min_score must be a number, not '${query.min_score}'`);
    const pageNo = Math.max(1, Math.floor(Number(query.page ?? 1)) || 1);
    const limit = Math.min(500, Math.max(1, Math.floor(Number(query.size ?? options.pageSize ?? 50)) || 50));
    const assigneeText = query.assignee === 'me' || query.assignee === 'none' ? query.assignee : '';
    return {
      statusText, assigneeText,
      filter: {
        period, statuses: parseStatuses(statusText), rule: query.rule || undefined, region: query.region || undefined,
        customerClass: query.class || undefined, minScore, offset: (pageNo - 1) * limit, limit,
        assignee: assigneeText === 'me' ? user.name : assigneeText === 'none' ? '' : undefined,
      },
    };
  };
  app.get('/queue', { config: { roles: STAFF } }, async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    const { filter, statusText, assigneeText } = await pool.use((c) => queueFilter(c, query, request.session.user!));
    // Three independent reads on three connections: DuckDB runs them side by side.
    const [page, periods, facets] = await Promise.all([
      pool.use((c) => queuePage(c, filter)), pool.use((c) => billedPeriods(c)), pool.use((c) => queueFacets(c, filter.period)),
    ]);
    const view = { filter, statusText, assigneeText, page, periods, facets };
    const params = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined) as [string, string][]);
    return reply.type('text/html; charset=utf-8').send(queuePageHtml(context(request, reply, `Queue ${view.filter.period}`), view, params));
  });
  app.get('/api/queue', { config: { roles: STAFF } }, async (request) =>
    pool.use(async (c) => {
      const { filter } = await queueFilter(c, request.query as Record<string, string | undefined>, request.session.user!);
      return { period: filter.period, offset: filter.offset, ...(await queuePage(c, filter)) };
    }));

  // ---- claims and decisions ----
  app.post('/api/claims', { config: { roles: STAFF } }, async (request) => {
    const { account, period, release } = (request.body ?? {}) as Record<string, unknown>;
    if (typeof account !== 'string' || typeof period !== 'string' || !isPeriod(period)) throw new DeskError(400, 'a claim needs account and period');
    const user = request.session.user!;
    if (release) {
      await pool.use((c) => unclaimBill(c, account, period, user.name));
      await event(request, 'unclaim', '', { accountId: account, period });
      return { claimed: false };
    }
    const result = await pool.use((c) => claimBill(c, account, period, user.name, now()));
    if (!result.ok) throw new DeskError(409, `${account} ${period} is claimed by ${result.holder} since ${result.claimedAt}`);
    await event(request, 'claim', '', { accountId: account, period });
    return { claimed: true, user: user.name };
  });

  const decideAtDesk = async (request: FastifyRequest, input: Record<string, unknown>, user: DeskUser, source: string): Promise<DecisionRecord> => {
    const accountId = String(input.account ?? '');
    const period = String(input.period ?? '');
    const action = String(input.action ?? '') as ReviewAction;
    if (!REVIEW_ACTIONS.includes(action)) throw new DeskError(400, `action must be one of ${REVIEW_ACTIONS.join(', ')}`);
    if (!isPeriod(period)) throw new DeskError(400, `period must be YYYY-MM, not '${period}'`);
    const reads: ReadCorrection[] = String(input.reads ?? '').split(/[\n,;]+/).map((s) => s.trim()).filter(Boolean).map((text) => {
      const parsed = parseReadCorrection(text);
      if (typeof parsed === 'string') throw new DeskError(400, `read ${parsed}`);
      return parsed;
    });
    return pool.use(async (c) => {
      const status = await currentStatus(c, accountId, period);
      if (status === null) throw new DeskError(404, `account ${accountId} has no bill for ${period}`);
      // Escalations go to supervisors: a reviewer who escalated cannot take the bill back herself.
      if (status === 'escalated' && user.role !== 'supervisor') throw new DeskError(403, `${accountId} ${period} is escalated: a supervisor decides it`);
      let claim = await claimBill(c, accountId, period, user.name, now());
      if (!claim.ok && user.role === 'supervisor' && status === 'escalated') {
        await unclaimBill(c, accountId, period, null);
        claim = await claimBill(c, accountId, period, user.name, now());
      }
      if (!claim.ok) throw new DeskError(409, `${accountId} ${period} is claimed by ${claim.holder} since ${claim.claimedAt}: nothing was changed`);
      let record: DecisionRecord;
      try {
        record = await decide(c, {
          accountId, period, action, reviewer: user.name, note: String(input.note ?? ''), reads, source,
        }, now());
      } catch (error) {
        if (error instanceof FatalError) throw deskError(error);
        throw error;
      }
      // A decided or escalated bill needs no claim: the next one to work it is free to.
      if (!HELD_STATUSES.includes(record.toStatus) || record.toStatus === 'escalated') await unclaimBill(c, accountId, period, null);
      if (record.newBillVersion !== null) inBackground((w) => peers.warm(w, period));
      return record;
    });
  };
  app.post('/api/decisions', { config: { roles: STAFF } }, async (request) =>
    decideAtDesk(request, (request.body ?? {}) as Record<string, unknown>, request.session.user!, `desk ${request.ip}`));
  // `billrun review decide` while the desk holds the store: the CLI on this machine, with the
  // handoff file's token, decides as the reviewer it names. Without a desk the CLI may decide an
  // escalated bill too, so it does here (as a supervisor would); a desk reviewer's claim still
  // stands in its way.
  app.post('/api/handoff/decisions', { config: { roles: [], handoff: true } }, async (request) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const reviewer = typeof body.reviewer === 'string' ? body.reviewer.trim() : '';
    if (!reviewer) throw new DeskError(400, 'a decision needs a reviewer');
    return decideAtDesk(request, body, { name: reviewer, role: 'supervisor' }, 'cli via desk');
  });
  app.post('/accounts/:id/decide', { config: { roles: STAFF } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const body = (request.body ?? {}) as Record<string, unknown>;
    const period = String(body.period ?? '');
    try {
      const record = await decideAtDesk(request, { ...body, account: id }, request.session.user!, `desk ${request.ip}`);
      const after = record.amountAfterMinor === null ? '' : `: re-billed as version ${record.newBillVersion}`;
      request.session.flash = { kind: 'ok', text: `${record.action} applied (${record.fromStatus} → ${record.toStatus})${after}` };
    } catch (error) {
      if (!(error instanceof DeskError) || error.status >= 500) throw error;
      request.session.flash = { kind: 'error', text: error.message };
    }
    return reply.redirect(`/accounts/${encodeURIComponent(id)}?period=${encodeURIComponent(period)}`, 303);
  });

  // ---- one account ----
  const accountData = async (c: Store, accountId: string, period: string | undefined) => {
    const periods = await accountPeriods(c, accountId);
    if (periods.length === 0) throw new DeskError(404, `no bills for account '${accountId}'`);
    const chosen = period || periods[0]!;
    if (!isPeriod(chosen)) throw new DeskError(400, `period must be YYYY-MM, not '${chosen}'`);
    return { periods, period: chosen, review: await accountReview(c, accountId, chosen, peers.source), claim: await claimHolder(c, accountId, chosen) };
  };
  app.get('/accounts/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    const user = request.session.user!;
    const data = await pool.use((c) => accountData(c, id, (request.query as { period?: string }).period));
    if (user.role === 'agent') await event(request, 'lookup', '', { accountId: id, period: data.period });
    const status = data.review.rebill?.status ?? data.review.bill.status;
    const held = HELD_STATUSES.includes(data.review.bill.status) && data.review.rebill === null;
    const whyNot = user.role === 'agent' ? 'Read only.'
      : !held ? `This bill is ${status}: nothing to decide.`
      : data.review.bill.status === 'escalated' && user.role !== 'supervisor' ? 'Escalated: a supervisor decides it.'
      : data.claim && data.claim.user !== user.name && user.role !== 'supervisor' ? `Claimed by ${data.claim.user}.` : null;
    const flash = request.session.flash ?? null;
    if (flash) request.session.flash = undefined;
    return reply.type('text/html; charset=utf-8').send(accountPageHtml(context(request, reply, `${id} ${data.period}`), {
      review: data.review, periods: data.periods, claim: data.claim, canDecide: whyNot === null, whyNot, message: flash,
    }));
  });
  app.get('/api/accounts/:id/bills/:period', async (request) => {
    const { id, period } = request.params as { id: string; period: string };
    const data = await pool.use((c) => accountData(c, id, period));
    if (request.session.user!.role === 'agent') await event(request, 'lookup', 'api', { accountId: id, period: data.period });
    return { ...data.review, periods: data.periods, claim: data.claim };
  });
  // Why the bill changed, for the agent who takes the customer's call: the explain stage's
  // waterfall and texts, with the account's history (read only, every look-up recorded).
  app.get('/api/accounts/:id/bills/:period/explanation', async (request) => {
    const { id, period } = request.params as { id: string; period: string };
    if (!isPeriod(period)) throw new DeskError(400, `period must be YYYY-MM, not '${period}'`);
    const explanation = await pool.use((c) => explainBill(c, id, period));
    if (!explanation) throw new DeskError(404, `no bill of ${period} with an earlier bill to compare for account '${id}'`);
    if (request.session.user!.role === 'agent') await event(request, 'lookup', 'explanation', { accountId: id, period });
    return explanation;
  });
  app.get('/lookup', async (request, reply) => {
    const account = ((request.query as { account?: string }).account ?? '').trim();
    if (!account) return reply.type('text/html; charset=utf-8').send(lookupPage(context(request, reply, 'Look up'), null));
    const periods = await pool.use((c) => accountPeriods(c, account));
    if (periods.length === 0) {
      return reply.code(404).type('text/html; charset=utf-8').send(lookupPage(context(request, reply, 'Look up'), `No bills for account '${account}'.`));
    }
    return reply.redirect(`/accounts/${encodeURIComponent(account)}?period=${periods[0]}`);
  });

  // ---- managers ----
  app.get('/stats', { config: { roles: STAFF } }, async (request, reply) => {
    const { stats, periods } = await pool.use(async (c) => {
      const billed = await billedPeriods(c);
      const period = (request.query as { period?: string }).period || billed.find((p) => p.flagged > 0)?.period || billed[0]?.period;
      if (!period) throw new DeskError(404, 'nothing has been billed yet');
      return { stats: await reviewStats(c, period, now()), periods: billed.map((p) => p.period) };
    });
    return reply.type('text/html; charset=utf-8').send(statsPage(context(request, reply, 'Stats'), stats, periods));
  });
  app.get('/api/stats', { config: { roles: STAFF } }, async (request) => {
    const period = (request.query as { period?: string }).period ?? '';
    return pool.use((c) => reviewStats(c, period, now()));
  });
  app.get('/audit', { config: { roles: SUPERVISORS } }, async (request, reply) => {
    const [events, decisions] = await pool.use(async (c) => [await c.rows(SQL['recent-events']!, { limit: 500 }), await c.rows(SQL['recent-decisions']!, { limit: 500 })]);
    return reply.type('text/html; charset=utf-8').send(auditPage(context(request, reply, 'Audit'), events, decisions));
  });

  // ---- bill runs ----
  app.get('/runs', { config: { roles: SUPERVISORS } }, async (request, reply) => {
    const periods = (await pool.use((c) => billedPeriods(c))).map((p) => p.period);
    return reply.type('text/html; charset=utf-8').send(runsPage(context(request, reply, 'Bill runs'), periods));
  });
  app.post('/api/runs', { config: { roles: SUPERVISORS, handoff: true } }, async (request, reply) => {
    const run = parseRunRequest(request.body);
    await event(request, 'run', `${run.periods.join(',')}${run.rebill ? ' rebill' : ''}`, undefined, request.session.user?.name ?? 'billrun bill');
    // The run outlives a dropped connection: its events go nowhere then, and it finishes anyway.
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    const send = (e: RunEvent) => {
      if (!reply.raw.destroyed) reply.raw.write(`${JSON.stringify(e)}\n`);
    };
    await runs.submit(run, send, options.softwareVersion, now);
    reply.raw.end();
    for (const period of run.periods) inBackground((w) => warm(w, period));
  });

  inBackground(async (c) => {
    const period = (await billedPeriods(c)).find((p) => p.flagged > 0)?.period;
    if (period) await warm(c, period);
  });

  return app;
}
