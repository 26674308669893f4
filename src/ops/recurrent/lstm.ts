// UNIDIRECTIONAL_SEQUENCE_LSTM as TFLM 90b983c's reference kernel runs it
// (unidirectional_sequence_lstm.cc, lstm_eval.h/.cc, lstm_eval_common.cc):
// the standard LSTM only (no peepholes, projection, layer norm or CIFG), with
// float32 everything, or int8 / int16 activations, int8 weights and an int16
// cell ("8x8_16" with int32 biases, "16x8" with int64 biases). Each gate is
// act(FC(input) + FC(hidden)); the hidden and cell states are variable tensors.
// Batch-major input runs one batch row at a time, time-major all rows at once.

import { builtinOptions } from '../../graph/op-options.js';
import { tfliteType } from '../elementwise/binary-ops.js';
import { logisticFloat } from '../elementwise/activations.js';
import { tanhf } from '../elementwise/libm.js';
import { checkedLog2, logisticInt16Core, tanhInt16Core } from '../elementwise/nonlinear.js';
import { multiplyByQuantizedMultiplier, multiplyByQuantizedMultiplier64, quantizeMultiplier } from '../fixed-point.js';
import { constantBias } from '../conv-params.js';
import { FLT_MAX, defineKernel, f32, i16, i8, kernelError, scaleOf, zeroPointOf, type Kernel, type KernelCall, type TensorData } from '../kernel.js';

// lstm_shared.h tensor indices, per gate: input weights, recurrent weights, bias.
const FORGET = [2, 6, 13] as const;
const INPUT = [1, 5, 12] as const;
const CELL = [3, 7, 14] as const;
const OUTPUT = [4, 8, 15] as const;
const HIDDEN = 18;
const CELL_STATE = 19;
const SIGMOID = 6;
const TANH = 4;

/** One gate's two fully connected layers (integer: multipliers and offsets; float: unused). */
interface Gate {
  w: number;
  r: number;
  bias: Float64Array;
  inMul: number;
  inShift: number;
  recMul: number;
  recShift: number;
  /** -zero point of the input weights / recurrent weights (TFLM applies them, though they are 0 in converted models). */
  wOffset: number;
  rOffset: number;
}

interface MulParams {
  multiplier: number;
  shift: number;
  offset: number;
  min: number;
  max: number;
}

interface LstmState {
  kind: 'float32' | 'int8' | 'int16';
  timeMajor: boolean;
  batch: number;
  steps: number;
  inDim: number;
  state: number;
  cellAct: number;
  cellClip: number;
  quantizedClip: number;
  gates: [Gate, Gate, Gate, Gate]; // forget, input, cell, output
  inputOffset: number;
  hiddenOffset: number;
  forgetCell: MulParams;
  inputMul: MulParams;
  outputMul: MulParams;
  cellTanh: (v: number) => number;
}

const ensure = (call: KernelCall, ok: boolean, what: string): void => {
  if (!ok) throw kernelError(call, what);
};

const shapeEq = (call: KernelCall, d: TensorData, dims: readonly number[], what: string): void => {
  const s = d.tensor.shape;
  ensure(call, s.length === dims.length, `${what}: NumDimensions ${s.length} != ${dims.length}`);
  dims.forEach((v, i) => ensure(call, s[i] === v, `${what}: dims->data[${i}] ${s[i]} != ${v}`));
};

const count = (d: TensorData): number => d.tensor.shape.reduce((a, b) => a * b, 1);

/** CreateInterGateMulParams: symmetric inputs, the scales' product over the output scale in double. */
function mulParams(s1: number, s2: number, out: number, type: string, zp: number): MulParams {
  const m = quantizeMultiplier((s1 * s2) / out);
  const [min, max] = type === 'int8' ? [-128, 127] : [-32768, 32767];
  return { multiplier: m.multiplier, shift: m.shift, offset: zp, min, max };
}

const NONLINEAR_IN = 0.000244140625; // 2^-12: the FC outputs feed the int16 sigmoid / tanh in Q3.12
const NONLINEAR_OUT = 0.000030517578125; // 2^-15: the gates' outputs in Q0.15

function prepare(call: KernelCall): LstmState {
  ensure(call, call.outputs.length === 1, `node->outputs->size != 1 (${call.outputs.length} != 1)`);
  ensure(call, call.inputs.length === 24, `node->inputs->size != 24 (${call.inputs.length} != 24)`);
  const o = builtinOptions(call.op, 'UnidirectionalSequenceLSTMOptions');
  const t = call.inputs;
  const at = (i: number): TensorData => t[i]!;
  // LstmTensors::ValidateTensorStatus
  const input = t[0];
  ensure(call, input != null, 'the input tensor (0) is missing');
  const hidden = t[HIDDEN];
  ensure(call, hidden != null, 'the output state tensor (18) is missing');
  ensure(call, hidden!.tensor.kind === 'variable', 'the output state tensor (18) must be a variable');
  const act = input!.tensor.dtype;
  ensure(call, hidden!.tensor.dtype === act, `output state type ${tfliteType(hidden!.tensor.dtype)} != input type ${tfliteType(act)}`);
  const cell = t[CELL_STATE];
  ensure(call, cell != null, 'the cell state tensor (19) is missing');
  ensure(call, cell!.tensor.kind === 'variable', 'the cell state tensor (19) must be a variable');
  const output = call.outputs[0]!;
  ensure(call, output.tensor.dtype === act, `output type ${tfliteType(output.tensor.dtype)} != input type ${tfliteType(act)}`);
  ensure(call, t[2] != null, 'weight tensor 2 is missing');
  const weightType = at(2).tensor.dtype;
  for (let i = 1; i < 9; i++) {
    ensure(call, t[i] != null, `weight tensor ${i} is missing (CIFG LSTMs are not supported)`);
    ensure(call, at(i).tensor.dtype === weightType, `weight tensor ${i} type ${tfliteType(at(i).tensor.dtype)} != ${tfliteType(weightType)}`);
  }
  ensure(call, t[13] != null, 'bias tensor 13 is missing');
  const biasType = at(13).tensor.dtype;
  for (let i = 12; i < 16; i++) {
    ensure(call, t[i] != null, `bias tensor ${i} is missing`);
    ensure(call, at(i).tensor.dtype === biasType, `bias tensor ${i} type ${tfliteType(at(i).tensor.dtype)} != ${tfliteType(biasType)}`);
  }
  for (const [from, to, what] of [[9, 12, 'peephole'], [16, 18, 'projection'], [20, 24, 'layer norm']] as const) {
    for (let i = from; i < to; i++) ensure(call, t[i] == null, `tensor ${i} is given: ${what} LSTMs are not supported`);
  }
  // CreateLstmSizeInfo, ValidateTensorSize
  const is = input!.tensor.shape;
  ensure(call, is.length === 3, `input: NumDimensions ${is.length} != 3`);
  ensure(call, hidden!.tensor.shape.length >= 2, 'the output state must be [batch, state]');
  const timeMajor = o.timeMajor;
  const batch = timeMajor ? is[1]! : is[0]!;
  const steps = timeMajor ? is[0]! : is[1]!;
  const inDim = is[2]!;
  const S = hidden!.tensor.shape[1]!;
  for (let i = 1; i < 5; i++) shapeEq(call, at(i), [S, inDim], `input weights ${i}`);
  for (let i = 5; i < 9; i++) shapeEq(call, at(i), [S, S], `recurrent weights ${i}`);
  for (let i = 12; i < 16; i++) shapeEq(call, at(i), [S], `bias ${i}`);
  ensure(call, count(hidden!) === batch * S, `NumElements(output state) ${count(hidden!)} != ${batch * S}`);
  ensure(call, count(cell!) === batch * S, `NumElements(cell state) ${count(cell!)} != ${batch * S}`);
  const os = output.tensor.shape;
  ensure(call, os.length === 3, `output: NumDimensions ${os.length} != 3`);
  ensure(call, os[0] === is[0] && os[1] === is[1] && os[2] === S, `output shape [${os.join(', ')}] != [${is[0]}, ${is[1]}, ${S}]`);
  const cellType = cell!.tensor.dtype;
  if (cellType !== 'float32' && cellType !== 'int16') {
    throw kernelError(call, `Cell state type ${tfliteType(cellType)} not supported. The quantized Unidirectional Sequence LSTM Op only support int16 cell state`);
  }
  // Eval's type dispatch, checked here.
  if (act !== 'float32' && act !== 'int8' && act !== 'int16') throw kernelError(call, `Input type ${tfliteType(act)} not supported.`);
  if (act !== 'float32' && weightType !== 'int8') throw kernelError(call, `Filter type ${tfliteType(weightType)} not supported.`);
  // Combinations TFLM accepts but then runs on misread memory.
  const wantCell = act === 'float32' ? 'float32' : 'int16';
  const wantWeights = act === 'float32' ? 'float32' : 'int8';
  const wantBias = act === 'float32' ? 'float32' : act === 'int8' ? 'int32' : 'int64';
  for (const [what, got, want] of [['cell state', cellType, wantCell], ['weight', weightType, wantWeights], ['bias', biasType, wantBias]] as const) {
    if (got !== want) throw kernelError(call, `${tfliteType(act)} activations with ${what} type ${tfliteType(got)} are not supported by the TinySeg interpreter (TFLM would misread the data)`);
  }
  const cellAct = o.fusedActivationFunction;
  // CalculateLstmGate takes only sigmoid or tanh; TFLM asserts on any other.
  ensure(call, cellAct === SIGMOID || cellAct === TANH, `cell gate activation ${cellAct} is neither tanh nor sigmoid`);
  if (call.scratch.length !== 4) throw kernelError(call, 'expected four scratch buffers');

  const f = Math.fround;
  const integer = act !== 'float32';
  const inputOffset = integer ? -zeroPointOf(input!) : 0;
  const hiddenOffset = integer ? -zeroPointOf(hidden!) : 0;
  const gate = ([w, r, b]: readonly [number, number, number]): Gate => {
    const g: Gate = { w, r, bias: constantBias(call, at(b), S)!, inMul: 0, inShift: 0, recMul: 0, recShift: 0, wOffset: 0, rOffset: 0 };
    if (!integer) return g;
    for (const i of [w, r]) {
      const scales = at(i).tensor.quantization?.scale.length ?? 0;
      ensure(call, scales === 1, `per-channel (or unquantized) LSTM weights (tensor ${i}) are not supported by the TinySeg interpreter`);
    }
    // CalculateOpDataFullyConnected into a symmetric int16 output of scale 2^-12, no bias check.
    const fc = (x: TensorData, wt: TensorData): [number, number] => {
      const product = f(scaleOf(x) * scaleOf(wt));
      ensure(call, product >= 0, 'input_product_scale >= 0 was not true');
      const m = quantizeMultiplier(product / NONLINEAR_IN);
      return [m.multiplier, m.shift];
    };
    [g.inMul, g.inShift] = fc(input!, at(w));
    [g.recMul, g.recShift] = fc(hidden!, at(r));
    g.wOffset = -zeroPointOf(at(w));
    g.rOffset = -zeroPointOf(at(r));
    return g;
  };
  const gates: [Gate, Gate, Gate, Gate] = [gate(FORGET), gate(INPUT), gate(CELL), gate(OUTPUT)];
  const none: MulParams = { multiplier: 0, shift: 0, offset: 0, min: 0, max: 0 };
  const base = { kind: act, timeMajor, batch, steps, inDim, state: S, cellAct, gates, inputOffset, hiddenOffset };
  if (!integer) {
    // CreateLstmCellStateInfoFloat
    return { ...base, cellClip: o.cellClip, quantizedClip: 0, forgetCell: none, inputMul: none, outputMul: none, cellTanh: () => 0 };
  }
  // CreateLstmCellStateInfo: the cell scale's log2 (a power of two is assumed, not checked) and the clip in cell units.
  const cellScale = scaleOf(cell!);
  const power = checkedLog2(cellScale)[0];
  const quantizedClip = Math.trunc(Math.min(Math.max(o.cellClip / cellScale, -32768), 32767));
  // lstm_internal::Tanh: the cell's Q format moved to Q3.12.
  let leftShift = 15 + power - 3;
  let multiplier = 0;
  if (leftShift < 0) {
    leftShift = -leftShift;
    multiplier = 3;
  }
  const cellTanh = multiplier === 0 ? tanhInt16Core(3 << leftShift, 0) : tanhInt16Core(multiplier, leftShift);
  const out = f(NONLINEAR_OUT);
  return {
    ...base,
    cellClip: o.cellClip,
    quantizedClip,
    forgetCell: mulParams(out, cellScale, cellScale, 'int16', 0),
    inputMul: mulParams(out, out, cellScale, 'int16', 0),
    outputMul: mulParams(out, out, scaleOf(hidden!), act, zeroPointOf(hidden!)),
    cellTanh,
  };
}

// ---- float32 ----------------------------------------------------------------

/** std::min(std::max(x, -FLT_MAX), FLT_MAX): the kTfLiteActNone clamp of FC and MUL. */
const clampNone = (x: number): number => {
  const y = x < -FLT_MAX ? -FLT_MAX : x;
  return FLT_MAX < y ? FLT_MAX : y;
};

interface FloatView {
  x: Float32Array;
  h: Float32Array;
  c: Float32Array;
  y: Float32Array;
  weights: Float32Array[];
  buf: Float32Array[];
}

/** reference_ops::FullyConnected<float> over `rows` rows. */
function fcFloat(x: Float32Array, xAt: number, depth: number, w: Float32Array, bias: Float64Array | null, rows: number, S: number, out: Float32Array): void {
  const f = Math.fround;
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < S; o++) {
      let acc = 0;
      const xi = xAt + r * depth;
      const wi = o * depth;
      for (let d = 0; d < depth; d++) acc = f(acc + f(x[xi + d]! * w[wi + d]!));
      out[r * S + o] = clampNone(f(acc + (bias ? bias[o]! : 0)));
    }
  }
}

function floatGate(s: LstmState, v: FloatView, g: Gate, act: number, rows: number, inAt: number, stAt: number, out: Float32Array): void {
  const S = s.state;
  const n = rows * S;
  const tmp = v.buf[3]!;
  fcFloat(v.x, inAt, s.inDim, v.weights[g.w]!, g.bias, rows, S, out);
  fcFloat(v.h, stAt, S, v.weights[g.r]!, null, rows, S, tmp);
  for (let i = 0; i < n; i++) out[i] = Math.fround(out[i]! + tmp[i]!);
  if (act === SIGMOID) for (let i = 0; i < n; i++) out[i] = logisticFloat(out[i]!);
  else for (let i = 0; i < n; i++) out[i] = tanhf(out[i]!);
}

function floatStep(s: LstmState, v: FloatView, rows: number, inAt: number, outAt: number, stAt: number): void {
  const f = Math.fround;
  const [b0, b1, b2] = v.buf as [Float32Array, Float32Array, Float32Array];
  const [forget, input, cellGate, output] = s.gates;
  const n = rows * s.state;
  floatGate(s, v, forget, SIGMOID, rows, inAt, stAt, b0);
  floatGate(s, v, input, SIGMOID, rows, inAt, stAt, b1);
  floatGate(s, v, cellGate, s.cellAct, rows, inAt, stAt, b2);
  // UpdateLstmCell: cell = forget * cell + input * cell gate, then the clip.
  const c = v.c;
  for (let i = 0; i < n; i++) c[stAt + i] = clampNone(f(b0[i]! * c[stAt + i]!));
  for (let i = 0; i < n; i++) b1[i] = clampNone(f(b1[i]! * b2[i]!));
  for (let i = 0; i < n; i++) c[stAt + i] = f(c[stAt + i]! + b1[i]!);
  const clip = s.cellClip;
  if (clip > 0) {
    for (let i = 0; i < n; i++) {
      const x = c[stAt + i]!;
      const lo = x < clip ? x : clip; // std::min(clip, x)
      c[stAt + i] = lo < -clip ? -clip : lo;
    }
  }
  // UpdateLstmHidden: hidden = tanh(cell) * output gate.
  floatGate(s, v, output, SIGMOID, rows, inAt, stAt, b1);
  for (let i = 0; i < n; i++) b0[i] = tanhf(c[stAt + i]!);
  for (let i = 0; i < n; i++) v.h[stAt + i] = clampNone(f(b0[i]! * b1[i]!));
  v.y.set(v.h.subarray(stAt, stAt + n), outAt);
}

// ---- integer (8x8_16, 16x8) ------------------------------------------------

interface IntView {
  x: Int8Array | Int16Array;
  h: Int8Array | Int16Array;
  c: Int16Array;
  y: Int8Array | Int16Array;
  weights: Int8Array[];
  buf: Int16Array[];
}

/** reference_integer_ops::FullyConnected into int16 (symmetric): int32 sums for int8 inputs, int64 for int16. */
function fcInt(
  s: LstmState,
  x: Int8Array | Int16Array,
  xAt: number,
  xOffset: number,
  depth: number,
  w: Int8Array,
  wOffset: number,
  bias: Float64Array | null,
  mul: number,
  shift: number,
  rows: number,
  out: Int16Array,
): void {
  const S = s.state;
  const wide = s.kind === 'int16';
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < S; o++) {
      let acc = 0;
      const xi = xAt + r * depth;
      const wi = o * depth;
      for (let d = 0; d < depth; d++) acc += (w[wi + d]! + wOffset) * (x[xi + d]! + xOffset);
      if (bias) acc += bias[o]!;
      const v = wide ? multiplyByQuantizedMultiplier64(acc, mul, shift) : multiplyByQuantizedMultiplier(acc | 0, mul, shift);
      out[r * S + o] = v < -32768 ? -32768 : v > 32767 ? 32767 : v;
    }
  }
}

const sat16 = (x: number): number => (x < -32768 ? -32768 : x > 32767 ? 32767 : x);

function intGate(s: LstmState, v: IntView, g: Gate, act: number, rows: number, inAt: number, stAt: number, out: Int16Array): void {
  const S = s.state;
  const n = rows * S;
  const tmp = v.buf[3]!;
  fcInt(s, v.x, inAt, s.inputOffset, s.inDim, v.weights[g.w]!, g.wOffset, g.bias, g.inMul, g.inShift, rows, out);
  fcInt(s, v.h, stAt, s.hiddenOffset, S, v.weights[g.r]!, g.rOffset, null, g.recMul, g.recShift, rows, tmp);
  for (let i = 0; i < n; i++) out[i] = sat16(out[i]! + tmp[i]!);
  // Logistic(0, 0) and Tanh at scale power -12: both a plain factor of 3.
  const fn = act === SIGMOID ? SIGMOID_Q312 : TANH_Q312;
  for (let i = 0; i < n; i++) out[i] = fn(out[i]!);
}

const SIGMOID_Q312 = logisticInt16Core(3, 0);
const TANH_Q312 = tanhInt16Core(3, 0);

/** reference_integer_ops::MulElementwise of two symmetric int16 vectors. */
function mulInto(p: MulParams, a: Int16Array, aAt: number, b: Int16Array, bAt: number, n: number, out: Int8Array | Int16Array, outAt: number): void {
  for (let i = 0; i < n; i++) {
    const r = p.offset + multiplyByQuantizedMultiplier(a[aAt + i]! * b[bAt + i]!, p.multiplier, p.shift);
    out[outAt + i] = r < p.min ? p.min : r > p.max ? p.max : r;
  }
}

function intStep(s: LstmState, v: IntView, rows: number, inAt: number, outAt: number, stAt: number): void {
  const [b0, b1, b2] = v.buf as [Int16Array, Int16Array, Int16Array];
  const [forget, input, cellGate, output] = s.gates;
  const n = rows * s.state;
  intGate(s, v, forget, SIGMOID, rows, inAt, stAt, b0);
  intGate(s, v, input, SIGMOID, rows, inAt, stAt, b1);
  intGate(s, v, cellGate, s.cellAct, rows, inAt, stAt, b2);
  const c = v.c;
  mulInto(s.forgetCell, b0, 0, c, stAt, n, c, stAt);
  mulInto(s.inputMul, b1, 0, b2, 0, n, b1, 0);
  for (let i = 0; i < n; i++) c[stAt + i] = sat16(c[stAt + i]! + b1[i]!);
  if (s.cellClip > 0) {
    const q = s.quantizedClip;
    const lo = (-q << 16) >> 16; // static_cast<int16_t>(-clip)
    for (let i = 0; i < n; i++) {
      const x = c[stAt + i]!;
      const m = x < q ? x : q;
      c[stAt + i] = m < lo ? lo : m;
    }
  }
  intGate(s, v, output, SIGMOID, rows, inAt, stAt, b1);
  for (let i = 0; i < n; i++) b0[i] = s.cellTanh(c[stAt + i]!);
  mulInto(s.outputMul, b0, 0, b1, 0, n, v.h, stAt);
  v.y.set(v.h.subarray(stAt, stAt + n), outAt);
}

// ---- the step loop ---------------------------------------------------------

/** EvalLstm: time-major runs every batch row per step; batch-major runs one row through all steps, then the next. */
function run(s: LstmState, step: (rows: number, inAt: number, outAt: number, stAt: number) => void): void {
  const { batch, steps, inDim, state: S } = s;
  if (s.timeMajor) {
    for (let t = 0; t < steps; t++) step(batch, t * batch * inDim, t * batch * S, 0);
    return;
  }
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < steps; t++) step(1, (b * steps + t) * inDim, (b * steps + t) * S, b * S);
  }
}

function invoke(call: KernelCall, s: LstmState): void {
  const t = call.inputs;
  const weights = (view: (d: TensorData) => any): any[] => {
    const w: any[] = [];
    for (let i = 1; i < 9; i++) w[i] = view(t[i]!);
    return w;
  };
  if (s.kind === 'float32') {
    const buf = call.scratch.map((b) => new Float32Array(b.buffer, b.byteOffset, b.byteLength >> 2));
    const v: FloatView = { x: f32(t[0]!), h: f32(t[HIDDEN]!), c: f32(t[CELL_STATE]!), y: f32(call.outputs[0]!), weights: weights(f32), buf };
    run(s, (rows, inAt, outAt, stAt) => floatStep(s, v, rows, inAt, outAt, stAt));
    return;
  }
  const act = s.kind === 'int8' ? i8 : i16;
  const buf = call.scratch.map((b) => new Int16Array(b.buffer, b.byteOffset, b.byteLength >> 1));
  const v: IntView = { x: act(t[0]!), h: act(t[HIDDEN]!), c: i16(t[CELL_STATE]!), y: act(call.outputs[0]!), weights: weights(i8), buf };
  run(s, (rows, inAt, outAt, stAt) => intStep(s, v, rows, inAt, outAt, stAt));
}

export const kernels: Record<string, Kernel<any>> = { UNIDIRECTIONAL_SEQUENCE_LSTM: defineKernel<LstmState>({ prepare, invoke }) };
