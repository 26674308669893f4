import { describe, expect, it } from 'vitest';
import { TinysegError } from '../../src/errors.js';
import { GraphBuilder } from '../../src/graph/builder.js';
import { graphFromModel, graphToModel, loadGraph, saveGraph } from '../../src/graph/graph.js';
import { planTflmArena } from '../../src/tflm/arena.js';
import { OFFLINE_PLAN_METADATA } from '../../src/tflm/offline-plan.js';
import { withDefaults } from '../../src/tflite/describe.js';
import { readModel, writeModel } from '../../src/tflite/model-file.js';
import { Buffer as BufferTable, Metadata, type ModelT } from '../../src/tflite/schema.js';

/** input -> RELU -> RELU -> ADD(input, .) : a small graph with a skip. */
function small() {
  const b = new GraphBuilder();
  const x = b.input('x', { dtype: 'float32', shape: [1, 4, 4, 2] });
  const a = b.tensor('a', { dtype: 'float32', shape: [1, 4, 4, 2] });
  const c = b.tensor('c', { dtype: 'float32', shape: [1, 4, 4, 2] });
  const y = b.tensor('y', { dtype: 'float32', shape: [1, 4, 4, 2] });
  b.op({ opcode: 'RELU', inputs: [x], outputs: [a] });
  b.op({ opcode: 'RELU', inputs: [a], outputs: [c] });
  b.op({ opcode: 'ADD', inputs: [x, c], outputs: [y], options: { type: 'AddOptions', value: {} } });
  b.output(y);
  return saveGraph(b.build());
}

function corrupt(edit: (m: ModelT) => void): () => unknown {
  const m = readModel(small());
  edit(m);
  const bytes = writeModel(m);
  return () => loadGraph(bytes);
}

describe('graph', () => {
  it('knows producers, consumers and kinds', () => {
    const sg = loadGraph(small()).main;
    expect(sg.producerOf(0)).toBe(-1);
    expect(sg.consumersOf(0)).toEqual([0, 2]);
    expect(sg.producerOf(3)).toBe(2);
    expect(sg.tensors.map((t) => t.kind)).toEqual(['activation', 'activation', 'activation', 'activation']);
    expect(sg.tensors[0]!.byteSize).toBe(128);
  });

  it('re-derives users after edits and writes the edited graph', () => {
    const g = loadGraph(small());
    const sg = g.main;
    const t = sg.addTensor({ name: 'copy', dtype: 'float32', shape: [1, 4, 4, 2] });
    sg.insertOp(1, { opcode: 'RELU', customCode: null, version: 1, inputs: [1], outputs: [t.index], intermediates: [], options: null, optionsType: null, customOptions: null });
    sg.rewire(sg.ops[2]!, { inputs: [t.index] });
    expect(sg.consumersOf(1)).toEqual([1]);
    expect(sg.producerOf(t.index)).toBe(1);
    const back = loadGraph(saveGraph(g)).main;
    expect(back.ops.map((o) => [o.opcode, o.inputs, o.outputs])).toEqual(sg.ops.map((o) => [o.opcode, o.inputs, o.outputs]));
    expect(graphToModel(graphFromModel(readModel(saveGraph(g)))).operatorCodes!.length).toBe(2);
  });

  it.each<[string, (m: ModelT) => void, RegExp]>([
    ['an operator input out of range', (m) => (m.subgraphs![0]!.operators![0]!.inputs = [99]), /operator 0 \(RELU\) input refers to tensor 99/],
    ['an output of -1', (m) => (m.subgraphs![0]!.operators![1]!.outputs = [-1]), /output refers to tensor -1/],
    ['an opcode index out of range', (m) => (m.subgraphs![0]!.operators![0]!.opcodeIndex = 7), /opcode 7/],
    ['an unknown dtype', (m) => (m.subgraphs![0]!.tensors![1]!.type = 77), /unknown dtype 77/],
    ['a negative dimension', (m) => (m.subgraphs![0]!.tensors![1]!.shape = [1, -1, 4]), /invalid dimension -1/],
    ['a byte size over 32 bits', (m) => (m.subgraphs![0]!.tensors![1]!.shape = [65536, 65536, 2]), /overflows 32 bits/],
    ['a buffer index out of range', (m) => (m.subgraphs![0]!.tensors![1]!.buffer = 40), /buffer 40/],
    ['a graph input out of range', (m) => (m.subgraphs![0]!.inputs = [12]), /graph input refers to tensor 12/],
    ['no subgraphs', (m) => (m.subgraphs = []), /no subgraphs/],
    [
      'constant data shorter than the tensor',
      (m) => {
        m.buffers!.push(withDefaults(BufferTable, { data: new Uint8Array(8) }));
        m.subgraphs![0]!.tensors![1]!.buffer = m.buffers!.length - 1;
      },
      /needs 128 bytes but buffer \d+ holds 8/,
    ],
  ])('rejects %s with E_MODEL', (_, edit, message) => {
    const load = corrupt(edit);
    expect(load).toThrow(TinysegError);
    expect(load).toThrow(message);
  });
});

describe('offline plan metadata', () => {
  function withPlan(offsets: number[]): Uint8Array {
    const m = readModel(small());
    const words = new Int32Array([0, 1, offsets.length, ...offsets]);
    m.buffers!.push(withDefaults(BufferTable, { data: new Uint8Array(words.buffer) }));
    m.metadata = [withDefaults(Metadata, { name: OFFLINE_PLAN_METADATA, buffer: m.buffers!.length - 1 })];
    return writeModel(m);
  }

  it('places tensors where the plan says and plans -1 entries online around them', () => {
    const arena = planTflmArena(loadGraph(withPlan([0, 256, 128, -1])));
    const at = (t: number) => arena.offsets[arena.buffers.findIndex((b) => b.kind === 'tensor' && b.tensor === t)];
    expect([at(0), at(1), at(2)]).toEqual([0, 256, 128]);
    // y is live with x (0..128) and c (128..256) at the ADD, so it goes above them; a died before.
    expect(at(3)).toBe(256);
    expect(arena.head).toBe(384);
  });

  it('rejects a plan whose length differs from the tensor count, as TFLM does', () => {
    expect(() => planTflmArena(loadGraph(withPlan([0, 128])))).toThrow(/lists 2 offsets but the model has 4 tensors/);
  });
});

describe('Graph.clone', () => {
  it('writes the same bytes, and edits to the copy leave the original alone', () => {
    const g = loadGraph(small());
    const copy = g.clone();
    expect(saveGraph(copy)).toEqual(saveGraph(g));
    copy.main.removeOp(0);
    copy.main.rewire(copy.main.ops[0]!, { inputs: [copy.main.ops[0]!.inputs[0]!, 0] });
    copy.main.addTensor({ name: 'extra', dtype: 'int8', shape: [2] });
    copy.main.tensors[0]!.shape[3] = 9;
    expect(g.main.ops.map((op) => op.opcode)).toEqual(['RELU', 'RELU', 'ADD']);
    expect(g.main.ops[2]!.inputs).toEqual([0, 2]);
    expect(g.main.tensors.length).toBe(4);
    expect(g.main.tensors[0]!.shape).toEqual([1, 4, 4, 2]);
    expect(g.main.consumersOf(0)).toEqual([0, 2]);
  });
});

describe('Subgraph.mark / rollback', () => {
  it('undoes added tensors and reordered, inserted and removed operators, names and index included', () => {
    const g = loadGraph(small());
    const sg = g.main;
    const before = saveGraph(g);
    const mark = sg.mark();
    const t = sg.addTensor({ name: 'trial', dtype: 'float32', shape: [1, 4, 4, 2] });
    const relu = sg.removeOp(1);
    sg.insertOp(0, { opcode: 'RELU', customCode: null, version: 1, inputs: [0], outputs: [t.index], intermediates: [], options: null, optionsType: null, customOptions: null });
    sg.insertOp(2, relu);
    expect(sg.consumersOf(0)).toEqual([0, 1, 3]);
    sg.rollback(mark);
    expect(saveGraph(g)).toEqual(before);
    expect(sg.consumersOf(0)).toEqual([0, 2]);
    expect(sg.producerOf(3)).toBe(2);
    expect(sg.hasTensorNamed('trial')).toBe(false);
    // Its name is free again: a new tensor takes it.
    expect(sg.addTensor({ name: 'trial', dtype: 'int8', shape: [1] }).index).toBe(4);
  });

  it('refuses a mark whose tensors are gone', () => {
    const sg = loadGraph(small()).main;
    sg.addTensor({ name: 'extra', dtype: 'int8', shape: [2] });
    const mark = sg.mark();
    sg.replaceTensors(sg.tensors.slice(0, 4));
    expect(() => sg.rollback(mark)).toThrow(RangeError);
  });
});
