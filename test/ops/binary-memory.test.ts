// The memory records of the binary, comparison and selection operators against
// real TFLM: two models using every one of them (int8; float32 + int32 + int16 +
// int64 + bool) were run on TFLM 90b983c's reference and CMSIS-NN kernels
// (Cortex-M4, QEMU, bench/tflm-m4.js). arena_used_bytes() and the smallest arena with which
// AllocateTensors() succeeds are the figures the firmware printed; the
// replayed arena must give them exactly. (Their int8/int16/int32/bool outputs
// matched the interpreter's byte for byte too.)

import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/graph/builder.js';
import type { Graph } from '../../src/graph/graph.js';
import type { DType, Quantization } from '../../src/graph/types.js';
import { planTflmArena } from '../../src/tflm/arena.js';
import { minimalArena } from '../../src/tflm/allocate-tensors.js';
import { prepareBytes, prepareTemps, scratchRequests, initBytes, type Kernels, type KernelSet } from '../../src/ops/registry.js';

const q = (scale: number, zeroPoint: number): Quantization => ({ scale: [scale], zeroPoint: [zeroPoint], quantizedDimension: 0 });
const opt = (type: string, value: Record<string, unknown>) => ({ type, value }) as never;

function int8Model(): Graph {
  const b = new GraphBuilder();
  const S = [1, 4, 4, 8];
  const x = b.input('x', { dtype: 'int8', shape: S, quantization: q(0.05, -3) });
  const y = b.input('y', { dtype: 'int8', shape: [1, 1, 4, 8], quantization: q(0.04, 7) });
  const t = (n: string, dtype: DType = 'int8', shape = S, qq = q(0.06, 2)) =>
    b.tensor(n, { dtype, shape, quantization: dtype === 'bool' ? undefined : qq });
  const o = (opcode: string, inputs: number[], out: number, options?: never) =>
    b.op({ opcode: opcode as never, inputs, outputs: [out], ...(options ? { options } : {}) });
  const c = b.constant('c', { dtype: 'int8', shape: [8], quantization: q(0.03, 1) }, Int8Array.from([20, -30, 40, 55, -60, 77, 90, -100]));
  const s = t('s');
  o('SUB', [x, y], s, opt('SubOptions', { fusedActivationFunction: 1 }));
  const d = t('d', 'int8', S, q(0.02, -5));
  o('DIV', [x, c], d, opt('DivOptions', { fusedActivationFunction: 0 }));
  const sq = t('sq', 'int8', S, q(0.02, -128));
  o('SQUARED_DIFFERENCE', [x, y], sq);
  const mx = t('mx');
  o('MAXIMUM', [s, d], mx);
  const mn = t('mn');
  o('MINIMUM', [s, x], mn);
  const bools = ['g', 'e', 'le', 'ne', 'ge', 'ls', 'la', 'lo', 'lo2', 'lo3', 'lo4'].map((n) => t(n, 'bool'));
  const [g, e, le, ne, ge, ls, la, lo, lo2, lo3, lo4] = bools as [number, number, number, number, number, number, number, number, number, number, number];
  o('GREATER', [x, y], g);
  o('EQUAL', [sq, d], e);
  o('LESS_EQUAL', [x, c], le);
  o('NOT_EQUAL', [s, mn], ne);
  o('GREATER_EQUAL', [y, c], ge);
  o('LESS', [d, x], ls);
  o('LOGICAL_AND', [g, le], la);
  o('LOGICAL_OR', [e, la], lo);
  o('LOGICAL_OR', [ne, ge], lo2);
  o('LOGICAL_AND', [lo2, ls], lo3);
  o('LOGICAL_OR', [lo, lo3], lo4);
  const sel = t('sel');
  o('SELECT_V2', [lo4, mx, mn], sel);
  const an = t('an', 'int8', S, q(0.1, 4));
  o('ADD_N', [sel, mx, mn], an);
  const w = b.constant('w', { dtype: 'int8', shape: [8, 3], quantization: q(0.02, 0) }, Int8Array.from({ length: 24 }, (_, i) => ((i * 37) % 255) - 127));
  const bm = t('bm', 'int8', [1, 4, 4, 3], q(0.1, -2));
  o('BATCH_MATMUL', [an, w], bm, opt('BatchMatMulOptions', { adjX: false, adjY: false, asymmetricQuantizeInputs: false }));
  const bm2 = t('bm2', 'int8', [1, 4, 4, 4], q(0.2, 3));
  o('BATCH_MATMUL', [x, sq], bm2, opt('BatchMatMulOptions', { adjX: false, adjY: true, asymmetricQuantizeInputs: false }));
  const ad = t('ad', 'int8', S, q(0.07, 1));
  o('ADD', [sq, y], ad, opt('AddOptions', { fusedActivationFunction: 0 }));
  const mu = t('mu', 'int8', S, q(0.01, 0));
  o('MUL', [ad, y], mu, opt('MulOptions', { fusedActivationFunction: 0 }));
  b.output(bm, bm2, mu, sel);
  return b.build();
}

function mixedModel(): Graph {
  const b = new GraphBuilder();
  const S = [1, 3, 4, 5];
  const x = b.input('x', { dtype: 'float32', shape: S });
  const y = b.input('y', { dtype: 'float32', shape: [3, 1, 5] });
  const xi = b.input('xi', { dtype: 'int32', shape: [2, 6] });
  const xs = b.input('xs', { dtype: 'int16', shape: [2, 3, 4], quantization: q(0.001, 0) });
  const t = (n: string, dtype: DType = 'float32', shape = S, qq?: Quantization) => b.tensor(n, { dtype, shape, quantization: qq });
  const o = (opcode: string, inputs: number[], out: number, options?: never) =>
    b.op({ opcode: opcode as never, inputs, outputs: [out], ...(options ? { options } : {}) });
  const s = t('s');
  o('SUB', [x, y], s, opt('SubOptions', { fusedActivationFunction: 3 }));
  const d = t('d');
  o('DIV', [x, y], d, opt('DivOptions', { fusedActivationFunction: 0 }));
  const sq = t('sq');
  o('SQUARED_DIFFERENCE', [d, y], sq);
  const c = b.constant('c', { dtype: 'float32', shape: [5] }, Float32Array.from([1.5, -2.25, 3, -0.7, 0.3]));
  const fd = t('fd');
  o('FLOOR_DIV', [d, c], fd);
  const fm = t('fm');
  o('FLOOR_MOD', [d, c], fm);
  const mx = t('mx');
  o('MAXIMUM', [fd, fm], mx);
  const mn = t('mn');
  o('MINIMUM', [sq, s], mn);
  const g = t('g', 'bool');
  o('GREATER', [x, y], g);
  const le = t('le', 'bool');
  o('LESS', [fm, c], le);
  const lo = t('lo', 'bool');
  o('LOGICAL_OR', [g, le], lo);
  const sel = t('sel');
  o('SELECT_V2', [lo, mx, mn], sel);
  const an = t('an');
  o('ADD_N', [sel, mx, mn, d], an);
  const w = b.constant('w', { dtype: 'float32', shape: [4, 5] }, Float32Array.from({ length: 20 }, (_, i) => Math.sin(i) * 3));
  const bm = t('bm', 'float32', [1, 3, 4, 4]);
  o('BATCH_MATMUL', [an, w], bm, opt('BatchMatMulOptions', { adjX: false, adjY: true, asymmetricQuantizeInputs: false }));
  const ci = b.constant('ci', { dtype: 'int32', shape: [6] }, Int32Array.from([3, -7, 11, 5, -2, 9]));
  const I = [2, 6];
  const si = t('si', 'int32', I);
  o('SUB', [xi, ci], si, opt('SubOptions', { fusedActivationFunction: 0 }));
  const di = t('di', 'int32', I);
  o('DIV', [si, ci], di, opt('DivOptions', { fusedActivationFunction: 0 }));
  const qi = t('qi', 'int32', I);
  o('SQUARED_DIFFERENCE', [di, ci], qi);
  const mi = t('mi', 'int32', I);
  o('MAXIMUM', [qi, xi], mi);
  const gi = t('gi', 'bool', I);
  o('GREATER_EQUAL', [mi, si], gi);
  const big = (v: bigint[]) => BigInt64Array.from(v);
  const c64a = b.constant('c64a', { dtype: 'int64', shape: I }, big([1n, -5n, 3n, 9n, 2n ** 40n, -(2n ** 41n), 7n, 8n, 9n, 10n, 11n, 12n]));
  const c64b = b.constant('c64b', { dtype: 'int64', shape: [6] }, big([2n, -6n, 3n, 10n, 2n ** 40n + 1n, 0n]));
  const e64 = t('e64', 'bool', I);
  o('LESS', [c64a, c64b], e64);
  const l2 = t('l2', 'bool', I);
  o('LOGICAL_AND', [gi, e64], l2);
  const ne = t('ne', 'bool', I);
  o('NOT_EQUAL', [l2, gi], ne);
  const Q = [2, 3, 4];
  const cs = b.constant('cs', { dtype: 'int16', shape: [4], quantization: q(0.002, 0) }, Int16Array.from([1000, -2000, 300, 32000]));
  const ss = t('ss', 'int16', Q, q(0.002, 0));
  o('SUB', [xs, cs], ss, opt('SubOptions', { fusedActivationFunction: 0 }));
  const qs = t('qs', 'int16', Q, q(0.5, 0));
  o('SQUARED_DIFFERENCE', [xs, ss], qs);
  const ms = t('ms', 'int16', Q, q(0.002, 0));
  o('MINIMUM', [ss, xs], ms);
  const sel16 = t('sel16', 'int16', Q, q(0.002, 0));
  o('SELECT_V2', [b.constant('cb', { dtype: 'bool', shape: [4] }, Uint8Array.from([1, 0, 0, 1])), ms, ss], sel16);
  const ws = b.constant('ws', { dtype: 'int16', shape: [4, 2], quantization: q(0.01, 0) }, Int16Array.from([300, -200, 1000, 5000, -7000, 20000, 123, -32768]));
  const bms = t('bms', 'int16', [2, 3, 2], q(0.05, 0));
  o('BATCH_MATMUL', [sel16, ws], bms, opt('BatchMatMulOptions', { adjX: false, adjY: false, asymmetricQuantizeInputs: false }));
  const ad = t('ad', 'int16', Q, q(0.004, 0));
  o('ADD', [qs, ms], ad, opt('AddOptions', { fusedActivationFunction: 0 }));
  const mu = t('mu', 'int16', Q, q(0.01, 0));
  o('MUL', [ad, xs], mu, opt('MulOptions', { fusedActivationFunction: 0 }));
  const mi32 = t('mi32', 'int32', I);
  o('MUL', [mi, xi], mi32, opt('MulOptions', { fusedActivationFunction: 0 }));
  const ai32 = t('ai32', 'int32', I);
  o('ADD', [mi32, ci], ai32, opt('AddOptions', { fusedActivationFunction: 0 }));
  b.output(bm, ai32, ne, bms, mu, an);
  return b.build();
}

describe('binary, comparison and selection operators: TFLM memory', () => {
  // [model, kernels, arena_used_bytes, min arena] as TFLM 90b983c (Cortex-M4; CMSIS-NN 4ab83cc) printed them.
  const cases: [string, () => Graph, KernelSet, number, number][] = [
    ['int8', int8Model, 'reference', 3744, 3792],
    ['int8', int8Model, 'cmsis-nn', 3808, 3856],
    ['float32/int32/int16/int64/bool', mixedModel, 'reference', 5304, 5408],
    ['float32/int32/int16/int64/bool', mixedModel, 'cmsis-nn', 5368, 5472],
  ];
  for (const [name, build, set, used, min] of cases) {
    it(`${name}, ${set} kernels: arena used and the smallest arena are TFLM's`, () => {
      const graph = build();
      const kernels: Kernels = { set, isa: 'dsp' };
      expect(planTflmArena(graph, kernels).total).toBe(used);
      const m = minimalArena(graph, kernels);
      expect(m.used).toBe(used);
      expect(m.bytes).toBe(min);
      expect(m.unknownTempOps).toBe(0);
    });
  }

  it('models op data, Prepare buffers, temps and scratch per TFLM kernel', () => {
    const sg = int8Model().subgraphs[0]!;
    const byKey = (opcode: string) => sg.ops.find((op) => op.opcode === opcode)!;
    expect(initBytes(byKey('SUB'))).toBe(52);
    expect(initBytes(byKey('DIV'))).toBe(28);
    expect(initBytes(byKey('SQUARED_DIFFERENCE'))).toBe(112);
    expect(initBytes(byKey('GREATER'))).toBe(32);
    expect(initBytes(byKey('SELECT_V2'))).toBe(1);
    expect(initBytes(byKey('LOGICAL_OR'))).toBe(0);
    const addN = byKey('ADD_N');
    expect(initBytes(addN)).toBe(0);
    expect(prepareBytes(addN, sg.tensors)).toEqual([40]);
    expect(scratchRequests(addN, sg.tensors)).toEqual([12]);
    expect(prepareTemps(addN, sg.tensors).tensors).toEqual([addN.inputs[0], addN.outputs[0], addN.inputs[1], addN.inputs[2]]);
    expect(prepareTemps(byKey('EQUAL'), sg.tensors).tensors).toEqual(byKey('EQUAL').inputs);
  });
});
