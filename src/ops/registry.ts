// The one home of operator knowledge: every operator TinySeg knows, keyed by
// opKey, with its kernel, TFLM's allocations for it per kernel set, and the
// properties the memory passes rely on (op-info.ts). Consumers ask here:
// the interpreter for kernels, tflm/ for scratch and op data, analysis/ for
// in-place reuse, transform/ for row rules, the interpreter and report/ for
// the spill region. An operator absent here is unknown: no kernel, scratch and
// op data not modelled, neither in place nor row-local.

import type { Op, Subgraph, Tensor } from '../graph/graph.js';
import { opKey } from '../graph/op-key.js';
import type { GraphOp, GraphTensor } from '../graph/types.js';
import type { Kernel } from './kernel.js';
import type { KernelMemory, OpInfo } from './op-info.js';
import { KERNEL_SET_SPECS, REFERENCE_KERNELS, type Kernels, type KernelSet } from './kernel-sets.js';
import { rowLocalShape, type RowRule } from './row-rule.js';
import type { CustomOpDeclaration } from './custom-op-declaration.js';
import { ops as conv } from './conv/index.js';
import { ops as depthwiseConv } from './depthwise-conv/index.js';
import { ops as elementwise } from './elementwise/index.js';
import { ops as fullyConnected } from './fully-connected/index.js';
import { ops as pooling } from './pooling/index.js';
import { ops as reduce } from './reduce/index.js';
import { ops as resize } from './resize/index.js';
import { ops as shape } from './shape/index.js';
import { ops as softmax } from './softmax/index.js';
import { ops as tinyseg } from './tinyseg/index.js';
import { ops as transposeConv } from './transpose-conv/index.js';
import { ops as recurrent } from './recurrent/index.js';
import { ops as batchMatmul } from './batch-matmul/index.js';
import { ops as control } from './control/index.js';

export type { KernelMemory, OpData, OpInfo } from './op-info.js';
export * from './kernel-sets.js';
export type { RowRule } from './row-rule.js';

/** Every family's records; one per operator (test/ops/registry.test.ts holds that no key repeats). */
export const OP_RECORDS: readonly OpInfo[] = [
  conv,
  depthwiseConv,
  fullyConnected,
  transposeConv,
  elementwise,
  pooling,
  reduce,
  softmax,
  shape,
  resize,
  tinyseg,
  recurrent,
  batchMatmul,
  control,
].flat();

/** Every known operator by opKey. */
export const OPS: ReadonlyMap<string, OpInfo> = new Map(OP_RECORDS.map((info) => [info.key, info]));

export const opInfo = (key: string): OpInfo | undefined => OPS.get(key);

export const opInfoOf = (op: Pick<GraphOp, 'opcode' | 'customCode'>): OpInfo | undefined => OPS.get(opKey(op));

/** The interpreter's kernel for `op`, if it has one. */
export const kernelOf = (op: Pick<GraphOp, 'opcode' | 'customCode'>): Kernel | undefined => opInfoOf(op)?.kernel;

// ---- TFLM's allocations -----------------------------------------------------------

/** The custom operator of another project `kernels` declares for `op`, if any. */
export const declaredOp = (op: Pick<GraphOp, 'opcode' | 'customCode'>, kernels: Kernels): CustomOpDeclaration | undefined =>
  op.opcode === 'CUSTOM' ? kernels.customOps?.get(op.customCode ?? '') : undefined;

/**
 * A declared operator's memory: one scratch request per declared size, its
 * persistent buffers counted as Init's (before any Prepare: on the safe side
 * for the transient memory of AllocateTensors), and Prepare fetching every
 * input and output once as a temporary TfLiteTensor (AllocateTempInputTensor,
 * AllocateTempOutputTensor), the pattern of TFLM's own kernels.
 */
const declaredMemory = (d: CustomOpDeclaration): KernelMemory => ({
  scratch: () => [...d.scratchBytes],
  opData: { init: d.persistentBytes.reduce((n, b) => n + Math.ceil(b / 16) * 16, 0) },
  prepareTemps: 'i* o*',
});

/** `kernels`' memory rules for `op`: a declaration, else its own entry, else its fallback set's (KERNEL_SET_SPECS), else unknown. */
function memoryOf(op: GraphOp, kernels: Kernels): KernelMemory | undefined {
  const declared = declaredOp(op, kernels);
  if (declared) return declaredMemory(declared);
  const memory = opInfoOf(op)?.memory;
  for (let s: KernelSet | null = kernels.set; s !== null; s = KERNEL_SET_SPECS[s].fallback) {
    const m = memory?.[s];
    if (m) return m;
  }
  return undefined;
}

/** Whether `kernels`' scratch requests for `op` are known. */
export const scratchKnown = (op: GraphOp, kernels: Kernels = REFERENCE_KERNELS): boolean => memoryOf(op, kernels) !== undefined;

/** Byte sizes (before 16-byte rounding) of the op's scratch requests, in request order; none when not known. */
export function scratchRequests(op: GraphOp, tensors: readonly GraphTensor[], kernels: Kernels = REFERENCE_KERNELS): number[] {
  return memoryOf(op, kernels)?.scratch?.(op, tensors, kernels) ?? [];
}

/** Whether `kernels`' Init and Prepare allocations for `op` are modelled. */
export const opDataKnown = (op: GraphOp, kernels: Kernels = REFERENCE_KERNELS): boolean => memoryOf(op, kernels)?.opData !== undefined;

/** Bytes of the op data Init allocates on a 32- or 64-bit build (0: none or not modelled). */
export function initBytes(op: GraphOp, kernels: Kernels = REFERENCE_KERNELS, bits: 32 | 64 = 32): number {
  const data = memoryOf(op, kernels)?.opData;
  if (bits === 64 && data?.init64 !== undefined) return data.init64;
  const init = data?.init;
  return typeof init === 'function' ? init(op, kernels) : (init ?? 0);
}

/**
 * Tensor indices of the temporary TfLiteTensors `kernels`' Prepare fetches
 * for `op`, in order, repeats included (omitted optional inputs fetch nothing);
 * `known` is false when the kernel's temps are not modelled, and then every
 * input and output counts twice.
 */
export function prepareTemps(op: GraphOp, tensors: readonly GraphTensor[], kernels: Kernels = REFERENCE_KERNELS): { tensors: number[]; known: boolean } {
  // Field by field along the fallback chain: a set's kernel may fetch the same temps as the one it falls back to.
  let rule: KernelMemory['prepareTemps'] = memoryOf(op, kernels)?.prepareTemps;
  const memory = opInfoOf(op)?.memory;
  for (let s: KernelSet | null = kernels.set; s !== null && rule === undefined; s = KERNEL_SET_SPECS[s].fallback) rule = memory?.[s]?.prepareTemps;
  const spec = typeof rule === 'function' ? rule(op, tensors) : rule;
  const words = spec?.split(' ').filter((w) => w !== '') ?? ['i*', 'o*', 'i*', 'o*'];
  const fetched: number[] = [];
  for (const w of words) {
    const list = w[0] === 'i' ? op.inputs : op.outputs;
    const picked = w.slice(1) === '*' ? list : [list[Number(w.slice(1))] ?? -1];
    for (const t of picked) if (t >= 0) fetched.push(t);
  }
  return { tensors: fetched, known: spec !== undefined };
}

/** Persistent buffers Prepare allocates (none, or not modelled). */
export function prepareBytes(op: GraphOp, tensors: readonly GraphTensor[], kernels: Kernels = REFERENCE_KERNELS): number[] {
  return memoryOf(op, kernels)?.opData?.prepare?.(op, tensors, kernels) ?? [];
}

/** The builtin parameter struct the flatbuffer parser allocates for `op` on a 32- or 64-bit build, [size, align]. */
export function builtinParams(op: GraphOp, bits: 32 | 64 = 32): readonly [number, number] | undefined {
  const info = opInfoOf(op);
  return (bits === 64 ? info?.builtinParams64 : undefined) ?? info?.builtinParams;
}

// ---- properties the memory passes rely on ----------------------------------------

/** Whether op's kernel computes out[i] from in[i] alone, so its output may take over a dying input's buffer. */
export const isInPlace = (op: Pick<GraphOp, 'opcode' | 'customCode'>): boolean => Boolean(opInfoOf(op)?.inPlace);

/** Whether op's output is its input's bytes in order whatever the shapes (OpInfo.inPlace 'bytes'): it may take over a dying input of its size. */
export const isInPlaceBytes = (op: Pick<GraphOp, 'opcode' | 'customCode'>): boolean => opInfoOf(op)?.inPlace === 'bytes';

/** Whether op computes a RESHAPE's bytes but its kernel copies them (OpInfo.reshapes): SQUEEZE, EXPAND_DIMS. */
export const isReshapeCopy = (op: Pick<GraphOp, 'opcode' | 'customCode'>): boolean => opInfoOf(op)?.reshapes === true;

/** Whether op's output may lie over its dying operand 0 through a row queue (OpInfo.inPlaceRows). */
export const isInPlaceRows = (op: Pick<GraphOp, 'opcode' | 'customCode'>): boolean => opInfoOf(op)?.inPlaceRows === true;

/** How op maps output rows to input rows; null if it is not row-local (only 4-D, batch-1, single-output ops can be). */
export function rowRule(sg: Subgraph, op: Op): RowRule | null {
  const rule = opInfoOf(op)?.rowRule;
  const io = rule ? rowLocalShape(sg, op, rowInput(op)) : null;
  return rule && io ? rule(sg, op, io) : null;
}

/**
 * The RESHAPE (its position) whose output `op` alone reads, when `op` would be row-local on that RESHAPE's input:
 * a 4-D batch-1 tensor of two or more rows and the same last axis, on which `op` (one operand, its output of the operand's shape; its
 * row rule maps row r to row r there: element-wise or over the last axis, SOFTMAX say) computes the same bytes in
 * the same order. A Keras head's Reshape((H * W, classes)) before its softmax: the RESHAPE may move after the
 * operator (transform/sink-reshapes.ts), where it copies nothing (in place). -1 otherwise.
 */
export function reshapeBefore(sg: Subgraph, op: Op): number {
  if (op.inputs.length !== 1 || op.outputs.length !== 1) return -1;
  const r = sg.tensors[op.inputs[0]!];
  const y = sg.tensors[op.outputs[0]!];
  const k = r ? sg.producerOf(r.index) : -1;
  const reshape = sg.ops[k];
  if (!r || !y || !reshape || reshape.opcode !== 'RESHAPE' || r.kind !== 'activation' || sg.outputs.includes(r.index) || sg.consumersOf(r.index).length !== 1) return -1;
  const x = sg.tensors[reshape.inputs[0]!];
  // Per-tensor quantization only: a per-channel axis would move with the shape.
  const perTensor = (t: Tensor) => (t.quantization?.scale.length ?? 0) <= 1;
  // Rows to cut (a classifier's [1, 1, 1, N] logits have none).
  if (!x || x.shape.length !== 4 || x.shape[0] !== 1 || x.shape[1]! < 2 || x.shape[3] !== r.shape.at(-1) || x.dtype !== r.dtype) return -1;
  if (y.shape.join() !== r.shape.join() || !perTensor(r) || !perTensor(y)) return -1;
  const rule = opInfoOf(op)?.rowRule?.(sg, op, { x, out: { ...y, shape: x.shape } });
  return rule?.kind === 'same' && rule.halo === 0 ? k : -1;
}

/** The operand whose rows op's row rule maps: the one row bands slice; every other operand is read whole. */
export const rowInput = (op: Pick<GraphOp, 'opcode' | 'customCode'>): number => opInfoOf(op)?.rowInput ?? 0;

/** End of the furthest spill-region byte `op` touches (0 for ops that touch none): the region the interpreter allocates. */
export const storageExtent = (op: Op, tensors: readonly Tensor[]): number => opInfoOf(op)?.storageExtent?.(op, tensors) ?? 0;
