// HTML built by one tagged template that escapes every interpolated value: a name like
// "<script>" from the account master can only ever become text. Trusted fragments (other
// templates, the charts' SVG, which escapes its own labels) pass through as Html values.
import { escapeHtml } from '../text/index.js';

export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type Part = Html | string | number | null | undefined | false | readonly Part[];

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return '';
  if (part instanceof Html) return part.text;
  if (Array.isArray(part)) return part.map(render).join('');
  return escapeHtml(String(part));
}

export function html(strings: TemplateStringsArray, ...parts: Part[]): Html {
  let out = strings[0]!;
  parts.forEach((part, i) => {
    out += render(part) + strings[i + 1]!;
  });
  return new Html(out);
}

/** Markup this module did not build and that escapes its own text (the charts' SVG). */
export function trusted(markup: string): Html {
  return new Html(markup);
}
