import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sourceDir } from '../store/index.js';

/** The package version, read once from package.json so there is one place to change it. */
export const VERSION: string = (JSON.parse(readFileSync(join(sourceDir(import.meta.url), '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
