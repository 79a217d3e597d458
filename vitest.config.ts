import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds dist/ (the workers run compiled code) and makes sure Chromium is there; see the file.
    globalSetup: ['test/setup/global.ts'],
    // DuckDB stores and worker pools are process-wide resources; forks keep each test file's
    // native handles isolated and let a crashed file fail alone.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
