// Which runs of operators row bands can run through (split-row-bands.ts):
// chains of row-local operators, each reading the previous one's output (its
// only reader) as its row input. Every other operand is read whole by every
// band: a constant, or a side input — an activation a join (ADD, MUL,
// CONCATENATION on channels, ...) reads row for row with the chain's tensor
// (a skip connection, a residual's input, a second branch), which each band
// slices to the rows it computes. A side input may come from an operator
// between the chain's first and the join: no such operator reads the chain's
// tensors (each has one reader, the next chain operator), so the split runs it
// before the chain.

import type { Op, Subgraph } from '../graph/graph.js';
import { rowInput, rowRule } from '../ops/registry.js';

export interface Chain {
  ops: number[];
  /** Per op, the operand that carries the chain's rows. */
  rows: number[];
  input: number;
  output: number;
}

/**
 * The operand of `op` through which a chain passing tensor `t` may run, or -1. Side inputs (activations besides
 * `t`) are allowed only on ops that map rows one to one, with the output's rows.
 */
function rowOperand(sg: Subgraph, op: Op, t: number, sideInputs: boolean): number {
  const rule = rowRule(sg, op);
  const at = op.inputs.indexOf(t);
  if (!rule || at < 0 || op.inputs.lastIndexOf(t) !== at) return -1;
  const rows = sg.tensors[op.outputs[0]!]!.shape[1];
  const join = rule.kind === 'same' && rule.halo === 0;
  const sideOk = (s: number) => {
    const x = sg.tensors[s]!;
    return sideInputs && join && x.kind === 'activation' && x.shape.length === 4 && x.shape[1] === rows;
  };
  if (at !== rowInput(op) && !(join && rowInput(op) === 0)) return -1;
  return op.inputs.every((s, i) => i === at || s < 0 || sg.tensors[s]!.kind === 'constant' || sideOk(s)) ? at : -1;
}

/** Maximal chains (2+ ops) of row-local ops joined by tensors with a single reader; `sideInputs`: joins may read side inputs. */
export function bandChains(sg: Subgraph, sideInputs: boolean): Chain[] {
  const out: Chain[] = [];
  const taken = new Set<number>();
  sg.ops.forEach((first, i) => {
    if (taken.has(i)) return;
    const at = rowOperand(sg, first, first.inputs[rowInput(first)] ?? -1, sideInputs);
    if (at < 0) return;
    const x = first.inputs[at]!;
    if (sg.tensors[x]!.kind !== 'activation') return;
    const ops = [i];
    const rows = [at];
    for (;;) {
      const y = sg.ops[ops[ops.length - 1]!]!.outputs[0]!;
      const readers = sg.consumersOf(y);
      if (readers.length !== 1 || sg.outputs.includes(y)) break;
      const next = readers[0]!;
      const r = rowOperand(sg, sg.ops[next]!, y, sideInputs);
      if (r < 0) break;
      ops.push(next);
      rows.push(r);
    }
    if (ops.length < 2) return;
    ops.forEach((k) => taken.add(k));
    out.push({ ops, rows, input: x, output: sg.ops[ops[ops.length - 1]!]!.outputs[0]! });
  });
  return out;
}

/** Ops from..to of a chain, as a chain of its own (its tensors between ops still have one reader each). */
export function subChain(sg: Subgraph, chain: Chain, from: number, to: number): Chain {
  const ops = chain.ops.slice(from, to + 1);
  const rows = chain.rows.slice(from, to + 1);
  return { ops, rows, input: sg.ops[ops[0]!]!.inputs[rows[0]!]!, output: sg.ops[ops[ops.length - 1]!]!.outputs[0]! };
}

/** Whether some chain runs further with side inputs than without: only then do bands through joins differ. */
export function hasSideInputChains(sg: Subgraph): boolean {
  const key = (chains: Chain[]) => chains.map((c) => c.ops.join()).join(';');
  return key(bandChains(sg, true)) !== key(bandChains(sg, false));
}
