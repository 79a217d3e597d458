// Text safety shared by every output a person opens: spreadsheets (formula cells) and HTML.

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
