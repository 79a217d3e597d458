// Review rules from a YAML or JSON file, validated at the boundary. Without a file the package's
// own samples/rules.yaml applies: the shipped defaults live in one place, as data.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReviewRules } from '../../schemas/rules.js';
import { assertReadable } from '../diagnostics/index.js';
import { sourceDir } from '../store/sql.js';
import { validatedYamlFile } from '../text/yaml.js';

/** The defaults shipped with the package. */
export const DEFAULT_RULES_FILE = join(sourceDir(import.meta.url), '..', '..', 'samples', 'rules.yaml');

export function loadRules(path: string | undefined): ReviewRules {
  const file = path ?? DEFAULT_RULES_FILE;
  assertReadable(file);
  return validatedYamlFile(readFileSync(file, 'utf8'), file, ReviewRules);
}
