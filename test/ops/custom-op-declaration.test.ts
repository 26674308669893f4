// Declarations of custom operators of other projects: the one parser (CLI)
// and check (plugin, optimize()), and the memory the figures take from them.

import { describe, expect, it } from 'vitest';
import { TinysegError } from '../../src/errors.js';
import { loadGraph } from '../../src/graph/graph.js';
import { checkCustomOp, customOpMap, defaultRegistration, parseCustomOp, TFLM_CUSTOM_OPS, TINYSEG_PREFIX } from '../../src/ops/custom-op-declaration.js';
import { TINYSEG_OPS } from '../../src/ops/tinyseg/custom-ops.js';
import { TFLM_CUSTOM_METHODS } from '../../src/emit/op-resolver.js';
import { REFERENCE_KERNELS, kernelsFor } from '../../src/ops/kernel-sets.js';
import { planTflmArena } from '../../src/tflm/arena.js';
import { minimalArena } from '../../src/tflm/allocate-tensors.js';
import { memoryReport } from '../../src/report/memory-report.js';
import { singleCustomOp } from '../helpers/custom-op-model.js';
import { GraphBuilder } from '../../src/graph/builder.js';

const oneLine = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(TinysegError);
    expect((e as TinysegError).code).toBe('E_USAGE');
    return (e as TinysegError).oneLine();
  }
  throw new Error('no error');
};

describe('parseCustomOp', () => {
  it('reads a name and its keys; sizes may list several buffers', () => {
    expect(parseCustomOp('Convolution2DTransposeBias:scratch=0,persistent=64')).toEqual({
      name: 'Convolution2DTransposeBias',
      scratchBytes: [0],
      persistentBytes: [64],
      register: 'Register_CONVOLUTION2DTRANSPOSEBIAS',
      rowLocal: false,
    });
    expect(parseCustomOp('MaxPoolingWithArgmax2D')).toEqual({ name: 'MaxPoolingWithArgmax2D', scratchBytes: [], persistentBytes: [], register: 'Register_MAXPOOLINGWITHARGMAX2D', rowLocal: false });
    expect(parseCustomOp('a-b:scratch=1024+512, register=MyRegister')).toEqual({ name: 'a-b', scratchBytes: [1024, 512], persistentBytes: [], register: 'MyRegister', rowLocal: false });
    expect(parseCustomOp('MyOp:row-local,scratch=16')).toEqual({ name: 'MyOp', scratchBytes: [16], persistentBytes: [], register: 'Register_MYOP', rowLocal: true });
  });

  it('names registrations as TFLM does its own: Register_ and the name upper-cased', () => {
    expect(defaultRegistration('TFLite_Detection_PostProcess')).toBe('Register_TFLITE_DETECTION_POSTPROCESS');
    expect(defaultRegistration('my.op-2')).toBe('Register_MY_OP_2');
  });

  it('refuses a malformed declaration with one line naming what is wrong', () => {
    expect(oneLine(() => parseCustomOp('MyOp:scratch=12kB'))).toMatch(/^custom operator 'MyOp': scratch must be a non-negative whole number of bytes, got "12kB" \(e\.g\./);
    expect(oneLine(() => parseCustomOp('MyOp:scratch=-1'))).toContain('scratch must be a non-negative whole number');
    expect(oneLine(() => parseCustomOp('MyOp:persistent=1.5'))).toContain('persistent must be');
    expect(oneLine(() => parseCustomOp('MyOp:scratch=1,persistent'))).toMatch(/--custom-op "MyOp:scratch=1,persistent": 'persistent' has no value \(write NAME:scratch=BYTES/);
    expect(oneLine(() => parseCustomOp('MyOp:size=1'))).toMatch(/unknown key 'size' \(.*keys: scratch, persistent, register, row-local\)/);
    expect(oneLine(() => parseCustomOp('MyOp:row-local=yes'))).toMatch(/unknown key 'row-local'/);
    expect(oneLine(() => parseCustomOp(':scratch=1'))).toContain('needs a name');
    expect(oneLine(() => parseCustomOp('MyOp:register=bad name'))).toContain('register must be a C++ function name, got "bad name"');
    expect(oneLine(() => parseCustomOp('MyOp:register=a();evil'))).toContain('register must be a C++ function name');
    expect(oneLine(() => parseCustomOp('MyOp:register=a__b'))).toContain('register must be a C++ function name');
    expect(oneLine(() => parseCustomOp('名前'))).toMatch(/no letter or digit to name a registration function after \(give one with register=/);
    expect(parseCustomOp('名前:register=Register_NAMAE').register).toBe('Register_NAMAE');
  });

  it("refuses TinySeg's operators and those TFLM ships", () => {
    for (const code of TINYSEG_OPS) {
      expect(code.startsWith(TINYSEG_PREFIX)).toBe(true);
      expect(oneLine(() => parseCustomOp(code))).toContain(`'${code}' is TinySeg's`);
    }
    expect([...TFLM_CUSTOM_METHODS.keys()].sort()).toEqual([...TFLM_CUSTOM_OPS].sort());
    for (const code of TFLM_CUSTOM_OPS) expect(oneLine(() => parseCustomOp(code))).toContain(`'${code}' ships with TFLM`);
  });
});

describe('checkCustomOp and customOpMap', () => {
  it('take the plugin form: a number or a list per size', () => {
    expect(checkCustomOp({ name: 'MyOp', scratchBytes: 100, persistentBytes: [16, 40] })).toEqual({
      name: 'MyOp',
      scratchBytes: [100],
      persistentBytes: [16, 40],
      register: 'Register_MYOP',
      rowLocal: false,
    });
    expect(checkCustomOp({ name: 'MyOp', rowLocal: true }).rowLocal).toBe(true);
    expect(oneLine(() => checkCustomOp({ name: 'MyOp', rowLocal: 'yes' } as never))).toContain("custom operator 'MyOp': rowLocal must be true or false");
    expect(oneLine(() => checkCustomOp({ name: 'MyOp', rowlocal: true } as never))).toMatch(/unknown key 'rowlocal' \(the keys are name, scratchBytes, persistentBytes, register, rowLocal\)/);
    expect(oneLine(() => checkCustomOp({ name: 'MyOp', scratchBytes: '100' as never }))).toContain('scratch must be');
  });

  it('refuse a name declared twice and two names with one registration function', () => {
    expect(oneLine(() => customOpMap([{ name: 'A' }, { name: 'A', scratchBytes: 1 }]))).toContain("'A' is declared twice");
    expect(oneLine(() => customOpMap([{ name: 'my-op' }, { name: 'my_op' }]))).toContain("'my-op' and 'my_op' would both register with Register_MY_OP()");
    expect(customOpMap([{ name: 'my-op' }, { name: 'my_op', register: 'Register_MY_OP2' }]).size).toBe(2);
  });
});

describe("a declared operator's memory", () => {
  const graph = loadGraph(singleCustomOp('MyOp'));
  const declared = { ...REFERENCE_KERNELS, customOps: customOpMap([{ name: 'MyOp', scratchBytes: [100, 20], persistentBytes: [50] }]) };

  it('is unknown without the declaration', () => {
    const arena = planTflmArena(graph);
    expect(arena.unknownScratchOps).toEqual(['CUSTOM:MyOp']);
    expect(arena.tail.unknownOps).toEqual(['CUSTOM:MyOp']);
    expect(arena.head).toBe(128);
  });

  it('is the head and tail TFLM computes from the declared requests', () => {
    const without = planTflmArena(graph);
    const arena = planTflmArena(graph, declared);
    expect(arena.unknownScratchOps).toEqual([]);
    expect(arena.tail.unknownOps).toEqual([]);
    // Tensors x, y (64 B each) and the two scratch buffers (112, 32 after 16-byte rounding) are all live during the operator.
    expect(arena.buffers.map((b) => [b.kind, b.size])).toEqual([['tensor', 64], ['tensor', 64], ['scratch', 112], ['scratch', 32]]);
    expect(arena.head).toBe(64 + 64 + 112 + 32);
    // The tail, replayed as TFLM allocates it: the allocator objects, eval tensors and node array take 188 B;
    // Init's AllocatePersistentBuffer(50) is 16-aligned, so it ends at 256 (4 B padding + 64); FinishModelAllocation's two
    // ScratchBufferHandles (4 B each) end at 264; then the interpreter's input and output TfLiteTensors, each a 4-byte
    // pointer array (16-aligned) and a 32-byte TfLiteTensor: 264 -> 272 -> 304 -> 320 -> 352.
    const part = (name: string, a = arena) => a.tail.parts.find((p) => p.name === name)?.bytes ?? 0;
    expect(part('kernel op data')).toBe(68);
    expect(part('scratch buffer handles')).toBe(8);
    expect(part('builtin op params')).toBe(0); // a custom operator's options are its raw bytes, never parsed
    expect(arena.tail.bytes).toBe(352);
    // Without them: 188 -> 192 -> 224 -> 240 -> 272.
    expect(part('kernel op data', without)).toBe(0);
    expect(without.tail.bytes).toBe(272);
    expect(arena.total).toBe(272 + 352);
  });

  it('counts its Prepare temps once per input and output, not twice as an unknown operator', () => {
    expect(minimalArena(graph, declared).unknownTempOps).toBe(0);
    expect(minimalArena(graph).unknownTempOps).toBe(1);
  });

  it('is stated in the report as the declaration', () => {
    const r = memoryReport({ file: 'm.tflite', bytes: singleCustomOp('MyOp'), graph, kernels: declared });
    expect(r.declaredOps).toEqual([{ name: 'MyOp', ops: 1, scratchBytes: [100, 20], persistentBytes: [50], rowLocal: false }]);
    expect(r.warnings).toEqual([]);
    expect(memoryReport({ file: 'm.tflite', bytes: singleCustomOp('MyOp'), graph, kernels: kernelsFor('cmsis-nn') }).declaredOps).toEqual([]);
  });
});

describe('a custom operator declared row-local', () => {
  // x -> RELU -> a -> MyOp -> b -> RELU -> y, each float32 [1,32,32,8] (32 KiB).
  const b = new GraphBuilder();
  const spec = () => ({ dtype: 'float32' as const, shape: [1, 32, 32, 8] });
  const x = b.input('x', spec());
  const [a, c, y] = ['a', 'b', 'y'].map((n) => b.tensor(n, spec())) as [number, number, number];
  b.op({ opcode: 'RELU', inputs: [x], outputs: [a] } as never);
  b.op({ opcode: 'CUSTOM', customCode: 'MyOp', inputs: [a], outputs: [c] } as never);
  b.op({ opcode: 'RELU', inputs: [c], outputs: [y] } as never);
  b.output(y);
  const graph = b.build();
  const floor = (rowLocal: boolean) => planTflmArena(graph, { ...REFERENCE_KERNELS, customOps: customOpMap([{ name: 'MyOp', rowLocal }]) }).streamingFloor;

  it('leaves its operands out of the streaming floor: only the graph input and output must be whole', () => {
    // Not row-local: a and b whole while MyOp runs (TFLM time 2).
    expect(floor(false)).toEqual({ bytes: 2 * 32768, time: 2, tensors: [a, c] });
    // Row-local: the floor is the input alone (time 1; RELU runs in place) or the output alone.
    expect(floor(true).bytes).toBe(32768);
  });
});

