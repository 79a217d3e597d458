// A period's explanations as a file for the CRM and the customer app: JSON Lines (one
// Explanation per line, schemas/explanation.ts) or CSV (one row per bill, one column per cause,
// the texts in every locale; every cell neutralised so a spreadsheet never runs one). Written
// to a temp name and renamed, as every billrun output, streamed so a million rows never sit in
// one string.
import { createWriteStream, rmSync } from 'node:fs';
import { once } from 'node:events';
import { format } from 'fast-csv';
import { CAUSE_KINDS, type Explanation } from '../../schemas/explanation.js';
import { STATEMENT_LOCALES } from '../../schemas/utility.js';
import { formatMinor } from '../money/index.js';
import { publishFile, tempPathFor } from '../store/index.js';
import { neutraliseFormula } from '../text/index.js';

export const EXPORT_FORMATS = ['jsonl', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const CSV_HEADER = [
  'account_id', 'period', 'against', 'compared_period', 'currency', 'previous_amount', 'amount', 'change', 'change_percent',
  ...CAUSE_KINDS, ...STATEMENT_LOCALES.flatMap((l) => [`customer_text_${l}`, `agent_script_${l}`]),
];

function csvRow(e: Explanation): string[] {
  const money = (minor: number) => formatMinor(minor, e.currency);
  const byKind = new Map(e.causes.map((c) => [c.kind, c.amountMinor]));
  return [
    e.accountId, e.period, e.against, e.previous.period, e.currency, money(e.previous.amountMinor), money(e.current.amountMinor),
    money(e.changeMinor), e.changePercent === null ? '' : e.changePercent.toFixed(1),
    ...CAUSE_KINDS.map((k) => (byKind.has(k) ? money(byKind.get(k)!) : '')),
    ...STATEMENT_LOCALES.flatMap((l) => [e.text[l].customer, e.text[l].agent]),
  ].map(neutraliseFormula);
}

/** The explanations as one file's text (small sets: tests, a single account). */
export function formatExplanations(explanations: readonly Explanation[], fileFormat: ExportFormat): Promise<string> {
  if (fileFormat === 'jsonl') return Promise.resolve(explanations.map((e) => `${JSON.stringify(e)}\n`).join(''));
  return new Promise((resolve, reject) => {
    const chunks: string[] = [];
    const csv = format({ rowDelimiter: '\r\n', includeEndRowDelimiter: true });
    csv.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
    csv.on('end', () => resolve(chunks.join('')));
    csv.on('error', reject);
    csv.write(CSV_HEADER);
    for (const e of explanations) csv.write(csvRow(e));
    csv.end();
  });
}

/** Writes the explanations to `path` atomically; returns the number of lines (rows) written. */
export async function writeExplanations(path: string, explanations: Iterable<Explanation> | AsyncIterable<Explanation>, fileFormat: ExportFormat): Promise<number> {
  const temp = tempPathFor(path);
  const file = createWriteStream(temp, { encoding: 'utf8' });
  let rows = 0;
  try {
    const write = async (text: string) => {
      if (!file.write(text)) await once(file, 'drain');
    };
    if (fileFormat === 'jsonl') {
      for await (const e of explanations) {
        await write(`${JSON.stringify(e)}\n`);
        rows++;
      }
    } else {
      const batch: Explanation[] = [];
      const flush = async () => {
        const text = await formatExplanations(batch, 'csv');
        // Every batch formats with the header; the file keeps the first one only.
        await write(rows === batch.length ? text : text.slice(text.indexOf('\r\n') + 2));
        batch.length = 0;
      };
      for await (const e of explanations) {
        batch.push(e);
        rows++;
        if (batch.length === 10_000) await flush();
      }
      if (batch.length > 0 || rows === 0) await flush();
    }
    file.end();
    await once(file, 'finish');
  } catch (error) {
    file.destroy();
    rmSync(temp, { force: true });
    throw error;
  }
  publishFile(path);
  return rows;
}
