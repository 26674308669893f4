// DeepLab's ASPP image pooling: a global average, a 1x1 conv, then a resize of that
// one row back over the ASPP's rows (align_corners), joined with the other branch.
// Streamed, each band of the resize is the builtin on that row to the band's own
// rows (every row reads row 0 with weight 0, as in the whole tensor), so the wide
// broadcast never exists whole; the result is proved bit-exact.

import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/graph/builder.js';
import { saveGraph } from '../../src/graph/graph.js';
import { optimize } from '../../src/optimize/optimize.js';

const conv = (padding: number) => ({ type: 'Conv2DOptions', value: { padding, strideH: 1, strideW: 1, dilationHFactor: 1, dilationWFactor: 1 } });

/** x [1, 48, 32, 8] -> conv 3x3 (a) -> global AVERAGE_POOL -> conv 1x1 -> RESIZE_BILINEAR to 48x32 -> CONCATENATION with a -> conv 1x1. */
function asppImagePooling(alignCorners: boolean): Uint8Array {
  const b = new GraphBuilder();
  let seed = 5;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const weights = (name: string, shape: number[]) => b.constant(name, { dtype: 'float32', shape }, Float32Array.from({ length: shape.reduce((p, c) => p * c, 1) }, () => rand() * 0.3));
  const t = (name: string, shape: number[]) => b.tensor(name, { dtype: 'float32', shape });
  const x = b.input('x', { dtype: 'float32', shape: [1, 48, 32, 8] });
  const a = t('a', [1, 48, 32, 16]);
  b.op({ opcode: 'CONV_2D', inputs: [x, weights('a_w', [16, 3, 3, 8]), -1], outputs: [a], options: conv(0) });
  const pooled = t('pooled', [1, 1, 1, 16]);
  b.op({ opcode: 'AVERAGE_POOL_2D', inputs: [a], outputs: [pooled], options: { type: 'Pool2DOptions', value: { padding: 1, strideH: 48, strideW: 32, filterHeight: 48, filterWidth: 32 } } });
  const p = t('p', [1, 1, 1, 16]);
  b.op({ opcode: 'CONV_2D', inputs: [pooled, weights('p_w', [16, 1, 1, 16]), -1], outputs: [p], options: conv(1) });
  const spread = t('spread', [1, 48, 32, 16]);
  const size = b.constant('size', { dtype: 'int32', shape: [2] }, new Int32Array([48, 32]));
  b.op({ opcode: 'RESIZE_BILINEAR', inputs: [p, size], outputs: [spread], options: { type: 'ResizeBilinearOptions', value: { alignCorners } } });
  const cat = t('cat', [1, 48, 32, 32]);
  b.op({ opcode: 'CONCATENATION', inputs: [spread, a], outputs: [cat], options: { type: 'ConcatenationOptions', value: { axis: 3 } } });
  const y = t('y', [1, 48, 32, 4]);
  b.op({ opcode: 'CONV_2D', inputs: [cat, weights('y_w', [4, 1, 1, 32]), -1], outputs: [y], options: conv(1) });
  b.output(y);
  return saveGraph(b.build());
}

describe('a resize of one row (the ASPP image pooling)', () => {
  it('align_corners: streamed in bands of its own rows, never whole; proved bit-exact', () => {
    const result = optimize(asppImagePooling(true), { file: 'aspp.tflite', verify: { inputs: 2 } });
    const r = result.report;
    expect(r.verified).toBe(true);
    const sg = result.graph.main;
    const resizes = sg.ops.filter((op) => op.opcode === 'RESIZE_BILINEAR');
    expect(resizes.length).toBeGreaterThan(1);
    for (const op of resizes) {
      expect(sg.tensors[op.inputs[0]!]!.shape).toEqual([1, 1, 1, 16]);
      expect(sg.tensors[op.outputs[0]!]!.shape[1]).toBeLessThan(48);
    }
    expect(r.after.head).toBeLessThan(r.before.head / 2);
  });

  it('half-pixel weights that change with the band height: its bands are not made of that row alone', () => {
    const result = optimize(asppImagePooling(false), { file: 'aspp-half.tflite', verify: { inputs: 1 } });
    expect(result.report.verified).toBe(true);
    const sg = result.graph.main;
    // Every resize of the one row writes all 48 rows (bands slice theirs off).
    const resizes = sg.ops.filter((o) => o.opcode === 'RESIZE_BILINEAR');
    expect(resizes.length).toBeGreaterThan(0);
    for (const op of resizes) expect(sg.tensors[op.outputs[0]!]!.shape[1]).toBe(48);
  });
});
