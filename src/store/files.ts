// Output files appear whole or not at all: everything billrun writes goes to a temp name beside
// its target first and is renamed into place, so a kill never leaves half a file under the real name.
import { createHash } from 'node:crypto';
import { createReadStream, renameSync, writeFileSync } from 'node:fs';

/** The temp name a writer fills before `publishFile` renames it to `path`. */
export function tempPathFor(path: string): string {
  return `${path}.${process.pid}.tmp`;
}

export function publishFile(path: string): void {
  renameSync(tempPathFor(path), path);
}

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  writeFileSync(tempPathFor(path), data);
  publishFile(path);
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
