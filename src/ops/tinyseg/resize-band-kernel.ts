// TinySegResizeBand (docs/custom-ops.md): rows [r0, r1) of an int8 RESIZE_BILINEAR,
// each mapped to its source rows and weight as the whole tensor maps it. The
// builtin run on a band derives its scale from the band's own heights, which
// maps most rows differently, so a band of it computes rows around its own to
// keep the exact ones; this kernel computes only its rows, and each one's bytes
// are the whole resize's (the same interpolation on the same source rows and
// weights, the columns the builtin's).

import { customKey } from '../../graph/op-key.js';
import { defineKernel, dims4, kernelError, requireInput, requireOutput, type Kernel } from '../kernel.js';
import { bilinearState, integerAxis, invokeBilinear, type Axis, type BilinearState } from '../resize/kernel.js';
import { decodeResizeBandOptions, RESIZE_BAND } from './custom-ops.js';

/** Rows [r0, r0 + rows) of the whole tensor's axis `a`, their source rows counted from input row `s0`. */
function bandAxis(a: Axis, r0: number, rows: number, s0: number): Axis {
  const lo = a.lo.slice(r0, r0 + rows).map((v) => v - s0);
  const hi = a.hi.slice(r0, r0 + rows).map((v) => v - s0);
  // Positions move with the rows (1024 a row in 10-bit fixed point), so each fraction above the lower row, all the
  // kernel interpolates with, is the whole tensor's.
  const pos = a.pos.slice(r0, r0 + rows).map((p) => p - 1024 * s0);
  return { lo, hi, pos };
}

const RESIZE_BAND_KERNEL = defineKernel<BilinearState>({
  prepare(call) {
    const o = decodeResizeBandOptions(call.op.customOptions);
    const x = requireInput(call, 0);
    const y = requireOutput(call, 0);
    // int8 only (the C kernel's rule): a float32 resize's bytes depend on how the compiler contracts its
    // multiply-adds, which only TFLM's own compiled kernel reproduces; integer arithmetic does not.
    if (x.tensor.dtype !== 'int8' || y.tensor.dtype !== 'int8') throw kernelError(call, `int8 input and output only, got ${x.tensor.dtype} and ${y.tensor.dtype}`);
    const [n, inRows, inW, depth] = dims4(x, call);
    const [m, outRows, outW, outDepth] = dims4(y, call);
    if (n !== 1 || m !== 1 || depth !== outDepth) throw kernelError(call, 'input and output must be of batch 1 and the same depth');
    if (o.firstInRow + inRows > o.inHeight || o.firstOutRow + outRows > o.outHeight) throw kernelError(call, 'its rows reach past the heights in its options');
    const whole = integerAxis(o.inHeight, o.outHeight, o.alignCorners, o.halfPixelCenters);
    const ys = bandAxis(whole, o.firstOutRow, outRows, o.firstInRow);
    if (ys.lo.some((v) => v < 0) || ys.hi.some((v) => v >= inRows)) throw kernelError(call, 'its output rows read input rows outside its input');
    return bilinearState(false, ys, integerAxis(inW, outW, o.alignCorners, o.halfPixelCenters), depth);
  },
  invoke: invokeBilinear,
});

export const kernels: Record<string, Kernel<any>> = { [customKey(RESIZE_BAND)]: RESIZE_BAND_KERNEL };
