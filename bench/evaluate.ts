// The review rules' evaluation over several generated data sets: seeds, anomaly rates, volatility
// levels, noise memory, heated homes, heat-wave sizes and region counts the rules were not tuned on. Each setting is generated, loaded and billed
// through the CLI exactly as a clerk would, then `billrun evaluate` scores the last 12 periods
// (they hold the heat wave and the tariff change). Data stays under --out (default a temp dir);
// results go to <out>/results.json and a markdown summary to stdout (bench/evaluation.md quotes it).
//
//   npx tsc -p . && node dist/bench/evaluate.js [--out DIR] [--accounts N] [--only NAME,...] [--rules FILE]
//
// Settings run in separate streams (--only, each with its own --out) print as one set of tables with
//   node dist/bench/evaluate.js --merge DIR,DIR,... --accounts N   (each DIR holding a results.json; N as run)
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { EvaluationReport } from '../src/anomaly/index.js';
import { billrun, BIN } from './cli.js';

interface Setting {
  name: string;
  seed: number;
  anomalyRate: number;
  regions: number;
  heatWaveSize: number;
  volatility: number;
  /** Lag-one autocorrelation of each account's monthly swings (generate --noise-memory); 0 when absent. */
  noiseMemory?: number;
  /** Share of electrically heated homes (generate --heating-share); 0 when absent. */
  heatingShare?: number;
}

const SETTINGS: Setting[] = [
  { name: 'seed7', seed: 7, anomalyRate: 0.01, regions: 5, heatWaveSize: 0.35, volatility: 1 },
  { name: 'seed11', seed: 11, anomalyRate: 0.01, regions: 5, heatWaveSize: 0.35, volatility: 1 },
  { name: 'seed23', seed: 23, anomalyRate: 0.01, regions: 5, heatWaveSize: 0.35, volatility: 1 },
  { name: 'rate0.5', seed: 5, anomalyRate: 0.005, regions: 5, heatWaveSize: 0.35, volatility: 1 },
  { name: 'rate3', seed: 13, anomalyRate: 0.03, regions: 5, heatWaveSize: 0.35, volatility: 1 },
  { name: 'calm', seed: 29, anomalyRate: 0.01, regions: 5, heatWaveSize: 0.35, volatility: 0.5 },
  { name: 'volatile', seed: 37, anomalyRate: 0.01, regions: 5, heatWaveSize: 0.35, volatility: 2 },
  { name: 'regions2', seed: 19, anomalyRate: 0.01, regions: 2, heatWaveSize: 0.8, volatility: 1 },
  { name: 'memory0.5', seed: 41, anomalyRate: 0.01, regions: 5, heatWaveSize: 0.35, volatility: 1, noiseMemory: 0.5 },
  { name: 'memory0.8', seed: 43, anomalyRate: 0.01, regions: 5, heatWaveSize: 0.35, volatility: 1, noiseMemory: 0.8 },
  { name: 'heating0.2', seed: 47, anomalyRate: 0.01, regions: 5, heatWaveSize: 0.35, volatility: 1, heatingShare: 0.2 },
  { name: 'regions20', seed: 31, anomalyRate: 0.01, regions: 20, heatWaveSize: 0.6, volatility: 1 },
];

const MONTHS = 25;
const START = '2024-01';
const FROM = '2025-02';
const TO = '2026-01';
const TOP_SHARE = 0.005;

interface Result {
  setting: Setting;
  heatWave: { region: string; period: string; size: number } | null;
  tariffChange: { tariffId: string; effectiveFrom: string } | null;
  billSeconds: number;
  report: EvaluationReport;
}

function runSetting(setting: Setting, out: string, accounts: number, rules: string | undefined): Result {
  const dir = join(out, setting.name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const data = join(dir, 'data');
  const db = join(dir, 'store.duckdb');
  const summary = JSON.parse(billrun(['generate', '--accounts', String(accounts), '--months', String(MONTHS), '--start', START,
    '--seed', String(setting.seed), '--anomaly-rate', String(setting.anomalyRate), '--regions', String(setting.regions),
    '--heat-wave-size', String(setting.heatWaveSize), '--volatility', String(setting.volatility),
    '--noise-memory', String(setting.noiseMemory ?? 0), '--heating-share', String(setting.heatingShare ?? 0), '--out', data, '--json']).out) as Record<string, unknown>;
  const tariffs = readdirSync(join(data, 'tariffs')).map((f) => join(data, 'tariffs', f));
  billrun(['--db', db, 'tariff', 'load', ...tariffs]);
  billrun(['--db', db, 'load', 'accounts', join(data, 'accounts.csv')]);
  billrun(['--db', db, 'load', 'readings', ...readdirSync(data).filter((f) => /^(readings|intervals)\./.test(f)).map((f) => join(data, f))]);
  const billSeconds = billrun(['--db', db, 'bill', '--from', START, '--to', TO, '--out', join(dir, 'out'), ...(rules ? ['--rules', rules] : [])]).ms / 1000;
  // Each period's list cut at 0.5% of the bills: what a reviewer gets through first.
  const top = String(Math.max(1, Math.round(accounts * TOP_SHARE)));
  const report = JSON.parse(billrun(['--db', db, 'evaluate', '--labels', join(data, 'labels.csv'), '--from', FROM, '--to', TO, '--top', top, '--json']).out) as EvaluationReport;
  return {
    setting, billSeconds, report,
    heatWave: (summary.heatWave ?? null) as Result['heatWave'],
    tariffChange: (summary.tariffChange ?? null) as Result['tariffChange'],
  };
}

const pct = (x: number | null, digits = 1) => (x === null ? '–' : `${(100 * x).toFixed(digits)}%`);

function markdown(results: Result[], accounts: number): string {
  const ratio = (x: number | null) => (x === null ? '–' : `${x.toFixed(2)}×`);
  const lines = [
    `${accounts.toLocaleString('en-US')} accounts per setting, periods ${FROM}..${TO} (12), rules ${[...new Set(results.flatMap((r) => r.report.window.rules_versions))].join(', ')}.`,
    '',
    `| setting | seed | anomaly rate | volatility | noise memory | heated homes | regions | heat wave | true rate | flag rate (× true) | precision | recall | recall months 2–6 | industrial precision | top ${pct(TOP_SHARE)} precision | heat-wave bills flagged / all bills | naive: flag rate, precision, recall, heat-wave bills flagged |`,
    '|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---|',
  ];
  for (const r of results) {
    const s = r.setting;
    const w = r.report.window;
    const b = r.report.billrun;
    const n = r.report.naive;
    const hot = r.report.by_kind['heat_wave (legitimate)'];
    lines.push(`| ${s.name} | ${s.seed} | ${pct(s.anomalyRate, 1)} | ${s.volatility} | ${s.noiseMemory ?? 0} | ${pct(s.heatingShare ?? 0, 0)} | ${s.regions} | ${r.heatWave ? `${r.heatWave.region} ${r.heatWave.period} +${Math.round(100 * r.heatWave.size)}%` : '–'} ` +
      `| ${pct(w.anomaly_rate, 2)} | ${pct(b.flag_rate, 2)} (${ratio(b.flag_ratio)}) | ${pct(b.precision)} | ${pct(b.recall)} | ${pct(b.recall_persisting)} ` +
      `| ${pct(r.report.by_class.industrial?.billrun.precision ?? null)} | ${pct(b.top_k_precision)} | ${pct(hot?.billrun_flagged ?? null, 2)} / ${pct(b.flag_rate, 2)} ` +
      `| ${pct(n.flag_rate, 1)}, ${pct(n.precision)}, ${pct(n.recall)}, ${pct(hot?.naive_flagged ?? null, 1)} |`);
  }
  const kinds = [...new Set(results.flatMap((r) => Object.keys(r.report.by_kind)))].sort();
  lines.push('', '| bills flagged by label kind (billrun / naive) | ' + results.map((r) => r.setting.name).join(' | ') + ' |',
    '|---|' + results.map(() => '---:').join('|') + '|');
  for (const kind of kinds) {
    lines.push(`| ${kind} | ` + results.map((r) => {
      const k = r.report.by_kind[kind];
      return k ? `${pct(k.billrun_flagged, 0)} / ${pct(k.naive_flagged, 0)}` : '–';
    }).join(' | ') + ' |');
  }
  const rules = [...new Set(results.flatMap((r) => Object.keys(r.report.by_rule)))].sort();
  lines.push('', '| flags by rule: flagged bills (precision) | ' + results.map((r) => r.setting.name).join(' | ') + ' |',
    '|---|' + results.map(() => '---:').join('|') + '|');
  for (const rule of rules) {
    lines.push(`| ${rule} | ` + results.map((r) => {
      const k = r.report.by_rule[rule];
      return k ? `${k.flagged} (${pct(k.precision, 0)})` : '–';
    }).join(' | ') + ' |');
  }
  return lines.join('\n');
}

function main(): void {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: join(tmpdir(), 'billrun-evaluation') },
      accounts: { type: 'string', default: '10000' },
      only: { type: 'string' },
      rules: { type: 'string' },
      merge: { type: 'string' },
    },
  });
  if (values.merge) {
    const merged = values.merge.split(',').flatMap((dir) => JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Result[]);
    const order = (r: Result) => SETTINGS.findIndex((s) => s.name === r.setting.name);
    merged.sort((a, b) => order(a) - order(b));
    process.stdout.write(`${markdown(merged, Number(values.accounts))}\n`);
    return;
  }
  if (!existsSync(BIN)) throw new Error(`build first (npx tsc -p .): ${BIN} is missing`);
  const accounts = Number(values.accounts);
  const only = values.only ? new Set(values.only.split(',')) : null;
  const out = values.out!;
  mkdirSync(out, { recursive: true });
  const results: Result[] = [];
  for (const setting of SETTINGS.filter((s) => !only || only.has(s.name))) {
    process.stderr.write(`${setting.name}: generating, billing ${MONTHS} periods, evaluating…\n`);
    const result = runSetting(setting, out, accounts, values.rules);
    const b = result.report.billrun;
    process.stderr.write(`  flag rate ${pct(b.flag_rate, 2)}, precision ${pct(b.precision)}, recall ${pct(b.recall)} (billed in ${result.billSeconds.toFixed(0)} s)\n`);
    results.push(result);
  }
  writeFileSync(join(out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${markdown(results, accounts)}\n`);
  process.stderr.write(`results: ${join(out, 'results.json')}\n`);
}

main();
