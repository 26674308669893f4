// Single-operator models for the unary/activation kernel tests: one input (plus
// optional constants), one output, run through the interpreter.

import { GraphBuilder } from '../../src/graph/builder.js';
import type { DType, Quantization } from '../../src/graph/types.js';
import { runGuarded } from '../../src/interpreter/interpreter.js';

export const q = (scale: number, zeroPoint = 0): Quantization => ({ scale: [scale], zeroPoint: [zeroPoint], quantizedDimension: 0 });

export interface Side {
  dtype: DType;
  shape: number[];
  quantization?: Quantization;
}

export type Typed = Int8Array | Uint8Array | Int16Array | Int32Array | Uint32Array | Float32Array | BigInt64Array;

const bytes = (a: Typed) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

const VIEW: Partial<Record<DType, (b: ArrayBuffer) => Typed>> = {
  float32: (b) => new Float32Array(b),
  int8: (b) => new Int8Array(b),
  uint8: (b) => new Uint8Array(b),
  bool: (b) => new Uint8Array(b),
  int16: (b) => new Int16Array(b),
  int32: (b) => new Int32Array(b),
  uint32: (b) => new Uint32Array(b),
  int64: (b) => new BigInt64Array(b),
};

/** Runs `opcode` on `data`; returns the output as a typed array of its dtype. */
export function runUnary(
  opcode: string,
  inSide: Side,
  outSide: Side,
  data: Typed,
  extra: { options?: { type: string; value: Record<string, unknown> }; constants?: { side: Side; data: Typed }[] } = {},
): Typed {
  const b = new GraphBuilder();
  const x = b.input('x', inSide);
  const consts = (extra.constants ?? []).map((c, i) => b.constant(`c${i}`, c.side, c.data));
  const y = b.tensor('y', outSide);
  b.op({ opcode, inputs: [x, ...consts], outputs: [y], ...(extra.options ? { options: extra.options } : {}) } as never);
  b.output(y);
  const out = runGuarded(b.build(), [bytes(data)])[0]!;
  const copy = out.slice().buffer;
  return VIEW[outSide.dtype]!(copy);
}

/** TFLM's test Quantize (FloatToQuantizedType): round(value / scale) with a float division, + zero point, saturated. */
export function quantize(values: readonly number[], scale: number, zeroPoint: number, dtype: 'int8' | 'int16'): number[] {
  const [lo, hi] = dtype === 'int8' ? [-128, 127] : [-32768, 32767];
  return values.map((v) => {
    const r = Math.fround(Math.fround(v) / Math.fround(scale));
    const rounded = r < 0 ? -Math.round(-r) : Math.round(r);
    return Math.min(hi, Math.max(lo, rounded + zeroPoint));
  });
}

export const dequantize = (values: ArrayLike<number>, scale: number, zeroPoint: number): number[] =>
  Array.from(values, (v) => (v - zeroPoint) * scale);
