// Data movement: RESHAPE, SQUEEZE, EXPAND_DIMS, CONCATENATION, PAD, PADV2,
// TRANSPOSE, STRIDED_SLICE, SPLIT, SPLIT_V, DEPTH_TO_SPACE. Values are copied,
// never changed, so these work on bytes with the element size of the dtype;
// every index map is computed once in prepare.

import { DTYPE_SIZE } from '../../graph/graph.js';
import type { DType } from '../../graph/types.js';
import { builtinOptions } from '../../graph/op-options.js';
import {
  copyBytes,
  defineKernel,
  elementCount,
  i32,
  kernelError,
  requireInput,
  requireOutput,
  scaleOf,
  zeroPointOf,
  type Kernel,
  type KernelCall,
  type TensorData,
} from '../kernel.js';
import { requireType, tflmType } from '../tflm-type.js';
import { verifyExpandDims } from './expand-dims.js';
import { copyPadRuns, padRuns } from './pad-runs.js';
import { sliceAxisRange } from './slice-axis.js';
import { simd, simdAligned, simdHeap, simdI32, simdKept, simdScratch } from '../simd/simd.js';

/** Bytes per element; packed (int4) and variable-size types cannot be moved element by element. */
function elementBytes(call: KernelCall, d: TensorData): number {
  const n = DTYPE_SIZE[d.tensor.dtype];
  if (!Number.isInteger(n) || n < 1) throw kernelError(call, `type ${d.tensor.dtype} is not supported`);
  return n;
}

/**
 * Same dtype in and out. TFLM moves the bytes whatever the quantization
 * parameters, so they may differ (CONCATENATION's int8 and PADV2's constant are
 * checked where TFLM checks them).
 */
function requireSameType(call: KernelCall, a: TensorData, b: TensorData): void {
  if (a.tensor.dtype !== b.tensor.dtype) throw kernelError(call, `types ${a.tensor.dtype} and ${b.tensor.dtype} differ`);
}

/** TF_LITE_ENSURE_EQ on the float scales and zero points of two tensors. */
function requireSameQuantization(call: KernelCall, a: TensorData, b: TensorData): void {
  if (Math.fround(scaleOf(a)) !== Math.fround(scaleOf(b)) || zeroPointOf(a) !== zeroPointOf(b)) {
    throw kernelError(call, `tensors '${a.tensor.name}' and '${b.tensor.name}' are quantized differently`);
  }
}

// The types TFLM's reference kernel of each operator moves (90b983c), and
// whether its Prepare or only its Eval refuses the others.
const ANY_SIZED = null;
const TYPES: Record<string, readonly [readonly DType[] | null, 'Prepare' | 'Invoke']> = {
  RESHAPE: [ANY_SIZED, 'Prepare'],
  SQUEEZE: [ANY_SIZED, 'Invoke'],
  EXPAND_DIMS: [['float32', 'int16', 'int8'], 'Invoke'],
  CONCATENATION: [['bool', 'float32', 'int8', 'int16', 'int32', 'int64'], 'Prepare'],
  SPLIT: [['float32', 'int8', 'int16', 'int32'], 'Invoke'],
  SPLIT_V: [['float32', 'int8', 'int16', 'int32'], 'Invoke'],
  PAD: [['float32', 'int8', 'int16', 'int32'], 'Invoke'],
  PADV2: [['float32', 'int8', 'int16', 'int32'], 'Invoke'],
  TRANSPOSE: [['float32', 'int8', 'int16'], 'Invoke'],
  STRIDED_SLICE: [['float32', 'int8', 'int16', 'int32', 'bool'], 'Invoke'],
  DEPTH_TO_SPACE: [['float32', 'int8'], 'Prepare'],
};

function requireTflmType(call: KernelCall, d: TensorData): void {
  const [types, when] = TYPES[call.op.opcode] ?? [ANY_SIZED, 'Prepare'];
  if (types) requireType(call, d, types, 'Type', when);
  else if (d.tensor.dtype === 'string') throw kernelError(call, `Type ${tflmType('string')} not supported`);
}

function constInts(call: KernelCall, i: number, what: string): Int32Array {
  const d = requireInput(call, i);
  if (d.tensor.kind !== 'constant' || d.tensor.dtype !== 'int32') throw kernelError(call, `${what} must be a constant int32 tensor`);
  return i32(d);
}

const strides = (shape: readonly number[]): number[] => {
  const s = new Array<number>(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) s[d] = s[d + 1]! * shape[d + 1]!;
  return s;
};

/** Copies element map[o] of the input to element o of the output, for element size `size`. */
interface GatherState {
  /** Byte runs of the output from the input (pad-runs.ts, without padding). */
  runs: Int32Array;
  /**
   * When every run is one element of 1, 2 or 4 bytes (a transpose that moves the last axis, as NCHW to NHWC): each
   * output element's input element, copied through typed views, where a run each cost ~8 ns an element.
   */
  elements: { index: Int32Array; size: 1 | 2 | 4; planes3: Planes3 | null } | null;
}

/** A gather of bytes that is [3][length] to [length][3] (NCHW to NHWC of three channels, one batch): the length. */
type Planes3 = number;

/**
 * From this many bytes moved, the SIMD module moves them where JavaScript would move a few at a time: single elements
 * (gatherElements), or chunks of at most CHUNK_IN_MODULE bytes on average (interleave).
 */
const BYTES_IN_MODULE = 2048;
const CHUNK_IN_MODULE = 64;

/** The input element of each output element when `runs` are all one element of `size` bytes, in output order; else null. */
function elementGather(runs: Int32Array, size: number, count: number): GatherState['elements'] {
  if ((size !== 1 && size !== 2 && size !== 4) || runs.length !== 3 * count) return null;
  const index = new Int32Array(count);
  for (let k = 0; k < count; k++) {
    if (runs[3 * k]! !== k * size || runs[3 * k + 2]! !== size) return null;
    index[k] = runs[3 * k + 1]! / size;
  }
  return { index, size, planes3: size === 1 ? planes3(index) : null };
}

/**
 * The planes' length when `index` gathers bytes [3][length] into [length][3], else null. (With more batches the
 * batches' last and first bytes make one run, so no element gather reaches here.)
 */
function planes3(index: Int32Array): Planes3 | null {
  const length = index.length / 3;
  if (!Number.isInteger(length) || length < 16) return null;
  for (let k = 0; k < index.length; k++) if (index[k] !== (k % 3) * length + Math.floor(k / 3)) return null;
  return length;
}

/**
 * dst[k] = src[index[k]] for elements of `size` bytes: from 2 KB in the SIMD module (movement.wat gatherElements, the
 * index kept per operator), else through typed views; false (nothing copied) where a view would not be aligned.
 */
function gatherElements(e: NonNullable<GatherState['elements']>, src: Uint8Array, dst: Uint8Array): boolean {
  const { index, size } = e;
  const n = index.length;
  if (n * size >= BYTES_IN_MODULE) {
    // Three planes of bytes interleaved (an RGB input's NCHW to NHWC): by shuffles, no index (mobilenet-v2's
    // 3x224x224 in the model: 117 -> 40 us, most of it now the copies in and out).
    const indexAt = e.planes3 !== null ? 0 : simdKept(e, 4 * n, (at) => simdI32(at, n).set(index));
    const xAt = simdScratch(simdAligned(src.length) + dst.length);
    const outAt = xAt + simdAligned(src.length);
    const bytes = simdHeap().u8;
    bytes.set(src, xAt);
    if (e.planes3 !== null) simd().interleave3Bytes(xAt, e.planes3, outAt);
    else simd().gatherElements(xAt, indexAt, n, size, outAt);
    dst.set(bytes.subarray(outAt, outAt + dst.length));
    return true;
  }
  if (src.byteOffset % size !== 0 || dst.byteOffset % size !== 0) return false;
  if (size === 1) {
    for (let k = 0; k < n; k++) dst[k] = src[index[k]!]!;
  } else if (size === 2) {
    const x = new Uint16Array(src.buffer, src.byteOffset, src.byteLength >> 1);
    const y = new Uint16Array(dst.buffer, dst.byteOffset, dst.byteLength >> 1);
    for (let k = 0; k < n; k++) y[k] = x[index[k]!]!;
  } else {
    const x = new Int32Array(src.buffer, src.byteOffset, src.byteLength >> 2);
    const y = new Int32Array(dst.buffer, dst.byteOffset, dst.byteLength >> 2);
    for (let k = 0; k < n; k++) y[k] = x[index[k]!]!;
  }
  return true;
}

const NO_PADDING = new Uint8Array(0);

/** An operator that moves input elements to output elements, as runs of bytes built in Prepare. */
const gatherKernel = (build: (call: KernelCall, size: number) => Int32Array) =>
  defineKernel<GatherState>({
    prepare(call) {
      const input = requireInput(call, 0);
      const output = requireOutput(call, 0);
      requireTflmType(call, input);
      requireSameType(call, input, output);
      const size = elementBytes(call, input);
      const runs = build(call, size);
      let bytes = 0;
      for (let r = 2; r < runs.length; r += 3) bytes += runs[r]!;
      if (bytes !== elementCount(output) * size) throw kernelError(call, `the output has ${elementCount(output)} elements, the op makes ${bytes / size}`);
      return { runs, elements: elementGather(runs, size, elementCount(output)) };
    },
    invoke(call, s) {
      const src = requireInput(call, 0).bytes;
      const dst = requireOutput(call, 0).bytes;
      if (s.elements && gatherElements(s.elements, src, dst)) return;
      copyPadRuns(s.runs, src, dst, NO_PADDING);
    },
  });

// ---- copies -----------------------------------------------------------------

const copy = defineKernel<null>({
  prepare(call) {
    const input = requireInput(call, 0);
    const output = requireOutput(call, 0);
    requireTflmType(call, input);
    requireSameType(call, input, output);
    if (call.op.opcode === 'EXPAND_DIMS') verifyExpandDims(call, input, requireInput(call, 1), output);
    if (input.bytes.byteLength !== output.bytes.byteLength) throw kernelError(call, 'input and output sizes differ');
    return null;
  },
  invoke(call) {
    const input = requireInput(call, 0).bytes;
    const output = requireOutput(call, 0).bytes;
    // TFLM copies only when the buffers differ; an in-place plan needs no copy.
    if (input.buffer !== output.buffer || input.byteOffset !== output.byteOffset) output.set(input);
  },
});

// ---- CONCATENATION, SPLIT, SPLIT_V --------------------------------------------

/** The axis index, outer count and per-tensor chunk sizes (in elements) along `axis`. */
function axisChunks(shape: readonly number[], axis: number): { outer: number; inner: number } {
  let outer = 1;
  for (let d = 0; d < axis; d++) outer *= shape[d]!;
  let inner = 1;
  for (let d = axis + 1; d < shape.length; d++) inner *= shape[d]!;
  return { outer, inner };
}

function resolveAxis(call: KernelCall, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw kernelError(call, `axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** TFLM's kMaxInputNum (concatenation.cc): its Prepare refuses a CONCATENATION of more inputs. */
export const CONCAT_MAX_INPUTS = 10;

interface ConcatState {
  /** Bytes per outer step for each input. */
  chunks: number[];
  outer: number;
}

const CONCATENATION = defineKernel<ConcatState>({
  prepare(call) {
    const output = requireOutput(call, 0);
    if (call.inputs.length > CONCAT_MAX_INPUTS) throw kernelError(call, `num_inputs <= kMaxInputNum was not true: ${call.inputs.length} inputs, TFLM takes at most ${CONCAT_MAX_INPUTS}`);
    const options = builtinOptions(call.op, 'ConcatenationOptions');
    if (options.fusedActivationFunction !== 0) throw kernelError(call, 'a fused activation is not supported (TFLM rejects it too)');
    const rank = output.tensor.shape.length;
    const axis = resolveAxis(call, options.axis, rank);
    requireTflmType(call, output);
    const size = elementBytes(call, output);
    const { outer, inner } = axisChunks(output.tensor.shape, axis);
    let along = 0;
    const dtype = output.tensor.dtype;
    // int8 inputs are not rescaled: TFLM wants the output's scale and zero point on each; int16 wants zero points of 0.
    if (dtype === 'int16' && zeroPointOf(output) !== 0) throw kernelError(call, `int16 output zero point ${zeroPointOf(output)} is not 0`);
    const chunks = call.inputs.map((d, i) => {
      if (!d) throw kernelError(call, `input ${i} is missing`);
      requireSameType(call, d, output);
      if (dtype === 'int8') requireSameQuantization(call, d, output);
      if (dtype === 'int16' && zeroPointOf(d) !== 0) throw kernelError(call, `int16 input ${i} zero point ${zeroPointOf(d)} is not 0`);
      const s = d.tensor.shape;
      if (s.length !== rank || s.some((v, k) => k !== axis && v !== output.tensor.shape[k])) {
        throw kernelError(call, `input ${i} [${s.join(', ')}] does not fit output [${output.tensor.shape.join(', ')}] along axis ${axis}`);
      }
      along += s[axis]!;
      return s[axis]! * inner * size;
    });
    if (along !== output.tensor.shape[axis]) throw kernelError(call, 'the inputs do not add up to the output along the axis');
    return { chunks, outer };
  },
  invoke(call, s) {
    interleave(requireOutput(call, 0), call.inputs as readonly TensorData[], s.chunks, s.outer, true);
  },
});

/**
 * `outer` steps of each part's chunk (bytes) to `whole` part after part (`gather`: CONCATENATION), or from it (SPLIT):
 * whole 32-bit words where every chunk and every view is a multiple of 4 bytes (a channel concatenation of int8
 * pixels moves a few bytes per pixel and part; a closure and a byte loop each cost more than the copy), else bytes.
 */
function interleave(whole: TensorData, parts: readonly TensorData[], chunks: readonly number[], outer: number, gather: boolean): void {
  const total = whole.bytes.length;
  if (total >= BYTES_IN_MODULE && total <= CHUNK_IN_MODULE * outer * chunks.length) {
    interleaveInModule(whole, parts, chunks, outer, gather);
    return;
  }
  if (chunks.every((n) => (n & 3) === 0) && (whole.bytes.byteOffset & 3) === 0 && parts.every((d) => (d.bytes.byteOffset & 3) === 0)) {
    const w32 = i32(whole);
    const p32 = parts.map((d) => i32(d));
    const words = chunks.map((n) => n >> 2);
    let o = 0;
    for (let k = 0; k < outer; k++) {
      for (let i = 0; i < p32.length; i++) {
        const w = words[i]!;
        const x = p32[i]!;
        if (w > 16) {
          if (gather) w32.set(x.subarray(k * w, k * w + w), o);
          else x.set(w32.subarray(o, o + w), k * w);
          o += w;
        } else if (gather) {
          for (let j = k * w, end = j + w; j < end; j++) w32[o++] = x[j]!;
        } else {
          for (let j = k * w, end = j + w; j < end; j++) x[j] = w32[o++]!;
        }
      }
    }
    return;
  }
  let o = 0;
  for (let k = 0; k < outer; k++) {
    for (let i = 0; i < parts.length; i++) {
      const n = chunks[i]!;
      if (gather) copyBytes(whole.bytes, o, parts[i]!.bytes, k * n, n);
      else copyBytes(parts[i]!.bytes, k * n, whole.bytes, o, n);
      o += n;
    }
  }
}

/**
 * interleave in the SIMD module (movement.wat): the parts (or the whole) copied in, the chunks moved there a vector or
 * word at a time, the whole (or the parts) copied out. Every read comes before every write, so a join whose parts
 * already lie in the whole (analysis/row-join.ts) stays as it is.
 */
function interleaveInModule(whole: TensorData, parts: readonly TensorData[], chunks: readonly number[], outer: number, gather: boolean): void {
  const sizes = chunks.map((n) => n * outer);
  const wholeAt = simdScratch(simdAligned(whole.bytes.length) + sizes.reduce((a, n) => a + simdAligned(n), 0) + 8 * parts.length);
  const partAt: number[] = [];
  let at = wholeAt + simdAligned(whole.bytes.length);
  for (const n of sizes) {
    partAt.push(at);
    at += simdAligned(n);
  }
  const records = simdI32(at, 2 * parts.length);
  parts.forEach((_, i) => records.set([partAt[i]!, chunks[i]!], 2 * i));
  const bytes = simdHeap().u8;
  if (gather) parts.forEach((d, i) => bytes.set(d.bytes.subarray(0, sizes[i]), partAt[i]));
  else bytes.set(whole.bytes, wholeAt);
  simd().interleaveChunks(wholeAt, at, parts.length, outer, gather ? 1 : 0);
  if (gather) whole.bytes.set(bytes.subarray(wholeAt, wholeAt + whole.bytes.length));
  else parts.forEach((d, i) => d.bytes.set(bytes.subarray(partAt[i], partAt[i]! + sizes[i]!)));
}

interface SplitState {
  chunks: number[];
  outer: number;
}

/** SPLIT (axis is input 0, data input 1) and SPLIT_V (data 0, sizes 1, axis 2): outputs carry the sizes. */
const split = (dataInput: number, axisInput: number) =>
  defineKernel<SplitState>({
    prepare(call) {
      const input = requireInput(call, dataInput);
      requireTflmType(call, input);
      const rank = input.tensor.shape.length;
      const axisValues = constInts(call, axisInput, 'the axis');
      const axis = resolveAxis(call, axisValues[0] ?? 0, rank);
      const size = elementBytes(call, input);
      const { outer, inner } = axisChunks(input.tensor.shape, axis);
      let along = 0;
      const chunks = call.outputs.map((d, i) => {
        requireSameType(call, input, d);
        const s = d.tensor.shape;
        if (s.length !== rank || s.some((v, k) => k !== axis && v !== input.tensor.shape[k])) {
          throw kernelError(call, `output ${i} [${s.join(', ')}] does not fit input [${input.tensor.shape.join(', ')}] along axis ${axis}`);
        }
        along += s[axis]!;
        return s[axis]! * inner * size;
      });
      if (along !== input.tensor.shape[axis]) throw kernelError(call, 'the outputs do not add up to the input along the axis');
      return { chunks, outer };
    },
    invoke(call, s) {
      interleave(requireInput(call, dataInput), call.outputs, s.chunks, s.outer, false);
    },
  });

// ---- PAD, PADV2 -------------------------------------------------------------------

interface PadState {
  /** The copies and fills (pad-runs.ts). */
  runs: Int32Array;
  value: Uint8Array;
}

const pad = (v2: boolean) =>
  defineKernel<PadState>({
    prepare(call) {
      const input = requireInput(call, 0);
      const output = requireOutput(call, 0);
      requireTflmType(call, input);
      requireSameType(call, input, output);
      const size = elementBytes(call, input);
      const rank = input.tensor.shape.length;
      const paddings = constInts(call, 1, 'the paddings');
      if (paddings.length !== rank * 2) throw kernelError(call, `paddings has ${paddings.length} values for a ${rank}-D input`);
      const inShape = input.tensor.shape;
      const outShape = output.tensor.shape;
      for (let d = 0; d < rank; d++) {
        if (paddings[2 * d]! < 0 || paddings[2 * d + 1]! < 0) throw kernelError(call, 'negative paddings are not supported');
        if (inShape[d]! + paddings[2 * d]! + paddings[2 * d + 1]! !== outShape[d]) throw kernelError(call, `output dimension ${d} does not match the paddings`);
      }
      // PADV2 pads with its constant_values input; PAD (or PADV2 without one)
      // with the output zero point for int8, with 0 for every other type (int16 and int32 too).
      const value = new Uint8Array(size);
      const constant = v2 ? call.inputs[2] : null;
      if (constant) {
        requireSameType(call, constant, output);
        if (elementCount(constant) !== 1) throw kernelError(call, 'the constant value must have one element');
        if (output.tensor.dtype === 'int8') requireSameQuantization(call, constant, output);
        value.set(constant.bytes.subarray(0, size));
      } else if (output.tensor.dtype === 'int8') {
        const zp = zeroPointOf(output);
        if (zp < -128 || zp > 127) throw kernelError(call, `output zero point ${zp} is outside int8`);
        new DataView(value.buffer).setInt8(0, zp);
      }
      return { runs: padRuns(inShape, outShape, paddings, size), value };
    },
    invoke(call, s) {
      copyPadRuns(s.runs, requireInput(call, 0).bytes, requireOutput(call, 0).bytes, s.value);
    },
  });

// ---- TRANSPOSE, STRIDED_SLICE, DEPTH_TO_SPACE ---------------------------------------

/**
 * The output's bytes as runs from the input's (pad-runs.ts), in output order. `at` maps the index of a row's first
 * element (last index 0) to its input element; along the last axis the input element moves by `step`, so `at` runs
 * once per row, and a row with step 1 is one run (merged with the previous one when it continues it).
 */
function indexRuns(outShape: readonly number[], at: (idx: readonly number[]) => number, step: number, size: number): Int32Array {
  const total = outShape.reduce((a, b) => a * b, 1);
  const rank = outShape.length;
  const last = rank > 0 ? outShape[rank - 1]! : 1;
  const runs: number[] = [];
  const add = (to: number, from: number, n: number) => {
    const k = runs.length - 3;
    if (k >= 0 && runs[k]! + runs[k + 2]! === to && runs[k + 1]! + runs[k + 2]! === from) runs[k + 2]! += n;
    else runs.push(to, from, n);
  };
  if (total === 0) return new Int32Array(0);
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < total; o += last) {
    const base = at(idx);
    if (step === 1) add(o * size, base * size, last * size);
    else for (let k = 0; k < last; k++) add((o + k) * size, (base + k * step) * size, size);
    for (let d = rank - 2; d >= 0; d--) {
      if (++idx[d]! < outShape[d]!) break;
      idx[d] = 0;
    }
  }
  return Int32Array.from(runs);
}

const TRANSPOSE = gatherKernel((call, size) => {
  const input = requireInput(call, 0);
  const perm = constInts(call, 1, 'the permutation');
  const rank = input.tensor.shape.length;
  if (perm.length !== rank || [...perm].sort().some((p, i) => p !== i)) throw kernelError(call, `[${[...perm].join(', ')}] is not a permutation of ${rank} axes`);
  const outShape = [...perm].map((p) => input.tensor.shape[p]!);
  const inStrides = strides(input.tensor.shape);
  return indexRuns(outShape, (idx) => idx.reduce((s, v, d) => s + v * inStrides[perm[d]!]!, 0), rank > 0 ? inStrides[perm[rank - 1]!]! : 0, size);
});

const STRIDED_SLICE = gatherKernel((call, size) => {
  const input = requireInput(call, 0);
  const shape = input.tensor.shape;
  const rank = shape.length;
  const begin = constInts(call, 1, 'begin');
  const end = constInts(call, 2, 'end');
  const step = constInts(call, 3, 'strides');
  // TFLM maps 1-4-D slices onto its 4-D reference kernel and refuses more in Prepare.
  if (rank > 4) throw kernelError(call, 'input dim should not exceed 4');
  if (begin.length !== rank || end.length !== rank || step.length !== rank) throw kernelError(call, 'begin, end and strides need one value per input axis');
  const { ellipsisMask, newAxisMask, offset, beginMask, endMask, shrinkAxisMask: shrinkMask } = builtinOptions(call.op, 'StridedSliceOptions');
  if (ellipsisMask || newAxisMask || offset) {
    throw kernelError(call, 'ellipsis_mask, new_axis_mask and offset are not supported (TFLM ignores them)');
  }
  const picks: number[][] = [];
  for (let d = 0; d < rank; d++) {
    const s = step[d]!;
    if (s === 0) throw kernelError(call, `stride of axis ${d} is 0`);
    const bit = 1 << d;
    const masks = { begin: (beginMask & bit) !== 0, end: (endMask & bit) !== 0, shrink: (shrinkMask & bit) !== 0 };
    const { start, stop } = sliceAxisRange(shape[d]!, begin[d]!, end[d]!, s, masks);
    const take: number[] = [];
    for (let i = start; s > 0 ? i < stop : i > stop; i += s) take.push(i);
    picks.push(take);
  }
  const inStrides = strides(shape);
  // Picks along an axis are evenly spaced by its stride.
  return indexRuns(
    picks.map((p) => p.length),
    (idx) => idx.reduce((acc, v, d) => acc + picks[d]![v]! * inStrides[d]!, 0),
    rank > 0 ? step[rank - 1]! * inStrides[rank - 1]! : 0,
    size,
  );
});

const DEPTH_TO_SPACE = gatherKernel((call, size) => {
  const input = requireInput(call, 0);
  const output = requireOutput(call, 0);
  const bs = builtinOptions(call.op, 'DepthToSpaceOptions').blockSize;
  const [n, h, w, c] = input.tensor.shape as [number, number, number, number];
  if (input.tensor.shape.length !== 4 || bs < 1 || c % (bs * bs) !== 0) throw kernelError(call, `block size ${bs} does not divide the input depth`);
  const outC = c / (bs * bs);
  const outShape = [n, h * bs, w * bs, outC];
  if (output.tensor.shape.join() !== outShape.join()) throw kernelError(call, `output should be [${outShape.join(', ')}]`);
  return indexRuns(
    outShape,
    ([b, y, x]) => {
      const iy = Math.floor(y! / bs);
      const ix = Math.floor(x! / bs);
      const ic = ((y! % bs) * bs + (x! % bs)) * outC;
      return ((b! * h + iy) * w + ix) * c + ic;
    },
    1,
    size,
  );
});

export const kernels: Record<string, Kernel<any>> = {
  RESHAPE: copy,
  SQUEEZE: copy,
  EXPAND_DIMS: copy,
  CONCATENATION,
  SPLIT: split(1, 0),
  SPLIT_V: split(0, 2),
  PAD: pad(false),
  PADV2: pad(true),
  TRANSPOSE,
  STRIDED_SLICE,
  DEPTH_TO_SPACE,
};
