// Outputs appear whole or not at all: write a sibling temporary file, then
// rename it over the target (atomic on POSIX within one directory). The
// temporary name only has to differ from other writers' (the pid tells
// processes apart, the random part threads of one process): Math.random does,
// without the ~0.4 ms crypto's generator costs a cache hit on first use.

import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { TinysegError } from '../../errors.js';

export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const dir = dirname(file);
  const tmp = join(dir, `.${basename(file)}.${process.pid}.${Math.random().toString(16).slice(2, 10)}.tmp`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new TinysegError('E_IO', `cannot write: ${(e as Error).message}`, { file, cause: e });
  }
}
