// The machinery of TFLM's unary element-wise kernels (activations.ts,
// quantize.ts): every 8-bit path is a pure function of its input byte, so
// prepare tabulates it with the exact integer arithmetic (256 entries) and
// invoke only looks bytes up.

import { elementCount, kernelError, requireInput, requireOutput, viewOf, type KernelCall, type TensorData } from '../kernel.js';
import { lookupBytes } from '../simd/byte-lookup.js';

// ---- unary ops ------------------------------------------------------------------

/**
 * A unary element-wise state: either a 256-entry table indexed by the input
 * byte (8-bit inputs), or a per-element function.
 */
export interface UnaryState {
  table: Int8Array | Uint8Array | Int16Array | Int32Array | Float32Array | null;
  fn: ((x: number) => number) | null;
}

export function unaryInvoke(call: KernelCall, s: UnaryState): void {
  const input = requireInput(call, 0);
  const output = requireOutput(call, 0);
  const table = s.table;
  if (table && table.BYTES_PER_ELEMENT === 1) {
    // Byte to byte, on the raw bytes (tables index the input's byte, and only 8-bit inputs have one).
    lookupBytes(output.bytes, input.bytes, table as Int8Array | Uint8Array, Math.min(input.bytes.length, output.bytes.length));
    return;
  }
  const I = viewOf(input);
  const O = viewOf(output);
  const n = Math.min(I.length, O.length);
  if (table) {
    if (input.tensor.dtype === 'uint8') {
      for (let i = 0; i < n; i++) O[i] = table[I[i]!]!;
    } else {
      for (let i = 0; i < n; i++) O[i] = table[I[i]! & 255]!;
    }
    return;
  }
  const fn = s.fn!;
  for (let i = 0; i < n; i++) O[i] = fn(I[i]!);
}

/** A 256-entry table of fn over the input byte values of dtype (int8 or uint8). */
function tabulateByte<T extends Int8Array | Uint8Array | Int16Array | Int32Array | Float32Array>(
  out: T,
  inputDtype: string,
  fn: (x: number) => number,
): T {
  for (let byte = 0; byte < 256; byte++) out[byte] = fn(inputDtype === 'int8' ? (byte << 24) >> 24 : byte);
  return out;
}

function newArrayFor(dtype: string): Int8Array | Uint8Array | Int16Array | Int32Array | Float32Array {
  switch (dtype) {
    case 'int8':
      return new Int8Array(256);
    case 'uint8':
      return new Uint8Array(256);
    case 'int16':
      return new Int16Array(256);
    case 'int32':
      return new Int32Array(256);
    default:
      return new Float32Array(256);
  }
}

export function unaryState(inputDtype: string, outputDtype: string, fn: (x: number) => number): UnaryState {
  if (inputDtype === 'int8' || inputDtype === 'uint8') {
    return { table: tabulateByte(newArrayFor(outputDtype), inputDtype, fn), fn: null };
  }
  return { table: null, fn };
}

export function checkUnary(call: KernelCall, ops: readonly string[]): [TensorData, TensorData] {
  const input = requireInput(call, 0);
  const output = requireOutput(call, 0);
  const t = input.tensor.dtype;
  if (output.tensor.dtype !== t || !ops.includes(t)) {
    throw kernelError(call, `types ${t} -> ${output.tensor.dtype} are not supported`);
  }
  if (elementCount(input) !== elementCount(output)) throw kernelError(call, 'input and output sizes differ');
  return [input, output];
}
