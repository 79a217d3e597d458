// One test per kind of bad policy: each asserts the problem's code, path and message.
import { describe, expect, it } from 'vitest';
import { formatProblem, type Problem, tariffJsonSchema, validatePolicy } from '../../src/tariff/index.js';

const base = () => ({
  id: 'T',
  name: 'Test',
  currency: 'CNY',
  versions: [
    {
      version: 'v1',
      effective_from: '2020-01-01',
      effective_to: '2024-12-31',
      energy: { tiers: { blocks: [{ up_to: 200, rate: '0.5' }, { up_to: 400, rate: '0.55' }, { rate: '0.8' }] } },
    },
    { version: 'v2', effective_from: '2025-01-01', energy: { rate: '0.6' } },
  ],
});

type Policy = ReturnType<typeof base> & Record<string, unknown>;

function problemsOf(edit: (p: Policy) => void): Pick<Problem, 'code' | 'path' | 'message'>[] {
  const policy = base() as Policy;
  edit(policy);
  const { policy: valid, problems } = validatePolicy(policy);
  if (problems.some((p) => p.severity === 'error')) expect(valid).toBeUndefined();
  return problems.map(({ code, path, message }) => ({ code, path, message }));
}

const v = (p: Policy, i: number) => p.versions[i] as Record<string, unknown>;
const tou = {
  rates: { peak: 1, flat: 0.6, valley: 0.3 },
};

describe('policy validation', () => {
  it('accepts the base policy', () => {
    expect(validatePolicy(base())).toEqual({ policy: base(), problems: [] });
  });

  it('reports overlapping effective ranges', () => {
    expect(problemsOf((p) => { v(p, 1).effective_from = '2024-12-01'; })).toEqual([{
      code: 'version_overlap', path: 'versions[1].effective_from',
      message: 'starts 2024-12-01, but version v1 (versions[0]) runs to 2024-12-31',
    }]);
  });

  it('reports an open-ended version followed by another', () => {
    expect(problemsOf((p) => { delete v(p, 0).effective_to; })).toEqual([{
      code: 'version_overlap', path: 'versions[1].effective_from', message: 'starts 2025-01-01, but version v1 (versions[0]) is open-ended',
    }]);
  });

  it('reports gaps between versions', () => {
    expect(problemsOf((p) => { v(p, 1).effective_from = '2025-01-15'; })).toEqual([{
      code: 'version_gap', path: 'versions[1].effective_from',
      message: 'leaves 2025-01-01 to 2025-01-14 without a version in force (version v1 (versions[0]) ends 2024-12-31)',
    }]);
  });

  it('reports an inverted range, a date that does not exist and a reused version id', () => {
    expect(problemsOf((p) => { v(p, 0).effective_to = '2019-06-30'; })).toContainEqual({
      code: 'inverted_range', path: 'versions[0].effective_to', message: 'must not be before effective_from (2020-01-01)',
    });
    expect(problemsOf((p) => { v(p, 1).effective_from = '2025-02-30'; })).toEqual([{
      code: 'invalid_date', path: 'versions[1].effective_from', message: '2025-02-30 is not a calendar date',
    }]);
    expect(problemsOf((p) => { v(p, 1).version = 'v1'; })).toEqual([{
      code: 'duplicate_version', path: 'versions[1].version', message: 'version v1 is already used by versions[0]',
    }]);
  });

  it('reports tier bounds that do not increase', () => {
    expect(problemsOf((p) => { (v(p, 0).energy as { tiers: { blocks: { up_to?: number }[] } }).tiers.blocks[1]!.up_to = 150; })).toEqual([{
      code: 'bounds_not_increasing', path: 'versions[0].energy.tiers.blocks[1].up_to', message: 'must be greater than 200',
    }]);
  });

  it('names the season when seasonal bounds do not increase', () => {
    expect(problemsOf((p) => {
      v(p, 0).seasons = [{ id: 'summer', months: [5, 6, 7, 8, 9, 10] }, { id: 'other', months: [1, 2, 3, 4, 11, 12] }];
      v(p, 0).energy = { tiers: { blocks: [{ up_to: { summer: 260, other: 400 }, rate: 0.5 }, { up_to: { summer: 600, other: 400 }, rate: 0.6 }, { rate: 0.8 }] } };
    })).toEqual([{ code: 'bounds_not_increasing', path: 'versions[0].energy.tiers.blocks[1].up_to', message: 'must be greater than 400 in season other' }]);
  });

  it('reports blocks that are not open-ended at the end only', () => {
    expect(problemsOf((p) => { v(p, 0).energy = { tiers: { blocks: [{ rate: 0.5 }, { up_to: 400, rate: 0.6 }] } }; })).toEqual([
      { code: 'open_block', path: 'versions[0].energy.tiers.blocks[0].up_to', message: 'is required on every block but the last' },
      { code: 'open_block', path: 'versions[0].energy.tiers.blocks[1].up_to', message: 'must be left out: the last block is open-ended' },
    ]);
  });

  it('reports negative rates', () => {
    expect(problemsOf((p) => { v(p, 1).energy = { rate: '-0.6' }; })).toEqual([
      { code: 'negative_rate', path: 'versions[1].energy.rate', message: 'must not be negative' },
    ]);
    expect(problemsOf((p) => { v(p, 1).energy = { rate: -0.6 }; })).toEqual([
      { code: 'negative_rate', path: 'versions[1].energy.rate', message: 'must not be negative' },
    ]);
  });

  it('reports an unknown currency', () => {
    const [problem] = problemsOf((p) => { p.currency = 'XYZ'; });
    expect(problem).toMatchObject({ code: 'unknown_currency', path: 'currency' });
    expect(problem!.message).toMatch(/^unknown currency XYZ \(accepted: .*CNY.*\)$/);
  });

  it('reports unknown fields (typos) and missing ones', () => {
    expect(problemsOf((p) => { v(p, 1).efective_to = '2025-12-31'; delete (p as Partial<Policy>).name; })).toEqual([
      { code: 'schema', path: 'name', message: 'is required' },
      { code: 'schema', path: 'versions[1].efective_to', message: 'unknown field "efective_to"' },
    ]);
  });

  it('needs exactly one way to price energy', () => {
    expect(problemsOf((p) => { v(p, 1).energy = { rate: 0.6, tou }; })).toEqual([
      { code: 'energy_pricing', path: 'versions[1].energy', message: 'must have exactly one of rate, tiers or tou (found rate and tou)' },
    ]);
  });

  it('reports unknown TOU periods, derivations from unpriced periods and cycles', () => {
    expect(problemsOf((p) => { v(p, 1).energy = { tou: { rates: { peak: 1, offpeak: 0.5 } } }; })).toEqual([
      { code: 'unknown_period', path: 'versions[1].energy.tou.rates.offpeak', message: 'unknown TOU period "offpeak" (periods are sharp, peak, flat, valley)' },
    ]);
    expect(problemsOf((p) => { v(p, 1).energy = { tou: { rates: { flat: 0.6, sharp: { of: 'peak', times: 1.25 } } } }; })).toEqual([
      { code: 'unknown_period', path: 'versions[1].energy.tou.rates.sharp.of', message: 'derives from peak, which has no price' },
    ]);
    expect(problemsOf((p) => { v(p, 1).energy = { tou: { rates: { flat: { of: 'peak' }, peak: { of: 'flat', times: 1.7 } } } }; })).toEqual([
      { code: 'rate_cycle', path: 'versions[1].energy.tou.rates.peak.of', message: 'derived prices form a cycle: peak → flat → peak' },
    ]);
  });

  it('reports a TOU schedule that does not cover every hour, or covers one twice', () => {
    expect(problemsOf((p) => {
      v(p, 1).energy = { tou };
      v(p, 1).tou_schedule = [
        { months: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], days: 'weekday', periods: { valley: '0-8', flat: '8-10, 12-24', peak: '10-12' } },
        { months: [1, 2, 3, 4, 5, 6], days: 'weekend', periods: { valley: '0-8', flat: '8-24' } },
      ];
    })).toEqual([
      { code: 'schedule_gap', path: 'versions[1].tou_schedule', message: 'weekend hours 0-24 have no TOU period in months 7–12' },
    ]);
    expect(problemsOf((p) => {
      v(p, 1).energy = { tou };
      v(p, 1).tou_schedule = [
        { months: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], days: 'all', periods: { valley: '0-8', flat: '8-24' } },
        { months: [7, 8], days: 'weekday', periods: { peak: '10-11' } },
      ];
    })).toEqual([
      { code: 'schedule_overlap', path: 'versions[1].tou_schedule[1]', message: 'in months 7–8: weekday hour 10 is both flat and peak' },
    ]);
  });

  it('reports bad hour ranges and scheduled periods without a price', () => {
    expect(problemsOf((p) => {
      v(p, 1).energy = { tou };
      v(p, 1).tou_schedule = [{ months: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], days: 'all', periods: { valley: '0-8', flat: '8-23', sharp: '22-25' } }];
    })).toEqual([
      { code: 'hour_range', path: 'versions[1].tou_schedule[0].periods.sharp', message: 'hour range 22-25 must lie within 0-24 with its start before its end (end exclusive)' },
      { code: 'unknown_period', path: 'versions[1].tou_schedule[0].periods.sharp', message: 'sharp has no price in energy.tou.rates' },
      { code: 'schedule_gap', path: 'versions[1].tou_schedule', message: 'weekday hours 23-24 have no TOU period in months 1–12' },
      { code: 'schedule_gap', path: 'versions[1].tou_schedule', message: 'weekend hours 23-24 have no TOU period in months 1–12' },
    ]);
    expect(problemsOf((p) => {
      v(p, 1).energy = { tou };
      v(p, 1).tou_schedule = [{ months: [1], days: 'all', periods: { shoulder: '0-24' } }];
    })[0]).toEqual({ code: 'unknown_period', path: 'versions[1].tou_schedule[0].periods.shoulder', message: 'unknown TOU period "shoulder" (periods are sharp, peak, flat, valley)' });
  });

  it('needs seasons to cover the year and season maps to match them', () => {
    expect(problemsOf((p) => {
      v(p, 1).seasons = [{ id: 'summer', months: [6, 7, 8] }, { id: 'winter', months: [12, 1, 2, 8] }];
      v(p, 1).energy = { rate: { summer: 0.7, wintr: 0.6 } };
    })).toEqual([
      { code: 'season_coverage', path: 'versions[1].seasons[1].months', message: 'month 8 is already in season summer' },
      { code: 'season_coverage', path: 'versions[1].seasons', message: 'months 3, 4, 5, 9, 10, 11 are in no season' },
      { code: 'unknown_season', path: 'versions[1].energy.rate.wintr', message: 'unknown season "wintr" (seasons are summer, winter)' },
      { code: 'missing_season', path: 'versions[1].energy.rate', message: 'no value for season winter' },
    ]);
    expect(problemsOf((p) => { v(p, 1).energy = { rate: { summer: 0.7 } }; })).toEqual([
      { code: 'unknown_season', path: 'versions[1].energy.rate', message: 'values per season need `seasons` in the version' },
    ]);
  });

  it('reports a missing PF standard, gaps, overlaps and bad PF values', () => {
    const full = [{ from: 0.9, to: 1, percent: 0 }, { from: 0, to: 0.89, percent: 0.5, step_percent: 0.5, step_from: 0.9 }];
    expect(problemsOf((p) => { v(p, 1).power_factor = { tables: { '0.90': full, '0.80': full } }; })).toEqual([
      { code: 'missing_pf_standard', path: 'versions[1].power_factor.tables', message: 'no table for PF standard 0.85 (accounts may have 0.90, 0.85 or 0.80)' },
    ]);
    expect(problemsOf((p) => {
      v(p, 1).power_factor = { tables: { '0.90': [{ from: 0.9, to: 1, percent: 0 }, { from: '0.50', to: 0.9, percent: 1 }], '0.85': full, '0.80': [{ from: 1.2, to: 1, percent: 0 }] } };
    })).toEqual([
      { code: 'pf_table_overlap', path: 'versions[1].power_factor.tables["0.90"][1]', message: 'PF 0.90 is already in band 0' },
      { code: 'pf_table_gap', path: 'versions[1].power_factor.tables["0.90"]', message: 'PF 0.00–0.49 is in no band' },
      { code: 'pf_value', path: 'versions[1].power_factor.tables["0.80"][0].from', message: 'must be a power factor between 0 and 1 with at most two decimals' },
    ]);
  });

  it('checks demand pricing against its basis', () => {
    expect(problemsOf((p) => { v(p, 1).demand = { basis: 'max_demand_or_contract', rate: 30, penalty: { above: 1.05, multiple: 2 } }; })).toEqual([
      { code: 'demand_pricing', path: 'versions[1].demand.contract_rate', message: 'is required with basis max_demand_or_contract' },
    ]);
    expect(problemsOf((p) => { v(p, 1).demand = { basis: 'contract', contract_rate: 20, penalty: { above: 1.05, multiple: 2 } }; })).toEqual([
      { code: 'demand_pricing', path: 'versions[1].demand.penalty', message: 'needs basis max_demand or max_demand_or_contract with a single rate to multiply' },
    ]);
  });

  it('takes money amounts with any decimals, as fixed amounts, and quantities to the Wh', () => {
    // A minimum is money like a fixed amount: any decimals, rounded half-up when billed (issue 16).
    expect(problemsOf((p) => { v(p, 1).minimum = { monthly: '15.001' }; })).toEqual([]);
    expect(problemsOf((p) => { v(p, 1).energy = { tiers: { blocks: [{ up_to: '200.0001', rate: 0.5 }, { rate: 0.6 }] } }; })).toEqual([
      { code: 'precision', path: 'versions[1].energy.tiers.blocks[0].up_to', message: 'quantities have at most 3 decimals (1 Wh)' },
    ]);
  });

  it('refuses a negative decimal text as negative, and the JSON Schema admits no sign the validator refuses', () => {
    expect(problemsOf((p) => { v(p, 1).energy = { rate: '-0.6' }; })).toEqual([
      { code: 'negative_rate', path: 'versions[1].energy.rate', message: 'must not be negative' },
    ]);
    expect(problemsOf((p) => { v(p, 1).energy = { rate: '+0.6' }; })).toEqual([]);
    const patterns: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) if (key === 'pattern') patterns.push(String(value)); else walk(value);
      }
    };
    const schema = tariffJsonSchema() as { properties: { versions: { items: { properties: { energy: unknown } } } } };
    walk(schema.properties.versions.items.properties.energy);
    expect(patterns.length).toBeGreaterThan(0);
    for (const pattern of patterns) expect(new RegExp(pattern).test('-1'), pattern).toBe(false);
  });

  it('documents the default block labels as bills print them', () => {
    const text = JSON.stringify(tariffJsonSchema());
    expect(text).toContain('Default \\"Tier n\\" in energy tiers, \\"Tier surcharge n\\" in a tier_surcharge');
  });

  it('reports every problem at once', () => {
    const problems = problemsOf((p) => {
      p.currency = 'XXX';
      v(p, 0).energy = { tiers: { blocks: [{ up_to: 400, rate: -1 }, { up_to: 300, rate: 0.6 }, { rate: 0.9 }] } };
      v(p, 1).effective_from = '2025-02-01';
      v(p, 1).energy = { tou: { rates: { peak: 1, offpeak: 0.5 } } };
      v(p, 1).power_factor = { tables: {} };
    });
    expect(problems.map((p) => p.code).sort()).toEqual([
      'bounds_not_increasing', 'missing_pf_standard', 'missing_pf_standard', 'missing_pf_standard', 'negative_rate',
      'unknown_currency', 'unknown_period', 'version_gap',
    ]);
  });
});

describe('formatProblem', () => {
  it('renders file, line, severity, code, path and message', () => {
    expect(formatProblem({ code: 'bounds_not_increasing', severity: 'error', path: 'versions[1].energy.tiers.blocks[2].up_to', message: 'must be greater than 400', file: 'GD.yaml', line: 14, column: 21 }))
      .toBe('GD.yaml:14:21: error [bounds_not_increasing] versions[1].energy.tiers.blocks[2].up_to: must be greater than 400');
    expect(formatProblem({ code: 'syntax', severity: 'error', path: '', message: 'bad', line: 3 })).toBe('line 3: error [syntax] bad');
    expect(formatProblem({ code: 'unused_schedule', severity: 'warning', path: 'versions[0].holidays', message: 'm' }))
      .toBe('warning [unused_schedule] versions[0].holidays: m');
  });
});
