// A --workers the system cannot give threads for is the environment (exit 6 naming the option),
// not an internal error. Piscina starts every thread in its constructor; the refusal is what
// node:worker_threads throws there when the thread cannot be created (seen with --workers 100000).
import { describe, expect, it, vi } from 'vitest';
import { EXIT, FatalError } from '../../src/diagnostics/index.js';

vi.mock('piscina', () => ({
  Piscina: class {
    constructor() {
      throw Object.assign(new Error('EAGAIN'), { code: 'ERR_WORKER_INIT_FAILED' });
    }
  },
}));

const { workerPool } = await import('../../src/store/pool-protocol.js');

describe('a worker pool the system has no threads for', () => {
  it('is exit 6 naming --workers', () => {
    let refused: unknown;
    try {
      workerPool('billing', 100_000);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(FatalError);
    expect([(refused as FatalError).message, (refused as FatalError).exitCode]).toEqual([
      'cannot start 100000 worker threads (EAGAIN: the system refused more threads): use fewer --workers', EXIT.environment,
    ]);
  });
});
