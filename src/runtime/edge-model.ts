// A model loaded for inference where it is imported (a browser page, a
// worker, Node): TinySeg's bit-exact interpreter on ONE fixed ArrayBuffer of
// the arena TFLM would need on a 32-bit MCU (the <NAME>_ARENA_SIZE figure
// `tinyseg optimize` prints and emits), every activation and kernel scratch a
// view of it at the offset of TFLM's plan (the model's offline plan for an
// optimized model, TFLM's greedy plan otherwise). The spill region of
// TinySeg's TinySegSpill/TinySegFetch operators is a second fixed buffer of
// the planned region size. Nothing grows after loading: the memory an app
// sees here is the memory the firmware gets.

import { TinysegError } from '../errors.js';
import { loadGraph, type Graph } from '../graph/graph.js';
import { REFERENCE_KERNELS } from '../ops/registry.js';
import { tflmGraphBuffers } from '../tflm/arena.js';
import { arenaSize } from '../tflm/arena-size.js';
import { planGreedyTflm } from '../tflm/greedy-planner.js';
import { offlineOffsets } from '../tflm/offline-plan.js';
import { estimateTail32 } from '../tflm/tail.js';
import { Interpreter } from '../interpreter/interpreter.js';
import { arrayTypeOf, tensorView, type EdgeTensor, type TensorArray } from './tensor-view.js';

/** The memory figures of the plan the model runs in, bytes (32-bit TFLM, reference kernels). */
export interface EdgePlan {
  /** Activations and kernel scratch as planned: the part of the arena tensors are views of. */
  readonly head: number;
  /** TFLM's persistent data at the arena's end on a 32-bit MCU. */
  readonly tail: number;
  /** head + tail: TFLM's arena_used_bytes(). */
  readonly used: number;
  /** The arena to allocate (<NAME>_ARENA_SIZE): `arena.byteLength`. */
  readonly arenaSize: number;
  /** The spill region TinySeg's operators write and read (0 for a model without them): `spillRegion.byteLength`. */
  readonly spillRegionSize: number;
}

/** A value for an input: the input's typed array type, or a Uint8Array of its raw bytes, or plain numbers. */
export type InputValues = TensorArray | ArrayLike<number>;

export class EdgeModel {
  /** The one arena every activation and scratch buffer lives in; its size never changes. */
  readonly arena: ArrayBuffer;
  /** The spill region (external memory on an MCU); an empty buffer for a model that spills nothing. */
  readonly spillRegion: ArrayBuffer;
  readonly plan: EdgePlan;
  readonly inputs: readonly EdgeTensor[];
  readonly outputs: readonly EdgeTensor[];
  /** Custom operators the model uses (TinySeg's run here; the firmware must register them), sorted. */
  readonly customOps: readonly string[];
  private readonly interpreter: Interpreter;

  constructor(graph: Graph) {
    const buffers = tflmGraphBuffers(graph, REFERENCE_KERNELS);
    // TFLM's plan: the offline plan's offsets where the model has one, the greedy planner's elsewhere.
    const { offsets, head } = planGreedyTflm(buffers);
    const tail = estimateTail32(graph, offlineOffsets(graph), REFERENCE_KERNELS).bytes;
    const size = arenaSize(graph, head, tail, REFERENCE_KERNELS);
    this.arena = new ArrayBuffer(size.bytes);
    this.interpreter = new Interpreter(graph, { offsets, arena: new Uint8Array(this.arena, 0, head) });
    this.spillRegion = this.interpreter.storage.buffer as ArrayBuffer;
    this.plan = Object.freeze({ head, tail, used: head + tail, arenaSize: size.bytes, spillRegionSize: this.spillRegion.byteLength });
    const main = graph.main;
    const view = (t: number) => tensorView(main.tensors[t]!, this.interpreter.tensorBytes(t), this.arena);
    this.inputs = Object.freeze(main.inputs.map(view));
    this.outputs = Object.freeze(main.outputs.map(view));
    const custom = new Set<string>();
    for (const sg of graph.subgraphs) for (const op of sg.ops) if (op.customCode !== null) custom.add(op.customCode);
    this.customOps = Object.freeze([...custom].sort());
  }

  /**
   * Writes `inputs` (one per model input, in order; none to run on what the inputs' `data` already holds),
   * runs the model once and returns the outputs' `data`: views of the arena, valid until the next run.
   */
  run(...inputs: InputValues[]): TensorArray[] {
    if (inputs.length > 0) {
      if (inputs.length !== this.inputs.length) throw new TinysegError('E_USAGE', `the model has ${this.inputs.length} inputs, got ${inputs.length}`);
      inputs.forEach((values, i) => writeInput(this.inputs[i]!, values));
    }
    this.interpreter.invoke();
    return this.outputs.map((t) => t.data);
  }
}

function writeInput(t: EdgeTensor, values: InputValues): void {
  const Type = arrayTypeOf(t.dtype)!;
  if (values instanceof Uint8Array && !(t.data instanceof Uint8Array)) {
    if (values.length !== t.byteLength) throw new TinysegError('E_USAGE', `input '${t.name}' takes ${t.byteLength} bytes (${t.dtype} [${t.shape.join('x')}]), got ${values.length}`);
    new Uint8Array(t.data.buffer, t.byteOffset, t.byteLength).set(values);
    return;
  }
  if (values.length !== t.size) throw new TinysegError('E_USAGE', `input '${t.name}' takes ${t.size} values (${t.dtype} [${t.shape.join('x')}]), got ${values.length}`);
  const typed = ArrayBuffer.isView(values);
  if (typed && !(values instanceof Type)) {
    throw new TinysegError('E_USAGE', `input '${t.name}' is ${t.dtype}: pass its values in a ${Type.name} (or its raw bytes in a Uint8Array), got a ${values.constructor.name}`, {
      hint: 'quantize() turns real numbers into a quantized input',
    });
  }
  (t.data as Exclude<TensorArray, BigInt64Array | BigUint64Array>).set(values as ArrayLike<number>);
}

/** Loads a model (original or optimized by TinySeg) into its fixed arena. */
export function loadModel(model: Uint8Array | ArrayBuffer): EdgeModel {
  return new EdgeModel(loadGraph(model instanceof Uint8Array ? model : new Uint8Array(model)));
}
