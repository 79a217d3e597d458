// Every SQL statement of the review stage prepares against the store's schema.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore, sqlStatements } from '../../src/store/index.js';
import { tempDir } from '../helpers.js';

const FILES = ['review.sql', 'decide.sql', 'stats.sql', 'report.sql'];
const moduleUrl = new URL('../../src/review/index.js', import.meta.url).href;

describe('review SQL', () => {
  it('prepares every statement against a migrated store', async () => {
    const store = await openStore(join(tempDir(), 'store.duckdb'));
    try {
      // The statements that create the session tables the others read.
      const review = sqlStatements(moduleUrl, 'review.sql');
      await store.run(review.items!, { period: 202502, prev: 202501, yoy: 202402 });
      await store.run(sqlStatements(moduleUrl, 'report.sql').accounts!, { limit: 10 });
      const failures: string[] = [];
      let prepared = 0;
      for (const file of FILES) {
        for (const [name, sql] of Object.entries(sqlStatements(moduleUrl, file))) {
          try {
            (await store.connection.prepare(sql)).destroySync();
            prepared++;
          } catch (error) {
            failures.push(`${file} ${name}: ${(error as Error).message.split('\n')[0]}`);
          }
        }
      }
      expect(failures).toEqual([]);
      expect(prepared).toBeGreaterThan(30);
    } finally {
      store.close();
    }
  });
});
