// TRANSPOSE_CONV with kernel == stride (the usual 2x2/2 U-Net upsampling) as a
// 1x1 CONV_2D to kh*kw*O channels followed by DEPTH_TO_SPACE (just the conv
// when kernel and stride are 1). Without overlap
// every output pixel sums exactly one input pixel's channels, in the same
// order, so the result is bit-exact — and the int8 kernel's int32 scratch of
// 4 bytes per output element disappears (builtins only, no custom kernel).
// Conv output channel (ky*kw + kx)*O + o is what DEPTH_TO_SPACE puts at
// pixel offset (ky, kx), channel o.

import { optionsWithDefaults } from '../graph/builder.js';
import type { Graph, Tensor } from '../graph/graph.js';
import type { Quantization } from '../graph/types.js';
import { builtinOptions } from '../graph/op-options.js';
import type { Pass } from './pass.js';
import { freshName, newOp, removeUnusedTensors } from './rewrite.js';

export interface TransposeConvRewriteResult {
  rewritten: number;
  /** int32 accumulator scratch bytes the rewritten operators no longer request. */
  scratchBytes: number;
}

const VALID = 1;

function repeat<T>(values: readonly T[], times: number): T[] {
  return Array.from({ length: times }, () => values).flat();
}

export function rewriteTransposeConv(graph: Graph): TransposeConvRewriteResult {
  const sg = graph.main;
  let rewritten = 0;
  let scratchBytes = 0;
  for (let i = sg.ops.length - 1; i >= 0; i--) {
    const op = sg.ops[i]!;
    if (op.opcode !== 'TRANSPOSE_CONV') continue;
    const filter = sg.tensors[op.inputs[1]!];
    const x = sg.tensors[op.inputs[2]!];
    const bias = op.inputs[3] !== undefined && op.inputs[3] >= 0 ? sg.tensors[op.inputs[3]]! : null;
    const y = sg.tensors[op.outputs[0]!]!;
    if (!filter?.data || !x || x.shape.length !== 4 || filter.shape.length !== 4 || y.shape.length !== 4) continue;
    // Only the int8 kernel has the scratch; for float32 the rewrite would add a buffer, not remove one.
    if (x.dtype !== 'int8' || filter.dtype !== 'int8' || y.dtype !== 'int8' || (bias && (bias.dtype !== 'int32' || !bias.data))) continue;
    const [O, kh, kw, I] = filter.shape as [number, number, number, number];
    const [n, h, w] = x.shape as [number, number, number, number];
    const options = builtinOptions(op, 'TransposeConvOptions');
    const [sh, sw] = [options.strideH, options.strideW];
    if (kh !== sh || kw !== sw || kh !== kw || kh < 1) continue;
    if (y.shape.join() !== [n, h * sh, w * sw, O].join()) continue;
    const fq = filter.quantization;
    if (!fq || (fq.scale.length !== 1 && fq.scale.length !== O) || fq.quantizedDimension !== 0) continue;

    const k = kh * kw;
    // Filter [O, kh, kw, I] -> [k*O, 1, 1, I] with row (ky*kw + kx)*O + o.
    const src = new Int8Array(filter.data.buffer, filter.data.byteOffset, filter.data.byteLength);
    const wide = new Int8Array(k * O * I);
    for (let o = 0; o < O; o++) for (let p = 0; p < k; p++) wide.set(src.subarray((o * k + p) * I, (o * k + p + 1) * I), (p * O + o) * I);
    const perChannel = fq.scale.length === O;
    const wq: Quantization = perChannel
      ? { scale: repeat(fq.scale, k), zeroPoint: repeat(fq.zeroPoint, k), quantizedDimension: 0 }
      : { ...fq, scale: [...fq.scale], zeroPoint: [...fq.zeroPoint] };
    const wt: Tensor = sg.addTensor({ name: freshName(sg, `${filter.name}_as_conv`), dtype: 'int8', shape: [k * O, 1, 1, I], quantization: wq, data: new Uint8Array(wide.buffer) });
    let bt = -1;
    if (bias) {
      const b = new Int32Array(bias.data!.slice().buffer);
      const bq =
        bias.quantization && bias.quantization.scale.length === O
          ? { scale: repeat(bias.quantization.scale, k), zeroPoint: repeat(bias.quantization.zeroPoint, k), quantizedDimension: 0 }
          : bias.quantization;
      bt = sg.addTensor({ name: freshName(sg, `${bias.name}_as_conv`), dtype: 'int32', shape: [k * O], quantization: bq, data: new Uint8Array(Int32Array.from(repeat(Array.from(b), k)).buffer) }).index;
    }
    // A 1x1 stride-1 transpose conv is already a 1x1 conv: it writes y directly.
    const mid = k === 1 ? y : sg.addTensor({ name: freshName(sg, `${y.name}_blocks`), dtype: 'int8', shape: [n, h, w, k * O], quantization: y.quantization });
    const activation = options.fusedActivationFunction;
    sg.removeOp(i);
    sg.insertOp(
      i,
      newOp({
        opcode: 'CONV_2D',
        version: 3,
        inputs: [x.index, wt.index, bt],
        outputs: [mid.index],
        options: optionsWithDefaults('Conv2DOptions', { padding: VALID, strideW: 1, strideH: 1, fusedActivationFunction: activation, dilationWFactor: 1, dilationHFactor: 1 }),
        optionsType: 'Conv2DOptions',
      }),
    );
    if (k > 1) sg.insertOp(i + 1, newOp({ opcode: 'DEPTH_TO_SPACE', version: 2, inputs: [mid.index], outputs: [y.index], options: optionsWithDefaults('DepthToSpaceOptions', { blockSize: kh }), optionsType: 'DepthToSpaceOptions' }));
    rewritten++;
    scratchBytes += y.byteSize * 4;
  }
  removeUnusedTensors(sg);
  return { rewritten, scratchBytes };
}

export const transposeConvPass: Pass<'transposeConv', TransposeConvRewriteResult> = {
  name: 'transposeConv',
  // Bit-exact under TFLM's kernels, not under stock TFLite's: it runs CONV_2D on XNNPACK and TRANSPOSE_CONV on its
  // own kernel, which round differently (the Tiny U-Net in tfjs-tflite: 3,143 of 19,200 output bytes off by up to 2).
  run: (graph, context) => (context.builtinsOnly ? { rewritten: 0, scratchBytes: 0 } : rewriteTransposeConv(graph)),
};
