import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// A short run closes its pools while workers may still be loading their module. Node 20's
// require(esm) aborts the whole process when that happens mid-instantiation (it took down a test
// fork in CI). The sweep runs in a child process so an abort fails this test instead of the fork;
// with require(esm) left on in the workers, this sweep aborted in 7 runs out of 10.
const SWEEP = `
import { workerPool } from ${JSON.stringify(join(process.cwd(), 'dist', 'src', 'store', 'pool-protocol.js'))};
let closed = 0;
for (let delay = 50; delay <= 110; delay++) {
  const pool = workerPool(closed % 2 ? 'billing' : 'statements', 2);
  await new Promise((resolve) => setTimeout(resolve, delay));
  await pool.destroy();
  closed++;
}
console.log('closed ' + closed);
`;

describe('worker pools', () => {
  it('close cleanly while their workers are still starting up', () => {
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', SWEEP], { encoding: 'utf8', timeout: 60_000 });
    expect(child.stderr).not.toContain('FATAL ERROR');
    expect({ status: child.status, signal: child.signal }).toEqual({ status: 0, signal: null });
    expect(child.stdout.trim()).toBe('closed 61');
  }, 90_000);
});
