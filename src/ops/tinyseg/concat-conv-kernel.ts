// TinySegConcatConv (docs/custom-ops.md): CONV_2D on a virtual concatenation.
// The interpreter assembles the concatenation outside the arena (the device
// kernel stages only the input rows one output row needs, in its scratch) and
// runs TFLM's CONV_2D arithmetic on it: the reference conv sums filter row,
// filter column, input channel in order, and the parts are laid out in channel
// order, so even float32 sums round the same way.

import { withDefaults } from '../../tflite/describe.js';
import { Conv2DOptions } from '../../tflite/schema.js';
import type { Tensor } from '../../graph/graph.js';
import { CONCAT_CONV, decodeConcatConvOptions, type ConcatConvOptions } from './custom-ops.js';
import { defineKernel, kernelError, requireOutput, type Kernel, type KernelCall, type TensorData } from '../kernel.js';
import { kernels as conv } from '../conv/kernel.js';
import { copySlice, layout, readSlot, slotBytesOf } from './spill-kernels.js';
import { customKey } from '../../graph/op-key.js';

const CONV_2D = conv['CONV_2D']!;

interface ConcatConvState {
  options: ConcatConvOptions;
  channels: number[];
  input: TensorData;
  conv: KernelCall;
  state: unknown;
}

function prepare(call: KernelCall): ConcatConvState {
  const options = decodeConcatConvOptions(call.op.customOptions);
  const filter = call.inputs[0];
  const y = requireOutput(call, 0);
  if (!filter || filter.tensor.shape.length !== 4 || y.tensor.shape.length !== 4) throw kernelError(call, 'needs a 4-D filter and output');
  const first = call.inputs[2];
  if (!first) throw kernelError(call, 'has no resident part to take the rows and type from');
  const rowsShape = first.tensor.shape.slice(0, -1);
  const dtype = first.tensor.dtype;
  const rows = rowsShape.reduce((a, b) => a * b, 1);
  const element = layout(first.tensor).element;
  const channels = options.parts.map((p, j) => {
    if ('input' in p) {
      const x = p.input >= 2 ? call.inputs[p.input] : null;
      if (!x) throw kernelError(call, `part ${j} reads input ${p.input}, which is not a resident part`);
      if (x.tensor.dtype !== dtype || x.tensor.shape.slice(0, -1).join() !== rowsShape.join()) throw kernelError(call, `part ${j} ('${x.tensor.name}') does not match the other parts' rows and type`);
      return layout(x.tensor).channels;
    }
    const bytes = slotBytesOf({ ...first.tensor, shape: [...rowsShape, p.channels] }, p.channels, p.quantized);
    if (typeof bytes === 'string') throw kernelError(call, `part ${j}: ${bytes}`);
    if (p.offset + bytes > call.storage.length) throw kernelError(call, `part ${j} reaches past the spill region`);
    return p.channels;
  });
  const inC = channels.reduce((a, b) => a + b, 0);
  if (inC !== filter.tensor.shape[3]) throw kernelError(call, `parts add up to ${inC} channels, the filter takes ${filter.tensor.shape[3]}`);
  const quantized = dtype !== 'float32';
  const virtual: Tensor = {
    ...first.tensor,
    name: `${CONCAT_CONV} input`,
    shape: [...rowsShape, inC],
    byteSize: rows * inC * element,
    quantization: quantized ? { scale: [options.inputScale], zeroPoint: [options.inputZeroPoint], quantizedDimension: 0 } : null,
  };
  const input: TensorData = { tensor: virtual, bytes: new Uint8Array(virtual.byteSize) };
  const convCall: KernelCall = {
    ...call,
    op: {
      ...call.op,
      opcode: 'CONV_2D',
      customCode: null,
      optionsType: 'Conv2DOptions',
      options: withDefaults(Conv2DOptions, {
        padding: options.padding,
        strideH: options.strideH,
        strideW: options.strideW,
        dilationHFactor: options.dilationH,
        dilationWFactor: options.dilationW,
        fusedActivationFunction: options.activation,
      }),
    },
    inputs: [input, filter, call.inputs[1] ?? null],
    scratch: [],
  };
  return { options, channels, input, conv: convCall, state: CONV_2D.prepare(convCall) };
}

function invoke(call: KernelCall, s: ConcatConvState): void {
  const l = layout(s.input.tensor);
  let begin = 0;
  s.options.parts.forEach((p, j) => {
    const c = s.channels[j]!;
    if ('input' in p) copySlice(s.input.bytes, call.inputs[p.input]!.bytes, 0, l, begin, c, false);
    else readSlot(s.input.bytes, call.storage, p.offset, l, begin, c, p.quantized);
    begin += c;
  });
  CONV_2D.invoke(s.conv, s.state);
}

export const kernels: Record<string, Kernel<any>> = { [customKey(CONCAT_CONV)]: defineKernel<ConcatConvState>({ prepare, invoke }) };
