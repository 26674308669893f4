// The graph view of a model: what every stage after the file format works on.

/** TFLite TensorType, by name (lower case). Index in this list = the schema's enum value. */
export const DTYPES = [
  'float32',
  'float16',
  'int32',
  'uint8',
  'int64',
  'string',
  'bool',
  'int16',
  'complex64',
  'int8',
  'float64',
  'complex128',
  'uint64',
  'resource',
  'variant',
  'uint32',
  'uint16',
  'int4',
  'bfloat16',
  'int2',
  'uint4',
  'float8_e4m3fn',
  'float8_e5m2',
] as const;
export type DType = (typeof DTYPES)[number];

/** Bytes per element as TFLM sizes tensors (int4 is unpacked to a byte in the arena). */
export const DTYPE_SIZE: Readonly<Record<DType, number>> = {
  float32: 4,
  float16: 2,
  int32: 4,
  uint8: 1,
  int64: 8,
  string: 0,
  bool: 1,
  int16: 2,
  complex64: 8,
  int8: 1,
  float64: 8,
  complex128: 16,
  uint64: 8,
  resource: 4,
  variant: 0,
  uint32: 4,
  uint16: 2,
  int4: 1,
  bfloat16: 2,
  // Sub-byte and 8-bit float types: TFLM has no size for them (it fails to
  // allocate); one byte per element keeps the report going and errs large.
  int2: 1,
  uint4: 1,
  float8_e4m3fn: 1,
  float8_e5m2: 1,
};

/**
 * Bytes a constant's buffer holds for `elements` values. int4 is stored packed,
 * two a byte, low nibble first (TFLM's kernels unpack it, UnpackDenseInt4IntoInt8),
 * so its buffer is half its tensor's size (TFLM still sizes the tensor at a byte a value).
 */
export function constantDataBytes(dtype: DType, elements: number): number {
  return dtype === 'int4' ? Math.ceil(elements / 2) : elements * DTYPE_SIZE[dtype];
}

/**
 * constant: data lives in the flatbuffer (never planned in the arena);
 * activation: planned in the arena's head by the memory planner;
 * variable: persistent state (TFLM puts it in the tail unless offline-planned).
 */
export type TensorKind = 'constant' | 'activation' | 'variable';

export interface Quantization {
  scale: number[];
  zeroPoint: number[];
  quantizedDimension: number;
}

export interface GraphTensor {
  /** Index in its subgraph's tensor list (what operators refer to). */
  readonly index: number;
  name: string;
  dtype: DType;
  shape: number[];
  /** Byte size of the tensor as TFLM sizes it (an int4 constant's buffer holds half: constantDataBytes). */
  byteSize: number;
  kind: TensorKind;
  /** Per-tensor or per-channel affine quantization; null for none. */
  quantization: Quantization | null;
  /** Constant data (a view into the model file), null for non-constants. */
  data: Uint8Array | null;
}

/** An operator; its position in Subgraph.ops is its execution order. */
export interface GraphOp {
  /** Builtin operator name, e.g. 'CONV_2D'; 'CUSTOM' for custom ops. */
  opcode: string;
  /** OperatorCode.custom_code for custom ops, else null. */
  customCode: string | null;
  /**
   * Tensor indices; -1 marks an omitted optional input. Read-only: a Subgraph
   * indexes producers and consumers from them, so edits go through
   * Subgraph.rewire(), which keeps that index right.
   */
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly intermediates: readonly number[];
  /** Decoded builtin options (keys as in the schema, camelCase), or null. */
  options: Record<string, unknown> | null;
  /** Name of the options table, e.g. 'Conv2DOptions', or null. */
  optionsType: string | null;
  customOptions: Uint8Array | null;
}
