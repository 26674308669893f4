// Which subgraphs an operator invokes: TFLM's control-flow operators name them
// in their builtin options (IF: then, else; WHILE: cond, body; CALL_ONCE:
// init), in the order TFLM's AllocationInfoBuilder visits them.

import { TinysegError } from '../errors.js';
import { builtinOptions } from './op-options.js';
import type { GraphOp } from './types.js';

/** Subgraph indices `op` may invoke, in TFLM's visiting order; empty for other operators. */
export function calledSubgraphs(op: Pick<GraphOp, 'opcode' | 'options' | 'optionsType'>): number[] {
  switch (op.opcode) {
    case 'IF': {
      const o = builtinOptions(op, 'IfOptions');
      return [o.thenSubgraphIndex, o.elseSubgraphIndex];
    }
    case 'WHILE': {
      const o = builtinOptions(op, 'WhileOptions');
      return [o.condSubgraphIndex, o.bodySubgraphIndex];
    }
    case 'CALL_ONCE':
      return [builtinOptions(op, 'CallOnceOptions').initSubgraphIndex];
    default:
      return [];
  }
}

/** calledSubgraphs, each checked to exist in a model of `count` subgraphs. */
export function checkedCalls(op: Pick<GraphOp, 'opcode' | 'options' | 'optionsType'>, count: number, where: string): number[] {
  const calls = calledSubgraphs(op);
  for (const s of calls) {
    if (!Number.isInteger(s) || s < 0 || s >= count) {
      throw new TinysegError('E_MODEL', `${where} (${op.opcode}) calls subgraph ${s}, but the model has ${count}`);
    }
  }
  return calls;
}
