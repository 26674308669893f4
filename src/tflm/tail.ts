// The persistent "tail" of TFLM's arena on a 32-bit target (Cortex-M) or a
// 64-bit host, by replaying the allocations MicroInterpreter::AllocateTensors()
// makes from the end of the arena, in TFLM's order, with TFLM's struct sizes
// and alignments.
//
// Invariant of the replay: the arena end is 16-byte aligned (TFLM aligns the
// arena start and we size arenas in multiples of 16), so each allocation moves
// the tail pointer to alignDown(tail - bytes, align) measured from the end.
// Struct sizes are those of TFLM 90b983c built for Cortex-M4 with
// TF_LITE_STATIC_MEMORY (arm-none-eabi-gcc, AAPCS: 4-byte pointers, 8-byte
// alignment for 64-bit members), and of the same TFLM built for x86-64 (LP64).
// docs/tail-estimate.md lists them and what is not covered;
// test/corpus/tail.test.ts holds the replay to real TFLM on both.

import type { Graph, Op, Subgraph } from '../graph/graph.js';
import { builtinParams, REFERENCE_KERNELS, initBytes, opDataKnown, prepareBytes, scratchRequests, type Kernels } from '../ops/registry.js';
import { opKey } from '../graph/op-key.js';
import { ARENA_ALIGNMENT } from './alignment.js';
import { offlineOffsetsAll, ONLINE } from './offline-plan.js';
import { resourcePlan } from '../ops/control/index.js';


/** Pointer width of a TFLM build: 32 (Cortex-M) or 64 (a PC host, for firmware unit tests). */
export type TargetBits = 32 | 64;

/** sizeof / alignof of TFLM runtime structs on a 32-bit target. */
const STRUCT32 = {
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

/** The same on a 64-bit host: pointers and size_t are 8 bytes (vtable pointers too). */
const STRUCT64 = {
  SingleArenaBufferAllocator: [72, 8],
  GreedyMemoryPlanner: [72, 8],
  MicroAllocator: [72, 8],
  MicroBuiltinDataAllocator: [16, 8],
  SubgraphAllocations: [16, 8],
  TfLiteEvalTensor: [24, 8],
  NodeAndRegistration: [64, 8],
  TfLiteTensor: [64, 8],
  TfLiteAffineQuantization: [24, 8],
  ScratchBufferHandle: [8, 8],
} as const satisfies Record<keyof typeof STRUCT32, readonly [number, number]>;

export type TflmStruct = keyof typeof STRUCT32;

/** sizeof / alignof of a TFLM struct on a `bits`-bit build. */
export const structOf = (name: TflmStruct, bits: TargetBits): readonly [number, number] => (bits === 64 ? STRUCT64 : STRUCT32)[name];

/** What one operator adds to the tail: its builtin params, Init's and Prepare's op data, its scratch requests. */
interface OpTail {
  params: readonly [number, number] | undefined;
  init: number;
  prepare: readonly number[];
  scratch: number;
}

/**
 * For the tails of a graph under trial edits: `referencedOnly`, count only the tensors an operator or the graph's
 * inputs or outputs refer to (the file holds no others once a pass drops them); `memo`, each operator's own
 * figures kept between estimates, for one kernel set and pointer width, and valid while the operators it holds keep
 * their operands and those tensors their shapes.
 */
export interface TrialTail {
  referencedOnly?: boolean;
  memo?: WeakMap<Op, OpTail>;
}

/** TfLiteIntArray with n elements (a size field plus the data). */
const intArrayBytes = (n: number): number => 4 + 4 * n;

export interface TailAllocation {
  part: TailPart;
  bytes: number;
  align: number;
  /** For allocations of a kernel's Prepare: the operator's index in its subgraph (subgraph `subgraph`). */
  prepareOf?: { subgraph: number; op: number };
}

export type TailPart =
  | 'allocator and planner'
  | 'TfLiteEvalTensor array'
  | 'NodeAndRegistration array'
  | 'builtin op params'
  | 'kernel op data'
  | 'scratch buffer handles'
  | 'variable tensors'
  | 'resource variables'
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
export function tailAllocations(
  graph: Graph,
  offline: Int32Array | null = null,
  kernels: Kernels = REFERENCE_KERNELS,
  bits: TargetBits = 32,
  trial: TrialTail = {},
): TailAllocation[] {
  const out: TailAllocation[] = [];
  const pointer = bits / 8;
  const push = (part: TailPart, bytes: number, align: number): void => void out.push({ part, bytes, align });
  const struct = (part: TailPart, name: TflmStruct, count = 1): void => push(part, structOf(name, bits)[0] * count, structOf(name, bits)[1]);
  const subgraphs = graph.subgraphs;

  // MicroInterpreter's constructor: the allocator objects place themselves in the tail.
  struct('allocator and planner', 'SingleArenaBufferAllocator');
  struct('allocator and planner', 'GreedyMemoryPlanner');
  struct('allocator and planner', 'MicroAllocator');
  // The application's MicroResourceVariables::Create(allocator, slots) on the same allocator, before the
  // interpreter: the object, then its slot array (MicroArenaBufferAlignment both).
  const resources = resourcePlan(graph);
  if (resources.slots > 0) {
    push('resource variables', bits === 64 ? 16 : 12, ARENA_ALIGNMENT);
    push('resource variables', (bits === 64 ? 40 : 20) * resources.slots, ARENA_ALIGNMENT);
  }
  // StartModelAllocation.
  struct('allocator and planner', 'MicroBuiltinDataAllocator');
  struct('allocator and planner', 'SubgraphAllocations', subgraphs.length);
  // The tensors the file will hold once the unreferenced ones go (a trial edit leaves them).
  const tensorCount = (sg: Subgraph) => (trial.referencedOnly ? sg.referencedTensors().reduce((n, u) => n + u, 0) : sg.tensors.length);
  const opTail = (op: Op, sg: Subgraph): OpTail => {
    let t = trial.memo?.get(op);
    if (!t) {
      t = {
        params: builtinParams(op, bits),
        init: initBytes(op, kernels, bits),
        prepare: prepareBytes(op, sg.tensors, kernels),
        scratch: scratchRequests(op, sg.tensors, kernels).length,
      };
      trial.memo?.set(op, t);
    }
    return t;
  };
  for (const sg of subgraphs) struct('TfLiteEvalTensor array', 'TfLiteEvalTensor', tensorCount(sg));
  for (const sg of subgraphs) struct('NodeAndRegistration array', 'NodeAndRegistration', sg.ops.length);
  // Parsing builtin options, then every kernel's Init, then every Prepare.
  for (const sg of subgraphs) {
    for (const op of sg.ops) {
      const p = opTail(op, sg).params;
      if (p) push('builtin op params', p[0], p[1]);
    }
  }
  for (const sg of subgraphs) {
    for (const op of sg.ops) {
      const bytes = opTail(op, sg).init;
      if (bytes) push('kernel op data', bytes, ARENA_ALIGNMENT);
    }
  }
  let scratchCount = 0;
  subgraphs.forEach((sg, subgraph) => {
    sg.ops.forEach((op, i) => {
      const t = opTail(op, sg);
      for (const bytes of t.prepare) {
        out.push({ part: 'kernel op data', bytes, align: ARENA_ALIGNMENT, prepareOf: { subgraph, op: i } });
      }
      for (const r of resources.buffers) {
        if (r.subgraph === subgraph && r.op === i) out.push({ part: 'resource variables', bytes: r.bytes, align: ARENA_ALIGNMENT, prepareOf: { subgraph, op: i } });
      }
      scratchCount += t.scratch;
    });
  });
  // FinishModelAllocation: scratch handles, then variables not planned offline.
  if (scratchCount > 0) struct('scratch buffer handles', 'ScratchBufferHandle', scratchCount);
  // AllocateVariables reads the offline plan at each subgraph's own tensor index from the plan's start
  // (the main subgraph's offsets first), whatever the subgraph.
  const all = offline !== null && subgraphs.length > 1 ? offlineOffsetsAll(graph) : null;
  for (const sg of subgraphs) {
    for (const t of sg.tensors) {
      const fixed = offline === null ? ONLINE : (t.index < offline.length ? offline[t.index]! : (all?.[t.index] ?? ONLINE));
      if (t.kind === 'variable' && fixed === ONLINE) push('variable tensors', t.byteSize, ARENA_ALIGNMENT);
    }
  }
  // The interpreter's persistent TfLiteTensors for the model inputs, then outputs.
  const main = graph.main;
  for (const list of [main.inputs, main.outputs]) {
    push('input/output TfLiteTensors', pointer * list.length, ARENA_ALIGNMENT); // the pointer array
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

/** Bytes from the (16-aligned) arena end after allocating `a` below a tail of `tail` bytes. */
export const tailAfter = (tail: number, a: { bytes: number; align: number }): number => Math.ceil((tail + a.bytes) / a.align) * a.align;

/** The tail a 32-bit TFLM build allocates for `graph` (offline: OfflineMemoryAllocation offsets). */
export function estimateTail32(graph: Graph, offline: Int32Array | null = null, kernels: Kernels = REFERENCE_KERNELS, trial: TrialTail = {}): TailEstimate {
  return estimateTail(graph, offline, kernels, 32, trial);
}

/** The tail TFLM allocates for `graph` on a `bits`-bit build. */
export function estimateTail(graph: Graph, offline: Int32Array | null, kernels: Kernels, bits: TargetBits, trial: TrialTail = {}): TailEstimate {
  let tail = 0;
  const parts: { name: TailPart; bytes: number }[] = [];
  for (const a of tailAllocations(graph, offline, kernels, bits, trial)) {
    const next = tailAfter(tail, a);
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
