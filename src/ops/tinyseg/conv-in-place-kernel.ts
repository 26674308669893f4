// TinySegConvInPlace (docs/custom-ops.md): an int8 CONV_2D or
// DEPTHWISE_CONV_2D whose output may lie over its dying input. The rows are
// the builtin kernel's (its arithmetic is the reference kernels'); what this
// kernel adds is the device's order of reads and writes, kept faithfully in
// the arena: rows pass through the scratch queue and reach their place by the
// row queue of conv-in-place-rows.ts. Before a row is taken, the input rows
// its window reads are checked against the bytes the run has written so far
// (output rows placed, queue rows used), so a schedule that overwrote input
// still to be read fails the run instead of passing, whatever values it wrote.

import type { Op } from '../../graph/graph.js';
import { customKey } from '../../graph/op-key.js';
import type { GraphOp } from '../../graph/types.js';
import { requireConstantBias } from '../conv-params.js';
import { kernels as convKernels } from '../conv/kernel.js';
import { kernels as depthwiseKernels } from '../depthwise-conv/kernel.js';
import { defineKernel, dims4, kernelError, paddingFor, requireInput, requireOutput, type Kernel, type KernelCall } from '../kernel.js';
import { CONV_IN_PLACE, decodeConvInPlaceOptions, type ConvInPlaceOptions } from './custom-ops.js';
import { firstRowRead, rowWritable, type RowGeometry } from './conv-in-place-rows.js';

interface ConvInPlaceState {
  builtin: Kernel<unknown>;
  op: Op;
  inner: unknown;
  rows: RowGeometry;
  /** Rows of input a window spans. */
  span: number;
}

/** The builtin operator TinySegConvInPlace computes, with its options table. */
export function builtinOfConvInPlace<T extends GraphOp>(op: T, o: ConvInPlaceOptions = decodeConvInPlaceOptions(op.customOptions)): T {
  const window = {
    padding: o.padding,
    strideW: o.strideW,
    strideH: o.strideH,
    fusedActivationFunction: o.activation,
    dilationWFactor: o.dilationW,
    dilationHFactor: o.dilationH,
  };
  return o.depthwise
    ? { ...op, opcode: 'DEPTHWISE_CONV_2D', customCode: null, customOptions: null, optionsType: 'DepthwiseConv2DOptions', options: { ...window, depthMultiplier: o.depthMultiplier } }
    : { ...op, opcode: 'CONV_2D', customCode: null, customOptions: null, optionsType: 'Conv2DOptions', options: { ...window, quantizedBiasType: 0 } };
}

/** The row geometry of a batch-1 int8 conv from its input, filter and output shapes. */
export function convInPlaceRows(o: ConvInPlaceOptions, input: readonly number[], filter: readonly number[], output: readonly number[]): RowGeometry {
  const kH = filter[1]!;
  return {
    inH: input[1]!,
    outH: output[1]!,
    inRowBytes: input[2]! * input[3]!,
    outRowBytes: output[2]! * output[3]!,
    strideH: o.strideH,
    padH: paddingFor(o.padding, input[1]!, kH, o.strideH, o.dilationH).pad,
  };
}

function prepare(call: KernelCall): ConvInPlaceState {
  const o = decodeConvInPlaceOptions(call.op.customOptions);
  const input = requireInput(call, 0);
  const filter = requireInput(call, 1);
  const output = requireOutput(call, 0);
  if (input.tensor.dtype !== 'int8' || output.tensor.dtype !== 'int8' || filter.tensor.dtype !== 'int8') throw kernelError(call, `${CONV_IN_PLACE} is int8 only`);
  const [batches] = dims4(input, call);
  if (batches !== 1) throw kernelError(call, `${CONV_IN_PLACE} takes batch 1, got ${batches}`);
  const op = builtinOfConvInPlace(call.op, o);
  const builtin = (o.depthwise ? depthwiseKernels['DEPTHWISE_CONV_2D'] : convKernels['CONV_2D']) as Kernel<unknown>;
  // Prepared once, like the builtin it wraps: the passes make this kernel with a constant bias only.
  requireConstantBias(call, call.inputs[2] ?? null);
  const inner = builtin.prepare({ ...call, op });
  const rows = convInPlaceRows(o, input.tensor.shape, filter.tensor.shape, output.tensor.shape);
  const queue = call.scratch[0];
  if (!queue || queue.length < rows.outRowBytes) throw kernelError(call, `${CONV_IN_PLACE} needs a scratch queue of at least one output row (${rows.outRowBytes} bytes)`);
  return { builtin, op, inner, rows, span: (filter.tensor.shape[1]! - 1) * o.dilationH + 1 };
}

function invoke(call: KernelCall, s: ConvInPlaceState): void {
  const x = requireInput(call, 0).bytes;
  const y = requireOutput(call, 0);
  const g = s.rows;
  const queue = call.scratch[0]!;
  const slots = Math.floor(queue.length / g.outRowBytes);
  // The rows as the builtin computes them from the input as it is now.
  const rows = new Uint8Array(y.bytes.length);
  s.builtin.invoke({ ...call, op: s.op, outputs: [{ ...y, bytes: rows }] }, s.inner);
  // Both tensors are views of one arena: their distance is the device's.
  const delta = x.byteOffset - y.bytes.byteOffset;
  // The input's bytes written so far, in its own coordinates: the output rows placed ([-delta, -delta + done rows))
  // and the queue rows used, where they share the input's arena. A read of one of them reads what the run overwrote.
  const sameArena = (b: Uint8Array) => b.buffer === x.buffer;
  const queueAt = sameArena(queue) ? queue.byteOffset - x.byteOffset : Infinity;
  const overwritten = (from: number, to: number, oy: number, done: number): number => {
    const spans: [number, number][] = [
      [-delta, -delta + done * g.outRowBytes],
      [queueAt, queueAt + Math.min(oy, slots) * g.outRowBytes],
    ];
    if (!sameArena(y.bytes)) spans.shift();
    const hits = spans.filter(([a, b]) => a < to && from < b && a < b).map(([a]) => Math.max(a, from));
    return hits.length > 0 ? Math.min(...hits) : -1;
  };
  let done = 0;
  for (let oy = 0; oy < g.outH; oy++) {
    if (oy - done >= slots) throw kernelError(call, `row ${oy} finds all ${slots} queue rows taken: the output's place over the input is not the one the queue was sized for`);
    const from = firstRowRead(g, oy) * g.inRowBytes;
    const to = Math.min(g.inH, Math.max(0, oy * g.strideH - g.padH) + s.span) * g.inRowBytes;
    const i = overwritten(from, to, oy, done);
    if (i >= 0) throw kernelError(call, `output row ${oy} would read input byte ${i} after the queue overwrote it`);
    const slot = (oy % slots) * g.outRowBytes;
    queue.set(rows.subarray(oy * g.outRowBytes, (oy + 1) * g.outRowBytes), slot);
    while (done <= oy && rowWritable(g, done, oy + 1, delta)) {
      const at = (done % slots) * g.outRowBytes;
      y.bytes.set(queue.subarray(at, at + g.outRowBytes), done * g.outRowBytes);
      done++;
    }
  }
}

export const kernels: Record<string, Kernel<any>> = { [customKey(CONV_IN_PLACE)]: defineKernel<ConvInPlaceState>({ prepare, invoke }) };
