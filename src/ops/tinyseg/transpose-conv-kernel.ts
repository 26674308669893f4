// TinySegTransposeConv (docs/custom-ops.md): int8 TRANSPOSE_CONV computed
// output pixel by output pixel. TFLM's reference kernel scatters every input
// pixel into an int32 accumulator of the whole output (4 bytes per output
// element, often the largest buffer of a U-Net decoder); gathering the taps
// that land on one output pixel needs accumulators for one pixel's channels.
// Integer sums do not depend on their order (int32 wraps the same either
// way), and bias, requantization and clamping are the shared conv arithmetic,
// so the bytes equal TRANSPOSE_CONV's.

import { decodeTransposeConvGatherOptions, TRANSPOSE_CONV_GATHER } from './custom-ops.js';
import { defineKernel, i8, kernelError, scratchI32, type Kernel, type KernelCall } from '../kernel.js';
import { prepareTransposeConv, transposeConvOperands, type TransposeConvState } from '../transpose-conv/kernel.js';
import { int8InSimd } from '../conv-params.js';
import { transposeConvInt8Packed } from '../transpose-conv/transpose-packed.js';
import { simd } from '../simd/simd.js';
import { customKey } from '../../graph/op-key.js';

function prepare(call: KernelCall): TransposeConvState {
  const o = decodeTransposeConvGatherOptions(call.op.customOptions);
  const s = prepareTransposeConv(call, o, (_, channels) => channels * 4);
  if (s.dtype !== 'int8') throw kernelError(call, `${TRANSPOSE_CONV_GATHER} is int8 only, got ${s.dtype}`);
  return s;
}

function invoke(call: KernelCall, s: TransposeConvState): void {
  const { filter, input, output, batches, inH, inW, inC, outC, kH, kW, outH, outW } = transposeConvOperands(call);
  const x = i8(input);
  const w = i8(filter);
  const out = i8(output);
  const scratch = scratchI32(call.scratch[0]!).subarray(0, outC);
  if (filter.tensor.kind === 'constant') {
    // The packed scatter gives the same sums; the scratch ends holding the last pixel's, as here.
    transposeConvInt8Packed(s, s, { batches, inH, inW, inC, outC, kH, kW, outH, outW }, x, w, out, scratch);
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
        // Input pixel (iy, ix) reaches output (iy*stride - pad + ky, ...) in the scatter form.
        for (let ky = 0; ky < kH; ky++) {
          const ty = oy + s.padH - ky;
          if (ty < 0 || ty % s.strideH !== 0) continue;
          const iy = ty / s.strideH;
          if (iy >= inH) continue;
          for (let kx = 0; kx < kW; kx++) {
            const tx = ox + s.padW - kx;
            if (tx < 0 || tx % s.strideW !== 0) continue;
            const ix = tx / s.strideW;
            if (ix >= inW) continue;
            const xbase = ((n * inH + iy) * inW + ix) * inC;
            k.dotRows(xAt + 2 * xbase, wAt + 2 * (ky * kW + kx) * inC, wstride, outC, inC, accAt);
          }
        }
        // The sums pass through the pixel's int32 scratch in the arena, as on the device.
        scratch.set(acc);
        requantizeInto(out, ((n * outH + oy) * outW + ox) * outC);
      }
    }
  }
}

export const kernels: Record<string, Kernel<any>> = { [customKey(TRANSPOSE_CONV_GATHER)]: defineKernel<TransposeConvState>({ prepare, invoke }) };
