// Where the optimize cache lives, by the find-cache-dir convention bundlers and
// their users already know: node_modules/.cache/<name> of the project, or
// $CACHE_DIR/<name>, or the OS temp dir when the project is not writable.
//
// Not find-cache-dir itself: it answers undefined where this falls back to the
// temp dir, does not say which rule chose the directory (`tinyseg cache info`
// prints it), and would replace the twenty lines below with eight packages
// (pkg-dir 7 and find-up 6's chain, common-path-prefix) while the fallback stays here.

import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const CACHE_NAME = 'tinyseg';

export type CacheDirSource = 'option' | 'env' | 'project' | 'tmp';

export interface CacheLocation {
  dir: string;
  /** Why this directory: an explicit option, $CACHE_DIR, the project's node_modules, or the temp-dir fallback. */
  source: CacheDirSource;
}

/** find-cache-dir treats these CACHE_DIR values as flags, not paths. */
const FLAG_VALUES = new Set(['true', 'false', '1', '0']);

export function resolveCacheDir(opts: { cacheDir?: string; cwd?: string; env?: Readonly<Record<string, string | undefined>> } = {}): CacheLocation {
  if (opts.cacheDir !== undefined) return { dir: resolve(opts.cacheDir), source: 'option' };
  const env = opts.env ?? process.env;
  const fromEnv = env['CACHE_DIR'];
  if (fromEnv && !FLAG_VALUES.has(fromEnv)) return { dir: resolve(fromEnv, CACHE_NAME), source: 'env' };
  const project = projectRoot(resolve(opts.cwd ?? process.cwd()));
  if (project !== undefined) {
    const dir = join(project, 'node_modules', '.cache', CACHE_NAME);
    if (canCreate(dir)) return { dir, source: 'project' };
  }
  return { dir: join(tmpdir(), `${CACHE_NAME}-cache`), source: 'tmp' };
}

/** The nearest ancestor of `from` (itself included) with a node_modules directory or a package.json. */
function projectRoot(from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    if (isDir(join(dir, 'node_modules')) || existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The directory exists and is writable, or its nearest existing ancestor is. */
function canCreate(dir: string): boolean {
  let p = dir;
  while (!existsSync(p)) {
    if (dirname(p) === p) return false;
    p = dirname(p);
  }
  try {
    accessSync(p, constants.W_OK);
    return isDir(p);
  } catch {
    return false;
  }
}
