// The interpreter against real TFLite (tfjs-tflite: XNNPACK compiled to wasm)
// on seeded random inputs, where the oracle has no data.
//
// XNNPACK is not TFLM: it requantizes int8 convolutions and fully connected
// layers through float32 instead of TFLM's fixed-point multiplier, so on some
// models it lands a few LSB away from TFLM's reference kernels even on the
// oracle input (where our bytes equal TFLM's, see oracle.test.ts). Models whose
// ops XNNPACK computes like TFLM must agree byte for byte; the others must stay
// within the few LSB that rounding explains, which still catches a wrong
// kernel, layout or quantization.

import { describe, expect, it } from 'vitest';
import { loadGraph } from '../../src/graph/graph.js';
import { runModel } from '../../src/interpreter/interpreter.js';
import { deterministicInput, randomInput } from '../../src/interpreter/oracle-input.js';
import { readCorpusModel } from '../helpers/shared.js';
import { tfliteRunInt8 } from '../helpers/tfjs-tflite.js';

/** model -> largest difference (int8 LSB) allowed between XNNPACK and TFLM semantics; 0 = bit-exact. */
const MODELS: [string, number][] = [
  ['hello-world-int8.tflite', 0],
  ['micro-speech-int8.tflite', 0],
  // Measured on these inputs: 8, 2 and 11 LSB at most (softmax outputs amplify one-LSB differences upstream).
  ['kws-dscnn-int8.tflite', 16],
  ['ad-autoencoder-int8.tflite', 4],
  ['resnet8-int8-32.tflite', 16],
];

describe.each(MODELS)('%s', (file, tolerance) => {
  const bytes = readCorpusModel(file);
  const graph = loadGraph(bytes);
  const input = graph.main.tensors[graph.main.inputs[0]!]!;

  it(tolerance === 0 ? 'equals TFLite byte for byte on the oracle input and 5 seeded random inputs' : `stays within ${tolerance} LSB of TFLite on the oracle input and 5 seeded random inputs`, async () => {
    const cases = [deterministicInput(input), ...[1, 2, 3, 4, 5].map((s) => randomInput(input, s))];
    for (const [k, raw] of cases.entries()) {
      const ours = new Int8Array(runModel(graph, [raw])[0]!.buffer);
      const theirs = await tfliteRunInt8(bytes, new Int8Array(raw.buffer, raw.byteOffset, raw.length));
      expect(ours.length, `case ${k}`).toBe(theirs.length);
      if (tolerance === 0) expect(Array.from(ours), `case ${k}`).toEqual(Array.from(theirs));
      else {
        let worst = 0;
        for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i]! - theirs[i]!));
        expect(worst, `case ${k}: largest difference`).toBeLessThanOrEqual(tolerance);
      }
    }
  });
});
