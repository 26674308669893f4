// A float model whose skip connection waits through a chain of convs: what
// --lossy-spill int8 spills (test/transform/lossy-spill*.test.ts).

import { GraphBuilder } from '../../src/graph/builder.js';
import { loadGraph, saveGraph, type Graph } from '../../src/graph/graph.js';
import { prng } from './prng.js';

/** x -> a = conv(x) -> four 1x1 convs -> flattened and back -> ADD(a, last) (or CONCATENATION then a conv): `a` waits through the chain. */
export function skipModel(join: 'add' | 'concat'): Graph {
  const b = new GraphBuilder();
  const next = prng(5);
  const rand = () => next() / 2 ** 32;
  const act = (name: string, c = 8) => b.tensor(name, { dtype: 'float32', shape: [1, 16, 16, c] });
  const conv = (input: number, name: string, ci = 8, co = 8) => {
    const y = act(name, co);
    const w = b.constant(`${name}_w`, { dtype: 'float32', shape: [co, 1, 1, ci] }, Float32Array.from({ length: co * ci }, () => (rand() * 2 - 1) * 0.4));
    b.op({ opcode: 'CONV_2D', inputs: [input, w, -1], outputs: [y], options: { type: 'Conv2DOptions', value: { padding: 1, strideH: 1, strideW: 1 } } });
    return y;
  };
  const x = b.input('x', { dtype: 'float32', shape: [1, 16, 16, 8] });
  const a = conv(x, 'a');
  let t = a;
  for (let i = 0; i < 4; i++) t = conv(t, `c${i}`);
  // Flattened and back: the path from a to the join is not row-local, so row bands cannot stream the skip
  // through it (band-chains.ts) and spilling it is what pays.
  const flat = b.tensor('flat', { dtype: 'float32', shape: [1, 256, 8] });
  b.op({ opcode: 'RESHAPE', inputs: [t, b.constant('flat_shape', { dtype: 'int32', shape: [3] }, Int32Array.from([1, 256, 8]))], outputs: [flat] });
  t = act('unflat');
  b.op({ opcode: 'RESHAPE', inputs: [flat, b.constant('unflat_shape', { dtype: 'int32', shape: [4] }, Int32Array.from([1, 16, 16, 8]))], outputs: [t] });
  if (join === 'add') {
    const sum = act('sum');
    b.op({ opcode: 'ADD', inputs: [a, t], outputs: [sum], options: { type: 'AddOptions', value: { fusedActivationFunction: 0 } } });
    b.output(sum);
  } else {
    const cat = act('cat', 16);
    b.op({ opcode: 'CONCATENATION', inputs: [a, t], outputs: [cat], options: { type: 'ConcatenationOptions', value: { axis: 3 } } });
    b.output(conv(cat, 'head', 16, 4));
  }
  return loadGraph(saveGraph(b.build()));
}
