// Scratch folders under the OS temp dir that go away when the tests that made
// them end, passed or failed: the suite runs on developers' machines, and every
// run would otherwise leave its folders in /tmp.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, onTestFinished } from 'vitest';

function removeDir(dir: string): void {
  // Retries: a child process killed in teardown may still be writing into it.
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

/**
 * A fresh folder removed after the enclosing test file or describe block.
 * Call it at module or describe level; after-hooks run last-registered first,
 * so a file's own teardown (closing servers, killing children) still finds it.
 */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => removeDir(dir));
  return dir;
}

/** A fresh folder removed when the running test ends. Call it inside a test. */
export function testTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onTestFinished(() => removeDir(dir));
  return dir;
}
