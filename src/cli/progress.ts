// Progress on long work: a bar redrawn in place on a terminal, plain log lines elsewhere (CI
// logs, files), nothing with --quiet. Stages report (done, total, stage); this decides how it looks.
import { terminalText } from '../text/index.js';
import type { Effects } from './effects.js';

export type ProgressCallback = (done: number, total: number, stage: string) => void;

export interface ProgressOptions {
  quiet: boolean;
  /** What is being counted, e.g. "accounts". */
  unit: string;
}

const BAR_WIDTH = 28;
const LOG_INTERVAL_MS = 5_000;

export function createProgress(effects: Effects, options: ProgressOptions): ProgressCallback & { done(): void } {
  const started = effects.now().getTime();
  let lastLog = 0;
  let lastStage = '';
  let drawn = false;
  const report = ((done: number, total: number, stage: string) => {
    if (options.quiet) return;
    const now = effects.now().getTime();
    const elapsed = Math.max(1, now - started) / 1000;
    const rate = done / elapsed;
    const left = rate > 0 && total > done ? (total - done) / rate : 0;
    const pct = total > 0 ? Math.min(100, (100 * done) / total) : 100;
    const text = terminalText(`${stage}: ${fmt(done)}/${fmt(total)} ${options.unit}  ${fmt(Math.round(rate))}/s  ${total > done ? `${duration(left)} left` : `done in ${duration(elapsed)}`}`);
    if (effects.isTTY) {
      const filled = Math.round((pct / 100) * BAR_WIDTH);
      effects.stderr(`\r[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${pct.toFixed(0).padStart(3)}% ${text}\x1b[K`);
      drawn = true;
    } else if (stage !== lastStage || now - lastLog >= LOG_INTERVAL_MS || done >= total) {
      effects.stderr(`${new Date(now).toISOString()} ${text}\n`);
      lastLog = now;
    }
    lastStage = stage;
  }) as ProgressCallback & { done(): void };
  report.done = () => {
    if (drawn) effects.stderr('\n');
    drawn = false;
  };
  return report;
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

export function duration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)}s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds - m * 60);
  return m < 60 ? `${m}m${String(s).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
