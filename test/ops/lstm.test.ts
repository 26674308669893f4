// UNIDIRECTIONAL_SEQUENCE_LSTM with TFLM's own test vectors
// (kernels/testdata/lstm_test_data.cc, used by unidirectional_sequence_lstm_test.cc
// and lstm_eval_test.cc): the 2x3x2x2 float model (batch 2, 3 steps, input 2,
// state 2, cell clip 6, tanh) and its int8 ("8x8_16") and int16 ("16x8")
// quantizations. TFLM checks its goldens within 1e-6 (float), 1e-2 (int8) and
// 1e-3 / 1e-2 (int16 hidden / cell); so do we. Plus the refusals of its Prepare.
// Bit-exactness was checked outside this suite: the int8 and int16 fixtures
// (batch- and time-major, with and without a cell clip) give byte-identical
// outputs in TFLM's reference build on a Cortex-M4 (bench/tflm-m4, QEMU), and
// the float32 ones match TFLM's EvalLstm<float> compiled for x86-64 with glibc.

import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/graph/builder.js';
import { loadGraph, saveGraph } from '../../src/graph/graph.js';
import { Interpreter } from '../../src/interpreter/interpreter.js';
import { CMSIS_FIXTURES } from '../helpers/cmsis-fixtures.js';

const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const q = (scale: number, zeroPoint = 0) => ({ scale: [scale], zeroPoint: [zeroPoint], quantizedDimension: 0 });
const roundAway = (r: number) => (r < 0 ? -Math.round(-r) : Math.round(r));
const quantize = (v: readonly number[], scale: number, zp: number, lo: number, hi: number): number[] =>
  v.map((x) => Math.min(hi, Math.max(lo, roundAway(Math.fround(x / Math.fround(scale))) + zp)));

// Create2x3x2X2FloatNodeContents: per gate, input weights, recurrent weights, bias (forget, input, cell, output).
const GATES = {
  forget: [[-10, -10, -20, -20], [-10, -10, -20, -20], [1, 2]],
  input: [[10, 10, 20, 20], [10, 10, 20, 20], [-1, -2]],
  cell: [[1, 1, 1, 1], [1, 1, 1, 1], [0, 0]],
  output: [[1, 1, 1, 1], [1, 1, 1, 1], [0, 0]],
} as const;

// Get2X2LstmEvalCheckData
const EVAL = {
  input: [0.2, 0.3, 0.2, 0.3, 0.2, 0.3, -0.98, 0.62, 0.01, 0.99, 0.49, -0.32],
  output: [
    0.26455893, 0.26870455, 0.47935803, 0.47937014, 0.58013272, 0.58013278, // batch 1
    -1.41184672e-3, -1.43329117e-5, 0.46887168, 0.46891281, 0.50054074, 0.50054148, // batch 2
  ],
  hidden: [0.58013272, 0.58013278, 0.50054074, 0.50054148],
  cell: [0.89740515, 0.8974053, 0.80327607, 0.80327785],
};

// Get2X2GateOutputCheckData: one step from a given state.
const GATE_CHECK = {
  input: [0.2, 0.3, -0.98, 0.62],
  hidden: [-0.1, 0.2, -0.3, 0.5],
  cell: [-1.3, 6.2, -7.3, 3.5],
  updatedCell: [0.52475447, 0.53730665, -6, 3.47992756],
  updatedHidden: [0.31079388, 0.3169827, -0.46007947, 0.45921249],
};

type Act = 'float32' | 'int8' | 'int16';

interface Quant {
  input: [number, number];
  hidden: [number, number];
  cell: number;
  /** Weight scales (input and recurrent alike) and bias scale per gate. */
  gates: Record<keyof typeof GATES, [number, number]>;
}

// Get2X2Int8LstmQuantizationSettings / Get2X2Int16LstmQuantizationSettings
const INT8: Quant = {
  input: [0.00784313725490196, 0],
  hidden: [0.004705882165580988, -21],
  cell: 0.00024414062,
  gates: {
    forget: [0.15748031496062992, 0.0012351397251814111],
    input: [0.15748031496062992, 0.0012351397251814111],
    cell: [0.007874015748031496, 6.175698625907056e-5],
    output: [0.007874015748031496, 6.175698625907056e-5],
  },
};
const INT16: Quant = {
  input: [3.0518044e-5, 0],
  hidden: [2.1362956633198035e-5, 0],
  cell: 0.00024414062,
  gates: {
    forget: [0.15748031496062992, 4.8059911474468205e-6],
    input: [0.15748031496062992, 4.8059911474468205e-6],
    cell: [0.007874015748031496, 2.40299557372341e-7],
    output: [0.007874015748031496, 2.40299557372341e-7],
  },
};

interface Built {
  it: Interpreter;
  hidden: number;
  cell: number;
  quant: Quant | null;
  act: Act;
}

function build(act: Act, steps: number, opts: { timeMajor?: boolean; cellClip?: number; hiddenInit?: number[]; cellInit?: number[] } = {}): Built {
  const [batch, inDim, S] = [2, 2, 2];
  const quant = act === 'int8' ? INT8 : act === 'int16' ? INT16 : null;
  const b = new GraphBuilder();
  const aq = (p: [number, number]) => (quant ? q(p[0], p[1]) : null);
  const x = b.input('x', { dtype: act, shape: opts.timeMajor ? [steps, batch, inDim] : [batch, steps, inDim], quantization: aq(quant?.input ?? [0, 0]) });
  const weight = (name: string, v: readonly number[], scale: number) =>
    quant
      ? b.constant(name, { dtype: 'int8', shape: [S, inDim], quantization: q(scale) }, new Int8Array(quantize(v, scale, 0, -127, 127)))
      : b.constant(name, { dtype: 'float32', shape: [S, inDim] }, new Float32Array(v));
  const bias = (name: string, v: readonly number[], scale: number) => {
    if (act === 'int16') return b.constant(name, { dtype: 'int64', shape: [S], quantization: q(scale) }, BigInt64Array.from(quantize(v, scale, 0, -(2 ** 52), 2 ** 52), BigInt));
    if (act === 'int8') return b.constant(name, { dtype: 'int32', shape: [S], quantization: q(scale) }, new Int32Array(quantize(v, scale, 0, -(2 ** 31), 2 ** 31 - 1)));
    return b.constant(name, { dtype: 'float32', shape: [S] }, new Float32Array(v));
  };
  const order = ['input', 'forget', 'cell', 'output'] as const;
  const inW = order.map((g) => weight(`${g}_w`, GATES[g][0], quant?.gates[g][0] ?? 0));
  const recW = order.map((g) => weight(`${g}_r`, GATES[g][1], quant?.gates[g][0] ?? 0));
  const biases = order.map((g) => bias(`${g}_b`, GATES[g][2], quant?.gates[g][1] ?? 0));
  const hidden = b.variable('h', { dtype: act, shape: [batch, S], quantization: aq(quant?.hidden ?? [0, 0]) });
  const cell = b.variable('c', { dtype: quant ? 'int16' : 'float32', shape: [batch, S], quantization: quant ? q(quant.cell) : null });
  const y = b.tensor('y', { dtype: act, shape: opts.timeMajor ? [steps, batch, S] : [batch, steps, S], quantization: aq(quant?.hidden ?? [0, 0]) });
  const n = -1;
  b.op({
    opcode: 'UNIDIRECTIONAL_SEQUENCE_LSTM',
    inputs: [x, ...inW, ...recW, n, n, n, ...biases, n, n, hidden, cell, n, n, n, n],
    outputs: [y],
    options: { type: 'UnidirectionalSequenceLSTMOptions', value: { fusedActivationFunction: 4, cellClip: opts.cellClip ?? 6, projClip: 3, timeMajor: opts.timeMajor ?? false } },
  });
  b.output(y);
  const it = new Interpreter(loadGraph(saveGraph(b.build())));
  const r = { it, hidden, cell, quant, act };
  if (opts.hiddenInit) it.tensorBytes(hidden).set(encode(r, opts.hiddenInit, quant?.hidden ?? [0, 0]));
  if (opts.cellInit) {
    const c = quant ? new Int16Array(quantize(opts.cellInit, quant.cell, 0, -32768, 32767)) : new Float32Array(opts.cellInit);
    it.tensorBytes(cell).set(bytes(c));
  }
  return r;
}

function encode(m: Built, v: readonly number[], [scale, zp]: [number, number]): Uint8Array {
  if (m.act === 'int8') return bytes(new Int8Array(quantize(v, scale, zp, -128, 127)));
  if (m.act === 'int16') return bytes(new Int16Array(quantize(v, scale, zp, -32768, 32767)));
  return bytes(new Float32Array(v));
}

function decode(m: Built, raw: Uint8Array, [scale, zp]: [number, number]): number[] {
  const copy = raw.slice();
  if (m.act === 'int8') return Array.from(new Int8Array(copy.buffer), (v) => (v - zp) * scale);
  if (m.act === 'int16') return Array.from(new Int16Array(copy.buffer), (v) => (v - zp) * scale);
  return Array.from(new Float32Array(copy.buffer));
}

const cellOf = (m: Built): number[] => {
  const raw = m.it.tensorBytes(m.cell).slice();
  return m.quant ? Array.from(new Int16Array(raw.buffer), (v) => v * m.quant!.cell) : Array.from(new Float32Array(raw.buffer));
};

function close(got: number[], want: readonly number[], tol: number, what: string): void {
  expect(got.length).toBe(want.length);
  got.forEach((v, i) => expect(Math.abs(v - want[i]!), `${what} ${i}: ${v} vs ${want[i]}`).toBeLessThanOrEqual(tol));
}

function evalCase(act: Act, hiddenTol: number, cellTol: number): Built {
  const m = build(act, 3);
  const hq = m.quant?.hidden ?? [0, 0];
  m.it.setInput(0, encode(m, EVAL.input, m.quant?.input ?? [0, 0]));
  m.it.invoke();
  close(decode(m, m.it.output(0), hq), EVAL.output, hiddenTol, 'output');
  close(decode(m, m.it.tensorBytes(m.hidden), hq), EVAL.hidden, hiddenTol, 'hidden state');
  close(cellOf(m), EVAL.cell, cellTol, 'cell state');
  return m;
}

describe('UNIDIRECTIONAL_SEQUENCE_LSTM float32', () => {
  it('2x3x2x2 over three steps (TestUnidirectionalLSTMFloat)', () => {
    evalCase('float32', 1e-6, 1e-6);
  });

  it('one step from a given state, the cell clipped to 6 (Get2X2GateOutputCheckData)', () => {
    const m = build('float32', 1, { hiddenInit: GATE_CHECK.hidden, cellInit: GATE_CHECK.cell });
    m.it.setInput(0, bytes(new Float32Array(GATE_CHECK.input)));
    m.it.invoke();
    close(cellOf(m), GATE_CHECK.updatedCell, 1e-6, 'cell state');
    close(decode(m, m.it.output(0), [0, 0]), GATE_CHECK.updatedHidden, 1e-6, 'output');
  });

  it('time-major input gives the batch-major results, transposed, bit for bit', () => {
    const a = build('float32', 3);
    a.it.setInput(0, bytes(new Float32Array(EVAL.input)));
    a.it.invoke();
    const tm = build('float32', 3, { timeMajor: true });
    const transpose = (v: ArrayLike<number>, rows: number, cols: number, d: number) =>
      Array.from({ length: rows * cols * d }, (_, k) => {
        const [c, r, i] = [Math.floor(k / (rows * d)), Math.floor(k / d) % rows, k % d];
        return v[(r * cols + c) * d + i]!;
      });
    tm.it.setInput(0, bytes(new Float32Array(transpose(EVAL.input, 2, 3, 2))));
    tm.it.invoke();
    expect(Array.from(new Float32Array(tm.it.output(0).slice().buffer))).toEqual(transpose(new Float32Array(a.it.output(0).slice().buffer), 2, 3, 2));
    expect(tm.it.tensorBytes(tm.cell)).toEqual(a.it.tensorBytes(a.cell));
  });
});

describe('UNIDIRECTIONAL_SEQUENCE_LSTM integer', () => {
  it('int8 activations, int16 cell, 2x3x2x2 (TestUnidirectionalLSTMInt8)', () => {
    evalCase('int8', 1e-2, 1e-2);
  });

  it('int16 activations, int16 cell, 2x3x2x2 (TestUnidirectionalLSTMInt16)', () => {
    evalCase('int16', 1e-3, 1e-2);
  });
});

describe('UNIDIRECTIONAL_SEQUENCE_LSTM fixtures run', () => {
  it.each(['lstm-f32', 'lstm-int8', 'lstm-int16'])('%s', (name) => {
    const it = new Interpreter(loadGraph(saveGraph(CMSIS_FIXTURES[name]!())));
    it.invoke();
    expect(it.output(0).length).toBeGreaterThan(0);
  });
});

describe("UNIDIRECTIONAL_SEQUENCE_LSTM refuses what TFLM's Prepare refuses", () => {
  const variant = (name: string, edit: (g: any, op: any) => void) => () => {
    const g: any = CMSIS_FIXTURES[name]!();
    const sg = g.subgraphs ? g.subgraphs[0] : g;
    edit(sg, sg.ops[0]);
    return new Interpreter(loadGraph(saveGraph(g)));
  };
  it('a missing input-to-input weight (CIFG)', () => {
    expect(variant('lstm-f32', (_sg, op) => (op.inputs[1] = -1))).toThrow(/UNIDIRECTIONAL_SEQUENCE_LSTM.*weight tensor 1 is missing/);
  });
  it('a peephole weight', () => {
    expect(variant('lstm-f32', (_sg, op) => (op.inputs[9] = op.inputs[12]))).toThrow(/tensor 9 is given: peephole/);
  });
  it('an int8 cell state', () => {
    expect(variant('lstm-int8', (sg, op) => (sg.tensors[op.inputs[19]].dtype = 'int8'))).toThrow(/Cell state type INT8 \(9\) not supported/);
  });
  it('a float32 input with an int16 cell', () => {
    expect(variant('lstm-f32', (sg, op) => (sg.tensors[op.inputs[19]].dtype = 'int16'))).toThrow(/not supported by the TinySeg interpreter/);
  });
  it('a hidden state of another type than the input', () => {
    expect(variant('lstm-int8', (sg, op) => (sg.tensors[op.inputs[18]].dtype = 'int16'))).toThrow(/output state type INT16 \(7\) != input type INT8 \(9\)/);
  });
  it('a cell gate activation other than tanh or sigmoid', () => {
    expect(variant('lstm-f32', (_sg, op) => (op.options.fusedActivationFunction = 1))).toThrow(/cell gate activation 1/);
  });
  it('an output of the wrong shape', () => {
    expect(variant('lstm-f32', (sg, op) => (sg.tensors[op.outputs[0]].shape = [2, 3, 5]))).toThrow(/output shape/);
  });
});
