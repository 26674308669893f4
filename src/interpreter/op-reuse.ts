// The proof's shortcut through the operators a rewrite left alone. The
// interpreter's kernels are functions of their operator (code, options,
// tensor types, shapes, quantization, constant data) and of their inputs'
// bytes: an operator of the optimized model that is the same as one of the
// original's, run on the same input bytes, writes the bytes that operator
// wrote. So the proof runs the original first, keeping each operator's
// outputs, and then the optimized model in its own arena at its own plan:
// where an operator matches and its inputs, as they are in that arena, equal
// the original's, the kept outputs are written to its outputs' places (and
// its scratch is overwritten, as the kernel would), else its kernel runs. A
// wrong plan still corrupts an input some later operator reads, which then
// runs its kernel: the proof still fails. What holds state or calls other
// subgraphs (variables, resources, control flow) and every custom operator
// always runs its kernel, and a model of several subgraphs is not shortcut.

import type { Graph, Op, Subgraph, Tensor } from '../graph/graph.js';
import type { KernelCall } from '../ops/kernel.js';
import type { StepHook } from './interpreter.js';

/** Operators whose result depends on more than their inputs: state, resources, other subgraphs. */
const STATEFUL = new Set(['IF', 'WHILE', 'CALL_ONCE', 'VAR_HANDLE', 'READ_VARIABLE', 'ASSIGN_VARIABLE']);

/** What a kernel written over a skipped operator's scratch is taken to leave there. */
const SCRATCH_FILL = 0xa5;

/**
 * Per operator of `optimized`'s main subgraph, the original's operators it is the same as (their constant inputs
 * byte for byte); null when the models cannot be shortcut (several subgraphs).
 */
export function reusableOps(original: Graph, optimized: Graph): (readonly number[])[] | null {
  if (original.subgraphs.length !== 1 || optimized.subgraphs.length !== 1) return null;
  const a = original.main;
  const b = optimized.main;
  const byKey = new Map<string, number[]>();
  a.ops.forEach((op, j) => {
    const key = opKey(a, op);
    if (key !== null) byKey.set(key, [...(byKey.get(key) ?? []), j]);
  });
  return b.ops.map((op) => {
    const key = opKey(b, op);
    const candidates = key === null ? undefined : byKey.get(key);
    // The key holds constants' sizes: compare their bytes (most differ in the first ones; hashing every constant of
    // both models cost more).
    return (candidates ?? []).filter((j) => op.inputs.every((t, p) => t < 0 || b.tensors[t]!.kind !== 'constant' || sameBytes(b.tensors[t]!.data!, a.tensors[a.ops[j]!.inputs[p]!]!.data!)));
  });
}

/**
 * The tensors of `sg` reusingHook may read for these candidates: the inputs that are not constants and the outputs
 * of every operator some optimized operator may take the results of.
 */
export function reusedTensors(sg: Subgraph, candidates: readonly (readonly number[])[]): Set<number> {
  const tensors = new Set<number>();
  for (const j of new Set(candidates.flat())) {
    const op = sg.ops[j]!;
    for (const t of op.inputs) if (t >= 0 && sg.tensors[t]!.kind !== 'constant') tensors.add(t);
    for (const t of op.outputs) tensors.add(t);
  }
  return tensors;
}

/**
 * The original's run, keeping what its operators wrote (and the graph inputs) by tensor index: every output, or
 * those in `keep` (reusedTensors: a rewritten region's are never read); `values` of an earlier case of the same
 * model are overwritten (the copies of a large model's activations are tens of MB).
 */
export function recordingHook(
  sg: Subgraph,
  inputs: readonly Uint8Array[],
  values: (Uint8Array | undefined)[] = new Array(sg.tensors.length),
  keep?: ReadonlySet<number>,
): { hook: StepHook; values: (Uint8Array | undefined)[] } {
  sg.inputs.forEach((t, i) => (values[t] = inputs[i]));
  const hook: StepHook = {
    after(_i: number, call: KernelCall) {
      call.outputs.forEach((d, k) => {
        const t = sg.ops[call.index]!.outputs[k]!;
        if (keep && !keep.has(t)) return;
        const kept = values[t];
        if (kept?.length === d.bytes.length) kept.set(d.bytes);
        else values[t] = d.bytes.slice();
      });
    },
  };
  return { hook, values };
}

/** The optimized model's run, taking an operator's outputs from the original's where it is the same on the same bytes; `reused` counts them. */
export function reusingHook(
  original: Subgraph,
  candidates: readonly (readonly number[])[],
  values: readonly (Uint8Array | undefined)[],
): StepHook & { reused: number } {
  const state = {
    reused: 0,
    before(i: number, call: KernelCall): boolean {
      for (const j of candidates[i] ?? []) {
        const op = original.ops[j]!;
        const same = op.inputs.every((t, p) => {
          if (t < 0 || original.tensors[t]!.kind === 'constant') return true;
          const want = values[t];
          return want !== undefined && sameBytes(call.inputs[p]!.bytes, want);
        });
        if (!same) continue;
        call.outputs.forEach((d, k) => d.bytes.set(values[op.outputs[k]!]!));
        for (const s of call.scratch) s.fill(SCRATCH_FILL);
        state.reused++;
        return true;
      }
      return false;
    },
  };
  return state;
}

/** Everything a kernel reads of its operator but the bytes of its constants; null for an operator that must always run. */
function opKey(sg: Subgraph, op: Op): string | null {
  if (op.opcode === 'CUSTOM' || STATEFUL.has(op.opcode)) return null;
  const tensors = [...op.inputs, ...op.outputs, ...op.intermediates].map((t) => (t < 0 ? null : sg.tensors[t]!));
  if (tensors.some((t) => t?.kind === 'variable')) return null;
  const tensor = (t: Tensor | null): unknown =>
    t === null ? null : [t.dtype, t.shape, t.kind, t.quantization, t.kind === 'constant' ? t.data!.length : null];
  return JSON.stringify(
    [op.opcode, op.optionsType, op.options, op.inputs.length, op.outputs.length, op.intermediates.length, tensors.map(tensor)],
    (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : ArrayBuffer.isView(v) ? Array.from(v as Uint8Array) : v),
  );
}

/** Node's memcmp (Buffer.compare takes any Uint8Array): ~20x a JavaScript loop over words; absent in a browser. */
const nativeCompare = (globalThis as { Buffer?: { compare(a: Uint8Array, b: Uint8Array): number } }).Buffer?.compare;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  const n = a.length;
  if (n !== b.length) return false;
  if (nativeCompare !== undefined && n >= 64) return nativeCompare(a, b) === 0;
  // Word by word where both are aligned to 4 (arena tensors are, to 16).
  let i = 0;
  if ((a.byteOffset & 3) === 0 && (b.byteOffset & 3) === 0) {
    const wa = new Int32Array(a.buffer, a.byteOffset, n >> 2);
    const wb = new Int32Array(b.buffer, b.byteOffset, n >> 2);
    for (let k = 0; k < wa.length; k++) if (wa[k] !== wb[k]) return false;
    i = n & ~3;
  }
  for (; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}
