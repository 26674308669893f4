// SVDF with TFLM's own test vectors (svdf_test.cc, test/ops/vectors/svdf.json):
// float32 and int8 with int8 or int16 state, over sequences of invocations
// (the state carries from one to the next). TFLM checks its goldens within
// 1e-5 (float) and one quantization step (int8); so do we.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/graph/builder.js';
import { loadGraph, saveGraph } from '../../src/graph/graph.js';
import { Interpreter } from '../../src/interpreter/interpreter.js';

const V = JSON.parse(readFileSync(new URL('./vectors/svdf.json', import.meta.url), 'utf8')) as Record<string, number[]>;
const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const q = (scale: number, zeroPoint = 0) => ({ scale: [scale], zeroPoint: [zeroPoint], quantizedDimension: 0 });

/** TFLM's test quantization (FloatToQuantizedType): round(value / scale) + zero point, clamped. */
const quantize = (v: number[], scale: number, zp: number, lo: number, hi: number): number[] =>
  v.map((x) => {
    const r = Math.fround(x / Math.fround(scale));
    return Math.min(hi, Math.max(lo, (r < 0 ? -Math.round(-r) : Math.round(r)) + zp));
  });

interface Case {
  batch: number;
  units: number;
  input: number;
  memory: number;
  rank: number;
  activation: number;
}

function floatSvdf(c: Case, wf: number[], wt: number[], bias: number[], state: number[], inputs: number[], golden: number[]): void {
  const b = new GraphBuilder();
  const filters = c.units * c.rank;
  const x = b.input('x', { dtype: 'float32', shape: [c.batch, c.input] });
  const f = b.constant('wf', { dtype: 'float32', shape: [filters, c.input] }, new Float32Array(wf));
  const t = b.constant('wt', { dtype: 'float32', shape: [filters, c.memory] }, new Float32Array(wt));
  const bb = b.constant('bias', { dtype: 'float32', shape: [c.units] }, new Float32Array(bias));
  const s = b.variable('state', { dtype: 'float32', shape: [c.batch, c.memory * filters] });
  const y = b.tensor('y', { dtype: 'float32', shape: [c.batch, c.units] });
  b.op({ opcode: 'SVDF', inputs: [x, f, t, bb, s], outputs: [y], options: { type: 'SVDFOptions', value: { rank: c.rank, fusedActivationFunction: c.activation } } });
  b.output(y);
  const it = new Interpreter(loadGraph(saveGraph(b.build())));
  it.tensorBytes(s).set(bytes(new Float32Array(state)));
  const step = c.batch * c.input;
  const n = c.batch * c.units;
  for (let k = 0; k * step < inputs.length; k++) {
    it.setInput(0, bytes(new Float32Array(inputs.slice(k * step, (k + 1) * step))));
    it.invoke();
    const out = Array.from(new Float32Array(it.output(0).buffer));
    out.forEach((v, i) => expect(Math.abs(v - golden[k * n + i]!), `invoke ${k} output ${i}`).toBeLessThanOrEqual(1e-5));
  }
}

describe('SVDF float32', () => {
  it('2x2 input, 2x4 output over 10 invokes (SvdfFloat2x2Input2x4OutputShouldMatchGolden)', () => {
    const c = { batch: 2, units: 4, input: 2, memory: 10, rank: 2, activation: 0 };
    const zeros = (n: number) => new Array<number>(n).fill(0);
    floatSvdf(c, V.feature_weights_data_2x2x10!, V.time_weights_data_2x2x10!, zeros(4), zeros(160), V.input_data_2x2x10!, V.golden_output_2x2x10!);
  });

  it.each([
    [0, 'golden_output_16x1x1'],
    [1, 'golden_output_relu_16x1x1'],
  ])('1x16 input, 64x1 output from a given state, activation %d (SvdfFloat1x16Input64x1Output...)', (activation, golden) => {
    const c = { batch: 1, units: 64, input: 16, memory: 8, rank: 1, activation };
    const state = V.initial_activation_state_data_16x1x1!;
    floatSvdf(c, V.feature_weights_data_16x1x1!, V.time_weights_data_16x1x1!, V.bias_data_16x1x1!, state, V.input_data_16x1x1!, V[golden]!);
  });
});

describe('SVDF int8', () => {
  // SvdfQuantized2x2Input2x4OutputShouldMatchGolden<int8_t> and <int16_t>: RELU, zero points 0.
  it.each([
    ['int8', 127],
    ['int16', 32767],
  ] as const)('2x2 input, 2x4 output over 10 invokes, %s state and time weights', (stateType, tmax) => {
    const [batch, units, input, memory, rank] = [2, 4, 2, 10, 2];
    const filters = units * rank;
    const f = Math.fround;
    const inputScale = f(2.5 / 127);
    const featureScale = f(1 / 127);
    const timeScale = f(1 / tmax);
    const stateScale = f(1.49 / tmax);
    const outputScale = f(1 / 127);
    const [tlo, thi] = stateType === 'int8' ? [-128, 127] : [-32768, 32767];
    const b = new GraphBuilder();
    const x = b.input('x', { dtype: 'int8', shape: [batch, input], quantization: q(inputScale) });
    const wf = b.constant('wf', { dtype: 'int8', shape: [filters, input], quantization: q(featureScale) }, Int8Array.from(quantize(V.feature_weights_data_2x2x10!, featureScale, 0, -128, 127)));
    const wtq = quantize(V.time_weights_data_2x2x10!, timeScale, 0, tlo, thi);
    const wt = b.constant('wt', { dtype: stateType, shape: [filters, memory], quantization: q(timeScale) }, stateType === 'int8' ? Int8Array.from(wtq) : Int16Array.from(wtq));
    const bias = b.constant('bias', { dtype: 'int32', shape: [units], quantization: q(f(timeScale * stateScale)) }, new Int32Array(units));
    const s = b.variable('state', { dtype: stateType, shape: [batch, memory * filters], quantization: q(stateScale) });
    const y = b.tensor('y', { dtype: 'int8', shape: [batch, units], quantization: q(outputScale) });
    b.op({ opcode: 'SVDF', inputs: [x, wf, wt, bias, s], outputs: [y], options: { type: 'SVDFOptions', value: { rank, fusedActivationFunction: 1 } } });
    b.output(y);
    const it = new Interpreter(loadGraph(saveGraph(b.build())));
    const inputs = quantize(V.input_data_2x2x10!, inputScale, 0, -128, 127);
    const golden = quantize(V.golden_output_2x2x10!, outputScale, 0, -128, 127);
    for (let k = 0; k < 10; k++) {
      it.setInput(0, bytes(Int8Array.from(inputs.slice(k * 4, k * 4 + 4))));
      it.invoke();
      Array.from(new Int8Array(it.output(0).buffer)).forEach((v, i) => expect(Math.abs(v - golden[k * 8 + i]!), `invoke ${k} output ${i}`).toBeLessThanOrEqual(1));
    }
  });

  it('refuses what TFLM refuses: an int16 input', () => {
    const b = new GraphBuilder();
    const x = b.input('x', { dtype: 'int16', shape: [1, 4], quantization: q(1) });
    const wf = b.constant('wf', { dtype: 'int8', shape: [2, 4] }, new Int8Array(8));
    const wt = b.constant('wt', { dtype: 'int16', shape: [2, 3] }, new Int16Array(6));
    const s = b.variable('state', { dtype: 'int16', shape: [1, 6] });
    const y = b.tensor('y', { dtype: 'int8', shape: [1, 2] });
    b.op({ opcode: 'SVDF', inputs: [x, wf, wt, -1, s], outputs: [y], options: { type: 'SVDFOptions', value: { rank: 1 } } });
    b.output(y);
    expect(() => new Interpreter(b.build())).toThrow(/operator 0 \(SVDF\): input type int16 is neither float32 nor int8/);
  });
});

describe('SVDF int8 against real TFLM', () => {
  it("gives the bytes TFLM's reference kernel gave on Cortex-M4 for the svdf-int8 fixture (oracle input)", async () => {
    const { CMSIS_FIXTURES } = await import('../helpers/cmsis-fixtures.js');
    const { deterministicInput } = await import('../../src/interpreter/oracle-input.js');
    const { runGuarded } = await import('../../src/interpreter/interpreter.js');
    const g = CMSIS_FIXTURES['svdf-int8']!();
    const out = runGuarded(g, g.main.inputs.map((t) => deterministicInput(g.main.tensors[t]!)));
    expect(Buffer.from(out[0]!).toString('hex')).toBe('11bbf127150ef2ed');
  });
});
