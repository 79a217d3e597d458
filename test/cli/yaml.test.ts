// A YAML alias bomb ("billion laughs") in any file billrun reads as YAML is a problem of that
// file: exit 2 naming it, the same words for policies, review rules and utility settings.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers.js';

/** Nine levels of nine aliases: 9^9 strings once expanded. */
function aliasBomb(): string {
  const lines = ['l0: &l0 ["x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 9; i++) lines.push(`l${i}: &l${i} [${Array(9).fill(`*l${i - 1}`).join(',')}]`);
  return `${lines.join('\n')}\n`;
}

const PROBLEM = 'not valid YAML or JSON: Excessive alias count indicates a resource exhaustion attack';

describe('a YAML alias bomb', () => {
  it('in a policy: tariff validate and tariff load exit 2 naming the file, and load changes nothing', async () => {
    const dir = tempDir();
    const bomb = join(dir, 'bomb.yaml');
    writeFileSync(bomb, aliasBomb());
    const db = join(dir, 'store.duckdb');
    const validate = await runCli(['tariff', 'validate', bomb], db);
    expect(validate.code).toBe(2);
    expect(validate.out).toBe(`${bomb}: error [syntax] ${PROBLEM}\n`);
    const load = await runCli(['tariff', 'load', bomb], db);
    expect(load.code).toBe(2);
    expect(load.err).toBe(`billrun: 1 problem in the price policies:\n  ${bomb}: error [syntax] ${PROBLEM}\n`);
    expect((await runCli(['tariff', 'list'], db)).out).not.toContain('GD-RES');
  });

  it('in review rules and utility settings: the same words, exit 2', async () => {
    const dir = tempDir();
    const bomb = join(dir, 'bomb.yaml');
    writeFileSync(bomb, aliasBomb());
    const db = join(dir, 'store.duckdb');
    const bill = await runCli(['bill', '--period', '2024-07', '--rules', bomb], db);
    expect([bill.code, bill.err]).toEqual([2, `billrun: ${bomb}: ${PROBLEM}\n`]);
    const statements = await runCli(['statements', '--period', '2024-07', '--out', join(dir, 'st'), '--utility', bomb], db);
    expect([statements.code, statements.err]).toEqual([2, `billrun: ${bomb}: ${PROBLEM}\n`]);
  });
});

describe('a utility settings file with a wrong value', () => {
  it('is exit 2 naming the file, the line and the field', async () => {
    const dir = tempDir();
    const sample = readFileSync(join(import.meta.dirname, '..', '..', 'samples', 'utility.yaml'), 'utf8');
    const utility = join(dir, 'utility.yaml');
    writeFileSync(utility, sample.replace('  due_days: 15', '  due_days: soon'));
    const line = sample.split('\n').indexOf('  due_days: 15') + 1;
    const result = await runCli(['statements', '--period', '2024-07', '--out', join(dir, 'st'), '--utility', utility], join(dir, 'store.duckdb'));
    expect([result.code, result.err]).toEqual([2, `billrun: ${utility}: line ${line}: payment.due_days: Invalid input: expected number, received string\n`]);
  });
});
