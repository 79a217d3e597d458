// Statements as print streams (`--layout stream`): print and mail vendors take a few large files
// with an index, not a million small ones.
//
//   <out>/<period>/streams/statements-00001.html            statements of batch 1 (account id order)
//   <out>/<period>/streams/statements-00001.html.index.csv  account, region, offset, length, pages, sha256
//   <out>/<period>/streams/drafts/statements-00001.html     held bills (--include-held), never mixed in
//   <out>/<period>/streams/manifest.json                    every stream, its index, bytes and SHA-256
//
// One stream per batch (--batch-size accounts of the ordinal order) and format. HTML streams are
// one document: the statements' shared head, then each statement's <main> with a CSS page break
// after it; the index points at that <main> element. TXT statements are separated by a form feed
// (not part of the indexed bytes); JSON streams are JSON Lines (.jsonl), a statement per line.
// TXT and JSON statements are byte for byte the files the `files` layout writes.
//
// A run writes a whole new streams directory beside the old one (streams.<pid>.tmp, each file
// fsynced and renamed into place by store/files.ts), then swaps the directories: a reader sees the
// old streams or the new ones, never a mix. Nothing depends on when a run happened, so a rerun on
// the same store gives the same bytes.
import { createHash, hash, type Hash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { EXIT, FatalError } from '../diagnostics/index.js';
// From the module, not the store's index: this runs in the statement workers, which must not load DuckDB.
import { isProcessAlive, makeFolder, publishFile, tempPathFor } from '../store/files.js';
import type { StatementFormat, StreamPart } from './protocol.js';

export const STREAMS_DIRECTORY = 'streams';
export const INDEX_HEADER = ['account_id', 'region', 'offset', 'length', 'pages', 'sha256'] as const;
const EXTENSION: Record<StatementFormat, string> = { html: 'html', txt: 'txt', json: 'jsonl' };
const FLUSH_BYTES = 1 << 20;
// Printed one statement per sheet run: a page break after every statement but the last.
const STREAM_CSS = '<style>main{break-after:page}main:last-of-type{break-after:auto}</style>';

export function streamFileName(batchNo: number, format: StatementFormat, draft: boolean): string {
  return `${draft ? 'drafts/' : ''}statements-${String(batchNo + 1).padStart(5, '0')}.${EXTENSION[format]}`;
}

export function indexFileName(streamFile: string): string {
  return `${streamFile}.index.csv`;
}

/**
 * Writes one stream: statements go through a buffer to `<path>.<pid>.tmp`, and close() publishes
 * the file (fsync, rename). Offsets are of the statement's own bytes, framing excluded.
 */
export class StreamWriter {
  private readonly fd: number;
  private readonly whole: Hash = createHash('sha256');
  // Statements are encoded straight into one buffer that is written out when full: no buffer
  // per statement (they are larger than Node's buffer pool takes).
  private buffer = Buffer.allocUnsafe(2 * FLUSH_BYTES);
  private used = 0;
  private offset = 0;
  private readonly part: StreamPart;

  constructor(private readonly path: string, file: string, format: StatementFormat, draft: boolean, private readonly title: string) {
    makeFolder(dirname(path));
    this.fd = openSync(tempPathFor(path), 'w');
    this.part = { file, format, draft, bytes: 0, sha256: '', rows: [], offsets: [], lengths: [], sha256s: [] };
  }

  /** Adds a rendered statement (`content` as rendered for the files layout). */
  add(row: number, content: string): void {
    const format = this.part.format;
    let body = content;
    if (format === 'html') {
      const start = content.indexOf('<body>');
      const end = content.lastIndexOf('</body>');
      if (start < 0 || end < start) throw new Error('an HTML statement without <body>: the stream layout cannot frame it');
      if (this.offset === 0) this.push(`${content.slice(0, content.indexOf('<title>'))}${STREAM_CSS}<title>${this.title}</title></head><body>\n`);
      body = content.slice(start + '<body>'.length, end);
    } else if (format === 'txt' && this.part.rows.length > 0) {
      this.push('\f');
    }
    const at = this.offset;
    const bytes = this.push(body);
    this.part.rows.push(row);
    this.part.offsets.push(at);
    this.part.lengths.push(bytes.length);
    this.part.sha256s.push(hash('sha256', bytes, 'hex'));
    if (format === 'html') this.push('\n');
  }

  close(): StreamPart {
    if (this.part.format === 'html') this.push('</body></html>\n');
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
    }
    publishFile(this.path);
    this.part.bytes = this.offset;
    this.part.sha256 = this.whole.digest('hex');
    return this.part;
  }

  /** Encodes `text` into the buffer; the view it returns is valid until the next push. */
  private push(text: string): Buffer {
    // A UTF-16 code unit never takes more than three bytes of UTF-8.
    const most = text.length * 3;
    if (this.used + most > this.buffer.length) {
      this.flush();
      if (most > this.buffer.length) this.buffer = Buffer.allocUnsafe(most);
    }
    const written = this.buffer.write(text, this.used);
    const bytes = this.buffer.subarray(this.used, this.used + written);
    this.used += written;
    this.offset += written;
    return bytes;
  }

  private flush(): void {
    const data = this.buffer.subarray(0, this.used);
    this.whole.update(data);
    let done = 0;
    while (done < data.length) done += writeSync(this.fd, data, done);
    this.used = 0;
  }
}

export interface StreamsDirectory {
  /** Where this run writes: <out>/<period>/streams.<pid>.tmp. */
  root: string;
  /** Where the streams end up: <out>/<period>/streams. */
  target: string;
}

const STREAMS_TEMP = /^streams\.(\d+)\.(tmp|old)$/;

/**
 * A new, empty directory for this run's streams. Leftovers of dead runs are cleared: a run that
 * died half way through its swap (no streams directory, its old one still there) is undone first.
 */
export function openStreamsDirectory(outDir: string, period: string): StreamsDirectory {
  const periodRoot = resolve(outDir, period);
  const target = join(periodRoot, STREAMS_DIRECTORY);
  makeFolder(periodRoot);
  for (const name of readdirSync(periodRoot)) {
    const m = STREAMS_TEMP.exec(name);
    if (!m || Number(m[1]) === process.pid) continue;
    if (isProcessAlive(Number(m[1]))) {
      throw new FatalError(`another run (pid ${m[1]}) is writing the ${period} streams into ${join(periodRoot, name)}; ` +
        'wait for it, or remove that directory if no such run exists', EXIT.busy);
    }
    if (m[2] === 'old' && !existsSync(target)) renameSync(join(periodRoot, name), target);
    else rmSync(join(periodRoot, name), { recursive: true, force: true });
  }
  const root = `${target}.${process.pid}.tmp`;
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root);
  return { root, target };
}

/** Puts the run's streams in place of the earlier ones, whole. */
export function publishStreams(directory: StreamsDirectory): void {
  const old = `${directory.target}.${process.pid}.old`;
  const hadEarlier = existsSync(directory.target);
  if (hadEarlier) renameSync(directory.target, old);
  renameSync(directory.root, directory.target);
  if (hadEarlier) rmSync(old, { recursive: true, force: true });
}
