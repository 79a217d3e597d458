// Finding the version in force on a day, and cutting a service period at version changes.
import type { CompiledTariff, CompiledVersion } from './compile.js';

/** Version in force on `day`, or undefined. Versions are few and sorted, so a scan is fastest. */
export function findVersion(tariff: CompiledTariff, day: number): CompiledVersion | undefined {
  const versions = tariff.versions;
  for (let i = 0; i < versions.length; i++) {
    const v = versions[i]!;
    if (day >= v.fromDay && day < v.toDay) return v;
  }
  return undefined;
}
