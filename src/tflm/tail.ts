// The persistent "tail" of TFLM's arena on a 32-bit target (Cortex-M), by
// replaying the allocations MicroInterpreter::AllocateTensors() makes from the
// end of the arena, in TFLM's order, with TFLM's struct sizes and alignments.
//
// Invariant of the replay: the arena end is 16-byte aligned (TFLM aligns the
// arena start and we size arenas in multiples of 16), so each allocation moves
// the tail pointer to alignDown(tail - bytes, align) measured from the end.
// Struct sizes are those of TFLM 90b983c built for Cortex-M4 with
// TF_LITE_STATIC_MEMORY (arm-none-eabi-gcc, AAPCS: 4-byte pointers, 8-byte
// alignment for 64-bit members). docs/tail-estimate.md lists them and what is
// not covered; test/corpus/tail.test.ts holds the replay to real TFLM.

import type { Graph, Subgraph } from '../graph/graph.js';
import type { GraphOp, GraphTensor } from '../graph/types.js';
import { ARENA_ALIGNMENT } from './alignment.js';
import { ONLINE } from './offline-plan.js';
import { kernelScratchRequests } from './scratch.js';
import { ADD_FETCH, CONCAT_CONV, CONCAT_FETCH, decodeConcatConvOptions, decodeConcatFetchOptions, FETCH, SPILL, TINYSEG_OPS, TRANSPOSE_CONV_GATHER } from '../ops/tinyseg/custom-ops.js';
import { customKey } from '../graph/op-key.js';


/** sizeof / alignof of TFLM runtime structs on a 32-bit target. */
const STRUCT = {
  SingleArenaBufferAllocator: [36, 4],
  GreedyMemoryPlanner: [44, 4],
  MicroAllocator: [36, 4],
  MicroBuiltinDataAllocator: [8, 4],
  SubgraphAllocations: [8, 4],
  TfLiteEvalTensor: [12, 4],
  NodeAndRegistration: [32, 4],
  TfLiteTensor: [32, 4],
  TfLiteAffineQuantization: [12, 4],
  ScratchBufferHandle: [4, 4],
} as const satisfies Record<string, readonly [number, number]>;

/** TfLiteIntArray with n elements (a size field plus the data). */
const intArrayBytes = (n: number): number => 4 + 4 * n;

/**
 * Builtin parameter structs the flatbuffer parser allocates for an operator
 * (MicroBuiltinDataAllocator, size and alignment). Ops whose parse function
 * allocates nothing (RELU, LOGISTIC, PAD, QUANTIZE, TRANSPOSE, ...) are absent.
 */
const BUILTIN_PARAMS: Readonly<Record<string, readonly [number, number]>> = {
  CONV_2D: [28, 4],
  DEPTHWISE_CONV_2D: [28, 4],
  FULLY_CONNECTED: [5, 1],
  TRANSPOSE_CONV: [16, 4],
  AVERAGE_POOL_2D: [40, 4],
  MAX_POOL_2D: [40, 4],
  L2_POOL_2D: [40, 4],
  ADD: [2, 1],
  MUL: [1, 1],
  CONCATENATION: [8, 4],
  RESHAPE: [36, 4],
  SOFTMAX: [4, 4],
  RESIZE_BILINEAR: [2, 1],
  RESIZE_NEAREST_NEIGHBOR: [2, 1],
  MEAN: [1, 1],
  SUM: [1, 1],
  REDUCE_MAX: [1, 1],
  REDUCE_MIN: [1, 1],
  STRIDED_SLICE: [24, 4],
  SPLIT_V: [4, 4],
  DEPTH_TO_SPACE: [4, 4],
  SQUEEZE: [36, 4],
};

/** sizeof the op data a reference kernel's Init allocates (16-byte aligned). */
const KERNEL_INIT_BYTES: Readonly<Record<string, number>> = {
  CONV_2D: 56, // OpDataConv
  DEPTHWISE_CONV_2D: 56, // OpDataConv
  FULLY_CONNECTED: 48, // OpDataFullyConnected
  TRANSPOSE_CONV: 72,
  AVERAGE_POOL_2D: 32, // OpDataPooling
  MAX_POOL_2D: 32,
  ADD: 60, // OpDataAdd
  MUL: 36, // OpDataMul
  CONCATENATION: 24,
  SOFTMAX: 56, // SoftmaxParams
  LOGISTIC: 16, // OpDataLogistic
  RELU: 28, // ReluOpData
  RELU6: 8, // Relu6OpData
  HARD_SWISH: 20, // HardSwishParams
  QUANTIZE: 32, // OpDataQuantizeReference
  DEQUANTIZE: 32, // DequantizeOpData
  MEAN: 44, // OpDataReduce
  SUM: 44,
  REDUCE_MAX: 44,
  REDUCE_MIN: 44,
  PAD: 56,
  PADV2: 56,
  STRIDED_SLICE: 84, // StridedSliceParams
};

/** Ops whose Init and Prepare allocations are modelled (others may allocate more). */
export const TAIL_KNOWN_OPS: ReadonlySet<string> = new Set([
  ...Object.keys(KERNEL_INIT_BYTES),
  ...Object.keys(BUILTIN_PARAMS),
  'RESIZE_BILINEAR',
  'RESIZE_NEAREST_NEIGHBOR',
  'TRANSPOSE',
  'SPLIT_V',
  'SQUEEZE',
  'DEPTH_TO_SPACE',
  'RESHAPE',
]);

/**
 * Op data TinySeg's kernels allocate in Init: the decoded options, four int32
 * for a spill or fetch, a count plus three int32 per part for a fused
 * concatenation fetch, 48 bytes of options and requantization scalars for the
 * transpose conv, 64 (ADD's op data and the region operand) for the fused ADD
 * fetch, the conv's OpDataConv plus the parts for the virtual-concatenation
 * conv (docs/custom-ops.md). 0 for other custom ops.
 */
function tinysegInitBytes(op: GraphOp): number {
  if (op.customCode === SPILL || op.customCode === FETCH) return 16;
  if (op.customCode === CONCAT_FETCH) return 4 + 12 * decodeConcatFetchOptions(op.customOptions).parts.length;
  if (op.customCode === TRANSPOSE_CONV_GATHER) return 48;
  if (op.customCode === ADD_FETCH) return 64;
  if (op.customCode === CONCAT_CONV) return 56 + 4 + 12 * decodeConcatConvOptions(op.customOptions).parts.length;
  return 0;
}

/** Persistent buffers a reference kernel's Prepare allocates (16-byte aligned each). */
function kernelPrepareBytes(op: GraphOp, tensors: readonly GraphTensor[]): number[] {
  const input = (i: number): GraphTensor | undefined => {
    const t = op.inputs[i];
    return t !== undefined && t >= 0 ? tensors[t] : undefined;
  };
  // Per-channel output multiplier and shift, one int32 each per channel.
  const perChannel = (channels: number | undefined): number[] => (channels === undefined ? [] : [4 * channels, 4 * channels]);
  switch (op.opcode) {
    case 'CONV_2D':
      return perChannel(input(1)?.shape[0]);
    case 'DEPTHWISE_CONV_2D':
      return perChannel(input(1)?.shape[3]);
    case 'TRANSPOSE_CONV':
      return perChannel(input(1)?.shape[0]);
    case 'CUSTOM':
      if (op.customCode === TRANSPOSE_CONV_GATHER) return perChannel(input(1)?.shape[0]);
      return op.customCode === CONCAT_CONV ? perChannel(input(0)?.shape[0]) : [];
    case 'FULLY_CONNECTED': {
      const scales = input(1)?.quantization?.scale.length ?? 0;
      return scales > 1 ? perChannel(scales) : [];
    }
    case 'SOFTMAX':
      // int16 softmax builds two 513-entry int16 lookup tables.
      return input(0)?.dtype === 'int16' ? [2 * 513, 2 * 513] : [];
    case 'DEPTH_TO_SPACE': {
      // The output dims are moved out of the flatbuffer into the arena.
      const out = tensors[op.outputs[0] ?? -1];
      return [intArrayBytes(out?.shape.length ?? 0)];
    }
    default:
      return [];
  }
}

export interface TailAllocation {
  part: TailPart;
  bytes: number;
  align: number;
}

export type TailPart =
  | 'allocator and planner'
  | 'TfLiteEvalTensor array'
  | 'NodeAndRegistration array'
  | 'builtin op params'
  | 'kernel op data'
  | 'scratch buffer handles'
  | 'variable tensors'
  | 'input/output TfLiteTensors';

export interface TailEstimate {
  /** Bytes from the arena end to the lowest persistent allocation. */
  bytes: number;
  /** The same bytes by part, alignment padding included, in allocation order. */
  parts: { name: TailPart; bytes: number }[];
  /** Ops whose kernel allocations are not modelled (the tail may be low for them). */
  unknownOps: string[];
}

/** The persistent allocations of AllocateTensors(), in TFLM's order. */
export function tailAllocations(graph: Graph, offline: Int32Array | null = null): TailAllocation[] {
  const out: TailAllocation[] = [];
  const push = (part: TailPart, bytes: number, align: number): void => void out.push({ part, bytes, align });
  const struct = (part: TailPart, name: keyof typeof STRUCT, count = 1): void => push(part, STRUCT[name][0] * count, STRUCT[name][1]);
  const subgraphs = graph.subgraphs;

  // MicroInterpreter's constructor: the allocator objects place themselves in the tail.
  struct('allocator and planner', 'SingleArenaBufferAllocator');
  struct('allocator and planner', 'GreedyMemoryPlanner');
  struct('allocator and planner', 'MicroAllocator');
  // StartModelAllocation.
  struct('allocator and planner', 'MicroBuiltinDataAllocator');
  struct('allocator and planner', 'SubgraphAllocations', subgraphs.length);
  for (const sg of subgraphs) struct('TfLiteEvalTensor array', 'TfLiteEvalTensor', sg.tensors.length);
  for (const sg of subgraphs) struct('NodeAndRegistration array', 'NodeAndRegistration', sg.ops.length);
  // Parsing builtin options, then every kernel's Init, then every Prepare.
  for (const sg of subgraphs) {
    for (const op of sg.ops) {
      const p = op.opcode === 'CUSTOM' ? undefined : BUILTIN_PARAMS[op.opcode];
      if (p) push('builtin op params', p[0], p[1]);
    }
  }
  for (const sg of subgraphs) {
    for (const op of sg.ops) {
      const bytes = op.opcode === 'CUSTOM' ? tinysegInitBytes(op) : KERNEL_INIT_BYTES[op.opcode];
      if (bytes) push('kernel op data', bytes, ARENA_ALIGNMENT);
    }
  }
  let scratchCount = 0;
  for (const sg of subgraphs) {
    for (const op of sg.ops) {
      for (const bytes of kernelPrepareBytes(op, sg.tensors)) push('kernel op data', bytes, ARENA_ALIGNMENT);
      scratchCount += kernelScratchRequests(op, sg.tensors).length;
    }
  }
  // FinishModelAllocation: scratch handles, then variables not planned offline.
  if (scratchCount > 0) struct('scratch buffer handles', 'ScratchBufferHandle', scratchCount);
  subgraphs.forEach((sg, s) => {
    for (const t of sg.tensors) {
      const planned = s === 0 && offline !== null && offline[t.index] !== ONLINE;
      if (t.kind === 'variable' && !planned) push('variable tensors', t.byteSize, ARENA_ALIGNMENT);
    }
  });
  // The interpreter's persistent TfLiteTensors for the model inputs, then outputs.
  const main = graph.main;
  for (const list of [main.inputs, main.outputs]) {
    push('input/output TfLiteTensors', 4 * list.length, ARENA_ALIGNMENT); // the pointer array
    for (const index of list) {
      struct('input/output TfLiteTensors', 'TfLiteTensor');
      const q = main.tensors[index]?.quantization;
      if (q && q.scale.length > 0) {
        struct('input/output TfLiteTensors', 'TfLiteAffineQuantization');
        push('input/output TfLiteTensors', intArrayBytes(q.scale.length), 4); // zero points as int
      }
    }
  }
  return out;
}

/** The tail a 32-bit TFLM build allocates for `graph` (offline: OfflineMemoryAllocation offsets). */
export function estimateTail32(graph: Graph, offline: Int32Array | null = null): TailEstimate {
  let tail = 0;
  const parts: { name: TailPart; bytes: number }[] = [];
  for (const a of tailAllocations(graph, offline)) {
    const next = Math.ceil((tail + a.bytes) / a.align) * a.align;
    const last = parts[parts.length - 1];
    if (last && last.name === a.part) last.bytes += next - tail;
    else parts.push({ name: a.part, bytes: next - tail });
    tail = next;
  }
  const unknownOps = new Set<string>();
  for (const sg of graph.subgraphs as readonly Subgraph[]) {
    for (const op of sg.ops) {
      if (op.opcode === 'CUSTOM') {
        if (!TINYSEG_OPS.includes(op.customCode ?? '')) unknownOps.add(customKey(op.customCode));
      } else if (!TAIL_KNOWN_OPS.has(op.opcode)) unknownOps.add(op.opcode);
    }
  }
  return { bytes: tail, parts: mergeParts(parts), unknownOps: [...unknownOps] };
}

function mergeParts(parts: { name: TailPart; bytes: number }[]): { name: TailPart; bytes: number }[] {
  const byName = new Map<TailPart, number>();
  for (const p of parts) byName.set(p.name, (byName.get(p.name) ?? 0) + p.bytes);
  return [...byName].map(([name, bytes]) => ({ name, bytes }));
}
