// What the memory chart needs to know about a graph's operators: a readable
// name for each (a custom operator by its custom code, not `CUSTOM`), which
// are TinySeg's spill and fetch operators (a fused fetch, such as a
// TinySegConcatConv reading a part from the spill region, is a fetch) and
// which tensors they move, and,
// for an optimized model, the operator of the original each one stands for,
// so that before and after line up on one axis.

import type { Graph } from '../graph/graph.js';
import { decodeSpillOptions, FETCH, regionReads, regionWrite, SPILL, TINYSEG_OPS } from '../ops/tinyseg/custom-ops.js';
import { tensorLabel, tensorRoles } from './tensor-label.js';

export type OpMark = 'spill' | 'fetch' | 'tinyseg' | null;

export interface TimelineOp {
  /** CONV_2D, or a custom operator's code (TinySegSpill). */
  name: string;
  mark: OpMark;
  /** The tensor a spill sends out or a fetch brings back (readable name). */
  tensor?: string;
}

export interface TimelineGraph {
  ops: TimelineOp[];
  /** Readable tensor names by index (report/tensor-label.ts). */
  tensorNames: Map<number, string>;
  /** Tensors whose bytes go to the spill region, and the copies fetched back. */
  spilled: Set<number>;
}

/**
 * The main subgraph's operators and tensors as the chart shows them. `original`: the graph it was optimized from,
 * which names the rows an operator writes to the region itself (a streamed convolution's: the output of the
 * original's operator with the same filter).
 */
export function timelineGraph(graph: Graph, original?: Graph): TimelineGraph {
  const sg = graph.main;
  const rowsOf = (filter: number): string => {
    const name = sg.tensors[filter]?.name ?? '';
    const conv = original?.main.ops.find((o) => o.inputs[1] !== undefined && original.main.tensors[o.inputs[1]]?.name === name);
    return tensorLabel(conv ? original!.main.tensors[conv.outputs[0]!]!.name : `${name} rows`);
  };
  const spilled = new Set<number>();
  // What each region slot holds: the spilled tensor, named when a later operator reads it back (a row fetch reads
  // from inside a slot). A spill over part of an older slot ends it.
  let slots: { start: number; end: number; tensor: string }[] = [];
  const slotAt = (offset: number) => slots.find((s) => s.start <= offset && offset < s.end)?.tensor;
  const ops = sg.ops.map((op): TimelineOp => {
    const code = op.opcode === 'CUSTOM' ? (op.customCode ?? 'CUSTOM') : op.opcode;
    if (op.opcode !== 'CUSTOM' || !TINYSEG_OPS.includes(code)) return { name: code, mark: null };
    if (code === SPILL) {
      const tensor = tensorLabel(sg.tensors[op.inputs[0]!]!.name);
      spilled.add(op.inputs[0]!);
      const o = decodeSpillOptions(op.customOptions);
      const [start, end] = [o.offset, o.offset + Math.max(1, o.bytes)];
      slots = [...slots.filter((s) => s.end <= start || end <= s.start), { start, end, tensor }];
      return { name: code, mark: 'spill', tensor };
    }
    const reads = regionReads(code, op.customOptions);
    const names = [...new Set((reads ?? []).map((o) => slotAt(o) ?? `region offset ${o}`))];
    // An operator that writes its rows to a slot itself (it reads its operands first): marked as the fetch it is
    // where it reads the region, else as the spill.
    const write = regionWrite(code, op.customOptions);
    if (write) {
      const tensor = rowsOf(op.inputs[0]!);
      const [start, end] = [write.offset, write.offset + Math.max(1, write.bytes)];
      slots = [...slots.filter((s) => s.end <= start || end <= s.start), { start, end, tensor }];
      return reads ? { name: code, mark: 'fetch', tensor: names.join(', ') } : { name: code, mark: 'spill', tensor };
    }
    if (reads === null) return { name: code, mark: 'tinyseg' };
    // A plain fetch writes a copy of the spilled tensor; the fused ones write their operator's output.
    if (code === FETCH) spilled.add(op.outputs[0]!);
    return { name: code, mark: 'fetch', tensor: names.join(', ') };
  });
  return { ops, tensorNames: new Map(sg.tensors.map((t) => [t.index, tensorLabel(t.name)])), spilled };
}

/**
 * For each operator of `optimized`, the index of the operator of `original` it
 * stands for: the producer of the original tensor its output is named after
 * (passes name what they derive after the tensor it replaces). Operators
 * without such a tensor (a spill, a slice) go with the operator before them;
 * the result never decreases, so the after chart keeps its own order.
 */
export function alignToOriginal(original: Graph, optimized: Graph): number[] {
  const producer = new Map<string, number>();
  original.main.ops.forEach((op, i) => {
    for (const t of op.outputs) producer.set(original.main.tensors[t]!.name, i);
  });
  const lookup = (name: string): number | undefined => producer.get(name) ?? producer.get(tensorRoles(name).base);
  let current = 0;
  return optimized.main.ops.map((op) => {
    const found = op.outputs.map((t) => lookup(optimized.main.tensors[t]!.name)).find((i) => i !== undefined);
    if (found !== undefined && found > current) current = found;
    return current;
  });
}
