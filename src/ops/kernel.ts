// What a kernel sees: its operator, its tensors' bytes (arena views for
// activations, model data for constants) and its scratch buffers. Kernels are
// transcriptions of TFLM's reference kernels, held bit-exact by the oracle tests.

import { TinysegError } from '../errors.js';
import type { Op, Tensor } from '../graph/graph.js';
import { opKey } from '../graph/op-key.js';

export interface TensorData {
  readonly tensor: Tensor;
  /** Exactly tensor.byteSize bytes (an int4 constant: its packed buffer, constantDataBytes); for activations, a view into the arena. */
  readonly bytes: Uint8Array;
  /**
   * Typed views of `bytes` made before (the interpreter gives its tensors an empty set: a lookup by the bytes in a
   * WeakMap cost a small model's kernel call ~20 ns a view). Only used while `views.of` is `bytes`: a copy of this
   * object with other bytes (`{ ...d, bytes }`) carries them along.
   */
  readonly views?: TypedViews;
}

/** Typed views of `of`, by kind (kernel.ts view()). */
export interface TypedViews {
  readonly of: Uint8Array;
  readonly made: (Typed | undefined)[];
}

export const typedViews = (of: Uint8Array): TypedViews => ({ of, made: [] });

export interface KernelCall {
  readonly op: Op;
  /** Operator index in execution order (for messages). */
  readonly index: number;
  /** null where the operator omits an optional input (-1). */
  readonly inputs: readonly (TensorData | null)[];
  readonly outputs: readonly TensorData[];
  /** Arena views of the scratch buffers the TFLM kernel requests, in request order (the registry's scratch rules, ops/registry.ts). */
  readonly scratch: readonly Uint8Array[];
  /** The spill region (external memory) TinySeg's spill and fetch ops move tensors to and from. */
  readonly storage: Uint8Array;
  /** The interpreter's subgraphs and resource variables (TFLM's MicroGraph), for the control-flow and variable ops. */
  readonly host?: SubgraphHost;
}

/** What TFLM's MicroGraph offers kernels: other subgraphs by index, and the resource variables. */
export interface SubgraphHost {
  readonly subgraphCount: number;
  /** The input (output) tensors of subgraph `s`, in its input (output) order. */
  subgraphInputs(s: number): readonly TensorData[];
  subgraphOutputs(s: number): readonly TensorData[];
  /** Runs subgraph `s` once. */
  invokeSubgraph(s: number): void;
  readonly resources: ResourceStore;
}

/** TFLM's MicroResourceVariables: a fixed number of slots, each a buffer allocated on first assignment. */
export interface ResourceStore {
  /** The id of (container, sharedName), a new one if none matches; -1 when every slot is taken. */
  idFor(container: string | null, sharedName: string | null): number;
  /** Allocates the buffer of `id` for `like`'s size and fills it with its zero point, unless it has one. */
  allocate(id: number, like: TensorData): boolean;
  /** The buffer of `id`, or undefined when the id is unknown or its buffer was never allocated. */
  buffer(id: number): Uint8Array | undefined;
}

/**
 * prepare runs once per operator when an interpreter is built (TFLM's Prepare:
 * quantized multipliers, shapes); invoke runs on every inference and must only
 * read inputs and write outputs and scratch.
 */
export interface Kernel<S = unknown> {
  prepare(call: KernelCall): S;
  invoke(call: KernelCall, state: S): void;
  /**
   * Runs several operators as one where the calls between them cost more than their arithmetic: the operators from
   * steps[from] on (its own) that it takes, or null. The interpreter uses it for inferences without a StepHook and
   * without guard mode; each operator still writes its outputs, in order, as invoke would.
   */
  fuse?(steps: readonly PreparedStep[], from: number): FusedSteps | null;
  /**
   * Inputs whose values prepare takes although TFLM's kernel reads them at Eval (a conv's bias). Where one is
   * computed at run time (a DEQUANTIZE's output, a graph input), the interpreter prepares the operator again on
   * every call and fuses it with none.
   */
  readonly evalInputs?: readonly number[];
}

/** An operator as the interpreter runs it: its kernel, its call and the state prepare returned. */
export interface PreparedStep {
  readonly kernel: Kernel;
  readonly call: KernelCall;
  readonly state: unknown;
}

/** Operators a kernel's fuse() runs as one: how many of the steps, and the run. */
export interface FusedSteps {
  readonly count: number;
  invoke(): void;
}

export function defineKernel<S>(k: Kernel<S>): Kernel<S> {
  return k;
}

export function kernelError(call: KernelCall, message: string): TinysegError {
  return new TinysegError('E_UNSUPPORTED', `operator ${call.index} (${opKey(call.op)}): ${message}`);
}

/** The mark of an operator TFLM accepts but TinySeg's interpreter does not compute (not a TFLM refusal: report and optimize go on). */
export const INTERPRETER_GAP = "(TFLM accepts it: TinySeg's interpreter does not compute it yet)";

/** An operator TFLM's kernel accepts that the interpreter has no code for: `run` cannot run it, `report` still reports it. */
export function interpreterGap(call: KernelCall, message: string): TinysegError {
  return kernelError(call, `${message} ${INTERPRETER_GAP}`);
}

/** The mark of an operator TFLM runs but whose output its kernel does not define (it reads past a tensor's end): nothing to be bit-exact with. */
export const UNDEFINED_IN_TFLM = '(TFLM runs it reading past the end of a tensor: its output is undefined, TinySeg does not compute it)';

/** An operator whose result in TFLM is undefined behaviour: `run` refuses it, `report` still reports it (TFLM plans it). */
export function undefinedInTflm(call: KernelCall, message: string): TinysegError {
  return kernelError(call, `${message} ${UNDEFINED_IN_TFLM}`);
}

// ---- typed views ------------------------------------------------------------

type Typed = Int8Array | Uint8Array | Int16Array | Int32Array | Float32Array;
type TypedCtor<T extends Typed> = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): T; BYTES_PER_ELEMENT: number; new (length: number): T };

/** Views made before, by the bytes they view, for tensor data without its own `views`. */
const views = new WeakMap<Uint8Array, (Typed | undefined)[]>();

function view<T extends Typed>(ctor: TypedCtor<T>, kind: number, d: TensorData): T {
  const b = d.bytes;
  const own = d.views;
  let known = own !== undefined && own.of === b ? own.made : views.get(b);
  const made = known?.[kind];
  if (made !== undefined) return made as T;
  const n = b.byteLength / ctor.BYTES_PER_ELEMENT;
  if (b.byteOffset % ctor.BYTES_PER_ELEMENT === 0) {
    if (!known) views.set(b, (known = []));
    return (known[kind] = new ctor(b.buffer, b.byteOffset, n));
  }
  // Misaligned model data (possible in files from other writers): read a copy.
  const copy = new ctor(n);
  new Uint8Array(copy.buffer).set(b);
  return copy;
}

export const i8 = (d: TensorData): Int8Array => view(Int8Array, 0, d);
export const u8 = (d: TensorData): Uint8Array => view(Uint8Array, 1, d);
export const i16 = (d: TensorData): Int16Array => view(Int16Array, 2, d);
export const i32 = (d: TensorData): Int32Array => view(Int32Array, 3, d);
export const f32 = (d: TensorData): Float32Array => view(Float32Array, 4, d);
/**
 * dst[to..to+n) = src[from..from+n). Short runs (a few channels of one pixel,
 * moved per pixel by concatenations and slices) copy faster element by element
 * than through a subarray view each.
 */
export function copyBytes(dst: Uint8Array, to: number, src: Uint8Array, from: number, n: number): void {
  if (n <= 64) for (let i = 0; i < n; i++) dst[to + i] = src[from + i]!;
  else dst.set(src.subarray(from, from + n), to);
}

/** Writable view of an arena buffer (activations and scratch are always 16-byte aligned). */
export const scratchI32 = (b: Uint8Array): Int32Array => new Int32Array(b.buffer, b.byteOffset, b.byteLength >> 2);

export function requireInput(call: KernelCall, i: number): TensorData {
  const d = call.inputs[i];
  if (!d) throw kernelError(call, `input ${i} is missing`);
  return d;
}

export function requireOutput(call: KernelCall, i: number): TensorData {
  const d = call.outputs[i];
  if (!d) throw kernelError(call, `output ${i} is missing`);
  return d;
}

/** NHWC dims of a 4-D tensor (TFLM's RuntimeShape for these kernels). */
export function dims4(d: TensorData, call: KernelCall): [number, number, number, number] {
  const s = d.tensor.shape;
  if (s.length !== 4) throw kernelError(call, `expected a 4-D tensor, got shape [${s.join(', ')}]`);
  return s as [number, number, number, number];
}

export const ACTIVATION = { NONE: 0, RELU: 1, RELU_N1_TO_1: 2, RELU6: 3, TANH: 4, SIGN_BIT: 5 } as const;

/** TFLM CalculateActivationRangeQuantized for int8/uint8/int16 outputs. */
export function activationRangeQuantized(call: KernelCall, out: TensorData, activation: number): [number, number] {
  const t = out.tensor;
  const [qmin, qmax] = t.dtype === 'int8' ? [-128, 127] : t.dtype === 'uint8' ? [0, 255] : t.dtype === 'int16' ? [-32768, 32767] : [NaN, NaN];
  if (Number.isNaN(qmin)) throw kernelError(call, `quantized output of type ${t.dtype} is not supported`);
  const scale = t.quantization?.scale[0] ?? 1;
  const zp = t.quantization?.zeroPoint[0] ?? 0;
  // TFLM's Quantize(): TfLiteRound(f / scale) in float32, then + zero point.
  const quantize = (f: number) => {
    const v = Math.fround(f / scale);
    return zp + (v < 0 ? -Math.round(-v) : Math.round(v));
  };
  switch (activation) {
    case ACTIVATION.NONE:
      return [qmin, qmax];
    case ACTIVATION.RELU:
      return [Math.max(qmin, quantize(0)), qmax];
    case ACTIVATION.RELU6:
      return [Math.max(qmin, quantize(0)), Math.min(qmax, quantize(6))];
    case ACTIVATION.RELU_N1_TO_1:
      return [Math.max(qmin, quantize(-1)), Math.min(qmax, quantize(1))];
    default:
      throw kernelError(call, `fused activation ${activation} is not supported`);
  }
}

export const FLT_MAX = 3.4028234663852886e38;

/** TFLM CalculateActivationRange<float>: NONE and RELU use the float limits, so +-inf saturates to +-FLT_MAX. */
export function activationRangeFloat(call: KernelCall, activation: number): [number, number] {
  switch (activation) {
    case ACTIVATION.NONE:
      return [-FLT_MAX, FLT_MAX];
    case ACTIVATION.RELU:
      return [0, FLT_MAX];
    case ACTIVATION.RELU6:
      return [0, 6];
    case ACTIVATION.RELU_N1_TO_1:
      return [-1, 1];
    default:
      throw kernelError(call, `fused activation ${activation} is not supported`);
  }
}

/** std::min(std::max(x, lo), hi) on floats: NaN passes through, as in C++. */
export const clampFloat = (x: number, lo: number, hi: number): number => {
  const y = x < lo ? lo : x;
  return hi < y ? hi : y;
};

export const clampInt = (x: number, lo: number, hi: number): number => (x < lo ? lo : x > hi ? hi : x);

// ---- options and quantization ----------------------------------------------

/**
 * A field several options tables share (the fused activation, the quantized bias
 * type), read whatever the op's table; an op's own fields are read typed, with
 * builtinOptions(op, '<Table>').
 */
export function option(call: KernelCall, key: string, fallback: number): number {
  const v = call.op.options?.[key];
  return typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : fallback;
}

export const activationOf = (call: KernelCall): number => option(call, 'fusedActivationFunction', ACTIVATION.NONE);

export const scaleOf = (d: TensorData): number => d.tensor.quantization?.scale[0] ?? 0;
export const zeroPointOf = (d: TensorData): number => d.tensor.quantization?.zeroPoint[0] ?? 0;
export const elementCount = (d: TensorData): number => d.tensor.shape.reduce((n, s) => n * s, 1);

export function requireQuantized(call: KernelCall, d: TensorData, what: string): void {
  const q = d.tensor.quantization;
  if (!q || q.scale.length === 0) throw kernelError(call, `${what} tensor '${d.tensor.name}' has no quantization parameters`);
}

/** The typed view matching a tensor's dtype. */
export function viewOf(d: TensorData): Int8Array | Uint8Array | Int16Array | Int32Array | Float32Array {
  switch (d.tensor.dtype) {
    case 'int8':
      return i8(d);
    case 'uint8':
    case 'bool':
      return u8(d);
    case 'int16':
      return i16(d);
    case 'int32':
      return i32(d);
    case 'float32':
      return f32(d);
    default:
      throw new TinysegError('E_UNSUPPORTED', `tensor '${d.tensor.name}' has type ${d.tensor.dtype}, which the interpreter does not compute with`);
  }
}

export const PADDING = { SAME: 0, VALID: 1 } as const;

/**
 * TFLM ComputePaddingHeightWidth for one dimension: the output size the
 * padding implies and the leading pad (the odd pixel of SAME goes after).
 */
export function paddingFor(padding: number, inSize: number, filter: number, stride: number, dilation: number): { out: number; pad: number } {
  const effective = (filter - 1) * dilation + 1;
  const out = padding === PADDING.SAME ? Math.floor((inSize + stride - 1) / stride) : Math.floor((inSize + stride - effective) / stride);
  const total = Math.max(0, (out - 1) * stride + effective - inSize);
  return { out, pad: Math.floor(total / 2) };
}
