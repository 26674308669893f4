// The index-map kernel: per output element, the input element it takes (or
// a zero), built once in Prepare when every tensor it reads is a constant,
// else at each Invoke, as TFLM reads them at Eval. GATHER, SLICE, the
// space/batch/depth moves, REVERSE_V2, BROADCAST_TO and MIRROR_PAD are such
// maps (movement.ts).

import type { DType } from '../../graph/types.js';
import { defineKernel, elementCount, kernelError, requireInput, requireOutput, type KernelCall } from '../kernel.js';
import { isConstant, requireSameDtype, requireType } from '../tflm-type.js';
import { bytesPerElement } from './element-layout.js';

export interface MapSpec {
  /** The input whose elements move (default 0). */
  readonly data?: number;
  /** TFLM's types for the data, and whether its Prepare or only its Eval refuses others. */
  readonly types: readonly DType[] | 'any';
  readonly refuse: 'Prepare' | 'Invoke';
  /** Inputs whose values the map depends on. */
  readonly reads: readonly number[];
  /** Prepare's checks (shapes, index types, output shape). */
  readonly check?: (call: KernelCall) => void;
  /** Per output element: the input element it takes, or -1 for a zero element. */
  readonly map: (call: KernelCall) => Int32Array;
}

interface MapState {
  size: number;
  map: Int32Array | null;
}

function buildMap(call: KernelCall, spec: MapSpec): Int32Array {
  const map = spec.map(call);
  const n = elementCount(requireInput(call, spec.data ?? 0));
  if (map.length !== elementCount(requireOutput(call, 0))) throw kernelError(call, `the output has ${elementCount(requireOutput(call, 0))} elements, the op makes ${map.length}`);
  for (let o = 0; o < map.length; o++) {
    const at = map[o]!;
    if (at < -1 || at >= n) throw kernelError(call, `output element ${o} would read input element ${at} of ${n} (out of bounds)`);
  }
  return map;
}

export const mapKernel = (spec: MapSpec) =>
  defineKernel<MapState>({
    prepare(call) {
      const input = requireInput(call, spec.data ?? 0);
      const output = requireOutput(call, 0);
      if (spec.types !== 'any') requireType(call, input, spec.types, 'Type', spec.refuse);
      requireSameDtype(call, input, output);
      spec.check?.(call);
      const fixed = spec.reads.every((i) => isConstant(call.inputs[i]));
      return { size: bytesPerElement(call, input), map: fixed ? buildMap(call, spec) : null };
    },
    invoke(call, s) {
      const src = requireInput(call, spec.data ?? 0).bytes;
      const dst = requireOutput(call, 0).bytes;
      const map = s.map ?? buildMap(call, spec);
      const size = s.size;
      if (size === 1) {
        for (let o = 0; o < map.length; o++) {
          const at = map[o]!;
          dst[o] = at < 0 ? 0 : src[at]!;
        }
        return;
      }
      for (let o = 0; o < map.length; o++) {
        const at = map[o]!;
        if (at < 0) dst.fill(0, o * size, o * size + size);
        else for (let k = 0; k < size; k++) dst[o * size + k] = src[at * size + k]!;
      }
    },
  });
