// EQUAL, NOT_EQUAL, GREATER, GREATER_EQUAL, LESS, LESS_EQUAL, LOGICAL_AND and
// LOGICAL_OR, transcribed from TFLM's reference kernels (comparisons.cc,
// logical*.cc, reference/comparisons.h). Outputs are bool, one byte 0 or 1.

import { defineKernel, kernelError, requireQuantized, scaleOf, zeroPointOf, type Kernel } from '../kernel.js';
import { multiplyByQuantizedMultiplierSmallerThanOneExp } from '../fixed-point.js';
import { tabulate8 } from './binary.js';
import { binaryOperands, broadcastPlan, quantizeSmallerThanOne, tfliteType, wideInvoke, type WideState } from './binary-ops.js';

type Cmp = (a: any, b: any) => boolean;

/**
 * A comparison kernel over `types` (the input types the op's Eval switches
 * on). int8 inputs are compared after ComparisonsPrepare's rescaling: each
 * shifted left by 8 and multiplied by its own scale, so inputs of different
 * scales and zero points compare as reals.
 */
function comparison(name: string, types: readonly string[], cmp: Cmp): Kernel<WideState> {
  return defineKernel<WideState>({
    prepare(call) {
      const [in1, in2, out] = binaryOperands(call, name, 'bool');
      const t = in1.tensor.dtype;
      const plan = broadcastPlan(call, in1, in2, out);
      if (t === 'int16' && name === 'GREATER') {
        // GreaterEval rescales int16 with the int8 parameters, which ComparisonsPrepare sets for int8 only: it reads
        // the op data as Init left it, zero in a fresh arena (TFLM on the Cortex-M4 firmware: every output false).
        // Zero multipliers scale both sides to 0, and 0 > 0 is false.
        return { plan, table: null, fn: () => 0 };
      }
      if (!types.includes(t)) throw kernelError(call, `Type ${tfliteType(t)} not supported.`);
      const b = (v: boolean) => (v ? 1 : 0);
      if (t === 'int8') {
        requireQuantized(call, in1, 'input 0');
        requireQuantized(call, in2, 'input 1');
        const m1 = quantizeSmallerThanOne(call, scaleOf(in1), `${name} input 0`);
        const m2 = quantizeSmallerThanOne(call, scaleOf(in2), `${name} input 1`);
        const o1 = -zeroPointOf(in1);
        const o2 = -zeroPointOf(in2);
        const LEFT_SHIFT = 8;
        const s1 = (x: number) => multiplyByQuantizedMultiplierSmallerThanOneExp((o1 + x) * (1 << LEFT_SHIFT), m1.multiplier, m1.shift);
        const s2 = (x: number) => multiplyByQuantizedMultiplierSmallerThanOneExp((o2 + x) * (1 << LEFT_SHIFT), m2.multiplier, m2.shift);
        return { plan, table: tabulate8((x, y) => b(cmp(s1(x), s2(y)))), fn: null };
      }
      if (t === 'int64') return { plan, table: null, fn: null, wide: (x, y) => b(cmp(x, y)) };
      if (t === 'bool') return { plan, table: null, fn: (x, y) => b(cmp(x !== 0, y !== 0)) };
      return { plan, table: null, fn: (x, y) => b(cmp(x, y)) };
    },
    invoke: wideInvoke,
  });
}

const EQ_TYPES = ['bool', 'float32', 'int32', 'int64', 'int8'];
// GREATER also takes int16 (see above).
const ORDER_TYPES = ['float32', 'int32', 'int64', 'int8'];

const EQUAL = comparison('EQUAL', EQ_TYPES, (a, b) => a === b);
const NOT_EQUAL = comparison('NOT_EQUAL', EQ_TYPES, (a, b) => a !== b);
const GREATER = comparison('GREATER', ORDER_TYPES, (a, b) => a > b);
const GREATER_EQUAL = comparison('GREATER_EQUAL', ORDER_TYPES, (a, b) => a >= b);
const LESS = comparison('LESS', ORDER_TYPES, (a, b) => a < b);
const LESS_EQUAL = comparison('LESS_EQUAL', ORDER_TYPES, (a, b) => a <= b);

/** logical_common.cc LogicalImpl: TFLM reads both inputs and the output as bool without checking; we require bool. */
function logical(name: string, op: (a: boolean, b: boolean) => boolean): Kernel<WideState> {
  return defineKernel<WideState>({
    prepare(call) {
      const [in1, in2, out] = binaryOperands(call, name, 'bool');
      if (in1.tensor.dtype !== 'bool') throw kernelError(call, `${name} reads bool tensors, got ${tfliteType(in1.tensor.dtype)}`);
      return {
        plan: broadcastPlan(call, in1, in2, out),
        table: null,
        fn: (a, b) => (op(a !== 0, b !== 0) ? 1 : 0),
      };
    },
    invoke: wideInvoke,
  });
}

const LOGICAL_AND = logical('LOGICAL_AND', (a, b) => a && b);
const LOGICAL_OR = logical('LOGICAL_OR', (a, b) => a || b);

export const kernels: Record<string, Kernel<any>> = {
  EQUAL,
  NOT_EQUAL,
  GREATER,
  GREATER_EQUAL,
  LESS,
  LESS_EQUAL,
  LOGICAL_AND,
  LOGICAL_OR,
};
