// One operator in a model of its own, for kernel tests with TFLM's test
// vectors: inputs are model inputs (fed at run time) or constants, outputs are
// read back as numbers of their dtype.

import { GraphBuilder } from '../../src/graph/builder.js';
import type { DType, Quantization } from '../../src/graph/types.js';
import { runGuarded } from '../../src/interpreter/interpreter.js';

export interface TensorArg {
  dtype: DType;
  shape: number[];
  data: readonly (number | boolean | bigint)[];
  /** A constant in the model (default: a model input). */
  constant?: boolean;
  q?: [number, number];
  /** Full (per-channel) quantization, overriding `q`. */
  quantization?: Quantization;
}

export interface OutArg {
  dtype: DType;
  shape: number[];
  q?: [number, number];
  quantization?: Quantization;
}

const quant = (q?: [number, number]): Quantization | undefined => (q ? { scale: [q[0]], zeroPoint: [q[1]], quantizedDimension: 0 } : undefined);

export function encode(dtype: DType, data: readonly (number | boolean | bigint)[]): Uint8Array {
  const n = data.length;
  switch (dtype) {
    case 'float32':
      return new Uint8Array(Float32Array.from(data as number[]).buffer);
    case 'int32':
      return new Uint8Array(Int32Array.from(data as number[]).buffer);
    case 'int16':
      return new Uint8Array(Int16Array.from(data as number[]).buffer);
    case 'int8':
      return new Uint8Array(Int8Array.from(data as number[]).buffer);
    case 'uint8':
      return Uint8Array.from(data as number[]);
    case 'bool':
      return Uint8Array.from(data, (v) => (v ? 1 : 0));
    case 'int64':
      return new Uint8Array(BigInt64Array.from(data, (v) => BigInt(v)).buffer);
    case 'int4':
      return packInt4(data as number[]);
    default:
      throw new Error(`encode: ${dtype} (${n})`);
  }
}

/** int4 values as a .tflite buffer stores them (PackInt4ValuesDenselyInPlace): two a byte, low nibble first. */
export function packInt4(values: readonly number[]): Uint8Array {
  const out = new Uint8Array(Math.ceil(values.length / 2));
  values.forEach((v, i) => {
    if (v < -8 || v > 7 || !Number.isInteger(v)) throw new Error(`packInt4: ${v} is not an int4 value`);
    out[i >> 1]! |= (v & 0x0f) << (i % 2 === 0 ? 0 : 4);
  });
  return out;
}

export function decode(dtype: DType, b: Uint8Array): number[] {
  const buf = b.slice().buffer;
  switch (dtype) {
    case 'float32':
      return Array.from(new Float32Array(buf));
    case 'int32':
      return Array.from(new Int32Array(buf));
    case 'int16':
      return Array.from(new Int16Array(buf));
    case 'int8':
      return Array.from(new Int8Array(buf));
    case 'uint8':
    case 'bool':
      return Array.from(new Uint8Array(buf));
    case 'int64':
      return Array.from(new BigInt64Array(buf), Number);
    default:
      throw new Error(`decode: ${dtype}`);
  }
}

export interface OpCase {
  opcode: string;
  inputs: (TensorArg | null)[];
  outputs: OutArg[];
  options?: { type: string; value: Record<string, unknown> };
}

/** The model of one operator. */
export function opModel(c: OpCase) {
  const b = new GraphBuilder();
  const feeds: Uint8Array[] = [];
  const ins = c.inputs.map((t, i) => {
    if (!t) return -1;
    const spec = { dtype: t.dtype, shape: t.shape, quantization: t.quantization ?? quant(t.q) };
    if (t.constant) return b.constant(`in${i}`, spec, encode(t.dtype, t.data));
    feeds.push(encode(t.dtype, t.data));
    return b.input(`in${i}`, spec);
  });
  const outs = c.outputs.map((t, i) => b.tensor(`out${i}`, { dtype: t.dtype, shape: t.shape, quantization: t.quantization ?? quant(t.q) }));
  b.op({ opcode: c.opcode, inputs: ins, outputs: outs, ...(c.options ? { options: c.options } : {}) });
  b.output(...outs);
  return { graph: b.build(), feeds };
}

/** Runs one operator (guarded: outputs must not depend on dead arena bytes) and decodes its outputs. */
export function runOp(c: OpCase): number[][] {
  const { graph, feeds } = opModel(c);
  return runGuarded(graph, feeds).map((bytes, i) => decode(c.outputs[i]!.dtype, bytes));
}

/** float32 values as TFLM stores them (for comparing float32 goldens exactly). */
export const f32 = (v: readonly number[]): number[] => Array.from(Float32Array.from(v));
