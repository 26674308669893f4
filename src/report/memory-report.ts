// The memory report of one model: everything `tinyseg report` prints, as a
// plain object with a stable, documented shape (docs/report-json.md).

import { createHash } from 'node:crypto';
import { coldRanges } from '../analysis/cold-ranges.js';
import type { Graph } from '../graph/graph.js';
import { storageExtent } from '../ops/registry.js';
import { planTflmArena, type TflmArena } from '../tflm/arena.js';
import { tflmGraphLifetimes } from '../tflm/lifetimes.js';
import { REFERENCE_KERNELS, type CoreIsa, type Kernels, type KernelSet } from '../ops/registry.js';
import { ARENA_ALIGNMENT, alignArena } from '../tflm/alignment.js';
import { decodeSpillOptions, regionWrite, SPILL } from '../ops/tinyseg/custom-ops.js';
import { opKey } from '../graph/op-key.js';
import { declaredOp } from '../ops/registry.js';

export const REPORT_SCHEMA = 'tinyseg.report/1';

export interface ReportTensor {
  index: number;
  /** The tensor's subgraph, when not the main one. */
  subgraph?: number;
  name: string;
  dtype: string;
  shape: number[];
  bytes: number;
}

export interface MemoryReport {
  schema: typeof REPORT_SCHEMA;
  model: { file: string; bytes: number; sha256: string; subgraphs: number };
  /** The kernel library the arena figures assume (its scratch and op data), and the core ISA its sizes depend on. */
  kernels: KernelSet;
  isa: CoreIsa;
  ops: number;
  tensors: number;
  opTypes: Record<string, number>;
  arena: {
    /** Planned activations and kernel scratch: TFLM's GreedyMemoryPlanner head, exact. */
    head: number;
    /** Persistent tail on a 32-bit target (replay of TFLM's allocations, docs/tail-estimate.md). */
    tail: number;
    total: number;
    tailParts: { name: string; bytes: number }[];
    alignment: typeof ARENA_ALIGNMENT;
    target: '32-bit';
  };
  lowerBound: number;
  headOverLowerBound: number;
  /** The bytes that must exist whole at some moment whatever the row bands (analysis/streaming-floor.ts). */
  streamingFloor: number;
  /** arena.head / streamingFloor: how far streaming could still lower the head. */
  headOverStreamingFloor: number;
  /** Where the floor is reached: the TFLM time and the tensors whole there. */
  streamingFloorAt: { time: number; tensors: ReportTensor[] };
  peak: {
    time: number;
    op: number;
    opcode: string;
    liveBytes: number;
    tensors: ReportTensor[];
    /** Kernel scratch buffers live at the peak (they count toward liveBytes). */
    scratch: { op: number; subgraph?: number; opcode: string; bytes: number }[];
  };
  coldRanges: (ReportTensor & { after: number; before: number; length: number })[];
  /**
   * A model optimized by TinySeg: the spill region its operators need besides the
   * arena (bytes), its spills (the operators that write it: spills, and streamed
   * convolutions that write their rows there), and how many store int8 codes
   * (--lossy-spill); null without spills.
   */
  spillRegion: { bytes: number; spills: number; quantized: number } | null;
  /**
   * Custom operators of other projects in the model that the build declares
   * (--custom-op): their scratch and persistent figures come from the
   * declaration, not from TinySeg; `ops` counts them in every subgraph.
   */
  declaredOps: { name: string; ops: number; scratchBytes: number[]; persistentBytes: number[]; rowLocal: boolean }[];
  /** Live aligned bytes per TFLM time step (index = time, 0 = before the first op). */
  liveBytes: number[];
  buffers: {
    /** The buffer's subgraph, when not the main one. */
    subgraph?: number;
    kind: 'tensor' | 'scratch';
    tensor: number | null;
    op: number | null;
    size: number;
    first: number;
    last: number;
    offset: number;
  }[];
  warnings: string[];
}

export interface ReportInput {
  file: string;
  bytes: Uint8Array;
  graph: Graph;
  /** The kernels the firmware links (default: TFLM's reference kernels). */
  kernels?: Kernels;
  /** Reuse an arena already planned for this graph (with `kernels`). */
  arena?: TflmArena;
  coldRangeCount?: number;
  /** Refusals TFLM only makes at Invoke (checkModel's result), listed first among the warnings. */
  prepareWarnings?: readonly string[];
}

export function memoryReport(input: ReportInput): MemoryReport {
  const { file, bytes, graph, kernels = REFERENCE_KERNELS, coldRangeCount = 10 } = input;
  const arena = input.arena ?? planTflmArena(graph, kernels);
  const sg = graph.main;
  const describe = (i: number, s = 0): ReportTensor => {
    const t = graph.subgraphs[s]!.tensors[i]!;
    return { index: i, ...(s > 0 ? { subgraph: s } : {}), name: t.name, dtype: t.dtype, shape: t.shape, bytes: t.byteSize };
  };
  const opTypes: Record<string, number> = {};
  for (const op of sg.ops) {
    const key = opKey(op);
    opTypes[key] = (opTypes[key] ?? 0) + 1;
  }
  const lb = arena.lowerBound;
  const floor = arena.streamingFloor;
  const peakTime = lb.time;
  const live = arena.buffers.filter((b) => b.first <= peakTime && peakTime <= b.last);
  // The main operator running at the peak (with several subgraphs, the one whose call spans it).
  const peakOp = graph.subgraphs.length > 1 ? mainOpAt(graph, peakTime) : Math.max(0, peakTime - 1);
  const warnings = [
    ...(input.prepareWarnings ?? []),
    ...arena.unknownScratchOps.map((op) => `kernel scratch of ${op} is not modelled; the head may be low if its kernel requests scratch`),
  ];
  for (const op of arena.tail.unknownOps) {
    warnings.push(`persistent data of ${op}'s kernel is not modelled; the tail may be low if its kernel allocates any`);
  }
  return {
    schema: REPORT_SCHEMA,
    model: {
      file,
      bytes: bytes.byteLength,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      subgraphs: graph.subgraphs.length,
    },
    kernels: arena.kernels.set,
    isa: arena.kernels.isa,
    ops: sg.ops.length,
    tensors: sg.tensors.length,
    opTypes,
    arena: {
      head: arena.head,
      tail: arena.tail.bytes,
      total: arena.total,
      tailParts: arena.tail.parts,
      alignment: ARENA_ALIGNMENT,
      target: '32-bit',
    },
    lowerBound: lb.bytes,
    headOverLowerBound: lb.bytes > 0 ? arena.head / lb.bytes : 1,
    streamingFloor: floor.bytes,
    headOverStreamingFloor: floor.bytes > 0 ? arena.head / floor.bytes : 1,
    streamingFloorAt: { time: floor.time, tensors: floor.tensors.map((t) => describe(t)).sort((a, b) => b.bytes - a.bytes) },
    peak: {
      time: peakTime,
      op: peakOp,
      opcode: sg.ops[peakOp]?.opcode ?? '',
      liveBytes: lb.bytes,
      tensors: live
        .flatMap((b) => (b.kind === 'tensor' ? [describe(b.tensor, b.subgraph)] : []))
        .sort((a, b) => b.bytes - a.bytes),
      scratch: live.flatMap((b) =>
        b.kind === 'scratch' ? [{ op: b.op, ...(b.subgraph ? { subgraph: b.subgraph } : {}), opcode: graph.subgraphs[b.subgraph ?? 0]!.ops[b.op]!.opcode, bytes: b.bytes }] : [],
      ),
    },
    coldRanges: coldRanges(sg)
      .filter((c) => c.length > 0)
      .slice(0, coldRangeCount)
      .map((c) => ({ ...describe(c.tensor), after: c.after, before: c.before, length: c.length })),
    spillRegion: spillRegionOf(graph),
    declaredOps: declaredOpsOf(graph, kernels),
    liveBytes: Array.from(lb.liveBytes),
    buffers: arena.buffers.map((b, i) => ({
      ...(b.subgraph ? { subgraph: b.subgraph } : {}),
      kind: b.kind,
      tensor: b.kind === 'tensor' ? b.tensor : null,
      op: b.kind === 'scratch' ? b.op : null,
      size: b.size,
      first: b.first,
      last: b.last,
      offset: arena.offsets[i]!,
    })),
    warnings,
  };
}

/** The main-subgraph operator whose time, or whose calls' times, include `time`. */
function mainOpAt(graph: Graph, time: number): number {
  const times = tflmGraphLifetimes(graph).opTimes[0]!;
  let op = 0;
  times.forEach((t, i) => {
    if (t <= time) op = i;
  });
  return op;
}

function declaredOpsOf(graph: Graph, kernels: Kernels): MemoryReport['declaredOps'] {
  const counts = new Map<string, number>();
  for (const op of graph.subgraphs.flatMap((g) => g.ops)) {
    const d = declaredOp(op, kernels);
    if (d) counts.set(d.name, (counts.get(d.name) ?? 0) + 1);
  }
  return [...counts]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, ops]) => {
      const d = kernels.customOps!.get(name)!;
      return { name, ops, scratchBytes: [...d.scratchBytes], persistentBytes: [...d.persistentBytes], rowLocal: d.rowLocal };
    });
}

function spillRegionOf(graph: Graph): MemoryReport['spillRegion'] {
  const sg = graph.main;
  const spills = sg.ops.filter((op) => op.opcode === 'CUSTOM' && op.customCode === SPILL);
  // A convolution that writes its rows to a slot writes the region too (ConcatConvOptions.out).
  const writers = sg.ops.filter((op) => op.opcode === 'CUSTOM' && op.customCode && regionWrite(op.customCode, op.customOptions));
  if (writers.length === 0) return null;
  return {
    // Slots start aligned and take whole alignment units (transform/spill-region.ts): plan.json's spill.regionBytes.
    bytes: alignArena(Math.max(0, ...sg.ops.map((op) => storageExtent(op, sg.tensors)))),
    spills: writers.length,
    quantized: spills.filter((op) => decodeSpillOptions(op.customOptions).quantized).length,
  };
}
