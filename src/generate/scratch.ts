// A throwaway DuckDB database inside the output directory: batches are appended month by month
// (memory stays O(accounts), not O(readings)) and each output file is one COPY from it. One
// thread and insertion order make every COPY byte-identical from run to run: the generator
// appends rows already in file order, so no ORDER BY has to sort tens of millions of rows.
import { rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { appendBatch, type ColumnBatch, type ColumnKind, type ColumnSpec } from '../store/columnar.js';

const SQL_TYPES: Record<ColumnKind, string> = {
  bool: 'BOOLEAN', int8: 'TINYINT', uint8: 'UTINYINT', int16: 'SMALLINT', uint16: 'USMALLINT', int32: 'INTEGER',
  int64: 'BIGINT', double: 'DOUBLE', date: 'DATE', varchar: 'VARCHAR',
};

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A SQL string literal. Only for what DuckDB cannot bind: COPY's target path. */
export function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

export type FileFormat = 'parquet' | 'csv';

export class ScratchStore {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly paths: readonly string[],
  ) {}

  static async open(dir: string): Promise<ScratchStore> {
    const base = path.join(dir, `.billrun-generate-${process.pid}`);
    const paths = [`${base}.duckdb`, `${base}.duckdb.wal`, `${base}.tmp`];
    await Promise.all(paths.map((p) => rm(p, { recursive: true, force: true })));
    const instance = await DuckDBInstance.create(paths[0], {
      threads: '1',
      preserve_insertion_order: 'true',
      temp_directory: paths[2]!,
      memory_limit: '1GB',
    });
    return new ScratchStore(instance, await instance.connect(), paths);
  }

  async createTable(table: string, specs: readonly ColumnSpec[]): Promise<void> {
    const columns = specs.map((s) => `${quoteIdentifier(s.name)} ${SQL_TYPES[s.kind]}`).join(', ');
    await this.connection.run(`CREATE TABLE ${quoteIdentifier(table)} (${columns})`);
  }

  async append(table: string, specs: readonly ColumnSpec[], batch: ColumnBatch): Promise<void> {
    if (batch.rowCount > 0) await appendBatch(this.connection, table, specs, batch);
  }

  /** Writes `select`'s rows to `target` (via a temporary name, renamed into place); returns its size. */
  async copy(select: string, target: string, format: FileFormat): Promise<number> {
    const partial = `${target}.${process.pid}`;
    const options = format === 'parquet' ? 'FORMAT parquet' : 'FORMAT csv, HEADER true';
    try {
      await this.connection.run(`COPY (${select}) TO ${quoteLiteral(partial)} (${options})`);
      await rename(partial, target);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
    return (await stat(target)).size;
  }

  async close(): Promise<void> {
    this.connection.closeSync();
    this.instance.closeSync();
    await Promise.all(this.paths.map((p) => rm(p, { recursive: true, force: true })));
  }
}
