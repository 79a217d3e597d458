import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { generateSampleData, type GenerateSummary } from '../../src/generate/index.js';
import type { GenerateOptions } from '../../schemas/generate.js';

export const FIXTURE_TARIFFS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'tariffs');

const tempDirs: string[] = [];

export async function generateInTemp(options: Omit<GenerateOptions, 'out'>): Promise<{ dir: string; summary: GenerateSummary }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'billrun-generate-'));
  tempDirs.push(dir);
  const summary = await generateSampleData({ tariffsDir: FIXTURE_TARIFFS, ...options, out: dir });
  return { dir, summary };
}

export async function removeTempDirs(): Promise<void> {
  await Promise.all(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

export async function openDuckDB(): Promise<DuckDBConnection> {
  return (await DuckDBInstance.create(':memory:')).connect();
}

/** Rows as JSON-friendly arrays (DECIMAL and BIGINT come back as strings). */
export async function rows(connection: DuckDBConnection, sql: string, values?: DuckDBValue[]): Promise<unknown[][]> {
  return (await connection.runAndReadAll(sql, values)).getRowsJson() as unknown[][];
}

export async function scalar(connection: DuckDBConnection, sql: string, values?: DuckDBValue[]): Promise<number> {
  return Number((await rows(connection, sql, values))[0]![0]);
}
