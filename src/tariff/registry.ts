// The store side of price policies: loading files as new revisions (with their TOU schedule
// rows for SQL), refusing changes that would silently alter billed periods, and reading them back.
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { TariffPolicy } from '../../schemas/tariff.js';
import { epochDay, periodFromKey } from '../calendar/index.js';
import { assertReadable, EXIT, FatalError } from '../diagnostics/index.js';
import { appendBatch, nextKey, objectsToBatch, sqlStatements, type Store } from '../store/index.js';
import { diffPolicies, type PolicyChange } from './diff.js';
import { parsePolicy, type PolicyFormat } from './parse.js';
import { formatProblem, hasErrors, type Problem } from './problems.js';
import { holidayRows, storedScheduleRows } from './schedule.js';
import { dayRangeText, reachOfChange, type DayRange } from './versions.js';

const SQL = sqlStatements(import.meta.url, 'registry.sql');

export interface PolicyFile {
  path: string;
  text: string;
  policy?: TariffPolicy;
  problems: Problem[];
}

export function policyFormat(path: string): PolicyFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  if (ext === '.json') return 'json';
  throw FatalError.at({ file: path }, `unsupported policy file type '${ext || '(none)'}': use .yaml, .yml or .json`);
}

/** Reads and validates policy files; every problem of every file is reported. */
export function readPolicyFiles(paths: string[]): PolicyFile[] {
  return paths.map((path) => {
    assertReadable(path);
    const text = readFileSync(path, 'utf8');
    return { path, text, ...parsePolicy(text, policyFormat(path), path) };
  });
}

export function problemLines(files: PolicyFile[]): string[] {
  return files.flatMap((f) => f.problems.map((p) => formatProblem(p)));
}

/** Policies of valid files; throws one fatal error listing every problem when any file has errors. */
export function validPolicies(files: PolicyFile[]): TariffPolicy[] {
  if (files.some((f) => hasErrors(f.problems))) {
    const lines = problemLines(files);
    throw new FatalError(`${lines.length} problem${lines.length === 1 ? '' : 's'} in the price policies:\n  ${lines.join('\n  ')}`);
  }
  return files.map((f) => f.policy!);
}

export interface StoredPolicy {
  revision: number;
  loadedAt: string;
  policy: TariffPolicy;
}

export async function storedPolicy(store: Store, tariffId: string): Promise<StoredPolicy | null> {
  const row = (await store.rows(SQL.latest!, { tariff_id: tariffId }))[0];
  if (!row) return null;
  return { revision: Number(row.revision), loadedAt: String(row.loaded_at), policy: JSON.parse(String(row.policy)) as TariffPolicy };
}

export async function listPolicies(store: Store): Promise<Record<string, unknown>[]> {
  return store.rows(SQL.list!);
}

export interface PolicyLoad {
  tariffId: string;
  file: string;
  outcome: 'added' | 'updated' | 'unchanged';
  revision: number;
  changes: PolicyChange[];
  /** Days on which prices could differ from the stored revision (empty for a new tariff). */
  reach: DayRange[];
  /** Billed periods the change reaches, which must be re-billed (accepted with --rebill-from). */
  rebill: { from: string; to: string; bills: number } | null;
}

export async function loadPolicies(
  store: Store, files: PolicyFile[], options: { rebillFrom?: string; now: Date; sha256: (path: string) => Promise<string> },
): Promise<PolicyLoad[]> {
  const policies = validPolicies(files);
  const loads: PolicyLoad[] = [];
  for (const [i, policy] of policies.entries()) {
    const file = files[i]!;
    const stored = await storedPolicy(store, policy.id);
    const changes = diffPolicies(stored?.policy ?? null, policy);
    if (stored && changes.length === 0) {
      loads.push({ tariffId: policy.id, file: file.path, outcome: 'unchanged', revision: stored.revision, changes, reach: [], rebill: null });
      continue;
    }
    const reach = stored ? reachOfChange(stored.policy, policy) : [];
    const rebill = reach.length ? await billedInReach(store, policy.id, reach) : null;
    if (rebill && (!options.rebillFrom || options.rebillFrom > rebill.from)) {
      throw FatalError.at({ file: file.path },
        `tariff ${policy.id}: this change reaches ${reach.map(dayRangeText).join(', ')} and so billed periods ${rebill.from}..${rebill.to} ` +
        `(${rebill.bills.toLocaleString('en-US')} bills). To accept it, load with --rebill-from ${rebill.from} and then re-bill: ` +
        `billrun bill --rebill --from ${rebill.from} --to ${rebill.to}`, EXIT.refused);
    }
    const sha256 = await options.sha256(file.path);
    const revision = (stored?.revision ?? 0) + 1;
    await store.transaction(async (connection) => {
      const fileKey = await nextKey(connection, 'input_files', 'file_key');
      await connection.run(`INSERT INTO input_files VALUES ($file_key, 'tariff', $path, $sha256, 1, 1, 0, 0, $at)`,
        { file_key: fileKey, path: file.path, sha256, at: options.now.toISOString() });
      await connection.run(SQL['insert-policy']!, {
        tariff_id: policy.id, revision, name: policy.name, currency: policy.currency, policy: JSON.stringify(policy),
        file_key: fileKey, loaded_at: options.now.toISOString(),
      });
      for (const v of policy.versions) {
        await connection.run(SQL['insert-version']!, {
          tariff_id: policy.id, revision, version: v.version, effective_from: v.effective_from, effective_to: v.effective_to ?? null,
        });
      }
      await writeSchedule(connection, policy, revision);
    });
    loads.push({ tariffId: policy.id, file: file.path, outcome: stored ? 'updated' : 'added', revision, changes, reach, rebill });
  }
  return loads;
}

/** The current bills priced by the tariff that price a reached day; null when there are none. */
export async function billedInReach(store: Store, tariffId: string, reach: readonly DayRange[]): Promise<PolicyLoad['rebill']> {
  const ranges = reach.map((r) => `${r.from}/${r.to ?? ''}`).join(',');
  const billed = (await store.rows(SQL['billed-in-reach']!, { tariff_id: tariffId, reach: ranges }))[0]!;
  if (Number(billed.bills) === 0) return null;
  return { from: periodFromKey(Number(billed.first_period)), to: periodFromKey(Number(billed.last_period)), bills: Number(billed.bills) };
}

async function writeSchedule(connection: DuckDBConnection, policy: TariffPolicy, revision: number): Promise<void> {
  const schedule = storedScheduleRows(policy).map((row) => ({ ...row, revision }));
  if (schedule.length) {
    const specs = [
      { name: 'tariff_id', kind: 'varchar' }, { name: 'revision', kind: 'int32' }, { name: 'version', kind: 'varchar' },
      { name: 'month', kind: 'int8' }, { name: 'day_type', kind: 'varchar' }, { name: 'hour', kind: 'int8' }, { name: 'period', kind: 'varchar' },
      { name: 'demand_period', kind: 'varchar' },
    ] as const;
    await appendBatch(connection, 'tariff_schedule', specs, objectsToBatch(specs, schedule));
  }
  const holidays = holidayRows(policy).map((row) => ({ ...row, revision, day: epochDay(row.date) }));
  if (holidays.length) {
    const specs = [
      { name: 'tariff_id', kind: 'varchar' }, { name: 'revision', kind: 'int32' }, { name: 'version', kind: 'varchar' }, { name: 'day', kind: 'date' },
    ] as const;
    await appendBatch(connection, 'tariff_holidays', specs, objectsToBatch(specs, holidays));
  }
}
