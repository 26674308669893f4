// The compute model: what one Invoke() computes, from shapes alone, and a
// predicted instruction count per kernel set (docs/compute-model.md).
//
// Per operator: multiply-accumulates for the conv family, fully connected and
// batch matmul; element ops for everything else (output elements plus the
// elements it reads: a slice reads only what it keeps, a pool reads its window
// per output). The prediction is a sum over operators of a cost per MAC or per
// element op for the operator's family and data type, plus a cost per
// operator; the coefficients are fitted by non-negative least squares against
// Invoke() instructions measured on Cortex-M4 (bench/calibrate-compute.js).

import type { Subgraph, Tensor } from '../graph/graph.js';
import type { GraphOp } from '../graph/types.js';
import { customKey, opKey } from '../graph/op-key.js';
import { builtinOptions } from '../graph/op-options.js';
import {
  CONCAT_CONV,
  CONCAT_FETCH,
  CONV_IN_PLACE,
  decodeConcatConvOptions,
  decodeConvInPlaceOptions,
  decodeFetchOptions,
  decodeSpillOptions,
  decodeTransposeConvGatherOptions,
  FETCH,
  fetchedShape,
  SPILL,
  TRANSPOSE_CONV_GATHER,
  type FetchOptions,
} from '../ops/tinyseg/custom-ops.js';
import { transposePad, transposeSources } from '../ops/transpose-conv/kernel.js';
import type { CoreIsa } from '../ops/kernel-sets.js';
import { builtinOfConvInPlace } from '../ops/tinyseg/conv-in-place-kernel.js';
import { builtinOfConcatConv, concatConvOutput, concatConvRowByRow, concatConvStaging } from '../ops/tinyseg/concat-conv-kernel.js';

/** The cost families of the model: MACs per family and type, element ops per type, and operators. */
export const COMPUTE_FEATURES = [
  'conv.int',
  'depthwise.int',
  'fc.int',
  'transposeConv.int',
  'tinysegConv.int',
  'tinysegTransposeConv.int',
  'mac.float', 'macOutput.int',   'element.int',
  'element.float',
  'copy',
  'spill',
  'op',
] as const;
export type ComputeFeature = (typeof COMPUTE_FEATURES)[number];

/** The kernel sets the prediction knows: TFLM's reference kernels and its CMSIS-NN kernels (Cortex-M4). */
export const COMPUTE_KERNEL_SETS = ['reference', 'cmsis-nn'] as const;
export type ComputeKernelSet = (typeof COMPUTE_KERNEL_SETS)[number];

/**
 * Instructions per byte TinySeg's C runtime takes to spill or fetch (bench/qemu.js, RAM driver, ~775 per KiB: whole
 * rows move straight between tensor and region): measured, not fitted (the original models have no spills).
 */
export const SPILL_INSTRUCTIONS_PER_BYTE = 0.76;

/**
 * Instructions per feature unit, per kernel set: the output of
 * bench/calibrate-compute.js (NNLS over the oracle's Invoke() instructions on
 * Cortex-M4, ../shared/oracle/tflm-cmsis-nn-m4.json). CMSIS-NN has no float
 * kernels; its float figures are the reference ones (TFLM falls back to them).
 */
/**
 * Instructions per MAC TinySegConcatConv adds to CMSIS-NN's conv when it calls
 * it (TINYSEG_KERNELS_CMSIS_NN): staging the input rows (one part read from
 * the spill region) and one conv call per output row. Measured, not fitted
 * (no original model has the operator): the Tiny U-Net's last decoder conv
 * (80x120, 16 -> 8 channels, 3x3) took 2.817 instructions per MAC as
 * TinySegConcatConv and 2.709 as CONV_2D on Cortex-M4 (bench/tflm-m4, per-op
 * FPGAIO ticks).
 */
export const CONCAT_CONV_CMSIS_NN_STAGING_PER_MAC = 0.107;

/**
 * What a TinySegConcatConv band costs beside its conv's arithmetic (kind `CUSTOM:TinySegConcatConv:staging`, feature
 * `copy`, in every set): per output row (one kernel call and one region read each) and per byte it stages into its
 * window (read from the slot or moved up; concatConvStaging); no more per band. Measured, not fitted by
 * calibrate-compute.js: least squares over the 53 staged depthwise layers of nano-u, person-detect, vww, mnv3-unet
 * and kws streamed under CMSIS-NN on Cortex-M4 (bench/calibration-cm4-stream.json; each layer's bands against the
 * original operator), residuals within 41 k instructions per layer (RMS 9.4 k).
 */
export const CONCAT_CONV_BAND_STAGING: OpCost = { unit: 0.709, macOutput: 0, run: 845.7, op: 0 };
const BAND_STAGING = `${customKey(CONCAT_CONV)}:staging`;

/**
 * What an int8 CONV_2D band on a slot costs CMSIS-NN beyond the whole conv's arithmetic and its staging (kind
 * `CUSTOM:TinySegConcatConv:rowCalls`, feature `conv.int`): one call per output row leaves CMSIS-NN's kernels a
 * short row each time (its 1x1 matrix product takes pixels in pairs and channels in blocks). A share of the band's
 * MACs, `perWidth` / output width + `flat`, at the set's conv.int cost; nothing under the reference kernels, whose
 * conv has no such blocks. Measured: 130 layers of 8 models in such bands on the Cortex-M4 (bench/tflm-m4, each
 * layer's bands against the original operator), 1x1 layers 0.017 to 0.28 of their cost (7 pixels wide: 0.28), the
 * others 0.004 to 0.047; per model these shares predict 1.04 to 4.5 times what was measured.
 */
export const CONCAT_CONV_ROW_CALLS = { pointwise: { perWidth: 2, flat: 0.02 }, other: { perWidth: 0.5, flat: 0.01 } } as const;
const ROW_CALLS = `${customKey(CONCAT_CONV)}:rowCalls`;

/**
 * What a TinySegConcatConv band that writes its rows to the spill region (ConcatConvOptions.out) adds: one runtime
 * write per chunk of rows (kind `CUSTOM:TinySegConcatConv:rowWrites`, feature `spill`), priced per byte as a spill's
 * and per write at `run`: measured, one row a chunk, on Cortex-M4 (bench/tflm-m4, nano-u's 25 streamed layers at
 * `--max-overhead 100`, each against the original's operator), beside the staging and row calls priced apart, 337
 * instructions a row under CMSIS-NN and 219 under the reference kernels (least squares); the larger for both.
 */
export const CONCAT_CONV_ROW_WRITE_RUN = 340;
const ROW_WRITES = `${customKey(CONCAT_CONV)}:rowWrites`;

/** How an own-kernel feature is priced in one kernel set: `like`'s coefficient in set `as`, plus `plus` per unit. */
export interface OwnKernelCost {
  readonly like: ComputeFeature;
  readonly as: ComputeKernelSet;
  readonly plus: number;
}

/**
 * TinySeg's own MAC operators (TinySegConcatConv, TinySegTransposeConv) run
 * TinySeg's kernels (templates/runtime/tinyseg_tflm_kernels.cc): each costs
 * what the kernel whose arithmetic it runs costs. TinySegTransposeConv keeps
 * the reference arithmetic in every build, so a rewrite that swaps a CMSIS-NN
 * kernel for it is priced as the slowdown it is; TinySegConcatConv's int8 conv
 * is CMSIS-NN's in a CMSIS-NN build, plus its staging.
 */
export const OWN_KERNEL_FEATURES = {
  'tinysegConv.int': {
    reference: { like: 'conv.int', as: 'reference', plus: 0 },
    'cmsis-nn': { like: 'conv.int', as: 'cmsis-nn', plus: CONCAT_CONV_CMSIS_NN_STAGING_PER_MAC },
  },
  'tinysegTransposeConv.int': {
    reference: { like: 'transposeConv.int', as: 'reference', plus: 0 },
    'cmsis-nn': { like: 'transposeConv.int', as: 'reference', plus: 0 },
  },
} as const satisfies Partial<Record<ComputeFeature, Readonly<Record<ComputeKernelSet, OwnKernelCost>>>>;

/** The coefficient of own-kernel feature `feature` under `set`, from the builtins' coefficients `of` (INVOKE_COEFFICIENTS or a new fit). */
export function ownKernelCoefficient(
  feature: keyof typeof OWN_KERNEL_FEATURES,
  set: ComputeKernelSet,
  of: Readonly<Record<ComputeKernelSet, Readonly<Record<ComputeFeature, number>>>>,
): number {
  const c: OwnKernelCost = OWN_KERNEL_FEATURES[feature][set];
  return of[c.as][c.like] + c.plus;
}

export const INVOKE_COEFFICIENTS: Readonly<Record<ComputeKernelSet, Readonly<Record<ComputeFeature, number>>>> = {
  reference: { 'conv.int': 68.26, 'depthwise.int': 70.1, 'fc.int': 6.655, 'transposeConv.int': 98.91, 'tinysegConv.int': 68.26, 'tinysegTransposeConv.int': 98.91, 'mac.float': 16.83, 'macOutput.int': 112.1, 'element.int': 150.8, 'element.float': 0, copy: 52.44, spill: SPILL_INSTRUCTIONS_PER_BYTE, op: 0 },
  'cmsis-nn': { 'conv.int': 1.959, 'depthwise.int': 4.224, 'fc.int': 2.014, 'transposeConv.int': 4.593, 'tinysegConv.int': 2.066, 'tinysegTransposeConv.int': 98.91, 'mac.float': 16.83, 'macOutput.int': 26.19, 'element.int': 51.23, 'element.float': 0, copy: 0, spill: SPILL_INSTRUCTIONS_PER_BYTE, op: 785.2 },
};

/** What one operator of a given kind costs: instructions per unit (MAC, element op or byte), per MAC output, and per call. */
export interface OpCost {
  unit: number;
  macOutput: number;
  run: number;
  op: number;
  /** Per im2col element (OpCompute.im2col); absent: none. */
  im2col?: number;
}

/**
 * Operators measured one by one on the device (TFLM's profiler hook in
 * bench/tflm-m4, bench/calibrate-compute.js): their own cost, where their
 * family's coefficients would misprice them. The family averages hide a 40x
 * spread (CMSIS-NN: a strided slice costs ~3.8 instructions per element, a
 * concatenation 0.3, a bilinear resize 113), and a rewrite adds exactly the
 * operators the averages price worst: slices, concatenations, small
 * convolutions whose per-call set-up a row band pays again.
 */
export const OP_COSTS: Readonly<Record<ComputeKernelSet, Readonly<Record<string, OpCost>>> & Partial<Record<`${ComputeKernelSet}/${CoreIsa}`, Readonly<Record<string, OpCost>>>>> = {
  // <op-costs>: written by `node bench/calibrate-compute.js --write`
  'reference': {
    'ADD|element.float': { unit: 5.272, macOutput: 0, run: 0, op: 0 },
    'ADD|element.int': { unit: 34.58, macOutput: 0, run: 0, op: 0 },
    'AVERAGE_POOL_2D|element.float': { unit: 18.23, macOutput: 0, run: 0, op: 4628 },
    'AVERAGE_POOL_2D|element.int': { unit: 30.94, macOutput: 0, run: 0, op: 27360 },
    'BROADCAST_TO|element.float': { unit: 9.114, macOutput: 0, run: 0, op: 790.9 },
    'BROADCAST_TO|element.int': { unit: 7.666, macOutput: 0, run: 0, op: 761.8 },
    'CONCATENATION|copy': { unit: 0.2634, macOutput: 0, run: 38.56, op: 862.2 },
    'CONV_2D/1x1|conv.int': { unit: 67.94, macOutput: 160.1, run: 0, op: 623.2 },
    'CONV_2D/1x1|mac.float': { unit: 13.27, macOutput: 0, run: 0, op: 0 },
    'CONV_2D|conv.int': { unit: 64.72, macOutput: 490.2, run: 0, op: 0 },
    'CONV_2D|mac.float': { unit: 12.53, macOutput: 0, run: 0, op: 0 },
    'CUMSUM|element.float': { unit: 7.188, macOutput: 0, run: 0, op: 236.5 },
    'CUSTOM:TinySegAddFetch|element.int': { unit: 51.17, macOutput: 0, run: 0, op: 0 },
    'CUSTOM:TinySegConcatConv|tinysegConv.int': { unit: 70.56, macOutput: 0, run: 0, op: 0 },
    'CUSTOM:TinySegConcatFetch|copy': { unit: 3.774, macOutput: 0, run: 0, op: 0 },
    'CUSTOM:TinySegFetch/channels|spill': { unit: 3.648, macOutput: 0, run: 91.35, op: 2600 },
    'CUSTOM:TinySegFetch|spill': { unit: 0.7201, macOutput: 0, run: 1143, op: 1276 },
    'CUSTOM:TinySegResizeBand|element.int': { unit: 53.99, macOutput: 0, run: 0, op: 0 },
    'CUSTOM:TinySegSpill/channels|spill': { unit: 2.352, macOutput: 0, run: 44.89, op: 1895 },
    'CUSTOM:TinySegSpill|spill': { unit: 0.7185, macOutput: 0, run: 0, op: 1378 },
    'CUSTOM:TinySegTransposeConv|tinysegTransposeConv.int': { unit: 2.912, macOutput: 148.7, run: 114.7, op: 0 },
    'DEPTHWISE_CONV_2D/3x3|depthwise.int': { unit: 90.31, macOutput: 0, run: 0, op: 0 },
    'DEPTHWISE_CONV_2D/3x3|mac.float': { unit: 38.99, macOutput: 0, run: 0, op: 0 },
    'DEPTHWISE_CONV_2D|depthwise.int': { unit: 68.2, macOutput: 198.6, run: 0, op: 0 },
    'DEPTHWISE_CONV_2D|mac.float': { unit: 36.07, macOutput: 0, run: 0, op: 0 },
    'DEPTH_TO_SPACE|copy': { unit: 13.93, macOutput: 0, run: 0, op: 0 },
    'DEQUANTIZE|element.float': { unit: 52.55, macOutput: 0, run: 0, op: 0 },
    'FULLY_CONNECTED|fc.int': { unit: 6.994, macOutput: 59.27, run: 0, op: 449.4 },
    'FULLY_CONNECTED|mac.float': { unit: 6.063, macOutput: 0, run: 0, op: 0 },
    'LOGISTIC|element.float': { unit: 38.06, macOutput: 0, run: 0, op: 522.3 },
    'LOGISTIC|element.int': { unit: 48.15, macOutput: 0, run: 0, op: 0 },
    'MAX_POOL_2D|element.float': { unit: 26.35, macOutput: 0, run: 0, op: 7580 },
    'MAX_POOL_2D|element.int': { unit: 50.89, macOutput: 0, run: 0, op: 0 },
    'MEAN|element.float': { unit: 157.8, macOutput: 0, run: 0, op: 0 },
    'MEAN|element.int': { unit: 159.6, macOutput: 0, run: 0, op: 0 },
    'MIRROR_PAD|element.float': { unit: 68.34, macOutput: 0, run: 0, op: 0 },
    'MIRROR_PAD|element.int': { unit: 65.8, macOutput: 0, run: 0, op: 33570 },
    'MUL|element.float': { unit: 8.576, macOutput: 0, run: 0, op: 14760 },
    'PAD|copy': { unit: 19.6, macOutput: 0, run: 0, op: 48560 },
    'PRELU|element.float': { unit: 31.21, macOutput: 0, run: 0, op: 6889 },
    'QUANTIZE|element.int': { unit: 2.5, macOutput: 0, run: 0, op: 175.9 },
    'RELU|element.int': { unit: 25.55, macOutput: 0, run: 0, op: 76970 },
    'RESHAPE|copy': { unit: 0.3567, macOutput: 0, run: 0, op: 0 },
    'RESIZE_BILINEAR|element.float': { unit: 67.14, macOutput: 0, run: 0, op: 24500 },
    'RESIZE_BILINEAR|element.int': { unit: 111.1, macOutput: 0, run: 0, op: 0 },
    'RESIZE_NEAREST_NEIGHBOR|element.int': { unit: 4.92, macOutput: 0, run: 0, op: 0 },
    'REVERSE_V2|element.float': { unit: 1.425, macOutput: 0, run: 0, op: 401.7 },
    'SOFTMAX|element.float': { unit: 60, macOutput: 0, run: 0, op: 0 },
    'SOFTMAX|element.int': { unit: 54.98, macOutput: 0, run: 0, op: 1234 },
    'SPLIT_V|copy': { unit: 6.359, macOutput: 0, run: 0, op: 353.8 },
    'SPLIT|copy': { unit: 4.999, macOutput: 0, run: 0, op: 210.5 },
    'STRIDED_SLICE|copy': { unit: 0.3258, macOutput: 0, run: 54.28, op: 533 },
    'SUB|element.float': { unit: 4.665, macOutput: 0, run: 0, op: 421.4 },
    'TRANSPOSE_CONV|mac.float': { unit: 30.47, macOutput: 0, run: 0, op: 0 },
    'TRANSPOSE_CONV|transposeConv.int': { unit: 106.9, macOutput: 424, run: 0, op: 116700 },
    'TRANSPOSE|copy': { unit: 8.533, macOutput: 0, run: 0, op: 0 },
  },
  'cmsis-nn': {
    'ADD|element.float': { unit: 5.25, macOutput: 0, run: 0, op: 0 },
    'ADD|element.int': { unit: 27.78, macOutput: 0, run: 0, op: 0 },
    'AVERAGE_POOL_2D|element.float': { unit: 18.23, macOutput: 0, run: 0, op: 4608 },
    'AVERAGE_POOL_2D|element.int': { unit: 5.956, macOutput: 0, run: 0, op: 2469 },
    'BROADCAST_TO|element.float': { unit: 9.111, macOutput: 0, run: 0, op: 786.1 },
    'BROADCAST_TO|element.int': { unit: 7.667, macOutput: 0, run: 0, op: 757.1 },
    'CONCATENATION|copy': { unit: 0.2651, macOutput: 0, run: 38.52, op: 845.8 },
    'CONV_2D/1x1|conv.int': { unit: 1.453, macOutput: 41.21, run: 0, op: 2239 },
    'CONV_2D/1x1|mac.float': { unit: 13.1, macOutput: 0, run: 0, op: 0 },
    'CONV_2D|conv.int': { unit: 1.736, macOutput: 67.78, run: 0, op: 0 },
    'CONV_2D|mac.float': { unit: 11.92, macOutput: 0, run: 0, op: 0 },
    'CUMSUM|element.float': { unit: 7.187, macOutput: 0, run: 0, op: 321.7 },
    'CUSTOM:TinySegAddFetch|element.int': { unit: 51.17, macOutput: 0, run: 0, op: 0 },
    'CUSTOM:TinySegConcatFetch|copy': { unit: 3.774, macOutput: 0, run: 0, op: 0 },
    'CUSTOM:TinySegFetch/channels|spill': { unit: 3.648, macOutput: 0, run: 91.35, op: 2600 },
    'CUSTOM:TinySegFetch|spill': { unit: 0.7201, macOutput: 0, run: 1143, op: 1276 },
    'CUSTOM:TinySegResizeBand|element.int': { unit: 53.99, macOutput: 0, run: 0, op: 0 },
    'CUSTOM:TinySegSpill/channels|spill': { unit: 2.352, macOutput: 0, run: 44.89, op: 1895 },
    'CUSTOM:TinySegSpill|spill': { unit: 0.7185, macOutput: 0, run: 0, op: 1378 },
    'CUSTOM:TinySegTransposeConv|tinysegTransposeConv.int': { unit: 2.912, macOutput: 148.7, run: 114.7, op: 0 },
    'DEPTHWISE_CONV_2D/3x3|depthwise.int': { unit: 8.123, macOutput: 0, run: 0, op: 0 },
    'DEPTHWISE_CONV_2D/3x3|mac.float': { unit: 39.01, macOutput: 0, run: 0, op: 0 },
    'DEPTHWISE_CONV_2D|depthwise.int': { unit: 5.511, macOutput: 0, run: 0, op: 0 },
    'DEPTHWISE_CONV_2D|mac.float': { unit: 36.1, macOutput: 0, run: 0, op: 0 },
    'DEPTH_TO_SPACE|copy': { unit: 13.93, macOutput: 0, run: 0, op: 0 },
    'DEQUANTIZE|element.float': { unit: 52.55, macOutput: 0, run: 0, op: 0 },
    'FULLY_CONNECTED|fc.int': { unit: 1.88, macOutput: 50.14, run: 0, op: 449.5 },
    'FULLY_CONNECTED|mac.float': { unit: 6.031, macOutput: 0, run: 0, op: 0 },
    'LOGISTIC|element.float': { unit: 38.08, macOutput: 0, run: 0, op: 454.5 },
    'LOGISTIC|element.int': { unit: 48.15, macOutput: 0, run: 0, op: 0 },
    'MAX_POOL_2D|element.float': { unit: 26.35, macOutput: 0, run: 0, op: 7583 },
    'MAX_POOL_2D|element.int': { unit: 9.214, macOutput: 0, run: 0, op: 0 },
    'MEAN|element.float': { unit: 157.8, macOutput: 0, run: 0, op: 0 },
    'MEAN|element.int': { unit: 159.6, macOutput: 0, run: 0, op: 0 },
    'MIRROR_PAD|element.float': { unit: 68.34, macOutput: 0, run: 0, op: 0 },
    'MIRROR_PAD|element.int': { unit: 65.8, macOutput: 0, run: 0, op: 33580 },
    'MUL|element.float': { unit: 8.566, macOutput: 0, run: 0, op: 14790 },
    'PAD|copy': { unit: 0.2778, macOutput: 0, run: 0, op: 2163 },
    'PRELU|element.float': { unit: 31.21, macOutput: 0, run: 0, op: 6886 },
    'QUANTIZE|element.int': { unit: 2.5, macOutput: 0, run: 0, op: 178.5 },
    'RELU|element.int': { unit: 25.55, macOutput: 0, run: 0, op: 76970 },
    'RESHAPE|copy': { unit: 0.3585, macOutput: 0, run: 0, op: 0 },
    'RESIZE_BILINEAR|element.float': { unit: 65.31, macOutput: 0, run: 0, op: 44950 },
    'RESIZE_BILINEAR|element.int': { unit: 111.1, macOutput: 0, run: 0, op: 0 },
    'RESIZE_NEAREST_NEIGHBOR|element.int': { unit: 4.922, macOutput: 0, run: 0, op: 0 },
    'REVERSE_V2|element.float': { unit: 1.426, macOutput: 0, run: 0, op: 400 },
    'SOFTMAX|element.float': { unit: 62, macOutput: 0, run: 0, op: 0 },
    'SOFTMAX|element.int': { unit: 65.18, macOutput: 0, run: 0, op: 1121 },
    'SPLIT_V|copy': { unit: 6.358, macOutput: 0, run: 0, op: 362.6 },
    'SPLIT|copy': { unit: 4.998, macOutput: 0, run: 0, op: 240.7 },
    'STRIDED_SLICE|copy': { unit: 0.3328, macOutput: 0, run: 53.97, op: 501.1 },
    'SUB|element.float': { unit: 4.666, macOutput: 0, run: 0, op: 409.3 },
    'TRANSPOSE_CONV|mac.float': { unit: 29.39, macOutput: 0, run: 0, op: 0 },
    'TRANSPOSE_CONV|transposeConv.int': { unit: 7.056, macOutput: 5.254, run: 0, op: 1088000 },
    'TRANSPOSE|copy': { unit: 2.534, macOutput: 0, run: 0, op: 0 },
  },
  'cmsis-nn/mve': {
    'ADD|element.int': { unit: 4.628, macOutput: 0, run: 0, op: 0 },
    'AVERAGE_POOL_2D|element.int': { unit: 0.983, macOutput: 0, run: 0, op: 4254 },
    'CONCATENATION|copy': { unit: 0.2795, macOutput: 0, run: 40.01, op: 856.8 },
    'CONV_2D/1x1|conv.int': { unit: 0.163, macOutput: 15.56, run: 0, op: 610.4 },
    'CONV_2D|conv.int': { unit: 0.1762, macOutput: 24.62, run: 0, op: 0 },
    'CUSTOM:TinySegAddFetch|element.int': { unit: 50.76, macOutput: 0, run: 0, op: 0 },
    'CUSTOM:TinySegConcatConv|tinysegConv.int': { unit: 0.6364, macOutput: 0, run: 0, op: 0 },
    'CUSTOM:TinySegFetch|spill': { unit: 1.47, macOutput: 0, run: 99.33, op: 3695 },
    'CUSTOM:TinySegSpill|spill': { unit: 1.414, macOutput: 0, run: 46.83, op: 2587 },
    'DEPTHWISE_CONV_2D/3x3|depthwise.int': { unit: 2.425, macOutput: 0, run: 0, op: 6196 },
    'DEPTHWISE_CONV_2D|depthwise.int': { unit: 3.728, macOutput: 0, run: 0, op: 0 },
    'DEPTH_TO_SPACE|copy': { unit: 14, macOutput: 0, run: 0, op: 0 },
    'FULLY_CONNECTED|fc.int': { unit: 0.4414, macOutput: 29.42, run: 0, op: 0 },
    'LOGISTIC|element.int': { unit: 49.47, macOutput: 0, run: 0, op: 0 },
    'MAX_POOL_2D|element.int': { unit: 2.298, macOutput: 0, run: 0, op: 802.1 },
    'MEAN|element.int': { unit: 154.7, macOutput: 0, run: 0, op: 0 },
    'PAD|copy': { unit: 0.09564, macOutput: 0, run: 0, op: 1027 },
    'QUANTIZE|element.int': { unit: 2, macOutput: 0, run: 0, op: 168.8 },
    'RELU|element.int': { unit: 25.77, macOutput: 0, run: 0, op: 88050 },
    'RESHAPE|copy': { unit: 0.3807, macOutput: 0, run: 0, op: 0 },
    'RESIZE_BILINEAR|element.int': { unit: 112.7, macOutput: 0, run: 0, op: 0 },
    'RESIZE_NEAREST_NEIGHBOR|element.int': { unit: 3.448, macOutput: 0, run: 0, op: 0 },
    'SOFTMAX|element.int': { unit: 72.62, macOutput: 0, run: 0, op: 1186 },
    'STRIDED_SLICE|copy': { unit: 0.3423, macOutput: 0, run: 53.75, op: 651.2 },
    'TRANSPOSE_CONV|transposeConv.int': { unit: 0.6203, macOutput: 34.76, run: 0, op: 0 },
    'TRANSPOSE|copy': { unit: 2.032, macOutput: 0, run: 0, op: 0 },
  },
  // </op-costs>
};

export interface OpCompute {
  /** Its kind for OP_COSTS: the op key, and for convolutions the shape class the kernels dispatch on (`CONV_2D/1x1`). */
  kind: string;
  macs: number;
  elementOps: number;
  /** The family its MACs or element ops are charged to. */
  feature: ComputeFeature;
  /** Output elements of an integer MAC operator (each is requantized once): charged to `macOutput.int`. */
  macOutputs: number;
  /**
   * The contiguous runs a copy moves, one memcpy each: a slice copies one run per
   * innermost row, a concatenation one per input per outer index, a spill or fetch of
   * some channels one per pixel. Priced only per operator kind (OP_COSTS): a channel
   * slice of the same bytes costs ~6x a row slice.
   */
  runs: number;
  /**
   * The elements of the im2col columns a convolution builds, one per output pixel (filter taps x input channels):
   * CMSIS-NN's CONV_2D shares each among its output channels, so with few of them it costs more per MAC. 0 for
   * other operators.
   */
  im2col: number;
}

const count = (t: Tensor | undefined): number => (t ? t.shape.reduce((a, b) => a * b, 1) : 0);
const isFloat = (t: Tensor | undefined): boolean => t !== undefined && (t.dtype === 'float32' || t.dtype === 'float16' || t.dtype === 'float64');

/** An operator's (first) output; a TinySegConcatConv band's rows where it writes them to the spill region. */
const outputOf = (sg: Subgraph, op: GraphOp): Tensor | undefined =>
  opKey(op) === customKey(CONCAT_CONV) ? ((concatConvOutput(op, sg.tensors) as Tensor | null) ?? undefined) : sg.tensors[op.outputs[0] ?? -1];

/** MACs of one conv-family, fully connected or batch matmul operator; null for other operators. */
function macsOf(
  sg: Subgraph,
  op: GraphOp,
  out: Tensor | undefined,
): { macs: number; family: 'conv' | 'depthwise' | 'fc' | 'transposeConv' | 'tinysegConv' | 'tinysegTransposeConv'; runs?: number } | null {
  const t = (i: number) => sg.tensors[op.inputs[i] ?? -1];
  const key = opKey(op);
  const filterMacs = (filter: Tensor | undefined, outChannels: number | undefined) =>
    filter && outChannels ? (count(out) * count(filter)) / outChannels : 0;
  switch (key) {
    case 'CONV_2D':
      return { macs: filterMacs(t(1), t(1)?.shape[0]), family: 'conv' };
    case customKey(CONCAT_CONV):
      return decodeConcatConvOptions(op.customOptions).depthMultiplier === undefined
        ? { macs: filterMacs(t(0), t(0)?.shape[0]), family: 'tinysegConv' }
        : { macs: filterMacs(t(0), t(0)?.shape[3]), family: 'depthwise' };
    case 'DEPTHWISE_CONV_2D':
      return { macs: filterMacs(t(1), t(1)?.shape[t(1)!.shape.length - 1]), family: 'depthwise' };
    case customKey(CONV_IN_PLACE):
      return decodeConvInPlaceOptions(op.customOptions).depthwise
        ? { macs: filterMacs(t(1), t(1)?.shape[t(1)!.shape.length - 1]), family: 'depthwise' }
        : { macs: filterMacs(t(1), t(1)?.shape[0]), family: 'conv' };
    case 'FULLY_CONNECTED':
      return { macs: filterMacs(t(1), t(1)?.shape[0]), family: 'fc' };
    case 'BATCH_MATMUL': {
      // Output elements times the reduced dimension (the left operand's last, or its second to last when adjoint).
      const lhs = t(0);
      const adj = op.optionsType === 'BatchMatMulOptions' && builtinOptions(op, 'BatchMatMulOptions').adjX;
      const k = lhs ? (lhs.shape[lhs.shape.length - (adj ? 2 : 1)] ?? 0) : 0;
      return { macs: count(out) * k, family: 'fc' };
    }
    case 'TRANSPOSE_CONV': {
      // Every input element meets every filter tap of every output channel.
      const filter = t(1);
      const inChannels = filter?.shape[filter.shape.length - 1];
      const macs = filter && inChannels ? (count(t(2)) * count(filter)) / inChannels : 0;
      return { macs, family: 'transposeConv' };
    }
    case customKey(TRANSPOSE_CONV_GATHER): {
      // One dot product over the input channels per output channel of each (output pixel, tap) pair: its runs.
      const pairs = gatherTaps(sg, op);
      return { macs: pairs * (t(1)?.shape[3] ?? 0) * (t(1)?.shape[0] ?? 0), family: 'tinysegTransposeConv', runs: pairs };
    }
    default:
      return null;
  }
}

/**
 * The (output pixel, filter tap) pairs a TinySegTransposeConv sums: the taps that land inside the output, the whole
 * output's for a band's rows. Each is one dot product over the input channels per output channel.
 */
function gatherTaps(sg: Subgraph, op: GraphOp): number {
  const [filter, x, y] = [sg.tensors[op.inputs[1] ?? -1], sg.tensors[op.inputs[2] ?? -1], sg.tensors[op.outputs[0] ?? -1]];
  if (filter?.shape.length !== 4 || x?.shape.length !== 4 || y?.shape.length !== 4) return 0;
  const o = decodeTransposeConvGatherOptions(op.customOptions);
  const [, kH, kW] = filter.shape as [number, number, number, number];
  const [batches, outH, outW] = y.shape as [number, number, number, number];
  const [outHeight, inHeight, first] = o.band ? [o.band.outHeight, o.band.inHeight, o.band.firstOutRow] : [outH, x.shape[1]!, 0];
  // Along one axis: the taps landing on outputs [from, to) of `whole`, one per input element that reaches each.
  const taps = (whole: number, from: number, to: number, k: number, stride: number, inputs: number) => {
    const pad = transposePad(o.padding, whole, k, stride);
    let n = 0;
    for (let i = from; i < to; i++) {
      const [lo, hi] = transposeSources(inputs, pad, k, stride, i);
      n += Math.max(0, hi - lo + 1);
    }
    return n;
  };
  return batches * taps(outHeight, first, first + outH, kH, o.strideH, inHeight) * taps(outW, 0, outW, kW, o.strideW, x.shape[2]!);
}

/** Operators that only move bytes (any type): charged to `copy`. */
const COPIES = new Set(['CONCATENATION', 'STRIDED_SLICE', 'SLICE', 'PAD', 'PADV2', 'RESHAPE', 'SQUEEZE', 'EXPAND_DIMS', 'DEPTH_TO_SPACE', 'SPACE_TO_DEPTH', 'TRANSPOSE', 'GATHER', 'PACK', 'UNPACK', 'SPLIT', 'SPLIT_V']);
export const isCopy = (op: GraphOp): boolean => COPIES.has(op.opcode) || opKey(op) === customKey(CONCAT_FETCH);

/** The elements an element op reads: its activation inputs, except where it reads less (slices) or more (pool windows). */
function readsOf(sg: Subgraph, op: GraphOp): number {
  const out = sg.tensors[op.outputs[0] ?? -1];
  switch (op.opcode) {
    case 'STRIDED_SLICE':
    case 'SLICE':
    case 'GATHER':
      return count(out);
    case 'AVERAGE_POOL_2D':
    case 'MAX_POOL_2D': {
      const o = builtinOptions(op, 'Pool2DOptions');
      return count(out) * o.filterHeight * o.filterWidth;
    }
    default:
      return op.inputs.reduce((n, i) => {
        const x = sg.tensors[i];
        return x && x.kind !== 'constant' ? n + count(x) : n;
      }, 0);
  }
}

/** The contiguous runs a copy operator moves (OpCompute.runs); 0 for other operators. */
function runsOf(sg: Subgraph, op: GraphOp): number {
  const out = sg.tensors[op.outputs[0] ?? -1];
  if (!out) return 0;
  const last = out.shape[out.shape.length - 1] ?? 1;
  switch (op.opcode) {
    case 'STRIDED_SLICE':
    case 'SLICE':
      return last > 0 ? count(out) / last : 0;
    case 'CONCATENATION': {
      const rank = out.shape.length;
      const axis = op.optionsType === 'ConcatenationOptions' ? builtinOptions(op, 'ConcatenationOptions').axis : 0;
      const a = axis < 0 ? axis + rank : axis;
      return out.shape.slice(0, a).reduce((n, d) => n * d, 1) * op.inputs.length;
    }
    default:
      return opKey(op) === customKey(CONCAT_FETCH) && last > 0 ? count(out) / last : 0;
  }
}

/**
 * The kernel path a convolution takes in every set we price: CMSIS-NN and the
 * reference kernels both treat a pointwise (1x1, stride 1, unpadded) convolution
 * as a matrix product, and CMSIS-NN runs a 3x3 depthwise convolution of
 * multiplier 1 through a kernel of its own; the other shapes go through im2col.
 */
function kindOf(sg: Subgraph, op: GraphOp): string {
  const key = opKey(op);
  // A spill or fetch of some channels moves each pixel's run through the runtime's staging blocks; one of whole rows
  // moves straight between tensor and region (docs/runtime.md): two kinds.
  if (key === customKey(SPILL) || key === customKey(FETCH)) return movesChannels(sg, op) ? `${key}/channels` : key;
  if (key === customKey(CONV_IN_PLACE)) return `${key}/${kindOf(sg, builtinOfConvInPlace(op))}`;
  if (key === customKey(CONCAT_CONV)) {
    const o = decodeConcatConvOptions(op.customOptions);
    if (o.firstRow === undefined) return key;
    return `${o.depthMultiplier === undefined ? CONV_BAND : DEPTHWISE_BAND}${kindOf(sg, builtinOfConcatConv(op, o))}`;
  }
  const filter = sg.tensors[op.inputs[1] ?? -1];
  if (!filter || filter.shape.length !== 4) return key;
  if (op.opcode === 'CONV_2D') {
    const o = builtinOptions(op, 'Conv2DOptions');
    return filter.shape[1] === 1 && filter.shape[2] === 1 && o.strideH === 1 && o.strideW === 1 ? `${key}/1x1` : key;
  }
  if (op.opcode === 'DEPTHWISE_CONV_2D') {
    const o = builtinOptions(op, 'DepthwiseConv2DOptions');
    return filter.shape[1] === 3 && filter.shape[2] === 3 && o.depthMultiplier <= 1 && o.dilationHFactor === 1 && o.dilationWFactor === 1 ? `${key}/3x3` : key;
  }
  return key;
}

/** Whether a TinySegSpill or TinySegFetch moves a slice of its tensor's channels (not whole rows). */
function movesChannels(sg: Subgraph, op: GraphOp): boolean {
  const fetch = opKey(op) === customKey(FETCH);
  const o: FetchOptions = fetch ? decodeFetchOptions(op.customOptions) : decodeSpillOptions(op.customOptions);
  const t = sg.tensors[(fetch ? op.outputs[0] : op.inputs[0]) ?? -1];
  const channels = t?.shape[t.shape.length - 1] ?? 0;
  return channels > 0 && o.count < channels;
}

/** What one operator computes. */
export function opCompute(sg: Subgraph, op: GraphOp): OpCompute {
  const kind = kindOf(sg, op);
  return { kind: isUint8Arithmetic(sg, op) ? `${UINT8_ARITHMETIC}${kind}` : kind, ...opWork(sg, op) };
}

/** Whether `op` computes on uint8 (its output's type; a spill's input's): not a copy, which moves bytes of any type alike. */
function isUint8Arithmetic(sg: Subgraph, op: GraphOp): boolean {
  if (isCopy(op)) return false;
  const typed = outputOf(sg, op) ?? sg.tensors[op.inputs[0] ?? -1];
  return typed?.dtype === 'uint8';
}

function opWork(sg: Subgraph, op: GraphOp): Omit<OpCompute, 'kind'> {
  const out = outputOf(sg, op);
  const m = macsOf(sg, op, out);
  if (m) {
    const outChannels = out?.shape[out.shape.length - 1] ?? 0;
    const im2col = op.opcode === 'CONV_2D' && outChannels > 0 ? m.macs / outChannels : 0;
    return isFloat(out)
      ? { macs: m.macs, elementOps: 0, feature: 'mac.float', macOutputs: 0, runs: 0, im2col }
      : { macs: m.macs, elementOps: 0, feature: `${m.family}.int`, macOutputs: count(out), runs: m.runs ?? 0, im2col };
  }
  // A spill or a fetch moves its slot's bytes, in TinySeg's runtime.
  if (opKey(op) === customKey(SPILL) || opKey(op) === customKey(FETCH)) {
    const fetch = opKey(op) === customKey(FETCH);
    const o: FetchOptions = fetch ? decodeFetchOptions(op.customOptions) : decodeSpillOptions(op.customOptions);
    const t = fetch ? out : sg.tensors[op.inputs[0] ?? -1];
    const channels = t?.shape[t.shape.length - 1] ?? 0;
    // A slice of channels moves one run per row; a padded fetch one per image row inside its frame, and it writes
    // its frame too (priced as moved bytes: a fill costs no more than a copy).
    const runs = o.pad && t ? fetchedShape(t.shape, o)[1]! : channels > 0 && o.count < channels ? count(t) / channels : 1;
    return { macs: 0, elementOps: o.pad && t ? t.byteSize : o.bytes, feature: 'spill', macOutputs: 0, runs, im2col: 0 };
  }
  const outputs = op.outputs.reduce((n, i) => n + count(sg.tensors[i]), 0);
  // A spill writes no tensor: its type is its input's.
  const typed = out ?? sg.tensors[op.inputs[0] ?? -1];
  const feature = isCopy(op) ? 'copy' : isFloat(typed) ? 'element.float' : 'element.int';
  return { macs: 0, elementOps: outputs + readsOf(sg, op), feature, macOutputs: 0, runs: runsOf(sg, op), im2col: 0 };
}

export interface GraphCompute {
  macs: number;
  elementOps: number;
  ops: number;
  /** The totals per cost family. */
  features: Record<ComputeFeature, number>;
  /** The totals per operator kind (`opKey`) within a family: the prediction's inputs. */
  kinds: Record<string, KindCompute>;
}

/** What the operators of one kind compute together. */
export interface KindCompute {
  feature: ComputeFeature;
  units: number;
  macOutputs: number;
  runs: number;
  im2col: number;
  ops: number;
}

export const emptyFeatures = (): Record<ComputeFeature, number> => Object.fromEntries(COMPUTE_FEATURES.map((f) => [f, 0])) as Record<ComputeFeature, number>;

/** What operators `ops` of `sg` (default: all) compute. */
export function graphCompute(sg: Subgraph, ops: readonly GraphOp[] = sg.ops): GraphCompute {
  const features = emptyFeatures();
  const kinds: Record<string, KindCompute> = {};
  let macs = 0;
  let elementOps = 0;
  for (const op of ops) {
    const c = opCompute(sg, op);
    macs += c.macs;
    elementOps += c.elementOps;
    features[c.feature] += c.macs + c.elementOps;
    features['macOutput.int'] += c.macOutputs;
    // One operator kind can fall in two families (a float and an int8 conv).
    const kind = bucket(kinds, c.kind, c.feature);
    kind.units += c.macs + c.elementOps;
    kind.macOutputs += c.macOutputs;
    kind.runs += c.runs;
    kind.im2col += c.im2col;
    kind.ops++;
    const concatConv = opKey(op) === customKey(CONCAT_CONV) ? decodeConcatConvOptions(op.customOptions) : null;
    const y = outputOf(sg, op);
    const staging = concatConv ? concatConvStaging(op, sg.tensors) : null;
    if (staging) {
      const s = bucket(kinds, BAND_STAGING, 'copy');
      s.units += staging.bytes;
      s.runs += staging.rows;
      s.ops++;
      // Row by row, or a chunk of rows per call where the rows go to the region in more than one chunk.
      const chunk = concatConv!.out && y && concatConv!.out.chunk < y.shape[1]! ? concatConv!.out.chunk : 0;
      const byRows = c.feature === 'tinysegConv.int' && (concatConvRowByRow(concatConv!) || chunk > 0);
      const calls = byRows ? rowCallShare(sg, op, Math.max(1, chunk) * (y?.shape[2] ?? 0)) * c.macs : 0;
      if (calls > 0) {
        const r = bucket(kinds, ROW_CALLS, 'conv.int');
        r.units += calls;
        r.ops++;
      }
    }
    // A TinySegConvInPlace conv calls the set's conv once per output row, as a TinySegConcatConv band row by row.
    if (opKey(op) === customKey(CONV_IN_PLACE) && c.feature === 'conv.int' && y) {
      const r = bucket(kinds, ROW_CALLS, 'conv.int');
      r.units += rowCallShare(sg, builtinOfConvInPlace(op), y.shape[2] ?? 0) * c.macs;
      r.ops++;
    }
    // An int8 CONV_2D the builtin runs on a fetched band (layer streaming's): one call on the band's pixels, which
    // leaves CMSIS-NN's blocked kernels short work, as a TinySegConcatConv's call of that many rows (its share per
    // pixel only: the builtin has no per-row staging; on a tensor fetched whole that is next to nothing).
    if (op.opcode === 'CONV_2D' && c.feature === 'conv.int' && isFetched(sg, op)) {
      const r = bucket(kinds, ROW_CALLS, 'conv.int');
      r.units += rowCallShare(sg, op, (y?.shape[1] ?? 0) * (y?.shape[2] ?? 0), false) * c.macs;
      r.ops++;
    }
    // A band that writes its rows to the region: one runtime write per chunk of rows (ROW_WRITES).
    if (concatConv?.out && y) {
      const w = bucket(kinds, ROW_WRITES, 'spill');
      w.units += y.byteSize;
      w.runs += Math.ceil(y.shape[1]! / concatConv.out.chunk);
      w.ops++;
      features.spill += y.byteSize;
    }
  }
  features.op = ops.length;
  return { macs, elementOps, ops: ops.length, features, kinds };
}

/** Whether `op`'s input is what a TinySegFetch wrote (a band of a streamed tensor's rows, framed or not, or a tensor). */
function isFetched(sg: Subgraph, op: GraphOp): boolean {
  const k = sg.producerOf(op.inputs[0] ?? -1);
  return k >= 0 && opKey(sg.ops[k]!) === customKey(FETCH);
}

/** What the operators of kind `kind` and family `feature` compute together, started at nothing. */
const bucket = (kinds: Record<string, KindCompute>, kind: string, feature: ComputeFeature): KindCompute =>
  (kinds[`${kind}|${feature}`] ??= { feature, units: 0, macOutputs: 0, runs: 0, im2col: 0, ops: 0 });

/**
 * The share of an int8 CONV_2D band's MACs its calls of `pixels` output pixels each add under CMSIS-NN
 * (CONCAT_CONV_ROW_CALLS, measured on calls of one row: a call of rows x the width pixels is one of that width).
 */
function rowCallShare(sg: Subgraph, op: GraphOp, pixels: number, perRow = true): number {
  const filter = sg.tensors[op.inputs[op.opcode === 'CONV_2D' ? 1 : 0] ?? -1];
  if (!filter || filter.shape.length !== 4 || pixels <= 0) return 0;
  const r = filter.shape[1] === 1 && filter.shape[2] === 1 ? CONCAT_CONV_ROW_CALLS.pointwise : CONCAT_CONV_ROW_CALLS.other;
  return r.perWidth / pixels + (perRow ? r.flat : 0);
}

/**
 * The kernels a prediction is for: a kernel set, or a set on a core ISA. Costs
 * measured on that core come first (`OP_COSTS['cmsis-nn/mve']`: CMSIS-NN's
 * Helium kernels on a Cortex-M55), then the set's (measured on a Cortex-M4).
 */
export type ComputeKernels = ComputeKernelSet | { set: ComputeKernelSet; isa: CoreIsa };

/** Predicted Invoke() instructions of operators `ops` of `sg` under `kernels` (what a rewrite adds or saves). */
export const predictOps = (sg: Subgraph, ops: readonly GraphOp[], kernels: ComputeKernels): number => predictInvoke(graphCompute(sg, ops), kernels);

/**
 * TinySegConvInPlace runs the set's kernel of the builtin it computes (CMSIS-NN's in its build), one call per output
 * row: its kind is `CUSTOM:TinySegConvInPlace/<the builtin's kind>`, priced as that builtin in the set, a conv's calls
 * apart (ROW_CALLS), as a TinySegConcatConv band's (the row queue's copy, about one byte move per output byte, is not
 * priced).
 */
const CONV_IN_PLACE_KIND = `${customKey(CONV_IN_PLACE)}/`;

/**
 * An operator that computes on uint8 (TFLite's first quantization scheme; kind `uint8:<its kind>`): CMSIS-NN's
 * kernels take int8 and int16 only, so a CMSIS-NN build has no faster path for it than the reference arithmetic,
 * and it is priced with the reference kernels' costs in every set, as float32 is. (TFLM refuses most uint8 operators
 * outright: such a model is planned only, and its budget is then kept on the arithmetic it names, not on int8's.)
 */
const UINT8_ARITHMETIC = 'uint8:';

/**
 * A depthwise TinySegConcatConv band (`CUSTOM:TinySegConcatConv:depthwise/DEPTHWISE_CONV_2D...`) calls the set's
 * int8 depthwise kernel row by row (CMSIS-NN's in its build), priced as that builtin; float32 runs the reference one.
 */
const DEPTHWISE_BAND = `${customKey(CONCAT_CONV)}:depthwise/`;

/**
 * A TinySegConcatConv band of a CONV_2D (`CUSTOM:TinySegConcatConv:band/<the builtin's kind>`) calls the set's conv
 * (CMSIS-NN's for int8 in its build) row by row, or once on its rows in place: priced as that builtin in the set (its
 * per-output and per-call costs too, which the whole operator's own measured cost folds into its MACs), its staging
 * and its calls apart (CONCAT_CONV_BAND_STAGING), as a depthwise band's.
 */
const CONV_BAND = `${customKey(CONCAT_CONV)}:band/`;

/** The cost of one operator kind: its own where measured (on the core, else on a Cortex-M4; its shape class's, else its key's), else its family's. */
export function opCost(kind: string, feature: ComputeFeature, kernels: ComputeKernels): OpCost {
  if (kind === BAND_STAGING) return CONCAT_CONV_BAND_STAGING;
  if (kind === ROW_WRITES) return { unit: opCost(customKey(SPILL), 'spill', kernels).unit, macOutput: 0, run: CONCAT_CONV_ROW_WRITE_RUN, op: 0 };
  if (kind === ROW_CALLS) {
    const set = typeof kernels === 'string' ? kernels : kernels.set;
    return { unit: set === 'reference' ? 0 : INVOKE_COEFFICIENTS[set]['conv.int'], macOutput: 0, run: 0, op: 0 };
  }
  if (kind.startsWith(UINT8_ARITHMETIC)) {
    kind = kind.slice(UINT8_ARITHMETIC.length);
    kernels = 'reference';
  }
  if (kind.startsWith(CONV_IN_PLACE_KIND)) kind = kind.slice(CONV_IN_PLACE_KIND.length);
  if (kind.startsWith(DEPTHWISE_BAND)) {
    kind = kind.slice(DEPTHWISE_BAND.length);
    if (feature !== 'depthwise.int') kernels = 'reference';
  }
  if (kind.startsWith(CONV_BAND)) {
    kind = kind.slice(CONV_BAND.length);
    if (feature === 'tinysegConv.int') feature = 'conv.int';
  }
  const set = typeof kernels === 'string' ? kernels : kernels.set;
  const core = typeof kernels === 'string' ? undefined : OP_COSTS[`${set}/${kernels.isa}`];
  for (const costs of core ? [core, OP_COSTS[set]] : [OP_COSTS[set]]) {
    const own = costs[`${kind}|${feature}`] ?? costs[`${kind.split('/')[0]}|${feature}`];
    if (own) return own;
  }
  const k = INVOKE_COEFFICIENTS[set];
  return { unit: k[feature], macOutput: k['macOutput.int'], run: 0, op: k.op };
}

/** Predicted Invoke() instructions under `kernels`. */
export function predictInvoke(c: Pick<GraphCompute, 'kinds'>, kernels: ComputeKernels = 'reference'): number {
  let n = 0;
  for (const [kind, v] of Object.entries(c.kinds)) {
    const cost = opCost(kind.slice(0, kind.lastIndexOf('|')), v.feature, kernels);
    n += cost.unit * v.units + cost.macOutput * v.macOutputs + cost.run * v.runs + (cost.im2col ?? 0) * v.im2col + cost.op * v.ops;
  }
  return n;
}
