// ADD and MUL, transcribed from TFLM's reference kernels (add.cc/add_common.cc,
// mul.cc/mul_common.cc and the reference/integer_ops headers they call).

import {
  activationRangeFloat,
  activationRangeQuantized,
  clampFloat,
  clampInt,
  defineKernel,
  kernelError,
  scaleOf,
  zeroPointOf,
  type Kernel,
} from '../kernel.js';
import { builtinOptions } from '../../graph/op-options.js';
import { multiplyByQuantizedMultiplier, multiplyByQuantizedMultiplierSmallerThanOneExp, quantizeMultiplier } from '../fixed-point.js';
import { addInt8Table } from './add-table.js';
import { binaryInvoke, int32ActivationRange, tabulate8, type BinaryState } from './binary.js';
import { binaryOperands, broadcastPlan, hasQuantization, requireQuantizedOperands, tfliteType } from './binary-ops.js';

const ARITHMETIC_TYPES = ['float32', 'int8', 'int16', 'int32'];

const ADD = defineKernel<BinaryState>({
  prepare(call) {
    const [in1, in2, out] = binaryOperands(call, 'ADD');
    // AddEval switches on the output type.
    if (!ARITHMETIC_TYPES.includes(out.tensor.dtype)) throw kernelError(call, `Type ${tfliteType(out.tensor.dtype)} not supported.`);
    const plan = broadcastPlan(call, in1, in2, out);
    const activation = builtinOptions(call.op, 'AddOptions').fusedActivationFunction;
    const dtype = out.tensor.dtype;
    if (dtype === 'float32') {
      const [lo, hi] = activationRangeFloat(call, activation);
      return { plan, table: null, fn: (a, b) => clampFloat(Math.fround(a + b), lo, hi), float: { op: 'add', lo, hi } };
    }
    if (dtype === 'int32') {
      // AddPrepare: int32 inputs carry no quantization.
      for (const d of [in1, in2]) if (hasQuantization(d)) throw kernelError(call, `int32 ADD: tensor '${d.tensor.name}' is quantized`);
      // TFLM's int32 ADD clamps to the full int32 range whatever the activation.
      return { plan, table: null, fn: (a, b) => (a + b) | 0 };
    }
    requireQuantizedOperands(call, in1, in2, out);
    // add_common.cc CalculateOpDataAdd
    const s1 = scaleOf(in1);
    const s2 = scaleOf(in2);
    const so = scaleOf(out);
    const input1Offset = -zeroPointOf(in1);
    const input2Offset = -zeroPointOf(in2);
    const outputOffset = zeroPointOf(out);
    const leftShift = dtype === 'int16' ? 15 : 20;
    const twiceMaxInputScale = 2 * Math.max(s1, s2);
    const m1 = quantizeMultiplier(s1 / twiceMaxInputScale);
    const m2 = quantizeMultiplier(s2 / twiceMaxInputScale);
    const mo = quantizeMultiplier(twiceMaxInputScale / ((1 << leftShift) * so));
    for (const m of [m1, m2, mo]) {
      if (m.shift > 0) throw kernelError(call, 'ADD rescale multiplier is not smaller than one');
    }
    const [qmin, qmax] = activationRangeQuantized(call, out, activation);
    const scale1 = (x: number) =>
      multiplyByQuantizedMultiplierSmallerThanOneExp(Math.imul(input1Offset + x, 1 << leftShift), m1.multiplier, m1.shift);
    const scale2 = (x: number) =>
      multiplyByQuantizedMultiplierSmallerThanOneExp(Math.imul(input2Offset + x, 1 << leftShift), m2.multiplier, m2.shift);
    const finish = (rawSum: number) =>
      clampInt(multiplyByQuantizedMultiplierSmallerThanOneExp(rawSum, mo.multiplier, mo.shift) + outputOffset, qmin, qmax);
    if (dtype === 'int8') {
      const t1 = new Int32Array(256);
      const t2 = new Int32Array(256);
      for (let x = -128; x < 128; x++) {
        t1[x & 255] = scale1(x);
        t2[x & 255] = scale2(x);
      }
      const key = [input1Offset, input2Offset, m1.multiplier, m1.shift, m2.multiplier, m2.shift, mo.multiplier, mo.shift, outputOffset, qmin, qmax].join();
      return { plan, table: addInt8Table({ scaled1: t1, scaled2: t2, finish, outputMultiplier: mo.multiplier, qmin, qmax, key }), fn: null };
    }
    return { plan, table: null, fn: (a, b) => finish((scale1(a) + scale2(b)) | 0) };
  },
  invoke: binaryInvoke,
});

const MUL = defineKernel<BinaryState>({
  prepare(call) {
    const [in1, in2, out] = binaryOperands(call, 'MUL');
    // MulEval switches on input 0's type; int32 ignores quantization parameters.
    if (!ARITHMETIC_TYPES.includes(in1.tensor.dtype)) throw kernelError(call, `Type ${tfliteType(in1.tensor.dtype)} not supported.`);
    const plan = broadcastPlan(call, in1, in2, out);
    const activation = builtinOptions(call.op, 'MulOptions').fusedActivationFunction;
    const dtype = out.tensor.dtype;
    if (dtype === 'float32') {
      const [lo, hi] = activationRangeFloat(call, activation);
      return { plan, table: null, fn: (a, b) => clampFloat(Math.fround(a * b), lo, hi), float: { op: 'mul', lo, hi } };
    }
    if (dtype === 'int32') {
      const [lo, hi] = int32ActivationRange(call, activation);
      return { plan, table: null, fn: (a, b) => clampInt(Math.imul(a, b), lo, hi) };
    }
    requireQuantizedOperands(call, in1, in2, out);
    // mul_common.cc CalculateOpDataMul
    const [qmin, qmax] = activationRangeQuantized(call, out, activation);
    const m = quantizeMultiplier((scaleOf(in1) * scaleOf(in2)) / scaleOf(out));
    const input1Offset = -zeroPointOf(in1);
    const input2Offset = -zeroPointOf(in2);
    const outputOffset = zeroPointOf(out);
    if (dtype === 'int16' && (input1Offset !== 0 || input2Offset !== 0 || outputOffset !== 0)) {
      throw kernelError(call, 'int16 MUL needs zero points of 0');
    }
    const fn = (a: number, b: number) =>
      clampInt(outputOffset + multiplyByQuantizedMultiplier(Math.imul(input1Offset + a, input2Offset + b), m.multiplier, m.shift), qmin, qmax);
    if (dtype === 'int8') return { plan, table: tabulate8(fn), fn: null };
    return { plan, table: null, fn };
  },
  invoke: binaryInvoke,
});

export const kernels: Record<string, Kernel<any>> = { ADD, MUL };
