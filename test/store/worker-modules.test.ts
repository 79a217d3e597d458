// The worker threads load the stage code they run and nothing of the store's DuckDB side: a native
// DuckDB in every worker costs each of them start-up time and memory for nothing (the pools hand
// them their batches as Arrow buffers). Native addons load through process.dlopen, so the test
// records its calls while each compiled worker module is imported in a thread of its own.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';

function nativeModulesLoadedBy(workerFile: string): Promise<string[]> {
  const url = pathToFileURL(join(process.cwd(), 'dist', 'workers', workerFile)).href;
  const source = `
    const { parentPort } = require('node:worker_threads');
    const loaded = [];
    const dlopen = process.dlopen;
    process.dlopen = (module, file, ...rest) => { loaded.push(file); return dlopen(module, file, ...rest); };
    import(${JSON.stringify(url)}).then(() => parentPort.postMessage(loaded), (error) => parentPort.postMessage(['import failed: ' + error.message]));`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(source, { eval: true });
    worker.once('message', (loaded: string[]) => void worker.terminate().then(() => resolve(loaded)));
    worker.once('error', reject);
  });
}

describe('worker modules', () => {
  it.each(['billing.worker.js', 'statements.worker.js'])('%s loads no native module (no DuckDB)', async (file) => {
    expect(await nativeModulesLoadedBy(file)).toEqual([]);
  });
});
