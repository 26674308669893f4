// Each pass on its own, on small graphs: the edit it makes, and that the
// edited graph still computes the original's bytes in the interpreter.

import { describe, expect, it } from 'vitest';
import { loadGraph, saveGraph, type Graph } from '../../src/graph/graph.js';
import { buildTinyUnet } from '../../src/graph/tiny-unet.js';
import { verifyModels } from '../../src/interpreter/verify.js';
import { setOfflinePlan } from '../../src/tflm/offline-plan.js';
import { tflmPlanBuffers } from '../../src/tflm/arena.js';
import { decodeAddFetchOptions, decodeConcatConvOptions, decodeConcatFetchOptions, decodeFetchOptions, decodeSpillOptions, encodeSpillOptions } from '../../src/ops/tinyseg/custom-ops.js';
import { GraphBuilder } from '../../src/graph/builder.js';
import type { Quantization } from '../../src/graph/types.js';
import { planTflmArena } from '../../src/tflm/arena.js';
import { placeArena } from '../../src/memory/place-arena.js';

/** Valid FlexBuffers of another op's options: a map without the ADD fetch's keys. */
const encodeFetchOptionsLike = () => encodeSpillOptions({ offset: 0, bytes: 1, begin: 0, count: 1 });
import { removeIdentityPads } from '../../src/transform/remove-identity-pads.js';
import { spillColdRanges } from '../../src/transform/spill-cold-ranges.js';
import { convOnVirtualConcat } from '../../src/transform/conv-on-virtual-concat.js';
import { rewriteTransposeConv } from '../../src/transform/transpose-conv-to-depth-to-space.js';
import { splitRowBands } from '../../src/transform/split-row-bands.js';
import { shareEqualInt32Constants } from '../../src/transform/rewrite.js';

const small = () => loadGraph(saveGraph(buildTinyUnet({ height: 16, width: 24 })));
const opcodes = (g: Graph) => g.main.ops.map((o) => (o.opcode === 'CUSTOM' ? `CUSTOM:${o.customCode}` : o.opcode));

/** Round-trips through the file format, as the optimizer does, and proves the bytes equal. */
function expectSameBytes(original: Graph, edited: Graph): void {
  const reloaded = loadGraph(saveGraph(edited));
  const r = verifyModels(original, reloaded, { inputs: 2, seed: 7 });
  expect(r.differingBytes).toBe(0);
}

describe('removeIdentityPads', () => {
  it('removes the zero PADs of the Tiny U-Net and keeps its outputs', () => {
    const g = small();
    const before = opcodes(g).filter((o) => o === 'PAD').length;
    const r = removeIdentityPads(g);
    expect(before).toBe(3);
    expect(r.removed).toBe(3);
    expect(opcodes(g)).not.toContain('PAD');
    expectSameBytes(small(), g);
  });
});

describe('rewriteTransposeConv', () => {
  it('turns every 2x2/2 int8 TRANSPOSE_CONV into CONV_2D + DEPTH_TO_SPACE, bit-exact, with no int32 scratch left', () => {
    const g = small();
    const scratchBefore = tflmPlanBuffers(g.main).filter((b) => b.kind === 'scratch').length;
    const r = rewriteTransposeConv(g);
    expect(scratchBefore).toBe(3);
    expect(r.rewritten).toBe(3);
    expect(opcodes(g)).not.toContain('TRANSPOSE_CONV');
    expect(opcodes(g).filter((o) => o === 'DEPTH_TO_SPACE')).toHaveLength(3);
    expect(tflmPlanBuffers(g.main).filter((b) => b.kind === 'scratch')).toHaveLength(0);
    expectSameBytes(small(), g);
  });
});

describe('spillColdRanges', () => {
  it('spills the long skip tensor and fetches it straight into the concatenation', () => {
    const g = small();
    removeIdentityPads(g);
    rewriteTransposeConv(g);
    const r = spillColdRanges(g, {});
    expect(r.decisions.length).toBeGreaterThan(0);
    const d = r.decisions[0]!;
    expect(d.fused).toBe('concat');
    expect(d.peakAfter).toBeLessThan(d.peakBefore);
    expect(opcodes(g)).toContain('CUSTOM:TinySegSpill');
    expect(opcodes(g)).toContain('CUSTOM:TinySegConcatFetch');
    expect(r.bytesOut).toBe(r.bytesIn);
    expect(r.bytesOut).toBe(r.decisions.reduce((n, x) => n + x.bytes, 0));
    expectSameBytes(small(), g);
  });

  it('spills part of a tensor when the traffic budget allows no more, keeping the rest resident', () => {
    const g = small();
    removeIdentityPads(g);
    rewriteTransposeConv(g);
    // conv_5 (16x24x8 int8) is the longest skip; half of its channels is 1536 bytes, twice for write and read.
    const r = spillColdRanges(g, { maxSpillBytes: 2 * 1536 });
    expect(r.decisions).toHaveLength(1);
    expect(r.decisions[0]!.count).toBeLessThan(r.decisions[0]!.channels);
    expect(r.bytesOut + r.bytesIn).toBeLessThanOrEqual(2 * 1536);
    expect(opcodes(g)).toContain('STRIDED_SLICE');
    expectSameBytes(small(), g);
  });

  it('lays the spill region out so that slots in use at the same time never overlap', () => {
    const g = loadGraph(saveGraph(buildTinyUnet({ height: 32, width: 48 })));
    removeIdentityPads(g);
    rewriteTransposeConv(g);
    spillColdRanges(g, {});
    const sg = g.main;
    const slots: { from: number; to: number; start: number; end: number }[] = [];
    const open = new Map<number, number>(); // region offset -> spill op
    sg.ops.forEach((op, i) => {
      if (op.customCode === 'TinySegSpill') {
        const o = decodeSpillOptions(op.customOptions);
        open.set(o.offset, i);
        slots.push({ from: i, to: -1, start: o.offset, end: o.offset + o.bytes });
      } else if (op.customCode === 'TinySegFetch') {
        const o = decodeFetchOptions(op.customOptions);
        slots.find((s) => s.start === o.offset && s.to < 0)!.to = i;
      } else if (op.customCode === 'TinySegConcatFetch') {
        for (const p of decodeConcatFetchOptions(op.customOptions).parts) if (!('input' in p)) slots.find((s) => s.start === p.offset && s.to < 0)!.to = i;
      }
    });
    expect(slots.length).toBeGreaterThan(0);
    for (const a of slots) {
      expect(a.to).toBeGreaterThan(a.from);
      for (const b of slots) {
        if (a === b || a.to < b.from || b.to < a.from) continue;
        expect(a.end <= b.start || b.end <= a.start).toBe(true);
      }
    }
  });
});

describe('spillColdRanges where row joins are written in place', () => {
  /**
   * float32: two row bands of x widened eight times on the channels (each [1, 4, 8, 64]) joined on the rows into y;
   * y's first 8 channels z; a skip s = RELU(z) that only the last CONCATENATION reads; in between v (z's channels
   * four times over) and w = RELU(v). With the bands' join written in place the peak is at w (v, w and s: 18 KB);
   * counted apart, the bands and their join (32 KB) hide it, and s is not alive there.
   */
  function joinBeforeSkip(): Graph {
    const b = new GraphBuilder();
    const act = (name: string, shape: number[]) => b.tensor(name, { dtype: 'float32', shape });
    const ints = (name: string, v: number[]) => b.constant(name, { dtype: 'int32', shape: [v.length] }, Int32Array.from(v));
    const concat = (name: string, inputs: number[], axis: number, shape: number[]) => {
      const y = act(name, shape);
      b.op({ opcode: 'CONCATENATION', inputs, outputs: [y], options: { type: 'ConcatenationOptions', value: { axis } } });
      return y;
    };
    const slice = (x: number, name: string, begin: number[], end: number[]) => {
      const y = act(name, end.map((e, i) => e - begin[i]!));
      b.op({ opcode: 'STRIDED_SLICE', inputs: [x, ints(`${name}_b`, begin), ints(`${name}_e`, end), ints(`${name}_s`, [1, 1, 1, 1])], outputs: [y], options: { type: 'StridedSliceOptions', value: {} } });
      return y;
    };
    const unary = (opcode: string, x: number, name: string, shape: number[]) => {
      const y = act(name, shape);
      b.op({ opcode, inputs: [x], outputs: [y] });
      return y;
    };
    const x = b.input('x', { dtype: 'float32', shape: [1, 8, 8, 8] });
    const bands = [0, 4].map((r) => {
      const rows = slice(x, `x_rows${r}`, [0, r, 0, 0], [1, r + 4, 8, 8]);
      return concat(`wide${r}`, new Array(8).fill(rows), 3, [1, 4, 8, 64]);
    });
    const y = concat('y', bands, 1, [1, 8, 8, 64]);
    const z = slice(y, 'z', [0, 0, 0, 0], [1, 8, 8, 8]);
    const s = unary('RELU', z, 's', [1, 8, 8, 8]);
    const v = concat('v', [z, z, z, z], 3, [1, 8, 8, 32]);
    const w = unary('RELU6', v, 'w', [1, 8, 8, 32]);
    b.output(concat('out', [w, s], 3, [1, 8, 8, 40]));
    return loadGraph(saveGraph(b.build()));
  }

  it('lowers the peak the placement meets (the join in place), not the one of the bands and their join counted apart', () => {
    const g = joinBeforeSkip();
    const head = (graph: Graph) => placeArena(graph.main).head;
    const before = head(g);
    const r = spillColdRanges(g, {});
    expect(r.decisions.map((d) => [d.tensor, d.fused])).toContainEqual(['s', 'concat']);
    expect(head(g)).toBeLessThan(before);
    expectSameBytes(joinBeforeSkip(), g);
  });
});

describe('spillColdRanges row band by row band', () => {
  /** The Tiny U-Net with its decoder in row bands that slice the skip connections (side inputs) per band. */
  const banded = (height: number, width: number) => {
    const g = loadGraph(saveGraph(buildTinyUnet({ height, width })));
    removeIdentityPads(g);
    rewriteTransposeConv(g);
    splitRowBands(g, Infinity, undefined, true);
    return g;
  };

  it('fetches each band\'s rows of a skip from the middle of its slot, so the skip never comes back whole', () => {
    const g = banded(32, 48);
    const sg = g.main;
    const r = spillColdRanges(g, {});
    const d = r.decisions.find((x) => x.fused === 'rows')!;
    expect(d).toBeDefined();
    expect(d.count).toBe(d.channels);
    const x = sg.tensors.find((t) => t.name === d.tensor)!;
    const rowBytes = x.byteSize / x.shape[1]!;
    // Nothing reads the spilled tensor after its spill but the spill itself: no slice of it is left.
    const spillAt = sg.ops.findIndex((op) => op.customCode === 'TinySegSpill' && op.inputs[0] === x.index);
    expect(sg.consumersOf(x.index).every((k) => k <= spillAt)).toBe(true);
    const slot = decodeSpillOptions(sg.ops[spillAt]!.customOptions);
    expect(slot.bytes).toBe(x.byteSize);
    const fetches = sg.ops.filter((op) => op.customCode === 'TinySegFetch' && op.inputs.length === 0).map((op) => ({ op, o: decodeFetchOptions(op.customOptions) }));
    const ofSlot = fetches.filter(({ o }) => o.offset >= slot.offset && o.offset < slot.offset + slot.bytes);
    expect(ofSlot.length).toBeGreaterThan(1);
    for (const { op, o } of ofSlot) {
      const y = sg.tensors[op.outputs[0]!]!;
      // Whole rows from a row boundary of the slot, every channel, no further than its end.
      expect((o.offset - slot.offset) % rowBytes).toBe(0);
      expect([o.begin, o.count, o.bytes]).toEqual([0, x.shape[3], y.byteSize]);
      expect(o.offset + o.bytes).toBeLessThanOrEqual(slot.offset + slot.bytes);
      expect(y.shape.filter((_, i) => i !== 1)).toEqual(x.shape.filter((_, i) => i !== 1));
    }
    // The bands overlap by their halos: more comes back than went out.
    expect(r.bytesIn).toBeGreaterThan(r.bytesOut);
    expect(r.bytesOut).toBe(r.decisions.reduce((n, x) => n + x.bytes, 0));
    expect(planTflmArena(loadGraph(saveGraph(g))).lowerBound.bytes).toBeLessThan(planTflmArena(banded(32, 48)).lowerBound.bytes);
    expectSameBytes(loadGraph(saveGraph(buildTinyUnet({ height: 32, width: 48 }))), g);
  });

  it('keeps a slot whole while any of its row fetches is still to come', () => {
    const g = banded(32, 48);
    spillColdRanges(g, {});
    const sg = g.main;
    const spills = sg.ops.flatMap((op, i) => (op.customCode === 'TinySegSpill' ? [{ i, o: decodeSpillOptions(op.customOptions) }] : []));
    const lastRead = (o: { offset: number; bytes: number }) =>
      Math.max(...sg.ops.flatMap((op, i) => (op.customCode === 'TinySegFetch' && decodeFetchOptions(op.customOptions).offset >= o.offset && decodeFetchOptions(op.customOptions).offset < o.offset + o.bytes ? [i] : [])));
    // Two slots busy at once (from spill to last read) never share a byte of the region.
    for (const a of spills) {
      for (const b of spills) {
        if (a === b || a.i > lastRead(b.o) || b.i > lastRead(a.o)) continue;
        expect(a.o.offset + a.o.bytes <= b.o.offset || b.o.offset + b.o.bytes <= a.o.offset).toBe(true);
      }
    }
  });

  /**
   * float32 x [1, 8, 8, 4] -> s = RELU(x), read later by two STRIDED_SLICEs of rows 0..4 and 4..8 only; in between,
   * a wide temporary (x's channels four times over) holds the peak; each slice meets its rows of the narrowed
   * temporary in an ADD and the two sums are joined on the rows.
   */
  function slicedSkip(): Graph {
    const b = new GraphBuilder();
    const act = (name: string, shape = [1, 8, 8, 4]) => b.tensor(name, { dtype: 'float32', shape });
    const ints = (name: string, v: number[]) => b.constant(name, { dtype: 'int32', shape: [v.length] }, Int32Array.from(v));
    const slice = (x: number, name: string, begin: number[], end: number[]) => {
      const y = act(name, end.map((e, i) => e - begin[i]!));
      b.op({ opcode: 'STRIDED_SLICE', inputs: [x, ints(`${name}_b`, begin), ints(`${name}_e`, end), ints(`${name}_s`, [1, 1, 1, 1])], outputs: [y], options: { type: 'StridedSliceOptions', value: {} } });
      return y;
    };
    const x = b.input('x', { dtype: 'float32', shape: [1, 8, 8, 4] });
    const skip = act('skip');
    b.op({ opcode: 'RELU', inputs: [x], outputs: [skip] });
    const t1 = act('t1');
    b.op({ opcode: 'RELU6', inputs: [x], outputs: [t1] });
    const wide = act('wide', [1, 8, 8, 16]);
    b.op({ opcode: 'CONCATENATION', inputs: [t1, t1, t1, t1], outputs: [wide], options: { type: 'ConcatenationOptions', value: { axis: 3 } } });
    const narrow = slice(wide, 'narrow', [0, 0, 0, 2], [1, 8, 8, 6]);
    const sums = [0, 4].map((r) => {
      const a = slice(skip, `skip_rows${r}`, [0, r, 0, 0], [1, r + 4, 8, 4]);
      const n = slice(narrow, `narrow_rows${r}`, [0, r, 0, 0], [1, r + 4, 8, 4]);
      const y = act(`sum${r}`, [1, 4, 8, 4]);
      b.op({ opcode: 'ADD', inputs: [a, n], outputs: [y], options: { type: 'AddOptions', value: {} } });
      return y;
    });
    const out = act('out');
    b.op({ opcode: 'CONCATENATION', inputs: sums, outputs: [out], options: { type: 'ConcatenationOptions', value: { axis: 1 } } });
    b.output(out);
    return loadGraph(saveGraph(b.build()));
  }

  it('fetches the rows of a skip only its row slices read, exact, from a plain float32 slot', () => {
    const g = slicedSkip();
    const r = spillColdRanges(g, {});
    expect(r.decisions.map((d) => [d.tensor, d.fused])).toContainEqual(['skip', 'rows']);
    const reads = g.main.ops.filter((op) => op.customCode === 'TinySegFetch').map((op) => decodeFetchOptions(op.customOptions));
    const slot = decodeSpillOptions(g.main.ops.find((op) => op.customCode === 'TinySegSpill')!.customOptions);
    // Rows 0..4 and 4..8 of 8 x 4 float32: 512 bytes each, the second from the middle of the slot.
    expect(reads.map((o) => [o.offset - slot.offset, o.bytes])).toEqual([
      [0, 512],
      [512, 512],
    ]);
    expectSameBytes(slicedSkip(), g);
  });

  it('never quantizes a row-fetched slot under --lossy-spill: a quantized slot\'s scale sits at its start', () => {
    const g = slicedSkip();
    const r = spillColdRanges(g, { quantizeFloat: true });
    expect(r.decisions.length).toBeGreaterThan(0);
    for (const d of r.decisions) expect(d.quantized === true && d.fused === 'rows').toBe(false);
  });
});

describe('shareEqualInt32Constants', () => {
  it('lets the slices read one tensor per distinct bounds vector, keeps a quantized int32 (a bias) its own, and computes the same bytes', () => {
    const build = () => {
      const b = new GraphBuilder();
      const ints = (name: string, v: number[], quantized = false) =>
        b.constant(name, { dtype: 'int32', shape: [v.length], quantization: quantized ? { scale: [0.5], zeroPoint: [0], quantizedDimension: 0 } : null }, Int32Array.from(v));
      const x = b.input('x', { dtype: 'float32', shape: [1, 4, 4, 2] });
      const rows = [0, 2].map((r) => {
        const y = b.tensor(`rows${r}`, { dtype: 'float32', shape: [1, 2, 4, 2] });
        b.op({ opcode: 'STRIDED_SLICE', inputs: [x, ints(`b${r}`, [0, r, 0, 0]), ints(`e${r}`, [1, r + 2, 4, 2]), ints(`s${r}`, [1, 1, 1, 1])], outputs: [y], options: { type: 'StridedSliceOptions', value: {} } });
        return y;
      });
      const out = b.tensor('out', { dtype: 'float32', shape: [1, 4, 4, 2] });
      b.op({ opcode: 'CONCATENATION', inputs: rows, outputs: [out], options: { type: 'ConcatenationOptions', value: { axis: 1 } } });
      b.output(out);
      // A conv's bias [1, 1] (with a scale) and a RESHAPE's new shape [1, 1] (without): equal values, never shared.
      const q = { scale: [0.5], zeroPoint: [0], quantizedDimension: 0 };
      const x8 = b.input('x8', { dtype: 'int8', shape: [1, 1, 1, 2], quantization: q });
      const w = b.constant('w', { dtype: 'int8', shape: [2, 1, 1, 2], quantization: q }, Int8Array.from([1, 2, 3, 4]));
      const y8 = b.tensor('y8', { dtype: 'int8', shape: [1, 1, 1, 2], quantization: q });
      b.op({ opcode: 'CONV_2D', inputs: [x8, w, ints('bias', [1, 1], true)], outputs: [y8], options: { type: 'Conv2DOptions', value: { padding: 1, strideH: 1, strideW: 1 } } });
      b.output(y8);
      const n = b.input('n', { dtype: 'int32', shape: [1] });
      const m = b.tensor('m', { dtype: 'int32', shape: [1, 1] });
      b.op({ opcode: 'RESHAPE', inputs: [n, ints('shape', [1, 1])], outputs: [m] });
      b.output(m);
      return loadGraph(saveGraph(b.build()));
    };
    const g = build();
    shareEqualInt32Constants(g.main);
    const sg = g.main;
    const [a, c] = sg.ops.filter((op) => op.opcode === 'STRIDED_SLICE');
    expect(a!.inputs[3]).toBe(c!.inputs[3]);
    expect(a!.inputs[1]).not.toBe(c!.inputs[1]);
    expect(sg.tensors.filter((t) => t.data && t.dtype === 'int32' && Array.from(new Int32Array(t.data.slice().buffer)).join() === '1,1,1,1')).toHaveLength(1);
    const conv = sg.ops.find((op) => op.opcode === 'CONV_2D')!;
    const reshape = sg.ops.find((op) => op.opcode === 'RESHAPE')!;
    expect(conv.inputs[2]).not.toBe(reshape.inputs[1]);
    expect(sg.tensors[conv.inputs[2]!]!.quantization?.scale).toEqual([0.5]);
    expectSameBytes(build(), g);
  });
});

/** x -> a = conv(x) -> four convs -> ADD(a, last): `a` waits through the chain, a residual skip. */
function residual(dtype: 'int8' | 'int16' | 'float32', skipFirst: boolean): Graph {
  const b = new GraphBuilder();
  // int16 (16x8) kernels take zero points of 0.
  const quant = (scale: number, zeroPoint: number): Quantization | null =>
    dtype === 'float32' ? null : { scale: [scale], zeroPoint: [dtype === 'int16' ? 0 : zeroPoint], quantizedDimension: 0 };
  const act = (name: string) => b.tensor(name, { dtype, shape: [1, 16, 16, 8], quantization: quant(0.05, -3) });
  let seed = 5;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const weights = (name: string) =>
    dtype !== 'float32'
      ? b.constant(name, { dtype: 'int8', shape: [8, 1, 1, 8], quantization: { scale: [0.01], zeroPoint: [0], quantizedDimension: 0 } }, Int8Array.from({ length: 64 }, () => Math.round(rand() * 100)))
      : b.constant(name, { dtype, shape: [8, 1, 1, 8] }, Float32Array.from({ length: 64 }, () => rand() * 0.4));
  const conv = (input: number, name: string) => {
    const y = act(name);
    b.op({ opcode: 'CONV_2D', inputs: [input, weights(`${name}_w`), -1], outputs: [y], options: { type: 'Conv2DOptions', value: { padding: 1, strideH: 1, strideW: 1 } } });
    return y;
  };
  const x = b.input('x', { dtype, shape: [1, 16, 16, 8], quantization: quant(0.05, -3) });
  const a = conv(x, 'a');
  let t = a;
  for (let i = 0; i < 4; i++) t = conv(t, `c${i}`);
  const sum = b.tensor('sum', { dtype, shape: [1, 16, 16, 8], quantization: quant(0.08, 2) });
  b.op({ opcode: 'ADD', inputs: skipFirst ? [a, t] : [t, a], outputs: [sum], options: { type: 'AddOptions', value: { fusedActivationFunction: 1 } } });
  b.output(sum);
  return loadGraph(saveGraph(b.build()));
}

describe('spillColdRanges into ADD', () => {
  for (const dtype of ['int8', 'int16', 'float32'] as const) {
    for (const skipFirst of [true, false]) {
      it(`spills a residual skip and reads it from the region in the ADD (${dtype}, skip is operand ${skipFirst ? 0 : 1})`, () => {
        const g = residual(dtype, skipFirst);
        const headBefore = planTflmArena(g).head;
        const r = spillColdRanges(g, {});
        expect(r.decisions.map((d) => d.fused)).toContain('add');
        expect(opcodes(g)).toContain('CUSTOM:TinySegAddFetch');
        expect(opcodes(g)).not.toContain('ADD');
        const add = g.main.ops.find((o) => o.customCode === 'TinySegAddFetch')!;
        const o = decodeAddFetchOptions(add.customOptions);
        expect(o.regionInput).toBe(skipFirst ? 0 : 1);
        expect(o.activation).toBe(1);
        if (dtype !== 'float32') expect([o.scale, o.zeroPoint]).toEqual([Math.fround(0.05), dtype === 'int16' ? 0 : -3]);
        // Two 2 KiB (int8) / 8 KiB (float) activations at a time instead of three.
        expect(planTflmArena(loadGraph(saveGraph(g))).head).toBeLessThan(headBefore);
        expectSameBytes(residual(dtype, skipFirst), g);
      });
    }
  }

  it('refuses malformed options naming the operator', () => {
    expect(() => decodeAddFetchOptions(encodeFetchOptionsLike())).toThrow(/TinySegAddFetch options: 'scale' must be a non-negative number/);
  });
});

describe('convOnVirtualConcat', () => {
  it('runs the decoder conv on the fetched skip and the upsampled tensor without building their concatenation (int8)', () => {
    const g = small();
    removeIdentityPads(g);
    rewriteTransposeConv(g);
    spillColdRanges(g, {});
    expect(opcodes(g)).toContain('CUSTOM:TinySegConcatFetch');
    const lbBefore = planTflmArena(loadGraph(saveGraph(g))).lowerBound.bytes;
    const r = convOnVirtualConcat(g);
    expect(r.rewritten).toBeGreaterThan(0);
    expect(opcodes(g)).toContain('CUSTOM:TinySegConcatConv');
    const op = g.main.ops.find((o) => o.customCode === 'TinySegConcatConv')!;
    const o = decodeConcatConvOptions(op.customOptions);
    expect(o.parts.some((p) => !('input' in p))).toBe(true); // one part straight from the spill region
    expect(planTflmArena(loadGraph(saveGraph(g))).lowerBound.bytes).toBeLessThan(lbBefore);
    expectSameBytes(small(), g);
  });

  it('keeps float32 sums in the reference order (3x3 conv over a two-part concatenation)', () => {
    const build = () => {
      const b = new GraphBuilder();
      let seed = 3;
      const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
      const x = b.input('x', { dtype: 'float32', shape: [1, 12, 10, 3] });
      const conv = (input: number, name: string, ci: number, co: number, k: number) => {
        const y = b.tensor(name, { dtype: 'float32', shape: [1, 12, 10, co] });
        const w = b.constant(`${name}_w`, { dtype: 'float32', shape: [co, k, k, ci] }, Float32Array.from({ length: co * k * k * ci }, () => rand()));
        const bias = b.constant(`${name}_b`, { dtype: 'float32', shape: [co] }, Float32Array.from({ length: co }, () => rand()));
        b.op({ opcode: 'CONV_2D', inputs: [input, w, bias], outputs: [y], options: { type: 'Conv2DOptions', value: { padding: 0, strideH: 1, strideW: 1, fusedActivationFunction: 1 } } });
        return y;
      };
      const a = conv(x, 'a', 3, 5, 1);
      const c = conv(x, 'c', 3, 7, 1);
      const cat = b.tensor('cat', { dtype: 'float32', shape: [1, 12, 10, 12] });
      b.op({ opcode: 'CONCATENATION', inputs: [a, c], outputs: [cat], options: { type: 'ConcatenationOptions', value: { axis: 3 } } });
      b.output(conv(cat, 'y', 12, 4, 3));
      return loadGraph(saveGraph(b.build()));
    };
    const g = build();
    const r = convOnVirtualConcat(g);
    expect(r).toEqual({ rewritten: 1, bytes: 12 * 10 * 12 * 4 });
    expect(opcodes(g)).toEqual(['CONV_2D', 'CONV_2D', 'CUSTOM:TinySegConcatConv']);
    expectSameBytes(build(), g);
  });

  it('takes a filter and bias DEQUANTIZEd at run time (a float16 or weight-only model), read at Eval', () => {
    const build = () => {
      const b = new GraphBuilder();
      let seed = 5;
      const rand = () => Math.floor(((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 200) - 100;
      const widened = (name: string, shape: number[]) => {
        const narrow = b.constant(`${name}_i8`, { dtype: 'int8', shape, quantization: { scale: [1 / 64], zeroPoint: [0], quantizedDimension: 0 } }, Int8Array.from({ length: shape.reduce((p, d) => p * d, 1) }, rand));
        const wide = b.tensor(name, { dtype: 'float32', shape });
        b.op({ opcode: 'DEQUANTIZE', inputs: [narrow], outputs: [wide] });
        return wide;
      };
      const x = b.input('x', { dtype: 'float32', shape: [1, 12, 10, 5] });
      const c = b.input('c', { dtype: 'float32', shape: [1, 12, 10, 7] });
      const cat = b.tensor('cat', { dtype: 'float32', shape: [1, 12, 10, 12] });
      b.op({ opcode: 'CONCATENATION', inputs: [x, c], outputs: [cat], options: { type: 'ConcatenationOptions', value: { axis: 3 } } });
      const [w, bias] = [widened('y_w', [4, 3, 3, 12]), widened('y_b', [4])];
      const y = b.tensor('y', { dtype: 'float32', shape: [1, 12, 10, 4] });
      b.op({ opcode: 'CONV_2D', inputs: [cat, w, bias], outputs: [y], options: { type: 'Conv2DOptions', value: { padding: 0, strideH: 1, strideW: 1, fusedActivationFunction: 0 } } });
      b.output(y);
      return loadGraph(saveGraph(b.build()));
    };
    const g = build();
    expect(convOnVirtualConcat(g)).toEqual({ rewritten: 1, bytes: 12 * 10 * 12 * 4 });
    expect(opcodes(g)).toEqual(['DEQUANTIZE', 'DEQUANTIZE', 'CUSTOM:TinySegConcatConv']);
    expectSameBytes(build(), g);
  });
});

describe('setOfflinePlan', () => {
  it('writes offsets TFLM reads back as the plan of every tensor', () => {
    const g = small();
    const offsets = Int32Array.from(g.main.tensors, (t, i) => (t.kind === 'activation' ? i * 16 : -1));
    setOfflinePlan(g, offsets);
    const back = loadGraph(saveGraph(g));
    const planned = tflmPlanBuffers(back.main, offsets).filter((b) => b.kind === 'tensor');
    expect(planned.every((b) => b.offlineOffset === b.tensor * 16)).toBe(true);
  });
});
