// What a failed write says: one line naming the output and the reason in
// words, never the temporary file the failure happened on (a user did not ask
// for `.m.tflite.25673.1f2e.tmp` and cannot act on its name).

import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { TinysegError } from '../../errors.js';

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large for the file system or the process limit',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'a directory is in the way',
  ENOTEMPTY: 'a directory is in the way',
  EEXIST: 'a file is in the way',
  ENAMETOOLONG: 'file name too long',
  ELOOP: 'too many symbolic links',
  EIO: 'input/output error',
};

/** The E_IO error of writing `file`; `cause` is the system error of any step (directory, temporary file, rename). */
export function writeError(file: string, cause: unknown): TinysegError {
  return new TinysegError('E_IO', `cannot write: ${reason(file, cause)}`, { file, cause });
}

function reason(file: string, cause: unknown): string {
  const code = (cause as NodeJS.ErrnoException).code ?? '';
  if (code === 'ENOTDIR') {
    const blocker = fileOnPath(file);
    if (blocker !== undefined) return `${blocker} is a file, not a directory`;
  }
  if (code === 'ENOENT') return `${dirname(file)} cannot be created`;
  return REASONS[code] ?? (cause as Error).message ?? String(cause);
}

/** The nearest ancestor directory of `file` that exists but is not a directory. */
function fileOnPath(file: string): string | undefined {
  const ancestors: string[] = [];
  for (let dir = dirname(file); dirname(dir) !== dir; dir = dirname(dir)) ancestors.unshift(dir);
  for (const dir of ancestors) {
    try {
      if (!statSync(dir).isDirectory()) return dir;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
