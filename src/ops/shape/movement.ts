// Data movement with indices: GATHER, GATHER_ND, SLICE, BATCH_TO_SPACE_ND,
// SPACE_TO_BATCH_ND, SPACE_TO_DEPTH, REVERSE_V2, BROADCAST_TO, MIRROR_PAD (an
// index map per output element, built once when every tensor it reads is a
// constant, else at each invoke, as TFLM reads them at Eval); PACK, UNPACK,
// DYNAMIC_UPDATE_SLICE, EMBEDDING_LOOKUP, SHAPE, FILL and BROADCAST_ARGS are
// in stack-fill.ts. Types are TFLM's reference kernels' (90b983c): what its
// Prepare refuses is refused here in its words; what only its Eval refuses is
// refused here at prepare too, saying so.

import { builtinOptions } from '../../graph/op-options.js';
import { elementCount, kernelError, requireInput, requireOutput, type Kernel, type KernelCall } from '../kernel.js';
import { indexInput, intValues, isConstant, requireSameDtype, requireType } from '../tflm-type.js';
import { mapKernel } from './index-map.js';
import { FLOAT_INT8, forEachIndex, I32, I32_I64, product, requireShape, stridesOf } from './element-layout.js';

// ---- index-map kernels (index-map.ts) ----------------------------------------------

// GATHER: float32 and int8 data, int32 positions, both refused in Prepare.
function gatherAxes(call: KernelCall): { axis: number; batchDims: number } {
  const input = requireInput(call, 0);
  const coords = requireInput(call, 1);
  const { axis: a, batchDims: b } = builtinOptions(call.op, 'GatherOptions');
  const rank = input.tensor.shape.length;
  const axis = a < 0 ? a + rank : a;
  const batchDims = b < 0 ? b + coords.tensor.shape.length : b;
  if (axis < 0 || axis >= rank) throw kernelError(call, `axis ${a} is out of range for a ${rank}-D input`);
  if (batchDims > axis || batchDims < 0 || batchDims >= rank || batchDims > coords.tensor.shape.length) throw kernelError(call, `batch_dims ${b} is out of range`);
  for (let i = 0; i < batchDims; i++) {
    if (input.tensor.shape[i] !== coords.tensor.shape[i]) throw kernelError(call, `input and positions differ in batch dimension ${i}`);
  }
  return { axis, batchDims };
}

const GATHER = mapKernel({
  types: FLOAT_INT8,
  refuse: 'Prepare',
  reads: [1],
  check(call) {
    const coords = indexInput(call, 1, I32, 'Positions of type');
    const { axis, batchDims } = gatherAxes(call);
    const s = requireInput(call, 0).tensor.shape;
    requireShape(call, requireOutput(call, 0), [...s.slice(0, axis), ...coords.tensor.shape.slice(batchDims), ...s.slice(axis + 1)]);
  },
  map(call) {
    const s = requireInput(call, 0).tensor.shape;
    const coordsT = requireInput(call, 1);
    const coords = intValues(coordsT);
    const { axis, batchDims } = gatherAxes(call);
    const batches = product(s, 0, batchDims);
    const outer = product(s, batchDims, axis);
    const inner = product(s, axis + 1);
    const axisSize = s[axis]!;
    const coordSize = product(coordsT.tensor.shape, batchDims);
    const map = new Int32Array(batches * outer * coordSize * inner);
    for (let b = 0; b < batches; b++) {
      for (let o = 0; o < outer; o++) {
        for (let c = 0; c < coordSize; c++) {
          const at = coords[b * coordSize + c]!;
          if (at < 0 || at >= axisSize) throw kernelError(call, `position ${at} is out of range [0, ${axisSize})`);
          const src = ((b * outer + o) * axisSize + at) * inner;
          const dst = ((b * outer + o) * coordSize + c) * inner;
          for (let k = 0; k < inner; k++) map[dst + k] = src + k;
        }
      }
    }
    return map;
  },
});

// GATHER_ND: float32 and int8 params, int32 indices, at most 5 index dimensions.
const GATHER_ND = mapKernel({
  types: FLOAT_INT8,
  refuse: 'Prepare',
  reads: [1],
  check(call) {
    const params = requireInput(call, 0).tensor.shape;
    const indices = indexInput(call, 1, I32, 'Indices of type').tensor.shape;
    if (params.length < 1) throw kernelError(call, 'Params must be at least a vector.');
    if (indices.length < 1) throw kernelError(call, 'Indices must be at least a vector.');
    const nd = indices[indices.length - 1]!;
    if (nd > params.length) throw kernelError(call, 'Index innermost dimension length must be <= params rank.');
    if (nd > 5) throw kernelError(call, 'Index innermost dimension length must not exceed 5.');
    requireShape(call, requireOutput(call, 0), [...indices.slice(0, -1), ...params.slice(nd)]);
  },
  map(call) {
    const params = requireInput(call, 0).tensor.shape;
    const indicesT = requireInput(call, 1);
    const indices = intValues(indicesT);
    const nd = indicesT.tensor.shape[indicesT.tensor.shape.length - 1]!;
    const slices = product(indicesT.tensor.shape, 0, indicesT.tensor.shape.length - 1);
    const slice = product(params, nd);
    const flat = product(params);
    const counts: number[] = [];
    let remain = flat;
    for (let j = 0; j < nd; j++) counts.push((remain = Math.trunc(remain / params[j]!)));
    const map = new Int32Array(slices * slice);
    for (let i = 0; i < slices; i++) {
      let from = 0;
      for (let j = 0; j < nd; j++) from += indices[i * nd + j]! * counts[j]!;
      // TFLM checks only the slice's bounds, not each index.
      if (from < 0 || from + slice > flat) throw kernelError(call, 'gather_nd index out of bounds');
      for (let k = 0; k < slice; k++) map[i * slice + k] = from + k;
    }
    return map;
  },
});

// SLICE: float32, int32, int8, int16 and bool data (refused at Eval), int32 or int64 begin and size.
const SLICE = mapKernel({
  types: ['float32', 'int32', 'int8', 'int16', 'bool'],
  refuse: 'Invoke',
  reads: [1, 2],
  check(call) {
    const begin = indexInput(call, 1, I32_I64, 'Begin tensor type');
    const size = requireInput(call, 2);
    requireSameDtype(call, begin, size);
    const rank = requireInput(call, 0).tensor.shape.length;
    if (begin.tensor.shape.length !== 1 || size.tensor.shape.length !== 1 || elementCount(begin) !== elementCount(size)) {
      throw kernelError(call, 'begin and size must be vectors of one length');
    }
    if (elementCount(begin) < rank) throw kernelError(call, `begin and size have ${elementCount(begin)} values for a ${rank}-D input`);
    if (rank > 5) throw kernelError(call, `a ${rank}-D input is more than the 5 dimensions TFLM slices`);
  },
  map(call) {
    const shape = requireInput(call, 0).tensor.shape;
    const rank = shape.length;
    const begin = intValues(requireInput(call, 1));
    const size = intValues(requireInput(call, 2));
    const start: number[] = [];
    const stop: number[] = [];
    for (let d = 0; d < rank; d++) {
      start.push(begin[d]!);
      stop.push(size[d] === -1 ? shape[d]! : begin[d]! + size[d]!);
      if (start[d]! < 0 || stop[d]! > shape[d]! || stop[d]! < start[d]!) throw kernelError(call, `the slice [${start[d]}, ${stop[d]}) of dimension ${d} leaves the input`);
    }
    const out = start.map((s, d) => stop[d]! - s);
    const strides = stridesOf(shape);
    const map = new Int32Array(product(out));
    if (rank === 0) return map.fill(0);
    forEachIndex(out, (idx, o) => {
      let at = 0;
      for (let d = 0; d < rank; d++) at += (start[d]! + idx[d]!) * strides[d]!;
      map[o] = at;
    });
    return map;
  },
});

// BATCH_TO_SPACE_ND and SPACE_TO_BATCH_ND: float32 and int8 (refused at Eval), 3-D or 4-D.
/** The 4-D view of a 3-D or 4-D shape (a 3-D [b, h, c] is [b, h, 1, c]). */
const as4d = (s: readonly number[]): number[] => (s.length === 4 ? [...s] : [s[0]!, s[1]!, 1, s[2]!]);

function checkSpaceBatch(call: KernelCall): void {
  const input = requireInput(call, 0);
  const output = requireOutput(call, 0);
  for (const d of [input, output]) {
    const r = d.tensor.shape.length;
    if (r < 3 || r > 4) throw kernelError(call, `'${d.tensor.name}' is ${r}-D; TFLM takes 3-D or 4-D`);
  }
  if (input.tensor.shape.length !== output.tensor.shape.length) throw kernelError(call, 'input and output ranks differ');
  indexInput(call, 1, I32, 'Block shape of type');
  indexInput(call, 2, I32, 'Crops/paddings of type');
}

/**
 * Both ops' geometry as 4-D NHWC (a 3-D tensor has width 1): the block and the
 * top/left crops (BATCH_TO_SPACE_ND) or paddings (SPACE_TO_BATCH_ND).
 */
function spaceBatchGeometry(call: KernelCall) {
  const input = requireInput(call, 0);
  const four = input.tensor.shape.length === 4;
  const [inB, inH, inW, depth] = as4d(input.tensor.shape) as [number, number, number, number];
  const [outB, outH, outW] = as4d(requireOutput(call, 0).tensor.shape) as [number, number, number, number];
  const block = intValues(requireInput(call, 1));
  const edges = intValues(requireInput(call, 2));
  return { inB, inH, inW, depth, outB, outH, outW, bh: block[0]!, bw: four ? block[1]! : 1, top: edges[0]!, left: four ? edges[2]! : 0 };
}

const BATCH_TO_SPACE_ND = mapKernel({
  types: FLOAT_INT8,
  refuse: 'Invoke',
  reads: [1, 2],
  check: checkSpaceBatch,
  map(call) {
    const { inB, inH, inW, depth, outB, outH, outW, bh, bw, top, left } = spaceBatchGeometry(call);
    const map = new Int32Array(outB * outH * outW * depth).fill(-2);
    for (let b = 0; b < inB; b++) {
      const ob = b % outB;
      const spatial = Math.trunc(b / outB);
      for (let y = 0; y < inH; y++) {
        const oy = y * bh + Math.trunc(spatial / bw) - top;
        if (oy < 0 || oy >= outH) continue;
        for (let x = 0; x < inW; x++) {
          const ox = x * bw + (spatial % bw) - left;
          if (ox < 0 || ox >= outW) continue;
          const o = ((ob * outH + oy) * outW + ox) * depth;
          const i = ((b * inH + y) * inW + x) * depth;
          for (let c = 0; c < depth; c++) map[o + c] = i + c;
        }
      }
    }
    // TFLM leaves output elements no input reaches as they were: only shapes that cover the output are deterministic.
    if (map.includes(-2)) throw kernelError(call, 'block shape and crops do not cover the output');
    return map;
  },
});

const SPACE_TO_BATCH_ND = mapKernel({
  types: FLOAT_INT8,
  refuse: 'Invoke',
  reads: [1, 2],
  check: checkSpaceBatch,
  map(call) {
    const { inB, inH, inW, depth, outB, outH, outW, bh, bw, top, left } = spaceBatchGeometry(call);
    // The pad value is SpaceToBatchParams.output_offset, which TFLM's Init
    // allocates and nothing sets: zero in a zeroed arena, so zero bytes, whatever the zero point.
    const map = new Int32Array(outB * outH * outW * depth);
    for (let ob = 0; ob < outB; ob++) {
      const b = ob % inB;
      const sw = Math.trunc(ob / inB) % bw;
      const sh = Math.trunc(Math.trunc(ob / inB) / bw);
      for (let oy = 0; oy < outH; oy++) {
        for (let ox = 0; ox < outW; ox++) {
          const o = ((ob * outH + oy) * outW + ox) * depth;
          const y = oy * bh + sh - top;
          const x = ox * bw + sw - left;
          const inside = y >= 0 && y < inH && x >= 0 && x < inW;
          const i = ((b * inH + y) * inW + x) * depth;
          for (let c = 0; c < depth; c++) map[o + c] = inside ? i + c : -1;
        }
      }
    }
    return map;
  },
});

// SPACE_TO_DEPTH: float32 and int8, 4-D, refused in Prepare.
const SPACE_TO_DEPTH = mapKernel({
  types: FLOAT_INT8,
  refuse: 'Prepare',
  reads: [],
  check(call) {
    const input = requireInput(call, 0);
    const s = input.tensor.shape;
    if (s.length !== 4) throw kernelError(call, `the input is ${s.length}-D, not 4-D`);
    const bs = builtinOptions(call.op, 'SpaceToDepthOptions').blockSize;
    if (bs < 1 || s[1]! % bs !== 0 || s[2]! % bs !== 0) throw kernelError(call, `block size ${bs} does not divide the input height and width`);
    requireShape(call, requireOutput(call, 0), [s[0]!, s[1]! / bs, s[2]! / bs, s[3]! * bs * bs]);
  },
  map(call) {
    const [, h, w, c] = requireInput(call, 0).tensor.shape as [number, number, number, number];
    const bs = builtinOptions(call.op, 'SpaceToDepthOptions').blockSize;
    const out = requireOutput(call, 0).tensor.shape;
    const map = new Int32Array(product(out));
    forEachIndex(out, ([b, y, x, d], o) => {
      const inD = d! % c;
      const k = Math.trunc(d! / c);
      map[o] = ((b! * h + y! * bs + Math.trunc(k / bs)) * w + x! * bs + (k % bs)) * c + inD;
    });
    return map;
  },
});

// REVERSE_V2: int32, float32, uint8, int8, int16, int64 and bool, int32 axes; Eval wants contiguous axes.
const REVERSE_V2 = mapKernel({
  types: ['int32', 'float32', 'uint8', 'int8', 'int16', 'int64', 'bool'],
  refuse: 'Prepare',
  reads: [1],
  check(call) {
    const axis = requireInput(call, 1);
    if (axis.tensor.shape.length !== 1) throw kernelError(call, 'the axis tensor must be 1-D');
    const rank = requireInput(call, 0).tensor.shape.length;
    if (rank > 6) throw kernelError(call, `a ${rank}-D input is more than 6 dimensions`);
    if (elementCount(axis) > rank) throw kernelError(call, `${elementCount(axis)} axes for a ${rank}-D input`);
    requireType(call, axis, I32, 'Axis Type');
    requireShape(call, requireOutput(call, 0), requireInput(call, 0).tensor.shape);
  },
  map(call) {
    const shape = requireInput(call, 0).tensor.shape;
    const rank = shape.length;
    const axes = intValues(requireInput(call, 1)).map((a) => {
      const r = a < 0 ? a + rank : a;
      if (r < 0 || r >= rank) throw kernelError(call, `axis ${a} is out of range for a ${rank}-D input`);
      return r;
    });
    axes.sort((a, b) => a - b);
    // TFLM reads axes[num_axes - 1] unguarded: no axes is undefined behaviour there.
    if (axes.length === 0) throw kernelError(call, 'no axes to reverse');
    for (let i = 1; i < axes.length; i++) if (axes[i - 1]! + 1 !== axes[i]) throw kernelError(call, 'Non-contiguous `axes` not supported');
    const strides = stridesOf(shape);
    const map = new Int32Array(product(shape));
    forEachIndex(shape, (idx, o) => {
      let at = 0;
      for (let d = 0; d < rank; d++) at += (axes.includes(d) ? shape[d]! - 1 - idx[d]! : idx[d]!) * strides[d]!;
      map[o] = at;
    });
    return map;
  },
});

// BROADCAST_TO: any type but string, a constant int32 or int64 shape, up to 5-D.
const BROADCAST_TO = mapKernel({
  types: 'any',
  refuse: 'Prepare',
  reads: [1],
  check(call) {
    const input = requireInput(call, 0);
    const shapeT = indexInput(call, 1, I32_I64, 'Shape of type');
    const output = requireOutput(call, 0);
    if (input.tensor.dtype === 'string') throw kernelError(call, 'string tensors are not supported');
    if (!isConstant(shapeT)) throw kernelError(call, 'Non-constant >shape< tensor is not supported');
    if (shapeT.tensor.shape.length !== 1) throw kernelError(call, 'the shape tensor must be 1-D');
    const want = intValues(shapeT);
    const inS = input.tensor.shape;
    const outS = output.tensor.shape;
    if (outS.length !== want.length) throw kernelError(call, 'Output must match with the expected shape dimension.');
    if (inS.length > outS.length) throw kernelError(call, 'Output shape must be broadcastable from input shape.');
    if (outS.length > 5 || inS.length > 5) throw kernelError(call, 'BroadcastTo only supports 1-5D tensor.');
    const extra = outS.length - inS.length;
    inS.forEach((n, i) => {
      if (n !== 1 && n !== want[extra + i]) throw kernelError(call, 'Output shape must be broadcastable from input shape.');
    });
    requireShape(call, output, want);
  },
  map(call) {
    const inS = requireInput(call, 0).tensor.shape;
    const outS = requireOutput(call, 0).tensor.shape;
    const extra = outS.length - inS.length;
    const strides = stridesOf(inS);
    const map = new Int32Array(product(outS));
    forEachIndex(outS, (idx, o) => {
      let at = 0;
      for (let d = 0; d < inS.length; d++) if (inS[d] !== 1) at += idx[extra + d]! * strides[d]!;
      map[o] = at;
    });
    return map;
  },
});

// MIRROR_PAD: float32 and int8 (refused at Eval), int32 or int64 paddings [rank, 2].
const MIRROR_PAD = mapKernel({
  types: FLOAT_INT8,
  refuse: 'Invoke',
  reads: [1],
  check(call) {
    const pads = requireInput(call, 1);
    const rank = requireInput(call, 0).tensor.shape.length;
    if (pads.tensor.shape.length !== 2 || pads.tensor.shape[0] !== rank) throw kernelError(call, `the paddings must be [${rank}, 2]`);
    requireType(call, pads, I32_I64, 'Paddings of type');
  },
  map(call) {
    const inS = requireInput(call, 0).tensor.shape;
    const outS = requireOutput(call, 0).tensor.shape;
    const pads = intValues(requireInput(call, 1));
    // REFLECT (0) leaves the edge out of the mirror: offset 1; SYMMETRIC repeats it.
    const offset = builtinOptions(call.op, 'MirrorPadOptions').mode === 0 ? 1 : 0;
    inS.forEach((n, d) => {
      const [l, r] = [pads[2 * d]!, pads[2 * d + 1]!];
      if (l + n + r !== outS[d]) throw kernelError(call, `output dimension ${d} is ${outS[d]}, the paddings make ${l + n + r}`);
      if (l < 0 || r < 0 || l > n - offset || r > n - offset) throw kernelError(call, `paddings ${l}, ${r} of dimension ${d} exceed what mirroring ${n} values allows`);
    });
    const strides = stridesOf(inS);
    const map = new Int32Array(product(outS));
    forEachIndex(outS, (idx, o) => {
      let at = 0;
      for (let d = 0; d < inS.length; d++) {
        const left = pads[2 * d]!;
        const n = inS[d]!;
        let p = idx[d]!;
        let i: number;
        if (p < left) {
          const origin = left + offset - 1;
          i = origin - Math.min(p, origin - offset);
        } else if ((p -= left) >= n) {
          p -= n;
          const origin = n - (1 + offset);
          i = origin - Math.min(p, origin);
        } else i = p;
        at += i * strides[d]!;
      }
      map[o] = at;
    });
    return map;
  },
});

export const kernels: Record<string, Kernel<any>> = {
  GATHER,
  GATHER_ND,
  SLICE,
  BATCH_TO_SPACE_ND,
  SPACE_TO_BATCH_ND,
  SPACE_TO_DEPTH,
  REVERSE_V2,
  BROADCAST_TO,
  MIRROR_PAD,
};
