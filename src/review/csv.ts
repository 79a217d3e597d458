// CSV for the spreadsheets reviewers exchange (RFC 4180: quotes, doubled quotes, line breaks in
// quoted cells). Review files are small, so a plain parser that knows every cell's line beats a
// streaming library that only counts records: each problem is reported at its real line.
import { neutraliseFormula } from '../text/index.js';

export interface CsvRecord {
  /** 1-based line where the record starts. */
  line: number;
  cells: string[];
}

/** Records of `text`; throws with the line of an unterminated quote. */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = '';
  let line = 1;
  let start = 1;
  let quoted = false;
  let quoteLine = 0;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRecord = () => {
    cells.push(cell);
    if (!(cells.length === 1 && cells[0] === '')) records.push({ line: start, cells });
    cells = [];
    cell = '';
  };
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        if (ch === '\n') line++;
        cell += ch;
      }
    } else if (ch === '"' && cell === '') {
      quoted = true;
      quoteLine = line;
    } else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else {
      cell += ch;
    }
  }
  if (quoted) throw new SyntaxError(`line ${quoteLine}: a quoted cell is never closed`);
  if (cell !== '' || cells.length > 0) endRecord();
  return records;
}

function quote(cell: string): string {
  return /[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
}

/**
 * CSV text of `rows` under `header`. Every cell is neutralised: a spreadsheet must show a name
 * like "=HYPERLINK(…)" as text, never run it.
 */
export function formatCsv(header: readonly string[], rows: readonly (readonly (string | number | null)[])[]): string {
  const line = (cells: readonly (string | number | null)[]) => cells.map((c) => quote(neutraliseFormula(c === null ? '' : String(c)))).join(',');
  return `${[line(header), ...rows.map(line)].join('\r\n')}\r\n`;
}

/** Undoes neutralisation: a cell a spreadsheet saved as "'=x" means "=x". */
export function cellText(cell: string): string {
  return /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
}
