// TFLM's names and numbers of tensor types (TfLiteTypeGetName, the TfLiteType
// enum), so refusals read as TFLM's own messages, and reading index tensors
// that TFLM accepts as int32 or int64.

import type { DType } from '../graph/types.js';
import { kernelError, requireInput, type KernelCall, type TensorData } from './kernel.js';

/** TfLiteType's value of each dtype (not the schema's TensorType numbering). */
const TFLITE_TYPE: Partial<Record<DType, number>> = {
  float32: 1,
  int32: 2,
  uint8: 3,
  int64: 4,
  string: 5,
  bool: 6,
  int16: 7,
  complex64: 8,
  int8: 9,
  float16: 10,
  float64: 11,
  complex128: 12,
  uint64: 13,
  resource: 14,
  variant: 15,
  uint32: 16,
  uint16: 17,
  int4: 18,
  bfloat16: 19,
};

/** The TfLiteType enum value of `dtype` (messages that print the bare number). */
export const tflmTypeNumber = (dtype: DType | string): number | undefined => TFLITE_TYPE[dtype as DType];

/** "INT16 (7)": TfLiteTypeGetName and the enum value, as TFLM prints them. */
export const tflmType = (dtype: DType | string): string => `${dtype.toUpperCase()} (${TFLITE_TYPE[dtype as DType] ?? '?'})`;

/** Throws TFLM's refusal unless `d` has one of `types`; `when` says whether TFLM refuses in Prepare or only at Invoke. */
export function requireType(call: KernelCall, d: TensorData, types: readonly DType[], what = 'Type', when: 'Prepare' | 'Invoke' = 'Prepare'): void {
  if (!types.includes(d.tensor.dtype)) {
    throw kernelError(call, `${what} ${tflmType(d.tensor.dtype)} not supported${when === 'Invoke' ? ' (TFLM refuses it at Invoke)' : ''}`);
  }
}

/** TF_LITE_ENSURE_TYPES_EQ. */
export function requireSameDtype(call: KernelCall, a: TensorData, b: TensorData): void {
  if (a.tensor.dtype !== b.tensor.dtype) throw kernelError(call, `${tflmType(a.tensor.dtype)} != ${tflmType(b.tensor.dtype)}`);
}

/** The values of an int32 or int64 tensor as numbers (int64 read exactly within +-2^53). */
export function intValues(d: TensorData): number[] {
  const b = d.bytes;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: number[] = [];
  if (d.tensor.dtype === 'int64') for (let i = 0; i + 8 <= b.byteLength; i += 8) out.push(Number(view.getBigInt64(i, true)));
  else if (d.tensor.dtype === 'int32') for (let i = 0; i + 4 <= b.byteLength; i += 4) out.push(view.getInt32(i, true));
  else if (d.tensor.dtype === 'int16') for (let i = 0; i + 2 <= b.byteLength; i += 2) out.push(view.getInt16(i, true));
  else if (d.tensor.dtype === 'int8') for (let i = 0; i < b.byteLength; i++) out.push(view.getInt8(i));
  else throw new Error(`intValues: ${d.tensor.dtype}`);
  return out;
}

/** Input i's int values, for an input of one of `types` (TFLM's index types for it). */
export function indexInput(call: KernelCall, i: number, types: readonly DType[], what: string): TensorData {
  const d = requireInput(call, i);
  requireType(call, d, types, what);
  return d;
}

export const isConstant = (d: TensorData | null | undefined): boolean => d?.tensor.kind === 'constant';

export const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);
