// Problems found in a policy file are values, all reported at once and rendered by one formatter,
// so `billrun tariff validate` can list everything a tariff admin has to fix in one pass.

export const PROBLEM_CODES = [
  'syntax', 'schema', 'unknown_currency', 'invalid_date', 'inverted_range', 'duplicate_version',
  'version_overlap', 'version_gap', 'season_coverage', 'unknown_season', 'missing_season',
  'energy_pricing', 'demand_pricing', 'bounds_not_increasing', 'open_block', 'precision',
  'negative_rate', 'unknown_period', 'rate_cycle', 'schedule_gap', 'schedule_overlap', 'hour_range',
  'missing_pf_standard', 'pf_table_gap', 'pf_table_overlap', 'pf_value', 'unused_schedule',
  'duplicate_holiday',
] as const;
export type ProblemCode = (typeof PROBLEM_CODES)[number];
export type Severity = 'error' | 'warning';

export interface Problem {
  code: ProblemCode;
  severity: Severity;
  /** Where in the policy, e.g. `versions[1].energy.tiers.blocks[2].up_to`; '' for the whole file. */
  path: string;
  message: string;
  /** Set when parsed from text: the file and the 1-based position of the offending value. */
  file?: string;
  line?: number;
  column?: number;
}

export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `['versions', 1, 'tables', '0.90']` → `versions[1].tables["0.90"]`. */
export function pathText(path: readonly PathSegment[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) text += text ? `.${segment}` : segment;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/** `file:line:column: error [code] path: message`, leaving out the parts a problem does not have. */
export function formatProblem(problem: Problem): string {
  let where = problem.file ?? '';
  if (problem.line !== undefined) where += `${where ? ':' : 'line '}${problem.line}${problem.column !== undefined ? `:${problem.column}` : ''}`;
  const head = `${where ? `${where}: ` : ''}${problem.severity} [${problem.code}]`;
  return `${head} ${problem.path ? `${problem.path}: ` : ''}${problem.message}`;
}

export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}

/** Collects problems while validation walks a policy, keeping paths as segment arrays until the end. */
export class ProblemList {
  readonly items: { code: ProblemCode; severity: Severity; path: readonly PathSegment[]; message: string }[] = [];

  error(code: ProblemCode, path: readonly PathSegment[], message: string): void {
    this.items.push({ code, severity: 'error', path, message });
  }

  warning(code: ProblemCode, path: readonly PathSegment[], message: string): void {
    this.items.push({ code, severity: 'warning', path, message });
  }
}
