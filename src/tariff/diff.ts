// What a new policy file changes against the stored one, component by component, for
// `billrun tariff diff`. Versions are matched by their id; decimals compare by value, so 0.50 and
// 0.5 are the same price.
import type { TariffPolicy, TariffVersion } from '../../schemas/tariff.js';
import { compare, decimalOf, formatDecimal } from '../money/index.js';
import { type PathSegment, pathText } from './problems.js';

export type PolicyChangeKind = 'policy_added' | 'version_added' | 'version_removed' | 'added' | 'removed' | 'changed';

export interface PolicyChange {
  kind: PolicyChangeKind;
  /** Version id the change is in; absent for policy-level fields. */
  version?: string;
  /** 'policy', 'dates', or the version's component: energy, demand, fixed, power_factor, … */
  component: string;
  /** Path inside the version (or the policy), e.g. `energy.tiers.blocks[1].rate`. */
  path: string;
  from?: string;
  to?: string;
  /** One line for people: `version 2025-07 energy: tier 2 rate 0.63886875 → 0.69`. */
  text: string;
}

export function diffPolicies(stored: TariffPolicy | null, next: TariffPolicy): PolicyChange[] {
  const changes: PolicyChange[] = [];
  if (!stored) {
    changes.push({ kind: 'policy_added', component: 'policy', path: '', text: `new tariff ${next.id} (${next.name}, ${next.currency})` });
    for (const v of next.versions) changes.push(versionAdded(v));
    return changes;
  }
  for (const field of ['name', 'currency', 'description', 'rounding'] as const) {
    diffValue(stored[field], next[field], [field], (change) => changes.push({
      ...change,
      component: 'policy',
      text: `policy ${describe([field])}: ${changeText(change)}`,
    }));
  }
  const storedById = new Map(stored.versions.map((v) => [v.version, v]));
  const nextIds = new Set(next.versions.map((v) => v.version));
  for (const v of next.versions) {
    const old = storedById.get(v.version);
    if (!old) {
      changes.push(versionAdded(v));
      continue;
    }
    const { version: _id, ...oldBody } = old;
    const { version: _same, ...newBody } = v;
    diffValue(oldBody, newBody, [], (change) => {
      const top = change.segments[0];
      const component = top === 'effective_from' || top === 'effective_to' ? 'dates' : String(top);
      changes.push({ ...change, version: v.version, component, text: `version ${v.version} ${describe(change.segments)}: ${changeText(change)}` });
    });
  }
  for (const v of stored.versions) {
    if (!nextIds.has(v.version)) {
      changes.push({
        kind: 'version_removed', version: v.version, component: 'version', path: '',
        text: `version ${v.version} (${rangeOf(v)}) removed`,
      });
    }
  }
  return changes;
}

function versionAdded(v: TariffVersion): PolicyChange {
  return { kind: 'version_added', version: v.version, component: 'version', path: '', text: `version ${v.version} (${rangeOf(v)}) added` };
}

function rangeOf(v: TariffVersion): string {
  return `${v.effective_from} to ${v.effective_to ?? 'open-ended'}`;
}

interface RawChange {
  kind: 'added' | 'removed' | 'changed';
  path: string;
  segments: PathSegment[];
  from?: string;
  to?: string;
}

/** Deep equality as the diff sees it: decimals by value, null and absent alike. */
export function sameValue(a: unknown, b: unknown): boolean {
  let same = true;
  diffValue(a, b, [], () => {
    same = false;
  });
  return same;
}

function diffValue(a: unknown, b: unknown, segments: PathSegment[], emit: (change: RawChange) => void): void {
  if (a === undefined && b === undefined) return;
  const base = { path: pathText(segments), segments };
  if (a === undefined || a === null) {
    if (b !== undefined && b !== null) emit({ ...base, kind: 'added', to: valueText(b) });
    return;
  }
  if (b === undefined || b === null) {
    emit({ ...base, kind: 'removed', from: valueText(a) });
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) diffValue(a[i], b[i], [...segments, i], emit);
    return;
  }
  if (isObject(a) && isObject(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) diffValue(a[key], b[key], [...segments, key], emit);
    return;
  }
  if (!sameScalar(a, b)) emit({ ...base, kind: 'changed', from: valueText(a), to: valueText(b) });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sameScalar(a: unknown, b: unknown): boolean {
  if ((typeof a === 'string' || typeof a === 'number') && (typeof b === 'string' || typeof b === 'number')) {
    const x = decimalOf(a);
    const y = decimalOf(b);
    if (x && y) return compare(x, y) === 0;
  }
  return a === b;
}

function valueText(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number') {
    const d = decimalOf(value);
    return d ? formatDecimal(d) : String(value);
  }
  return JSON.stringify(value);
}

function changeText(change: RawChange): string {
  if (change.kind === 'added') return `added ${change.to}`;
  if (change.kind === 'removed') return `removed (was ${change.from})`;
  return `${change.from} → ${change.to}`;
}

/** `['energy', 'tiers', 'blocks', 1, 'rate']` → `energy tiers block 2 rate`. */
function describe(segments: readonly PathSegment[]): string {
  const words: string[] = [];
  segments.forEach((segment, i) => {
    if (typeof segment === 'number') {
      const owner = segments[i - 1];
      const noun = owner === 'blocks' ? 'block' : owner === 'fixed' ? 'charge' : owner === 'surcharges' ? 'fund'
        : owner === 'tou_schedule' ? 'rule' : owner === 'seasons' ? 'season' : 'item';
      if (typeof owner === 'string' && ['blocks', 'surcharges', 'tou_schedule', 'seasons'].includes(owner)) words.pop();
      words.push(`${noun} ${segment + 1}`);
    } else {
      words.push(segment.replace(/_/g, ' '));
    }
  });
  return words.join(' ');
}
