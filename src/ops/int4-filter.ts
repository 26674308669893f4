// int4 filters of CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED (int8 input).
// TFLM's reference kernels do not compute in int4: on every Invoke they unpack
// the packed filter into the int8 scratch buffer their Prepare requested (one
// byte a value, the registry's int4FilterScratch) and run the int8 kernel on it.

import { i8, kernelError, type KernelCall, type TensorData } from './kernel.js';

/**
 * UnpackDenseInt4IntoInt8 (portable_tensor_utils.cc): two values a byte, the low
 * nibble first, each sign-extended; an odd count ends on a low nibble. `packed`
 * may hold more bytes than ceil(count / 2) (a non-constant tensor has a byte a value): the rest is not read.
 */
export function unpackInt4(packed: Uint8Array, count: number, into: Int8Array): void {
  const pairs = count >> 1;
  for (let i = 0; i < pairs; i++) {
    const b = packed[i]!;
    into[2 * i] = (b << 28) >> 28;
    into[2 * i + 1] = (b << 24) >> 28;
  }
  if (count & 1) into[count - 1] = (packed[pairs]! << 28) >> 28;
}

const valuesOf = (filter: TensorData): number => filter.tensor.shape.reduce((a, b) => a * b, 1);

/** Prepare's half: an int4 filter needs its unpack buffer, TFLM's first scratch request for these kernels. */
export function requireInt4Scratch(call: KernelCall, filter: TensorData): void {
  if (filter.tensor.dtype !== 'int4') return;
  const need = valuesOf(filter);
  if ((call.scratch[0]?.byteLength ?? 0) < need) throw kernelError(call, `the int4 filter's ${need}-byte unpack scratch buffer is missing from the plan`);
  if (filter.bytes.byteLength < Math.ceil(need / 2)) throw kernelError(call, `the int4 filter holds ${filter.bytes.byteLength} bytes, ${Math.ceil(need / 2)} are packed values`);
}

/** Invoke's half: the filter as int8 values; an int4 one unpacked into scratch buffer 0 (checked by requireInt4Scratch). */
export function int8Filter(call: KernelCall, filter: TensorData): Int8Array {
  if (filter.tensor.dtype !== 'int4') return i8(filter);
  const n = valuesOf(filter);
  const s = call.scratch[0]!;
  const into = new Int8Array(s.buffer, s.byteOffset, n);
  unpackInt4(filter.bytes, n, into);
  return into;
}
