// SVDF (kernel: svdf.ts) and UNIDIRECTIONAL_SEQUENCE_LSTM (kernel: lstm.ts); TFLM's
// allocations for them (TFLM 90b983c svdf.cc / svdf_common.cc,
// unidirectional_sequence_lstm.cc / lstm_eval.cc, and their cmsis_nn versions
// over CMSIS-NN 4ab83cc, 32-bit target). Both keep their state in variable
// tensors, which the tail replay allocates (tflm/tail.ts).

import { builtinOptions } from '../../graph/op-options.js';
import { DTYPE_SIZE } from '../../graph/types.js';
import type { GraphOp, GraphTensor } from '../../graph/types.js';
import { inputOf, type OpInfo, type SizeRule } from '../op-info.js';
import { kernels as lstmKernels } from './lstm.js';
import { kernels as svdfKernels } from './svdf.js';

// ---- SVDF: inputs 0 input [B, I], 1 weights_feature [F, I], 2 weights_time [F, M], 3 bias [U], 4 state [B, M*F].

const svdfDims = (op: GraphOp, tensors: readonly GraphTensor[]): { batch: number; filters: number; units: number; int8: boolean } => {
  const input = inputOf(op, tensors, 0);
  const filters = inputOf(op, tensors, 1)?.shape[0] ?? 0;
  const rank = Math.max(1, builtinOptions(op, 'SVDFOptions').rank);
  return { batch: input?.shape[0] ?? 1, filters, units: Math.trunc(filters / rank), int8: input?.dtype === 'int8' };
};

/** Both sets: the B*F int32 (or float) feature-matmul result; int8 adds the B*U int32 per-unit sums. */
const svdfScratch: SizeRule = (op, tensors) => {
  const { batch, filters, units, int8 } = svdfDims(op, tensors);
  return int8 ? [batch * filters * 4, batch * units * 4] : [batch * filters * 4];
};

// ---- UNIDIRECTIONAL_SEQUENCE_LSTM: 24 inputs (0 input [B, T, I] or time-major [T, B, I], 18 hidden state [B, S], 19 cell state [B, S]).

interface LstmDims {
  batch: number;
  state: number;
  /** Bytes of one cell-state element. */
  cellBytes: number;
  act: string | undefined;
  cell: string | undefined;
}

const lstmDims = (op: GraphOp, tensors: readonly GraphTensor[]): LstmDims => {
  const input = inputOf(op, tensors, 0);
  const timeMajor = builtinOptions(op, 'UnidirectionalSequenceLSTMOptions').timeMajor;
  const cell = inputOf(op, tensors, 19);
  return {
    batch: input?.shape[timeMajor ? 1 : 0] ?? 1,
    state: inputOf(op, tensors, 18)?.shape[1] ?? 0,
    cellBytes: cell ? DTYPE_SIZE[cell.dtype] : 4,
    act: input?.dtype,
    cell: cell?.dtype,
  };
};

/** CMSIS-NN runs the integer LSTMs (int8 or int16 activations, int16 cell) itself; float falls back to the reference code. */
const cmsisIntegerLstm = (d: LstmDims): boolean => (d.act === 'int8' || d.act === 'int16') && d.cell === 'int16';

export const ops: readonly OpInfo[] = [
  {
    key: 'SVDF',
    kernel: svdfKernels.SVDF,
    builtinParams: [8, 4], // TfLiteSVDFParams: rank, a one-byte activation enum, a bool
    builtinParams64: [12, 4],
    memory: {
      reference: {
        scratch: svdfScratch,
        // OpDataSvdf: effective scales, scratch indices, zero points. Temps: input, weights feature and time, bias, state, output.
        prepareTemps: 'i0 i1 i2 i3 i4 o0',
        opData: { init: 36 },
      },
      'cmsis-nn': {
        scratch: svdfScratch,
        // CmsisNnOpDataSvdf (the speed build: no weight-sums scratch index) = the reference fields + a kernel-sums pointer.
        // int8 on MVE: arm_svdf_s8's F int32 weight sums, persistent in the speed build (the weights are constant).
        opData: {
          init: 40,
          prepare: (op, tensors, { isa }) => {
            const { filters, int8 } = svdfDims(op, tensors);
            return int8 && isa === 'mve' ? [4 * filters] : [];
          },
        },
      },
    },
  },
  {
    key: 'UNIDIRECTIONAL_SEQUENCE_LSTM',
    kernel: lstmKernels.UNIDIRECTIONAL_SEQUENCE_LSTM,
    builtinParams: [16, 4], // TfLiteUnidirectionalSequenceLSTMParams
    memory: {
      reference: {
        // Four gate buffers of B*S cell-state elements, for every type.
        scratch: (op, tensors) => {
          const d = lstmDims(op, tensors);
          return new Array<number>(4).fill(d.batch * d.state * d.cellBytes);
        },
        // OpDataLSTM (size info, four gates' FC and mul parameters, buffer indices). Temps: LstmTensors fetches every present input, then the output.
        prepareTemps: 'i* o0',
        opData: { init: 688 },
      },
      'cmsis-nn': {
        // The integer kernel needs three B*S int16 buffers, the float one the reference's four.
        scratch: (op, tensors) => {
          const d = lstmDims(op, tensors);
          return new Array<number>(cmsisIntegerLstm(d) ? 3 : 4).fill(d.batch * d.state * d.cellBytes);
        },
        // OpDataLSTM + cmsis_nn_lstm_params; the integer kernel precomputes eight S-long effective biases (input and
        // recurrent weight sums per gate), int32 for int8 activations, int64 for int16.
        opData: {
          init: 912,
          prepare: (op, tensors) => {
            const d = lstmDims(op, tensors);
            return cmsisIntegerLstm(d) ? new Array<number>(8).fill(d.state * (d.act === 'int8' ? 4 : 8)) : [];
          },
        },
      },
    },
  },
];
