// TinySegConvInPlace against the interpreter's CONV_2D and DEPTHWISE_CONV_2D
// (held to TFLM by the corpus oracle): the pass rewrites a conv whose input
// dies there, the placement puts its output over its input, and the bytes
// stay the builtin's, for shapes that keep, shrink and widen the tensor. The
// kernel itself refuses a placement whose writes would overtake its reads.

import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/graph/builder.js';
import { loadGraph, saveGraph, type Graph } from '../../src/graph/graph.js';
import type { Quantization } from '../../src/graph/types.js';
import { runGuarded } from '../../src/interpreter/interpreter.js';
import { randomInput } from '../../src/interpreter/oracle-input.js';
import { placeArena } from '../../src/memory/place-arena.js';
import { kernelsFor, opInfoOf, REFERENCE_KERNELS, scratchRequests } from '../../src/ops/registry.js';
import { predictOps } from '../../src/analysis/compute.js';
import { convInPlaceRows } from '../../src/ops/tinyseg/conv-in-place-kernel.js';
import { placedDelta, rowSchedule, firstRowRead } from '../../src/ops/tinyseg/conv-in-place-rows.js';
import { CONV_IN_PLACE, decodeConvInPlaceOptions, encodeConvInPlaceOptions } from '../../src/ops/tinyseg/custom-ops.js';
import { customKey } from '../../src/graph/op-key.js';
import { setOfflinePlan } from '../../src/tflm/offline-plan.js';
import { planTflmArena } from '../../src/tflm/arena.js';
import { convsInPlaceAtPeak } from '../../src/transform/conv-in-place.js';
import type { KernelCall } from '../../src/ops/kernel.js';

interface Case {
  name: string;
  depthwise: boolean;
  hw: [number, number];
  cin: number;
  cout: number;
  kernel: number;
  stride: number;
  dilation: number;
  padding: 0 | 1;
  activation: number;
}

function conv(c: Case): Graph {
  let s = 7;
  const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const b = new GraphBuilder();
  const xq: Quantization = { scale: [0.05], zeroPoint: [3], quantizedDimension: 0 };
  const x = b.input('x', { dtype: 'int8', shape: [1, ...c.hw, c.cin], quantization: xq });
  const span = (c.kernel - 1) * c.dilation + 1;
  const out = (n: number) => (c.padding === 0 ? Math.ceil(n / c.stride) : Math.floor((n - span) / c.stride) + 1);
  const yq: Quantization = { scale: [0.08], zeroPoint: [-5], quantizedDimension: 0 };
  const y = b.tensor('y', { dtype: 'int8', shape: [1, out(c.hw[0]), out(c.hw[1]), c.cout], quantization: yq });
  const filterShape = c.depthwise ? [1, c.kernel, c.kernel, c.cout] : [c.cout, c.kernel, c.kernel, c.cin];
  const scales = Array.from({ length: c.cout }, (_, o) => 0.01 + 0.003 * o);
  const wq: Quantization = { scale: scales, zeroPoint: new Array(c.cout).fill(0), quantizedDimension: c.depthwise ? 3 : 0 };
  const count = filterShape.reduce((a, d) => a * d, 1);
  const w = b.constant('w', { dtype: 'int8', shape: filterShape, quantization: wq }, Int8Array.from({ length: count }, () => Math.round(rand() * 127)));
  const biasQ: Quantization = { scale: wq.scale.map((v) => v * 0.05), zeroPoint: new Array(c.cout).fill(0), quantizedDimension: 0 };
  const bias = b.constant('b', { dtype: 'int32', shape: [c.cout], quantization: biasQ }, Int32Array.from({ length: c.cout }, () => Math.round(rand() * 900)));
  const window = {
    padding: c.padding,
    strideH: c.stride,
    strideW: c.stride,
    fusedActivationFunction: c.activation,
    dilationHFactor: c.dilation,
    dilationWFactor: c.dilation,
  };
  b.op(
    c.depthwise
      ? { opcode: 'DEPTHWISE_CONV_2D', version: 3, inputs: [x, w, bias], outputs: [y], options: { type: 'DepthwiseConv2DOptions', value: { ...window, depthMultiplier: c.cout / c.cin } } }
      : { opcode: 'CONV_2D', version: 3, inputs: [x, w, bias], outputs: [y], options: { type: 'Conv2DOptions', value: window } },
  );
  b.output(y);
  return loadGraph(saveGraph(b.build()));
}

const cases: Case[] = [
  { name: 'depthwise 3x3 stride 1 SAME (same size)', depthwise: true, hw: [9, 7], cin: 16, cout: 16, kernel: 3, stride: 1, dilation: 1, padding: 0, activation: 3 },
  { name: 'depthwise 3x3 stride 2 SAME (shrinks)', depthwise: true, hw: [10, 8], cin: 16, cout: 16, kernel: 3, stride: 2, dilation: 1, padding: 0, activation: 1 },
  { name: 'depthwise multiplier 2, dilation 2 (widens)', depthwise: true, hw: [11, 8], cin: 8, cout: 16, kernel: 3, stride: 1, dilation: 2, padding: 0, activation: 0 },
  { name: 'conv 1x1 8 -> 16 (widens)', depthwise: false, hw: [8, 6], cin: 8, cout: 16, kernel: 1, stride: 1, dilation: 1, padding: 1, activation: 3 },
  { name: 'conv 3x3 VALID 16 -> 8', depthwise: false, hw: [9, 9], cin: 16, cout: 8, kernel: 3, stride: 1, dilation: 1, padding: 1, activation: 0 },
  { name: 'conv 3x3 stride 2 SAME 8 -> 32 (widens)', depthwise: false, hw: [12, 8], cin: 8, cout: 32, kernel: 3, stride: 2, dilation: 1, padding: 0, activation: 1 },
];

describe('TinySegConvInPlace', () => {
  for (const c of cases) {
    it(`computes the builtin's bytes with its output over its input: ${c.name}`, () => {
      const original = conv(c);
      const edited = conv(c);
      const r = convsInPlaceAtPeak(edited);
      expect(r.rewritten).toBe(1);
      const op = edited.main.ops[0]!;
      expect(op.customCode).toBe(CONV_IN_PLACE);
      const o = decodeConvInPlaceOptions(op.customOptions);
      expect(o).toMatchObject({ depthwise: c.depthwise, padding: c.padding, strideH: c.stride, dilationH: c.dilation, activation: c.activation });
      // The plan puts the output placedDelta bytes before the input; the interpreter runs in that arena.
      const placed = placeArena(edited.main);
      setOfflinePlan(edited, placed.offsets);
      const [x, y] = [op.inputs[0]!, op.outputs[0]!];
      const [xs, ys] = [edited.main.tensors[x]!, edited.main.tensors[y]!];
      const g = convInPlaceRows(o, xs.shape, edited.main.tensors[op.inputs[1]!]!.shape, ys.shape);
      expect(placed.offsets[x]! - placed.offsets[y]!).toBe(placedDelta(g));
      expect(placed.head).toBeLessThan(planTflmArena(original).head);
      const reloaded = loadGraph(saveGraph(edited));
      for (const seed of [1, 2, 3]) {
        const input = randomInput(original.main.tensors[original.main.inputs[0]!]!, seed);
        const a = runGuarded(original, [input])[0]!;
        const b = runGuarded(reloaded, [input])[0]!;
        expect(Buffer.from(b).equals(Buffer.from(a))).toBe(true);
        expect(new Set(a).size).toBeGreaterThan(8);
      }
    });
  }

  it('refuses a placement its queue was not sized for, before it overwrites input still to be read', () => {
    const edited = conv(cases[0]!);
    convsInPlaceAtPeak(edited);
    const sg = edited.main;
    const op = sg.ops[0]!;
    const [xt, wt, bt, yt] = [sg.tensors[op.inputs[0]!]!, sg.tensors[op.inputs[1]!]!, sg.tensors[op.inputs[2]!]!, sg.tensors[op.outputs[0]!]!];
    const kernel = opInfoOf(op)!.kernel!;
    const queue = new Uint8Array(scratchRequests(op, sg.tensors)[0]!);
    const rowBytes = xt.shape[2]! * xt.shape[3]!;
    const run = (outputAt: number, queueAt?: number): Uint8Array => {
      // One arena: the input at 0, the output `outputAt` bytes in (a row after the input's start overtakes its reads).
      const arena = new Uint8Array(outputAt + yt.byteSize + xt.byteSize);
      arena.set(randomInput(xt, 4), 0);
      // The queue inside the arena at `queueAt`, else apart.
      const q = queueAt === undefined ? queue : arena.subarray(queueAt, queueAt + queue.length);
      const call = {
        op,
        index: 0,
        inputs: [{ tensor: xt, bytes: arena.subarray(0, xt.byteSize) }, { tensor: wt, bytes: wt.data! }, { tensor: bt, bytes: bt.data! }],
        outputs: [{ tensor: yt, bytes: arena.subarray(outputAt, outputAt + yt.byteSize) }],
        scratch: [q],
        storage: new Uint8Array(0),
      } as unknown as KernelCall;
      kernel.invoke(call, kernel.prepare(call));
      return call.outputs[0]!.bytes.slice();
    };
    const apart = run(xt.byteSize);
    expect(Buffer.from(run(0)).equals(Buffer.from(apart))).toBe(true);
    expect(() => run(rowBytes)).toThrow(/queue rows taken|overwrote/);
    // A queue over the input's last rows: written from the first output row on, read by the last rows' windows.
    expect(() => run(xt.byteSize, xt.byteSize - queue.length)).toThrow(/would read input byte \d+ after the queue overwrote it/);
    // Past the input's end, it is as good as apart.
    expect(Buffer.from(run(xt.byteSize, xt.byteSize + yt.byteSize)).equals(Buffer.from(apart))).toBe(true);
  });

  it('queues the rows the schedule says, and never writes over input a later row reads', () => {
    for (const [h, oh, ri, ro, stride, pad] of [
      [9, 9, 112, 112, 1, 1],
      [10, 5, 128, 64, 2, 0],
      [8, 8, 48, 96, 1, 0],
      [12, 6, 64, 192, 2, 0],
      [9, 9, 100, 120, 1, 1],
    ] as const) {
      const g = { inH: h, outH: oh, inRowBytes: ri, outRowBytes: ro, strideH: stride, padH: pad };
      const delta = placedDelta(g);
      const { written, queueRows } = rowSchedule(g, delta);
      expect(written[oh - 1]).toBe(oh);
      // Every row written after row y is computed lies clear of the input rows later rows read.
      for (let y = 0, done = 0; y < oh; done = written[y]!, y++) {
        for (let q = done; q < written[y]!; q++) {
          const start = q * ro - delta;
          expect(start + ro <= firstRowRead(g, y + 1) * ri || start >= h * ri || firstRowRead(g, y + 1) >= h).toBe(true);
        }
        expect(y + 1 - done).toBeLessThanOrEqual(queueRows);
      }
    }
    // A same-size 3x3 stride-1 conv holds two rows; a 1x1 conv widening over its input's end, one.
    expect(rowSchedule({ inH: 9, outH: 9, inRowBytes: 112, outRowBytes: 112, strideH: 1, padH: 1 }, 0).queueRows).toBe(2);
    expect(rowSchedule({ inH: 8, outH: 8, inRowBytes: 48, outRowBytes: 96, strideH: 1, padH: 0 }, 8 * 48).queueRows).toBe(1);
  });

  it("under CMSIS-NN: each row is a call of CMSIS-NN's kernel, priced as the builtin in the set, its buffer requested after the ring", () => {
    const cmsis = kernelsFor('cmsis-nn');
    const expected: Record<string, number[]> = {
      // The 3x3 kernel needs no buffer while a row's top padding is at most 1 (a Cortex-M4's DSP build).
      'depthwise 3x3 stride 1 SAME (same size)': [],
      'depthwise 3x3 stride 2 SAME (shrinks)': [],
      // Multiplier 2 leaves the 3x3 kernel; its general one needs none on a DSP core either.
      'depthwise multiplier 2, dilation 2 (widens)': [],
      // A 1x1 conv is a matrix product; the others' im2col takes 4 x align4(kH x kW x Cin) bytes.
      'conv 1x1 8 -> 16 (widens)': [],
      'conv 3x3 VALID 16 -> 8': [4 * 144],
      'conv 3x3 stride 2 SAME 8 -> 32 (widens)': [4 * 72],
    };
    for (const c of cases) {
      const builtin = conv(c);
      const edited = conv(c);
      convsInPlaceAtPeak(edited, cmsis);
      const op = edited.main.ops[0]!;
      expect(op.customCode).toBe(CONV_IN_PLACE);
      const ring = scratchRequests(op, edited.main.tensors, REFERENCE_KERNELS);
      expect(ring).toHaveLength(1);
      expect(scratchRequests(op, edited.main.tensors, cmsis)).toEqual([...ring, ...expected[c.name]!]);
      // The builtin's price in the set; a conv's row calls cost a little more, a depthwise conv's nothing priced.
      for (const kernels of [REFERENCE_KERNELS, cmsis]) {
        const [own, theirs] = [predictOps(edited.main, [op], kernels), predictOps(builtin.main, [builtin.main.ops[0]!], kernels)];
        if (c.depthwise || kernels === REFERENCE_KERNELS) expect(own).toBeCloseTo(theirs, 6);
        else expect(own / theirs).toBeGreaterThan(1);
        expect(own / theirs).toBeLessThan(1.25);
      }
    }
  });

  it('refuses malformed options with a message naming the operator', () => {
    expect(() => decodeConvInPlaceOptions(new Uint8Array([1, 2, 3]))).toThrow(/TinySegConvInPlace/);
    const window = { strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, depthMultiplier: 1, activation: 0 };
    const bad = encodeConvInPlaceOptions({ depthwise: true, padding: 2, ...window });
    expect(() => decodeConvInPlaceOptions(bad)).toThrow(/TinySegConvInPlace options/);
    // What the C kernel's Init refuses too: a step beyond int16, a conv (not depthwise) with a multiplier of 2.
    expect(() => decodeConvInPlaceOptions(encodeConvInPlaceOptions({ depthwise: true, padding: 0, ...window, strideW: 0x8000 }))).toThrow(/out of range/);
    expect(() => decodeConvInPlaceOptions(encodeConvInPlaceOptions({ depthwise: false, padding: 0, ...window, depthMultiplier: 2 }))).toThrow(/out of range/);
    const widest = encodeConvInPlaceOptions({ depthwise: true, padding: 0, ...window, depthMultiplier: 2, strideH: 0x7fff });
    expect(decodeConvInPlaceOptions(widest).strideH).toBe(0x7fff);
    expect(customKey(CONV_IN_PLACE)).toBe('CUSTOM:TinySegConvInPlace');
  });
});
