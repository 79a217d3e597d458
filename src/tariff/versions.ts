// Finding the version in force on a day, and the days a policy change reaches.
import type { TariffPolicy, TariffVersion } from '../../schemas/tariff.js';
import { epochDay, isoDate } from '../calendar/index.js';
import type { CompiledTariff, CompiledVersion } from './compile.js';
import { sameValue } from './diff.js';

/** Version in force on `day`, or undefined. Versions are few and sorted, so a scan is fastest. */
export function findVersion(tariff: CompiledTariff, day: number): CompiledVersion | undefined {
  const versions = tariff.versions;
  for (let i = 0; i < versions.length; i++) {
    const v = versions[i]!;
    if (day >= v.fromDay && day < v.toDay) return v;
  }
  return undefined;
}

/** Consecutive days, ISO dates inclusive; `to` null = open-ended. */
export interface DayRange {
  from: string;
  to: string | null;
}

/**
 * The days on which a bill could be priced differently under `next` than under `stored`: where
 * the version in force differs (another version, a version only one of them has) or has other
 * terms. Version ids count, not only prices: a bill records the versions that priced it, and a
 * period cut in two at a new boundary is split by days. A currency or rounding change reaches
 * every day either policy covers; a new name or description reaches nothing.
 *
 * So closing a version on a date reaches only the days after it (where its successor now
 * applies), a new version its own days, a changed component the days of its version, a removed
 * version its days.
 */
export function reachOfChange(stored: TariffPolicy, next: TariffPolicy): DayRange[] {
  const everywhere = !sameValue(stored.currency, next.currency) || !sameValue(stored.rounding, next.rounding);
  const boundaries = new Set<number>();
  for (const v of [...stored.versions, ...next.versions]) {
    boundaries.add(epochDay(v.effective_from));
    if (v.effective_to) boundaries.add(epochDay(v.effective_to) + 1);
  }
  const starts = [...boundaries].sort((a, b) => a - b);
  const reached: { first: number; end: number }[] = [];
  // Between two boundaries neither policy changes version, so one day stands for the stretch.
  starts.forEach((first, i) => {
    const end = starts[i + 1] ?? Number.POSITIVE_INFINITY;
    const before = versionOn(stored, first);
    const after = versionOn(next, first);
    if (!before && !after) return;
    if (everywhere || !before || !after || before.version !== after.version || !sameTerms(before, after)) {
      const last = reached.at(-1);
      if (last && last.end === first) last.end = end;
      else reached.push({ first, end });
    }
  });
  return withAnnualSettlements(reached, [...stored.versions, ...next.versions])
    .map((r) => ({ from: isoDate(r.first), to: r.end === Number.POSITIVE_INFINITY ? null : isoDate(r.end - 1) }));
}

/**
 * An annual minimum is settled in December's bill against the amounts billed earlier that year,
 * so a reached day can change that bill even when its own days are not reached: where a version
 * with an annual minimum applies later in the year, the reach runs on to 31 December. This may
 * count a few bills whose price does not change, never miss one that does.
 */
function withAnnualSettlements(reached: { first: number; end: number }[], versions: TariffVersion[]): { first: number; end: number }[] {
  const merged: { first: number; end: number }[] = [];
  for (const range of reached) {
    let end = range.end;
    if (end !== Number.POSITIVE_INFINITY) {
      const yearEnd = epochDay(`${isoDate(end - 1).slice(0, 4)}-12-31`) + 1;
      const settles = versions.some((v) => v.minimum?.annual !== undefined
        && epochDay(v.effective_from) < yearEnd && (!v.effective_to || epochDay(v.effective_to) + 1 > end));
      if (settles) end = Math.max(end, yearEnd);
    }
    const last = merged.at(-1);
    if (last && last.end >= range.first) last.end = Math.max(last.end, end);
    else merged.push({ first: range.first, end });
  }
  return merged;
}

function versionOn(policy: TariffPolicy, day: number): TariffVersion | undefined {
  return policy.versions.find((v) => epochDay(v.effective_from) <= day && (!v.effective_to || day <= epochDay(v.effective_to)));
}

/** Same prices and rules, whatever the dates. */
function sameTerms(a: TariffVersion, b: TariffVersion): boolean {
  const { version: _a, effective_from: _af, effective_to: _at, ...termsA } = a;
  const { version: _b, effective_from: _bf, effective_to: _bt, ...termsB } = b;
  return sameValue(termsA, termsB);
}

export function dayRangeText(range: DayRange): string {
  return range.to === null ? `${range.from} on` : range.from === range.to ? range.from : `${range.from} to ${range.to}`;
}
