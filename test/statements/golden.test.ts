// Golden statements: the inputs in golden/input/ (see fixture.ts) must render exactly the files in
// golden/output/<locale>/. On a mismatch the new rendering is written next to the expected file
// as <name>-changed.<ext> and the test fails: review the difference, then move it over the old one.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Statement } from '../../schemas/statement.js';
import { statementPath } from '../../src/statements/index.js';
import { runCli } from '../helpers.js';
import { PERIOD, statementsFixture, UTILITY, type StatementsFixture } from './fixture.js';

const GOLDEN = join(import.meta.dirname, 'golden', 'output');
const ACCOUNTS = [
  { id: 'RES-TIER-01', region: 'GZ-HZ' },
  { id: 'RES-TOU-02', region: 'GZ-TH' },
  { id: 'IND-2P-03', region: '佛山 南海' },
  { id: 'RES-CORR-04', region: 'GZ-HZ' },
  { id: 'RES-EXCH-05', region: 'GZ-TH' },
];
const FORMATS = ['html', 'txt', 'json'] as const;
const LOCALES = ['en', 'zh-CN'] as const;

let fx: StatementsFixture;
let shardDigits: number;
beforeAll(async () => {
  fx = await statementsFixture();
  for (const locale of LOCALES) {
    const result = await runCli(['statements', '--period', PERIOD, '--out', join(fx.dir, locale), '--format', FORMATS.join(','),
      '--locale', locale, '--utility', UTILITY, '--workers', '2'], fx.db);
    expect(result.code, result.err).toBe(0);
  }
  shardDigits = (JSON.parse(readFileSync(join(fx.dir, 'en', PERIOD, 'manifest.json'), 'utf8')) as { layout: { shard_digits: number } }).layout.shard_digits;
});
afterAll(() => fx?.remove());

function rendered(locale: string, account: { id: string; region: string }, format: string): string {
  return readFileSync(join(fx.dir, locale, PERIOD, statementPath(account.id, account.region, shardDigits, false, format)), 'utf8');
}

describe.each(LOCALES)('golden statements (%s)', (locale) => {
  it.each(ACCOUNTS.flatMap((account) => FORMATS.map((format) => [account.id, format] as const)))('%s.%s', (id, format) => {
    const account = ACCOUNTS.find((a) => a.id === id)!;
    const actual = rendered(locale, account, format);
    const expected = join(GOLDEN, locale, `${id}.${format}`);
    const changed = join(GOLDEN, locale, `${id}-changed.${format}`);
    if (existsSync(expected) && readFileSync(expected, 'utf8') === actual) {
      rmSync(changed, { force: true });
      return;
    }
    mkdirSync(dirname(changed), { recursive: true });
    writeFileSync(changed, actual);
    throw new Error(`${id}.${format} (${locale}) differs from ${expected}; the new rendering is in ${changed}`);
  });

  it('JSON statements follow the published schema and carry what the statement shows', () => {
    for (const account of ACCOUNTS) {
      const statement = Statement.parse(JSON.parse(rendered(locale, account, 'json')));
      const lineTotal = statement.lineItems.reduce((sum, item) => sum + item.amountMinor, 0);
      expect(lineTotal).toBe(statement.bill.amountMinor);
      expect(statement.usage).toHaveLength(13);
      expect(statement.usage.at(-1)).toEqual(statement.comparison.current);
    }
  });
});
