// optimize() on a model with a custom operator of another project (MediaPipe's
// Convolution2DTransposeBias in the Tiny U-Net): the figures count its declared
// memory, no pass touches it, the proof says what it proved, and the result is
// written only when unproved outputs are allowed.

import { describe, expect, it } from 'vitest';
import { TinysegError } from '../../src/errors.js';
import { loadGraph, saveGraph } from '../../src/graph/graph.js';
import { verifyModels } from '../../src/interpreter/verify.js';
import { customOpMap } from '../../src/ops/custom-op-declaration.js';
import { optimize } from '../../src/optimize/optimize.js';
import { MEDIAPIPE_OP, unetWithCustomOp } from '../helpers/custom-op-model.js';

const model = unetWithCustomOp();
const declaration = { name: MEDIAPIPE_OP, scratchBytes: 4096, persistentBytes: 64 };
const options = { file: 'seg.tflite', customOps: [declaration], verify: { inputs: 2 } };

const error = (f: () => unknown): TinysegError => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(TinysegError);
    return e as TinysegError;
  }
  throw new Error('no error');
};

describe('a declared custom operator', () => {
  it('is refused without allowUnproved, in one line naming the model, the operator and the option', () => {
    const e = error(() => optimize(model, options));
    expect(e.code).toBe('E_UNSUPPORTED');
    expect(e.oneLine()).toBe(
      'seg.tflite: not written: proved on 3 inputs: ops 0-21 bit-exact, the other 6 bit-exact given the custom operators\' outputs; ' +
        'every custom operator received the same inputs as in the original; not proved: the outputs of 1 custom operator ' +
        `(${MEDIAPIPE_OP} at op 22), which TinySeg cannot run (pass --allow-unproved (plugin: allowUnproved, CMake: ALLOW_UNPROVED) to write it)`,
    );
  });

  const r = optimize(model, { ...options, allowUnproved: true });
  const original = loadGraph(model);

  it('is optimized around, the operator itself untouched', () => {
    expect(r.report.after.head).toBeLessThan(r.report.before.head / 2);
    expect(r.report.keptOriginal).toBe(false);
    const customs = (g: ReturnType<typeof loadGraph>) => g.main.ops.filter((o) => o.opcode === 'CUSTOM' && o.customCode === MEDIAPIPE_OP);
    const [before] = customs(original);
    const [after] = customs(r.graph);
    expect(customs(r.graph)).toHaveLength(1);
    // Its operands: the same shapes, types and quantization; its constants byte for byte.
    const operand = (g: typeof original, t: number) => {
      const x = g.main.tensors[t]!;
      return { dtype: x.dtype, shape: x.shape, q: x.quantization, data: x.data ? Buffer.from(x.data).toString('hex') : null };
    };
    expect(after!.inputs.map((t) => operand(r.graph, t))).toEqual(before!.inputs.map((t) => operand(original, t)));
    expect(after!.outputs.map((t) => operand(r.graph, t))).toEqual(before!.outputs.map((t) => operand(original, t)));
  });

  it('says what the proof proved and what not', () => {
    expect(r.report.verified).toBe(true);
    expect(r.report.unproved).toEqual([{ op: 22, name: MEDIAPIPE_OP }]);
    expect(r.report.proof).toMatch(/^proved on 3 inputs: ops 0-21 bit-exact, .*not proved: the outputs of 1 custom operator \(Convolution2DTransposeBias at op 22\)/);
    expect(r.report.customOps).toEqual([{ name: MEDIAPIPE_OP, scratchBytes: [4096], persistentBytes: [64], register: 'Register_CONVOLUTION2DTRANSPOSEBIAS', rowLocal: false }]);
    expect(r.report.warnings.join('\n')).not.toContain('not modelled');
  });

  it('counts its declared scratch and persistent bytes', () => {
    const plain = optimize(model, { ...options, customOps: [{ name: MEDIAPIPE_OP }], allowUnproved: true });
    const big = optimize(model, { ...options, customOps: [{ name: MEDIAPIPE_OP, scratchBytes: 200_000, persistentBytes: 1000 }], allowUnproved: true });
    // 1000 B persistent: 1008 in the tail, against none.
    expect(big.report.before.tail - plain.report.before.tail).toBeGreaterThanOrEqual(1008);
    // 200,000 B of scratch live while operator 22 runs (TFLM time 23), and they make that the original's peak.
    expect(big.before.liveBytes[23]).toBe(plain.before.liveBytes[23]! + 200_000);
    expect(big.before.peak.op).toBe(22);
    expect(big.before.peak.scratch).toEqual([{ op: 22, opcode: 'CUSTOM', bytes: 200_000 }]);
  });

  it('needs no flag when the proof is skipped, and the report says nothing was proved', () => {
    const skipped = optimize(model, { ...options, verify: false });
    expect(skipped.report.verified).toBeNull();
    expect(skipped.report.proof).toBeNull();
  });

  it('undeclared, it cannot be proved and the error points at the declaration', () => {
    const e = error(() => optimize(model, { file: 'seg.tflite' }));
    expect(e.oneLine()).toMatch(/^seg\.tflite: cannot prove the optimized model bit-exact: operator 22 \(CUSTOM:Convolution2DTransposeBias\) is not supported by the TinySeg interpreter: declare it with --custom-op/);
  });
});

describe('the proof around a custom operator', () => {
  const customOps = customOpMap([{ name: MEDIAPIPE_OP }]);

  it('finds a custom operator that receives other inputs, even where the outputs could not show it', () => {
    const edited = loadGraph(model);
    const op = edited.main.ops[22]!;
    const bias = edited.main.tensors[op.inputs[2]!]!;
    const data = new Int32Array(bias.data!.slice().buffer);
    data[0] = data[0]! + 1;
    bias.data = new Uint8Array(data.buffer);
    const v = verifyModels(loadGraph(model), loadGraph(saveGraph(edited)), { inputs: 1, customOps });
    expect(v.customInputMismatches).toBe(2);
    expect(v.equal).toBe(false);
  });

  it('proves the same model equal to itself with the operator stood in', () => {
    const v = verifyModels(loadGraph(model), loadGraph(model), { inputs: 1, customOps });
    expect(v).toMatchObject({ equal: true, customInputMismatches: 0, standIns: [{ op: 22, name: MEDIAPIPE_OP }] });
  });
});
