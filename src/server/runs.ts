// Bill runs inside the desk's process. DuckDB admits one writing process per store file, so while
// the desk holds the store the bill run must run here: on its own connection, beside the
// requests' connections, one run at a time. Decisions on other periods commit between the run's
// batch transactions (they touch other rows), so neither waits for the other's whole length.
//
// `billrun bill` finds a running desk through the handoff file beside the store
// (<store>.desk.json: url, token, pid; readable by the owner only) and posts its run here with the
// token; progress comes back as NDJSON lines.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadRules } from '../anomaly/index.js';
import { billPeriod, DEFAULT_BATCH_SIZE, DEFAULT_STAGE_SIZE, defaultWorkers, type RunSummary } from '../billing/index.js';
import { isPeriod, periodRange } from '../calendar/index.js';
import { EXIT, FatalError, type ExitCode } from '../diagnostics/index.js';
import { publishFile, storeConnection, tempPathFor, type Store } from '../store/index.js';

export interface RunRequest {
  periods: string[];
  rebill: boolean;
  workers?: number;
  batchSize?: number;
  stageSize?: number;
  /** A rules file on the desk's machine (the CLI hands over its path). */
  rules?: string;
  out?: string;
}

/** One NDJSON line of a run's progress. */
export type RunEvent =
  | { type: 'queued'; ahead: number }
  | { type: 'progress'; period: string; done: number; total: number; stage: string }
  | { type: 'skipped'; period: string; message: string }
  | { type: 'done'; summaries: RunSummary[] }
  | { type: 'failed'; message: string; exitCode: ExitCode };

export interface RunLane {
  /** Runs the request after the runs before it; events as they happen, the last one done or failed. */
  submit(request: RunRequest, onEvent: (event: RunEvent) => void, softwareVersion: string, now: () => Date): Promise<void>;
  readonly waiting: number;
}

export function parseRunRequest(body: unknown): RunRequest {
  const b = (body ?? {}) as Record<string, unknown>;
  const str = (k: string) => (typeof b[k] === 'string' && b[k] !== '' ? (b[k] as string) : undefined);
  const int = (k: string) => {
    if (b[k] === undefined || b[k] === '') return undefined;
    const n = Number(b[k]);
    if (!Number.isInteger(n) || n < 1) throw new FatalError(`${k} must be a whole number of at least 1, not '${String(b[k])}'`);
    return n;
  };
  const [period, from, to] = [str('period'), str('from'), str('to')];
  for (const [name, value] of [['period', period], ['from', from], ['to', to]] as const) {
    if (value !== undefined && !isPeriod(value)) throw new FatalError(`${name} must be YYYY-MM, not '${value}'`);
  }
  const listed = Array.isArray(b.periods) ? b.periods.map(String) : undefined;
  const wrong = listed?.find((p) => !isPeriod(p));
  if (wrong !== undefined) throw new FatalError(`periods must be YYYY-MM, not '${wrong}'`);
  const periods = listed ?? (period ? [period] : from && to ? periodRange(from, to) : []);
  if (periods.length === 0) throw new FatalError('a run needs a period, or from and to (from not after to)');
  return {
    periods, rebill: b.rebill === true || b.rebill === 'true' || b.rebill === 'on', workers: int('workers'), batchSize: int('batchSize'),
    stageSize: int('stageSize'), rules: str('rules'), out: str('out'),
  };
}

export function createRunLane(store: Store): RunLane {
  let tail: Promise<unknown> = Promise.resolve();
  let waiting = 0;
  return {
    get waiting() {
      return waiting;
    },
    submit(request, onEvent, softwareVersion, now) {
      if (waiting > 0) onEvent({ type: 'queued', ahead: waiting });
      waiting++;
      const work = tail.then(async () => {
        try {
          onEvent({ type: 'done', summaries: await runAll(store, request, onEvent, softwareVersion, now) });
        } catch (error) {
          if (error instanceof FatalError) onEvent({ type: 'failed', message: error.message, exitCode: error.exitCode });
          else onEvent({ type: 'failed', message: `internal error: ${error instanceof Error ? error.message : String(error)}`, exitCode: EXIT.internal });
        } finally {
          waiting--;
        }
      });
      tail = work;
      return work;
    },
  };
}

async function runAll(store: Store, request: RunRequest, onEvent: (e: RunEvent) => void, softwareVersion: string, now: () => Date): Promise<RunSummary[]> {
  const rules = loadRules(request.rules);
  const outDir = request.out ?? join(dirname(store.path), 'out');
  const connection = await storeConnection(store);
  const summaries: RunSummary[] = [];
  try {
    for (const period of request.periods) {
      try {
        summaries.push(await billPeriod(connection, {
          period, workers: request.workers ?? defaultWorkers(), batchSize: request.batchSize ?? DEFAULT_BATCH_SIZE,
          stageSize: request.stageSize ?? DEFAULT_STAGE_SIZE, rebill: request.rebill, outDir, rules, softwareVersion, now,
          onProgress: (done, total, stage) => onEvent({ type: 'progress', period, done, total, stage }),
        }));
      } catch (error) {
        // As `billrun bill` does: in a backfill an already billed month is skipped, not the end of the range.
        if (request.periods.length > 1 && error instanceof FatalError && error.exitCode === EXIT.refused) {
          onEvent({ type: 'skipped', period, message: error.message });
          continue;
        }
        throw error;
      }
    }
  } finally {
    connection.close();
  }
  return summaries;
}

// ---- the handoff file ------------------------------------------------------------------------

export interface DeskHandoff {
  url: string;
  token: string;
  pid: number;
}

export function handoffPath(storePath: string): string {
  return `${storePath}.desk.json`;
}

export function newRunToken(): string {
  return randomBytes(32).toString('base64url');
}

export function writeHandoff(storePath: string, handoff: DeskHandoff): void {
  // The token lets whoever holds it start bill runs: only the store's owner may read it.
  writeFileSync(tempPathFor(handoffPath(storePath)), JSON.stringify(handoff), { mode: 0o600 });
  publishFile(handoffPath(storePath));
}

export function removeHandoff(storePath: string): void {
  rmSync(handoffPath(storePath), { force: true });
}

/** The desk serving this store, if one is running (a file left by a killed desk is ignored). */
export function findDesk(storePath: string): DeskHandoff | null {
  const path = handoffPath(storePath);
  if (!existsSync(path)) return null;
  let handoff: DeskHandoff;
  try {
    handoff = JSON.parse(readFileSync(path, 'utf8')) as DeskHandoff;
  } catch {
    return null;
  }
  try {
    process.kill(handoff.pid, 0);
  } catch {
    return null;
  }
  return handoff;
}

/**
 * Hands a bill run to the desk and follows it: each event as it arrives; resolves with the
 * summaries, or throws the run's failure with its exit code.
 */
export async function runThroughDesk(desk: DeskHandoff, request: RunRequest, onEvent: (event: RunEvent) => void): Promise<RunSummary[]> {
  let response: Response;
  try {
    response = await fetch(new URL('/api/runs', desk.url), {
      method: 'POST', headers: { authorization: `Bearer ${desk.token}`, 'content-type': 'application/json' }, body: JSON.stringify(request),
    });
  } catch (error) {
    throw new FatalError(`the review desk at ${desk.url} holds the store but does not answer (${(error as Error).message}); stop it or wait`, EXIT.busy);
  }
  if (!response.ok || !response.body) {
    const text = await response.text();
    throw new FatalError(`the review desk at ${desk.url} refused the run: ${text}`, response.status === 400 ? EXIT.usage : EXIT.busy);
  }
  const decoder = new TextDecoder();
  let buffered = '';
  let last: RunEvent | undefined;
  for await (const chunk of response.body) {
    buffered += decoder.decode(chunk as Uint8Array, { stream: true });
    let newline;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (!line.trim()) continue;
      last = JSON.parse(line) as RunEvent;
      onEvent(last);
    }
  }
  if (last?.type === 'done') return last.summaries;
  if (last?.type === 'failed') throw new FatalError(last.message, last.exitCode);
  throw new FatalError(`the review desk at ${desk.url} ended the run's stream without a result; see its log`, EXIT.internal);
}

/** A decision of `billrun review decide` as the desk takes it over the handoff (reads as REGISTER=VALUE texts). */
export interface HandedDecision {
  account: string;
  period: string;
  action: string;
  reviewer: string;
  note: string;
  reads: { register: string; valueMilli: number }[];
}

/**
 * Hands one decision to the desk that holds the store: the desk applies it as the review stage
 * would, beside its reviewers' claims. Resolves with the decision; a refusal comes back as the
 * FatalError with the exit code the CLI gives it without a desk.
 */
export async function decideThroughDesk<T>(desk: DeskHandoff, decision: HandedDecision): Promise<T> {
  const reads = decision.reads.map((r) => `${r.register}=${Math.floor(r.valueMilli / 1000)}.${String(r.valueMilli % 1000).padStart(3, '0')}`).join('\n');
  let response: Response;
  try {
    response = await fetch(new URL('/api/handoff/decisions', desk.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${desk.token}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ ...decision, reads }),
    });
  } catch (error) {
    throw new FatalError(`the review desk at ${desk.url} holds the store but does not answer (${(error as Error).message}); stop it or wait`, EXIT.busy);
  }
  const body = (await response.json().catch(() => ({}))) as { error?: string };
  if (response.ok) return body as T;
  const message = body.error ?? `HTTP ${response.status}`;
  // The desk's statuses back to the CLI's exit codes (app.ts deskError maps them the other way).
  const exitCode = response.status === 409 || response.status === 403 ? EXIT.refused : response.status === 503 ? EXIT.busy
    : response.status >= 500 ? EXIT.internal : EXIT.usage;
  throw new FatalError(`the review desk at ${desk.url} refused the decision: ${message}`, exitCode);
}
