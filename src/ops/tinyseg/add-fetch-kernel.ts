// TinySegAddFetch (docs/custom-ops.md): ADD with one operand read from the
// spill region. It is TFLM's ADD arithmetic itself: the builtin kernel runs
// with the region bytes standing in for the spilled tensor, whose quantization
// the options carry (or with the values a quantized slot reads back as).

import { optionsWithDefaults } from '../../graph/builder.js';
import type { Tensor } from '../../graph/graph.js';
import { ADD_FETCH, decodeAddFetchOptions } from './custom-ops.js';
import { defineKernel, kernelError, requireInput, requireOutput, type Kernel, type KernelCall, type TensorData } from '../kernel.js';
import { kernels as arithmetic } from '../elementwise/arithmetic.js';
import { layout, readSlot, slotBytesOf } from './spill-kernels.js';
import { customKey } from '../../graph/op-key.js';

const ADD = arithmetic['ADD']!;

interface AddFetchState {
  add: KernelCall;
  state: unknown;
  /** A quantized operand: the buffer its values are read back into before each ADD. */
  dequantized: TensorData | null;
  offset: number;
}

function prepare(call: KernelCall): AddFetchState {
  const o = decodeAddFetchOptions(call.op.customOptions);
  const other = requireInput(call, 0);
  const y = requireOutput(call, 0);
  if (other.tensor.dtype !== y.tensor.dtype || other.tensor.shape.join() !== y.tensor.shape.join()) {
    throw kernelError(call, `operand '${other.tensor.name}' does not have the output's type and shape`);
  }
  const want = slotBytesOf(y.tensor, layout(y.tensor).channels, o.quantized);
  if (typeof want === 'string') throw kernelError(call, want);
  if (o.bytes !== want) throw kernelError(call, `options say ${o.bytes} bytes, the ${o.quantized ? 'quantized ' : ''}operand has ${want}`);
  if (o.offset + o.bytes > call.storage.length) throw kernelError(call, `spill region is ${call.storage.length} bytes, the op reaches ${o.offset + o.bytes}`);
  const quantized = y.tensor.dtype !== 'float32' && y.tensor.dtype !== 'int32';
  const spilled: Tensor = {
    ...y.tensor,
    name: `${ADD_FETCH} region operand`,
    quantization: quantized ? { scale: [o.scale], zeroPoint: [o.zeroPoint], quantizedDimension: 0 } : null,
  };
  const dequantized = o.quantized ? { tensor: spilled, bytes: new Uint8Array(y.tensor.byteSize) } : null;
  const region: TensorData = dequantized ?? { tensor: spilled, bytes: call.storage.subarray(o.offset, o.offset + o.bytes) };
  const add: KernelCall = {
    ...call,
    op: { ...call.op, opcode: 'ADD', customCode: null, options: optionsWithDefaults('AddOptions', { fusedActivationFunction: o.activation }), optionsType: 'AddOptions' },
    inputs: o.regionInput === 0 ? [region, other] : [other, region],
  };
  return { add, state: ADD.prepare(add), dequantized, offset: o.offset };
}

function invoke(call: KernelCall, s: AddFetchState): void {
  if (s.dequantized) {
    const l = layout(s.dequantized.tensor);
    readSlot(s.dequantized.bytes, call.storage, s.offset, l, 0, l.channels, true);
  }
  ADD.invoke(s.add, s.state);
}

export const kernels: Record<string, Kernel<any>> = { [customKey(ADD_FETCH)]: defineKernel<AddFetchState>({ prepare, invoke }) };
