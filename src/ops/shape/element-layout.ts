// What the data-movement kernels share: the type lists TFLM's kernels take,
// shapes' products and strides, and the checks of an output's shape and of a
// type's element size (movement.ts, stack-fill.ts).

import { DTYPE_SIZE } from '../../graph/graph.js';
import type { DType } from '../../graph/types.js';
import { kernelError, type KernelCall, type TensorData } from '../kernel.js';
import { sameShape, tflmType } from '../tflm-type.js';

export const FLOAT_INT8: readonly DType[] = ['float32', 'int8'];
export const I32: readonly DType[] = ['int32'];
export const I32_I64: readonly DType[] = ['int32', 'int64'];

export const product = (s: readonly number[], from = 0, to = s.length): number => {
  let n = 1;
  for (let i = from; i < to; i++) n *= s[i]!;
  return n;
};

export const stridesOf = (shape: readonly number[]): number[] => {
  const s = new Array<number>(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) s[d] = s[d + 1]! * shape[d + 1]!;
  return s;
};

export function requireShape(call: KernelCall, d: TensorData, want: readonly number[]): void {
  if (!sameShape(d.tensor.shape, want)) throw kernelError(call, `output '${d.tensor.name}' is [${d.tensor.shape.join(', ')}], the op makes [${want.join(', ')}]`);
}

export function bytesPerElement(call: KernelCall, d: TensorData): number {
  const n = DTYPE_SIZE[d.tensor.dtype];
  if (!Number.isInteger(n) || n < 1 || d.tensor.dtype === 'int4') throw kernelError(call, `type ${tflmType(d.tensor.dtype)} has no element size to move`);
  return n;
}

/** Visits every output index (row-major), giving its flat position. */
export function forEachIndex(shape: readonly number[], visit: (idx: readonly number[], o: number) => void): void {
  const total = product(shape);
  if (total === 0) return;
  const idx = new Array<number>(shape.length).fill(0);
  for (let o = 0; o < total; o++) {
    visit(idx, o);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
}
