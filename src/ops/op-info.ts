// What TinySeg knows of one operator (keyed by opKey), in one record: the
// interpreter's kernel, what TFLM's kernels allocate for it per kernel set, and
// the properties the memory passes rely on. Each family module (conv/index.ts,
// elementwise/index.ts, ...) exports the records of its operators;
// registry.ts collects them.
//
// Invariants (test/ops/registry.test.ts): `inPlace` and `rowRule` are set only
// on operators with a kernel, since only the interpreter can prove a plan that
// relies on them; every kernel has a record.

import type { Op, Tensor } from '../graph/graph.js';
import type { GraphOp, GraphTensor } from '../graph/types.js';
import type { Kernel } from './kernel.js';
import type { RowRuleOf } from './row-rule.js';

export type { CoreIsa, KernelContext, Kernels, KernelSet } from './kernel-sets.js';
import type { KernelContext, KernelSet } from './kernel-sets.js';

/** Byte sizes of allocations a kernel makes for one operator, in allocation order; `ctx` is the core the build targets. */
export type SizeRule = (op: GraphOp, tensors: readonly GraphTensor[], ctx: KernelContext) => number[];

/** What one kernel set's kernel allocates for an operator on a 32-bit target. */
export interface KernelMemory {
  /** Prepare's scratch requests (RequestScratchBufferInArena), before 16-byte rounding; absent: none. */
  readonly scratch?: SizeRule;
  /** Init's op data and Prepare's persistent buffers; absent: not modelled (the tail may be low). */
  readonly opData?: OpData;
  /**
   * The temporary TfLiteTensors Prepare fetches (AllocateTemp{Input,Output}Tensor),
   * in call order, repeats included: `i<k>` input k, `o<k>` output k, `i*` every
   * input. TFLM frees them only after the node, so they add up (tflm/allocate-tensors.ts).
   * A function gives the words for one operator instance, where they depend on
   * its tensors (kernels that fetch more for quantized types).
   * Absent: not modelled (counted as every input and output twice).
   */
  readonly prepareTemps?: string | ((op: GraphOp, tensors: readonly GraphTensor[]) => string);
}

export interface OpData {
  /** sizeof the op data Init allocates (16-byte aligned) on a 32-bit target; absent: none. */
  readonly init?: number | ((op: GraphOp, ctx: KernelContext) => number);
  /** The same on a 64-bit host, where it differs (pointer members); absent: as `init`. */
  readonly init64?: number;
  /** Persistent buffers Prepare allocates, 16-byte aligned each; absent: none. */
  readonly prepare?: SizeRule;
}

export interface OpInfo {
  /** opKey of the operator: the builtin name, or CUSTOM:<name>. */
  readonly key: string;
  /** The interpreter's kernel; absent for operators known only to the memory model. */
  readonly kernel?: Kernel;
  /**
   * The builtin parameter struct TFLM's flatbuffer parser allocates, [size,
   * align]; the parser is the same for every kernel set. Absent: none.
   */
  readonly builtinParams?: readonly [number, number];
  /**
   * The same on a 64-bit host, where it differs: arm-none-eabi-gcc packs enums
   * into one byte, x86-64 gcc makes them ints. Absent: as `builtinParams`.
   */
  readonly builtinParams64?: readonly [number, number];
  /**
   * Per kernel set. A set without an entry falls back to the set its spec
   * names (KERNEL_SET_SPECS: cmsis-nn -> reference, as a CMSIS-NN build links
   * the reference kernel for every operator CMSIS-NN has none of); a set
   * without an entry or a fallback does not know the operator's scratch (nor its op data).
   */
  readonly memory: Partial<Record<KernelSet, KernelMemory>>;
  /**
   * The kernel computes out[i] from in[i] alone (element-wise over the output's indices), so the output may overwrite
   * a dying input of its shape; 'bytes': its output is its input's bytes in order, of any shape (RESHAPE, which copies
   * nothing where the two share a buffer).
   */
  readonly inPlace?: boolean | 'bytes';
  /**
   * Its output is its input's bytes in order, as a RESHAPE's, but its TFLM kernel copies them even onto themselves
   * (SQUEEZE, EXPAND_DIMS), so it is not `inPlace`: the optimizer writes it as a RESHAPE (transform/squeezes-to-reshapes.ts).
   */
  readonly reshapes?: boolean;
  /**
   * The output may lie over the dying operand 0, starting `placedDelta` bytes before it (TinySegConvInPlace: rows
   * pass through a queue in its scratch, conv-in-place-rows.ts), not only at its offset as `inPlace`.
   */
  readonly inPlaceRows?: boolean;
  /** How output rows map to input rows, for row-band splitting; null when this operator instance is not row-local. */
  readonly rowRule?: RowRuleOf;
  /** The operand whose rows a row rule maps (TRANSPOSE_CONV's input is operand 2); absent: operand 0. */
  readonly rowInput?: number;
  /** Bytes of the spill region the operator touches (TinySeg's spill and fetch ops). */
  readonly storageExtent?: (op: Op, tensors: readonly Tensor[]) => number;
}

// ---- helpers for the size rules -------------------------------------------------

export const POINTER_BYTES = 4;
export const INT_BYTES = 4;

/** Input i of op, or undefined when the op omits it (-1). */
export function inputOf(op: GraphOp, tensors: readonly GraphTensor[], i: number): GraphTensor | undefined {
  const t = op.inputs[i];
  return t !== undefined && t >= 0 ? tensors[t] : undefined;
}

export const outputOf = (op: GraphOp, tensors: readonly GraphTensor[]): GraphTensor | undefined => tensors[op.outputs[0] ?? -1];

export const elements = (t: GraphTensor | undefined): number => (t ? t.shape.reduce((a, b) => a * b, 1) : 0);

/** Per-channel output multiplier and shift, one int32 each per channel (none when the channel count is unknown). */
export const perChannel = (channels: number | undefined): number[] => (channels === undefined ? [] : [4 * channels, 4 * channels]);

/** The per-channel multipliers of `channels`, for int8 and int16 inputs only (CMSIS-NN's conv kernels skip them for float). */
export const quantizedPerChannel =
  (channels: (op: GraphOp, tensors: readonly GraphTensor[]) => number | undefined): SizeRule =>
  (op, tensors) => {
    const x = inputOf(op, tensors, 0)?.dtype;
    return x === 'int8' || x === 'int16' ? perChannel(channels(op, tensors)) : [];
  };

/** TfLiteIntArray with n elements (a size field plus the data). */
export const intArrayBytes = (n: number): number => 4 + 4 * n;

/** int4 filters (input `filterInput`) are unpacked into a scratch copy of the whole filter. */
export const int4FilterScratch =
  (filterInput: number): SizeRule =>
  (op, tensors) => {
    const filter = inputOf(op, tensors, filterInput);
    return filter?.dtype === 'int4' ? [elements(filter)] : [];
  };
