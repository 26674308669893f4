// The tail replay against real TFLM: the 32-bit and 64-bit tails equal the ones
// TFLM measured, and the replayed kernel allocations agree in count and requested
// bytes with what TFLM's RecordingMicroAllocator recorded for the same model.

import { REFERENCE_KERNELS } from '../../src/ops/registry.js';
import { describe, expect, it } from 'vitest';
import { loadGraph } from '../../src/graph/graph.js';
import { offlineOffsets } from '../../src/tflm/offline-plan.js';
import { estimateTail, estimateTail32, tailAllocations } from '../../src/tflm/tail.js';
import { golden, readCorpusModel } from '../helpers/shared.js';

interface Recorded {
  used_bytes: number;
  requested_bytes: number;
  count: number;
}
type Breakdown = { by_type: Record<string, Recorded> };

describe.each(Object.keys(golden))('%s', (file) => {
  const g = golden[file]! as unknown as {
    tail_bytes_cm4: number;
    tail_bytes_host64: number;
    allocation_breakdown_cm4: Breakdown;
    allocation_breakdown_host64: Breakdown;
    noop_custom_ops?: string[];
  };
  const graph = loadGraph(readCorpusModel(file));
  const offline = offlineOffsets(graph);

  it('replays the tail TFLM measured, byte for byte', () => {
    const tail = estimateTail32(graph, offline);
    expect(tail.bytes).toBe(g.tail_bytes_cm4);
    expect(tail.parts.reduce((n, p) => n + p.bytes, 0)).toBe(tail.bytes);
    // Custom ops the oracle registered as no-op kernels allocate nothing there, but their real kernels may: they stay flagged.
    expect(tail.unknownOps).toEqual((g.noop_custom_ops ?? []).map((name) => `CUSTOM:${name}`));
  });

  it('replays the tail a 64-bit host build measured, byte for byte', () => {
    expect(estimateTail(graph, offline, REFERENCE_KERNELS, 64).bytes).toBe(g.tail_bytes_host64);
    const rec = g.allocation_breakdown_host64.by_type;
    const allocs = tailAllocations(graph, offline, REFERENCE_KERNELS, 64);
    const persistent = allocs.filter((a) => a.part === 'kernel op data' || (a.part === 'input/output TfLiteTensors' && a.align === 16));
    expect(persistent.reduce((n, a) => n + a.bytes, 0)).toBe(rec['Persistent buffer data']!.requested_bytes);
  });

  it('makes the allocations TFLM recorded', () => {
    const rec = g.allocation_breakdown_cm4.by_type;
    const allocs = tailAllocations(graph, offline);
    const sum = (part: string) => allocs.filter((a) => a.part === part).reduce((n, a) => n + a.bytes, 0);
    expect(sum('TfLiteEvalTensor array')).toBe(rec['TfLiteEvalTensor data']!.requested_bytes);
    expect(sum('NodeAndRegistration array')).toBe(rec['NodeAndRegistration struct']!.requested_bytes);
    // MicroAllocator::AllocatePersistentBuffer serves the kernels and the
    // interpreter's two input/output pointer arrays (the 16-byte aligned ones).
    const persistent = allocs.filter((a) => a.part === 'kernel op data' || (a.part === 'input/output TfLiteTensors' && a.align === 16));
    expect(persistent.length).toBe(rec['Persistent buffer data']!.count);
    expect(persistent.reduce((n, a) => n + a.bytes, 0)).toBe(rec['Persistent buffer data']!.requested_bytes);
    const tensors = allocs.filter((a) => a.part === 'input/output TfLiteTensors' && a.bytes === 32 && a.align === 4);
    expect(tensors.length * 32).toBe(rec['Persistent TfLiteTensor data']!.requested_bytes);
  });
});
