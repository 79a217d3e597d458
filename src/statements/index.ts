// Statements stage: a customer statement for every current bill of a period.
//
// Inputs:  the store's current bills of the period with their line items, charges and contexts,
//          the readings behind them, the 12 earlier periods' bills of each account, the account
//          master; a utility config (schemas/utility.ts); formats, locale and filters; the explain
//          stage's causes of each notable change (the "Why your bill changed" box).
// Outputs: under <out>/<period>/: one file per account and format (html, txt, json — the JSON
//          follows schemas/statement.ts), sharded as described in layout.ts; drafts of held bills
//          under drafts/ (only with --include-held); files.parquet, the index of every file with
//          its bytes and SHA-256; manifest.json (layout, counts, checksums); rejects.csv when an
//          account could not get a statement. With --layout stream, instead: under
//          <out>/<period>/streams/ one print stream per batch and format with its index (stream.ts).
// Invariants:
//   - a held bill (HELD_STATUSES) never gets a statement outside drafts/, and a draft says so;
//   - a statement shows exactly the bill's line items and amounts; its reads are derived as the
//     bill run derived them, and the usage history comes from the same stored bills;
//   - statements hold nothing of the moment they were made: a rerun on the same store gives the
//     same bytes, writes nothing (files already holding those bytes are skipped) and withdraws
//     the files it covered but no longer produces (a bill now held, a draft now final);
//   - every file appears whole or not at all (temp file + rename); account ids and regions are
//     checked before they become paths;
//   - every string that comes from data is escaped in HTML and stripped of control characters in text.
import { z } from 'zod';
import { Statement } from '../../schemas/statement.js';

export { writeStatements, type StatementsOptions, type StatementsSummary } from './run.js';
export { loadUtility, SAMPLE_UTILITY_FILE, type LoadedUtility } from './utility.js';
export { STATEMENT_FORMATS, STATEMENT_LAYOUTS, type StatementFormat, type StatementLayout } from './protocol.js';
export { statementPath, shardDigitsFor } from './layout.js';

/** JSON Schema (draft 2020-12) of the JSON statement, for e-bill channels and `billrun statements schema`. */
export function statementJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(Statement, { io: 'output' }) as Record<string, unknown>;
}
