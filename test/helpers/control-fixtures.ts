// Multi-subgraph and resource-variable models for the arena check against
// real TFLM (test/tflm/control-fixtures.test.ts holds what the Cortex-M4
// harness measured for each: saveGraph the fixture, then
// docs/firmware-measure.md "One model, by hand", with
// -DBENCH_RESOURCE_VARIABLES=<distinct variables> for those with VAR_HANDLE).

import { GraphBuilder } from '../../src/graph/builder.js';
import type { Graph } from '../../src/graph/graph.js';
import type { Quantization } from '../../src/graph/types.js';

const q = (scale: number, zeroPoint = 0): Quantization => ({ scale: [scale], zeroPoint: [zeroPoint], quantizedDimension: 0 });

/** IF(cond, a, b): then = ADD, else = MUL, float32 [rows, 8]; then adds a second ADD so the branches differ in size. */
function ifAddMul(rows: number): Graph {
  const b = new GraphBuilder();
  const f = { dtype: 'float32' as const, shape: [rows, 8] };
  const cond = b.input('cond', { dtype: 'bool', shape: [1] });
  const x = b.input('x', f);
  const y = b.input('y', f);
  const out = b.tensor('if_out', f);
  const z = b.tensor('z', f);
  const then = b.subgraph('then');
  const [t0, t1] = [then.input('a', f), then.input('b', f)];
  const [s, s2] = [then.tensor('sum', f), then.tensor('sum2', f)];
  then.op({ opcode: 'ADD', inputs: [t0, t1], outputs: [s] });
  then.op({ opcode: 'ADD', inputs: [s, t1], outputs: [s2] });
  then.output(s2);
  const els = b.subgraph('else');
  const [e0, e1] = [els.input('a', f), els.input('b', f)];
  const p = els.tensor('product', f);
  els.op({ opcode: 'MUL', inputs: [e0, e1], outputs: [p] });
  els.output(p);
  b.op({ opcode: 'IF', inputs: [cond, x, y], outputs: [out], options: { type: 'IfOptions', value: { thenSubgraphIndex: then.index, elseSubgraphIndex: els.index } } });
  b.op({ opcode: 'ADD', inputs: [out, x], outputs: [z] });
  b.output(z);
  return b.build();
}

/** while (a < b) { a = a + b; v = v * v }, a and b float32 [1], v float32 [6]. */
function whileLess(): Graph {
  const b = new GraphBuilder();
  const one = { dtype: 'float32' as const, shape: [1] };
  const six = { dtype: 'float32' as const, shape: [6] };
  const [x0, x1, x2] = [b.input('a', one), b.input('b', one), b.input('v', six)];
  const [o0, o1, o2] = [b.tensor('a_out', one), b.tensor('b_out', one), b.tensor('v_out', six)];
  const cond = b.subgraph('cond');
  const [c0, c1] = [cond.input('a', one), cond.input('b', one)];
  cond.input('v', six);
  const lt = cond.tensor('lt', { dtype: 'bool', shape: [1] });
  cond.op({ opcode: 'LESS', inputs: [c0, c1], outputs: [lt] });
  cond.output(lt);
  const body = b.subgraph('body');
  const [b0, b1, b2] = [body.input('a', one), body.input('b', one), body.input('v', six)];
  const sum = body.tensor('sum', one);
  const sq = body.tensor('square', six);
  body.op({ opcode: 'ADD', inputs: [b0, b1], outputs: [sum] });
  body.op({ opcode: 'MUL', inputs: [b2, b2], outputs: [sq] });
  body.output(sum, b1, sq);
  b.op({ opcode: 'WHILE', inputs: [x0, x1, x2], outputs: [o0, o1, o2], options: { type: 'WhileOptions', value: { condSubgraphIndex: cond.index, bodySubgraphIndex: body.index } } });
  b.output(o0, o1, o2);
  return b.build();
}

/** CALL_ONCE assigns the initial value; the main subgraph reads, adds the input, assigns back. int8 [n] or float32. */
function accumulator(dtype: 'int8' | 'float32', n: number, variables = 1): Graph {
  const b = new GraphBuilder();
  const spec = dtype === 'int8' ? { dtype, shape: [1, n], quantization: q(0.5, -3) } : { dtype, shape: [1, n] };
  const handleSpec = { dtype: 'resource' as const, shape: [] };
  const init = b.subgraph('init');
  const x = b.input('x', spec);
  b.op({ opcode: 'CALL_ONCE', inputs: [], outputs: [], options: { type: 'CallOnceOptions', value: { initSubgraphIndex: init.index } } });
  let last = x;
  for (let v = 0; v < variables; v++) {
    const handle = { type: 'VarHandleOptions', value: { container: '', sharedName: `acc${v}` } };
    const h0 = init.tensor(`handle${v}`, handleSpec);
    const c = init.constant(`init${v}`, spec, dtype === 'int8' ? Int8Array.from({ length: n }, (_, i) => i - v) : Float32Array.from({ length: n }, (_, i) => i + v));
    init.op({ opcode: 'VAR_HANDLE', inputs: [], outputs: [h0], options: handle });
    init.op({ opcode: 'ASSIGN_VARIABLE', inputs: [h0, c], outputs: [] });
    const h = b.tensor(`handle${v}`, handleSpec);
    const value = b.tensor(`value${v}`, spec);
    const sum = b.tensor(`sum${v}`, spec);
    b.op({ opcode: 'VAR_HANDLE', inputs: [], outputs: [h], options: handle });
    b.op({ opcode: 'READ_VARIABLE', inputs: [h], outputs: [value] });
    b.op({ opcode: 'ADD', inputs: [value, last], outputs: [sum] });
    b.op({ opcode: 'ASSIGN_VARIABLE', inputs: [h, sum], outputs: [] });
    last = sum;
  }
  b.output(last);
  return b.build();
}

/** IF whose then branch runs an int8 SVDF (scratch and a variable state in a subgraph), else a RESHAPE-free copy via ADD. */
function ifSvdf(): Graph {
  const b = new GraphBuilder();
  const [batch, input, filters, rank, memory] = [2, 10, 8, 2, 4];
  const units = filters / rank;
  const xs = { dtype: 'int8' as const, shape: [batch, input], quantization: q(0.05, 3) };
  const ys = { dtype: 'int8' as const, shape: [batch, units], quantization: q(0.1, -2) };
  const cond = b.input('cond', { dtype: 'bool', shape: [1] });
  const x = b.input('x', xs);
  const out = b.tensor('y', ys);
  const then = b.subgraph('svdf');
  const tx = then.input('x', xs);
  const wf = then.constant('weights_feature', { dtype: 'int8', shape: [filters, input], quantization: q(0.01) }, Int8Array.from({ length: filters * input }, (_, i) => ((i * 37) % 29) - 14));
  const wt = then.constant('weights_time', { dtype: 'int16', shape: [filters, memory], quantization: q(0.0005) }, Int16Array.from({ length: filters * memory }, (_, i) => ((i * 53) % 41) * 25 - 500));
  const bias = then.constant('bias', { dtype: 'int32', shape: [units], quantization: q(0.002 * 0.0005) }, Int32Array.from({ length: units }, (_, i) => i * 100 - 150));
  const state = then.variable('state', { dtype: 'int16', shape: [batch, memory * filters], quantization: q(0.002) });
  const ty = then.tensor('y', ys);
  then.op({ opcode: 'SVDF', inputs: [tx, wf, wt, bias, state], outputs: [ty], options: { type: 'SVDFOptions', value: { rank, fusedActivationFunction: 1 } } });
  then.output(ty);
  const els = b.subgraph('else');
  const ex = els.input('x', xs);
  const ey = els.tensor('y', ys);
  const first = els.constant('begin', { dtype: 'int32', shape: [2] }, new Int32Array([0, 0]));
  const size = els.constant('size', { dtype: 'int32', shape: [2] }, new Int32Array([batch, units]));
  const sliced = els.tensor('sliced', { ...xs, shape: [batch, units] });
  els.op({ opcode: 'SLICE', inputs: [ex, first, size], outputs: [sliced] });
  els.op({ opcode: 'QUANTIZE', inputs: [sliced], outputs: [ey] });
  els.output(ey);
  b.op({ opcode: 'IF', inputs: [cond, x], outputs: [out], options: { type: 'IfOptions', value: { thenSubgraphIndex: then.index, elseSubgraphIndex: els.index } } });
  b.output(out);
  return b.build();
}

export interface ControlFixture {
  name: string;
  graph: () => Graph;
  /** Slots of the MicroResourceVariables the harness creates (BENCH_RESOURCE_VARIABLES). */
  resourceVariables: number;
}

export const CONTROL_FIXTURES: readonly ControlFixture[] = [
  { name: 'if-add-mul', graph: () => ifAddMul(3), resourceVariables: 0 },
  { name: 'while-less', graph: whileLess, resourceVariables: 0 },
  { name: 'accumulator-f32', graph: () => accumulator('float32', 5), resourceVariables: 1 },
  { name: 'accumulator-int8x3', graph: () => accumulator('int8', 7, 3), resourceVariables: 3 },
  { name: 'if-svdf-int8', graph: ifSvdf, resourceVariables: 0 },
];
