// Operators row-local in some of their forms, as exported models have them at full resolution: a TRANSPOSE that
// keeps the rows in place, a GATHER of channels, a REVERSE_V2 of columns, a CUMSUM over the channels, a
// FULLY_CONNECTED that keeps its 4-D input's dimensions (a token MLP on an NHWC map) and a BATCH_MATMUL by a
// constant matrix. Row bands run through each, proved bit-exact; in the forms that mix rows, none is row-local.

import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/graph/builder.js';
import { loadGraph, saveGraph } from '../../src/graph/graph.js';
import { rowRule } from '../../src/ops/registry.js';
import { optimize } from '../../src/optimize/optimize.js';

const H = 48;
const C = 32;

type Form = { transposePerm: number[]; gatherAxis: number; reverseAxis: number; cumsumAxis: number };
const ROW_LOCAL: Form = { transposePerm: [0, 1, 3, 2], gatherAxis: 3, reverseAxis: 2, cumsumAxis: 3 };
const ROW_MIXING: Form = { transposePerm: [0, 2, 1, 3], gatherAxis: 1, reverseAxis: 1, cumsumAxis: 1 };

/** conv -> TRANSPOSE -> TRANSPOSE back -> GATHER -> REVERSE_V2 -> CUMSUM -> FULLY_CONNECTED -> BATCH_MATMUL, float32. */
function exported(form: Form): Uint8Array {
  const b = new GraphBuilder();
  let seed = 3;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const f32 = (name: string, shape: number[]) => b.constant(name, { dtype: 'float32', shape }, Float32Array.from({ length: shape.reduce((p, c) => p * c, 1) }, () => rand() - 0.5));
  const i32 = (name: string, values: number[], shape = [values.length]) => b.constant(name, { dtype: 'int32', shape }, Int32Array.from(values));
  const t = (name: string, shape: number[]) => b.tensor(name, { dtype: 'float32', shape });
  const x = b.input('x', { dtype: 'float32', shape: [1, H, H, 3] });
  const f = t('f', [1, H, H, C]);
  b.op({ opcode: 'CONV_2D', inputs: [x, f32('f_w', [C, 3, 3, 3]), f32('f_b', [C])], outputs: [f], options: { type: 'Conv2DOptions', value: { padding: 0, strideH: 1, strideW: 1, fusedActivationFunction: 1 } } });
  const permuted = (p: number[], s: number[]) => p.map((a) => s[a]!);
  const tr = t('tr', permuted(form.transposePerm, [1, H, H, C]));
  b.op({ opcode: 'TRANSPOSE', inputs: [f, i32('perm', form.transposePerm)], outputs: [tr] });
  const back = t('back', [1, H, H, C]);
  b.op({ opcode: 'TRANSPOSE', inputs: [tr, i32('perm_back', form.transposePerm)], outputs: [back] });
  const size = [1, H, H, C][form.gatherAxis]!;
  const picked = t('picked', [1, H, H, C]);
  const positions = i32('positions', Array.from({ length: size }, (_, i) => (i * 5 + 3) % size));
  b.op({ opcode: 'GATHER', inputs: [back, positions], outputs: [picked], options: { type: 'GatherOptions', value: { axis: form.gatherAxis, batchDims: 0 } } });
  const reversed = t('reversed', [1, H, H, C]);
  b.op({ opcode: 'REVERSE_V2', inputs: [picked, i32('rev_axis', [form.reverseAxis])], outputs: [reversed] });
  const summed = t('summed', [1, H, H, C]);
  b.op({ opcode: 'CUMSUM', inputs: [reversed, i32('cum_axis', [form.cumsumAxis], [])], outputs: [summed], options: { type: 'CumsumOptions', value: { exclusive: false, reverse: true } } });
  const mlp = t('mlp', [1, H, H, 32]);
  b.op({ opcode: 'FULLY_CONNECTED', inputs: [summed, f32('fc_w', [32, C]), f32('fc_b', [32])], outputs: [mlp], options: { type: 'FullyConnectedOptions', value: { keepNumDims: true, fusedActivationFunction: 1 } } });
  const logits = t('logits', [1, H, H, 2]);
  b.op({ opcode: 'BATCH_MATMUL', inputs: [mlp, f32('mm', [32, 2])], outputs: [logits], options: { type: 'BatchMatMulOptions', value: {} } });
  b.output(logits);
  return saveGraph(b.build());
}

const opcodes = ['TRANSPOSE', 'GATHER', 'REVERSE_V2', 'CUMSUM', 'FULLY_CONNECTED', 'BATCH_MATMUL'];

describe('operators row-local in some forms', () => {
  it('have a row rule in their row-local forms only', () => {
    for (const [form, local] of [
      [ROW_LOCAL, true],
      [ROW_MIXING, false],
    ] as const) {
      const g = loadGraph(exported(form));
      const ruled = g.main.ops.filter((op) => rowRule(g.main, op) !== null).map((op) => op.opcode);
      // The FULLY_CONNECTED and the BATCH_MATMUL have only the row-local form here.
      const expected = local ? ['CONV_2D', ...opcodes.slice(0, 1), ...opcodes] : ['CONV_2D', 'FULLY_CONNECTED', 'BATCH_MATMUL'];
      expect(ruled).toEqual(expected);
    }
  });

  it('run in row bands from the input to the logits, proved', () => {
    const { report } = optimize(exported(ROW_LOCAL), { file: 'exported.tflite', maxSpillBytes: 0, verify: { inputs: 1 } });
    expect(report.verified).toBe(true);
    const banded = report.passes.splitRowBands.chains.flatMap((c) => c.ops);
    for (const opcode of opcodes) expect(banded).toContain(opcode);
    // Before: every full-resolution map whole beside the next. The floor: the input alone (the original's input and
    // logits are never alive together).
    expect(report.streamingFloor).toBe(H * H * 3 * 4);
    // These operators move bytes: a band's copies weigh on them, and the 5% limit stops at two bands.
    expect(report.before.head / report.after.head).toBeGreaterThan(1.5);
    expect(report.compute.invoke.reference.overhead).toBeLessThanOrEqual(0.05);
  });
});
