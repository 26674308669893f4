// The CLI in-process (runCli) with its output captured, and a scratch folder
// removed after the file's tests; CACHE_DIR points into it meanwhile.

import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { runCli } from '../../src/integrations/cli.js';
import { tempDir } from './temp-dir.js';

export function inProcessCli(prefix: string): { scratch: string; tinyseg: (...argv: string[]) => Promise<{ code: number; stdout: string; stderr: string }> } {
  const scratch = tempDir(prefix);
  const savedCacheDir = process.env['CACHE_DIR'];
  beforeAll(() => {
    process.env['CACHE_DIR'] = join(scratch, 'cache');
  });
  afterAll(() => {
    if (savedCacheDir === undefined) delete process.env['CACHE_DIR'];
    else process.env['CACHE_DIR'] = savedCacheDir;
  });
  const tinyseg = async (...argv: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) });
    return { code, stdout, stderr };
  };
  return { scratch, tinyseg };
}
