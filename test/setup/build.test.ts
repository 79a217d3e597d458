// The worker threads run dist/, so a stale build would test yesterday's pricing: every source file
// must have its compiled twin, no older than the source (the global setup builds before the run).
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => join(dir, f));
}

describe('the compiled code the workers load', () => {
  it('is at least as new as every source file of src/, workers/ and schemas/', () => {
    const stale = ['src', 'workers', 'schemas'].flatMap(sources).filter((source) => {
      const compiled = join(ROOT, 'dist', source.replace(/\.ts$/, '.js'));
      try {
        return statSync(compiled).mtimeMs < statSync(join(ROOT, source)).mtimeMs;
      } catch {
        return true;
      }
    });
    expect(stale.map((f) => relative(ROOT, join(ROOT, f)))).toEqual([]);
  });
});
