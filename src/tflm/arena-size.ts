// The one arena size to allocate for a planned model: the smallest arena with
// which TFLM's AllocateTensors() succeeds (allocate-tensors.ts: head + tail
// plus the transient memory it needs on the way), never below
// arena_used_bytes() rounded up. The tail replay (tail.ts) cannot see kernels
// outside its tables, so each operator it does not model adds
// UNKNOWN_OP_TAIL_BYTES (docs/tail-estimate.md's "may be low" made safe). The
// emitted <NAME>_ARENA_SIZE and the optimize report's `after.arenaSize` are
// this figure, so what the CLI says to allocate is what the header defines.

import type { Graph } from '../graph/graph.js';
import { opKey } from '../graph/op-key.js';
import { REFERENCE_KERNELS, type Kernels } from '../ops/registry.js';
import { alignArena } from './alignment.js';
import { minimalArena, type AllocateStep } from './allocate-tensors.js';
import { estimateTail32, type TargetBits } from './tail.js';

/** Allowance for the persistent data of a kernel the tail replay does not model. */
export const UNKNOWN_OP_TAIL_BYTES = 256;

export interface ArenaSize {
  /** The arena to allocate, bytes (16-byte aligned start). */
  bytes: number;
  /** The tail with the unknown operators' allowance. */
  tail: number;
  /** Operators (by occurrence) whose kernels the tail replay does not model. */
  unknownOps: string[];
  /** arena_used_bytes(): head + tail (before the allowance). */
  used: number;
  /** The step of AllocateTensors() that binds `bytes` on a 32-bit target. */
  binding: AllocateStep;
}

/** The arena to allocate for `graph` whose planned head and 32-bit tail are given, on a 32-bit target or a 64-bit host. */
export function arenaSize(graph: Graph, head: number, tail: number, kernels: Kernels = REFERENCE_KERNELS, bits: TargetBits = 32): ArenaSize {
  const unknown = new Set(estimateTail32(graph, null, kernels).unknownOps);
  const unknownOps = graph.subgraphs.flatMap((sg) => sg.ops.map(opKey).filter((k) => unknown.has(k)));
  const allowance = UNKNOWN_OP_TAIL_BYTES * unknownOps.length;
  const minimal = minimalArena(graph, kernels, bits);
  // On the target, never below arena_used_bytes() rounded up (the head given is the plan's own).
  const used = bits === 32 ? alignArena(head + tail) : alignArena(minimal.head + minimal.tail);
  return { bytes: Math.max(minimal.bytes, used) + allowance, tail: tail + allowance, unknownOps, used: head + tail, binding: minimal.binding };
}
