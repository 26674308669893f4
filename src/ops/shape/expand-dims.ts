// EXPAND_DIMS's Prepare checks (expand_dims.cc): a constant int32 axis of one
// element, and an output shape that is the input's with a 1 inserted there.

import { kernelError, type KernelCall, type TensorData } from '../kernel.js';
import { isConstant, sameShape, tflmType } from '../tflm-type.js';

export function verifyExpandDims(call: KernelCall, input: TensorData, axis: TensorData, output: TensorData): void {
  if (axis.tensor.shape.length > 1) throw kernelError(call, 'Axis has only one element for Expand_Dims.');
  if (axis.tensor.dtype !== 'int32') throw kernelError(call, `Axis type ${tflmType(axis.tensor.dtype)} not supported by Expand_Dims.`);
  if (!isConstant(axis)) throw kernelError(call, 'Non-constant >axis< tensor is not supported');
  const inShape = input.tensor.shape;
  const raw = new DataView(axis.bytes.buffer, axis.bytes.byteOffset, 4).getInt32(0, true);
  const at = raw < 0 ? inShape.length + 1 + raw : raw;
  if (at > inShape.length) throw kernelError(call, `axis_value <= input_shape.DimensionsCount() was not true (axis ${raw}, rank ${inShape.length})`);
  const want = [...inShape.slice(0, at), 1, ...inShape.slice(at)];
  if (!sameShape(output.tensor.shape, want)) throw kernelError(call, `output shape [${output.tensor.shape.join(', ')}] is not the input's with a 1 at axis ${raw} ([${want.join(', ')}])`);
}
