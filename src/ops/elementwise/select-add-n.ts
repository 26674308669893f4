// SELECT_V2 and ADD_N, transcribed from TFLM's reference kernels (select.cc,
// add_n.cc, reference/select.h and add_n.h).

import {
  defineKernel,
  elementCount,
  f32,
  i8,
  kernelError,
  requireInput,
  requireOutput,
  requireQuantized,
  scaleOf,
  zeroPointOf,
  type Kernel,
  type KernelCall,
  type TensorData,
} from '../kernel.js';
import { multiplyByQuantizedMultiplierSmallerThanOneExp } from '../fixed-point.js';
import { DTYPE_SIZE } from '../../graph/types.js';
import { quantizeSmallerThanOne, tfliteType } from './binary-ops.js';

// ---- SELECT_V2 ------------------------------------------------------------------

interface SelectState {
  /** Element size in bytes: elements are copied as raw bits (NaN payloads kept). */
  size: number;
  /** Per output element, the element index into condition, x and y (null: all flat). */
  index: { c: Int32Array; x: Int32Array; y: Int32Array } | null;
  count: number;
}

/** select.cc CheckBroadcastShape: NumPy broadcasting of three shapes, which must give the output's. */
function broadcastShape3(call: KernelCall, shapes: readonly (readonly number[])[], out: readonly number[]): void {
  const rank = Math.max(...shapes.map((s) => s.length));
  // BroadcastSelect5DSlow DCHECKs ranks up to 8 (TFLM is built with DCHECKs).
  if (rank > 8) throw kernelError(call, `broadcasting rank ${rank}: TFLM's BroadcastSelect5DSlow takes at most 8 (TFLM aborts)`);
  if (rank !== out.length) throw kernelError(call, `output rank ${out.length}, expected ${rank}`);
  for (let i = 0; i < rank; i++) {
    const d = shapes.map((s) => (i >= s.length ? 1 : s[s.length - i - 1]!));
    let max = Math.max(...d);
    if (Math.min(...d) === 0) max = 0;
    if (d.some((v) => v !== 1 && v !== max)) throw kernelError(call, 'Given shapes are not broadcastable.');
    if (out[rank - i - 1] !== max) throw kernelError(call, `output dimension ${rank - i - 1} is ${out[rank - i - 1]}, expected ${max}`);
  }
}

/** For every output element (row-major), the flat index of the element each broadcast input supplies. */
function broadcastIndex(shape: readonly number[], out: readonly number[]): Int32Array {
  const rank = out.length;
  const ext = [...new Array<number>(rank - shape.length).fill(1), ...shape];
  const strides = new Array<number>(rank).fill(0);
  for (let i = rank - 1, acc = 1; i >= 0; i--) {
    strides[i] = ext[i] === 1 ? 0 : acc;
    acc *= ext[i]!;
  }
  const n = out.reduce((a, b) => a * b, 1);
  const index = new Int32Array(n);
  const pos = new Array<number>(rank).fill(0);
  let off = 0;
  for (let k = 0; k < n; k++) {
    index[k] = off;
    for (let d = rank - 1; d >= 0; d--) {
      pos[d]!++;
      off += strides[d]!;
      if (pos[d]! < out[d]!) break;
      off -= strides[d]! * out[d]!;
      pos[d] = 0;
    }
  }
  return index;
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/** A raw view of a tensor's elements of `size` bytes. */
function rawView(d: TensorData, size: number): Uint8Array | Uint16Array | Uint32Array {
  const b = d.bytes;
  if (size === 1) return b;
  if (b.byteOffset % size === 0) {
    return size === 2 ? new Uint16Array(b.buffer, b.byteOffset, b.byteLength / 2) : new Uint32Array(b.buffer, b.byteOffset, b.byteLength / 4);
  }
  const copy = size === 2 ? new Uint16Array(b.byteLength / 2) : new Uint32Array(b.byteLength / 4);
  new Uint8Array(copy.buffer).set(b);
  return copy;
}

const SELECT_V2 = defineKernel<SelectState>({
  prepare(call) {
    const cond = requireInput(call, 0);
    const x = requireInput(call, 1);
    const y = requireInput(call, 2);
    const out = requireOutput(call, 0);
    // SelectPrepare
    if (cond.tensor.dtype !== 'bool') throw kernelError(call, `condition type ${tfliteType(cond.tensor.dtype)}, expected BOOL (6)`);
    const t = x.tensor.dtype;
    if (y.tensor.dtype !== t) throw kernelError(call, `x and y types ${tfliteType(t)} and ${tfliteType(y.tensor.dtype)} differ`);
    // SelectEval switches on x's type and writes the output as that type.
    if (t !== 'float32' && t !== 'int8' && t !== 'int16') throw kernelError(call, `Does not support type other than int8|int16|float32, but got ${t.toUpperCase()}`);
    if (out.tensor.dtype !== t) throw kernelError(call, `output type ${tfliteType(out.tensor.dtype)}, expected ${tfliteType(t)}`);
    const shapes = [cond, x, y].map((d) => d.tensor.shape);
    const scalars = [cond, x, y, out].every((d) => elementCount(d) === 1);
    const same = sameShape(shapes[0]!, shapes[1]!) && sameShape(shapes[1]!, shapes[2]!);
    const count = elementCount(out);
    if (same || scalars) return { size: DTYPE_SIZE[t], index: null, count: scalars ? 1 : count };
    broadcastShape3(call, shapes, out.tensor.shape);
    const o = out.tensor.shape;
    return { size: DTYPE_SIZE[t], index: { c: broadcastIndex(shapes[0]!, o), x: broadcastIndex(shapes[1]!, o), y: broadcastIndex(shapes[2]!, o) }, count };
  },
  invoke(call, s) {
    const C = requireInput(call, 0).bytes;
    const X = rawView(requireInput(call, 1), s.size);
    const Y = rawView(requireInput(call, 2), s.size);
    const O = rawView(requireOutput(call, 0), s.size);
    const n = s.count;
    if (!s.index) {
      for (let i = 0; i < n; i++) O[i] = C[i] ? X[i]! : Y[i]!;
      return;
    }
    const { c, x, y } = s.index;
    for (let i = 0; i < n; i++) O[i] = C[c[i]!] ? X[x[i]!]! : Y[y[i]!]!;
  },
});

// ---- ADD_N ------------------------------------------------------------------------

interface AddNState {
  /** int8: per input byte, the input's rescaled value (all inputs share scale and zero point); null for float32. */
  scaled: Int32Array | null;
  /** int8: the accumulator's start, the rescaled input offset (reference AddN starts from it, not from 0). */
  start: number;
  finish: ((raw: number) => number) | null;
}

const ADD_N = defineKernel<AddNState>({
  prepare(call) {
    // add_n.cc CalculateOpData
    if (call.inputs.length < 2) throw kernelError(call, 'ADD_N needs at least 2 inputs');
    const first = requireInput(call, 0);
    const out = requireOutput(call, 0);
    const t = first.tensor.dtype;
    if (out.tensor.dtype !== t) throw kernelError(call, `output type ${tfliteType(out.tensor.dtype)}, expected ${tfliteType(t)}`);
    for (let i = 1; i < call.inputs.length; i++) {
      const d = requireInput(call, i);
      if (!sameShape(d.tensor.shape, first.tensor.shape)) throw kernelError(call, `input ${i} has another shape than input 0`);
      if (d.tensor.dtype !== t) throw kernelError(call, `input ${i} type ${tfliteType(d.tensor.dtype)}, expected ${tfliteType(t)}`);
      if (t === 'int8' && (zeroPointOf(d) !== zeroPointOf(first) || Math.fround(scaleOf(d)) !== Math.fround(scaleOf(first)))) {
        throw kernelError(call, `input ${i} has another scale or zero point than input 0`);
      }
    }
    if (t === 'float32') return { scaled: null, start: 0, finish: null };
    if (t !== 'int8') throw kernelError(call, `ADD_N only supports FLOAT32 and INT8, got ${t.toUpperCase()}.`);
    requireQuantized(call, first, 'input 0');
    requireQuantized(call, out, 'output');
    const LEFT_SHIFT = 20; // kAddNIntegerShift
    const twiceMax = 2 * scaleOf(first);
    const mi = quantizeSmallerThanOne(call, scaleOf(first) / twiceMax, 'ADD_N input');
    const mo = quantizeSmallerThanOne(call, twiceMax / ((1 << LEFT_SHIFT) * scaleOf(out)), 'ADD_N output');
    const inputOffset = -zeroPointOf(first);
    const outputOffset = zeroPointOf(out);
    const scale = (v: number) => multiplyByQuantizedMultiplierSmallerThanOneExp(Math.imul(v, 1 << LEFT_SHIFT), mi.multiplier, mi.shift);
    const scaled = new Int32Array(256);
    for (let x = -128; x < 128; x++) scaled[x & 255] = scale(inputOffset + x);
    return {
      scaled,
      start: scale(inputOffset),
      // CalculateActivationRangeQuantized with kTfLiteActNone: the int8 range.
      finish: (raw) => {
        const v = multiplyByQuantizedMultiplierSmallerThanOneExp(raw, mo.multiplier, mo.shift) + outputOffset;
        return v < -128 ? -128 : v > 127 ? 127 : v;
      },
    };
  },
  invoke(call, s) {
    const n = call.inputs.length;
    const size = elementCount(requireOutput(call, 0));
    if (!s.scaled) {
      const ins = call.inputs.map((d) => f32(d!));
      const O = f32(requireOutput(call, 0));
      for (let i = 0; i < size; i++) {
        let x = 0;
        for (let j = 0; j < n; j++) x = Math.fround(x + ins[j]![i]!);
        O[i] = x;
      }
      return;
    }
    const ins = call.inputs.map((d) => i8(d!));
    const O = i8(requireOutput(call, 0));
    const table = s.scaled;
    const finish = s.finish!;
    for (let i = 0; i < size; i++) {
      let x = s.start;
      for (let j = 0; j < n; j++) x = (x + table[ins[j]![i]! & 255]!) | 0;
      O[i] = finish(x);
    }
  },
});

export const kernels: Record<string, Kernel<any>> = { SELECT_V2, ADD_N };
