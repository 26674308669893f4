// tinyseg/runtime in Node: the model runs in ONE fixed ArrayBuffer of the
// plan's arena size, inputs and outputs are views of it at the offsets of
// TFLM's plan, and the outputs are the interpreter's, bit for bit, for the
// original and the optimized Tiny U-Net (whose custom operators spill into a
// second fixed buffer of the planned region size).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadGraph } from '../../src/graph/graph.js';
import { Interpreter, runModel } from '../../src/interpreter/interpreter.js';
import { planTflmArena } from '../../src/tflm/arena.js';
import { loadModel, TinysegError, type EdgeModel, type TensorArray } from '../../src/runtime/index.js';
import { cliOptimize, ensureBuilt, exampleModel, type CliResult } from '../helpers/examples.js';
import { tempDir } from '../helpers/temp-dir.js';
import { prng } from '../helpers/prng.js';

const scratch = tempDir('tinyseg-edge-');
const original = new Uint8Array(readFileSync(exampleModel));
let cli: CliResult;

beforeAll(() => {
  ensureBuilt();
  cli = cliOptimize(exampleModel, join(scratch, 'cli'));
}, 120_000);

/** Random values of the model's input type (the Tiny U-Net's is uint8). */
const randomInput = (model: EdgeModel, seed: number): TensorArray => {
  const next = prng(seed);
  const bytes = Uint8Array.from({ length: model.inputs[0]!.byteLength }, () => next() >>> 24);
  const Type = model.inputs[0]!.data.constructor as new (b: ArrayBuffer) => TensorArray;
  return new Type(bytes.buffer);
};

const bytesOf = (a: ArrayBufferView): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe('loadModel', () => {
  it("sizes the arena as the emitted <NAME>_ARENA_SIZE and puts tensors at the plan's offsets", () => {
    const model = loadModel(new Uint8Array(cli.model));
    expect(model.arena).toBeInstanceOf(ArrayBuffer);
    expect(model.arena.byteLength).toBe(cli.report.after.arenaSize);
    expect(model.plan).toEqual({
      head: cli.report.after.head,
      tail: cli.report.after.tail,
      used: cli.report.after.total,
      arenaSize: cli.report.after.arenaSize,
      spillRegionSize: cli.report.spill.regionBytes,
    });
    expect(model.spillRegion.byteLength).toBe(cli.report.spill.regionBytes);
    expect(model.spillRegion.byteLength).toBeGreaterThan(0);
    // The offline plan TFLM reads from the optimized model places the input and output.
    const arena = planTflmArena(loadGraph(new Uint8Array(cli.model)));
    const offsetOf = (t: number) => arena.offsets[arena.buffers.findIndex((b) => b.kind === 'tensor' && b.tensor === t)]!;
    for (const t of [...model.inputs, ...model.outputs]) {
      expect(t.data.buffer).toBe(model.arena);
      expect(t.data.byteOffset).toBe(t.byteOffset);
      expect(t.byteOffset).toBe(offsetOf(t.index));
      expect(t.byteOffset + t.byteLength).toBeLessThanOrEqual(model.plan.head);
    }
    expect(model.customOps.length).toBeGreaterThan(0);
    expect(model.customOps.every((name) => name.startsWith('TinySeg'))).toBe(true);
  });

  it('describes inputs and outputs by type, shape and quantization', () => {
    const model = loadModel(original);
    const graph = loadGraph(original);
    const [input] = model.inputs;
    const t = graph.main.tensors[graph.main.inputs[0]!]!;
    expect(input).toMatchObject({ name: t.name, dtype: 'uint8', shape: t.shape, size: 80 * 120 * 3, scale: t.quantization!.scale[0], zeroPoint: t.quantization!.zeroPoint[0] });
    expect(input!.data).toBeInstanceOf(Uint8Array);
    const out = graph.main.tensors[graph.main.outputs[0]!]!;
    expect(model.outputs[0]).toMatchObject({ name: out.name, dtype: out.dtype, shape: out.shape, scale: out.quantization!.scale[0] });
    expect(model.outputs[0]!.data).toBeInstanceOf(out.dtype === 'int8' ? Int8Array : Uint8Array);
    expect(model.customOps).toEqual([]);
    expect(model.spillRegion.byteLength).toBe(0);
    // The original's arena: TFLM's greedy plan, its head and the arena to allocate as optimize reports them before.
    expect(model.plan.head).toBe(cli.report.before.head);
    expect(model.plan.used).toBe(cli.report.before.total);
    expect(model.arena.byteLength).toBeGreaterThanOrEqual(cli.report.before.total);
  });

  it.each([
    ['original', () => original],
    ['optimized', () => new Uint8Array(cli.model)],
  ])('computes the interpreter’s outputs bit for bit (%s), run after run in the same arena', (_name, bytes) => {
    const model = loadModel(bytes());
    const graph = loadGraph(bytes());
    for (const seed of [1, 2]) {
      const input = randomInput(model, seed);
      const [out] = model.run(input);
      expect(out!.buffer).toBe(model.arena);
      const [expected] = runModel(graph, [bytesOf(input)]);
      expect(bytesOf(out!).equals(Buffer.from(expected!))).toBe(true);
    }
    // Both models compute the same bytes (the optimizer's proof, seen from here).
    const input = randomInput(model, 3);
    expect(bytesOf(model.run(input)[0]!).equals(bytesOf(loadModel(original).run(input)[0]!))).toBe(true);
  });

  it('takes raw bytes, writes through the input view, and refuses inputs of the wrong size or type', () => {
    const model = loadModel(original);
    const input = randomInput(model, 4);
    const expected = bytesOf(model.run(input)[0]!.slice());
    expect(bytesOf(model.run(Array.from(input as Uint8Array))[0]!).equals(expected)).toBe(true);
    (model.inputs[0]!.data as Uint8Array).set(input as Uint8Array);
    expect(bytesOf(model.run()[0]!).equals(expected)).toBe(true);
    expect(() => model.run(new Uint8Array(5))).toThrow(/input 'input' takes 28800 values \(uint8 \[1x80x120x3\]\), got 5/);
    expect(() => model.run(new Float32Array(28800))).toThrow(/is uint8: pass its values in a Uint8Array \(or its raw bytes in a Uint8Array\), got a Float32Array/);
    expect(() => model.run(new Int8Array(28800))).toThrow(/got a Int8Array/);
    expect(() => model.run(input, input)).toThrow(TinysegError);
  });

  it('refuses an arena smaller than the plan', () => {
    const graph = loadGraph(original);
    const head = new Interpreter(graph).arena.length;
    expect(() => new Interpreter(graph, { arena: new Uint8Array(head - 1) })).toThrow(`the arena given holds ${head - 1} bytes, the plan needs ${head}`);
  });
});
