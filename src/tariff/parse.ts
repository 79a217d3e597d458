// Policy files (YAML or JSON) → validated policy. Numbers are read from their source text so a
// price such as 0.58886875 never passes through a binary float, and every problem is placed at
// its line in the file.
import { isScalar, LineCounter, parseDocument, type Document, visit } from 'yaml';
import type { TariffPolicy } from '../../schemas/tariff.js';
import { documentData, nodePosition } from '../text/yaml.js';
import type { PathSegment, Problem } from './problems.js';
import { type LocatedProblem, toProblem, validateLocated } from './validate.js';

export type PolicyFormat = 'yaml' | 'json';

export function parsePolicy(text: string, format: PolicyFormat, fileName: string): { policy?: TariffPolicy; problems: Problem[] } {
  if (format === 'json') {
    const syntax = jsonSyntaxProblem(text, fileName);
    if (syntax) return { problems: [syntax] };
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { schema: format === 'json' ? 'json' : 'core', lineCounter });
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((error) => ({
        code: 'syntax' as const,
        severity: 'error' as const,
        path: '',
        message: error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''),
        file: fileName,
        ...(error.linePos ? { line: error.linePos[0].line, column: error.linePos[0].col } : {}),
      })),
    };
  }
  keepExactNumbers(doc);
  const read = documentData(doc);
  if ('problem' in read) return { problems: [{ code: 'syntax', severity: 'error', path: '', message: read.problem, file: fileName }] };
  const { policy, items } = validateLocated(read.data);
  const problems: Problem[] = items.map((item) => ({ ...toProblem(item), file: fileName, ...locate(doc, lineCounter, item) }));
  // Stable sort: problems in file order, those of one place in the order they were found.
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  return { ...(policy ? { policy } : {}), problems };
}

/**
 * Replaces every number that is not a safe integer by its source text ("0.10" stays "0.10"), and
 * reads `version: 2024` as the id "2024" rather than a number.
 */
function keepExactNumbers(doc: Document): void {
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.value === 'version' && isScalar(pair.value) && typeof pair.value.value === 'number') {
        pair.value.value = pair.value.source ?? String(pair.value.value);
      }
    },
    Scalar(_, node) {
      if (typeof node.value === 'number' && !Number.isSafeInteger(node.value) && node.source !== undefined) {
        node.value = node.source;
      }
    },
  });
}

/** Line and column of the deepest node on the problem's path that exists in the document. */
function locate(doc: Document, lineCounter: LineCounter, item: LocatedProblem): { line?: number; column?: number } {
  return nodePosition(doc, lineCounter, item.path as PathSegment[]) ?? {};
}

function jsonSyntaxProblem(text: string, fileName: string): Problem | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const at = /position (\d+)/.exec(message);
    const where = at ? lineColumn(text, Number(at[1])) : {};
    return { code: 'syntax', severity: 'error', path: '', message: message.replace(/ in JSON at position \d+.*$/, ''), file: fileName, ...where };
  }
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
