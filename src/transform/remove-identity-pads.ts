// Removes PAD / PADV2 operators whose paddings are all zero: they copy a tensor
// into a second buffer of the same size, so both are live at once for nothing.
// (The bundled Tiny U-Net pads decoder tensors to the skip's size, which is a
// no-op whenever the sizes divide evenly.)

import type { Graph } from '../graph/graph.js';
import type { Pass } from './pass.js';
import { redirectReads, removeUnusedTensors } from './rewrite.js';

export interface RemoveIdentityPadsResult {
  removed: number;
  /** Activation bytes of the removed copies. */
  bytes: number;
}

export function removeIdentityPads(graph: Graph): RemoveIdentityPadsResult {
  const sg = graph.main;
  let removed = 0;
  let bytes = 0;
  for (let i = sg.ops.length - 1; i >= 0; i--) {
    const op = sg.ops[i]!;
    if (op.opcode !== 'PAD' && op.opcode !== 'PADV2') continue;
    const x = sg.tensors[op.inputs[0]!]!;
    const y = sg.tensors[op.outputs[0]!]!;
    const paddings = sg.tensors[op.inputs[1]!];
    if (!paddings?.data || paddings.dtype !== 'int32') continue;
    const words = new Int32Array(paddings.data.slice().buffer);
    const same = x.dtype === y.dtype && x.shape.join() === y.shape.join() && JSON.stringify(x.quantization) === JSON.stringify(y.quantization);
    // A graph output keeps its tensor: the caller reads it by index.
    if (!same || words.some((w) => w !== 0) || sg.outputs.includes(y.index)) continue;
    redirectReads(sg, y.index, x.index, i);
    sg.removeOp(i);
    removed++;
    bytes += y.byteSize;
  }
  removeUnusedTensors(sg);
  return { removed, bytes };
}

export const removeIdentityPadsPass: Pass<'removeIdentityPads', RemoveIdentityPadsResult> = { name: 'removeIdentityPads', run: (graph) => removeIdentityPads(graph) };
