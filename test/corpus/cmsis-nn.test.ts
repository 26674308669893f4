// TFLM + CMSIS-NN on a Cortex-M4 (../shared/oracle/tflm-cmsis-nn-m4.json):
// the arena predicted with the cmsis-nn kernel set on a DSP core equals
// arena_used_bytes() real TFLM measured, for every model it lists, both from
// planTflmArena and from `tinyseg report --kernels cmsis-nn --json`.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadGraph } from '../../src/graph/graph.js';
import { kernelsFor } from '../../src/ops/registry.js';
import { planTflmArena } from '../../src/tflm/arena.js';
import { inProcessCli } from '../helpers/cli.js';
import { repoRoot } from '../helpers/paths.js';
import { modelsDir, oracleDir } from '../helpers/shared.js';

interface CmsisEntry {
  model_sha256: string;
  arena_used_bytes_cm4_cmsis_nn?: number;
}

const oracle: Record<string, CmsisEntry> = JSON.parse(readFileSync(join(oracleDir, 'tflm-cmsis-nn-m4.json'), 'utf8'));
const measured = Object.entries(oracle).filter((e): e is [string, Required<CmsisEntry>] => e[0] !== '_about' && e[1].arena_used_bytes_cm4_cmsis_nn !== undefined);

/** Every candidate model file by its sha256. */
const bySha = new Map<string, string>();
for (const dir of [modelsDir, join(repoRoot, 'examples', 'models')]) {
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.tflite'))) {
    const path = join(dir, f);
    bySha.set(createHash('sha256').update(readFileSync(path)).digest('hex'), path);
  }
}

const { tinyseg } = inProcessCli('tinyseg-cmsis-');

describe.each(measured)('%s', (_name, entry) => {
  const path = bySha.get(entry.model_sha256);

  it('is found by its sha256', () => {
    expect(path, `no model file with sha256 ${entry.model_sha256}`).toBeDefined();
  });

  it('planTflmArena with cmsis-nn on a DSP core gives arena_used_bytes', () => {
    const arena = planTflmArena(loadGraph(new Uint8Array(readFileSync(path!))), kernelsFor('cmsis-nn', 'dsp'));
    expect(arena.total).toBe(entry.arena_used_bytes_cm4_cmsis_nn);
  });

  it('tinyseg report --kernels cmsis-nn --json prints it', async () => {
    const r = await tinyseg('report', path!, '--kernels', 'cmsis-nn', '--json');
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.kernels).toBe('cmsis-nn');
    expect(report.arena.total).toBe(entry.arena_used_bytes_cm4_cmsis_nn);
  });
});
