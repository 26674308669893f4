// int4 filters end to end: the unpacking TFLM does (UnpackDenseInt4IntoInt8),
// a .tflite file holding a packed int4 buffer (half the tensor's size), and the
// unpack scratch buffer TFLM's reference kernels request (and CMSIS-NN's do not).

import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/graph/builder.js';
import { loadGraph, saveGraph } from '../../src/graph/graph.js';
import type { Quantization } from '../../src/graph/types.js';
import { checkModel, runGuarded } from '../../src/interpreter/interpreter.js';
import { convGeometry, convS8Buffer } from '../../src/ops/cmsis-nn-sizes.js';
import { PADDING } from '../../src/ops/kernel.js';
import { unpackInt4 } from '../../src/ops/int4-filter.js';
import { kernelsFor, REFERENCE_KERNELS, scratchRequests } from '../../src/ops/registry.js';
import { planTflmArena } from '../../src/tflm/arena.js';
import { packInt4 } from '../helpers/op-harness.js';

const q = (scale: number | number[]): Quantization => {
  const s = Array.isArray(scale) ? scale : [scale];
  return { scale: s, zeroPoint: s.map(() => 0), quantizedDimension: 0 };
};

/** A 3x3 conv, 4 -> 5 channels over a 6x6 int8 input, with the filter stored as int4 or int8 (same values). */
function convModel(filterType: 'int4' | 'int8', opcode: 'CONV_2D' | 'DEPTHWISE_CONV_2D' = 'CONV_2D') {
  const b = new GraphBuilder();
  const outC = opcode === 'CONV_2D' ? 5 : 4;
  const shape = opcode === 'CONV_2D' ? [outC, 3, 3, 4] : [1, 3, 3, outC];
  const n = shape.reduce((a, d) => a * d, 1);
  // Every int4 value, both signs of each nibble position; an odd count per output channel for CONV_2D (36).
  const values = Array.from({ length: n }, (_, i) => ((i * 5 + 3) % 16) - 8);
  const data = filterType === 'int4' ? packInt4(values) : Int8Array.from(values);
  const x = b.input('x', { dtype: 'int8', shape: [1, 6, 6, 4], quantization: q(0.05) });
  const w = b.constant('w', { dtype: filterType, shape, quantization: q(Array.from({ length: outC }, (_, c) => 0.01 * (c + 1))) }, data);
  const y = b.tensor('y', { dtype: 'int8', shape: [1, 4, 4, outC], quantization: q(0.1) });
  const options =
    opcode === 'CONV_2D'
      ? { type: 'Conv2DOptions', value: { strideH: 1, strideW: 1, padding: PADDING.VALID } }
      : { type: 'DepthwiseConv2DOptions', value: { strideH: 1, strideW: 1, padding: PADDING.VALID, depthMultiplier: 1 } };
  b.op({ opcode, inputs: [x, w, -1], outputs: [y], options });
  b.output(y);
  return b.build();
}

const input = Int8Array.from({ length: 144 }, (_, i) => ((i * 37) % 255) - 127);
const bytesOf = (a: Int8Array) => new Uint8Array(a.buffer);

describe('int4 filters', () => {
  it('unpack as UnpackDenseInt4IntoInt8: low nibble first, sign-extended, an odd count ending on a low nibble', () => {
    const out = new Int8Array(5);
    unpackInt4(Uint8Array.from([0x8f, 0x70, 0x1a]), 5, out);
    expect(Array.from(out)).toEqual([-1, -8, 0, 7, -6]);
  });

  it('a .tflite file stores the filter packed, half its tensor size; the model loads, runs and equals the int8 filter', () => {
    for (const opcode of ['CONV_2D', 'DEPTHWISE_CONV_2D'] as const) {
      const file = saveGraph(convModel('int4', opcode));
      const g = loadGraph(file);
      const w = g.main.tensors[1]!;
      expect(w.dtype).toBe('int4');
      expect(w.data!.length).toBe(Math.ceil(w.shape.reduce((a, d) => a * d, 1) / 2));
      expect(w.byteSize).toBe(w.shape.reduce((a, d) => a * d, 1)); // TFLM sizes int4 at a byte a value
      expect(checkModel(g)).toEqual([]);
      const got = runGuarded(g, [bytesOf(input)])[0]!;
      expect(Array.from(got)).toEqual(Array.from(runGuarded(convModel('int8', opcode), [bytesOf(input)])[0]!));
      expect(new Set(got).size).toBeGreaterThan(4);
    }
  });

  it('a constant int4 buffer of the unpacked size is refused', () => {
    const b = new GraphBuilder();
    expect(() => b.constant('w', { dtype: 'int4', shape: [3, 3], quantization: q(1) }, new Int8Array(9))).toThrow(/constant 'w' needs 5 bytes, got 9/);
  });

  it("reference kernels plan the unpack scratch (the filter's value count); CMSIS-NN's conv plans its s8 buffer, no unpack", () => {
    const g = convModel('int4');
    const op = g.main.ops[0]!;
    expect(scratchRequests(op, g.main.tensors, REFERENCE_KERNELS)).toEqual([5 * 3 * 3 * 4]);
    for (const isa of ['none', 'dsp', 'mve'] as const) {
      const s8 = convS8Buffer(convGeometry(op, g.main.tensors, false), isa);
      expect(scratchRequests(op, g.main.tensors, kernelsFor('cmsis-nn', isa))).toEqual(s8 > 0 ? [s8] : []);
    }
    // The head holds the input, the output and the unpack buffer (16-byte aligned), all live at once.
    expect(planTflmArena(g).head).toBe(144 + 80 + 192);
    expect(planTflmArena(convModel('int8')).head).toBe(144 + 80);
  });
});
