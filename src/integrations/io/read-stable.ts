// Reading a file that an editor or exporter may be writing at that moment.
// Watch events arrive while the writer is still busy; a read that overlaps a
// write can see a mixture of old and new bytes that happens to decode. The
// file's identity (inode, size, mtime in ns) is compared before and after the
// read: if it moved, the bytes are not trusted and the caller tries again later.

import { statSync, type BigIntStats } from 'node:fs';
import { readModelBytes } from './model-bytes.js';

export type StableRead = { stable: true; bytes: Uint8Array } | { stable: false; why: string };

const identity = (s: BigIntStats): string => `${s.ino}:${s.size}:${s.mtimeNs}`;

/** Reads `file` (errors name it, as readModelBytes); `stable: false` when it changed during the read. */
export function readModelStable(file: string, read: (file: string) => Uint8Array = readModelBytes): StableRead {
  const before = statOrNull(file);
  const bytes = read(file);
  const after = statOrNull(file);
  if (before === null || after === null) return { stable: false, why: 'appeared or vanished while being read' };
  if (identity(before) !== identity(after)) return { stable: false, why: 'changed while being read' };
  if (BigInt(bytes.length) !== after.size) return { stable: false, why: 'size changed while being read' };
  return { stable: true, bytes };
}

function statOrNull(file: string): BigIntStats | null {
  try {
    return statSync(file, { bigint: true });
  } catch {
    return null;
  }
}
