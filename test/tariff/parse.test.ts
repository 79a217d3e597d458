import { describe, expect, it } from 'vitest';
import { formatProblem, parsePolicy, tariffJsonSchema } from '../../src/tariff/index.js';
import { samplePolicy } from './helpers.js';

const yaml = `id: P
name: Parse test
currency: CNY
versions:
  - version: 2024
    effective_from: 2024-01-01
    energy:
      rate: 0.10
    power_factor:
      tables:
        0.90: [{ from: 0.00, to: 1.00, percent: 0 }]
        0.85: [{ from: 0.00, to: 1.00, percent: 0 }]
        0.80: [{ from: 0.00, to: 1.00, percent: 0.50 }]
`;

describe('parsePolicy', () => {
  it('keeps decimals as their exact source text', () => {
    const { policy, problems } = parsePolicy(yaml, 'yaml', 'p.yaml');
    expect(problems).toEqual([]);
    // 0.10 stays "0.10" (a float would say 0.1); `version: 2024` is an id, not a number; the
    // unquoted PF keys 0.90 keep their two decimals.
    expect(policy!.versions[0]!.energy.rate).toBe('0.10');
    expect(policy!.versions[0]!.version).toBe('2024');
    expect(Object.keys(policy!.versions[0]!.power_factor!.tables)).toEqual(['0.90', '0.85', '0.80']);
    expect(policy!.versions[0]!.effective_from).toBe('2024-01-01');
  });

  it('reads JSON the same way', () => {
    const { policy } = parsePolicy(yaml, 'yaml', 'p.yaml');
    const json = JSON.stringify(policy).replace('"0.10"', '0.10');
    const fromJson = parsePolicy(json, 'json', 'p.json');
    expect(fromJson.problems).toEqual([]);
    expect(fromJson.policy).toEqual(policy);
  });

  it('places problems at their line and column', () => {
    const text = yaml.replace('rate: 0.10', 'rate: -0.10');
    const { policy, problems } = parsePolicy(text, 'yaml', 'p.yaml');
    expect(policy).toBeUndefined();
    expect(problems.map(formatProblem)).toEqual(['p.yaml:8:13: error [negative_rate] versions[0].energy.rate: must not be negative']);
  });

  it('reports YAML syntax errors with line numbers', () => {
    const { problems } = parsePolicy('id: P\nversions: [1, 2\nname: x\n', 'yaml', 'bad.yaml');
    expect(problems[0]).toMatchObject({ code: 'syntax', severity: 'error', file: 'bad.yaml', line: 3 });
  });

  it('reports JSON syntax errors with line numbers', () => {
    const { problems } = parsePolicy('{\n  "id": "P",\n  "name": "x",\n}\n', 'json', 'bad.json');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: 'syntax', file: 'bad.json', line: 4, column: 1 });
  });

  it('rejects duplicate keys', () => {
    const { problems } = parsePolicy('id: P\nid: Q\n', 'yaml', 'dup.yaml');
    expect(problems[0]).toMatchObject({ code: 'syntax', line: 2 });
  });
});

describe('tariffJsonSchema', () => {
  it('describes the policy format', () => {
    const schema = tariffJsonSchema() as { title: string; required: string[]; properties: Record<string, unknown> };
    expect(schema.title).toBe('billrun price policy');
    expect(schema.required).toEqual(['id', 'name', 'currency', 'versions']);
    expect(Object.keys(schema.properties)).toEqual(['id', 'name', 'currency', 'description', 'rounding', 'intervals', 'versions']);
    expect(JSON.stringify(schema)).toContain('tier_surcharge');
    // `tariff schema` documents the interval rules (issue 16).
    expect(Object.keys((schema.properties.intervals as { properties: object }).properties)).toEqual(['demand_minutes', 'interpolate_up_to_minutes', 'spike_factor']);
  });

  it('round-trips sample policies through JSON', () => {
    const policy = samplePolicy('IND-2P');
    expect(parsePolicy(JSON.stringify(policy, null, 2), 'json', 'IND-2P.json').policy).toEqual(policy);
  });
});
