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
import { CONCAT_CONV, CONCAT_FETCH, decodeSpillOptions, FETCH, SPILL, TRANSPOSE_CONV_GATHER } from '../ops/tinyseg/custom-ops.js';

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
 * Instructions per byte TinySeg's C runtime takes to spill or fetch (bench/qemu.js, RAM driver, ~1,435 per KiB):
 * measured, not fitted (the original models have no spills).
 */
export const SPILL_INSTRUCTIONS_PER_BYTE = 1.4;

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

export interface OpCompute {
  macs: number;
  elementOps: number;
  /** The family its MACs or element ops are charged to. */
  feature: ComputeFeature;
  /** Output elements of an integer MAC operator (each is requantized once): charged to `macOutput.int`. */
  macOutputs: number;
}

const count = (t: Tensor | undefined): number => (t ? t.shape.reduce((a, b) => a * b, 1) : 0);
const isFloat = (t: Tensor | undefined): boolean => t !== undefined && (t.dtype === 'float32' || t.dtype === 'float16' || t.dtype === 'float64');

/** MACs of one conv-family, fully connected or batch matmul operator; null for other operators. */
function macsOf(sg: Subgraph, op: GraphOp): { macs: number; family: 'conv' | 'depthwise' | 'fc' | 'transposeConv' | 'tinysegConv' | 'tinysegTransposeConv' } | null {
  const t = (i: number) => sg.tensors[op.inputs[i] ?? -1];
  const out = sg.tensors[op.outputs[0] ?? -1];
  const key = opKey(op);
  const filterMacs = (filter: Tensor | undefined, outChannels: number | undefined) =>
    filter && outChannels ? (count(out) * count(filter)) / outChannels : 0;
  switch (key) {
    case 'CONV_2D':
      return { macs: filterMacs(t(1), t(1)?.shape[0]), family: 'conv' };
    case customKey(CONCAT_CONV):
      return { macs: filterMacs(t(0), t(0)?.shape[0]), family: 'tinysegConv' };
    case 'DEPTHWISE_CONV_2D':
      return { macs: filterMacs(t(1), t(1)?.shape[t(1)!.shape.length - 1]), family: 'depthwise' };
    case 'FULLY_CONNECTED':
      return { macs: filterMacs(t(1), t(1)?.shape[0]), family: 'fc' };
    case 'BATCH_MATMUL': {
      // Output elements times the reduced dimension (the left operand's last, or its second to last when adjoint).
      const lhs = t(0);
      const adj = op.optionsType === 'BatchMatMulOptions' && builtinOptions(op, 'BatchMatMulOptions').adjX;
      const k = lhs ? (lhs.shape[lhs.shape.length - (adj ? 2 : 1)] ?? 0) : 0;
      return { macs: count(out) * k, family: 'fc' };
    }
    case 'TRANSPOSE_CONV':
    case customKey(TRANSPOSE_CONV_GATHER): {
      // Every input element meets every filter tap of every output channel.
      const filter = t(1);
      const inChannels = filter?.shape[filter.shape.length - 1];
      const macs = filter && inChannels ? (count(t(2)) * count(filter)) / inChannels : 0;
      return { macs, family: key === 'TRANSPOSE_CONV' ? 'transposeConv' : 'tinysegTransposeConv' };
    }
    default:
      return null;
  }
}

/** Operators that only move bytes (any type): charged to `copy`. */
const COPIES = new Set(['CONCATENATION', 'STRIDED_SLICE', 'SLICE', 'PAD', 'PADV2', 'RESHAPE', 'SQUEEZE', 'EXPAND_DIMS', 'DEPTH_TO_SPACE', 'SPACE_TO_DEPTH', 'TRANSPOSE', 'GATHER', 'PACK', 'UNPACK', 'SPLIT', 'SPLIT_V']);
const isCopy = (op: GraphOp): boolean => COPIES.has(op.opcode) || opKey(op) === customKey(CONCAT_FETCH);

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

/** What one operator computes. */
export function opCompute(sg: Subgraph, op: GraphOp): OpCompute {
  const m = macsOf(sg, op);
  const out = sg.tensors[op.outputs[0] ?? -1];
  if (m) return isFloat(out) ? { macs: m.macs, elementOps: 0, feature: 'mac.float', macOutputs: 0 } : { macs: m.macs, elementOps: 0, feature: `${m.family}.int`, macOutputs: count(out) };
  // A spill or a fetch moves its slot's bytes, in TinySeg's runtime.
  if (opKey(op) === customKey(SPILL) || opKey(op) === customKey(FETCH)) {
    return { macs: 0, elementOps: decodeSpillOptions(op.customOptions, op.customCode ?? SPILL).bytes, feature: 'spill', macOutputs: 0 };
  }
  const outputs = op.outputs.reduce((n, i) => n + count(sg.tensors[i]), 0);
  // A spill writes no tensor: its type is its input's.
  const typed = out ?? sg.tensors[op.inputs[0] ?? -1];
  const feature = isCopy(op) ? 'copy' : isFloat(typed) ? 'element.float' : 'element.int';
  return { macs: 0, elementOps: outputs + readsOf(sg, op), feature, macOutputs: 0 };
}

export interface GraphCompute {
  macs: number;
  elementOps: number;
  ops: number;
  /** The totals per cost family (the prediction's inputs). */
  features: Record<ComputeFeature, number>;
}

export const emptyFeatures = (): Record<ComputeFeature, number> => Object.fromEntries(COMPUTE_FEATURES.map((f) => [f, 0])) as Record<ComputeFeature, number>;

/** What operators `ops` of `sg` (default: all) compute. */
export function graphCompute(sg: Subgraph, ops: readonly GraphOp[] = sg.ops): GraphCompute {
  const features = emptyFeatures();
  let macs = 0;
  let elementOps = 0;
  for (const op of ops) {
    const c = opCompute(sg, op);
    macs += c.macs;
    elementOps += c.elementOps;
    features[c.feature] += c.macs + c.elementOps;
    features['macOutput.int'] += c.macOutputs;
  }
  features.op = ops.length;
  return { macs, elementOps, ops: ops.length, features };
}

/** Predicted Invoke() instructions of operators `ops` of `sg` on Cortex-M4 under `kernelSet` (what a rewrite adds or saves). */
export const predictOps = (sg: Subgraph, ops: readonly GraphOp[], kernelSet: ComputeKernelSet): number => predictInvoke(graphCompute(sg, ops), kernelSet);

/** Predicted Invoke() instructions on Cortex-M4 under `kernelSet`. */
export function predictInvoke(c: Pick<GraphCompute, 'features'>, kernelSet: ComputeKernelSet = 'reference'): number {
  const k = INVOKE_COEFFICIENTS[kernelSet];
  return COMPUTE_FEATURES.reduce((n, f) => n + k[f] * c.features[f], 0);
}
