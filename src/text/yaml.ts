// YAML (and JSON, which YAML reads too) documents as data, for every file billrun reads that way:
// price policies, review rules, the utility settings. One place decides what a document that
// cannot become data says: a syntax error, or aliases that expand past the parser's limit (a
// "billion laughs" bomb), is a problem of the file, named with it, never a crash; and a value
// its schema refuses is named with its line.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { FatalError } from '../diagnostics/index.js';

/** The document's data, or why it has none ("not valid YAML or JSON: …"). */
export function documentData(doc: Document): { data: unknown } | { problem: string } {
  const invalid = (error: Error) => ({ problem: `not valid YAML or JSON: ${error.message.split('\n')[0]!}` });
  if (doc.errors.length > 0) return invalid(doc.errors[0]!);
  try {
    // toJS() expands aliases, and refuses (throws) when they would blow up.
    return { data: doc.toJS() };
  } catch (error) {
    return invalid(error as Error);
  }
}

/**
 * Line and column of the deepest node on `path` that exists in the document (a missing key: its
 * map); with `atKey`, of the last segment's key rather than its value (a value that is a map
 * starts at its first entry, below its comments).
 */
export function nodePosition(doc: Document, lineCounter: LineCounter, path: readonly PropertyKey[], atKey = false): { line: number; column: number } | null {
  let node: unknown = doc.contents;
  for (const [i, segment] of path.entries()) {
    let next: unknown;
    if (isMap(node)) {
      next = atKey && i === path.length - 1 ? node.items.find((pair) => isScalar(pair.key) && pair.key.value === segment)?.key : node.get(segment, true);
    } else if (isSeq(node) && typeof segment === 'number') next = node.get(segment, true);
    if (next === undefined || next === null) break;
    node = next;
  }
  const range = (node as { range?: [number, number, number] } | null)?.range;
  if (!range) return null;
  const { line, col } = lineCounter.linePos(range[0]);
  return { line, column: col };
}

/**
 * The YAML or JSON text of `file` as `schema`'s data; otherwise a usage error naming the file,
 * the line and the field of the first problem.
 */
export function validatedYamlFile<S extends z.ZodType>(text: string, file: string, schema: S): z.output<S> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const syntax = doc.errors[0];
  if (syntax) {
    // The parser's message ends with its own "at line L, column C:" and a code excerpt.
    const message = syntax.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw FatalError.at({ file, line: syntax.linePos?.[0].line }, `not valid YAML or JSON: ${message}`);
  }
  const read = documentData(doc);
  if ('problem' in read) throw FatalError.at({ file }, read.problem);
  const parsed = schema.safeParse(read.data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  // An unknown key is placed at the key itself, not at the map that holds it.
  const unknownKey = issue.code === 'unrecognized_keys';
  const line = nodePosition(doc, lineCounter, unknownKey ? [...issue.path, issue.keys[0]!] : issue.path, unknownKey)?.line;
  throw FatalError.at({ file, line }, `${issue.path.join('.') || '(document)'}: ${issue.message}`);
}
