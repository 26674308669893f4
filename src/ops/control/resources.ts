// TFLM's resource variables (micro_resource_variable.cc): a MicroResourceVariables
// with a fixed number of slots, which the application creates from the
// interpreter's allocator and hands to the interpreter. VAR_HANDLE's Prepare
// takes the slot of its (container, shared name), a new one if none matches;
// ASSIGN_VARIABLE's Prepare allocates the slot's buffer from the persistent
// tail the first time, sized like the value it assigns, when its resource id
// is already known then (the output of a VAR_HANDLE prepared before it, or a
// constant); a handle that reaches it as a subgraph input is only known at run
// time, and then TFLM allocates nothing.

import type { Graph } from '../../graph/graph.js';
import { builtinOptions } from '../../graph/op-options.js';
import type { GraphOp } from '../../graph/types.js';
import type { ResourceStore, TensorData } from '../kernel.js';

interface Slot {
  container: string | null;
  sharedName: string | null;
  buffer: Uint8Array | undefined;
  fill: number;
}

/** FindId: a null container matches any; the shared names must be equal. */
const matches = (slot: Slot, container: string | null, sharedName: string | null): boolean =>
  (container === null || container === slot.container) && sharedName === slot.sharedName;

export class ResourceVariables implements ResourceStore {
  private readonly slots: Slot[] = [];

  constructor(readonly capacity: number) {}

  idFor(container: string | null, sharedName: string | null): number {
    const found = this.slots.findIndex((s) => matches(s, container, sharedName));
    if (found >= 0) return found;
    if (this.slots.length >= this.capacity) return -1;
    this.slots.push({ container, sharedName, buffer: undefined, fill: 0 });
    return this.slots.length - 1;
  }

  allocate(id: number, like: TensorData): boolean {
    const slot = this.slots[id];
    if (!slot) return false;
    if (!slot.buffer) {
      // The fill is the value's zero point cast to int8 (0 without quantization), whatever the type.
      const zp = like.tensor.quantization?.zeroPoint[0] ?? 0;
      slot.fill = ((zp << 24) >> 24) & 0xff;
      slot.buffer = new Uint8Array(like.tensor.byteSize).fill(slot.fill);
    }
    return true;
  }

  buffer(id: number): Uint8Array | undefined {
    return this.slots[id]?.buffer;
  }

  /** ResetAll: every allocated buffer back to its fill. */
  reset(): void {
    for (const s of this.slots) s.buffer?.fill(s.fill);
  }
}

const handleKey = (op: GraphOp): [string | null, string | null] => {
  const o = builtinOptions(op, 'VarHandleOptions');
  return [o.container ?? null, o.sharedName ?? null];
};

export interface ResourcePlan {
  /** Distinct resource variables of the model: the slots TinySeg assumes the application creates (0: no VAR_HANDLE, no object). */
  slots: number;
  /** The resource buffers ASSIGN_VARIABLE's Prepare allocates, in Prepare order: the operator and the bytes. */
  buffers: { subgraph: number; op: number; bytes: number }[];
}

/** What TFLM's Prepare pass does with resource variables for `graph` (subgraphs and operators in order). */
export function resourcePlan(graph: Pick<Graph, 'subgraphs'>): ResourcePlan {
  const keys: [string | null, string | null][] = [];
  for (const sg of graph.subgraphs) {
    for (const op of sg.ops) {
      if (op.opcode !== 'VAR_HANDLE') continue;
      const [c, n] = handleKey(op);
      if (!keys.some(([kc, kn]) => (c === null || c === kc) && n === kn)) keys.push([c, n]);
    }
  }
  const store = new ResourceVariables(keys.length);
  const buffers: ResourcePlan['buffers'] = [];
  graph.subgraphs.forEach((sg, s) => {
    const handles = new Map<number, number>();
    sg.ops.forEach((op, i) => {
      if (op.opcode === 'VAR_HANDLE' && op.outputs[0] !== undefined) {
        handles.set(op.outputs[0], store.idFor(...handleKey(op)));
      } else if (op.opcode === 'ASSIGN_VARIABLE' && op.inputs.length === 2) {
        const [h, v] = [op.inputs[0]!, op.inputs[1]!];
        const handle = sg.tensors[h];
        const value = sg.tensors[v];
        if (!handle || !value) return;
        const id = handles.get(h) ?? constantId(handle.data);
        if (id === undefined || id < 0) return;
        const fresh = store.buffer(id) === undefined;
        if (store.allocate(id, { tensor: value, bytes: new Uint8Array(0) }) && fresh) buffers.push({ subgraph: s, op: i, bytes: value.byteSize });
      }
    });
  });
  return { slots: keys.length, buffers };
}

/** A resource id stored as a constant (an int32 or resource tensor with data). */
function constantId(data: Uint8Array | null): number | undefined {
  if (!data || data.length < 4) return undefined;
  return new DataView(data.buffer, data.byteOffset, 4).getInt32(0, true);
}
