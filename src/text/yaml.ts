// YAML (and JSON, which YAML reads too) documents as data, for every file billrun reads that way:
// price policies, review rules, the utility settings. One place decides what a document that
// cannot become data says: a syntax error, or aliases that expand past the parser's limit (a
// "billion laughs" bomb), is a problem of the file, named with it, never a crash.
import { parseDocument, type Document } from 'yaml';
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

/** The data of the YAML or JSON text of `file`; a usage error naming the file when it has none. */
export function yamlFileData(text: string, file: string): unknown {
  const read = documentData(parseDocument(text));
  if ('problem' in read) throw FatalError.at({ file }, read.problem);
  return read.data;
}
