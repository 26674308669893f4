// Rewrites SQUEEZE and EXPAND_DIMS as RESHAPE. Both only drop or add axes of
// size 1, so their output is their input's bytes in order; but TFLM's SQUEEZE
// memcpys them and its EXPAND_DIMS copies them element by element, so each
// keeps a buffer of its own beside its input (a class map squeezed to [H, W] for
// the output is then whole twice at the end). A RESHAPE to the same output
// shape computes the same bytes, and TFLM's copies nothing where input and
// output share a buffer (reshape.cc), which the placement then arranges
// (in-place.ts). The RESHAPE reads its shape from a constant, as the
// converter writes it: TFLM takes the output's dimensions either way, stock
// TFLite needs the operand. A RESHAPE is also what sinkReshapes moves after an
// element-wise reader, so this pass runs before it.

import type { Graph } from '../graph/graph.js';
import { isReshapeCopy } from '../ops/registry.js';
import type { Pass } from './pass.js';
import { int32Const, newOp, removeUnusedTensors } from './rewrite.js';

export interface SqueezesToReshapesResult {
  /** SQUEEZE and EXPAND_DIMS operators now RESHAPEs. */
  rewritten: number;
}

export function squeezesToReshapes(graph: Graph): SqueezesToReshapesResult {
  const sg = graph.main;
  let rewritten = 0;
  for (let k = 0; k < sg.ops.length; k++) {
    const op = sg.ops[k]!;
    if (!isReshapeCopy(op) || op.outputs.length !== 1) continue;
    const x = sg.tensors[op.inputs[0] ?? -1];
    const y = sg.tensors[op.outputs[0]!];
    // A static shape of as many elements (the operators' own Prepare checks hold it in any model TFLM runs).
    if (!x || !y || x.dtype !== y.dtype || y.shape.some((d) => d < 0) || x.byteSize !== y.byteSize) continue;
    const shape = int32Const(sg, `${y.name}_shape`, y.shape);
    sg.replaceOps(k, 1, [newOp({ opcode: 'RESHAPE', inputs: [x.index, shape], outputs: [y.index] })]);
    rewritten++;
  }
  // EXPAND_DIMS's axis operand is read no more.
  if (rewritten > 0) removeUnusedTensors(sg);
  return { rewritten };
}

export const squeezesToReshapesPass: Pass<'squeezesToReshapes', SqueezesToReshapesResult> = {
  name: 'squeezesToReshapes',
  run: (graph) => squeezesToReshapes(graph),
};
