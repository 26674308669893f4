// Executes a graph the way TFLM does: every activation and scratch buffer
// lives in ONE arena at the offsets of a memory plan (TFLM's greedy plan, or
// the model's OfflineMemoryAllocation), so a wrong plan corrupts data here
// exactly as it would on the device.
//
// Guard mode fills every arena byte that holds no needed data with a poison
// byte before each operator (the operator's own outputs and scratch count as
// garbage until it writes them); running twice with two poisons and comparing
// (runGuarded) turns any read of dead memory into a detected difference.

import { TinysegError } from '../errors.js';
import type { Graph, Subgraph } from '../graph/graph.js';
import { inPlacePairs } from '../analysis/in-place.js';
import { opTime } from '../tflm/lifetimes.js';
import { planGreedyTflm } from '../tflm/greedy-planner.js';
import { offlineOffsets } from '../tflm/offline-plan.js';
import { tflmPlanBuffers, type ArenaBuffer } from '../tflm/arena.js';
import type { Kernel, KernelCall, TensorData } from '../ops/kernel.js';
import { kernelOf, storageExtent } from '../ops/registry.js';
import { opKey } from '../graph/op-key.js';

export interface InterpreterOptions {
  /** Offsets for the planned buffers (tflmPlanBuffers order); default: TFLM's plan for the model. */
  offsets?: Int32Array;
  /** Reject plans where buffers that are live together overlap (default true). */
  validatePlan?: boolean;
  /** Guard mode: fill memory no live buffer covers with this byte before each operator. */
  poison?: number;
}

interface Step {
  kernel: Kernel;
  call: KernelCall;
  state: unknown;
}

export class Interpreter {
  readonly graph: Graph;
  readonly arena: Uint8Array;
  readonly buffers: readonly ArenaBuffer[];
  readonly offsets: Int32Array;
  /** The spill region (external memory) of TinySeg's spill/fetch ops; empty for other models. */
  readonly storage: Uint8Array;
  private readonly sg: Subgraph;
  private readonly data: (TensorData | null)[];
  private readonly steps: Step[];
  private readonly poison: number | undefined;
  /** Per operator: arena ranges [start, end) that hold no data the operator may read (guard mode only). */
  private readonly deadRanges: [number, number][][];

  constructor(graph: Graph, opts: InterpreterOptions = {}) {
    this.graph = graph;
    const sg = (this.sg = graph.main);
    this.buffers = tflmPlanBuffers(sg, offlineOffsets(graph));
    this.offsets = opts.offsets ?? planGreedyTflm(this.buffers).offsets;
    if (this.offsets.length !== this.buffers.length) {
      throw new TinysegError('E_USAGE', `plan has ${this.offsets.length} offsets for ${this.buffers.length} buffers`);
    }
    if (opts.validatePlan !== false) validatePlan(this.buffers, this.offsets, sg);
    let head = 0;
    this.buffers.forEach((b, i) => (head = Math.max(head, this.offsets[i]! + b.size)));
    this.arena = new Uint8Array(head);

    // Tensor storage: planned ones in the arena, constants from the model, the rest on their own.
    this.data = sg.tensors.map(() => null);
    const scratch: Uint8Array[][] = sg.ops.map(() => []);
    this.buffers.forEach((b, i) => {
      const at = this.offsets[i]!;
      if (b.kind === 'tensor') {
        const t = sg.tensors[b.tensor]!;
        this.data[b.tensor] = { tensor: t, bytes: this.arena.subarray(at, at + t.byteSize) };
      } else {
        scratch[b.op]!.push(this.arena.subarray(at, at + b.bytes));
      }
    });
    for (const t of sg.tensors) {
      if (this.data[t.index]) continue;
      if (t.kind === 'constant') this.data[t.index] = { tensor: t, bytes: t.data! };
      else this.data[t.index] = { tensor: t, bytes: new Uint8Array(t.byteSize) }; // variables, zero-size tensors
    }

    this.storage = new Uint8Array(Math.max(0, ...sg.ops.map((op) => storageExtent(op, sg.tensors))));
    this.steps = sg.ops.map((op, index) => {
      const name = opKey(op);
      const kernel = kernelOf(op);
      if (!kernel) {
        throw new TinysegError('E_UNSUPPORTED', `operator ${index} (${name}) is not supported by the TinySeg interpreter`);
      }
      const call: KernelCall = {
        op,
        index,
        inputs: op.inputs.map((t) => (t < 0 ? null : this.data[t]!)),
        outputs: op.outputs.map((t) => this.data[t]!),
        scratch: scratch[index]!,
        storage: this.storage,
      };
      return { kernel, call, state: kernel.prepare(call) };
    });

    this.poison = opts.poison;
    this.deadRanges = opts.poison === undefined ? [] : sg.ops.map((_, i) => unneeded(this.buffers, this.offsets, sg, opTime(i), head));
  }

  get inputCount(): number {
    return this.sg.inputs.length;
  }

  get outputCount(): number {
    return this.sg.outputs.length;
  }

  /** Writable bytes of input `i` (in the arena). */
  input(i: number): Uint8Array {
    const t = this.sg.inputs[i];
    if (t === undefined) throw new TinysegError('E_USAGE', `the model has ${this.sg.inputs.length} inputs, not ${i + 1}`);
    return this.data[t]!.bytes;
  }

  setInput(i: number, bytes: Uint8Array): void {
    const dst = this.input(i);
    if (bytes.length !== dst.length) {
      const t = this.sg.tensors[this.sg.inputs[i]!]!;
      throw new TinysegError('E_USAGE', `input ${i} ('${t.name}') takes ${dst.length} bytes (${t.dtype} [${t.shape.join('x')}]), got ${bytes.length}`);
    }
    dst.set(bytes);
  }

  invoke(): void {
    this.steps.forEach((s, i) => {
      if (this.poison !== undefined) for (const [a, b] of this.deadRanges[i]!) this.arena.fill(this.poison, a, b);
      s.kernel.invoke(s.call, s.state);
    });
  }

  /** A copy of output `i`'s bytes. */
  output(i: number): Uint8Array {
    const t = this.sg.outputs[i];
    if (t === undefined) throw new TinysegError('E_USAGE', `the model has ${this.sg.outputs.length} outputs, not ${i + 1}`);
    return this.data[t]!.bytes.slice();
  }

  outputs(): Uint8Array[] {
    return this.sg.outputs.map((_, i) => this.output(i));
  }
}

/** Runs one inference and returns copies of the outputs. */
export function runModel(graph: Graph, inputs: readonly Uint8Array[], opts: InterpreterOptions = {}): Uint8Array[] {
  const it = new Interpreter(graph, opts);
  inputs.forEach((b, i) => it.setInput(i, b));
  it.invoke();
  return it.outputs();
}

/**
 * Runs with two different poisons in dead memory: outputs that differ mean a
 * kernel (or the plan) read memory that held no live tensor.
 */
export function runGuarded(graph: Graph, inputs: readonly Uint8Array[], opts: Omit<InterpreterOptions, 'poison'> = {}): Uint8Array[] {
  const a = runModel(graph, inputs, { ...opts, poison: 0x00 });
  const b = runModel(graph, inputs, { ...opts, poison: 0xa5 });
  a.forEach((out, i) => {
    if (!Buffer.from(out).equals(Buffer.from(b[i]!))) {
      throw new TinysegError('E_PLAN', `output ${i} depends on dead arena memory (it changes with the guard poison)`);
    }
  });
  return a;
}

function describeBuffer(b: ArenaBuffer, sg: Subgraph): string {
  return b.kind === 'tensor' ? `tensor ${b.tensor} ('${sg.tensors[b.tensor]!.name}')` : `scratch ${b.scratchIndex} of operator ${b.op}`;
}

/** Throws when two buffers that are live at the same time share bytes (except an in-place pair at one offset). */
export function validatePlan(buffers: readonly ArenaBuffer[], offsets: Int32Array, sg: Subgraph): void {
  const inPlace = new Set(inPlacePairs(sg).map((p) => `${p.input}:${p.output}`));
  const shared = (a: ArenaBuffer, b: ArenaBuffer, sameOffset: boolean): boolean =>
    sameOffset && a.kind === 'tensor' && b.kind === 'tensor' && (inPlace.has(`${a.tensor}:${b.tensor}`) || inPlace.has(`${b.tensor}:${a.tensor}`));
  const order = buffers.map((_, i) => i).sort((x, y) => offsets[x]! - offsets[y]!);
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    const a = buffers[i]!;
    const endI = offsets[i]! + a.size;
    if (offsets[i]! < 0) throw new TinysegError('E_PLAN', `${describeBuffer(a, sg)} has negative offset ${offsets[i]}`);
    for (let m = k + 1; m < order.length && offsets[order[m]!]! < endI; m++) {
      const j = order[m]!;
      const b = buffers[j]!;
      // A zero-size buffer (a scratch request of 0 bytes) holds nothing to overlap.
      if (b.size > 0 && a.first >= 0 && b.first >= 0 && !(a.first > b.last || b.first > a.last) && !shared(a, b, offsets[i] === offsets[j])) {
        throw new TinysegError(
          'E_PLAN',
          `arena plan overlaps: ${describeBuffer(a, sg)} at ${offsets[i]} (+${a.size}) and ${describeBuffer(b, sg)} at ${offsets[j]} (+${b.size}) are live together`,
        );
      }
    }
  }
}

/**
 * Arena ranges holding nothing operator time `time` may read: everything but
 * tensors written before it (graph inputs at time 0, earlier outputs) that
 * are still used, and variables, whose state persists.
 */
function unneeded(buffers: readonly ArenaBuffer[], offsets: Int32Array, sg: Subgraph, time: number, head: number): [number, number][] {
  const holding = buffers
    .map((b, i) => [offsets[i]!, offsets[i]! + b.size, b] as const)
    .filter(([, , b]) => b.kind === 'tensor' && ((b.first < time && time <= b.last) || sg.tensors[b.tensor]!.kind === 'variable'))
    .sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  let at = 0;
  for (const [s, e] of holding) {
    if (s > at) out.push([at, s]);
    at = Math.max(at, e);
  }
  if (at < head) out.push([at, head]);
  return out;
}
