// The invariants every pass must keep, checked after each one (optimize/
// pipeline.ts). The loader (graph.ts) enforces what a file must satisfy; this
// enforces what the passes' edits must, so a broken edit fails at the pass that
// made it, not as a wrong output or a TFLM crash on the device.
//
// "Dangling" follows rewrite.ts's removeUnusedTensors: a tensor no operator
// (input, output or intermediate) and no graph input or output refers to. The
// file's own tensors are written back as they came, referenced or not; a
// tensor a pass created (it has no source table) must be referenced.

import { TinysegError } from '../errors.js';
import { constantDataBytes, DTYPE_SIZE, type Graph, type Subgraph } from './graph.js';

/** Throws E_PLAN naming the pass (`after`) and the first broken invariant. */
export function checkGraph(graph: Graph, after = 'a pass'): void {
  graph.subgraphs.forEach((sg, s) => {
    const problem = subgraphProblem(sg);
    if (problem === null) return;
    const where = graph.subgraphs.length > 1 ? `subgraph ${s}: ` : '';
    throw new TinysegError('E_PLAN', `after pass ${after}: ${where}${problem}`, { hint: 'this is a TinySeg bug' });
  });
}

/** The first broken invariant of `sg`, or null. */
export function subgraphProblem(sg: Subgraph): string | null {
  const n = sg.tensors.length;
  const inRange = (t: number) => Number.isInteger(t) && t >= 0 && t < n;
  for (const [i, t] of sg.tensors.entries()) {
    if (t.index !== i) return `tensor ${i} ('${t.name}') says it is tensor ${t.index}`;
    if (t.shape.some((d) => !Number.isInteger(d) || d < 0)) return `tensor ${i} ('${t.name}') has shape [${t.shape.join(', ')}]`;
    const bytes = t.dtype === 'string' ? (t.data?.length ?? 0) : t.shape.reduce((a, d) => a * d, 1) * DTYPE_SIZE[t.dtype];
    if (t.byteSize !== bytes) return `tensor ${i} ('${t.name}') of shape [${t.shape.join(', ')}] ${t.dtype} has ${t.byteSize} bytes, not ${bytes}`;
    if ((t.kind === 'constant') !== (t.data !== null)) return `tensor ${i} ('${t.name}') is ${t.kind} but ${t.data ? 'has' : 'has no'} data`;
    const stored = t.dtype === 'string' ? 0 : constantDataBytes(t.dtype, t.shape.reduce((a, d) => a * d, 1));
    if (t.data && t.dtype !== 'string' && t.data.length !== stored) return `constant tensor ${i} ('${t.name}') needs ${stored} bytes but its buffer holds ${t.data.length}`;
  }
  const referenced = new Uint8Array(n);
  for (const [k, op] of sg.ops.entries()) {
    const what = `operator ${k} (${op.opcode})`;
    for (const t of op.inputs) if (t !== -1 && !inRange(t)) return `${what} reads tensor ${t}, but there are ${n} tensors`;
    for (const t of [...op.outputs, ...op.intermediates]) if (!inRange(t)) return `${what} refers to tensor ${t}, but there are ${n} tensors`;
    for (const t of [...op.inputs, ...op.outputs, ...op.intermediates]) if (t >= 0) referenced[t] = 1;
  }
  for (const t of [...sg.inputs, ...sg.outputs]) {
    if (!inRange(t)) return `graph input or output ${t} is out of range (${n} tensors)`;
    referenced[t] = 1;
  }
  // Values in execution order: graph inputs, constants and variables exist from the start; each op writes its outputs once.
  const written = new Int32Array(n).fill(-1);
  const available = new Uint8Array(n);
  for (const t of sg.tensors) if (t.kind !== 'activation') available[t.index] = 1;
  for (const t of sg.inputs) available[t] = 1;
  for (const [k, op] of sg.ops.entries()) {
    for (const t of op.inputs) {
      if (t >= 0 && !available[t]) return `operator ${k} (${op.opcode}) reads tensor ${t} ('${sg.tensors[t]!.name}') before anything writes it`;
    }
    for (const t of op.outputs) {
      const x = sg.tensors[t]!;
      if (x.kind === 'constant') return `operator ${k} (${op.opcode}) writes constant tensor ${t} ('${x.name}')`;
      if (x.kind === 'activation' && written[t]! >= 0) return `tensor ${t} ('${x.name}') is written by operators ${written[t]} and ${k}`;
      if (x.kind === 'activation' && sg.inputs.includes(t)) return `operator ${k} (${op.opcode}) writes graph input ${t} ('${x.name}')`;
      written[t] = k;
      available[t] = 1;
    }
  }
  for (const t of sg.outputs) if (!available[t]) return `graph output ${t} ('${sg.tensors[t]!.name}') is never written`;
  for (const t of sg.tensors) {
    if (!referenced[t.index] && t.source === null) return `tensor ${t.index} ('${t.name}') was created but nothing refers to it`;
  }
  return null;
}
