// Data movement without index maps: PACK, UNPACK, DYNAMIC_UPDATE_SLICE,
// EMBEDDING_LOOKUP, SHAPE, FILL and BROADCAST_ARGS, as TFLM's reference
// kernels (90b983c) compute them and with their type checks: what its Prepare
// refuses is refused here in its words; what only its Eval refuses is refused
// here at prepare too, saying so.

import { DTYPE_SIZE } from '../../graph/graph.js';
import { builtinOptions } from '../../graph/op-options.js';
import { copyBytes, defineKernel, elementCount, f32, i8, kernelError, requireInput, requireOutput, scaleOf, zeroPointOf, type Kernel, type KernelCall, type TensorData } from '../kernel.js';
import { indexInput, intValues, isConstant, requireSameDtype, requireType, sameShape, tflmType } from '../tflm-type.js';
import { FLOAT_INT8, forEachIndex, I32, I32_I64, product, requireShape, stridesOf } from './element-layout.js';

// ---- PACK, UNPACK ---------------------------------------------------------------------

interface StackState {
  /** Bytes of one copy (the dims after the axis). */
  chunk: number;
  outer: number;
}

/** Outer count and byte chunk of stacking along `axis` of `shape` (the stacked shape). */
function stackSplit(call: KernelCall, shape: readonly number[], axisOption: number, size: number): StackState {
  const axis = axisOption < 0 ? axisOption + shape.length : axisOption;
  if (axis < 0 || axis >= shape.length) throw kernelError(call, `axis ${axisOption} is out of range for ${shape.length} dimensions`);
  return { outer: product(shape, 0, axis), chunk: product(shape, axis + 1) * size };
}

// PACK: no Prepare in TFLM; its Eval takes float32, int8, int16, int32 and int64.
const PACK = defineKernel<StackState>({
  prepare(call) {
    const output = requireOutput(call, 0);
    requireType(call, output, ['float32', 'int8', 'int16', 'int32', 'int64'], 'Type', 'Invoke');
    const { valuesCount, axis } = builtinOptions(call.op, 'PackOptions');
    if (valuesCount !== call.inputs.length) throw kernelError(call, `values_count ${valuesCount} but ${call.inputs.length} inputs`);
    const shape = output.tensor.shape;
    const a = axis < 0 ? axis + shape.length : axis;
    const inShape = [...shape.slice(0, a), ...shape.slice(a + 1)];
    call.inputs.forEach((d, i) => {
      if (!d) throw kernelError(call, `input ${i} is missing`);
      requireSameDtype(call, d, output);
      if (!sameShape(d.tensor.shape, inShape) || shape[a] !== valuesCount) throw kernelError(call, `input ${i} [${d.tensor.shape.join(', ')}] does not stack into [${shape.join(', ')}]`);
    });
    return stackSplit(call, shape, axis, DTYPE_SIZE[output.tensor.dtype]);
  },
  invoke(call, s) {
    const out = requireOutput(call, 0).bytes;
    const n = call.inputs.length;
    call.inputs.forEach((d, i) => {
      const src = d!.bytes;
      for (let k = 0; k < s.outer; k++) copyBytes(out, (k * n + i) * s.chunk, src, k * s.chunk, s.chunk);
    });
  },
});

// UNPACK: no Prepare in TFLM; its Eval takes float32, int32, int16 and int8.
const UNPACK = defineKernel<StackState>({
  prepare(call) {
    const input = requireInput(call, 0);
    requireType(call, input, ['float32', 'int32', 'int16', 'int8'], 'Type', 'Invoke');
    const { num, axis } = builtinOptions(call.op, 'UnpackOptions');
    const shape = input.tensor.shape;
    const a = axis < 0 ? axis + shape.length : axis;
    const outShape = [...shape.slice(0, a), ...shape.slice(a + 1)];
    if (num !== call.outputs.length || shape[a] !== num) throw kernelError(call, `num ${num}, ${call.outputs.length} outputs, dimension ${a} of the input is ${shape[a]}`);
    call.outputs.forEach((d) => {
      requireSameDtype(call, input, d);
      requireShape(call, d, outShape);
    });
    return stackSplit(call, shape, axis, DTYPE_SIZE[input.tensor.dtype]);
  },
  invoke(call, s) {
    const src = requireInput(call, 0).bytes;
    const n = call.outputs.length;
    call.outputs.forEach((d, i) => {
      for (let k = 0; k < s.outer; k++) copyBytes(d.bytes, k * s.chunk, src, (k * n + i) * s.chunk, s.chunk);
    });
  },
});

// ---- DYNAMIC_UPDATE_SLICE ------------------------------------------------------------------

// float32, int8, int16 and int32 (refused at Eval); int32 or int64 start indices.
const DYNAMIC_UPDATE_SLICE = defineKernel<number>({
  prepare(call) {
    const operand = requireInput(call, 0);
    const update = requireInput(call, 1);
    const start = indexInput(call, 2, I32_I64, 'Start indices of type');
    const output = requireOutput(call, 0);
    requireSameDtype(call, operand, update);
    requireType(call, operand, ['float32', 'int8', 'int16', 'int32'], 'Operand type', 'Invoke');
    requireSameDtype(call, operand, output);
    const rank = operand.tensor.shape.length;
    if (start.tensor.shape.length !== 1 || start.tensor.shape[0] !== rank) throw kernelError(call, `the start indices must be a vector of ${rank}`);
    if (update.tensor.shape.length !== rank) throw kernelError(call, 'update and operand ranks differ');
    update.tensor.shape.forEach((n, d) => {
      if (n > operand.tensor.shape[d]!) throw kernelError(call, `update dimension ${d} exceeds the operand's`);
    });
    requireShape(call, output, operand.tensor.shape);
    return DTYPE_SIZE[operand.tensor.dtype];
  },
  invoke(call, size) {
    const operand = requireInput(call, 0);
    const update = requireInput(call, 1);
    const out = requireOutput(call, 0).bytes;
    const inS = operand.tensor.shape;
    const upS = update.tensor.shape;
    if (elementCount(operand) === elementCount(update)) {
      out.set(update.bytes);
      return;
    }
    if (out.byteOffset !== operand.bytes.byteOffset || out.buffer !== operand.bytes.buffer) out.set(operand.bytes);
    if (elementCount(update) === 0) return;
    // Clamped so that the update fits.
    const start = intValues(requireInput(call, 2)).map((v, d) => Math.min(Math.max(0, v), inS[d]! - upS[d]!));
    const strides = stridesOf(inS);
    const row = upS[upS.length - 1]! * size;
    const rows = upS.slice(0, -1);
    let from = 0;
    forEachIndex(rows.length ? rows : [1], (idx) => {
      let at = start[inS.length - 1]! * strides[inS.length - 1]!;
      for (let d = 0; d < rows.length; d++) at += (start[d]! + (rows.length ? idx[d]! : 0)) * strides[d]!;
      copyBytes(out, at * size, update.bytes, from, row);
      from += row;
    });
  },
});

// ---- EMBEDDING_LOOKUP ------------------------------------------------------------------------

interface EmbeddingState {
  hybrid: boolean;
  scale: number;
  /** Elements per row of the value table. */
  columns: number;
}

// int32 lookups; float32 -> float32, int8 -> int8, or int8 -> float32 (dequantized with zero point 0).
const EMBEDDING_LOOKUP = defineKernel<EmbeddingState>({
  prepare(call) {
    const lookup = requireInput(call, 0);
    if (lookup.tensor.shape.length !== 1) throw kernelError(call, 'the lookup must be 1-D');
    requireType(call, lookup, I32, 'Lookup type');
    const value = requireInput(call, 1);
    if (value.tensor.shape.length < 2) throw kernelError(call, 'the value table must be at least 2-D');
    requireType(call, value, FLOAT_INT8, 'Value type');
    const output = requireOutput(call, 0);
    requireType(call, output, value.tensor.dtype === 'float32' ? ['float32'] : FLOAT_INT8, 'Output type');
    const vs = value.tensor.shape;
    requireShape(call, output, [lookup.tensor.shape[0]!, ...vs.slice(1)]);
    const hybrid = value.tensor.dtype === 'int8' && output.tensor.dtype === 'float32';
    if (hybrid && zeroPointOf(value) !== 0) throw kernelError(call, `the value table's zero point is ${zeroPointOf(value)}, not 0`);
    return { hybrid, scale: Math.fround(scaleOf(value)), columns: product(vs, 1) };
  },
  invoke(call, s) {
    const lookup = intValues(requireInput(call, 0));
    const value = requireInput(call, 1);
    const output = requireOutput(call, 0);
    const rows = value.tensor.shape[0]!;
    if (rows === 0 && !s.hybrid) return;
    const c = s.columns;
    lookup.forEach((idx, i) => {
      if (idx >= rows || idx < 0) throw kernelError(call, `EMBEDDING_LOOKUP: index out of bounds. Got ${idx}, and bounds are [0, ${rows - 1}]`);
      if (s.hybrid) {
        const src = i8(value);
        const dst = f32(output);
        for (let k = 0; k < c; k++) dst[i * c + k] = Math.fround(src[idx * c + k]! * s.scale);
      } else {
        const row = c * DTYPE_SIZE[value.tensor.dtype];
        output.bytes.set(value.bytes.subarray(idx * row, idx * row + row), i * row);
      }
    });
  },
});

// ---- SHAPE, FILL, BROADCAST_ARGS -----------------------------------------------------------------

/** Writes numbers into an int32 or int64 tensor. */
function writeInts(d: TensorData, values: readonly number[]): void {
  const view = new DataView(d.bytes.buffer, d.bytes.byteOffset, d.bytes.byteLength);
  values.forEach((v, i) => (d.tensor.dtype === 'int64' ? view.setBigInt64(i * 8, BigInt(v), true) : view.setInt32(i * 4, v, true)));
}

// SHAPE: an int32 output only (refused at Eval); TFLM's Prepare fetches nothing.
const SHAPE = defineKernel<null>({
  prepare(call) {
    const input = requireInput(call, 0);
    const output = requireOutput(call, 0);
    if (output.tensor.dtype !== 'int32') throw kernelError(call, `Output type ${tflmType(output.tensor.dtype)} not supported. (TFLM refuses it at Invoke)`);
    if (elementCount(output) !== input.tensor.shape.length) throw kernelError(call, `the output has ${elementCount(output)} elements for a ${input.tensor.shape.length}-D input`);
    return null;
  },
  invoke(call) {
    writeInts(requireOutput(call, 0), requireInput(call, 0).tensor.shape);
  },
});

// FILL: constant int8/int16/int32/int64 dims equal to the output's; a scalar value of the output's type; float32, int32 and int8 at Eval.
const FILL = defineKernel<number>({
  prepare(call) {
    const dims = requireInput(call, 0);
    const value = requireInput(call, 1);
    const output = requireOutput(call, 0);
    if (value.tensor.shape.length !== 0) throw kernelError(call, 'the value must be a scalar');
    requireSameDtype(call, value, output);
    if (!isConstant(dims)) throw kernelError(call, 'Non-constant >dims< tensor is not supported');
    if (dims.tensor.shape.length !== 1) throw kernelError(call, 'the dims tensor must be 1-D');
    if (!['int8', 'int16', 'int32', 'int64'].includes(dims.tensor.dtype)) throw kernelError(call, `cannot compare int array to tensor of type ${tflmType(dims.tensor.dtype)}.`);
    if (!sameShape(intValues(dims), output.tensor.shape)) throw kernelError(call, `dims [${intValues(dims).join(', ')}] differ from the output's [${output.tensor.shape.join(', ')}]`);
    requireType(call, value, ['float32', 'int32', 'int8'], 'Type', 'Invoke');
    return DTYPE_SIZE[value.tensor.dtype];
  },
  invoke(call, size) {
    const v = requireInput(call, 1).bytes;
    const out = requireOutput(call, 0).bytes;
    if (size === 1) out.fill(v[0]!);
    else for (let o = 0; o < out.length; o += size) out.set(v.subarray(0, size), o);
  },
});

// BROADCAST_ARGS: two int32 or int64 shape vectors and an output of the same type.
const BROADCAST_ARGS = defineKernel<null>({
  prepare(call) {
    const a = indexInput(call, 0, I32_I64, 'Shape of type');
    const b = requireInput(call, 1);
    const output = requireOutput(call, 0);
    requireSameDtype(call, a, b);
    requireSameDtype(call, a, output);
    for (const d of [a, b, output]) if (d.tensor.shape.length !== 1) throw kernelError(call, `'${d.tensor.name}' must be 1-D`);
    return null;
  },
  invoke(call) {
    const a = intValues(requireInput(call, 0));
    const b = intValues(requireInput(call, 1));
    const output = requireOutput(call, 0);
    const n = elementCount(output);
    // Aligned from the last dimension; a missing dimension is 1.
    const at = (s: number[], back: number) => (s.length - 1 - back < 0 ? 1 : s[s.length - 1 - back]!);
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const x = at(a, i);
      const y = at(b, i);
      if (x !== 1 && y !== 1 && x !== y) throw kernelError(call, `shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast (TFLM aborts)`);
      out[n - 1 - i] = x === 1 ? y : x;
    }
    writeInts(output, out);
  },
});

export const kernels: Record<string, Kernel<any>> = {
  PACK,
  UNPACK,
  DYNAMIC_UPDATE_SLICE,
  EMBEDDING_LOOKUP,
  SHAPE,
  FILL,
  BROADCAST_ARGS,
};
