// The C runtime's region-read primitives and default runtime (used by the TFLM
// kernels in templates/runtime/tinyseg_tflm_kernels.cc), built with the host C
// compiler as the firmware builds it: C99, every warning an error.

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/paths.js';
import { testTempDir } from '../helpers/temp-dir.js';

describe('C runtime region reads', () => {
  it('reads packed slices, row ranges and byte ranges, quantized slots to the hand-computed byte, rejects reads past the region without writing', () => {
    const dir = testTempDir('tinyseg-region-read-');
    const exe = join(dir, 'region_read_check');
    const runtime = join(repoRoot, 'templates/runtime');
    execFileSync('gcc', ['-std=c99', '-Wall', '-Wextra', '-Werror', '-pedantic', `-I${runtime}`, join(repoRoot, 'test/runtime/region_read_check.c'), join(runtime, 'tinyseg_runtime.c'), '-o', exe]);
    const out = execFileSync(exe, { encoding: 'utf8' });
    expect(out).toContain('checks=43 failures=0');
  });
});
