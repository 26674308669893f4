// A DeepLab-style low-level skip read late: x -> wide features -> (encoder
// convs ...) -> decoder concatenation with a 1x1 projection of the features
// written where the decoder starts. Moved up to where the features are made,
// the projection leaves its narrow output alive across the encoder instead of
// the wide features; the outputs stay the same bytes.

import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/graph/builder.js';
import { loadGraph, saveGraph, type Graph } from '../../src/graph/graph.js';
import { verifyModels } from '../../src/interpreter/verify.js';
import { planTflmArena } from '../../src/tflm/arena.js';
import { hoistNarrowReaders } from '../../src/transform/hoist-narrow-readers.js';

function lateProjection(projectedChannels: number): Graph {
  const b = new GraphBuilder();
  let seed = 7;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const x = b.input('x', { dtype: 'float32', shape: [1, 16, 16, 4] });
  const conv = (input: number, name: string, ci: number, co: number) => {
    const y = b.tensor(name, { dtype: 'float32', shape: [1, 16, 16, co] });
    const w = b.constant(`${name}_w`, { dtype: 'float32', shape: [co, 1, 1, ci] }, Float32Array.from({ length: co * ci }, rand));
    b.op({ opcode: 'CONV_2D', inputs: [input, w, -1], outputs: [y], options: { type: 'Conv2DOptions', value: { padding: 1, strideH: 1, strideW: 1 } } });
    return y;
  };
  const features = conv(x, 'features', 4, 24);
  let e = conv(features, 'e0', 24, 12);
  for (let i = 1; i <= 4; i++) e = conv(e, `e${i}`, 12, 12);
  const projected = conv(features, 'projected', 24, projectedChannels);
  const y = b.tensor('y', { dtype: 'float32', shape: [1, 16, 16, 12 + projectedChannels] });
  b.op({ opcode: 'CONCATENATION', inputs: [e, projected], outputs: [y], options: { type: 'ConcatenationOptions', value: { axis: 3 } } });
  b.output(y);
  return loadGraph(saveGraph(b.build()));
}

describe('hoistNarrowReaders', () => {
  it('runs a late 1x1 projection of wide features right after they are made: a lower bound, the same output bytes', () => {
    const g = lateProjection(4);
    const before = planTflmArena(g).lowerBound.bytes;
    const r = hoistNarrowReaders(g);
    expect(r).toEqual({ moved: 1, bytes: 16 * 16 * (24 - 4) * 4 });
    // The projection now runs right after the features are made, before the encoder's first conv.
    expect(g.main.ops.map((op) => g.main.tensors[op.outputs[0]!]!.name).slice(0, 3)).toEqual(['features', 'projected', 'e0']);
    const after = loadGraph(saveGraph(g));
    expect(planTflmArena(after).lowerBound.bytes).toBeLessThan(before);
    expect(verifyModels(lateProjection(4), after, { inputs: 2, seed: 3 }).differingBytes).toBe(0);
  });

  it('leaves a reader whose output is no smaller than what it frees where it is', () => {
    const g = lateProjection(24);
    expect(hoistNarrowReaders(g)).toEqual({ moved: 0, bytes: 0 });
    expect(g.main.ops.map((op) => g.main.tensors[op.outputs[0]!]!.name).at(-2)).toBe('projected');
  });
});
