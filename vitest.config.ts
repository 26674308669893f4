import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// Every run starts from an empty optimize cache: a test that runs the CLI
// exercises the optimizer, not an entry an earlier run left in node_modules.
const cacheDir = mkdtempSync(join(tmpdir(), 'tinyseg-test-cache-'));

export default defineConfig({
  test: {
    env: { CACHE_DIR: cacheDir },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/corpus/**'],
          testTimeout: 60_000,
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
