// Server stage: the review desk, `billrun serve` — a local web application over the store where a
// team works the review queue together while bill runs go on.
//
// Inputs:  an open store (the desk holds it for its whole life), a host and port, optional TLS
//          key and certificate; users added with `billrun users add`.
// Outputs: HTML pages and a JSON API: the ranked, filtered, paged queue; one account's full
//          picture; decisions, claims and escalations applied through the review stage; stats;
//          bill runs run in this process (from the runs page or handed over by `billrun bill`);
//          desk events (sign-ins, claims, look-ups, runs) with who and from where.
// Invariants:
//   - every business rule is the review stage's: the desk only adds who may do what (roles,
//     claims, escalations to supervisors) and passes the user and address as reviewer and source;
//   - every route but sign-in and the static assets needs a signed-in user, roles are checked on
//     the server per route, and every write (form or API) carries the session's CSRF token — the
//     one exception is POST /api/runs with the bearer token of the handoff file;
//   - an agent reads one account at a time and never the queue, stats, audit or another account
//     unasked; every agent look-up is recorded;
//   - every text is escaped (html.ts); pages load only the desk's own assets (no network);
//   - one writing process per store: runs, decisions and reads are connections of this process.
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { EXIT, FatalError } from '../diagnostics/index.js';
import type { Store } from '../store/index.js';
import { buildDesk } from './app.js';
import { newRunToken, removeHandoff, writeHandoff } from './runs.js';

export { buildDesk, type DeskOptions } from './app.js';
export { decideThroughDesk, findDesk, handoffPath, runThroughDesk, type DeskHandoff, type HandedDecision, type RunEvent, type RunRequest } from './runs.js';
export { addUser, authenticate, DESK_ROLES, listUsers, MIN_PASSWORD, type DeskRole, type DeskUser } from './users.js';

export interface ServeOptions {
  store: Store;
  host: string;
  port: number;
  now: () => Date;
  softwareVersion: string;
  tls?: { keyFile: string; certFile: string };
  loginAttemptsPerMinute?: number;
}

export interface RunningDesk {
  url: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

export async function serveDesk(options: ServeOptions): Promise<RunningDesk> {
  const runToken = newRunToken();
  const https = options.tls && { key: readFileSync(options.tls.keyFile), cert: readFileSync(options.tls.certFile) };
  const app = await buildDesk({
    store: options.store, now: options.now, softwareVersion: options.softwareVersion, runToken, https,
    loginAttemptsPerMinute: options.loginAttemptsPerMinute,
  });
  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (error) {
    await app.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new FatalError(`port ${options.port} on ${options.host} is in use: choose another with --port`, EXIT.environment);
    if (code === 'EADDRNOTAVAIL' || code === 'EACCES') throw new FatalError(`cannot listen on ${options.host}:${options.port} (${code})`, EXIT.environment);
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  // The handoff names a loopback address: `billrun bill` runs on this machine.
  const url = `${https ? 'https' : 'http'}://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${port}`;
  writeHandoff(options.store.path, { url, token: runToken, pid: process.pid });
  return {
    url, app,
    async close() {
      removeHandoff(options.store.path);
      await app.close();
    },
  };
}
