// What identifies the running TinySeg in a cache key: the package version plus
// a fingerprint of its code. The version alone would let a rebuilt working copy
// (same version, changed optimizer) serve results the old code computed. The
// fingerprint hashes the modules' contents, not their mtimes, so a rebuild that
// changes nothing keeps the cache.
//
// Hashing ~450 KB of modules on every CLI start would cost a cache hit a large
// part of its budget, so `npm run build` stores the fingerprint with each
// module's size and mtime in dist/fingerprint.json; a run only stats the
// modules listed there, and hashes them again only if one of them changed or
// went missing since. A module added later without any listed module changing
// is imported by none of them, so it cannot change a result; not listing the
// directories saves a cache hit their walk (a few ms).

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { codeRoot, packageJsonFile } from '../code-location.js';

interface Fingerprint {
  hash: string;
  /** Module path (relative to the code root) -> [size, mtimeMs]. */
  files: Record<string, [number, number]>;
}

let cached: string | undefined;

const fingerprintFile = (root: string): string => join(root, 'fingerprint.json');

/** `<package version>+<code fingerprint>`, e.g. `0.1.0+3f2a9c1e0b7d`. */
export function toolVersion(): string {
  if (cached === undefined) {
    const pkg = JSON.parse(readFileSync(packageJsonFile(), 'utf8')) as { version: string };
    cached = `${pkg.version}+${codeFingerprint(codeRoot())}`;
  }
  return cached;
}

/** The fingerprint of the modules under `root`: the stored one while it is current, else hashed now. */
export function codeFingerprint(root: string): string {
  return storedFingerprint(root) ?? computeFingerprint(root).hash;
}

/** Writes <root>/fingerprint.json (`npm run build` does it for dist/). */
export function writeFingerprint(root = codeRoot()): void {
  writeFileSync(fingerprintFile(root), `${JSON.stringify(computeFingerprint(root))}\n`);
}

function modules(root: string): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(js|ts)$/.test(e.name) && !e.name.endsWith('.d.ts')) files.push(p);
    }
  };
  walk(root);
  return files.sort();
}

/** The stored hash, if every module it lists still has the size and mtime it had when it was taken. */
function storedFingerprint(root: string): string | null {
  let stored: Fingerprint;
  try {
    stored = JSON.parse(readFileSync(fingerprintFile(root), 'utf8')) as Fingerprint;
  } catch {
    return null;
  }
  // Concatenated, not join()ed: normalizing ~100 paths would add ~1 ms to the ~2 ms of stats.
  const prefix = root.endsWith(sep) ? root : root + sep;
  for (const [rel, want] of Object.entries(stored.files ?? {})) {
    const s = statSync(prefix + rel, { throwIfNoEntry: false });
    if (s === undefined || s.size !== want?.[0] || s.mtimeMs !== want[1]) return null;
  }
  return typeof stored.hash === 'string' ? stored.hash : null;
}

/** The modules under `root` (dist/ when built, src/ when run from source). */
function computeFingerprint(root: string): Fingerprint {
  const h = createHash('sha256');
  const files: Fingerprint['files'] = {};
  for (const f of modules(root)) {
    const code = readFileSync(f);
    const rel = relative(root, f);
    const s = statSync(f);
    files[rel] = [s.size, s.mtimeMs];
    h.update(`${rel}\0${code.length}\0`).update(code);
  }
  return { hash: h.digest('hex').slice(0, 12), files };
}
