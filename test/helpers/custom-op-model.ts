// Models with a custom operator of another project, as MediaPipe's segmenters
// have: the Tiny U-Net with its last upsampling TRANSPOSE_CONV replaced by
// MediaPipe's Convolution2DTransposeBias (inputs: input, weights, bias), and a
// two-tensor model small enough to work TFLM's arena out by hand.

import { GraphBuilder } from '../../src/graph/builder.js';
import { loadGraph, saveGraph } from '../../src/graph/graph.js';
import { buildTinyUnet } from '../../src/graph/tiny-unet.js';

export const MEDIAPIPE_OP = 'Convolution2DTransposeBias';

/** The Tiny U-Net (height x width) with operator 22 a Convolution2DTransposeBias; its output_shape constant is dropped. */
export function unetWithCustomOp(height = 80, width = 120, code = MEDIAPIPE_OP): Uint8Array {
  const g = loadGraph(saveGraph(buildTinyUnet({ height, width })));
  const op = g.main.ops[22]!;
  if (op.opcode !== 'TRANSPOSE_CONV') throw new Error('the Tiny U-Net changed: operator 22 is no longer its last TRANSPOSE_CONV');
  const [, weights, input, bias] = op.inputs;
  Object.assign(op, { opcode: 'CUSTOM', customCode: code, inputs: [input!, weights!, bias!], options: null, optionsType: null });
  return saveGraph(g);
}

/** x float32[1,16] -> CUSTOM `code` -> y float32[1,16]: 64 bytes each. */
export function singleCustomOp(code = 'MyOp'): Uint8Array {
  const b = new GraphBuilder();
  const x = b.input('x', { dtype: 'float32', shape: [1, 16] });
  const y = b.tensor('y', { dtype: 'float32', shape: [1, 16] });
  b.op({ opcode: 'CUSTOM', customCode: code, inputs: [x], outputs: [y] } as never);
  b.output(y);
  return saveGraph(b.build());
}
