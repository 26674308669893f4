// Moves a RESHAPE after the operators that do not care about its shape. A Keras
// segmentation head flattens its logits before the softmax
// (Reshape((H * W, classes)) then Activation('softmax')): on the flattened
// tensor no row rule applies, so the logits, the flattened copy and the
// probabilities at full resolution are all whole at the end. The operator run
// on the 4-D tensor before the RESHAPE computes the same bytes in the same
// order (registry.ts reshapeBefore: element-wise, or over the kept last axis),
// where row bands cut it; the RESHAPE, moved to its output, writes its input's
// bytes over that input (in-place.ts), so it copies nothing on the device.

import type { Graph } from '../graph/graph.js';
import { reshapeBefore } from '../ops/registry.js';
import type { Pass } from './pass.js';
import { activationLike, freshName, removeUnusedTensors } from './rewrite.js';

export interface SinkReshapesResult {
  /** Operators now run before the RESHAPE they followed. */
  moved: number;
}

export function sinkReshapes(graph: Graph): SinkReshapesResult {
  const sg = graph.main;
  let moved = 0;
  // Each move leaves the RESHAPE before the next reader of the operator's output, which may move in turn.
  for (let j = 0; j < sg.ops.length; j++) {
    const op = sg.ops[j]!;
    const k = reshapeBefore(sg, op);
    if (k < 0) continue;
    const reshape = sg.ops[k]!;
    const x = sg.tensors[reshape.inputs[0]!]!;
    const y = sg.tensors[op.outputs[0]!]!;
    // The operator's output on the 4-D tensor; the RESHAPE (same shape operand: the operator keeps the shape) makes y of it.
    const y4 = activationLike(sg, y, freshName(sg, `${y.name}_4d`), x.shape);
    sg.rewire(op, { inputs: [x.index], outputs: [y4.index] });
    sg.rewire(reshape, { inputs: [y4.index, ...reshape.inputs.slice(1)], outputs: [y.index] });
    sg.removeOp(k);
    sg.insertOp(j, reshape);
    moved++;
  }
  if (moved > 0) removeUnusedTensors(sg);
  return { moved };
}

export const sinkReshapesPass: Pass<'sinkReshapes', SinkReshapesResult> = { name: 'sinkReshapes', run: (graph) => sinkReshapes(graph) };
