// Where TinySeg's own files are, whatever runs: the compiled modules
// (dist/...), the CLI and worker bundles (dist/bundle: an entry per program
// and the chunks they share, so a process does not resolve and read ~250
// modules at start), or the TypeScript sources under the unit tests
// (src/...). Paths relative to import.meta.url differ between those layouts;
// the package root does not.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The directory of TinySeg's package.json: the nearest ancestor of this module's file that has one. */
export function packageRoot(): string {
  if (root === undefined) {
    let dir = dirname(fileURLToPath(import.meta.url));
    while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
    root = dir;
  }
  return root;
}

/** The directory holding the running modules: dist/ when built (bundles included), src/ from source. */
export function codeRoot(): string {
  const here = fileURLToPath(import.meta.url);
  const top = packageRoot();
  // The first path segment below the package root.
  return join(top, here.slice(top.length + 1).split(/[\\/]/)[0]!);
}

/** TinySeg's package.json. */
export const packageJsonFile = (): string => join(packageRoot(), 'package.json');
