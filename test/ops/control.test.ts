// IF, WHILE, CALL_ONCE and the resource variables, with TFLM's own test
// vectors (if_test.cc, while_test.cc, call_once_test.cc,
// micro_resource_variable_test.cc), and the one arena plan TFLM lays over
// every subgraph of such a model (micro_allocation_info.cc).

import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/graph/builder.js';
import { loadGraph, saveGraph, type Graph } from '../../src/graph/graph.js';
import { Interpreter, runGuarded, runModel } from '../../src/interpreter/interpreter.js';
import { defineKernel, f32, requireInput } from '../../src/ops/kernel.js';
import { OPS } from '../../src/ops/registry.js';
import type { OpInfo } from '../../src/ops/op-info.js';
import { ResourceVariables } from '../../src/ops/control/resources.js';
import { tflmGraphLifetimes } from '../../src/tflm/lifetimes.js';
import { planTflmArena, tflmGraphBuffers } from '../../src/tflm/arena.js';
import { estimateTail32 } from '../../src/tflm/tail.js';

const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const floats = (b: Uint8Array) => Array.from(new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length)));
const roundTrip = (g: Graph): Graph => loadGraph(saveGraph(g));

// while_test.cc's condition is LESS; give it a float kernel here if the registry has none yet.
if (!OPS.get('LESS')?.kernel) {
  const less = defineKernel<null>({
    prepare: () => null,
    invoke(call) {
      const [a, b] = [f32(requireInput(call, 0)), f32(requireInput(call, 1))];
      const out = call.outputs[0]!.bytes;
      for (let i = 0; i < out.length; i++) out[i] = a[i]! < b[i]! ? 1 : 0;
    },
  });
  (OPS as Map<string, OpInfo>).set('LESS', { key: 'LESS', kernel: less, memory: { reference: {} } });
}

/** if_test.cc's model (test_helpers.cc BuildSimpleModelWithSubgraphsAndIf): IF(cond, a, b) with then = ADD, else = MUL. */
function ifModel(): Graph {
  const b = new GraphBuilder();
  const f = { dtype: 'float32' as const, shape: [1, 2] };
  const cond = b.input('condition tensor', { dtype: 'bool', shape: [1] });
  const x = b.input('input_tensor1', f);
  const y = b.input('input_tensor2', f);
  const out = b.tensor('output_tensor', f);
  const branches = ['ADD', 'MUL'].map((opcode) => {
    const s = b.subgraph(`${opcode.toLowerCase()}_subgraph`);
    const i1 = s.input('input_tensor1', f);
    const i2 = s.input('input_tensor2', f);
    const o = s.tensor('output_tensor', f);
    s.op({ opcode, inputs: [i1, i2], outputs: [o] });
    s.output(o);
    return s.index;
  });
  b.op({ opcode: 'IF', inputs: [cond, x, y], outputs: [out], options: { type: 'IfOptions', value: { thenSubgraphIndex: branches[0], elseSubgraphIndex: branches[1] } } });
  b.output(out);
  return roundTrip(b.build());
}

/** while_test.cc's model (BuildSimpleModelWithSubgraphsAndWhile): while (a < b) a = a + b. */
function whileModel(): Graph {
  const b = new GraphBuilder();
  const f = { dtype: 'float32' as const, shape: [1] };
  const x0 = b.input('input1', f);
  const x1 = b.input('input2', f);
  const [o0, o1] = [b.tensor('output1', f), b.tensor('output2', f)];
  const cond = b.subgraph('cond');
  const [c0, c1] = [cond.input('input1', f), cond.input('input2', f)];
  const c = cond.tensor('condition_tensor', { dtype: 'bool', shape: [1] });
  cond.op({ opcode: 'LESS', inputs: [c0, c1], outputs: [c] });
  cond.output(c);
  const body = b.subgraph('body');
  const [b0, b1] = [body.input('input1', f), body.input('input2', f)];
  const sum = body.tensor('output', f);
  body.op({ opcode: 'ADD', inputs: [b0, b1], outputs: [sum] });
  body.output(sum, b1);
  b.op({ opcode: 'WHILE', inputs: [x0, x1], outputs: [o0, o1], options: { type: 'WhileOptions', value: { condSubgraphIndex: cond.index, bodySubgraphIndex: body.index } } });
  b.output(o0, o1);
  return roundTrip(b.build());
}

describe('IF', () => {
  // IfShouldInvokeSubgraphConditionTrue / ...False: {2, 5} and {3, 7}.
  it.each([
    [true, [5, 12]],
    [false, [6, 35]],
  ])('runs the then or else subgraph (condition %s)', (cond, want) => {
    const out = runGuarded(ifModel(), [new Uint8Array([cond ? 1 : 0]), bytes(new Float32Array([2, 5])), bytes(new Float32Array([3, 7]))]);
    expect(floats(out[0]!)).toEqual(want);
  });

  it('keeps the operator inputs live over the called subgraphs, so nothing is overwritten', () => {
    const g = ifModel();
    const life = tflmGraphLifetimes(g);
    // Main: inputs at 0, IF at 1; then at scope 2 (its ADD at 3), else at 4 (MUL at 5); the IF's inputs last until 5.
    expect(Array.from(life.first[0]!)).toEqual([0, 0, 0, 1]);
    expect(Array.from(life.last[0]!)).toEqual([5, 5, 5, 5]);
    expect(Array.from(life.first[1]!)).toEqual([2, 2, 3]);
    expect(Array.from(life.last[1]!)).toEqual([3, 3, 3]);
    expect(Array.from(life.first[2]!)).toEqual([4, 4, 5]);
    // All ten tensors in one plan; the two branches share memory, the main tensors do not.
    const buffers = tflmGraphBuffers(g);
    expect(buffers.map((b) => [b.subgraph ?? 0, b.kind === 'tensor' ? b.tensor : -1])).toEqual([
      [0, 0], [0, 1], [0, 2], [0, 3], [1, 0], [1, 1], [1, 2], [2, 0], [2, 1], [2, 2],
    ]);
    expect(planTflmArena(g).head).toBe(4 * 16 + 3 * 16);
  });

  it('refuses a condition that is not bool, as TFLM does', () => {
    const b = new GraphBuilder();
    const f = { dtype: 'float32' as const, shape: [1] };
    const cond = b.input('c', f);
    const out = b.tensor('o', f);
    const s = b.subgraph('then');
    const si = s.input('i', f);
    s.output(si);
    b.op({ opcode: 'IF', inputs: [cond, cond], outputs: [out], options: { type: 'IfOptions', value: { thenSubgraphIndex: 1, elseSubgraphIndex: 1 } } });
    b.output(out);
    expect(() => new Interpreter(b.build())).toThrow(/operator 0 \(IF\): condition type float32 != bool/);
  });
});

describe('WHILE', () => {
  // WhileShouldNeverInvokeConditionFalse, WhileShouldInvokeOnce, WhileShouldInvokeMultiple.
  it.each([
    [3, 2, [3, 2]],
    [2, 3, [5, 3]],
    [-5, 3, [4, 3]],
  ])('loops while a < b: a = %d, b = %d', (a, b, want) => {
    const out = runGuarded(whileModel(), [bytes(new Float32Array([a])), bytes(new Float32Array([b]))]);
    expect(out.map((o) => floats(o)[0])).toEqual(want);
  });
});

/**
 * The usual resource-variable pattern: CALL_ONCE runs an init subgraph that
 * assigns `init` to the variable; the main subgraph reads it, adds the input,
 * assigns the sum back and returns it.
 */
function accumulatorModel(init: number[], dtype: 'float32' | 'int8' = 'float32'): Graph {
  const b = new GraphBuilder();
  const shape = [1, init.length];
  const spec = dtype === 'int8' ? { dtype, shape, quantization: { scale: [1], zeroPoint: [-3], quantizedDimension: 0 } } : { dtype, shape };
  const handleSpec = { dtype: 'resource' as const, shape: [] };
  const handle = { type: 'VarHandleOptions', value: { container: '', sharedName: 'acc' } };
  const s = b.subgraph('init');
  const h0 = s.tensor('handle', handleSpec);
  const c = s.constant('init', spec, dtype === 'int8' ? new Int8Array(init) : new Float32Array(init));
  s.op({ opcode: 'VAR_HANDLE', inputs: [], outputs: [h0], options: handle });
  s.op({ opcode: 'ASSIGN_VARIABLE', inputs: [h0, c], outputs: [] });
  const x = b.input('x', spec);
  const h = b.tensor('handle', handleSpec);
  const v = b.tensor('value', spec);
  const sum = b.tensor('sum', spec);
  b.op({ opcode: 'CALL_ONCE', inputs: [], outputs: [], options: { type: 'CallOnceOptions', value: { initSubgraphIndex: s.index } } });
  b.op({ opcode: 'VAR_HANDLE', inputs: [], outputs: [h], options: handle });
  b.op({ opcode: 'READ_VARIABLE', inputs: [h], outputs: [v] });
  b.op({ opcode: 'ADD', inputs: [v, x], outputs: [sum] });
  b.op({ opcode: 'ASSIGN_VARIABLE', inputs: [h, sum], outputs: [] });
  b.output(sum);
  return roundTrip(b.build());
}

describe('CALL_ONCE and resource variables', () => {
  it('runs the init subgraph on the first invoke only, and the variable keeps its value between invokes', () => {
    const it = new Interpreter(accumulatorModel([1, 2, 3]));
    const seen: number[][] = [];
    // call_once_test.cc: ten invokes, the init subgraph runs once.
    for (let k = 0; k < 10; k++) {
      it.setInput(0, bytes(new Float32Array([10, 20, 30])));
      it.invoke();
      seen.push(floats(it.output(0)));
    }
    expect(seen[0]).toEqual([11, 22, 33]);
    expect(seen[9]).toEqual([101, 202, 303]);
  });

  it('allocates the resource buffer in the tail at the first ASSIGN_VARIABLE that knows its handle', () => {
    const g = accumulatorModel([1, 2, 3]);
    const tail = estimateTail32(g);
    // After the allocator objects (116 bytes): the MicroResourceVariables object (12, to 128) and one
    // 20-byte slot (to 160), then in Prepare the 12-byte buffer (16-aligned).
    expect(tail.parts.find((p) => p.name === 'resource variables')?.bytes).toBe(12 + 32 + 16);
    expect(tail.unknownOps).toEqual([]);
    // The VAR_HANDLE outputs are never planned: their data is the operator's resource id.
    const planned = tflmGraphBuffers(g).map((b) => [b.subgraph ?? 0, b.kind === 'tensor' ? g.subgraphs[b.subgraph ?? 0]!.tensors[b.tensor]!.name : '']);
    expect(planned).toEqual([
      [0, 'x'],
      [0, 'value'],
      [0, 'sum'],
    ]);
  });

  it('fills a fresh int8 resource buffer with the zero point (ResetVariableTensors / MicroResourceVariables::Allocate)', () => {
    const b = new GraphBuilder();
    const spec = { dtype: 'int8' as const, shape: [4], quantization: { scale: [0.5], zeroPoint: [-3], quantizedDimension: 0 } };
    const h = b.tensor('handle', { dtype: 'resource', shape: [] });
    const x = b.input('x', spec);
    const v = b.tensor('v', spec);
    b.op({ opcode: 'VAR_HANDLE', inputs: [], outputs: [h], options: { type: 'VarHandleOptions', value: { sharedName: 'v' } } });
    b.op({ opcode: 'READ_VARIABLE', inputs: [h], outputs: [v] });
    b.op({ opcode: 'ASSIGN_VARIABLE', inputs: [h, x], outputs: [] });
    b.output(v);
    const it = new Interpreter(roundTrip(b.build()));
    it.setInput(0, bytes(new Int8Array([1, 2, 3, 4])));
    it.invoke();
    expect(Array.from(new Int8Array(it.output(0).buffer))).toEqual([-3, -3, -3, -3]);
    it.invoke();
    expect(Array.from(new Int8Array(it.output(0).buffer))).toEqual([1, 2, 3, 4]);
  });

  // micro_resource_variable_test.cc: CreateVariables, CreateVariablesNullContainer, and the slot limit.
  it('finds variables by container and shared name', () => {
    const r = new ResourceVariables(4);
    const id1 = r.idFor('', 'var1');
    const id2 = r.idFor('', 'var2');
    const id3 = r.idFor('foo', 'var1');
    const id4 = r.idFor('foo', 'var2');
    expect(new Set([id1, id2, id3, id4]).size).toBe(4);
    expect([r.idFor('', 'var2'), r.idFor('', 'var1'), r.idFor('foo', 'var2'), r.idFor('foo', 'var1')]).toEqual([id2, id1, id4, id3]);
    expect(r.idFor('', 'var5')).toBe(-1);
    const n = new ResourceVariables(4);
    const [a, c] = [n.idFor(null, 'var1'), n.idFor(null, 'var2')];
    expect(a).not.toBe(c);
    expect([n.idFor(null, 'var2'), n.idFor(null, 'var1')]).toEqual([c, a]);
  });

  it('runs the accumulator the same after a file round trip with int8 state', () => {
    const out = runModel(accumulatorModel([1, -2, 3], 'int8'), [bytes(new Int8Array([7, 7, 7]))]);
    // int8 ADD with scale 1, zero point -3: (1+3) + (7+3) - 3 = 11, (-2+3) + 10 - 3 = 8, (3+3) + 10 - 3 = 13.
    expect(Array.from(new Int8Array(out[0]!.buffer))).toEqual([11, 8, 13]);
  });
});
