// Files named .csv that are not CSV text, and CSV the reader would silently cut short: each is
// refused with what the file looks like or the line where it goes wrong, never raw bytes.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/text/csv.js';
import { runCli, tempDir } from '../helpers.js';
import { storeWithAccounts, storedRows } from './fixture.js';

const HEADER = 'meter_id,read_at,register,value,read_type';

async function readingCount(db: string): Promise<number> {
  return (await storedRows(db, 'SELECT count(*)::INTEGER AS n FROM readings'))[0]!.n as number;
}

describe('a file named .csv that is not CSV text', () => {
  it('says what the file looks like instead of echoing its bytes as a column name', async () => {
    const dir = tempDir();
    const db = await storeWithAccounts(dir);
    const text = `${HEADER}\nM1,2024-01-05,total,10,actual\n`;
    const cases: [string, Buffer, string][] = [
      ['reads.csv.gz.csv', gzipSync(text), 'looks like a gzip file (decompress it first), not CSV text'],
      ['binary.csv', Buffer.from([0x00, 0x01, 0x02, 0x1b, 0x5b, 0x32, 0x4a, 0x07, 0x0a, 0x41]), 'looks like a binary file (control characters in the header line), not CSV text'],
      ['workbook.csv', Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(40, 0x01)]), 'looks like a zip archive or an Excel workbook (save it as CSV), not CSV text'],
      ['utf16.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]), 'is UTF-16 text (save it as UTF-8), not CSV text'],
    ];
    for (const [name, bytes, message] of cases) {
      const file = join(dir, name);
      writeFileSync(file, bytes);
      const result = await runCli(['load', 'readings', file], db);
      expect(result.code, name).toBe(2);
      expect(result.err, name).toContain(`${file}: ${message}`);
      // Nothing but printable text and the line end reaches the terminal.
      expect([...result.err].filter((ch) => (ch < ' ' && ch !== '\n') || ch === '\u007f' || ch === '\ufffd'), name).toEqual([]);
    }
    expect(await readingCount(db)).toBe(0);
  });
});

describe('an unclosed quote in a CSV row', () => {
  it('names the line where the quoted cell opens, as review import does', async () => {
    const dir = tempDir();
    const db = await storeWithAccounts(dir);
    const alone = join(dir, 'alone.csv');
    writeFileSync(alone, `${HEADER}\nM1,2024-01-05,total,"12,actual\n`);
    const result = await runCli(['load', 'readings', alone], db);
    expect(result.code).toBe(2);
    expect(result.err).toContain(`${alone}: line 2: a quoted cell is never closed`);
    expect(result.err).not.toContain('no data rows');
  });

  it('refuses the file instead of loading the rows before it and dropping the rest', async () => {
    const dir = tempDir();
    const db = await storeWithAccounts(dir);
    // Good rows (once with a quoted line break: the multi-line numbering path), the unclosed
    // quote on line 4 (5 after the line break), then 60,000 rows (2.5 MB), more than the
    // reader's 2 MB line limit.
    const after = Array.from({ length: 60_000 }, (_, i) => `M1,2025-01-01T00:00:${String(i % 60).padStart(2, '0')},total,${i},actual`);
    const file = join(dir, 'big.csv');
    for (const quotedBreak of [false, true]) {
      const second = quotedBreak ? 'M1,2024-01-06,total,"11\n",actual' : 'M1,2024-01-06,total,11,actual';
      const lines = [HEADER, 'M1,2024-01-05,total,10,actual', second, 'M1,2024-01-07,total,"12,actual', ...after];
      writeFileSync(file, `${lines.join('\n')}\n`);
      const result = await runCli(['load', 'readings', file], db);
      expect(result.code, String(quotedBreak)).toBe(2);
      expect(result.err, String(quotedBreak)).toContain(`${file}: line ${quotedBreak ? 5 : 4}: a quoted cell is never closed`);
      expect(await readingCount(db)).toBe(0);
    }
  });

  it('does not mistake blank lines for dropped rows', async () => {
    const dir = tempDir();
    const db = await storeWithAccounts(dir);
    const file = join(dir, 'blank-end.csv');
    writeFileSync(file, `${HEADER}\r\nM1,2024-01-05,total,10,actual\r\n\r\nM1,2024-01-06,total,11,actual\r\n\r\n\r\n`);
    const result = await runCli(['load', 'readings', file], db);
    expect(result.code).toBe(0);
    expect(result.out).toContain('read 2 = loaded 2 + already stored 0 + rejected 0');
  });
});

describe('a CSV file saved with Windows line ends (CRLF)', () => {
  it('names the same lines as the same file with LF line ends, for broken and checked rows alike', async () => {
    // Worked out by hand: the header is line 1; a row with a field too many (line 3), one with
    // fields missing (line 4), a quoted value that runs into the next row (lines 5–6, one
    // record whose value is not a number), then a negative reading on line 7 and a good one on line 8.
    const lines = [
      HEADER,
      'M1,2024-01-05,total,10,actual',
      'M1,2024-01-06,total,11,actual,extra',
      'M1,2024-01-07,total',
      'M1,2024-01-08,total,"12,actual',
      'M1,2024-01-09,total,13",actual',
      'M1,2024-01-10,total,-4,actual',
      'M1,2024-01-11,total,15,actual',
    ];
    const rejectsByEnding: Record<string, string[]> = {};
    for (const [ending, eol] of [['lf', '\n'], ['crlf', '\r\n']] as const) {
      const dir = tempDir();
      const db = await storeWithAccounts(dir);
      const file = join(dir, 'reads.csv');
      writeFileSync(file, `${lines.join(eol)}${eol}`);
      const result = await runCli(['load', 'readings', file, '--rejects', dir], db);
      expect(result.code, ending).toBe(3);
      expect(result.out, ending).toContain('read 6 = loaded 2 + already stored 0 + rejected 4');
      const rows = parseCsv(readFileSync(join(dir, 'reads.csv.rejects.csv'), 'utf8')).slice(1).map((r) => r.cells);
      // file,line,column,value,reason: the line of each reject, and no value that opens with a line end.
      rejectsByEnding[ending] = rows.map((cells) => cells[1]!);
      expect(rows.map((cells) => cells[3]![0]), ending).toEqual(['M', 'M', '1', '-']);
      // The terminal's list keeps one line per reject: the record of lines 5–6 shows its break as \n.
      expect(result.err, ending).toContain(`${file}: line 5: column value: '12,actual${ending === 'lf' ? '\\n' : '\\r\\n'}M1,2024-01-09,total,13' not a number\n`);
    }
    expect(rejectsByEnding.lf).toEqual(['3', '4', '5', '7']);
    expect(rejectsByEnding.crlf).toEqual(rejectsByEnding.lf);
  });
});
