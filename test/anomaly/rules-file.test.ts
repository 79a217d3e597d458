// The rules file at the boundary: the shipped defaults, per-class overrides, and one clear
// message for a file that is not a rule set.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULE_IDS } from '../../schemas/rules.js';
import { DEFAULT_RULES_FILE, loadRules } from '../../src/anomaly/index.js';
import { FatalError } from '../../src/diagnostics/index.js';
import { tempDir } from '../helpers.js';

const minimal = (classes: string) => `
version: test-1
effective_from: "2026-03-01"
rules:
${RULE_IDS.map((id) => `  ${id}: { severity: hold, likelihood: 0.5 }`).join('\n')}
defaults:
  mom_change: 0.5
  yoy_change: 0.5
  baseline_change: 0.5
  rise_change: 0.6
  spread_z: 4
  min_spread: 0.04
  spread_prior_periods: 3
  small_stake_minor: 3000
  min_change_kwh: 50
  min_baseline_periods: 3
  min_peers: 30
  vacancy_share: 0
  estimated_streak: 3
  catch_up_share: 0.3
  amount_change: 0.5
  min_change_amount_minor: 5000
  min_amount_minor: 0
  max_amount_minor: 500000
  demand_change: 1
  pf_change: 0.1
  capacity_share: 0.5
  register_tolerance: 0.02
${classes}`;

function file(text: string, name = 'rules.yaml'): string {
  const path = join(tempDir(), name);
  writeFileSync(path, text);
  return path;
}

function failure(path: string): string {
  try {
    loadRules(path);
  } catch (error) {
    expect(error).toBeInstanceOf(FatalError);
    return (error as Error).message;
  }
  throw new Error('expected the rules to be rejected');
}

describe('rules file', () => {
  it('ships samples/rules.yaml as the defaults, every class resolved', () => {
    const rules = loadRules(undefined);
    expect(DEFAULT_RULES_FILE.endsWith(join('samples', 'rules.yaml'))).toBe(true);
    expect(rules.version).toBe('2026.15');
    expect(Object.keys(rules.rules).sort()).toEqual([...RULE_IDS].sort());
    expect(rules.classes.residential.vacancy_share).toBe(0.1);
    expect(rules.classes.commercial.vacancy_share).toBe(0);
    expect(rules.classes.industrial.mom_change).toBe(0.2);
    expect(rules.classes.industrial.spread_z).toBe(4);
    expect(rules.classes.agricultural.capacity_share).toBe(rules.classes.residential.capacity_share);
  });

  it('applies a class override to that class only', () => {
    const rules = loadRules(file(minimal('classes:\n  industrial:\n    mom_change: 0.2\n')));
    expect(rules.classes.industrial.mom_change).toBe(0.2);
    expect(rules.classes.industrial.yoy_change).toBe(0.5);
    expect(rules.classes.residential.mom_change).toBe(0.5);
  });

  it('reads JSON as well', () => {
    const json = JSON.stringify(loadRulesSource());
    expect(loadRules(file(json, 'rules.json')).version).toBe('test-1');
  });

  it('names the offending field of an invalid file', () => {
    expect(failure(file(minimal('classes:\n  industrial:\n    mom_change: -1\n')))).toMatch(/rules\.yaml: line \d+: classes\.industrial\.mom_change: /);
    expect(failure(file(minimal('classes:\n  industrial:\n    mom_chnage: 0.2\n')))).toMatch(/classes\.industrial: .*mom_chnage/);
    expect(failure(file(minimal('').replace('severity: hold', 'severity: urgent')))).toMatch(/rules\.mom_kwh_per_day\.severity/);
    expect(failure(file(minimal('').replace(/ {2}duplicate_reads:.*\n/, '')))).toMatch(/rules\.duplicate_reads/);
  });

  it('names the line of the offending field, of an unknown key and of a syntax error', () => {
    // minimal() ends with a newline: what is appended starts on this line.
    const classes = minimal('').split('\n').length;
    const negative = file(minimal('classes:\n  industrial:\n    mom_change: -1\n'));
    expect(failure(negative)).toBe(`${negative}: line ${classes + 2}: classes.industrial.mom_change: Too small: expected number to be >0`);
    const misspelt = file(minimal('classes:\n  industrial:\n    # a comment\n    mom_chnage: 0.2\n'));
    expect(failure(misspelt)).toBe(`${misspelt}: line ${classes + 3}: classes.industrial: Unrecognized key: "mom_chnage"`);
    const unclosed = file('version: test-1\nrules: [unclosed\nmore: 1\n');
    expect(failure(unclosed)).toMatch(new RegExp(`^${unclosed}: line \\d+: not valid YAML or JSON: [^\\n]+[^:]$`));
  });

  it('rejects a file that is not YAML, and a missing file', () => {
    expect(failure(file('version: [unclosed'))).toMatch(/not valid YAML or JSON/);
    expect(failure(join(tempDir(), 'absent.yaml'))).toMatch(/no such file/);
  });
});

function loadRulesSource(): unknown {
  const rules = loadRules(file(minimal('')));
  const { classes: _resolved, ...rest } = rules;
  return { ...rest, defaults: rules.classes.residential };
}
