// The report's spill decisions found again in the written model (optimize/spill-positions.ts).

import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/graph/builder.js';
import { loadGraph, saveGraph, type Graph } from '../../src/graph/graph.js';
import { writtenSpills } from '../../src/optimize/spill-positions.js';
import { SPILL } from '../../src/ops/tinyseg/custom-ops.js';
import { spillColdRanges } from '../../src/transform/spill-cold-ranges.js';

/**
 * float32 16x16: x (8 channels) is read at A, B and C, with a wide pair of tensors alive between each two reads.
 * The pair between B and C (x + 34 + 34 channels) peaks above the one between A and B (x + 32 + 32), so x is spilled
 * over [B, C] first; its spill then sits after B, reading x, and spilling x over [A, B] later makes that spill read
 * the copy fetched before B.
 */
function readThreeTimes(): Graph {
  const b = new GraphBuilder();
  const act = (name: string, channels: number) => b.tensor(name, { dtype: 'float32', shape: [1, 16, 16, channels] });
  const ints = (name: string, v: number[]) => b.constant(name, { dtype: 'int32', shape: [v.length] }, Int32Array.from(v));
  const op = (opcode: string, inputs: number[], name: string, channels: number, options?: { type: string; value: Record<string, unknown> }) => {
    const y = act(name, channels);
    b.op({ opcode, inputs, outputs: [y], ...(options ? { options } : {}) });
    return y;
  };
  const concat = (name: string, inputs: number[], channels: number) => op('CONCATENATION', inputs, name, channels, { type: 'ConcatenationOptions', value: { axis: 3 } });
  const channels = (x: number, name: string, count: number) =>
    op('STRIDED_SLICE', [x, ints(`${name}_b`, [0, 0, 0, 0]), ints(`${name}_e`, [1, 16, 16, count]), ints(`${name}_s`, [1, 1, 1, 1])], name, count, {
      type: 'StridedSliceOptions',
      value: {},
    });
  const mul = (name: string, l: number, r: number) => op('MUL', [l, r], name, 8, { type: 'MulOptions', value: {} });
  const input = b.input('in', { dtype: 'float32', shape: [1, 16, 16, 8] });
  const x = op('RELU', [input], 'x', 8);
  const a = op('RELU6', [x], 'a', 8);
  const wide1 = op('RELU', [concat('cat1', [a, a, a, a], 32)], 'wide1', 32);
  const afterB = mul('b', x, channels(wide1, 't1', 8));
  const wide2 = op('RELU', [concat('cat2', [afterB, afterB, afterB, afterB, channels(afterB, 'two', 2)], 34)], 'wide2', 34);
  b.output(mul('out', x, channels(wide2, 't2', 8)));
  return loadGraph(saveGraph(b.build()));
}

describe('writtenSpills', () => {
  it('finds a spill whose input a later spill of the same tensor redirected to its fetched copy', () => {
    const g = readThreeTimes();
    const r = spillColdRanges(g, {});
    // x goes out channel slice by channel slice (x_resident, x_resident_1, ...); one spill reads x's fetched copy.
    const spillInputs = g.main.ops.filter((o) => o.customCode === SPILL).map((o) => g.main.tensors[o.inputs[0]!]!.name);
    const spilled = new Set(r.decisions.map((d) => d.tensor));
    expect(spillInputs.filter((name) => !spilled.has(name))).toEqual(['x_fetched_1']);
    const written = writtenSpills(g, r);
    expect(written.decisions).toHaveLength(r.decisions.length);
    expect(written.decisions.every((d) => d.spilled === undefined)).toBe(true);
    expect([written.bytesOut, written.bytesIn, written.regionBytes]).toEqual([r.bytesOut, r.bytesIn, r.regionBytes]);
    const spillOps = written.decisions.map((d) => d.spillOp).sort((p, q) => p - q);
    expect(spillOps).toEqual(g.main.ops.flatMap((o, k) => (o.customCode === SPILL ? [k] : [])));
  });
});
