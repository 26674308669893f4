// vitest globalSetup: the optimize cache folder of one test run (CACHE_DIR,
// named in vitest.config.ts) exists from before the first test until after the
// last, then goes away with everything the run cached in it.

import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname } from 'node:path';
import type { TestProject } from 'vitest/node';

export const RUN_CACHE_PREFIX = 'tinyseg-test-cache-';

export default function setup(project: TestProject): () => void {
  const dir = project.config.env['CACHE_DIR'];
  // Only a folder this run named: never a cache the developer pointed CACHE_DIR at.
  if (!dir || dirname(dir) !== tmpdir() || !basename(dir).startsWith(RUN_CACHE_PREFIX)) {
    throw new Error(`vitest.config.ts must set env.CACHE_DIR to ${tmpdir()}/${RUN_CACHE_PREFIX}<random>, got ${dir ?? 'nothing'}`);
  }
  // Exclusive: the name is random, so an existing folder is not this run's to use or remove.
  mkdirSync(dir, { mode: 0o700 });
  return () => rmSync(dir, { recursive: true, force: true });
}
