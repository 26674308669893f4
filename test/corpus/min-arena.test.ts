// The smallest arena AllocateTensors() accepts (tflm/allocate-tensors.ts)
// against real TFLM: the minimum measured with reference kernels on Cortex-M4
// where the oracle has it, never below arena_used_bytes() on either build, and
// arena_used_bytes() itself exact on cm4 and host64.

import { REFERENCE_KERNELS } from '../../src/ops/registry.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadGraph } from '../../src/graph/graph.js';
import { minimalArena } from '../../src/tflm/allocate-tensors.js';
import { golden, oracleDir, readCorpusModel } from '../helpers/shared.js';

const cmsis: Record<string, { min_arena_bytes_cm4_reference?: number }> = JSON.parse(readFileSync(join(oracleDir, 'tflm-cmsis-nn-m4.json'), 'utf8'));

describe.each(Object.keys(golden))('%s', (file) => {
  const g = golden[file]! as unknown as { arena_used_bytes_cm4: number; arena_used_bytes_host64: number };
  const graph = loadGraph(readCorpusModel(file));

  it('predicts arena_used_bytes on cm4 and host64 and a minimum at or above it', () => {
    const cm4 = minimalArena(graph, REFERENCE_KERNELS, 32);
    const host = minimalArena(graph, REFERENCE_KERNELS, 64);
    expect(cm4.used).toBe(g.arena_used_bytes_cm4);
    expect(host.used).toBe(g.arena_used_bytes_host64);
    expect(cm4.bytes).toBeGreaterThanOrEqual(g.arena_used_bytes_cm4);
    expect(host.bytes).toBeGreaterThanOrEqual(g.arena_used_bytes_host64);
    expect(cm4.bytes % 16).toBe(0);
    console.log(`${file}: cm4 used ${cm4.used} min ${cm4.bytes} (${cm4.binding}); host64 used ${host.used} min ${host.bytes} (${host.binding})`);
  });

  const measured = cmsis[file]?.min_arena_bytes_cm4_reference;
  it.runIf(measured !== undefined)('predicts the minimum TFLM measured with reference kernels', () => {
    expect(minimalArena(graph, REFERENCE_KERNELS, 32).bytes).toBe(measured);
  });
});
