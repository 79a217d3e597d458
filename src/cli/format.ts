// Text formatting for the terminal: money with digit grouping, and tables that fit a terminal.
import { formatMinor } from '../money/index.js';

/** 1234567.89 → "1,234,567.89" in the currency's minor digits. */
export function formatAmount(amountMinor: number, currency: string): string {
  const text = formatMinor(amountMinor, currency);
  const [whole = '', fraction] = text.replace('-', '').split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${text.startsWith('-') ? '-' : ''}${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}

export interface TableColumn<T> {
  header: string;
  value: (row: T) => string;
  align?: 'left' | 'right';
  /** The column that gives way (truncated with …) when the table is wider than the terminal. */
  flexible?: boolean;
}

/** A plain-text table, at most `width` characters wide. */
export function renderTable<T>(rows: readonly T[], columns: readonly TableColumn<T>[], width = 120): string {
  const cells = rows.map((row) => columns.map((c) => c.value(row).replace(/\s+/g, ' ')));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)));
  const total = widths.reduce((a, b) => a + b, 0) + 2 * (columns.length - 1);
  const flex = columns.findIndex((c) => c.flexible);
  if (total > width && flex >= 0) widths[flex] = Math.max(columns[flex]!.header.length, widths[flex]! - (total - width));
  const fit = (text: string, i: number) => {
    const w = widths[i]!;
    const clipped = text.length > w ? `${text.slice(0, Math.max(0, w - 1))}…` : text;
    return columns[i]!.align === 'right' ? clipped.padStart(w) : clipped.padEnd(w);
  };
  const line = (values: string[]) => values.map(fit).join('  ').trimEnd();
  return [line(columns.map((c) => c.header)), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}
