// The streaming floor on built graphs whose floor is worked out by hand: graph
// inputs and outputs whole under TFLM's lifetimes, every operand of an operator
// with no row rule whole while it runs, row-local operators' operands not.

import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/graph/builder.js';
import { loadGraph, saveGraph, type Graph } from '../../src/graph/graph.js';
import { streamingFloor } from '../../src/analysis/streaming-floor.js';
import { passTimeline, planTflmArena } from '../../src/tflm/arena.js';

const q = { scale: [0.05], zeroPoint: [0], quantizedDimension: 0 };

/** int8 activations [1, h, w, c] and 1x1 convs between them (row-local: their operands need not be whole). */
class Net {
  readonly b = new GraphBuilder();
  t(name: string, shape: number[]): number {
    return this.b.tensor(name, { dtype: 'int8', shape, quantization: q });
  }
  conv1x1(x: number, y: number): void {
    const [cin, cout] = [this.b.shapeOf(x)[3]!, this.b.shapeOf(y)[3]!];
    const w = this.b.constant(`w${y}`, { dtype: 'int8', shape: [cout, 1, 1, cin], quantization: { scale: new Array(cout).fill(0.01), zeroPoint: new Array(cout).fill(0), quantizedDimension: 0 } }, new Int8Array(cout * cin).fill(3));
    this.b.op({ opcode: 'CONV_2D', inputs: [x, w, -1], outputs: [y], options: { type: 'Conv2DOptions', value: { padding: 1, strideH: 1, strideW: 1 } } });
  }
  /** Joins on the row axis: no row rule, so its operands are whole. */
  rowConcat(inputs: number[], y: number): void {
    this.b.op({ opcode: 'CONCATENATION', inputs, outputs: [y], options: { type: 'ConcatenationOptions', value: { axis: 1 } } });
  }
  graph(): Graph {
    return loadGraph(saveGraph(this.b.build()));
  }
}

describe('streamingFloor', () => {
  it('of a chain of row-local convs is its graph input alone, far below the lower bound', () => {
    const n = new Net();
    const x = n.b.input('x', { dtype: 'int8', shape: [1, 16, 16, 4], quantization: q }); // 1,024 B
    const wide = n.t('wide', [1, 16, 16, 64]); // 16,384 B
    const out = n.t('out', [1, 16, 16, 1]); // 256 B
    n.conv1x1(x, wide);
    n.conv1x1(wide, out);
    n.b.output(out);
    const arena = planTflmArena(n.graph());
    expect(arena.lowerBound.bytes).toBe(1024 + 16384);
    expect(arena.streamingFloor).toEqual({ bytes: 1024, time: 0, tensors: [x] });
  });

  it('adds an output TFLM keeps alive to the end to the operands of an operator with no row rule', () => {
    const n = new Net();
    const x = n.b.input('x', { dtype: 'int8', shape: [1, 16, 16, 4], quantization: q }); // 1,024 B, last read by op 1 (time 2)
    const early = n.t('early', [1, 16, 16, 2]); // 512 B, a graph output: alive from op 0 to the end
    const a = n.t('a', [1, 16, 16, 8]); // 2,048 B
    const joined = n.t('joined', [1, 32, 16, 8]); // 4,096 B
    const late = n.t('late', [1, 32, 16, 1]); // 512 B
    n.conv1x1(x, early);
    n.conv1x1(x, a);
    n.rowConcat([a, a], joined);
    n.conv1x1(joined, late);
    n.b.output(early, late);
    const g = n.graph();
    // Time 3 (op 2, the concatenation): early + a + joined; x died at time 2, late starts at time 4.
    expect(planTflmArena(g).streamingFloor).toEqual({ bytes: 512 + 2048 + 4096, time: 3, tensors: [early, a, joined] });
    // Straight from the pass timeline: the same figure.
    expect(streamingFloor(g.main, passTimeline(g.main)).bytes).toBe(6656);
  });

  it('counts a graph input and output alive together at once, aligned to 16 bytes', () => {
    const n = new Net();
    const x = n.b.input('x', { dtype: 'int8', shape: [1, 5, 5, 1], quantization: q }); // 25 B -> 32
    const y = n.t('y', [1, 5, 5, 3]); // 75 B -> 80
    n.conv1x1(x, y);
    n.b.output(y);
    // Op 0 at time 1: x (last read there) and y (created there) are both graph tensors alive at time 1.
    expect(planTflmArena(n.graph()).streamingFloor).toEqual({ bytes: 32 + 80, time: 1, tensors: [x, y] });
  });

  it('counts an in-place pair of an operator with no row rule once', () => {
    const n = new Net();
    const a = n.b.input('a', { dtype: 'int8', shape: [1, 8, 8, 4], quantization: q }); // 256 B, dies at op 0
    const s = n.b.input('s', { dtype: 'int8', shape: [1, 1, 1, 4], quantization: q }); // 4 B -> 16, alive to op 1
    const x = n.t('x', [1, 8, 8, 4]);
    const y = n.t('y', [1, 8, 8, 4]);
    n.b.op({ opcode: 'RELU', inputs: [a], outputs: [x] });
    // An activation broadcast along the rows: no row rule; y may take over x's buffer (analysis/in-place.ts).
    n.b.op({ opcode: 'ADD', inputs: [x, s], outputs: [y], options: { type: 'AddOptions', value: {} } });
    n.b.output(y);
    // Times 0 and 1: a + s = 272; time 2: x and y share one buffer, with s: 272 again, not 528.
    expect(planTflmArena(n.graph()).streamingFloor).toEqual({ bytes: 272, time: 0, tensors: [a, s] });
  });

  it('counts the input of a pool whose window spans the height whole (no band reads less), not a one-row resize\'s output', () => {
    const n = new Net();
    const x = n.b.input('x', { dtype: 'int8', shape: [1, 16, 16, 4], quantization: q }); // 1,024 B, dead after op 0
    const f = n.t('f', [1, 16, 16, 16]); // 4,096 B
    const pooled = n.t('pooled', [1, 1, 1, 16]); // 16 B
    const spread = n.t('spread', [1, 16, 16, 16]); // 4,096 B
    const out = n.t('out', [1, 16, 16, 1]); // 256 B
    n.conv1x1(x, f);
    const pool = { type: 'Pool2DOptions', value: { padding: 1, strideH: 16, strideW: 16, filterHeight: 16, filterWidth: 16 } };
    n.b.op({ opcode: 'AVERAGE_POOL_2D', inputs: [f], outputs: [pooled], options: pool });
    const size = n.b.constant('size', { dtype: 'int32', shape: [2] }, new Int32Array([16, 16]));
    n.b.op({ opcode: 'RESIZE_BILINEAR', inputs: [pooled, size], outputs: [spread], options: { type: 'ResizeBilinearOptions', value: { alignCorners: true } } });
    n.conv1x1(spread, out);
    n.b.output(out);
    // Time 2 (the pool): f whole, the pool's one output row reading all 16 of its rows. The resize (time 3) reads
    // its one input row whole too, but its output rows one by one: spread is never counted.
    expect(planTflmArena(n.graph()).streamingFloor).toEqual({ bytes: 4096, time: 2, tensors: [f] });
  });

  it('is in the report with head / floor', async () => {
    const { memoryReport } = await import('../../src/report/memory-report.js');
    const n = new Net();
    const x = n.b.input('x', { dtype: 'int8', shape: [1, 16, 16, 4], quantization: q });
    const wide = n.t('wide', [1, 16, 16, 64]);
    const out = n.t('out', [1, 16, 16, 1]);
    n.conv1x1(x, wide);
    n.conv1x1(wide, out);
    n.b.output(out);
    const g = n.graph();
    const r = memoryReport({ file: 'm.tflite', bytes: saveGraph(g), graph: g });
    expect(r.streamingFloor).toBe(1024);
    expect(r.headOverStreamingFloor).toBe(r.arena.head / 1024);
    expect(r.streamingFloorAt).toEqual({ time: 0, tensors: [{ index: x, name: 'x', dtype: 'int8', shape: [1, 16, 16, 4], bytes: 1024 }] });
  });
});
