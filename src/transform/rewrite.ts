// Small graph edits the passes share. Passes edit a Subgraph in place and call
// removeUnusedTensors at the end, so tensor indices stay dense.

import { optionsWithDefaults } from '../graph/builder.js';
import type { Graph, Op, Subgraph, Tensor } from '../graph/graph.js';

/** Operators with effects beyond their outputs (variables, control flow): a pass never moves them. */
export const ORDERED_OPCODES: ReadonlySet<string> = new Set(['ASSIGN_VARIABLE', 'READ_VARIABLE', 'VAR_HANDLE', 'CALL_ONCE', 'CALL', 'IF', 'WHILE']);

/** Points every read of tensor `from` by operators after `afterOp` (and graph outputs) at `to`. */
export function redirectReads(sg: Subgraph, from: number, to: number, afterOp: number): void {
  sg.ops.forEach((op, i) => {
    if (i > afterOp && op.inputs.includes(from)) sg.rewire(op, { inputs: op.inputs.map((t) => (t === from ? to : t)) });
  });
  sg.outputs = sg.outputs.map((t) => (t === from ? to : t));
}

/** A new activation tensor like `t` (dtype, quantization), with its own name and shape. */
export function activationLike(sg: Subgraph, t: Tensor, name: string, shape: number[] = t.shape): Tensor {
  return sg.addTensor({ name, dtype: t.dtype, shape: [...shape], quantization: t.quantization });
}

/** A unique tensor name in `sg` starting with `base`. */
export function freshName(sg: Subgraph, base: string): string {
  if (!sg.hasTensorNamed(base)) return base;
  for (let k = 1; ; k++) if (!sg.hasTensorNamed(`${base}_${k}`)) return `${base}_${k}`;
}

/** A new constant int32 tensor (a vector unless `shape` says otherwise) with its own name; its index. */
export const int32Const = (sg: Subgraph, name: string, values: readonly number[], shape: readonly number[] = [values.length]): number =>
  sg.addTensor({ name: freshName(sg, name), dtype: 'int32', shape: [...shape], data: new Uint8Array(Int32Array.from(values).buffer) }).index;

/**
 * Operators read one constant int32 tensor where several hold the same shape and values (a slice's bounds, a
 * resize's size): row bands slice with the same few vectors over and over, and each tensor costs the file and
 * TFLM's tail. The tensors left unread go.
 */
export function shareEqualInt32Constants(sg: Subgraph): void {
  const first = new Map<string, number>();
  const to = new Map<number, number>();
  for (const t of sg.tensors) {
    // Without quantization parameters only: a bias of the same values but another scale stays its own.
    if (t.kind !== 'constant' || t.dtype !== 'int32' || !t.data || (t.quantization?.scale.length ?? 0) > 0 || sg.inputs.includes(t.index) || sg.outputs.includes(t.index)) continue;
    const key = `${t.shape.join()}:${Array.from(t.data).join()}`;
    const seen = first.get(key);
    if (seen === undefined) first.set(key, t.index);
    else to.set(t.index, seen);
  }
  if (to.size === 0) return;
  for (const op of sg.ops) if (op.inputs.some((t) => to.has(t))) sg.rewire(op, { inputs: op.inputs.map((t) => to.get(t) ?? t) });
  removeUnusedTensors(sg);
}

export function newOp(spec: Pick<Op, 'opcode' | 'inputs' | 'outputs'> & Partial<Op>): Omit<Op, 'source'> {
  return {
    customCode: null,
    intermediates: [],
    options: null,
    optionsType: null,
    customOptions: null,
    version: 1,
    ...spec,
  };
}

/** A STRIDED_SLICE of `x` from `begin` to `end` (every stride 1, no masks) into `y`; `name` prefixes its bounds. */
export function sliceOp(sg: Subgraph, x: Tensor, begin: readonly number[], end: readonly number[], y: Tensor, name: string): Omit<Op, 'source'> {
  return newOp({
    opcode: 'STRIDED_SLICE',
    version: 2,
    inputs: [x.index, int32Const(sg, `${name}_begin`, begin), int32Const(sg, `${name}_end`, end), int32Const(sg, `${name}_strides`, x.shape.map(() => 1))],
    outputs: [y.index],
    options: optionsWithDefaults('StridedSliceOptions', {}),
    optionsType: 'StridedSliceOptions',
  });
}

/** Drops tensors no operator or graph input/output refers to; renumbers the rest in order. Returns how many went. */
export function removeUnusedTensors(sg: Subgraph): number {
  const used = sg.referencedTensors();
  const renumber = new Int32Array(sg.tensors.length).fill(-1);
  const kept: Tensor[] = [];
  sg.tensors.forEach((t, i) => {
    if (!used[i]) return;
    renumber[i] = kept.length;
    kept.push(t.index === kept.length ? t : { ...t, index: kept.length });
  });
  const removed = sg.tensors.length - kept.length;
  if (removed === 0) return 0;
  const map = (t: number) => (t < 0 ? t : renumber[t]!);
  for (const op of sg.ops) sg.rewire(op, { inputs: op.inputs.map(map), outputs: op.outputs.map(map), intermediates: op.intermediates.map(map) });
  sg.inputs = sg.inputs.map(map);
  sg.outputs = sg.outputs.map(map);
  sg.replaceTensors(kept);
  return removed;
}

/**
 * Drops buffers no tensor or metadata entry refers to any more (the weights
 * of rewritten operators), so the written file carries only live data. Tensor
 * data is re-attached by the writer; metadata keeps its buffers, renumbered.
 */
export function dropUnusedBuffers(graph: Graph): void {
  const model = graph.model;
  const old = model.buffers ?? [];
  if (old.length === 0) return;
  const kept = [old[0]!];
  const metadata = (model.metadata ?? []).map((m) => {
    const b = old[m.buffer];
    if (!b) return m;
    kept.push(b);
    return { ...m, buffer: kept.length - 1 };
  });
  if (model.metadata) model.metadata = metadata;
  model.buffers = kept;
}
