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
