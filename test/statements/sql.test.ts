// Every SQL statement of the statements stage prepares against the store's schema.
import { join } from 'node:path';
import { LIST, listValue, VARCHAR } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { defineReadDerivation } from '../../src/billing/index.js';
import { openStore, sqlStatements } from '../../src/store/index.js';
import { tempDir } from '../helpers.js';

const SQL = sqlStatements(new URL('../../src/statements/index.js', import.meta.url).href, 'statements.sql');

describe('statements SQL', () => {
  it('prepares every statement against a migrated store', async () => {
    const store = await openStore(join(tempDir(), 'store.duckdb'));
    try {
      // The staging statements create the temp tables the others read.
      const empty = listValue([]);
      await store.connection.run(SQL.scope!, { period: 202507, region: null, accounts: empty }, { region: VARCHAR, accounts: LIST(VARCHAR) });
      await store.run(SQL.stage!, { period: 202507, unsendable: listValue(['held']), include_held: false });
      await store.run(SQL['stage-lines']!, { period: 202507 });
      for (const name of ['files-table', 'empty-previous-index']) await store.run(SQL[name]!);
      await defineReadDerivation(store.connection);
      await store.run(SQL['stage-reads']!, {
        first: '2025-07-01', next: '2025-08-01', registers: listValue(['total']), read_types: listValue(['actual']),
      });
      await store.run(SQL['stage-history']!, { period: 202507, month_index: 2025 * 12 + 6, history_from: 202407 });
      await store.run(SQL.index!, { formats: listValue(['html']), filtered: false });
      const failures: string[] = [];
      for (const [name, sql] of Object.entries(SQL)) {
        try {
          (await store.connection.prepare(sql)).destroySync();
        } catch (error) {
          failures.push(`${name}: ${(error as Error).message.split('\n')[0]}`);
        }
      }
      expect(failures).toEqual([]);
      expect(Object.keys(SQL).length).toBeGreaterThan(20);
    } finally {
      store.close();
    }
  });
});
