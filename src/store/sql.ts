// SQL lives in .sql files next to the stage that runs it. The compiled JavaScript runs from
// dist/, while the .sql files stay in the source tree, so a module finds its SQL by mapping its
// own location back from dist/<path> to <path>.
import { readFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const cache = new Map<string, string>();

export function sourceDir(moduleUrl: string): string {
  const dir = dirname(fileURLToPath(moduleUrl));
  const marker = `${sep}dist${sep}`;
  const at = dir.lastIndexOf(marker);
  return at < 0 ? dir : dir.slice(0, at) + sep + dir.slice(at + marker.length);
}

/** Text of a .sql file beside the calling module (pass `import.meta.url`). */
export function sqlFile(moduleUrl: string, name: string): string {
  const path = join(sourceDir(moduleUrl), name);
  let text = cache.get(path);
  if (text === undefined) {
    text = readFileSync(path, 'utf8');
    cache.set(path, text);
  }
  return text;
}

/**
 * Named statements of a .sql file: each starts with a line `-- name: <id>` and runs to the next.
 * One file per stage keeps related statements together; names keep call sites readable.
 */
export function sqlStatements(moduleUrl: string, name: string): Record<string, string> {
  const text = sqlFile(moduleUrl, name);
  const out: Record<string, string> = {};
  let current: string | undefined;
  let body: string[] = [];
  const flush = () => {
    if (current) out[current] = body.join('\n').trim().replace(/;\s*$/, '');
  };
  for (const line of text.split('\n')) {
    const m = /^--\s*name:\s*([\w-]+)\s*$/.exec(line);
    if (m) {
      flush();
      current = m[1];
      body = [];
    } else if (current) {
      body.push(line);
    }
  }
  flush();
  return out;
}

/** Double-quotes an identifier (table, column) for SQL: the only way names enter SQL text. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

