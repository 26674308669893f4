// In-place reuse: an element-wise operator may write its output over an input
// that dies there, when its reference kernel reads element i of that input
// before it writes element i of the output and never reads element i again.
// TFLM's reference loops for these ops are `out[i] = f(in[i], ...)` over the
// output's indices; an input with the output's full shape is indexed exactly
// like the output (a broadcast operand is not, so it is never the shared one).
// Which operators compute out[i] from in[i] alone is the registry's `inPlace`
// (ops/registry.ts): set only for operators the interpreter has a kernel for.
// A RESHAPE (the registry's inPlace 'bytes') writes its input's bytes in order
// whatever the shapes, and TFLM copies nothing where the two share a buffer.
// The output may be narrower than the input (QUANTIZE float32 -> int8, a
// narrowing CAST): element i's output bytes then lie at or below the input
// bytes of element i, which the ascending loop has read already. The input may
// be a graph input: TFLM frees its bytes after its last reader anyway.
// A row-queue operator (the registry's `inPlaceRows`, TinySegConvInPlace) may
// put its output over its dying operand 0 whatever the shapes: the output
// starts `placedDelta` bytes before the input (conv-in-place-rows.ts), so the
// pair spans the larger of the two.

import type { Subgraph } from '../graph/graph.js';
import { convInPlaceRows } from '../ops/tinyseg/conv-in-place-kernel.js';
import { placedDelta } from '../ops/tinyseg/conv-in-place-rows.js';
import { decodeConvInPlaceOptions } from '../ops/tinyseg/custom-ops.js';
import { isInPlace, isInPlaceBytes, isInPlaceRows, isReshapeCopy } from '../ops/registry.js';

export interface InPlacePair {
  op: number;
  /** The input whose buffer the output takes over. */
  input: number;
  output: number;
  /** The output's offset from the input's, in bytes: 0, or negative where the output starts before the input. */
  offset: number;
}

/**
 * The in-place pairs of `sg`; with `asReshapes`, of `sg` once its SQUEEZEs and EXPAND_DIMS are RESHAPEs
 * (OpInfo.reshapes: what the optimizer writes), for figures of what the optimized model may reach.
 */
export function inPlacePairs(sg: Subgraph, asReshapes = false): InPlacePair[] {
  const pairs: InPlacePair[] = [];
  const outputs = new Set(sg.outputs);
  const inputs = new Set(sg.inputs);
  const dying = (t: number, k: number): boolean => {
    const readers = sg.consumersOf(t);
    return sg.tensors[t]!.kind === 'activation' && !outputs.has(t) && readers[readers.length - 1] === k && sg.ops[k]!.inputs.filter((i) => i === t).length === 1;
  };
  sg.ops.forEach((op, k) => {
    if (op.outputs.length !== 1) return;
    const y = sg.tensors[op.outputs[0]!]!;
    if (y.kind !== 'activation' || inputs.has(y.index)) return;
    if (isInPlaceRows(op)) {
      const x = sg.tensors[op.inputs[0] ?? -1];
      const w = sg.tensors[op.inputs[1] ?? -1];
      if (x && w && dying(x.index, k)) {
        const delta = placedDelta(convInPlaceRows(decodeConvInPlaceOptions(op.customOptions), x.shape, w.shape, y.shape));
        pairs.push({ op: k, input: x.index, output: y.index, offset: delta === 0 ? 0 : -delta });
      }
      return;
    }
    const reshape = asReshapes && isReshapeCopy(op);
    if (!isInPlace(op) && !reshape) return;
    // A RESHAPE's output is its input's bytes, whatever the shapes: over its data operand only.
    const bytes = reshape || isInPlaceBytes(op);
    for (const t of bytes ? op.inputs.slice(0, 1) : op.inputs) {
      if (t < 0) continue;
      const x = sg.tensors[t]!;
      if (dying(t, k) && x.byteSize >= y.byteSize && (bytes ? x.byteSize === y.byteSize : x.shape.join() === y.shape.join())) {
        pairs.push({ op: k, input: t, output: y.index, offset: 0 });
        return;
      }
    }
  });
  return pairs;
}
