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
import { builtinParams, REFERENCE_KERNELS, initBytes, opDataKnown, prepareBytes, scratchRequests, type Kernels } from '../ops/registry.js';
import { opKey } from '../graph/op-key.js';
import { ARENA_ALIGNMENT } from './alignment.js';
import { ONLINE } from './offline-plan.js';


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

/**
 * The persistent allocations of AllocateTensors(), in TFLM's order. What each
 * operator's kernel allocates (builtin params, op data, scratch handles) is
 * the operator registry's, for the kernels of `kernels`.
 */
export function tailAllocations(graph: Graph, offline: Int32Array | null = null, kernels: Kernels = REFERENCE_KERNELS): TailAllocation[] {
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
      const p = builtinParams(op);
      if (p) push('builtin op params', p[0], p[1]);
    }
  }
  for (const sg of subgraphs) {
    for (const op of sg.ops) {
      const bytes = initBytes(op, kernels);
      if (bytes) push('kernel op data', bytes, ARENA_ALIGNMENT);
    }
  }
  let scratchCount = 0;
  for (const sg of subgraphs) {
    for (const op of sg.ops) {
      for (const bytes of prepareBytes(op, sg.tensors, kernels)) push('kernel op data', bytes, ARENA_ALIGNMENT);
      scratchCount += scratchRequests(op, sg.tensors, kernels).length;
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
export function estimateTail32(graph: Graph, offline: Int32Array | null = null, kernels: Kernels = REFERENCE_KERNELS): TailEstimate {
  let tail = 0;
  const parts: { name: TailPart; bytes: number }[] = [];
  for (const a of tailAllocations(graph, offline, kernels)) {
    const next = Math.ceil((tail + a.bytes) / a.align) * a.align;
    const last = parts[parts.length - 1];
    if (last && last.name === a.part) last.bytes += next - tail;
    else parts.push({ name: a.part, bytes: next - tail });
    tail = next;
  }
  const unknownOps = new Set<string>();
  for (const sg of graph.subgraphs as readonly Subgraph[]) {
    for (const op of sg.ops) if (!opDataKnown(op, kernels)) unknownOps.add(opKey(op));
  }
  return { bytes: tail, parts: mergeParts(parts), unknownOps: [...unknownOps] };
}

function mergeParts(parts: { name: TailPart; bytes: number }[]): { name: TailPart; bytes: number }[] {
  const byName = new Map<TailPart, number>();
  for (const p of parts) byName.set(p.name, (byName.get(p.name) ?? 0) + p.bytes);
  return [...byName].map(([name, bytes]) => ({ name, bytes }));
}
