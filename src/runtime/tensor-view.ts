// A model input or output as an app sees it: its name, type, shape and
// quantization, and its values as a typed array of its element type that is a
// view of the runtime's arena at the tensor's planned offset (no copy), so
// writing an input writes the arena and reading an output reads it.

import { TinysegError } from '../errors.js';
import type { DType, GraphTensor, Quantization } from '../graph/types.js';

/** The typed arrays tensor values come in. */
export type TensorArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

type ArrayType = { new (buffer: ArrayBuffer, byteOffset: number, length: number): TensorArray; readonly BYTES_PER_ELEMENT: number };

// float16 and bfloat16 come as their raw 16-bit patterns; int4 as TFLM unpacks it in the arena, a byte a value.
const ARRAY_OF: Partial<Record<DType, ArrayType>> = {
  int8: Int8Array,
  int4: Int8Array,
  uint8: Uint8Array,
  bool: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  float16: Uint16Array,
  bfloat16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  float32: Float32Array,
  float64: Float64Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
};

/** The typed array constructor of a tensor type, or undefined for types an app cannot read as numbers (string, resource, ...). */
export const arrayTypeOf = (dtype: DType): ArrayType | undefined => ARRAY_OF[dtype];

export interface EdgeTensor {
  /** Index of the tensor in the model's main subgraph. */
  readonly index: number;
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Elements: the product of the shape. */
  readonly size: number;
  /** The quantization scale, or undefined for a tensor without per-tensor quantization (see `quantization`). */
  readonly scale: number | undefined;
  /** The quantization zero point, or undefined for a tensor without per-tensor quantization. */
  readonly zeroPoint: number | undefined;
  /** The tensor's quantization as the model stores it (per channel: one scale and zero point per index of `quantizedDimension`), or null. */
  readonly quantization: Readonly<Quantization> | null;
  /** Where the tensor lives in the arena, bytes from its start. */
  readonly byteOffset: number;
  readonly byteLength: number;
  /** The values, a view of the arena (inputs: write before run; outputs: valid until the next run). */
  readonly data: TensorArray;
}

/** A view of `bytes` (a view of the arena) as the typed array of `t`'s type. */
export function tensorView(t: GraphTensor, bytes: Uint8Array, arena: ArrayBuffer): EdgeTensor {
  const Type = arrayTypeOf(t.dtype);
  if (!Type) throw new TinysegError('E_UNSUPPORTED', `tensor ${t.index} ('${t.name}') is ${t.dtype}: the runtime reads and writes numeric tensors only`);
  if (bytes.buffer !== arena) throw new TinysegError('E_PLAN', `tensor ${t.index} ('${t.name}') is not planned in the arena`);
  if (bytes.byteOffset % Type.BYTES_PER_ELEMENT !== 0) {
    throw new TinysegError('E_PLAN', `tensor ${t.index} ('${t.name}') is at arena offset ${bytes.byteOffset}, not aligned for ${t.dtype}`);
  }
  const q = t.quantization;
  const perTensor = q !== null && q.scale.length === 1;
  return {
    index: t.index,
    name: t.name,
    dtype: t.dtype,
    shape: Object.freeze([...t.shape]),
    size: t.shape.reduce((a, b) => a * b, 1),
    scale: perTensor ? q.scale[0] : undefined,
    zeroPoint: perTensor ? (q.zeroPoint[0] ?? 0) : undefined,
    quantization: q ? Object.freeze({ scale: [...q.scale], zeroPoint: [...q.zeroPoint], quantizedDimension: q.quantizedDimension }) : null,
    byteOffset: bytes.byteOffset,
    byteLength: bytes.byteLength,
    data: new Type(arena, bytes.byteOffset, bytes.byteLength / Type.BYTES_PER_ELEMENT),
  };
}
