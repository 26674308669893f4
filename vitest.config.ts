import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';
import { RUN_CACHE_PREFIX } from './test/helpers/run-cache-dir.js';

// Every run starts from an empty optimize cache: a test that runs the CLI
// exercises the optimizer, not an entry an earlier run left in node_modules.
// Only named here: the global setup creates it before the first test and
// removes it after the last, so a run leaves nothing in the temp dir.
const cacheDir = join(tmpdir(), `${RUN_CACHE_PREFIX}${randomBytes(6).toString('hex')}`);

export default defineConfig({
  test: {
    env: { CACHE_DIR: cacheDir },
    globalSetup: ['test/helpers/run-cache-dir.ts'],
    projects: [
      {
        // Node alone: what `npm test` runs on a fresh clone.
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/corpus/**', 'test/**/*.system.test.ts'],
          testTimeout: 60_000,
          // A hook may optimize a model too (svg.test.ts: the Tiny U-Net's streamed plans, ~6 s alone, more beside the
          // other test files): it gets a test's time.
          hookTimeout: 60_000,
        },
      },
      {
        // The kernels again on the SIMD module's relaxed build (simd.ts picks it where the host has relaxed SIMD; Node
        // 20 has it behind a flag, Node 22 on by default), which the unit project's Node 20 does not run.
        test: {
          name: 'relaxed',
          include: [
            'test/ops/simd.test.ts',
            'test/ops/simd-build.test.ts',
            'test/ops/conv-packed.test.ts',
            'test/ops/fully-connected-chain.test.ts',
            'test/ops/*-vectors.test.ts',
          ],
          execArgv: Number(process.versions.node.split('.')[0]) < 22 ? ['--experimental-wasm-relaxed-simd'] : [],
          provide: { relaxedSimd: true },
          testTimeout: 60_000,
        },
      },
      {
        // Real compilers, CMake, QEMU, Chromium (`npm run test:system`); the
        // setup fails the run naming any that is missing.
        test: {
          name: 'system',
          include: ['test/**/*.system.test.ts'],
          exclude: ['test/corpus/**'],
          globalSetup: ['test/helpers/system-tools.ts'],
          testTimeout: 120_000,
        },
      },
      {
        // Needs ../shared (real models and TFLM's measured figures) beside the repo.
        test: {
          name: 'corpus',
          include: ['test/corpus/**/*.test.ts'],
          testTimeout: 600_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
