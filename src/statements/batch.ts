// One batch of statements on a worker thread: build each account's facts, render the requested
// formats, checksum them and write the files that changed. A problem with one account (an id
// that cannot be a file name, an unknown currency) is a value in the result, never a throw.
import { hash } from 'node:crypto';
import { isCurrency } from '../money/index.js';
import { isSafeAccountId, statementPath, writeStatementFile } from './layout.js';
import { batchModel, buildStatement } from './model.js';
import { FILE_OUTCOME, type StatementFormat, type StatementResult, type StatementTask, type StreamPart } from './protocol.js';
import { renderHtml } from './render-html.js';
import { renderText } from './render-text.js';
import { streamFileName, StreamWriter } from './stream.js';
import type { Statement } from '../../schemas/statement.js';

export function processBatch(task: StatementTask): StatementResult {
  const { settings, accounts } = task;
  const n = accounts.rowCount;
  const formats = settings.formats;
  const drafts = new Uint8Array(n);
  const fileOutcome = new Uint8Array(n * formats.length);
  const fileBytes = new Int32Array(n * formats.length);
  const fileSha256 = new Array<string>(n * formats.length).fill('');
  const rejects: StatementResult['rejects'] = [];
  const batch = batchModel(task);
  const encoder = new Utf8Encoder();
  const streams = settings.layout === 'stream' ? new BatchStreams(task) : null;
  let renderMs = 0;
  let writeMs = 0;

  for (let i = 0; i < n; i++) {
    const accountId = accounts.columns.account_id[i]!;
    if (!isSafeAccountId(accountId)) {
      rejects.push({ row: i, reason: 'account id is not 1–32 of A–Z a–z 0–9 _ - and cannot name a file' });
      continue;
    }
    const context = batch.contexts.get(accounts.columns.context_key[i]!);
    if (!context || !isCurrency(context.currency)) {
      rejects.push({ row: i, reason: `unknown currency ${context?.currency ?? '(none)'}` });
      continue;
    }
    let mark = performance.now();
    const statement = buildStatement(batch, i);
    if (statement.draft) drafts[i] = 1;
    for (let f = 0; f < formats.length; f++) {
      const slot = i * formats.length + f;
      if (streams) {
        const text = render(formats[f]!, statement);
        const rendered = performance.now();
        renderMs += rendered - mark;
        streams.add(i, formats[f]!, statement.draft, text);
        fileOutcome[slot] = FILE_OUTCOME.written;
        mark = performance.now();
        writeMs += mark - rendered;
        continue;
      }
      const content = encoder.encode(render(formats[f]!, statement));
      const rendered = performance.now();
      renderMs += rendered - mark;
      // The relative path is made of checked names only, so plain concatenation is safe here.
      const path = `${settings.root}/${statementPath(accountId, statement.account.region, settings.shardDigits, statement.draft, formats[f]!)}`;
      fileOutcome[slot] = writeStatementFile(path, content, settings.fresh) === 'written' ? FILE_OUTCOME.written : FILE_OUTCOME.unchanged;
      fileBytes[slot] = content.length;
      fileSha256[slot] = hash('sha256', content, 'hex');
      mark = performance.now();
      writeMs += mark - rendered;
    }
  }
  const closing = performance.now();
  const parts = streams?.close() ?? [];
  writeMs += performance.now() - closing;
  for (const part of parts) {
    const f = formats.indexOf(part.format);
    part.rows.forEach((row, k) => {
      fileBytes[row * formats.length + f] = part.lengths[k]!;
      fileSha256[row * formats.length + f] = part.sha256s[k]!;
    });
  }
  return { batchNo: task.batchNo, rowCount: n, drafts, fileOutcome, fileBytes, fileSha256, rejects, streams: parts, renderMs, writeMs };
}

/** A batch's streams, one per format and draft-or-not, opened on their first statement. */
class BatchStreams {
  private readonly writers = new Map<string, StreamWriter>();

  constructor(private readonly task: StatementTask) {}

  add(row: number, format: StatementFormat, draft: boolean, content: string): void {
    const file = streamFileName(this.task.batchNo, format, draft);
    let writer = this.writers.get(file);
    if (!writer) {
      const title = `${draft ? 'Drafts' : 'Statements'} ${this.task.settings.period} · ${file}`;
      writer = new StreamWriter(`${this.task.settings.root}/${file}`, file, format, draft, title);
      this.writers.set(file, writer);
    }
    writer.add(row, content);
  }

  close(): StreamPart[] {
    return [...this.writers.values()].map((writer) => writer.close());
  }
}

/**
 * UTF-8 into one buffer reused for every file of the batch: Buffer.from would allocate a new
 * backing store per statement (they are larger than Node's buffer pool takes), which costs
 * more than the encoding. The view it returns is valid until the next call.
 */
class Utf8Encoder {
  private buffer = Buffer.allocUnsafe(64 * 1024);
  encode(text: string): Buffer {
    // A UTF-16 code unit never takes more than three bytes of UTF-8.
    if (text.length * 3 > this.buffer.length) this.buffer = Buffer.allocUnsafe(text.length * 3);
    return this.buffer.subarray(0, this.buffer.write(text));
  }
}

export function render(format: StatementFormat, statement: Statement): string {
  switch (format) {
    case 'html': return renderHtml(statement);
    case 'txt': return renderText(statement);
    case 'json': return `${JSON.stringify(statement)}\n`;
  }
}
