// SQUEEZE and EXPAND_DIMS are written as a RESHAPE to their output's shape: the
// same bytes (the interpreter runs both), a RESHAPE that stock TFLite reads too
// (its shape operand), and one the placement puts over its dying input, where
// TFLM copies nothing; the streaming floor counts such a pair once already.

import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/graph/builder.js';
import { loadGraph, saveGraph, type Graph } from '../../src/graph/graph.js';
import { inPlacePairs } from '../../src/analysis/in-place.js';
import { runModel } from '../../src/interpreter/interpreter.js';
import { randomInput } from '../../src/interpreter/oracle-input.js';
import { squeezesToReshapes } from '../../src/transform/squeezes-to-reshapes.js';
import { optimize } from '../../src/optimize/optimize.js';

const q = (scale: number) => ({ scale: [scale], zeroPoint: [0], quantizedDimension: 0 });

/** x [1, 32, 16, 1] int8 -> conv 1x1 -> c [1, 32, 16, 8] -> SQUEEZE [32, 16, 8] -> EXPAND_DIMS [1, 32, 16, 8] -> LOGISTIC. */
function model(): Graph {
  const b = new GraphBuilder();
  const x = b.input('x', { dtype: 'int8', shape: [1, 32, 16, 1], quantization: q(0.05) });
  const w = b.constant('w', { dtype: 'int8', shape: [8, 1, 1, 1], quantization: q(0.01) }, Int8Array.from({ length: 8 }, (_, i) => 15 * i - 50));
  const c = b.tensor('c', { dtype: 'int8', shape: [1, 32, 16, 8], quantization: q(0.1) });
  b.op({ opcode: 'CONV_2D', inputs: [x, w, -1], outputs: [c], options: { type: 'Conv2DOptions', value: { padding: 0, strideH: 1, strideW: 1 } } });
  const s = b.tensor('s', { dtype: 'int8', shape: [32, 16, 8], quantization: q(0.1) });
  b.op({ opcode: 'SQUEEZE', inputs: [c], outputs: [s], options: { type: 'SqueezeOptions', value: { squeezeDims: [0] } } });
  const e = b.tensor('e', { dtype: 'int8', shape: [1, 32, 16, 8], quantization: q(0.1) });
  b.op({ opcode: 'EXPAND_DIMS', inputs: [s, b.constant('axis', { dtype: 'int32', shape: [] }, new Int32Array([0]))], outputs: [e] });
  const y = b.tensor('y', { dtype: 'int8', shape: [1, 32, 16, 8], quantization: { scale: [1 / 256], zeroPoint: [-128], quantizedDimension: 0 } });
  b.op({ opcode: 'LOGISTIC', inputs: [e], outputs: [y] });
  b.output(y);
  return loadGraph(saveGraph(b.build()));
}

const run = (g: Graph) => runModel(loadGraph(saveGraph(g)), [randomInput(g.main.tensors[g.main.inputs[0]!]!, 3)]).map((o) => Buffer.from(o));

describe('squeezesToReshapes', () => {
  it('writes each as a RESHAPE with a constant shape operand, computing the same bytes, in place', () => {
    const original = model();
    const g = model();
    // The LOGISTIC over its dying input only; as RESHAPEs (what the streaming floor counts) the other two too.
    expect(inPlacePairs(g.main).map((p) => p.op)).toEqual([3]);
    expect(inPlacePairs(g.main, true).map((p) => p.op)).toEqual([1, 2, 3]);
    expect(squeezesToReshapes(g).rewritten).toBe(2);
    const sg = g.main;
    expect(sg.ops.map((op) => op.opcode)).toEqual(['CONV_2D', 'RESHAPE', 'RESHAPE', 'LOGISTIC']);
    for (const op of sg.ops.slice(1, 3)) {
      const [out, shape] = [sg.tensors[op.outputs[0]!]!, sg.tensors[op.inputs[1]!]!];
      expect(shape.kind).toBe('constant');
      expect(Array.from(new Int32Array(shape.data!.slice().buffer))).toEqual(out.shape);
    }
    // EXPAND_DIMS's axis is read no more.
    expect(sg.tensors.some((t) => t.name === 'axis')).toBe(false);
    expect(inPlacePairs(sg).map((p) => p.op)).toEqual([1, 2, 3]);
    expect(run(g)).toEqual(run(original));
  });

  it('leaves other operators alone', () => {
    const g = model();
    squeezesToReshapes(g);
    expect(squeezesToReshapes(g).rewritten).toBe(0);
  });

  it('in optimize(): proved, the four 4 KiB tensors in one buffer', () => {
    const { report } = optimize(saveGraph(model()), { file: 'squeeze.tflite', verify: { inputs: 1 } });
    expect(report.verified).toBe(true);
    expect(report.passes.squeezesToReshapes.rewritten).toBe(2);
    // Before: two of them at every operator after the conv (TFLM copies each). The floor: the conv's output whole
    // while the SQUEEZE (not row-local) runs, its copy in the same buffer; the optimized model is there.
    expect(report.before.head).toBe(2 * 4096);
    expect(report.streamingFloor).toBe(4096);
    expect(report.after.head).toBe(4096);
  });
});
