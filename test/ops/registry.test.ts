// The operator registry's consistency: every fact about an operator is in its
// one record, and the records agree with the kernels and the schema.

import { describe, expect, it } from 'vitest';
import { customKey } from '../../src/graph/op-key.js';
import type { Kernel } from '../../src/ops/kernel.js';
import { KERNEL_SETS, OP_RECORDS, OPS, type OpInfo } from '../../src/ops/registry.js';
import { BuiltinOperator } from '../../src/tflite/schema.js';
import { TINYSEG_OPS } from '../../src/ops/tinyseg/custom-ops.js';
import { kernels as batchMatmul } from '../../src/ops/batch-matmul/kernel.js';
import { kernels as conv } from '../../src/ops/conv/kernel.js';
import { kernels as depthwiseConv } from '../../src/ops/depthwise-conv/kernel.js';
import { kernels as activations } from '../../src/ops/elementwise/activations.js';
import { kernels as arithmetic } from '../../src/ops/elementwise/arithmetic.js';
import { kernels as math } from '../../src/ops/elementwise/math.js';
import { kernels as nonlinear } from '../../src/ops/elementwise/nonlinear.js';
import { kernels as binaryOps } from '../../src/ops/elementwise/binary-ops.js';
import { kernels as compare } from '../../src/ops/elementwise/compare.js';
import { kernels as selectAddN } from '../../src/ops/elementwise/select-add-n.js';
import { kernels as quantize } from '../../src/ops/elementwise/quantize.js';
import { kernels as fullyConnected } from '../../src/ops/fully-connected/kernel.js';
import { kernels as pooling } from '../../src/ops/pooling/kernel.js';
import { kernels as reduce } from '../../src/ops/reduce/kernel.js';
import { kernels as scan } from '../../src/ops/reduce/scan.js';
import { kernels as resize } from '../../src/ops/resize/kernel.js';
import { kernels as shape } from '../../src/ops/shape/kernel.js';
import { kernels as movement } from '../../src/ops/shape/movement.js';
import { kernels as stackFill } from '../../src/ops/shape/stack-fill.js';
import { kernels as softmax } from '../../src/ops/softmax/kernel.js';
import { kernels as addFetch } from '../../src/ops/tinyseg/add-fetch-kernel.js';
import { kernels as concatConv } from '../../src/ops/tinyseg/concat-conv-kernel.js';
import { kernels as spill } from '../../src/ops/tinyseg/spill-kernels.js';
import { kernels as tinysegTransposeConv } from '../../src/ops/tinyseg/transpose-conv-kernel.js';
import { kernels as tinysegConvInPlace } from '../../src/ops/tinyseg/conv-in-place-kernel.js';
import { kernels as tinysegResizeBand } from '../../src/ops/tinyseg/resize-band-kernel.js';
import { kernels as transposeConv } from '../../src/ops/transpose-conv/kernel.js';
import { kernels as control } from '../../src/ops/control/kernel.js';
import { kernels as lstm } from '../../src/ops/recurrent/lstm.js';
import { kernels as svdf } from '../../src/ops/recurrent/svdf.js';

/** Every kernel map of src/ops, as the kernel files export them. */
const KERNEL_MAPS: readonly Record<string, Kernel<any>>[] = [
  batchMatmul,
  conv,
  depthwiseConv,
  activations,
  arithmetic,
  math,
  nonlinear,
  binaryOps,
  compare,
  selectAddN,
  quantize,
  fullyConnected,
  pooling,
  reduce,
  scan,
  resize,
  shape,
  movement,
  stackFill,
  softmax,
  addFetch,
  concatConv,
  spill,
  tinysegTransposeConv,
  tinysegConvInPlace,
  tinysegResizeBand,
  transposeConv,
  control,
  svdf,
  lstm,
];

const KNOWN_KEYS = new Set([...Object.keys(BuiltinOperator.values).filter((k) => k !== 'CUSTOM'), ...TINYSEG_OPS.map(customKey)]);

/** What is wrong with a set of records, given the kernels that exist; empty when consistent. */
function registryProblems(records: readonly OpInfo[], kernelMaps: readonly Record<string, Kernel<any>>[]): string[] {
  const problems: string[] = [];
  const byKey = new Map<string, OpInfo>();
  for (const r of records) {
    if (byKey.has(r.key)) problems.push(`${r.key}: two records`);
    byKey.set(r.key, r);
    if (!KNOWN_KEYS.has(r.key)) problems.push(`${r.key}: not a builtin of the schema nor a TinySeg op`);
    if (r.inPlace && !r.kernel) problems.push(`${r.key}: in place without a kernel`);
    if (r.rowRule && !r.kernel) problems.push(`${r.key}: a row rule without a kernel`);
    if (r.storageExtent && !r.kernel) problems.push(`${r.key}: a spill extent without a kernel`);
    for (const set of Object.keys(r.memory)) if (!KERNEL_SETS.includes(set as never)) problems.push(`${r.key}: memory for unknown kernel set ${set}`);
    // The parser's params are part of the tail: an op with them must have its op data modelled.
    if (r.builtinParams && !Object.values(r.memory).some((m) => m?.opData)) problems.push(`${r.key}: builtin params without modelled op data`);
    if (r.key.startsWith('CUSTOM:') && r.builtinParams) problems.push(`${r.key}: a custom op has no builtin params`);
  }
  for (const map of kernelMaps) {
    for (const [key, kernel] of Object.entries(map)) {
      const r = byKey.get(key);
      if (!r) problems.push(`${key}: a kernel without a record`);
      else if (r.kernel !== kernel) problems.push(`${key}: the record holds another kernel`);
    }
  }
  for (const r of records) {
    if (r.kernel && !kernelMaps.some((m) => Object.values(m).includes(r.kernel!))) problems.push(`${r.key}: a kernel no kernel file exports`);
  }
  return problems;
}

describe('operator registry', () => {
  it('is consistent', () => {
    expect(registryProblems(OP_RECORDS, KERNEL_MAPS)).toEqual([]);
    expect(OPS.size).toBe(OP_RECORDS.length);
  });

  it('knows every TinySeg op with its kernel and its reference allocations', () => {
    for (const code of TINYSEG_OPS) {
      const r = OPS.get(customKey(code));
      expect(r?.kernel, code).toBeDefined();
      expect(r?.memory.reference?.opData, code).toBeDefined();
    }
  });

  it('marks in place and row-local only operators the interpreter can run', () => {
    const inPlace = OP_RECORDS.filter((r) => r.inPlace).map((r) => r.key);
    // The unary element-wise kernels: out[i] from in[i] alone, same type; QUANTIZE and CAST, to a type no wider;
    // RESHAPE, its input's bytes (TFLM copies nothing when the two share a buffer).
    const unary = ['ABS', 'CEIL', 'COS', 'ELU', 'EXP', 'FLOOR', 'HARD_SWISH', 'LEAKY_RELU', 'LOG', 'LOGICAL_NOT', 'LOGISTIC', 'NEG', 'RELU', 'RELU6'];
    const unary2 = ['ROUND', 'RSQRT', 'SIN', 'SQRT', 'SQUARE', 'TANH', 'ZEROS_LIKE'];
    expect(inPlace.sort()).toEqual([...unary, ...unary2, 'ADD', 'CUSTOM:TinySegAddFetch', 'MUL', 'QUANTIZE', 'CAST', 'RESHAPE'].sort());
    const rowLocal = OP_RECORDS.filter((r) => r.rowRule).map((r) => r.key);
    // Besides: windows (convs, pools), PAD, resizes, ops over the channel axis (reductions included), element-wise
    // ops of several operands (a broadcast constant or another branch), the channel concatenation, type
    // conversions, TRANSPOSE_CONV (and TinySeg's, computed pixel by pixel), DEPTH_TO_SPACE, SPACE_TO_DEPTH and a
    // row-cropping STRIDED_SLICE or SLICE; TinySegAddFetch (its slot read in rows); the row-keeping forms of
    // TRANSPOSE, GATHER, REVERSE_V2, CUMSUM, FULLY_CONNECTED, BATCH_MATMUL, RESHAPE and BROADCAST_TO.
    const windows = ['CONV_2D', 'DEPTHWISE_CONV_2D', 'MAX_POOL_2D', 'AVERAGE_POOL_2D', 'L2_POOL_2D', 'PAD', 'PADV2', 'MIRROR_PAD', 'RESIZE_BILINEAR', 'RESIZE_NEAREST_NEIGHBOR', 'TRANSPOSE_CONV', 'CUSTOM:TinySegTransposeConv', 'STRIDED_SLICE', 'SLICE', 'DEPTH_TO_SPACE', 'SPACE_TO_DEPTH'];
    const channels = ['SOFTMAX', 'LOG_SOFTMAX', 'L2_NORMALIZATION', 'ARG_MAX', 'ARG_MIN', 'CONCATENATION', 'MEAN', 'SUM', 'REDUCE_MAX', 'REDUCE_MIN', 'REDUCE_ALL'];
    const binary = ['ADD', 'MUL', 'SUB', 'DIV', 'FLOOR_DIV', 'FLOOR_MOD', 'SQUARED_DIFFERENCE', 'MAXIMUM', 'MINIMUM', 'PRELU', 'SELECT_V2', 'ADD_N'];
    const rowKeeping = ['TRANSPOSE', 'GATHER', 'REVERSE_V2', 'CUMSUM', 'FULLY_CONNECTED', 'BATCH_MATMUL', 'RESHAPE', 'BROADCAST_TO'];
    const compare = ['EQUAL', 'NOT_EQUAL', 'GREATER', 'GREATER_EQUAL', 'LESS', 'LESS_EQUAL', 'LOGICAL_AND', 'LOGICAL_OR'];
    expect(rowLocal.sort()).toEqual([...unary, ...unary2, ...windows, ...channels, ...binary, ...compare, 'QUANTIZE', 'DEQUANTIZE', 'CAST', 'CUSTOM:TinySegAddFetch', ...rowKeeping].sort());
  });

  it('finds inconsistent records', () => {
    const kernel = conv['CONV_2D']!;
    const bad: OpInfo[] = [
      { key: 'SUB', memory: {}, inPlace: true },
      { key: 'TANH', memory: {}, rowRule: () => ({ kind: 'same', halo: 0 }) },
      { key: 'NOT_AN_OP', memory: { reference: {} } },
      { key: 'L2_POOL_2D', builtinParams: [40, 4], memory: { reference: {} } },
      { key: 'MEAN', memory: { ['cmsis' as 'reference']: {} } },
      { key: 'MEAN', memory: {} },
      { key: 'CONV_2D', kernel, memory: {} },
    ];
    expect(registryProblems(bad, [{ CONV_2D: kernel, RELU: activations['RELU']! }])).toEqual([
      'SUB: in place without a kernel',
      'TANH: a row rule without a kernel',
      'NOT_AN_OP: not a builtin of the schema nor a TinySeg op',
      'L2_POOL_2D: builtin params without modelled op data',
      'MEAN: memory for unknown kernel set cmsis',
      'MEAN: two records',
      'RELU: a kernel without a record',
    ]);
  });
});
