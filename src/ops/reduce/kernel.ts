// MEAN: reference_ops::Mean / QuantizedMeanOrSum as TFLM's reduce_common.cc
// calls them. Sums run in input order into the output position with the
// reduced axes dropped; int8/int16 sum into the int32 accumulator scratch TFLM
// requests in the arena, then fold 1/count into the output multiplier.

import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../fixed-point.js';
import {
  defineKernel,
  elementCount,
  i32,
  kernelError,
  requireInput,
  requireOutput,
  scaleOf,
  scratchI32,
  viewOf,
  zeroPointOf,
  type Kernel,
  type KernelCall,
} from '../kernel.js';

interface MeanState {
  dtype: 'float32' | 'int8' | 'int16';
  /** For each input element (row-major), its output element. */
  target: Int32Array;
  count: number;
  multiplier: number;
  shift: number;
  inputZeroPoint: number;
  outputZeroPoint: number;
}

function prepare(call: KernelCall): MeanState {
  const input = requireInput(call, 0);
  const axisT = requireInput(call, 1);
  const output = requireOutput(call, 0);
  const dtype = input.tensor.dtype;
  if ((dtype !== 'float32' && dtype !== 'int8' && dtype !== 'int16') || output.tensor.dtype !== dtype) {
    throw kernelError(call, `types ${dtype} -> ${output.tensor.dtype} are not supported`);
  }
  if (axisT.tensor.kind !== 'constant' || axisT.tensor.dtype !== 'int32') throw kernelError(call, 'the axis must be a constant int32 tensor');
  const dims = input.tensor.shape;
  const axes: number[] = [];
  for (const a of i32(axisT)) {
    const r = a < 0 ? a + dims.length : a;
    if (r < 0 || r >= dims.length) throw kernelError(call, `axis ${a} is out of range for a ${dims.length}-D input`);
    if (!axes.includes(r)) axes.push(r);
  }
  const total = elementCount(input);
  const target = new Int32Array(total);
  const idx = new Array<number>(dims.length).fill(0);
  for (let i = 0; i < total; i++) {
    let off = 0;
    for (let d = 0; d < dims.length; d++) if (!axes.includes(d)) off = off * dims[d]! + idx[d]!;
    target[i] = off;
    for (let d = dims.length - 1; d >= 0; d--) {
      if (++idx[d]! < dims[d]!) break;
      idx[d] = 0;
    }
  }
  const count = axes.reduce((n, a) => n * dims[a]!, 1);
  const outputs = elementCount(output);
  const kept = dims.reduce((n, s, d) => (axes.includes(d) ? n : n * s), 1);
  if (kept !== outputs) throw kernelError(call, `output has ${outputs} elements, the reduction gives ${kept}`);
  let multiplier = 0;
  let shift = 0;
  if (dtype !== 'float32') {
    if ((call.scratch[0]?.byteLength ?? 0) < outputs * 4) throw kernelError(call, 'the int32 accumulator scratch buffer is missing from the plan');
    const m = quantizeMultiplier(scaleOf(input) / scaleOf(output));
    multiplier = m.multiplier;
    shift = m.shift;
    if (count > 0) {
      // 63 - clz64(count), clamped so that the folded shift stays >= -31.
      let s = 0;
      while (2 ** (s + 1) <= count) s++;
      s = Math.min(s, 32, 31 + shift);
      multiplier = Number((BigInt(multiplier) << BigInt(s)) / BigInt(count));
      shift -= s;
    }
  }
  return { dtype, target, count, multiplier, shift, inputZeroPoint: zeroPointOf(input), outputZeroPoint: zeroPointOf(output) };
}

function invoke(call: KernelCall, s: MeanState): void {
  const input = requireInput(call, 0);
  const output = requireOutput(call, 0);
  const x = viewOf(input);
  const out = viewOf(output);
  const n = out.length;
  const { target } = s;
  if (s.dtype === 'float32') {
    // TFLM sums in the output buffer itself.
    out.fill(0);
    for (let i = 0; i < x.length; i++) out[target[i]!] = Math.fround(out[target[i]!]! + x[i]!);
    if (s.count > 0) for (let j = 0; j < n; j++) out[j] = Math.fround(out[j]! / s.count);
    return;
  }
  const sum = scratchI32(call.scratch[0]!).subarray(0, n);
  sum.fill(0);
  out.fill(0);
  for (let i = 0; i < x.length; i++) sum[target[i]!]! += x[i]!;
  if (s.count === 0) return;
  const [lo, hi] = s.dtype === 'int8' ? [-128, 127] : [-32768, 32767];
  for (let j = 0; j < n; j++) {
    const shifted = (sum[j]! - s.inputZeroPoint * s.count) | 0;
    const v = multiplyByQuantizedMultiplier(shifted, s.multiplier, s.shift) + s.outputZeroPoint;
    out[j] = v < lo ? lo : v > hi ? hi : v;
  }
}

export const kernels: Record<string, Kernel<any>> = { MEAN: defineKernel<MeanState>({ prepare, invoke }) };
