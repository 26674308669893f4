// SVDF as TFLM 90b983c's reference kernel runs it (svdf.cc, svdf_common.cc):
// float32, and int8 input with an int16 or int8 state and time weights. The
// state is a variable tensor: every Invoke shifts it left by one and writes
// the new feature activations into each filter's last memory slot.

import { builtinOptions } from '../../graph/op-options.js';
import { multiplyByQuantizedMultiplier, quantizeMultiplier, expf } from '../fixed-point.js';
import { defineKernel, f32, i16, i32, i8, kernelError, requireInput, scaleOf, scratchI32, zeroPointOf, type KernelCall, type TensorData } from '../kernel.js';

interface SvdfState {
  rank: number;
  batch: number;
  input: number;
  filters: number;
  units: number;
  memory: number;
  activation: number;
  int8: boolean;
  scale1: [number, number];
  scale2: [number, number];
  inputZp: number;
  outputZp: number;
  stateZp: number;
}

const ensure = (call: KernelCall, ok: boolean, what: string): void => {
  if (!ok) throw kernelError(call, what);
};

/** std::fmax / std::fmin: a NaN argument gives the other. */
const fmax = (a: number, b: number): number => (Number.isNaN(a) ? b : Number.isNaN(b) ? a : Math.max(a, b));
const fmin = (a: number, b: number): number => (Number.isNaN(a) ? b : Number.isNaN(b) ? a : Math.min(a, b));

/** TFLM's ActivationValFloat (activation_utils.h). */
export function activationValFloat(call: KernelCall, act: number, a: number): number {
  switch (act) {
    case 0:
      return a;
    case 1:
      return fmax(0, a);
    case 2:
      return fmax(-1, fmin(a, 1));
    case 3:
      return fmax(0, fmin(a, 6));
    case 4:
      return Math.fround(Math.tanh(a));
    case 5:
      return a < 0 || Object.is(a, -0) ? 1 : 0; // std::signbit (a NaN's sign is not visible here)
    case 6:
      return Math.fround(1 / Math.fround(1 + expf(-a)));
    default:
      throw kernelError(call, `fused activation ${act} is not supported`);
  }
}

const svdf = defineKernel<SvdfState>({
  prepare(call) {
    const o = builtinOptions(call.op, 'SVDFOptions');
    const [input, wf, wt] = [requireInput(call, 0), requireInput(call, 1), requireInput(call, 2)];
    const bias = call.inputs[3] ?? null;
    const state = requireInput(call, 4);
    const rank = o.rank;
    const [batch, inputSize] = [input.tensor.shape[0] ?? 0, input.tensor.shape[1] ?? 0];
    const filters = wf.tensor.shape[0] ?? 0;
    ensure(call, rank > 0 && filters % rank === 0, `num_filters % rank (${filters} % ${rank}) != 0`);
    const units = filters / rank;
    const memory = wt.tensor.shape[1] ?? 0;
    const dtype = input.tensor.dtype;
    ensure(call, dtype === 'float32' || dtype === 'int8', `input type ${dtype} is neither float32 nor int8`);
    ensure(call, input.tensor.shape.length === 2, 'NumDimensions(input) != 2');
    ensure(call, call.outputs.length === 1, 'the operator must have one output');
    const output = call.outputs[0]!;
    const os = output.tensor.shape;
    ensure(call, os.length === 2 && os[0] === batch && os[1] === units, `output shape [${os.join(', ')}] != [${batch}, ${units}]`);
    ensure(call, wf.tensor.shape.length === 2 && wf.tensor.shape[1] === inputSize, 'weights_feature must be [filters, input]');
    ensure(call, wt.tensor.shape.length === 2 && wt.tensor.shape[0] === filters, 'weights_time must be [filters, memory]');
    if (bias) ensure(call, bias.tensor.shape[0] === units, `bias size ${bias.tensor.shape[0]} != ${units}`);
    const ss = state.tensor.shape;
    ensure(call, ss.length === 2 && ss[0] === batch && ss[1] === memory * filters, `state shape [${ss.join(', ')}] != [${batch}, ${memory * filters}]`);
    ensure(call, state.tensor.kind === 'variable', 'the state tensor must be a variable');
    ensure(call, call.inputs.length === 5, 'the operator must have 5 inputs');
    const base = { rank, batch, input: inputSize, filters, units, memory, activation: o.fusedActivationFunction, int8: dtype === 'int8' };
    if (dtype === 'int8') {
      ensure(call, wf.tensor.dtype === 'int8', `weights_feature type ${wf.tensor.dtype} != int8`);
      ensure(call, wt.tensor.dtype === 'int16' || wt.tensor.dtype === 'int8', `weights_time type ${wt.tensor.dtype} is neither int16 nor int8`);
      ensure(call, state.tensor.dtype === 'int16' || state.tensor.dtype === 'int8', `state type ${state.tensor.dtype} is neither int16 nor int8`);
      ensure(call, state.tensor.dtype === wt.tensor.dtype, `state type ${state.tensor.dtype} != weights_time type ${wt.tensor.dtype}`);
      if (bias) ensure(call, bias.tensor.dtype === 'int32', `bias type ${bias.tensor.dtype} != int32`);
      ensure(call, output.tensor.dtype === 'int8', `output type ${output.tensor.dtype} != int8`);
      // Scales are float: the products and quotients are float32, then widened.
      const f = Math.fround;
      const s1 = f(f(scaleOf(input) * scaleOf(wf)) / scaleOf(state));
      const stateTime = f(scaleOf(state) * scaleOf(wt));
      const s2 = f(stateTime / scaleOf(output));
      // TFLM reads the bias scale unconditionally here: a missing bias would crash it.
      ensure(call, bias !== null, 'an int8 SVDF needs a bias');
      ensure(call, Math.abs(scaleOf(bias!) - stateTime) < 1e-5, 'bias scale != state scale * weights_time scale');
      const q1 = quantizeMultiplier(s1);
      const q2 = quantizeMultiplier(s2);
      ensure(call, call.scratch.length === 2, 'expected two scratch buffers');
      return {
        ...base,
        scale1: [q1.multiplier, q1.shift],
        scale2: [q2.multiplier, q2.shift],
        inputZp: zeroPointOf(input),
        outputZp: zeroPointOf(output),
        stateZp: zeroPointOf(state),
      };
    }
    for (const [what, d] of [['weights_feature', wf], ['weights_time', wt], ['state', state], ['output', output]] as const) {
      ensure(call, d.tensor.dtype === 'float32', `${what} type ${d.tensor.dtype} != float32`);
    }
    if (bias) ensure(call, bias.tensor.dtype === 'float32', `bias type ${bias.tensor.dtype} != float32`);
    ensure(call, call.scratch.length === 1, 'expected one scratch buffer');
    return { ...base, scale1: [0, 0], scale2: [0, 0], inputZp: 0, outputZp: 0, stateZp: 0 };
  },
  invoke(call, s) {
    if (s.int8) integerSvdf(call, s);
    else floatSvdf(call, s);
  },
});

function floatSvdf(call: KernelCall, s: SvdfState): void {
  const f = Math.fround;
  const input = f32(call.inputs[0]!);
  const wf = f32(call.inputs[1]!);
  const wt = f32(call.inputs[2]!);
  const bias = call.inputs[3] ? f32(call.inputs[3]) : null;
  const state = f32(call.inputs[4]!);
  const out = f32(call.outputs[0]!);
  const sb = call.scratch[0]!;
  const scratch = new Float32Array(sb.buffer, sb.byteOffset, sb.byteLength >> 2);
  const { batch, input: n, filters, units, memory, rank } = s;
  state.copyWithin(0, 1, batch * filters * memory);
  let at = memory - 1;
  for (let b = 0; b < batch; b++) {
    let m = 0;
    for (let j = 0; j < filters; j++) {
      let dot = 0;
      const v = b * n;
      for (let k = 0; k < n; k++) dot = f(dot + f(wf[m++]! * input[v + k]!));
      state[at] = dot;
      at += memory;
    }
  }
  for (let b = 0; b < batch; b++) {
    let w = 0;
    let v = b * memory * filters;
    for (let i = 0; i < filters; i++) {
      let acc = 0;
      for (let j = 0; j < memory; j++) acc = f(acc + f(wt[w++]! * state[v++]!));
      scratch[b * filters + i] = acc;
    }
  }
  for (let b = 0; b < batch; b++) for (let j = 0; j < units; j++) out[b * units + j] = bias ? bias[j]! : 0;
  for (let b = 0; b < batch; b++) {
    let k = b * filters;
    for (let i = 0; i < units; i++) {
      let o = out[b * units + i]!;
      for (let j = 0; j < rank; j++) o = f(o + scratch[k++]!);
      out[b * units + i] = o;
    }
  }
  for (let i = 0; i < batch * units; i++) out[i] = activationValFloat(call, s.activation, out[i]!);
}

function integerSvdf(call: KernelCall, s: SvdfState): void {
  const input = i8(call.inputs[0]!);
  const wf = i8(call.inputs[1]!);
  const stateData: TensorData = call.inputs[4]!;
  const wide = stateData.tensor.dtype === 'int16';
  const wt = wide ? i16(call.inputs[2]!) : i8(call.inputs[2]!);
  const state = wide ? i16(stateData) : i8(stateData);
  const bias = call.inputs[3] ? i32(call.inputs[3]) : null;
  const out = i8(call.outputs[0]!);
  const scratch = scratchI32(call.scratch[0]!);
  const scratchOut = scratchI32(call.scratch[1]!);
  const { batch, input: n, filters, units, memory, rank } = s;
  const [lo, hi] = wide ? [-32768, 32767] : [-128, 127];
  state.copyWithin(0, 1, batch * filters * memory);
  let at = memory - 1;
  for (let b = 0; b < batch; b++) {
    let m = 0;
    for (let r = 0; r < filters; r++) {
      let dot = 0;
      const v = b * n;
      for (let c = 0; c < n; c++) dot = (dot + Math.imul(wf[m++]!, input[v + c]! - s.inputZp)) | 0;
      dot = multiplyByQuantizedMultiplier(dot, s.scale1[0], s.scale1[1]);
      dot = dot < lo ? lo : dot > hi ? hi : dot;
      state[at] = s.stateZp + dot; // stored as T: wraps like the C++ conversion
      at += memory;
    }
  }
  for (let b = 0; b < batch; b++) {
    let w = 0;
    let v = b * memory * filters;
    for (let i = 0; i < filters; i++) {
      let acc = 0;
      for (let j = 0; j < memory; j++) acc = (acc + Math.imul(wt[w++]!, state[v++]! - s.stateZp)) | 0;
      scratch[b * filters + i] = acc;
    }
  }
  for (let b = 0; b < batch; b++) for (let j = 0; j < units; j++) scratchOut[b * units + j] = bias ? bias[j]! : 0;
  for (let b = 0; b < batch; b++) {
    let k = b * filters;
    for (let i = 0; i < units; i++) {
      let o = scratchOut[b * units + i]!;
      for (let j = 0; j < rank; j++) o = (o + scratch[k++]!) | 0;
      scratchOut[b * units + i] = o;
    }
  }
  for (let i = 0; i < batch * units; i++) {
    const x = multiplyByQuantizedMultiplier(scratchOut[i]!, s.scale2[0], s.scale2[1]) + s.outputZp;
    out[i] = x < -128 ? -128 : x > 127 ? 127 : x;
  }
}

export const kernels = { SVDF: svdf };
