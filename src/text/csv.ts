// CSV for the spreadsheets people exchange with billrun (review queues, decisions, reject lists).
// Writing goes through fast-csv, with every cell neutralised so a spreadsheet shows a name like
// "=HYPERLINK(…)" as text and never runs it. Reading small hand-edited files is done here, not by
// a streaming parser: those count records, and each problem must be reported at its real line
// even when a quoted cell spans several lines.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { format, writeToString } from 'fast-csv';
import { neutraliseFormula } from './index.js';

type Cell = string | number | null;
const neutralCell = (c: Cell) => neutraliseFormula(c === null ? '' : String(c));

export interface CsvRecord {
  /** 1-based line where the record starts. */
  line: number;
  cells: string[];
}

/**
 * Records of `text` (RFC 4180: quotes, doubled quotes, line breaks in quoted cells). `firstLine`
 * numbers the lines of a part of a file that starts at that line.
 */
export function parseCsv(text: string, firstLine = 1): CsvRecord[] {
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = '';
  let line = firstLine;
  let start = firstLine;
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

/** CSV text of `rows` under `header`, every cell neutralised (CRLF line ends, as spreadsheets write). */
export async function formatCsv(header: readonly string[], rows: readonly (readonly Cell[])[]): Promise<string> {
  const text = await writeToString([header.map(neutralCell), ...rows.map((row) => row.map(neutralCell))], { rowDelimiter: '\r\n' });
  return `${text}\r\n`;
}

/**
 * Writes `header` and the rows of every page to `path` as `formatCsv` would, streamed: a file of
 * millions of rows never sits in one string. The caller publishes the file (it writes a temp name).
 */
export async function writeCsvFile(path: string, header: readonly string[], pages: AsyncIterable<readonly (readonly Cell[])[]>): Promise<void> {
  const csv = format({ rowDelimiter: '\r\n', includeEndRowDelimiter: true });
  const file = createWriteStream(path);
  csv.pipe(file);
  const write = async (row: readonly Cell[]) => {
    if (!csv.write(row.map(neutralCell))) await once(csv, 'drain');
  };
  try {
    await write(header);
    for await (const rows of pages) for (const row of rows) await write(row);
    csv.end();
    await finished(file);
  } finally {
    file.destroy();
  }
}

/** Undoes neutralisation: a cell a spreadsheet saved as "'=x" means "=x". */
export function cellText(cell: string): string {
  return /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
}
