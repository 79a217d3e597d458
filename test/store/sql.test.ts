// Every SQL statement of every stage against the store's schema: statements over the permanent
// tables must prepare (bind every table, column and function); statements over a working table
// that another statement creates at run time (staging, checks) must at least parse, and that
// working table must be one the SQL really creates. The stage tests then run them on data.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineReadDerivation } from '../../src/billing/index.js';
import { openStore, sourceDir, sqlStatements } from '../../src/store/index.js';
import { tempDir } from '../helpers.js';

const SRC = join(sourceDir(import.meta.url), '..', '..', 'src');

function sqlFiles(): { stage: string; file: string; url: string }[] {
  return readdirSync(SRC, { withFileTypes: true }).filter((d) => d.isDirectory() && d.name !== 'store').flatMap((d) =>
    readdirSync(join(SRC, d.name)).filter((f) => f.endsWith('.sql')).map((file) => ({
      stage: d.name, file, url: new URL(`file://${join(SRC, d.name, 'index.ts')}`).href,
    })));
}

describe('SQL of every stage', () => {
  it('prepares against a migrated store, or parses where it reads a working table the SQL creates', async () => {
    const store = await openStore(join(tempDir(), 'store.duckdb'));
    try {
      // The review stage's session tables, created the way the stage creates them, so its many
      // statements over them bind fully.
      const review = new URL(`file://${join(SRC, 'review', 'index.ts')}`).href;
      await store.run(sqlStatements(review, 'review.sql').items!, { period: 202502, prev: 202501, yoy: 202402 });
      await store.run(sqlStatements(review, 'report.sql').accounts!, { limit: 10 });
      // The read-derivation macros every stage's period SQL selects from, defined as the stages define them.
      await defineReadDerivation(store.connection);
      const all = sqlFiles().flatMap(({ stage, file, url }) =>
        Object.entries(sqlStatements(url, file)).map(([name, sql]) => ({ where: `${stage}/${file} ${name}`, sql })));
      const created = new Set(all.flatMap(({ sql }) =>
        [...sql.matchAll(/CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP\s+)?(?:TABLE|VIEW)\s+(\w+)/gi)].map((m) => m[1]!.toLowerCase())));
      // DuckDB names the CSV reader's reject tables itself; the bill run creates its staging table
      // from the `staged` SELECT, one range of accounts at a time.
      for (const name of ['csv_rejects', 'csv_scans', 'bad_lines', 'raw_text', 'run_staging']) created.add(name);
      const failures: string[] = [];
      let prepared = 0;
      let parsedOnly = 0;
      for (const { where, sql } of all) {
        try {
          (await store.connection.prepare(sql)).destroySync();
          prepared++;
        } catch (error) {
          const message = (error as Error).message.split('\n')[0]!;
          const missing = /Table with name (\w+) does not exist/.exec(message)?.[1]?.toLowerCase();
          if (missing && created.has(missing)) {
            try {
              // Parsing is all that can be checked for SQL over tables a stage creates as it runs.
              parsedOnly += (await store.connection.extractStatements(sql)).count > 0 ? 1 : 0;
            } catch (parseError) {
              failures.push(`${where}: ${(parseError as Error).message.split('\n')[0]}`);
            }
          } else {
            failures.push(`${where}: ${message}`);
          }
        }
      }
      expect(failures).toEqual([]);
      expect(all.length).toBeGreaterThan(100);
      expect(prepared).toBeGreaterThan(parsedOnly);
    } finally {
      store.close();
    }
  });
});
