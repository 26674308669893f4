// TinySegResizeBand against RESIZE_BILINEAR: every band of the output rows,
// computed from only the input rows it reads, equals those rows of the whole
// int8 resize byte for byte (10-bit fixed point), for scales up, down and odd,
// in the three coordinate modes; and it refuses a band whose rows read outside
// its input, and float32.

import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/graph/builder.js';
import { loadGraph, saveGraph, type Graph } from '../../src/graph/graph.js';
import { runModel } from '../../src/interpreter/interpreter.js';
import { graphCompute, opCost } from '../../src/analysis/compute.js';
import { decodeResizeBandOptions, encodeResizeBandOptions, RESIZE_BAND, type ResizeBandOptions } from '../../src/ops/tinyseg/custom-ops.js';
import { rowRule } from '../../src/ops/registry.js';
import { resizeSourceRows } from '../../src/transform/resize-band.js';

type Mode = { alignCorners: boolean; halfPixelCenters: boolean };
const MODES: Mode[] = [
  { alignCorners: false, halfPixelCenters: false },
  { alignCorners: true, halfPixelCenters: false },
  { alignCorners: false, halfPixelCenters: true },
];

const quantization = (dtype: string) => (dtype === 'int8' ? { scale: [0.05], zeroPoint: [3], quantizedDimension: 0 } : null);

function wholeResize(dtype: 'int8' | 'float32', inH: number, inW: number, outH: number, outW: number, C: number, mode: Mode): Graph {
  const b = new GraphBuilder();
  const x = b.input('x', { dtype, shape: [1, inH, inW, C], quantization: quantization(dtype) });
  const y = b.tensor('y', { dtype, shape: [1, outH, outW, C], quantization: quantization(dtype) });
  const size = b.constant('size', { dtype: 'int32', shape: [2] }, new Int32Array([outH, outW]));
  b.op({ opcode: 'RESIZE_BILINEAR', inputs: [x, size], outputs: [y], options: { type: 'ResizeBilinearOptions', value: mode } });
  b.output(y);
  return loadGraph(saveGraph(b.build()));
}

function bandResize(dtype: 'int8' | 'float32', rows: number, inW: number, outRows: number, outW: number, C: number, o: ResizeBandOptions): Graph {
  const b = new GraphBuilder();
  const x = b.input('x', { dtype, shape: [1, rows, inW, C], quantization: quantization(dtype) });
  const y = b.tensor('y', { dtype, shape: [1, outRows, outW, C], quantization: quantization(dtype) });
  b.op({ opcode: 'CUSTOM', customCode: RESIZE_BAND, inputs: [x], outputs: [y], customOptions: encodeResizeBandOptions(o) });
  b.output(y);
  return loadGraph(saveGraph(b.build()));
}

function input(dtype: 'int8' | 'float32', n: number): Uint8Array {
  let seed = 11;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  if (dtype === 'int8') return new Uint8Array(Int8Array.from({ length: n }, () => Math.round(rand() * 127)).buffer);
  return new Uint8Array(Float32Array.from({ length: n }, () => rand() * 3).buffer);
}

describe('TinySegResizeBand', () => {
  // [input rows, output rows]: up by 2 and 4, odd up, down, the same height, one row.
  const heights: [number, number][] = [[6, 12], [5, 20], [5, 13], [13, 5], [7, 7], [1, 4], [9, 1]];
  for (const dtype of ['int8'] as const) {
    it(`${dtype}: each band's rows equal the whole resize's, read from its own input rows only`, () => {
      const [inW, outW, C] = [5, 9, 3];
      for (const mode of MODES) {
        for (const [inH, outH] of heights) {
          const whole = wholeResize(dtype, inH, inW, outH, outW, C, mode);
          const x = input(dtype, inH * inW * C);
          const [expected] = runModel(whole, [x]);
          const rule = rowRule(whole.main, whole.main.ops[0]!);
          if (rule?.kind !== 'resize') throw new Error('RESIZE_BILINEAR has a resize row rule');
          const element = dtype === 'int8' ? 1 : 4;
          const [inRow, outRow] = [inW * C * element, outW * C * element];
          for (const count of [1, 2, 3, outH]) {
            for (let j = 0; j < count; j++) {
              const [r0, r1] = [Math.round((j * outH) / count), Math.round(((j + 1) * outH) / count)];
              if (r1 <= r0) continue;
              const [s0, s1] = resizeSourceRows(rule, inH, outH, r0, r1);
              const o = { inHeight: inH, outHeight: outH, firstInRow: s0, firstOutRow: r0, ...mode };
              const [got] = runModel(bandResize(dtype, s1 - s0, inW, r1 - r0, outW, C, o), [x.slice(s0 * inRow, s1 * inRow)]);
              const at = `${JSON.stringify(mode)} ${inH}->${outH}, rows ${r0}..${r1} of ${count} bands`;
              expect(Buffer.from(got!).equals(Buffer.from(expected!.subarray(r0 * outRow, r1 * outRow))), at).toBe(true);
            }
          }
        }
      }
    });
  }

  it('refuses a band whose rows read outside its input, float32, and options TFLM refuses', () => {
    // Output rows 4..8 of 5 -> 20 read input rows 0..2 (half-pixel centers), not 1..2.
    const o = { inHeight: 5, outHeight: 20, firstInRow: 1, firstOutRow: 4, alignCorners: false, halfPixelCenters: true };
    expect(() => runModel(bandResize('int8', 2, 4, 4, 4, 1, o), [new Uint8Array(8)])).toThrow(/TinySegResizeBand.*outside its input/);
    const inside = { ...o, firstInRow: 0 };
    expect(() => runModel(bandResize('float32', 3, 4, 4, 4, 1, inside), [new Uint8Array(48)])).toThrow(/TinySegResizeBand.*int8 input and output only/);
    expect(() => decodeResizeBandOptions(encodeResizeBandOptions({ ...o, alignCorners: true }))).toThrow(/exclusive/);
    expect(() => decodeResizeBandOptions(encodeResizeBandOptions({ ...o, firstOutRow: 20 }))).toThrow(/first rows inside them/);
  });

  it('is priced per element op as measured (half the builtin\'s): its own output rows and the input rows it holds, no more', () => {
    const o = { inHeight: 8, outHeight: 16, firstInRow: 0, firstOutRow: 0, alignCorners: false, halfPixelCenters: true };
    const c = graphCompute(bandResize('int8', 3, 4, 4, 8, 2, o).main);
    expect(c.kinds['CUSTOM:TinySegResizeBand|element.int']).toMatchObject({ units: 4 * 8 * 2 + 3 * 4 * 2, ops: 1 });
    for (const set of ['reference', 'cmsis-nn'] as const) {
      const band = opCost('CUSTOM:TinySegResizeBand', 'element.int', set).unit;
      expect(band).toBeLessThan(0.6 * opCost('RESIZE_BILINEAR', 'element.int', set).unit);
    }
  });
});
