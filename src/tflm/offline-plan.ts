// The "OfflineMemoryAllocation" metadata: a plan stored in the model that TFLM
// uses instead of planning those tensors itself. Layout (little-endian int32):
// [version, subgraph count, n, offset_0 .. offset_{n-1}], offsets concatenated
// over all subgraphs; -1 = plan at run time. TFLM rejects n != tensor count.

import { TinysegError } from '../errors.js';
import type { Graph } from '../graph/graph.js';

export const OFFLINE_PLAN_METADATA = 'OfflineMemoryAllocation';
export const ONLINE = -1;

/** Offsets of subgraph `s`'s tensors from the model's offline plan, or null if it has none. */
export function offlineOffsets(graph: Graph, s = 0): Int32Array | null {
  const all = offlineOffsetsAll(graph);
  if (!all) return null;
  const start = graph.subgraphs.slice(0, s).reduce((k, sg) => k + sg.tensors.length, 0);
  return all.slice(start, start + graph.subgraphs[s]!.tensors.length);
}

/**
 * The model's whole offline plan, every subgraph's offsets one after the
 * other (as TFLM reads it), or null if it has none.
 */
export function offlineOffsetsAll(graph: Graph): Int32Array | null {
  const entry = graph.model.metadata?.find((m) => m.name === OFFLINE_PLAN_METADATA);
  if (!entry) return null;
  const data = graph.model.buffers?.[entry.buffer]?.data;
  const fail = (why: string): never => {
    throw new TinysegError('E_MODEL', `${OFFLINE_PLAN_METADATA} metadata ${why}`);
  };
  if (!data || data.length < 12 || data.length % 4 !== 0) return fail(`buffer ${entry.buffer} is not a list of int32 words`);
  const words = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const n = words.getInt32(8, true);
  const total = graph.subgraphs.reduce((k, sg) => k + sg.tensors.length, 0);
  if (n !== total) return fail(`lists ${n} offsets but the model has ${total} tensors (TFLM fails to allocate)`);
  if (data.length < 12 + 4 * n) return fail(`is truncated: ${n} offsets need ${12 + 4 * n} bytes, buffer has ${data.length}`);
  const out = new Int32Array(total);
  for (let i = 0; i < out.length; i++) out[i] = words.getInt32(12 + 4 * i, true);
  return out;
}

/**
 * Stores `offsets` (one per tensor of the main subgraph, ONLINE for tensors
 * TFLM should place itself) as the model's OfflineMemoryAllocation, replacing
 * any plan it had. Other subgraphs are left to TFLM.
 */
export function setOfflinePlan(graph: Graph, offsets: Int32Array): void {
  const main = graph.main;
  if (offsets.length !== main.tensors.length) {
    throw new TinysegError('E_PLAN', `offline plan has ${offsets.length} offsets for ${main.tensors.length} tensors`);
  }
  const total = graph.subgraphs.reduce((k, sg) => k + sg.tensors.length, 0);
  const words = new Int32Array(3 + total).fill(ONLINE);
  words[0] = 1; // metadata version
  words[1] = graph.subgraphs.length;
  words[2] = total;
  words.set(offsets, 3);
  const model = graph.model;
  const buffers = (model.buffers ??= []);
  const data = new Uint8Array(words.buffer);
  const existing = model.metadata?.find((m) => m.name === OFFLINE_PLAN_METADATA);
  if (existing && buffers[existing.buffer]) {
    buffers[existing.buffer] = { ...buffers[existing.buffer]!, data, offset: 0, size: 0 };
  } else {
    buffers.push({ data, offset: 0, size: 0 });
    (model.metadata ??= []).push({ name: OFFLINE_PLAN_METADATA, buffer: buffers.length - 1 });
  }
}
