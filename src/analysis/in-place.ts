// In-place reuse: an element-wise operator may write its output over an input
// that dies there, when its reference kernel reads element i of that input
// before it writes element i of the output and never reads element i again.
// TFLM's reference loops for these ops are `out[i] = f(in[i], ...)` over the
// output's indices; an input with the output's full shape is indexed exactly
// like the output (a broadcast operand is not, so it is never the shared one).
// Which operators compute out[i] from in[i] alone is the registry's `inPlace`
// (ops/registry.ts): set only for operators the interpreter has a kernel for.
// The output may be narrower than the input (QUANTIZE float32 -> int8, a
// narrowing CAST): element i's output bytes then lie at or below the input
// bytes of element i, which the ascending loop has read already. The input may
// be a graph input: TFLM frees its bytes after its last reader anyway.

import type { Subgraph } from '../graph/graph.js';
import { isInPlace } from '../ops/registry.js';

export interface InPlacePair {
  op: number;
  /** The input whose buffer the output takes over. */
  input: number;
  output: number;
}

export function inPlacePairs(sg: Subgraph): InPlacePair[] {
  const pairs: InPlacePair[] = [];
  const outputs = new Set(sg.outputs);
  const inputs = new Set(sg.inputs);
  sg.ops.forEach((op, k) => {
    if (!isInPlace(op) || op.outputs.length !== 1) return;
    const y = sg.tensors[op.outputs[0]!]!;
    if (y.kind !== 'activation' || inputs.has(y.index)) return;
    for (const t of op.inputs) {
      if (t < 0) continue;
      const x = sg.tensors[t]!;
      const readers = sg.consumersOf(t);
      const ok =
        x.kind === 'activation' &&
        !outputs.has(t) &&
        readers[readers.length - 1] === k &&
        op.inputs.filter((i) => i === t).length === 1 &&
        x.byteSize >= y.byteSize &&
        x.shape.join() === y.shape.join();
      if (ok) {
        pairs.push({ op: k, input: t, output: y.index });
        return;
      }
    }
  });
  return pairs;
}
