// One-operator models for the binary, comparison and selection kernels' tests:
// inputs as typed values, the output read back typed.

import { GraphBuilder } from '../../src/graph/builder.js';
import type { DType, Quantization } from '../../src/graph/types.js';
import { runGuarded } from '../../src/interpreter/interpreter.js';

export interface Operand {
  dtype: DType;
  shape: number[];
  /** Input values (already quantized for quantized types). */
  data?: ArrayLike<number> | readonly bigint[];
  /** [scale, zero point]. */
  q?: [number, number];
}

const quant = (q: [number, number] | undefined): Quantization | undefined =>
  q ? { scale: [q[0]], zeroPoint: [q[1]], quantizedDimension: 0 } : undefined;

export function bytesOf(dtype: DType, data: ArrayLike<number> | readonly bigint[]): Uint8Array {
  const a = Array.from(data as ArrayLike<number | bigint>);
  let t: ArrayBufferView;
  switch (dtype) {
    case 'float32':
      t = Float32Array.from(a as number[]);
      break;
    case 'int8':
      t = Int8Array.from(a as number[]);
      break;
    case 'int16':
      t = Int16Array.from(a as number[]);
      break;
    case 'int32':
      t = Int32Array.from(a as number[]);
      break;
    case 'int64':
      t = BigInt64Array.from(a.map((v) => BigInt(v)));
      break;
    case 'bool':
    case 'uint8':
      t = Uint8Array.from(a.map((v) => Number(v)));
      break;
    default:
      throw new Error(`no test data for ${dtype}`);
  }
  return new Uint8Array(t.buffer, t.byteOffset, t.byteLength);
}

export function valuesOf(dtype: DType, b: Uint8Array): (number | bigint)[] {
  const buf = b.slice().buffer;
  switch (dtype) {
    case 'float32':
      return Array.from(new Float32Array(buf));
    case 'int8':
      return Array.from(new Int8Array(buf));
    case 'int16':
      return Array.from(new Int16Array(buf));
    case 'int32':
      return Array.from(new Int32Array(buf));
    case 'int64':
      return Array.from(new BigInt64Array(buf));
    default:
      return Array.from(new Uint8Array(buf));
  }
}

/** Runs one `opcode` operator on `inputs` (all fed as graph inputs) and returns its output's values. */
export function runOp(opcode: string, inputs: Operand[], output: Operand, options?: { type: string; value: Record<string, unknown> }): (number | bigint)[] {
  const b = new GraphBuilder();
  const ins = inputs.map((x, i) => b.input(`x${i}`, { dtype: x.dtype, shape: x.shape, quantization: quant(x.q) }));
  const y = b.tensor('y', { dtype: output.dtype, shape: output.shape, quantization: quant(output.q) });
  b.op({ opcode: opcode as never, inputs: ins, outputs: [y], ...(options ? { options: options as never } : {}) });
  b.output(y);
  const out = runGuarded(
    b.build(),
    inputs.map((x) => bytesOf(x.dtype, x.data!)),
  );
  return valuesOf(output.dtype, out[0]!);
}

/** tflite::FloatToQuantizedType as the TFLM tests quantize their float vectors (float division, round half away). */
export function quantize(values: readonly number[], scale: number, zeroPoint: number, dtype: 'int8' | 'int16' | 'int32'): number[] {
  const [lo, hi] = dtype === 'int8' ? [-128, 127] : dtype === 'int16' ? [-32768, 32767] : [-2147483648, 2147483647];
  return values.map((v) => {
    const f = Math.fround(Math.fround(v) / Math.fround(scale));
    const r = (f < 0 ? -Math.round(-f) : Math.round(f)) + zeroPoint;
    return Math.min(hi, Math.max(lo, r));
  });
}

export const dequantize = (values: readonly (number | bigint)[], scale: number, zeroPoint: number): number[] =>
  values.map((v) => Math.fround(Math.fround(scale) * (Number(v) - zeroPoint)));

/** The four shapes of six elements TFLM's tests run their vectors through. */
export const SIX_SHAPES: number[][] = [[6], [2, 3], [2, 1, 3], [1, 3, 1, 2]];
