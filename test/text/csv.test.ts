import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cellText, formatCsv, parseCsv, writeCsvFile } from '../../src/text/csv.js';
import { tempDir } from '../helpers.js';

describe('CSV for spreadsheets', () => {
  it('parses quotes, doubled quotes and line breaks, keeping each record\'s first line', () => {
    const text = '\ufeffa,b\r\n"x, y","say ""hi"""\n"two\nlines",z\n\n3,\n';
    expect(parseCsv(text)).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['x, y', 'say "hi"'] },
      { line: 3, cells: ['two\nlines', 'z'] },
      { line: 6, cells: ['3', ''] },
    ]);
  });

  it('reports an unterminated quote at its line', () => {
    expect(() => parseCsv('a\n"b\nc\n')).toThrow('line 2: a quoted cell is never closed');
  });

  it('neutralises formula cells on the way out and reads them back as typed', async () => {
    const text = await formatCsv(['name', 'amount'], [['=HYPERLINK("http://x","y")', '-12.5'], ['@SUM(A1)', null], ['+1 555', 3]]);
    expect(text).toBe('name,amount\r\n"\'=HYPERLINK(""http://x"",""y"")",-12.5\r\n\'@SUM(A1),\r\n\'+1 555,3\r\n');
    expect(parseCsv(text).slice(1).map((r) => cellText(r.cells[0]!))).toEqual(['=HYPERLINK("http://x","y")', '@SUM(A1)', '+1 555']);
    expect(cellText("O'Brien")).toBe("O'Brien");
  });

  it('streams pages into a file, neutralised and quoted the same way', async () => {
    async function* pages() {
      yield [['=HYPERLINK("http://x","y")', '-12.5'], ['two\nlines', null]];
      yield [];
      yield [['-A2', 'no_reads']];
    }
    const path = join(tempDir('billrun-csv-'), 'errors.csv');
    await writeCsvFile(path, ['account_id', 'code'], pages());
    expect(readFileSync(path, 'utf8')).toBe(
      'account_id,code\r\n"\'=HYPERLINK(""http://x"",""y"")",-12.5\r\n"two\nlines",\r\n\'-A2,no_reads\r\n');
  });
});
