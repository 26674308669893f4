// TinySegTransposeConv (docs/custom-ops.md): int8 TRANSPOSE_CONV computed
// output pixel by output pixel. TFLM's reference kernel scatters every input
// pixel into an int32 accumulator of the whole output (4 bytes per output
// element, often the largest buffer of a U-Net decoder); gathering the taps
// that land on one output pixel needs no buffer (the C kernel sums each output
// channel in a register). Integer sums do not depend on their order (int32
// wraps the same either way), and bias, requantization and clamping are the
// shared conv arithmetic, so the bytes equal TRANSPOSE_CONV's. A band computes
// its own output rows only, each from the input rows that reach it.

import { decodeTransposeConvGatherOptions, TRANSPOSE_CONV_GATHER, TRANSPOSE_CONV_GATHER_MAX_TAPS } from './custom-ops.js';
import { defineKernel, i8, kernelError, requireInput, type Kernel, type KernelCall } from '../kernel.js';
import { prepareTransposeConv, transposeConvOperands, transposePad, type TransposeConvState } from '../transpose-conv/kernel.js';
import { int8InSimd } from '../conv-params.js';
import { transposeConvInt8Packed } from '../transpose-conv/transpose-packed.js';
import { simd } from '../simd/simd.js';
import { customKey } from '../../graph/op-key.js';

/** The kernel's state: TRANSPOSE_CONV's, and a band's first output and input rows (0 and 0 for the whole op). */
interface GatherState extends TransposeConvState {
  band: boolean;
  firstOutRow: number;
  firstInRow: number;
  /** The whole input's rows (x's for the whole op). */
  wholeInH: number;
}

function prepare(call: KernelCall): GatherState {
  const o = decodeTransposeConvGatherOptions(call.op.customOptions);
  const s = prepareTransposeConv(call, o, () => 0);
  if (s.dtype !== 'int8') throw kernelError(call, `${TRANSPOSE_CONV_GATHER} is int8 only, got ${s.dtype}`);
  const [, fh, fw] = requireInput(call, 1).tensor.shape as [number, number, number, number];
  if (fh * fw > TRANSPOSE_CONV_GATHER_MAX_TAPS) throw kernelError(call, `a ${fh}x${fw} filter has more than ${TRANSPOSE_CONV_GATHER_MAX_TAPS} taps`);
  const { batches, inH, outH, kH } = transposeConvOperands(call);
  if (!o.band) return { ...s, band: false, firstOutRow: 0, firstInRow: 0, wholeInH: inH };
  const b = o.band;
  if (batches !== 1 || b.firstOutRow + outH > b.outHeight || b.firstInRow + inH > b.inHeight) {
    throw kernelError(call, `a band of ${outH} rows from row ${b.firstOutRow} (input rows from ${b.firstInRow}) does not fit its ${b.outHeight} x ${b.inHeight} rows, or its batch is not 1`);
  }
  // The whole output's padding: a band's rows are on the whole tensor's grid.
  const padH = transposePad(o.padding, b.outHeight, kH, o.strideH);
  return { ...s, padH, band: true, firstOutRow: b.firstOutRow, firstInRow: b.firstInRow, wholeInH: b.inHeight };
}

function invoke(call: KernelCall, s: GatherState): void {
  const { filter, input, output, batches, inH, inW, inC, outC, kH, kW, outH, outW } = transposeConvOperands(call);
  const x = i8(input);
  const w = i8(filter);
  const out = i8(output);
  if (filter.tensor.kind === 'constant' && !s.band) {
    // The packed scatter over the whole output gives the same sums.
    transposeConvInt8Packed(s, s, { batches, inH, inW, inC, outC, kH, kW, outH, outW }, x, w, out, new Int32Array(outC));
    return;
  }
  const wstride = kH * kW * inC;
  // One pixel's sums at a time.
  const { xAt, wAt, accAt, acc, requantizeInto } = int8InSimd(s, outC, x, w, 0, outC);
  const k = simd();
  for (let n = 0; n < batches; n++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        acc.fill(0);
        for (let ky = 0; ky < kH; ky++) {
          const ty = s.firstOutRow + oy + s.padH - ky;
          if (ty < 0 || ty % s.strideH !== 0) continue;
          if (ty / s.strideH >= s.wholeInH) continue;
          const iy = ty / s.strideH - s.firstInRow;
          if (iy < 0 || iy >= inH) throw kernelError(call, `output row ${s.firstOutRow + oy} reads input row ${iy + s.firstInRow}, outside the band's`);
          for (let kx = 0; kx < kW; kx++) {
            const tx = ox + s.padW - kx;
            if (tx < 0 || tx % s.strideW !== 0) continue;
            const ix = tx / s.strideW;
            if (ix >= inW) continue;
            const xbase = ((n * inH + iy) * inW + ix) * inC;
            k.dotRows(xAt + 2 * xbase, wAt + 2 * (ky * kW + kx) * inC, wstride, outC, inC, accAt);
          }
        }
        requantizeInto(out, ((n * outH + oy) * outW + ox) * outC);
      }
    }
  }
}

export const kernels: Record<string, Kernel<any>> = { [customKey(TRANSPOSE_CONV_GATHER)]: defineKernel<GatherState>({ prepare, invoke }) };
