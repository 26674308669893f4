// Never worse, by the arena the firmware allocates: a rewrite that uses fewer bytes but needs more to allocate
// (its offline plan costs AllocateTensors() transient bytes) gives way to the original with TFLM's plan frozen.
// The two one-operator models were run on the Cortex-M4 (QEMU, real TFLM): the EXPAND_DIMS rewrite used 420 B for
// the original's 452 but needed 544 B to allocate for its 512; the SQUEEZE one 448 B for 576, and 544 B for 576.

import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/graph/builder.js';
import { loadGraph, saveGraph } from '../../src/graph/graph.js';
import { optimize } from '../../src/optimize/optimize.js';
import { memoryReport } from '../../src/report/memory-report.js';
import { arenaSize } from '../../src/tflm/arena-size.js';

const q = { scale: [0.1], zeroPoint: [0], quantizedDimension: 0 };

function expandDims(): Uint8Array {
  const b = new GraphBuilder();
  const x = b.input('x', { dtype: 'int16', shape: [8, 4], quantization: q });
  const y = b.tensor('y', { dtype: 'int16', shape: [8, 1, 4], quantization: q });
  b.op({ opcode: 'EXPAND_DIMS', inputs: [x, b.constant('axis', { dtype: 'int32', shape: [1] }, new Int32Array([1]))], outputs: [y] });
  b.output(y);
  return saveGraph(b.build());
}

function squeeze(): Uint8Array {
  const b = new GraphBuilder();
  const x = b.input('x', { dtype: 'float32', shape: [1, 8, 4, 1] });
  const y = b.tensor('y', { dtype: 'float32', shape: [8, 4] });
  b.op({ opcode: 'SQUEEZE', inputs: [x], outputs: [y], options: { type: 'SqueezeOptions', value: { squeezeDims: [] } } });
  b.output(y);
  return saveGraph(b.build());
}

/** The arena the original needs to allocate, as it is (TFLM's own plan). */
function originalArena(bytes: Uint8Array): number {
  const graph = loadGraph(bytes);
  const r = memoryReport({ file: 'm.tflite', bytes, graph });
  return arenaSize(graph, r.arena.head, r.arena.tail).bytes;
}

describe('never worse by the arena to allocate', () => {
  it('keeps the original where the rewrite uses less but needs more to allocate (one EXPAND_DIMS)', () => {
    const bytes = expandDims();
    const r = optimize(bytes, { file: 'expand-dims.tflite', verify: { inputs: 1 } });
    expect(r.report.keptOriginal).toBe(true);
    expect(r.graph.main.ops.map((op) => op.opcode)).toEqual(['EXPAND_DIMS']);
    expect(r.report.after.total).toBe(r.report.before.total);
    expect(r.report.after.arenaSize).toBe(originalArena(bytes));
    expect(r.report.verified).toBe(true);
  });

  it('keeps the rewrite where it needs less to allocate too (one SQUEEZE)', () => {
    const bytes = squeeze();
    const r = optimize(bytes, { file: 'squeeze.tflite', verify: { inputs: 1 } });
    expect(r.report.keptOriginal).toBe(false);
    expect(r.graph.main.ops.map((op) => op.opcode)).toEqual(['RESHAPE']);
    expect(r.report.after.total).toBeLessThan(r.report.before.total);
    expect(r.report.after.arenaSize).toBeLessThan(originalArena(bytes));
    expect(r.report.verified).toBe(true);
  });
});
