// What identifies the running TinySeg in a cache key: the package version plus
// a fingerprint of its code. The version alone would let a rebuilt working copy
// (same version, changed optimizer) serve results the old code computed. The
// fingerprint hashes the modules' contents, not their mtimes, so a rebuild that
// changes nothing keeps the cache (about 5 ms for the ~450 KB of dist/).

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** `<package version>+<code fingerprint>`, e.g. `0.1.0+3f2a9c1e0b7d`. */
export function toolVersion(): string {
  if (cached === undefined) {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    cached = `${pkg.version}+${codeFingerprint(fileURLToPath(new URL('..', import.meta.url)))}`;
  }
  return cached;
}

/** The modules under `root` (dist/ when built, src/ when run from source). */
function codeFingerprint(root: string): string {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(js|ts)$/.test(e.name) && !e.name.endsWith('.d.ts')) files.push(p);
    }
  };
  walk(root);
  const h = createHash('sha256');
  for (const f of files.sort()) {
    const code = readFileSync(f);
    h.update(`${relative(root, f)}\0${code.length}\0`).update(code);
  }
  return h.digest('hex').slice(0, 12);
}
