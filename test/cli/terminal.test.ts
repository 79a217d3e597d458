// What billrun prints cannot drive the terminal, and what it writes for spreadsheets cannot run
// as a formula: a customer name with escape sequences, an account id starting with '-'.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureEffects } from '../../src/cli/effects.js';
import { main } from '../../src/cli/index.js';
import { runCli, tempDir } from '../helpers.js';
import { PERIOD, smallStore } from './fixture.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe('text from data on the terminal and in errors.csv', () => {
  it('review show prints a name with escape sequences as spaces; errors.csv neutralises an id starting with -', async () => {
    const { db, out } = await smallStore(tempDir());
    const show = await runCli(['review', 'show', 'A1', '--period', PERIOD], db);
    expect(show.code, show.err).toBe(0);
    expect(show.out.split('\n')[0]).toBe('A1  Evil ]0;PWNED  [2J — 1 Road');
    expect(show.out).not.toMatch(CONTROL);
    // The stored name is unchanged: only what reaches the terminal is made safe.
    const json = await runCli(['review', 'show', 'A1', '--period', PERIOD, '--json'], db);
    expect((JSON.parse(json.out) as { account: { name: string } }).account.name).toBe('Evil\x1b]0;PWNED\x07\x1b[2J');

    const errors = readFileSync(join(out, PERIOD, 'errors.csv'), 'utf8').split('\r\n');
    expect(errors[0]).toBe('account_id,code,message');
    expect(errors[1]).toMatch(/^'-A2,/);
  });

  it('an argument with escape sequences comes back in the error message without them', async () => {
    const effects = captureEffects({});
    const code = await main(['--db', join(tempDir(), 'store.duckdb'), 'tariff', 'show', 'X\x1b]0;PWNED\x07\x1b[2J'], effects);
    expect(code).toBe(2);
    expect(effects.err).toBe("billrun: no tariff 'X ]0;PWNED  [2J' in the store (billrun tariff list shows what is there)\n");
  });
});
