// The binary, comparison and selection kernels against real TFLM: a sweep model
// (int8 inputs covering every byte value against a broadcast row, int16,
// float32; varied scales and zero points) was run on TFLM 90b983c's reference
// kernels on the Cortex-M4 firmware (bench/tflm-m4.js, QEMU) with the oracle
// input. The interpreter's outputs must hash as the firmware's did (a CMSIS-NN
// build gave the same bytes), and the replayed arena must be the one TFLM used.

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/graph/builder.js';
import type { DType, Quantization } from '../../src/graph/types.js';
import { runModel } from '../../src/interpreter/interpreter.js';
import { deterministicInput } from '../../src/interpreter/oracle-input.js';
import { minimalArena } from '../../src/tflm/allocate-tensors.js';

const q = (scale: number, zeroPoint: number): Quantization => ({ scale: [scale], zeroPoint: [zeroPoint], quantizedDimension: 0 });
const opt = (type: string, value: Record<string, unknown>) => ({ type, value }) as never;

function sweep() {
  const b = new GraphBuilder();
  const X = [16, 16];
  const Y = [16];
  const x = b.input('x', { dtype: 'int8', shape: X, quantization: q(0.1, -3) });
  const y = b.input('y', { dtype: 'int8', shape: Y, quantization: q(0.02, 0) });
  const xs = b.input('xs', { dtype: 'int16', shape: X, quantization: q(0.0005, 0) });
  const ys = b.input('ys', { dtype: 'int16', shape: Y, quantization: q(0.0003, 0) });
  const xf = b.input('xf', { dtype: 'float32', shape: X });
  const yf = b.input('yf', { dtype: 'float32', shape: Y });
  const outs: number[] = [];
  const op = (opcode: string, inputs: number[], dtype: DType, qq?: Quantization, options?: never) => {
    const t = b.tensor(`t${outs.length}`, { dtype, shape: X, quantization: qq });
    b.op({ opcode: opcode as never, inputs, outputs: [t], ...(options ? { options } : {}) });
    outs.push(t);
  };
  const sub = (a: number) => opt('SubOptions', { fusedActivationFunction: a });
  const div = (a: number) => opt('DivOptions', { fusedActivationFunction: a });
  const mm = (adjX: boolean, adjY: boolean) => opt('BatchMatMulOptions', { adjX, adjY, asymmetricQuantizeInputs: false });
  op('SUB', [x, y], 'int8', q(0.0333, 5), sub(3));
  op('SUB', [y, x], 'int8', q(0.123, -20), sub(0));
  op('DIV', [x, y], 'int8', q(0.02, 3), div(0));
  op('DIV', [x, y], 'int8', q(0.004, -7), div(1));
  op('SQUARED_DIFFERENCE', [x, y], 'int8', q(0.05, -128));
  op('SQUARED_DIFFERENCE', [y, x], 'int8', q(0.5, -100));
  for (const c of ['GREATER', 'LESS_EQUAL', 'EQUAL', 'NOT_EQUAL', 'LESS', 'GREATER_EQUAL']) op(c, [x, y], 'bool');
  op('ADD_N', [x, x, x], 'int8', q(0.25, 10));
  op('BATCH_MATMUL', [x, x], 'int8', q(2.0, 1), mm(false, true));
  op('BATCH_MATMUL', [x, x], 'int8', q(1.5, -4), mm(true, false));
  op('SUB', [xs, ys], 'int16', q(0.0007, 0), sub(0));
  op('SQUARED_DIFFERENCE', [xs, ys], 'int16', q(0.0002, 0));
  op('BATCH_MATMUL', [xs, xs], 'int16', q(0.01, 0), mm(false, true));
  op('MAXIMUM', [xs, ys], 'int16', q(0.0005, 0));
  op('GREATER', [xf, yf], 'bool');
  op('DIV', [xf, yf], 'float32', undefined, div(0));
  op('FLOOR_DIV', [xf, yf], 'float32');
  op('FLOOR_MOD', [xf, yf], 'float32');
  op('SQUARED_DIFFERENCE', [xf, yf], 'float32');
  op('SUB', [xf, yf], 'float32', undefined, sub(2));
  op('ADD_N', [xf, xf, xf, xf], 'float32');
  op('MINIMUM', [xf, yf], 'float32');
  b.output(...outs);
  return b.build();
}

// sha256 (first 16 hex digits) of each output TFLM wrote (out0.bin ... out26.bin).
const TFLM_OUTPUTS = [
  '417055f484a77d81', 'f3ab5bb7b44ffd24', '3ee57d064817eccd', 'e1626af92ed66293', '3024ce14ba933fef', 'f5233b366fa0e2c3',
  'a6611f094c885899', '61255572463107cc', '5341e6b2646979a7', '2661920f2409dd6c', '61255572463107cc', 'a6611f094c885899',
  '017638d7eda61f0b', '7de3a330532718e4', '03f8a4ac94f360be', '3c89f192fc443026', '15f9f261328f6614', '6b1a1e42128ae0af',
  'cdba026ccad41627', 'af2253f6a6a1ab0d', 'c44337d25d839e8a', '488bc28e49ae3fdc', '682e9e9feb2cb372', '6edfe1665782a70e',
  '7b492196f8bb4ec6', '297ac0a9b0f8383f', '9dd2f7e9a3951503',
];

describe('binary, comparison and selection kernels on real TFLM (Cortex-M4 firmware)', () => {
  const graph = sweep();
  it('gives the bytes TFLM gave, output by output', () => {
    const sg = graph.subgraphs[0]!;
    const outputs = runModel(graph, sg.inputs.map((t) => deterministicInput(sg.tensors[t]!)));
    const hashes = outputs.map((o) => createHash('sha256').update(o).digest('hex').slice(0, 16));
    expect(hashes).toEqual(TFLM_OUTPUTS);
  });

  it('replays the arena TFLM used, reference and CMSIS-NN kernels', () => {
    const ref = minimalArena(graph);
    expect([ref.used, ref.bytes]).toEqual([19188, 19200]);
    const cmsis = minimalArena(graph, { set: 'cmsis-nn', isa: 'dsp' });
    expect([cmsis.used, cmsis.bytes]).toEqual([19284, 19296]);
  });
});
