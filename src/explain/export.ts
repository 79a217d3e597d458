// A period's explanations as a file for the CRM and the customer app: JSON Lines (one
// Explanation per line, schemas/explanation.ts) or CSV (one row per bill, one column per cause,
// the texts in every locale; every cell neutralised so a spreadsheet never runs one). Written
// to a temp name and renamed, as every billrun output, streamed so a million rows never sit in
// one string.
import { createWriteStream, rmSync } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { CAUSE_KINDS, type Explanation } from '../../schemas/explanation.js';
import { STATEMENT_LOCALES } from '../../schemas/utility.js';
import { formatMinor } from '../money/index.js';
import { publishFile, tempPathFor } from '../store/index.js';
import { writeCsvFile } from '../text/csv.js';

export const EXPORT_FORMATS = ['jsonl', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const CSV_HEADER = [
  'account_id', 'period', 'against', 'compared_period', 'currency', 'previous_amount', 'amount', 'change', 'change_percent',
  ...CAUSE_KINDS, ...STATEMENT_LOCALES.flatMap((l) => [`customer_text_${l}`, `agent_script_${l}`]),
];

/** One bill's row; the cells are neutralised on their way into the file (writeCsvFile). */
function csvRow(e: Explanation): string[] {
  const money = (minor: number) => formatMinor(minor, e.currency);
  const byKind = new Map(e.causes.map((c) => [c.kind, c.amountMinor]));
  return [
    e.accountId, e.period, e.against, e.previous.period, e.currency, money(e.previous.amountMinor), money(e.current.amountMinor),
    money(e.changeMinor), e.changePercent === null ? '' : e.changePercent.toFixed(1),
    ...CAUSE_KINDS.map((k) => (byKind.has(k) ? money(byKind.get(k)!) : '')),
    ...STATEMENT_LOCALES.flatMap((l) => [e.text[l].customer, e.text[l].agent]),
  ];
}

/** Writes the explanations to `path` atomically; returns the number of lines (rows) written. */
export async function writeExplanations(path: string, explanations: Iterable<Explanation> | AsyncIterable<Explanation>, fileFormat: ExportFormat): Promise<number> {
  const temp = tempPathFor(path);
  let rows = 0;
  async function* counted() {
    for await (const e of explanations) {
      rows++;
      yield e;
    }
  }
  try {
    if (fileFormat === 'csv') {
      await writeCsvFile(temp, CSV_HEADER, (async function* () {
        for await (const e of counted()) yield [csvRow(e)];
      })());
    } else {
      const file = createWriteStream(temp, { encoding: 'utf8' });
      try {
        for await (const e of counted()) if (!file.write(`${JSON.stringify(e)}\n`)) await once(file, 'drain');
        file.end();
        await finished(file);
      } finally {
        file.destroy();
      }
    }
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  publishFile(path);
  return rows;
}
