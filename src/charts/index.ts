// Usage charts for people: inline SVG for HTML (statements, the review report) and text bars for
// terminals and TXT statements. Pure string building; every label is escaped for HTML.
import { escapeHtml } from '../text/index.js';

export interface Bar {
  /** Axis label, e.g. "2025-07" or "7月". */
  label: string;
  /** null draws a gap (no bill that month). */
  value: number | null;
  /** Drawn in the accent colour: the current or flagged period. */
  highlight?: boolean;
  /** Drawn pale (svgBarChart): a value that does not count toward the reference line. */
  muted?: boolean;
}

export interface SvgChartOptions {
  width?: number;
  height?: number;
  /** Accessible title, e.g. "kWh per day, last 13 months". */
  title: string;
  /** Value formatter for the value labels above the bars. */
  format?: (value: number) => string;
  /** Top of the scale; taller bars are cut at it and marked, so one outlier does not flatten the rest. */
  scaleMax?: number;
  /** CSS colours. */
  color?: string;
  accent?: string;
  /** A dashed horizontal line across the bars (svgBarChart), e.g. the baseline the bars are judged against. */
  reference?: { value: number; label: string };
}

/** The options every chart reads, with the defaults they share; height and accent differ by chart. */
function chartStyle(options: SvgChartOptions, height: number, accent: string) {
  return {
    width: options.width ?? 520,
    height: options.height ?? height,
    format: options.format ?? ((v: number) => v.toFixed(1)),
    color: options.color ?? '#8aa4c8',
    accent: options.accent ?? accent,
  };
}

/** A bar chart as a self-contained <svg> element (no scripts, no external assets). */
export function svgBarChart(bars: readonly Bar[], options: SvgChartOptions): string {
  const { width, height, format, color, accent } = chartStyle(options, 180, '#d9534f');
  const top = 18;
  const bottom = 22;
  const plot = height - top - bottom;
  const max = options.scaleMax ?? Math.max(0, options.reference?.value ?? 0, ...bars.map((b) => b.value ?? 0));
  const step = bars.length > 0 ? width / bars.length : width;
  const barWidth = Math.max(2, step * 0.7);
  const parts: string[] = [];
  bars.forEach((bar, i) => {
    const x = i * step + (step - barWidth) / 2;
    const cx = (i * step + step / 2).toFixed(1);
    const label = escapeHtml(bar.label);
    parts.push(`<text x="${cx}" y="${height - 6}" text-anchor="middle" font-size="10" fill="#555">${label}</text>`);
    if (bar.value === null) return;
    const h = max > 0 ? (Math.min(max, Math.max(0, bar.value)) / max) * plot : 0;
    const y = top + plot - h;
    const fill = bar.highlight ? accent : color;
    parts.push(`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${h.toFixed(1)}" fill="${fill}"${bar.muted ? ' fill-opacity="0.35"' : ''}><title>${label}: ${escapeHtml(format(bar.value))}</title></rect>`);
    if (bar.value > max && max > 0) {
      parts.push(`<path d="M${x.toFixed(1)} ${(y + 8).toFixed(1)}l${barWidth.toFixed(1)} -4m${(-barWidth).toFixed(1)} 8l${barWidth.toFixed(1)} -4" stroke="#fff" stroke-width="2"/>`);
    }
    if (bar.highlight || bars.length <= 13) {
      parts.push(`<text x="${cx}" y="${(y - 4).toFixed(1)}" text-anchor="middle" font-size="9" fill="#333">${escapeHtml(format(bar.value))}</text>`);
    }
  });
  return svgFrame(parts, options, { width, height, top, plot, max });
}

/**
 * The same bars as svgBarChart in about a third of the bytes and time, for documents made by the
 * million (statements): shared text attributes sit on groups, coordinates are whole units of the
 * viewBox, and bars carry no hover titles (their values are printed above them).
 */
export function compactSvgBarChart(bars: readonly Bar[], options: SvgChartOptions): string {
  const { width, height, format, color, accent } = chartStyle(options, 180, '#d9534f');
  const top = 18;
  const plot = height - top - 22;
  let max = options.scaleMax ?? 0;
  if (options.scaleMax === undefined) for (const bar of bars) if (bar.value !== null && bar.value > max) max = bar.value;
  const step = bars.length > 0 ? width / bars.length : width;
  const barWidth = Math.max(2, Math.round(step * 0.7));
  let rects = '';
  let values = '';
  let labels = '';
  for (let i = 0; i < bars.length; i++) {
    const bar = bars[i]!;
    const cx = Math.round(i * step + step / 2);
    labels += `<text x="${cx}" y="${height - 6}">${escapeHtml(bar.label)}</text>`;
    if (bar.value === null) continue;
    const h = max > 0 ? Math.round((Math.min(max, Math.max(0, bar.value)) / max) * plot) : 0;
    const y = top + plot - h;
    rects += `<rect x="${cx - (barWidth >> 1)}" y="${y}" width="${barWidth}" height="${h}"${bar.highlight ? ` fill="${accent}"` : ''}/>`;
    values += `<text x="${cx}" y="${y - 4}">${escapeHtml(format(bar.value))}${bar.value > max && max > 0 ? '↑' : ''}</text>`;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">` +
    `<title>${escapeHtml(options.title)}</title><line x1="0" y1="${top + plot}" x2="${width}" y2="${top + plot}" stroke="#999"/>` +
    `<g fill="${color}">${rects}</g><g font-size="9" fill="#333" text-anchor="middle">${values}</g>` +
    `<g font-size="10" fill="#555" text-anchor="middle">${labels}</g></svg>`;
}

export interface BarPair {
  label: string;
  /** null draws no bar. */
  first: number | null;
  second: number | null;
}

/**
 * Two bars per label side by side on one scale — e.g. revenue under the stored and a proposed
 * price — with a legend naming the two series. Self-contained like svgBarChart.
 */
export function svgPairedBarChart(pairs: readonly BarPair[], options: SvgChartOptions & { legend: readonly [string, string] }): string {
  const { width, height, format, color, accent } = chartStyle(options, 200, '#2f5f98');
  const colors = [color, accent] as const;
  const top = 30;
  const plot = height - top - 22;
  const max = options.scaleMax ?? Math.max(0, ...pairs.flatMap((p) => [p.first ?? 0, p.second ?? 0]));
  const step = pairs.length > 0 ? width / pairs.length : width;
  const barWidth = Math.max(2, step * 0.35);
  const parts: string[] = options.legend.map((name, i) =>
    `<rect x="${4 + i * 150}" y="4" width="10" height="10" fill="${colors[i]}"/><text x="${18 + i * 150}" y="13" font-size="10" fill="#333">${escapeHtml(name)}</text>`);
  pairs.forEach((pair, i) => {
    const left = i * step + (step - 2 * barWidth) / 2;
    const label = escapeHtml(pair.label);
    parts.push(`<text x="${(i * step + step / 2).toFixed(1)}" y="${height - 6}" text-anchor="middle" font-size="10" fill="#555">${label}</text>`);
    [pair.first, pair.second].forEach((value, k) => {
      if (value === null) return;
      const h = max > 0 ? (Math.min(max, Math.max(0, value)) / max) * plot : 0;
      parts.push(`<rect x="${(left + k * barWidth).toFixed(1)}" y="${(top + plot - h).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${h.toFixed(1)}" ` +
        `fill="${colors[k]}"><title>${label} ${escapeHtml(options.legend[k]!)}: ${escapeHtml(format(value))}</title></rect>`);
    });
  });
  return svgFrame(parts, options, { width, height, top, plot, max });
}

export interface TextChartOptions {
  /** Characters for the longest bar. */
  width?: number;
  format?: (value: number) => string;
  /** Top of the scale; longer bars are cut at it and end in "»". */
  scaleMax?: number;
  /** Text on a gap (a month without a bill), in the reader's language; default "(no bill)". */
  gapText?: string;
}

/** Horizontal text bars, one line per bar: "2025-07 ████████▌ 12.3 ◀". */
export function textBarChart(bars: readonly Bar[], options: TextChartOptions = {}): string[] {
  const width = options.width ?? 40;
  const format = options.format ?? ((v: number) => v.toFixed(1));
  const max = options.scaleMax ?? Math.max(0, ...bars.map((b) => b.value ?? 0));
  const labelWidth = Math.max(0, ...bars.map((b) => b.label.length));
  const eighths = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
  return bars.map((bar) => {
    const label = bar.label.padEnd(labelWidth);
    if (bar.value === null) return `${label}   ${options.gapText ?? '(no bill)'}`;
    const units = max > 0 ? (Math.min(max, Math.max(0, bar.value)) / max) * width * 8 : 0;
    const full = Math.floor(units / 8);
    const bar8 = bar.value > max && max > 0 ? `${'█'.repeat(width - 1)}»` : '█'.repeat(full) + eighths[Math.round(units - full * 8) % 8];
    return `${label} ${bar8.padEnd(width)} ${format(bar.value)}${bar.highlight ? ' ◀' : ''}`;
  });
}

/** The chart's frame: the bars' parts, the dashed reference line (when it fits the scale) and the base line. */
function svgFrame(parts: string[], options: SvgChartOptions, box: { width: number; height: number; top: number; plot: number; max: number }): string {
  const { width, height, top, plot, max } = box;
  const reference = options.reference;
  if (reference && max > 0 && reference.value <= max) {
    const y = (top + plot - (Math.max(0, reference.value) / max) * plot).toFixed(1);
    parts.push(`<line x1="0" y1="${y}" x2="${width}" y2="${y}" stroke="#1f3a5f" stroke-width="1.5" stroke-dasharray="6 4"><title>${escapeHtml(reference.label)}</title></line>` +
      `<text x="${width - 2}" y="${(Number(y) - 3).toFixed(1)}" text-anchor="end" font-size="10" fill="#1f3a5f">${escapeHtml(reference.label)}</text>`);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">` +
    `<title>${escapeHtml(options.title)}</title>` +
    `<line x1="0" y1="${top + plot}" x2="${width}" y2="${top + plot}" stroke="#999" stroke-width="1"/>${parts.join('')}</svg>`;
}
