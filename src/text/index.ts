// Text safety shared by every output a person opens or sees: spreadsheets (formula cells), HTML,
// plain text and the terminal (control characters).

/**
 * A spreadsheet runs a cell starting with = + - @ (or tab/CR, which some strip first) as a
 * formula; a leading apostrophe makes it text. Numbers such as "-12.5" stay numbers.
 */
export function neutraliseFormula(value: string): string {
  if (/^[=+\-@\t\r]/.test(value) && !/^[+-]?\d+(\.\d+)?$/.test(value)) return `'${value}`;
  return value;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

const HTML_SPECIAL = /[&<>"']/;

export function escapeHtml(value: string): string {
  // Most text has nothing to escape; testing first spares a replace per string on hot paths.
  return HTML_SPECIAL.test(value) ? value.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch]!) : value;
}

/**
 * Control characters (C0, DEL, C1) become spaces, so text from data (a customer's name) cannot
 * drive a terminal or a printer: no escape sequence retitles a window, clears a screen or
 * moves the cursor, and no tab or line break shifts a column.
 */
export function withoutControlCharacters(text: string): string {
  return CONTROL.test(text) ? text.replace(CONTROL_ALL, ' ') : text;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// eslint-disable-next-line no-control-regex
const CONTROL_ALL = /[\u0000-\u001f\u007f-\u009f]/g;

/** Text for a terminal: lines (ended by LF or CRLF) kept, every other control character a space. */
export function terminalText(text: string): string {
  return text.split(/(\r?\n)/).map((part, i) => (i % 2 === 0 ? withoutControlCharacters(part) : part)).join('');
}

/** What a file's first bytes say it is, when it is one of the binary kinds people mistake for text. */
export type BinaryFileKind = 'gzip' | 'zip' | 'parquet' | 'sqlite' | 'utf16';

export function binaryFileKind(head: Uint8Array): BinaryFileKind | null {
  const begins = (...bytes: number[]) => bytes.every((byte, i) => head[i] === byte);
  if (begins(0x1f, 0x8b)) return 'gzip';
  if (begins(0x50, 0x4b, 0x03, 0x04)) return 'zip';
  if (begins(0x50, 0x41, 0x52, 0x31)) return 'parquet';
  if (Buffer.from(head.subarray(0, 15)).toString('latin1') === 'SQLite format 3') return 'sqlite';
  if (begins(0xff, 0xfe) || begins(0xfe, 0xff)) return 'utf16';
  return null;
}
