// Runs once before any test file. Worker pools load the compiled dist/workers, so the sources are
// compiled here first: a test always exercises the code as it is now, not the last build (a full
// build rewrites every output, which test/setup/build.test.ts checks). Then the browser the HTML
// tests need.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { ensureBrowser } from './browser.js';

export default function setup(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { encoding: 'utf8' });
  if (build.status !== 0) {
    // Type errors mean the sources as written are not the program: stop instead of testing dist.
    throw new Error(`the build failed, so no test would run the code as written:\n${build.stdout}${build.stderr}`);
  }
  ensureBrowser((line) => process.stderr.write(`${line}\n`));
}
