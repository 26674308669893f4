// The cache directory as a store of entry files: list, size cap with
// least-recently-used pruning (a hit touches the entry's mtime), info, clean.
// Several processes may share the directory: every removal tolerates the file
// being gone already, and temporary files are only swept once they are stale.
//
// Not cacache: a hit here is one read of a file named by the key (the hit path
// is measured in milliseconds, test/integrations/hit-path.test.ts), where
// cacache reads an index bucket and then the content file; cacache has no size
// cap to prune to (only `verify`'s garbage collection), and its ten direct
// dependencies (the minipass streams, glob, ssri, ...) would come with it.

import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TinysegError } from '../../errors.js';

export const DEFAULT_CACHE_MAX_BYTES = 256 * 1024 * 1024;
export const CACHE_MAX_BYTES_ENV = 'TINYSEG_CACHE_MAX_BYTES';

const ENTRY_NAME = /^[0-9a-f]{64}\.entry$/;
/** writeFileAtomic's temporary files: `.<name>.<pid>.<random>.tmp`. */
const TEMP_NAME = /^\..+\.tmp$/;
/** A temporary file this old belongs to a process that died mid-write. */
const STALE_TEMP_MS = 60 * 60 * 1000;

export const entryFile = (dir: string, key: string): string => join(dir, `${key}.entry`);

export interface StoredEntry {
  file: string;
  bytes: number;
  mtimeMs: number;
}

export interface CacheStats {
  dir: string;
  entries: number;
  bytes: number;
  maxBytes: number;
}

/** The cap: an explicit value, else $TINYSEG_CACHE_MAX_BYTES, else 256 MiB. */
export function cacheMaxBytes(explicit?: number, env: Readonly<Record<string, string | undefined>> = process.env): number {
  if (explicit !== undefined) {
    if (!Number.isSafeInteger(explicit) || explicit < 0) throw new TinysegError('E_USAGE', `the cache size cap must be a whole number of bytes, got ${explicit}`);
    return explicit;
  }
  const v = env[CACHE_MAX_BYTES_ENV];
  if (v === undefined || v === '') return DEFAULT_CACHE_MAX_BYTES;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new TinysegError('E_USAGE', `${CACHE_MAX_BYTES_ENV} must be a whole number of bytes, got '${v}'`);
  return n;
}

function names(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new TinysegError('E_IO', `cannot read the cache directory: ${(e as Error).message}`, { file: dir, cause: e });
  }
}

const statOrNull = (file: string) => {
  try {
    return statSync(file);
  } catch {
    return null;
  }
};

export function listEntries(dir: string): StoredEntry[] {
  const out: StoredEntry[] = [];
  for (const name of names(dir)) {
    if (!ENTRY_NAME.test(name)) continue;
    const file = join(dir, name);
    const s = statOrNull(file);
    if (s?.isFile()) out.push({ file, bytes: s.size, mtimeMs: s.mtimeMs });
  }
  return out;
}

export function cacheStats(dir: string, maxBytes: number): CacheStats {
  const entries = listEntries(dir);
  return { dir, entries: entries.length, bytes: entries.reduce((n, e) => n + e.bytes, 0), maxBytes };
}

/**
 * Removes least recently used entries until the total fits `maxBytes`, and stale
 * temporary files. `keep` (the entry just written) is never removed, so a
 * result larger than the cap is still served until the next entry arrives.
 */
export function pruneCache(dir: string, maxBytes: number, keep?: string): { removed: number; bytes: number } {
  sweepStaleTemps(dir);
  // Oldest first; ties in code-unit order (the same on every machine, whatever its locale).
  const entries = listEntries(dir).sort((a, b) => a.mtimeMs - b.mtimeMs || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  let total = entries.reduce((n, e) => n + e.bytes, 0);
  let removed = 0;
  let freed = 0;
  for (const e of entries) {
    if (total <= maxBytes) break;
    if (e.file === keep) continue;
    rmSync(e.file, { force: true });
    total -= e.bytes;
    freed += e.bytes;
    removed++;
  }
  return { removed, bytes: freed };
}

/** Removes every entry and temporary file; the directory stays. */
export function cleanCache(dir: string): { removed: number; bytes: number } {
  let removed = 0;
  let bytes = 0;
  for (const e of listEntries(dir)) {
    rmSync(e.file, { force: true });
    removed++;
    bytes += e.bytes;
  }
  for (const name of names(dir)) if (TEMP_NAME.test(name)) rmSync(join(dir, name), { force: true });
  return { removed, bytes };
}

function sweepStaleTemps(dir: string): void {
  const now = Date.now();
  for (const name of names(dir)) {
    if (!TEMP_NAME.test(name)) continue;
    const file = join(dir, name);
    const s = statOrNull(file);
    if (s && now - s.mtimeMs > STALE_TEMP_MS) rmSync(file, { force: true });
  }
}
