// Golden texts: the agent's script and the customer text of the scenarios, in every locale,
// must read exactly as the files in golden/. On a mismatch the new text is written beside the
// expected file as <name>-changed.txt and the test fails: read it, then move it over the old one.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { STATEMENT_LOCALES } from '../../schemas/utility.js';
import { explainChange } from '../../src/explain/index.js';
import { scenarios } from './scenarios.js';

const GOLDEN = join(import.meta.dirname, 'golden');
const all = scenarios();

describe.each(STATEMENT_LOCALES)('explanation texts (%s)', (locale) => {
  it.each(Object.keys(all))('%s', (name) => {
    const { bill, change } = all[name]!;
    const { agent, customer } = explainChange(bill, change, true).text[locale];
    const actual = `${agent}\n\n${customer}\n`;
    const expected = join(GOLDEN, `${name}.${locale}.txt`);
    const changed = join(GOLDEN, `${name}.${locale}-changed.txt`);
    if (existsSync(expected) && readFileSync(expected, 'utf8') === actual) {
      rmSync(changed, { force: true });
      return;
    }
    writeFileSync(changed, actual);
    throw new Error(`${name} (${locale}) differs from ${expected}; the new text is in ${changed}`);
  });
});
