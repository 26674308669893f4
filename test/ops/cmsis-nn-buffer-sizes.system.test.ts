// The cmsis-nn kernel set's buffer sizes (src/ops/cmsis-nn-sizes.ts and the
// families' `memory['cmsis-nn']` rules) against CMSIS-NN's own
// *_get_buffer_size* functions, compiled for the host with gcc three times:
// as for a core without DSP (M0/M3), with ARM_MATH_DSP (M4/M7/M33) and with
// ARM_MATH_MVEI (M55). The size functions are plain arithmetic; the macros
// pick the ISA's branch. A driver of our own (below) calls them with the dims
// and params TFLM 90b983c's cmsis_nn kernels pass; the test applies those
// kernels' request logic (request when > 0, persistent MVE kernel sums, ...)
// and compares with what the registry predicts, over many generated shapes.
//
// Needs TINYSEG_CMSIS_NN_DIR: a CMSIS-NN checkout (the pin of TFLM 90b983c is
// 4ab83cc). Nothing of CMSIS-NN is in the repository; the test links the copy.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/graph/builder.js';
import type { DType, GraphOp, GraphTensor } from '../../src/graph/types.js';
import { CORE_ISAS, kernelsFor, prepareBytes, scratchRequests, type CoreIsa } from '../../src/ops/registry.js';
import { prng } from '../helpers/prng.js';
import { tempDir } from '../helpers/temp-dir.js';

const cmsisDir = process.env.TINYSEG_CMSIS_NN_DIR ?? '';
const present = cmsisDir !== '' && existsSync(join(cmsisDir, 'Include', 'arm_nnfunctions.h'));
const skipReason = present ? '' : ' (skipped: set TINYSEG_CMSIS_NN_DIR to a CMSIS-NN checkout, and have gcc)';

/**
 * One query a line: a name, then integers. Dims are n h w c. conv/dw/tconv:
 * input, filter, output dims, then stride h w, padding h w, dilation h w.
 */
const DRIVER = String.raw`
#include <stdio.h>
#include <string.h>
#include "arm_nnfunctions.h"

static cmsis_nn_dims dims_at(const int *v) {
  cmsis_nn_dims d;
  d.n = v[0]; d.h = v[1]; d.w = v[2]; d.c = v[3];
  return d;
}

int main(void) {
  char name[32];
  int v[24];
  while (scanf("%31s", name) == 1) {
    int count = 0;
    if (scanf("%d", &count) != 1 || count > 24) return 2;
    for (int i = 0; i < count; i++) if (scanf("%d", &v[i]) != 1) return 2;
    cmsis_nn_dims in = dims_at(v), filter = dims_at(v + 4), out = dims_at(v + 8);
    long r = -1;
    if (!strcmp(name, "conv_s8") || !strcmp(name, "conv_s16")) {
      cmsis_nn_conv_params p;
      memset(&p, 0, sizeof p);
      p.stride.h = v[12]; p.stride.w = v[13]; p.padding.h = v[14]; p.padding.w = v[15];
      p.dilation.h = v[16]; p.dilation.w = v[17];
      r = name[6] == '8' ? arm_convolve_wrapper_s8_get_buffer_size(&p, &in, &filter, &out)
                         : arm_convolve_wrapper_s16_get_buffer_size(&p, &in, &filter, &out);
    } else if (!strcmp(name, "dw_s8") || !strcmp(name, "dw_s4")) {
      cmsis_nn_dw_conv_params p;
      memset(&p, 0, sizeof p);
      p.stride.h = v[12]; p.stride.w = v[13]; p.padding.h = v[14]; p.padding.w = v[15];
      p.dilation.h = v[16]; p.dilation.w = v[17];
      r = name[4] == '8' ? arm_depthwise_conv_wrapper_s8_get_buffer_size(&p, &in, &filter, &out)
                         : arm_depthwise_conv_wrapper_s4_get_buffer_size(&p, &in, &filter, &out);
    } else if (!strcmp(name, "tconv") || !strcmp(name, "tconv_rev")) {
      cmsis_nn_transpose_conv_params p;
      memset(&p, 0, sizeof p);
      p.stride.h = v[12]; p.stride.w = v[13];
      r = name[5] == 0 ? arm_transpose_conv_s8_get_buffer_size(&p, &in, &filter, &out)
                       : arm_transpose_conv_s8_get_reverse_conv_buffer_size(&p, &in, &filter);
    } else if (!strcmp(name, "fc_s8")) {
      r = arm_fully_connected_s8_get_buffer_size(&in);
    } else if (!strcmp(name, "fc_s16")) {
      r = arm_fully_connected_s16_get_buffer_size(&in);
    } else if (!strcmp(name, "conv_1x1_fast")) {
      r = arm_convolve_1x1_s8_fast_get_buffer_size(&in);
    } else if (!strcmp(name, "avgpool_s8")) {
      r = arm_avgpool_s8_get_buffer_size(v[0], v[1]);
    } else if (!strcmp(name, "avgpool_s16")) {
      r = arm_avgpool_s16_get_buffer_size(v[0], v[1]);
    } else if (!strcmp(name, "svdf_s8")) {
      r = arm_svdf_s8_get_buffer_size(&in);
    }
    printf("%ld\n", r);
  }
  return 0;
}
`;

/** -D flags that select each ISA's branch of CMSIS-NN (arm_nn_math_types.h defines them from the compiler's __ARM_FEATURE_*). */
const ISA_FLAGS: Record<CoreIsa, string[]> = { none: [], dsp: ['-DARM_MATH_DSP'], mve: ['-DARM_MATH_DSP', '-DARM_MATH_MVEI'] };

/**
 * With ARM_MATH_MVEI the headers' inline helpers name Helium vector types the
 * host has no arm_mve.h for. The size functions never call those helpers, so
 * plain ints stand in for every vector type the headers mention.
 */
function mveStandIn(): string {
  const names = new Set<string>();
  const scan = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) scan(join(d, e.name));
      else if (e.name.endsWith('.h')) for (const m of readFileSync(join(d, e.name), 'utf8').matchAll(/\b(?:u?int|float)\d+x\d+(?:x\d+)?_t\b|\bmve_pred16_t\b/g)) names.add(m[0]);
    }
  };
  scan(join(cmsisDir, 'Include'));
  return [...names].map((n) => `typedef int ${n};\n`).join('');
}

// ---- the shapes, and the TFLM kernels' geometry ---------------------------------------------

const SAME = 0;
const VALID = 1;

/** TFLM's output size and leading pad of one spatial dim (ComputePaddingHeightWidth). */
function window(padding: number, size: number, filter: number, stride: number, dilation: number): { out: number; pad: number } {
  const eff = (filter - 1) * dilation + 1;
  const out = padding === SAME ? Math.ceil(size / stride) : Math.floor((size - eff) / stride) + 1;
  return { out, pad: Math.max(0, Math.floor(((out - 1) * stride + eff - size) / 2)) };
}

interface Case {
  label: string;
  op: GraphOp;
  tensors: readonly GraphTensor[];
  /** Driver queries, one per CMSIS-NN size this op's Prepare asks for. */
  queries: string[];
  /** TFLM's request logic over the queries' results: [scratch, persistent beyond the per-channel arrays]. */
  expect: (sizes: number[]) => [number[], number[]];
  /** Persistent buffers the rule adds before the CMSIS-NN ones (per-channel multipliers), to drop from the comparison. */
  skipPersistent?: number;
}

const q = (name: string, ints: number[]): string => `${name} ${ints.length} ${ints.join(' ')}`;
const nonZero = (s: number): number[] => (s > 0 ? [s] : []);

function single(build: (b: GraphBuilder) => void): { op: GraphOp; tensors: readonly GraphTensor[] } {
  const b = new GraphBuilder();
  build(b);
  const sg = b.build().main;
  return { op: sg.ops[0]!, tensors: sg.tensors };
}

const quant = { scale: [0.05], zeroPoint: [0], quantizedDimension: 0 };

function convCase(r: () => number, kind: 'conv' | 'dw', x: 'int8' | 'int16', w: 'int8' | 'int4'): Case {
  const pick = <T>(xs: readonly T[]): T => xs[r() % xs.length]!;
  const inH = pick([1, 1, 2, 3, 5, 8, 13]);
  const inW = pick([1, 3, 4, 7, 8, 12, 17]);
  const cin = pick([1, 2, 3, 4, 5, 7, 8, 16, 17, 32]);
  const mult = kind === 'dw' ? pick([1, 1, 1, 2, 3]) : 1;
  const cout = kind === 'dw' ? cin * mult : pick([1, 3, 4, 8, 9]);
  const fh = Math.min(pick([1, 1, 3, 3, 5, 2]), inH);
  const fw = Math.min(pick([1, 1, 3, 3, 5, 2, 4]), inW);
  const [sh, sw] = [pick([1, 1, 2]), pick([1, 1, 2, 4])];
  const dil = fh * fw > 1 && r() % 5 === 0 ? 2 : 1;
  const batch = r() % 7 === 0 ? 2 : 1;
  let padding = r() % 2 === 0 ? SAME : VALID;
  if ((fh - 1) * dil + 1 > inH || (fw - 1) * dil + 1 > inW) padding = SAME;
  const hh = window(padding, inH, fh, sh, dil);
  const ww = window(padding, inW, fw, sw, dil);
  const fshape = kind === 'conv' ? [cout, fh, fw, cin] : [1, fh, fw, cout];
  const { op, tensors } = single((b) => {
    const input = b.input('x', { dtype: x, shape: [batch, inH, inW, cin], quantization: quant });
    const filter = b.tensor('w', { dtype: w, shape: fshape, quantization: quant });
    const y = b.tensor('y', { dtype: x, shape: [batch, hh.out, ww.out, cout], quantization: quant });
    const opts = { padding, strideH: sh, strideW: sw, dilationHFactor: dil, dilationWFactor: dil };
    if (kind === 'conv') b.op({ opcode: 'CONV_2D', inputs: [input, filter, -1], outputs: [y], options: { type: 'Conv2DOptions', value: opts } });
    else b.op({ opcode: 'DEPTHWISE_CONV_2D', inputs: [input, filter, -1], outputs: [y], options: { type: 'DepthwiseConv2DOptions', value: { ...opts, depthMultiplier: mult } } });
    b.output(y);
  });
  const inDims = [batch, inH, inW, cin];
  const outDims = [batch, hh.out, ww.out, cout];
  // conv: filter {1, fh, fw, filter channels}; depthwise: {1, fh, fw, Cout}, and the kernel leaves stride unset
  // (the driver passes 1: CMSIS-NN reads it only in MVE's one-input-channel 1xN case, which TinySeg sizes as general).
  const filterDims = [1, fh, fw, kind === 'conv' ? cin : cout];
  const stride = kind === 'conv' ? [sh, sw] : [1, 1];
  const params = [...stride, hh.pad, ww.pad, dil, dil];
  const label = `${kind} ${x}/${w} in ${inDims.join('x')} filter ${fh}x${fw} mult ${mult} cout ${cout} stride ${sh}x${sw} dil ${dil} ${padding === SAME ? 'SAME' : 'VALID'}`;
  if (kind === 'conv') {
    // int8 input with an int8 or int4 filter: TFLM sizes both with the s8 wrapper; int16 always requests its size.
    const name = x === 'int8' ? 'conv_s8' : 'conv_s16';
    return { label, op, tensors, queries: [q(name, [...inDims, ...filterDims, ...outDims, ...params])], expect: ([s]) => [x === 'int8' ? nonZero(s!) : [s!], []], skipPersistent: 2 };
  }
  // Depthwise: int8 input only (int16 runs without a buffer).
  if (x === 'int16') return { label, op, tensors, queries: [], expect: () => [[], []], skipPersistent: 2 };
  const name = w === 'int4' ? 'dw_s4' : 'dw_s8';
  return { label, op, tensors, queries: [q(name, [...inDims, ...filterDims, ...outDims, ...params])], expect: ([s]) => [nonZero(s!), []], skipPersistent: 2 };
}

function transposeConvCase(r: () => number): Case {
  const pick = <T>(xs: readonly T[]): T => xs[r() % xs.length]!;
  const [inH, inW, cin, cout] = [pick([1, 2, 4, 7]), pick([1, 3, 4, 9]), pick([1, 3, 8, 16, 17, 24]), pick([1, 2, 5, 8])];
  const [fh, fw] = [pick([1, 2, 3, 4, 5]), pick([1, 2, 3, 4, 5])];
  const [sh, sw] = [pick([1, 2, 3]), pick([1, 2, 3])];
  const padding = r() % 2 === 0 ? SAME : VALID;
  const outH = padding === SAME ? inH * sh : (inH - 1) * sh + fh;
  const outW = padding === SAME ? inW * sw : (inW - 1) * sw + fw;
  const { op, tensors } = single((b) => {
    const shape = b.constant('shape', { dtype: 'int32', shape: [4] }, Int32Array.from([1, outH, outW, cout]));
    const filter = b.tensor('w', { dtype: 'int8', shape: [cout, fh, fw, cin], quantization: quant });
    const input = b.input('x', { dtype: 'int8', shape: [1, inH, inW, cin], quantization: quant });
    const y = b.tensor('y', { dtype: 'int8', shape: [1, outH, outW, cout], quantization: quant });
    b.op({ opcode: 'TRANSPOSE_CONV', inputs: [shape, filter, input, -1], outputs: [y], options: { type: 'TransposeConvOptions', value: { padding, strideH: sh, strideW: sw } } });
    b.output(y);
  });
  const ints = [1, inH, inW, cin, cout, fh, fw, cin, 1, outH, outW, cout, sh, sw];
  return {
    label: `tconv in 1x${inH}x${inW}x${cin} filter ${fh}x${fw} cout ${cout} stride ${sh}x${sw}`,
    op,
    tensors,
    queries: [q('tconv', ints), q('tconv_rev', ints)],
    // Both are requested, even when 0 bytes.
    expect: ([a, b]) => [[a!, b!], []],
    skipPersistent: 2,
  };
}

function fullyConnectedCase(r: () => number): Case {
  const pick = <T>(xs: readonly T[]): T => xs[r() % xs.length]!;
  const x: DType = pick(['int8', 'int8', 'int16']);
  const depth = pick([1, 3, 4, 8, 10, 12, 33]);
  const cout = pick([1, 2, 5, 8, 16]);
  const rank3 = r() % 2 === 0;
  const batch = pick([1, 2, 3]);
  // TFLM treats a filter as per-channel when it has more than one scale.
  const perChannel = x === 'int8' && r() % 3 === 0 && cout > 1;
  const constBias = r() % 4 !== 0;
  const inShape = rank3 ? [1, batch, depth] : [batch, depth];
  const outShape = rank3 ? [1, batch, cout] : [batch, cout];
  const { op, tensors } = single((b) => {
    const input = b.input('x', { dtype: x, shape: inShape, quantization: quant });
    const wq = perChannel ? { scale: new Array<number>(cout).fill(0.01), zeroPoint: new Array<number>(cout).fill(0), quantizedDimension: 0 } : quant;
    const w = b.constant('w', { dtype: 'int8', shape: [cout, depth], quantization: wq }, new Int8Array(cout * depth));
    const bias = constBias ? b.constant('b', { dtype: 'int32', shape: [cout] }, new Int32Array(cout)) : b.input('b', { dtype: 'int32', shape: [cout] });
    const y = b.tensor('y', { dtype: x, shape: outShape, quantization: quant });
    b.op({ opcode: 'FULLY_CONNECTED', inputs: [input, w, bias], outputs: [y], options: { type: 'FullyConnectedOptions', value: { keepNumDims: rank3 } } });
    b.output(y);
  });
  const label = `fc ${x} in ${inShape.join('x')} cout ${cout}${perChannel ? ' per-channel' : ''}${constBias ? '' : ' variable bias'}`;
  const skipPersistent = perChannel ? 2 : 0;
  if (x === 'int16') return { label, op, tensors, queries: [q('fc_s16', [cout, depth, 1, cout])], expect: ([s]) => [nonZero(s!), []], skipPersistent };
  if (rank3 && depth % 4 === 0) {
    // The 1x1-conv path: per-tensor filters get a per-channel multiplier/shift scratch, then the fast 1x1 buffer.
    return { label, op, tensors, queries: [q('conv_1x1_fast', [batch, 1, 1, depth])], expect: ([s]) => [[...(perChannel ? [] : [8 * cout]), ...nonZero(s!)], []], skipPersistent };
  }
  // filter dims as TFLM fills them for arm_fully_connected_s8 (c = output depth); constant weights and bias: persistent sums.
  return {
    label,
    op,
    tensors,
    queries: [q('fc_s8', [depth, 1, 1, cout])],
    expect: ([s]) => (s! > 0 && constBias ? [[], [s!]] : [nonZero(s!), []]),
    skipPersistent,
  };
}

function avgPoolCase(r: () => number): Case {
  const pick = <T>(xs: readonly T[]): T => xs[r() % xs.length]!;
  const x: DType = pick(['int8', 'int16']);
  const [inH, inW, c] = [pick([2, 4, 7]), pick([2, 5, 8, 9]), pick([1, 3, 8, 17])];
  const k = 2;
  const { op, tensors } = single((b) => {
    const input = b.input('x', { dtype: x, shape: [1, inH, inW, c], quantization: quant });
    const y = b.tensor('y', { dtype: x, shape: [1, Math.floor(inH / k), Math.floor(inW / k), c], quantization: quant });
    b.op({ opcode: 'AVERAGE_POOL_2D', inputs: [input], outputs: [y], options: { type: 'Pool2DOptions', value: { padding: VALID, strideH: k, strideW: k, filterHeight: k, filterWidth: k } } });
    b.output(y);
  });
  const name = x === 'int8' ? 'avgpool_s8' : 'avgpool_s16';
  return { label: `avgpool ${x} in 1x${inH}x${inW}x${c}`, op, tensors, queries: [q(name, [Math.floor(inW / k), c])], expect: ([s]) => [nonZero(s!), []] };
}

function svdfCase(r: () => number): Case {
  const pick = <T>(xs: readonly T[]): T => xs[r() % xs.length]!;
  const [batch, input, rank, units, memory] = [pick([1, 2, 3]), pick([3, 8, 10]), pick([1, 2]), pick([1, 3, 4]), pick([2, 5])];
  const filters = rank * units;
  const { op, tensors } = single((b) => {
    const x = b.input('x', { dtype: 'int8', shape: [batch, input], quantization: quant });
    const wf = b.constant('wf', { dtype: 'int8', shape: [filters, input], quantization: quant }, new Int8Array(filters * input));
    const wt = b.constant('wt', { dtype: 'int16', shape: [filters, memory], quantization: quant }, new Int16Array(filters * memory));
    const bias = b.constant('b', { dtype: 'int32', shape: [units], quantization: quant }, new Int32Array(units));
    const state = b.variable('s', { dtype: 'int16', shape: [batch, memory * filters], quantization: quant });
    const y = b.tensor('y', { dtype: 'int8', shape: [batch, units], quantization: quant });
    b.op({ opcode: 'SVDF', inputs: [x, wf, wt, bias, state], outputs: [y], options: { type: 'SVDFOptions', value: { rank } } });
    b.output(y);
  });
  return {
    label: `svdf int8 batch ${batch} input ${input} filters ${filters} rank ${rank}`,
    op,
    tensors,
    // weights_feature dims as TFLM fills them: n = filters, h = input size.
    queries: [q('svdf_s8', [filters, input, 0, 0])],
    // The speed build keeps the weight sums persistent.
    expect: ([s]) => [[batch * filters * 4, batch * units * 4], nonZero(s!)],
  };
}

function batchMatmulCase(r: () => number): Case {
  const pick = <T>(xs: readonly T[]): T => xs[r() % xs.length]!;
  const [batch, rows, depth, cols] = [pick([1, 2]), pick([1, 3, 4]), pick([2, 5, 8]), pick([1, 3, 7, 16])];
  const { op, tensors } = single((b) => {
    const x = b.input('x', { dtype: 'int8', shape: [batch, rows, depth], quantization: quant });
    const w = b.input('w', { dtype: 'int8', shape: [batch, depth, cols], quantization: quant });
    const y = b.tensor('y', { dtype: 'int8', shape: [batch, rows, cols], quantization: quant });
    b.op({ opcode: 'BATCH_MATMUL', inputs: [x, w], outputs: [y], options: { type: 'BatchMatMulOptions', value: {} } });
    b.output(y);
  });
  // The output's dims as cmsis_nn_dims (rank 3: {1, d0, d1, d2}). Its persistent buffers are TFLM's own (transposed
  // copies, dims, quantization), checked by test/tflm/cmsis-fixtures.test.ts.
  const label = `bmm int8 ${batch}x${rows}x${depth} by ${depth}x${cols}`;
  return { label, op, tensors, queries: [q('fc_s8', [1, batch, rows, cols])], expect: ([s]) => [nonZero(s!), []], skipPersistent: Infinity };
}

function cases(): Case[] {
  const r = prng(20240611);
  const out: Case[] = [];
  for (let i = 0; i < 400; i++) {
    out.push(convCase(r, 'conv', 'int8', 'int8'), convCase(r, 'dw', 'int8', 'int8'));
    if (i % 2 === 0) out.push(convCase(r, 'conv', 'int16', 'int8'), convCase(r, 'conv', 'int8', 'int4'), convCase(r, 'dw', 'int8', 'int4'), convCase(r, 'dw', 'int16', 'int8'));
    if (i % 4 === 0) out.push(transposeConvCase(r), fullyConnectedCase(r), avgPoolCase(r), svdfCase(r), batchMatmulCase(r));
  }
  // A second seed for the int8 convolutions, whose size functions branch the most (1x1, 1xN, MVE's 1xN padding).
  const more = prng(7);
  for (let i = 0; i < 200; i++) out.push(convCase(more, 'conv', 'int8', 'int8'), convCase(more, 'dw', 'int8', 'int8'));
  return out;
}

describe.skipIf(!present)(`CMSIS-NN's buffer-size functions on the host${skipReason}`, () => {
  const dir = tempDir('tinyseg-cmsis-sizes-');
  const all = cases();
  const results = new Map<CoreIsa, number[][]>();

  beforeAll(() => {
    writeFileSync(join(dir, 'driver.c'), DRIVER);
    writeFileSync(join(dir, 'mve-stand-in.h'), mveStandIn());
    const sources = ['ConvolutionFunctions', 'FullyConnectedFunctions', 'PoolingFunctions', 'SVDFunctions'].flatMap((sub) =>
      readdirSync(join(cmsisDir, 'Source', sub))
        .filter((f) => /get_buffer_sizes?_s(4|8|16)\.c$/.test(f))
        .map((f) => join(cmsisDir, 'Source', sub, f)),
    );
    const input = all.flatMap((c) => c.queries).join('\n') + '\n';
    for (const isa of CORE_ISAS) {
      const exe = join(dir, `sizes-${isa}`);
      // The DSP/MVE headers call intrinsics the host lacks, only in inline helpers the size functions never call.
      const cc = spawnSync(
        'gcc',
        ['-std=c99', '-O1', '-w', '-Wno-error=implicit-function-declaration', ...ISA_FLAGS[isa], ...(isa === 'mve' ? ['-include', join(dir, 'mve-stand-in.h')] : []), '-I', join(cmsisDir, 'Include'), join(dir, 'driver.c'), ...sources, '-o', exe],
        { encoding: 'utf8' },
      );
      if (cc.status !== 0) throw new Error(`gcc for ${isa} failed:\n${cc.stderr}`);
      const run = spawnSync(exe, [], { input, encoding: 'utf8', maxBuffer: 1 << 26 });
      if (run.status !== 0) throw new Error(`the ${isa} driver failed (${run.status}): ${run.stderr}`);
      const values = run.stdout.trim().split('\n').map(Number);
      let k = 0;
      results.set(
        isa,
        all.map((c) => c.queries.map(() => values[k++]!)),
      );
    }
  }, 120_000);

  it(`has generated ${all.length} cases, every CMSIS-NN size function answered`, () => {
    for (const isa of CORE_ISAS) expect(results.get(isa)!.flat().every((v) => v >= 0)).toBe(true);
  });

  for (const isa of CORE_ISAS) {
    it(`the registry's cmsis-nn scratch and persistent buffers equal CMSIS-NN's on ${isa}`, () => {
      const kernels = kernelsFor('cmsis-nn', isa);
      const mismatches: string[] = [];
      all.forEach((c, i) => {
        const [scratch, persistent] = c.expect(results.get(isa)![i]!);
        const gotScratch = scratchRequests(c.op, c.tensors, kernels);
        const gotPersistent = prepareBytes(c.op, c.tensors, kernels).slice(c.skipPersistent ?? 0);
        if (JSON.stringify(gotScratch) !== JSON.stringify(scratch) || JSON.stringify(gotPersistent) !== JSON.stringify(persistent)) {
          mismatches.push(`${c.label}: scratch ${JSON.stringify(gotScratch)} vs CMSIS-NN ${JSON.stringify(scratch)}, persistent ${JSON.stringify(gotPersistent)} vs ${JSON.stringify(persistent)}`);
        }
      });
      expect(mismatches.slice(0, 20), `${mismatches.length} of ${all.length} differ`).toEqual([]);
    });
  }
});
