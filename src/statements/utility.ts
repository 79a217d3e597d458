// The utility config file (schemas/utility.ts), validated at the boundary. Without a file the
// package's samples/utility.yaml applies, as the sample review rules do for `bill`.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UtilityConfig } from '../../schemas/utility.js';
import { assertReadable } from '../diagnostics/index.js';
// From the module, not the store's index: this runs in the statement workers, which must not load DuckDB.
import { sourceDir } from '../store/sql.js';
import { validatedYamlFile } from '../text/yaml.js';

export const SAMPLE_UTILITY_FILE = join(sourceDir(import.meta.url), '..', '..', 'samples', 'utility.yaml');

export interface LoadedUtility {
  file: string;
  sha256: string;
  config: UtilityConfig;
}

export function loadUtility(path: string | undefined): LoadedUtility {
  const file = path ?? SAMPLE_UTILITY_FILE;
  assertReadable(file);
  const text = readFileSync(file, 'utf8');
  const config = validatedYamlFile(text, file, UtilityConfig);
  return { file, sha256: createHash('sha256').update(text).digest('hex'), config };
}
