// The smallest arena with which MicroInterpreter::AllocateTensors() succeeds.
//
// arena_used_bytes() (head + tail, tail.ts) is what stays allocated; on the way
// TFLM also needs transient memory between the head and the tail
// (docs/tail-estimate.md, "Transient memory"): the ScratchBufferRequest
// records, the temp TfLiteTensors each kernel's Prepare fetches (they add up
// until the node finishes), the AllocationInfo array and the greedy planner's
// working memory of 40 bytes per buffer, taken from all that is left. This
// module replays those steps against an arena of a given size, with the tail's
// allocations interleaved in TFLM's order, and searches the smallest 16-byte
// multiple for which every step fits.
//
// One simplification, on the safe side: a kernel's Prepare may interleave
// persistent buffers and temps; every temp of a node is checked against the
// tail after all of the node's persistent buffers.

import type { Graph } from '../graph/graph.js';
import { prepareTemps, REFERENCE_KERNELS, scratchRequests, type Kernels } from '../ops/registry.js';
import { ARENA_ALIGNMENT, alignArena } from './alignment.js';
import { planGreedyTflm } from './greedy-planner.js';
import { tflmGraphBuffers } from './arena.js';
import { offlineOffsets } from './offline-plan.js';
import { structOf, tailAfter, tailAllocations, type TailAllocation, type TargetBits } from './tail.js';

/** TFLM's kMaxScratchBuffersPerOp: the request records always leave room for this many more. */
const MAX_SCRATCH_PER_OP = 12;
/** GreedyMemoryPlanner::per_buffer_size(): requirements 16, two sorted int arrays, a 12-byte list entry, the offset. */
const PLANNER_BYTES_PER_BUFFER = 40;

/** The step of AllocateTensors() that needs the most arena. */
export type AllocateStep = 'final size' | 'prepare temps' | 'scratch request records' | 'allocation info' | 'planner buffers' | 'persistent tail';

export interface MinimalArena {
  /** The smallest arena (a multiple of 16, allocated 16-aligned) for which AllocateTensors() succeeds. */
  bytes: number;
  /** arena_used_bytes() after AllocateTensors(): head + tail. */
  used: number;
  head: number;
  tail: number;
  /** The step that fails one 16-byte step below `bytes` ('final size' when bytes = used rounded up). */
  binding: AllocateStep;
  /** Ops whose Prepare temps are not modelled (counted as every input and output twice). */
  unknownTempOps: number;
}

interface Model {
  bits: TargetBits;
  allocs: TailAllocation[];
  /** Head bytes of the request records after node k (all subgraphs in order), and the temps of node k. */
  nodes: { requests: number; temps: { bytes: number; align: number }[]; prepare: TailAllocation[] }[];
  requests: number;
  tensors: number;
  subgraphs: number;
  buffers: number;
  head: number;
}

function buildModel(graph: Graph, kernels: Kernels, bits: TargetBits): { model: Model; unknownTempOps: number } {
  const offline = offlineOffsets(graph);
  const allocs = tailAllocations(graph, offline, kernels, bits);
  const [tensorBytes, tensorAlign] = structOf('TfLiteTensor', bits);
  const [quantBytes, quantAlign] = structOf('TfLiteAffineQuantization', bits);
  const nodes: Model['nodes'] = [];
  let requests = 0;
  let unknownTempOps = 0;
  // Each node's Prepare allocations, in the tail's order (one pass: a filter per node is quadratic in the ops).
  const byNode = new Map<string, TailAllocation[]>();
  for (const a of allocs) {
    if (!a.prepareOf) continue;
    const key = `${a.prepareOf.subgraph}:${a.prepareOf.op}`;
    const list = byNode.get(key);
    if (list) list.push(a);
    else byNode.set(key, [a]);
  }
  graph.subgraphs.forEach((sg, s) => {
    sg.ops.forEach((op, i) => {
      requests += scratchRequests(op, sg.tensors, kernels).length;
      const { tensors, known } = prepareTemps(op, sg.tensors, kernels);
      if (!known) unknownTempOps++;
      const temps: { bytes: number; align: number }[] = [];
      for (const index of tensors) {
        temps.push({ bytes: tensorBytes, align: tensorAlign });
        const q = sg.tensors[index]?.quantization;
        // TFLM copies quantization only when both scales and zero points are present.
        if (q && q.scale.length > 0 && q.zeroPoint.length > 0) {
          temps.push({ bytes: quantBytes, align: quantAlign }, { bytes: 4 + 4 * q.scale.length, align: 4 });
        }
      }
      const prepare = byNode.get(`${s}:${i}`) ?? [];
      nodes.push({ requests, temps, prepare });
    });
  });
  const planned = tflmGraphBuffers(graph, kernels);
  const buffers = planned.length;
  const head = planGreedyTflm(planned).head;
  const tensors = graph.subgraphs.reduce((n, sg) => n + sg.tensors.length, 0);
  return { model: { bits, allocs, nodes, requests, tensors, subgraphs: graph.subgraphs.length, buffers, head }, unknownTempOps };
}

const alignUp = (x: number, a: number): number => Math.ceil(x / a) * a;

/** Replays AllocateTensors() in an arena of `size` bytes (16-aligned start): the first step that fails, or null. */
function replay(m: Model, size: number): AllocateStep | null {
  const requestBytes = m.bits === 64 ? 16 : 12;
  let tail = 0; // bytes from the arena end
  let head = 0;
  const persist = (a: TailAllocation): boolean => {
    tail = tailAfter(tail, a);
    return size - tail >= head;
  };
  const records = (count: number): boolean => {
    head = requestBytes * (count + MAX_SCRATCH_PER_OP);
    return size - tail >= head;
  };
  const byPhase = (part: (a: TailAllocation) => boolean): TailAllocation[] => m.allocs.filter(part);
  const start = m.allocs.findIndex((a) => a.part === 'allocator and planner' && a.bytes === structOf('MicroBuiltinDataAllocator', m.bits)[0]);
  // The constructor's objects and the builtin data allocator, then InitScratchBufferData.
  for (const a of m.allocs.slice(0, start + 1)) if (!persist(a)) return 'persistent tail';
  if (!records(0)) return 'scratch request records';
  const isPrepare = (a: TailAllocation): boolean => a.prepareOf !== undefined;
  const before = byPhase((a) => !isPrepare(a) && a.part !== 'scratch buffer handles' && a.part !== 'variable tensors' && a.part !== 'input/output TfLiteTensors');
  for (const a of before.slice(start + 1)) if (!persist(a)) return 'persistent tail';
  // Prepare, node by node: persistent buffers, the node's temps from the head, then the grown request records.
  for (const node of m.nodes) {
    for (const a of node.prepare) if (!persist(a)) return 'persistent tail';
    let temp = head;
    for (const t of node.temps) {
      temp = alignUp(temp, t.align) + t.bytes;
      if (temp > size - tail) return 'prepare temps';
    }
    if (!records(node.requests)) return 'scratch request records';
  }
  // FinishModelAllocation: handles, then CommitStaticMemoryPlan.
  for (const a of byPhase((x) => x.part === 'scratch buffer handles')) if (!persist(a)) return 'persistent tail';
  const sizeT = m.bits / 8;
  const [infoBytes, infoAlign] = m.bits === 64 ? [32, 8] : [24, 4];
  let temp = alignUp(head, sizeT) + sizeT * m.subgraphs;
  temp = alignUp(temp, infoAlign) + infoBytes * (m.tensors + m.requests);
  if (temp > size - tail) return 'allocation info';
  for (const a of byPhase((x) => x.part === 'variable tensors')) if (!persist(a)) return 'persistent tail';
  const plannerBytes = Math.floor((size - tail) / ARENA_ALIGNMENT) * ARENA_ALIGNMENT - alignUp(temp, ARENA_ALIGNMENT);
  if (plannerBytes < 0 || Math.floor(plannerBytes / PLANNER_BYTES_PER_BUFFER) < m.buffers) return 'planner buffers';
  // The head becomes the plan; the interpreter's input/output tensors follow in the tail.
  head = m.head;
  if (size - tail < head) return 'final size';
  for (const a of byPhase((x) => x.part === 'input/output TfLiteTensors')) if (!persist(a)) return 'final size';
  return null;
}

/**
 * The smallest arena AllocateTensors() accepts for `graph` with `kernels`'s
 * kernels on a `bits`-bit build, never below arena_used_bytes() (rounded to 16),
 * and which step binds it.
 */
export function minimalArena(graph: Graph, kernels: Kernels = REFERENCE_KERNELS, bits: TargetBits = 32): MinimalArena {
  const { model, unknownTempOps } = buildModel(graph, kernels, bits);
  const tail = model.allocs.reduce((t, a) => tailAfter(t, a), 0);
  const used = model.head + tail;
  let lo = alignArena(used) - ARENA_ALIGNMENT; // fails or is below the final size
  let step = ARENA_ALIGNMENT;
  let hi = lo + step;
  while (replay(model, hi) !== null) {
    lo = hi;
    step *= 2;
    hi = lo + step;
  }
  while (hi - lo > ARENA_ALIGNMENT) {
    const mid = lo + Math.floor((hi - lo) / 2 / ARENA_ALIGNMENT) * ARENA_ALIGNMENT;
    if (replay(model, mid) === null) hi = mid;
    else lo = mid;
  }
  const binding = hi === alignArena(used) ? 'final size' : (replay(model, hi - ARENA_ALIGNMENT) ?? 'final size');
  return { bytes: hi, used, head: model.head, tail, binding, unknownTempOps };
}
