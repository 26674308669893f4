// BATCH_MATMUL, transcribed from TFLM's reference kernel (batch_matmul.cc,
// batch_matmul_common.cc, reference/batch_matmul.h).
//
// TFLM transposes the operands (persistent copies), swaps them and may flatten
// the batch dimensions before calling reference_ops::BatchMatMul; all of that
// only changes how the data is walked. Each output element is
// out[b, m, n] = sum over k = 0, 1, ... of L[b, m, k] * R[b, k, n] (L = lhs or
// lhs^T under adj_x, R = rhs or rhs^T under adj_y), accumulated in k order
// from 0: in float32 rounding each product and each sum, in int32 (int8) or
// int64 (int16) for the integer paths, then requantized.

import { builtinOptions } from '../../graph/op-options.js';
import { defineKernel, kernelError, requireInput, requireOutput, requireQuantized, scaleOf, viewOf, zeroPointOf, type Kernel } from '../kernel.js';
import { multiplyByQuantizedMultiplier, multiplyByQuantizedMultiplier64, quantizeMultiplier } from '../fixed-point.js';

interface BatchMatMulState {
  dtype: 'float32' | 'int8' | 'int16';
  /** Per output matrix (row-major over the broadcast batch dims): element offsets of its L and R matrices. */
  lhsOffsets: Int32Array;
  rhsOffsets: Int32Array;
  m: number;
  n: number;
  k: number;
  /** Element strides of L[m, k] and R[k, n] in the operands' memory (transposition is a stride swap). */
  lm: number;
  lk: number;
  rk: number;
  rn: number;
  /** Quantized: -zero points, output zero point, multiplier, activation range. */
  lhsOffset: number;
  rhsOffset: number;
  outOffset: number;
  multiplier: number;
  shift: number;
  qmin: number;
  qmax: number;
}

/** Row-major element offsets of each batch matrix of a shape extended to `rank`, broadcast over `batch` (size-1 dims repeat). */
function batchOffsets(shape: readonly number[], rank: number, batch: readonly number[]): number[] {
  const ext = [...new Array<number>(rank - shape.length).fill(1), ...shape];
  const matrix = ext[rank - 2]! * ext[rank - 1]!;
  const strides: number[] = new Array<number>(rank - 2).fill(0);
  for (let i = rank - 3, acc = matrix; i >= 0; i--) {
    strides[i] = ext[i] === 1 ? 0 : acc;
    acc *= ext[i]!;
  }
  const offsets: number[] = [];
  const count = batch.reduce((a, b) => a * b, 1);
  const pos = new Array<number>(batch.length).fill(0);
  for (let c = 0; c < count; c++) {
    offsets.push(pos.reduce((o, p, i) => o + p * strides[i]!, 0));
    for (let d = batch.length - 1; d >= 0; d--) {
      if (++pos[d]! < batch[d]!) break;
      pos[d] = 0;
    }
  }
  return offsets;
}

const BATCH_MATMUL = defineKernel<BatchMatMulState>({
  prepare(call) {
    const lhs = requireInput(call, 0);
    const rhs = requireInput(call, 1);
    const out = requireOutput(call, 0);
    // BatchMatMulPrepare's checks.
    const t = lhs.tensor.dtype;
    if (t !== 'float32' && t !== 'int8' && t !== 'int16') throw kernelError(call, `BATCH_MATMUL doesn't support input type ${t.toUpperCase()}`);
    if (rhs.tensor.dtype !== t || out.tensor.dtype !== t) {
      throw kernelError(call, `types ${lhs.tensor.dtype}, ${rhs.tensor.dtype} -> ${out.tensor.dtype} are not supported (all must match)`);
    }
    const ls = lhs.tensor.shape;
    const rs = rhs.tensor.shape;
    for (const [s, w] of [
      [ls, 'lhs'],
      [rs, 'rhs'],
    ] as const) {
      if (s.length < 2 || s.length > 5) throw kernelError(call, `${w} has rank ${s.length}; BATCH_MATMUL takes ranks 2 to 5`);
    }
    const { adjX, adjY } = builtinOptions(call.op, 'BatchMatMulOptions');
    const rank = Math.max(ls.length, rs.length);
    const el = [...new Array<number>(rank - ls.length).fill(1), ...ls];
    const er = [...new Array<number>(rank - rs.length).fill(1), ...rs];
    const batch: number[] = [];
    for (let i = 0; i < rank - 2; i++) {
      if (el[i] !== er[i] && el[i] !== 1 && er[i] !== 1) throw kernelError(call, `batch dimension ${i}: ${el[i]} and ${er[i]} do not broadcast`);
      batch.push(el[i] === 1 ? er[i]! : el[i]!);
    }
    const [lr, lc] = [el[rank - 2]!, el[rank - 1]!];
    const [rr, rc] = [er[rank - 2]!, er[rank - 1]!];
    const k = adjX ? lr : lc;
    if ((adjY ? rc : rr) !== k) throw kernelError(call, `accumulation dimensions ${k} and ${adjY ? rc : rr} differ`);
    const m = adjX ? lc : lr;
    const n = adjY ? rr : rc;
    // ReshapeOutputTensor: the output's rank may exceed the computed one, its element count may not change.
    const os = out.tensor.shape;
    if (rank > os.length) throw kernelError(call, `output rank ${os.length} is below ${rank}`);
    const count = [...batch, m, n].reduce((a, b) => a * b, 1);
    if (os.reduce((a, b) => a * b, 1) !== count) throw kernelError(call, `output shape [${os.join(', ')}] does not hold [${[...batch, m, n].join(', ')}]`);
    const state: BatchMatMulState = {
      dtype: t,
      lhsOffsets: Int32Array.from(batchOffsets(ls, rank, batch)),
      rhsOffsets: Int32Array.from(batchOffsets(rs, rank, batch)),
      m,
      n,
      k,
      // L[m, k]: lhs[m][k] (row length lc), or lhs[k][m] under adj_x.
      lm: adjX ? 1 : lc,
      lk: adjX ? lc : 1,
      // R[k, n]: rhs[k][n] (row length rc), or rhs[n][k] under adj_y.
      rk: adjY ? 1 : rc,
      rn: adjY ? rc : 1,
      lhsOffset: 0,
      rhsOffset: 0,
      outOffset: 0,
      multiplier: 0,
      shift: 0,
      qmin: 0,
      qmax: 0,
    };
    if (t === 'float32') return state;
    requireQuantized(call, lhs, 'lhs');
    requireQuantized(call, rhs, 'rhs');
    requireQuantized(call, out, 'output');
    // GetQuantizedConvolutionMultipler: the scale product in float.
    const productScale = Math.fround(scaleOf(lhs) * scaleOf(rhs));
    if (!(productScale >= 0)) throw kernelError(call, 'the input product scale is negative');
    const q = quantizeMultiplier(productScale / scaleOf(out));
    if (t === 'int16' && [lhs, rhs, out].some((d) => zeroPointOf(d) !== 0)) throw kernelError(call, 'int16 BATCH_MATMUL needs zero points of 0');
    const [qmin, qmax] = t === 'int8' ? [-128, 127] : [-32768, 32767];
    return {
      ...state,
      lhsOffset: -zeroPointOf(lhs),
      rhsOffset: -zeroPointOf(rhs),
      outOffset: zeroPointOf(out),
      multiplier: q.multiplier,
      shift: q.shift,
      qmin,
      qmax,
    };
  },
  invoke(call, s) {
    const L = viewOf(requireInput(call, 0));
    const R = viewOf(requireInput(call, 1));
    const O = viewOf(requireOutput(call, 0));
    const { m: M, n: N, k: K, lm, lk, rk, rn } = s;
    const batches = s.lhsOffsets.length;
    let o = 0;
    for (let b = 0; b < batches; b++) {
      const lb = s.lhsOffsets[b]!;
      const rb = s.rhsOffsets[b]!;
      for (let i = 0; i < M; i++) {
        for (let j = 0; j < N; j++) {
          let li = lb + i * lm;
          let ri = rb + j * rn;
          if (s.dtype === 'float32') {
            let total = 0;
            for (let x = 0; x < K; x++, li += lk, ri += rk) total = Math.fround(total + Math.fround(L[li]! * R[ri]!));
            O[o++] = total;
          } else {
            // (rhs + rhs offset) * (lhs + lhs offset), in int32 for int8 (wrapping), int64 for int16 (exact in a double).
            let total = 0;
            if (s.dtype === 'int8') {
              for (let x = 0; x < K; x++, li += lk, ri += rk) total = (total + Math.imul(R[ri]! + s.rhsOffset, L[li]! + s.lhsOffset)) | 0;
              total = multiplyByQuantizedMultiplier(total, s.multiplier, s.shift);
            } else {
              for (let x = 0; x < K; x++, li += lk, ri += rk) total += (R[ri]! + s.rhsOffset) * (L[li]! + s.lhsOffset);
              total = multiplyByQuantizedMultiplier64(total, s.multiplier, s.shift);
            }
            const v = (total + s.outOffset) | 0;
            O[o++] = v < s.qmin ? s.qmin : v > s.qmax ? s.qmax : v;
          }
        }
      }
    }
  },
});

export const kernels: Record<string, Kernel<any>> = { BATCH_MATMUL };
