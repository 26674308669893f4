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
import { Subgraph, type Graph, type Tensor } from '../graph/graph.js';
import { inPlacePairs } from '../analysis/in-place.js';
import { rowJoinSlices } from '../analysis/row-join.js';
import { ARENA_ALIGNMENT, alignArena } from '../tflm/alignment.js';
import { opTime, tflmGraphLifetimes } from '../tflm/lifetimes.js';
import { planGreedyTflm } from '../tflm/greedy-planner.js';
import { tflmGraphBuffers, type ArenaBuffer } from '../tflm/arena.js';
import { copyBytes, INTERPRETER_GAP, typedViews, UNDEFINED_IN_TFLM, type FusedSteps, type Kernel, type KernelCall, type PreparedStep, type SubgraphHost, type TensorData } from '../ops/kernel.js';
import { ResourceVariables, resourcePlan } from '../ops/control/index.js';
import { declaredOp, kernelOf, REFERENCE_KERNELS, storageExtent } from '../ops/registry.js';
import type { CustomOps } from '../ops/custom-op-declaration.js';
import { standInKernel } from './custom-op-stand-in.js';
import { opKey } from '../graph/op-key.js';

export interface InterpreterOptions {
  /** Offsets for the planned buffers (tflmPlanBuffers order); default: TFLM's plan for the model. */
  offsets?: Int32Array;
  /** Reject plans where buffers that are live together overlap (default true). */
  validatePlan?: boolean;
  /** Guard mode: fill memory no live buffer covers with this byte before each operator. */
  poison?: number;
  /**
   * Prepare only (checkModel): every buffer at offset 0 unless `offsets` says otherwise, skip operators the registry has no kernel for,
   * and collect the refusals TFLM only makes at Invoke here instead of throwing
   * (and those of Prepare too with `allowRefused`).
   */
  check?: { warnings: string[]; allowRefused?: boolean };
  /**
   * Declared custom operators of other projects: each runs as a stand-in whose
   * outputs are a function of its inputs (custom-op-stand-in.ts), with its
   * declared scratch planned; `customInputs` logs what each received.
   */
  customOps?: CustomOps;
  /**
   * Storage for the arena, at least the plan's head bytes (e.g. a view of one fixed ArrayBuffer a runtime
   * owns, so every tensor is a view into it at its planned offset); default: a new buffer of the head's size.
   */
  arena?: Uint8Array;
}

/** The mark of a kernel refusal that TFLM only makes at Invoke (its Prepare accepts the operator). */
export const INVOKE_REFUSAL = '(TFLM refuses it at Invoke)';
/** The mark of a refusal of TFLM's Prepare that checkModel was told to allow: the figures are planning only. */
export const PREPARE_REFUSAL = '(TFLM refuses it in Prepare: these figures are memory planning only)';

/** Sees the main subgraph's operators one by one in invoke(): the proof's reuse of the original's results (op-reuse.ts). */
export interface StepHook {
  /** Before operator `i`: true when the hook has written the operator's outputs itself, and its kernel is skipped. */
  before?(i: number, call: KernelCall): boolean;
  /** After operator `i`'s kernel ran. */
  after?(i: number, call: KernelCall): void;
}

type Step = PreparedStep;

/** One subgraph as the interpreter runs it: its tensors' storage and its prepared operators. */
interface SubgraphRun {
  sg: Subgraph;
  data: TensorData[];
  steps: Step[];
  /** The steps with runs of operators a kernel fuses (Kernel.fuse) as one step each: an inference without hook or guard mode. */
  fused: Step[];
  /** Per operator: arena ranges [start, end) that hold no data the operator may read (guard mode only). */
  deadRanges: [number, number][][];
}

export class Interpreter implements SubgraphHost {
  readonly graph: Graph;
  readonly arena: Uint8Array;
  readonly buffers: readonly ArenaBuffer[];
  readonly offsets: Int32Array;
  /** The spill region (external memory) of TinySeg's spill/fetch ops; empty for other models. */
  readonly storage: Uint8Array;
  /** TFLM's MicroResourceVariables, one slot per resource variable of the model. */
  readonly resources: ResourceVariables;
  private readonly sg: Subgraph;
  private readonly runs: SubgraphRun[];
  private readonly poison: number | undefined;
  /** One entry per declared custom operator run, in run order: its custom code and a digest of its inputs. */
  readonly customInputs: string[] = [];

  constructor(graph: Graph, opts: InterpreterOptions = {}) {
    this.graph = graph;
    this.sg = graph.main;
    const kernels = opts.customOps ? { ...REFERENCE_KERNELS, customOps: opts.customOps } : REFERENCE_KERNELS;
    this.buffers = tflmGraphBuffers(graph, kernels);
    const standIn = standInKernel(this.customInputs);
    this.offsets = opts.offsets ?? (opts.check ? new Int32Array(this.buffers.length) : planGreedyTflm(this.buffers).offsets);
    if (this.offsets.length !== this.buffers.length) {
      throw new TinysegError('E_USAGE', `plan has ${this.offsets.length} offsets for ${this.buffers.length} buffers`);
    }
    if (opts.validatePlan !== false) validatePlan(this.buffers, this.offsets, graph);
    let head = 0;
    this.buffers.forEach((b, i) => (head = Math.max(head, this.offsets[i]! + b.size)));
    if (opts.arena && opts.arena.length < head) {
      throw new TinysegError('E_USAGE', `the arena given holds ${opts.arena.length} bytes, the plan needs ${head}`);
    }
    this.arena = opts.arena ?? new Uint8Array(head);
    this.resources = new ResourceVariables(resourcePlan(graph).slots);

    // Tensor storage: planned ones in the arena, constants from the model, the rest on their own.
    const subgraphs = graph.subgraphs;
    const data: (TensorData | null)[][] = subgraphs.map((g) => g.tensors.map(() => null));
    const scratch: Uint8Array[][][] = subgraphs.map((g) => g.ops.map(() => []));
    this.buffers.forEach((b, i) => {
      const at = this.offsets[i]!;
      const s = b.subgraph ?? 0;
      if (b.kind === 'tensor') {
        const t = subgraphs[s]!.tensors[b.tensor]!;
        const bytes = this.arena.subarray(at, at + t.byteSize);
        data[s]![b.tensor] = { tensor: t, bytes, views: typedViews(bytes) };
      } else {
        scratch[s]![b.op]!.push(this.arena.subarray(at, at + b.bytes));
      }
    });
    subgraphs.forEach((g, s) => {
      for (const t of g.tensors) {
        if (data[s]![t.index]) continue;
        if (t.kind === 'constant') data[s]![t.index] = { tensor: t, bytes: t.data!, views: typedViews(t.data!) };
        else {
          const bytes = new Uint8Array(t.byteSize).fill(t.kind === 'variable' ? variableFill(t) : 0);
          data[s]![t.index] = { tensor: t, bytes, views: typedViews(bytes) };
        }
      }
    });

    // The spill region as plan.json's spill.regionBytes and the emitted header size it: whole alignment units.
    this.storage = new Uint8Array(alignArena(Math.max(0, ...subgraphs.flatMap((g) => g.ops.map((op) => storageExtent(op, g.tensors))))));
    this.poison = opts.poison;
    const life = subgraphs.length > 1 ? tflmGraphLifetimes(graph) : null;
    this.runs = subgraphs.map((g, s) => ({
      sg: g,
      data: data[s] as TensorData[],
      steps: [],
      fused: [],
      deadRanges:
        opts.poison === undefined || (life !== null && life.entries[s]! !== 1)
          ? []
          : g.ops.map((_, i) => unneeded(this.buffers, this.offsets, graph, life ? life.opTimes[s]![i]! : opTime(i), head)),
    }));
    // TFLM's Prepare order: subgraph by subgraph, operator by operator.
    this.runs.forEach((run, s) => {
      const where = subgraphs.length > 1 && s > 0 ? `subgraph ${s} ` : '';
      run.sg.ops.forEach((op, index) => {
        const kernel = kernelOf(op) ?? (declaredOp(op, kernels) ? standIn : undefined);
        if (!kernel && opts.check) return;
        if (!kernel) {
          const hint = op.opcode === 'CUSTOM' ? ': declare it with --custom-op to prove the rest of the model' : '';
          throw new TinysegError('E_UNSUPPORTED', `${where}operator ${index} (${opKey(op)}) is not supported by the TinySeg interpreter${hint}`);
        }
        const call: KernelCall = {
          op,
          index,
          inputs: op.inputs.map((t) => (t < 0 ? null : run.data[t]!)),
          outputs: op.outputs.map((t) => run.data[t]!),
          scratch: scratch[s]![index]!,
          storage: this.storage,
          host: this,
        };
        if (!opts.check) {
          const atEval = kernel.evalInputs?.some((i) => (call.inputs[i]?.tensor.kind ?? 'constant') !== 'constant');
          run.steps.push({ kernel: atEval ? preparedOnEveryCall(kernel) : kernel, call, state: kernel.prepare(call) });
          return;
        }
        try {
          kernel.prepare(call);
        } catch (e) {
          if (!(e instanceof TinysegError && e.code === 'E_UNSUPPORTED')) throw e;
          if ([INVOKE_REFUSAL, INTERPRETER_GAP, UNDEFINED_IN_TFLM].some((mark) => e.message.includes(mark))) opts.check.warnings.push(`${where}${e.message}`);
          else if (opts.check.allowRefused) opts.check.warnings.push(`${where}${e.message} ${PREPARE_REFUSAL}`);
          else throw e;
        }
      });
      run.fused = opts.poison === undefined ? fuseSteps(run.steps) : run.steps;
    });
  }

  get subgraphCount(): number {
    return this.runs.length;
  }

  subgraphInputs(s: number): readonly TensorData[] {
    const run = this.runs[s]!;
    return run.sg.inputs.map((t) => run.data[t]!);
  }

  subgraphOutputs(s: number): readonly TensorData[] {
    const run = this.runs[s]!;
    return run.sg.outputs.map((t) => run.data[t]!);
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
    return this.runs[0]!.data[t]!.bytes;
  }

  setInput(i: number, bytes: Uint8Array): void {
    const dst = this.input(i);
    if (bytes.length !== dst.length) {
      const t = this.sg.tensors[this.sg.inputs[i]!]!;
      throw new TinysegError('E_USAGE', `input ${i} ('${t.name}') takes ${dst.length} bytes (${t.dtype} [${t.shape.join('x')}]), got ${bytes.length}`);
    }
    copyBytes(dst, 0, bytes, 0, bytes.length);
  }

  /** The runs of the main subgraph's operators an inference without hook runs as one (Kernel.fuse): first operator and count. */
  fusedRuns(): { from: number; count: number }[] {
    const run = this.runs[0]!;
    const out: { from: number; count: number }[] = [];
    let i = 0;
    for (const step of run.fused) {
      if (step.kernel === FUSED) {
        const count = (step.state as FusedSteps).count;
        out.push({ from: i, count });
        i += count;
      } else i++;
    }
    return out;
  }

  /** Runs the model once; `hook` sees (and may stand in for) each of the main subgraph's operators. */
  invoke(hook?: StepHook): void {
    if (!hook) {
      this.invokeSubgraph(0);
      return;
    }
    const { steps, deadRanges: dead } = this.runs[0]!;
    const poison = this.poison;
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]!;
      if (poison !== undefined && dead.length > 0) for (const [a, b] of dead[i]!) this.arena.fill(poison, a, b);
      if (hook.before?.(i, step.call) === true) continue;
      step.kernel.invoke(step.call, step.state);
      hook.after?.(i, step.call);
    }
  }

  /** The storage of tensor `t` of subgraph `s` (writable: e.g. to give a variable tensor a state). */
  tensorBytes(t: number, s = 0): Uint8Array {
    const d = this.runs[s]?.data[t];
    if (!d) throw new TinysegError('E_USAGE', `subgraph ${s} has no tensor ${t}`);
    return d.bytes;
  }

  /** Runs subgraph `s` once (TFLM's MicroGraph::InvokeSubgraph). */
  invokeSubgraph(s: number): void {
    const run = this.runs[s];
    if (!run) throw new TinysegError('E_MODEL', `accessing subgraph ${s} but only ${this.runs.length} subgraphs found`);
    const steps = run.fused;
    const dead = run.deadRanges;
    const poison = this.poison;
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]!;
      if (poison !== undefined && dead.length > 0) for (const [a, b] of dead[i]!) this.arena.fill(poison, a, b);
      step.kernel.invoke(step.call, step.state);
    }
  }

  /** A copy of output `i`'s bytes. */
  output(i: number): Uint8Array {
    const t = this.sg.outputs[i];
    if (t === undefined) throw new TinysegError('E_USAGE', `the model has ${this.sg.outputs.length} outputs, not ${i + 1}`);
    return this.runs[0]!.data[t]!.bytes.slice();
  }

  outputs(): Uint8Array[] {
    return this.sg.outputs.map((_, i) => this.output(i));
  }
}

/** Runs FusedSteps as one step. */
const FUSED: Kernel<FusedSteps> = {
  prepare: () => {
    throw new TinysegError('E_USAGE', 'fused operators are prepared one by one');
  },
  invoke: (_call, fused) => fused.invoke(),
};

/** `kernel` prepared again on every call, from the values its run-time inputs have then (Kernel.evalInputs); never fused. */
const preparedOnEveryCall = (kernel: Kernel): Kernel => ({
  prepare: (call) => kernel.prepare(call),
  invoke: (call) => kernel.invoke(call, kernel.prepare(call)),
});

/** `steps` with each run of operators a kernel fuses as one step (its first operator's call); guard mode keeps them apart. */
function fuseSteps(steps: readonly Step[]): Step[] {
  const out: Step[] = [];
  for (let i = 0; i < steps.length; ) {
    const fused = steps[i]!.kernel.fuse?.(steps, i) ?? null;
    if (fused) {
      out.push({ kernel: FUSED as Kernel, call: steps[i]!.call, state: fused });
      i += fused.count;
    } else out.push(steps[i++]!);
  }
  return out;
}

/** ResetVariableTensors: an int8 variable starts at its zero point, every other at 0. */
function variableFill(t: Tensor): number {
  return t.dtype === 'int8' ? (t.quantization?.zeroPoint[0] ?? 0) & 0xff : 0;
}

/**
 * TFLM's Prepare for every operator without running any: throws the first
 * refusal TFLM makes in Prepare (the same error as building an interpreter),
 * and returns those TFLM only makes at Invoke as warnings. Constants carry the
 * model's data; activations and scratch share one zeroed buffer (prepare reads
 * no activation values), so no plan is made. Operators without a kernel are
 * skipped, and one whose kernel lacks what TFLM accepts (INTERPRETER_GAP) or
 * whose TFLM result is undefined (UNDEFINED_IN_TFLM) is a
 * warning: what TinySeg cannot run, it can still report. `allowRefused` turns
 * Prepare's refusals into warnings too (every operator is checked).
 */
export function checkModel(graph: Graph, opts: { allowRefused?: boolean } = {}): string[] {
  const warnings: string[] = [];
  new Interpreter(graph, { validatePlan: false, check: { warnings, allowRefused: opts.allowRefused === true } });
  return warnings;
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

function describeBuffer(b: ArenaBuffer, graph: Graph): string {
  const s = b.subgraph ?? 0;
  const where = s > 0 ? `subgraph ${s} ` : '';
  return b.kind === 'tensor' ? `${where}tensor ${b.tensor} ('${graph.subgraphs[s]!.tensors[b.tensor]!.name}')` : `scratch ${b.scratchIndex} of ${where}operator ${b.op}`;
}

/**
 * Throws when two buffers that are live at the same time share bytes (except an in-place pair at its offset, and a
 * row join's input at its slice of the output: analysis/row-join.ts).
 */
export function validatePlan(buffers: readonly ArenaBuffer[], offsets: Int32Array, graph: Graph | Subgraph): void {
  const g: Graph = graph instanceof Subgraph ? ({ subgraphs: [graph], main: graph } as unknown as Graph) : graph;
  const inPlace = new Map(inPlacePairs(g.main).map((p) => [`${p.input}:${p.output}`, p.offset]));
  const joins = new Map(rowJoinSlices(g.main, ARENA_ALIGNMENT).map((j) => [`${j.part}:${j.output}`, j.offset]));
  const main = (b: ArenaBuffer): boolean => (b.subgraph ?? 0) === 0;
  // `a` at offset `oa`, `b` at `ob`.
  const shared = (a: ArenaBuffer, b: ArenaBuffer, oa: number, ob: number): boolean => {
    if (a.kind !== 'tensor' || b.kind !== 'tensor' || !main(a) || !main(b)) return false;
    if (inPlace.get(`${a.tensor}:${b.tensor}`) === ob - oa || inPlace.get(`${b.tensor}:${a.tensor}`) === oa - ob) return true;
    return joins.get(`${a.tensor}:${b.tensor}`) === oa - ob || joins.get(`${b.tensor}:${a.tensor}`) === ob - oa;
  };
  const order = buffers.map((_, i) => i).sort((x, y) => offsets[x]! - offsets[y]!);
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    const a = buffers[i]!;
    const endI = offsets[i]! + a.size;
    if (offsets[i]! < 0) throw new TinysegError('E_PLAN', `${describeBuffer(a, g)} has negative offset ${offsets[i]}`);
    for (let m = k + 1; m < order.length && offsets[order[m]!]! < endI; m++) {
      const j = order[m]!;
      const b = buffers[j]!;
      // A zero-size buffer (a scratch request of 0 bytes) holds nothing to overlap.
      if (b.size > 0 && a.first >= 0 && b.first >= 0 && !(a.first > b.last || b.first > a.last) && !shared(a, b, offsets[i]!, offsets[j]!)) {
        throw new TinysegError(
          'E_PLAN',
          `arena plan overlaps: ${describeBuffer(a, g)} at ${offsets[i]} (+${a.size}) and ${describeBuffer(b, g)} at ${offsets[j]} (+${b.size}) are live together`,
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
function unneeded(buffers: readonly ArenaBuffer[], offsets: Int32Array, graph: Graph, time: number, head: number): [number, number][] {
  const holding = buffers
    .map((b, i) => [offsets[i]!, offsets[i]! + b.size, b] as const)
    .filter(
      ([, , b]) =>
        b.kind === 'tensor' && ((b.first < time && time <= b.last) || graph.subgraphs[b.subgraph ?? 0]!.tensors[b.tensor]!.kind === 'variable'),
    )
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
