// SOFTMAX against the vectors of TFLM's softmax_test.cc (vectors/softmax.json):
// 1-D to 4-D, float32, int8 and int16, and int8 in with int16 out, beta 1.
// TFLM's own checks are toleranced: float32 within 1e-5, int8 within 1 step,
// int16 within 1 (1-D, 2-D) or 7 (3-D, 4-D) steps; these tests check the same.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runOp } from '../helpers/op-harness.js';
import { nearEach, quantize } from '../helpers/tflm-test-quant.js';

const V = JSON.parse(readFileSync(new URL('./vectors/softmax.json', import.meta.url), 'utf8')) as Record<string, number[]>;

const CASES: [string, number[], string, string][] = [
  ['1D', [5], 'input_data_1d', 'golden_1d'],
  ['2D', [2, 5], 'input_data_2d', 'golden_2d'],
  ['3D', [3, 4, 5], 'input_data_3d', 'golden_3d'],
  ['4D', [2, 3, 4, 5], 'input_data_4d', 'golden_4d'],
];
/** The output parameters TFLM's softmax wants: [0, 1) over the type's range. */
const OUT_Q = { int8: [1 / 256, -128], int16: [1 / 32768, 0] } as const;

function softmax(inDtype: 'float32' | 'int8' | 'int16', outDtype: 'float32' | 'int8' | 'int16', shape: number[], x: number[], inQ?: [number, number], outQ?: readonly [number, number]) {
  return runOp({
    opcode: 'SOFTMAX',
    inputs: [{ dtype: inDtype, shape, data: x, ...(inQ ? { q: inQ } : {}) }],
    outputs: [{ dtype: outDtype, shape, ...(outQ ? { q: [outQ[0], outQ[1]] as [number, number] } : {}) }],
    options: { type: 'SoftmaxOptions', value: { beta: 1 } },
  })[0]!;
}

describe('SOFTMAX (softmax_test.cc)', () => {
  for (const [dims, shape, input, golden] of CASES) {
    it(`Softmax${dims}FloatShouldMatchGolden (TFLM checks within 1e-5)`, () => {
      expect(nearEach(softmax('float32', 'float32', shape, V[input]!), V[golden]!, 1e-5)).toBeNull();
    });

    for (const dtype of ['int8', 'int16'] as const) {
      const tolerance = dtype === 'int16' && (dims === '3D' || dims === '4D') ? 7 : 1;
      it(`Softmax${dims}Quantized${dtype === 'int8' ? 'Int8' : 'Int16'}ShouldMatchGolden (TFLM checks within ${tolerance})`, () => {
        const outQ = OUT_Q[dtype];
        const got = softmax(dtype, dtype, shape, quantize(V[input]!, 0.1, 0, dtype), [0.1, 0], outQ);
        expect(nearEach(got, quantize(V[golden]!, outQ[0], outQ[1], dtype), tolerance)).toBeNull();
      });
    }
  }

  it('Softmax2DQuantizedInt8InputInt16OutputShouldMatchGolden (TFLM checks within 1)', () => {
    const outQ = [1 / 65536, -32768] as const;
    const got = softmax('int8', 'int16', [2, 5], quantize(V.input_data_2d!, 0.1, 0, 'int8'), [0.1, 0], outQ);
    expect(nearEach(got, quantize(V.golden_2d!, outQ[0], outQ[1], 'int16'), 1)).toBeNull();
  });
});
