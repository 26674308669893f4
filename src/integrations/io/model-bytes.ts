// Reading a model file's bytes without decoding them (a cache hit needs no
// more); every failure names the file.

import { readFileSync } from 'node:fs';
import { TinysegError } from '../../errors.js';

export function readModelBytes(file: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(file));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory' : err.message;
    throw new TinysegError('E_IO', `cannot read model: ${why}`, { file, cause: e });
  }
}
