// Proof that two models compute the same bytes: run both on the oracle input
// and on seeded random inputs and compare every output byte.

import { inFile, TinysegError } from '../errors.js';
import type { Graph } from '../graph/graph.js';
import type { GraphTensor } from '../graph/types.js';
import { Interpreter } from './interpreter.js';
import { deterministicInput, randomInput } from './oracle-input.js';

export interface VerifyOptions {
  /** Random inputs besides the oracle input (default 3). */
  inputs?: number;
  seed?: number;
  /** File names for error messages: [original, optimized]. */
  files?: [string, string];
}

export interface VerifyCase {
  input: string;
  differingBytes: number;
  /** Largest absolute difference between corresponding output elements (in their dtype). */
  maxDiff: number;
}

export interface VerifyResult {
  equal: boolean;
  cases: VerifyCase[];
  differingBytes: number;
  maxDiff: number;
  outputBytes: number;
}

function signature(g: Graph, which: 'inputs' | 'outputs'): string {
  return g.main[which].map((t) => `${g.main.tensors[t]!.dtype}[${g.main.tensors[t]!.shape.join('x')}]`).join(', ');
}

/** Element-wise comparison of two outputs of the same tensor type. */
export function compareOutputs(t: GraphTensor, a: Uint8Array, b: Uint8Array): { differingBytes: number; maxDiff: number } {
  let differingBytes = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) differingBytes++;
  if (differingBytes === 0) return { differingBytes, maxDiff: 0 };
  const read = (bytes: Uint8Array) => {
    const buf = bytes.slice().buffer;
    switch (t.dtype) {
      case 'int8':
        return new Int8Array(buf);
      case 'int16':
        return new Int16Array(buf);
      case 'int32':
        return new Int32Array(buf);
      case 'float32':
        return new Float32Array(buf);
      default:
        return new Uint8Array(buf);
    }
  };
  const x = read(a);
  const y = read(b);
  let maxDiff = 0;
  for (let i = 0; i < x.length; i++) {
    const d = Math.abs(x[i]! - y[i]!);
    if (d > maxDiff || Number.isNaN(d)) maxDiff = Number.isNaN(d) ? Infinity : d;
  }
  return { differingBytes, maxDiff };
}

export function verifyModels(original: Graph, optimized: Graph, opts: VerifyOptions = {}): VerifyResult {
  for (const which of ['inputs', 'outputs'] as const) {
    if (signature(original, which) !== signature(optimized, which)) {
      throw new TinysegError('E_USAGE', `the models' ${which} differ: ${signature(original, which)} vs ${signature(optimized, which)}`);
    }
  }
  const [fa, fb] = opts.files ?? ['original model', 'optimized model'];
  const a = inFile(fa, () => new Interpreter(original));
  const b = inFile(fb, () => new Interpreter(optimized));
  const sg = original.main;
  const inputSets: { name: string; make: (t: GraphTensor, i: number) => Uint8Array }[] = [
    { name: 'oracle', make: (t) => deterministicInput(t) },
  ];
  const seed = opts.seed ?? 1;
  for (let k = 0; k < (opts.inputs ?? 3); k++) {
    inputSets.push({ name: `random #${k + 1} of seed ${seed}`, make: (t, i) => randomInput(t, seed * 1000003 + k * 101 + i) });
  }
  const cases: VerifyCase[] = [];
  for (const set of inputSets) {
    sg.inputs.forEach((t, i) => {
      const bytes = set.make(sg.tensors[t]!, i);
      a.setInput(i, bytes);
      b.setInput(i, bytes);
    });
    a.invoke();
    b.invoke();
    let differingBytes = 0;
    let maxDiff = 0;
    sg.outputs.forEach((t, i) => {
      const c = compareOutputs(sg.tensors[t]!, a.output(i), b.output(i));
      differingBytes += c.differingBytes;
      maxDiff = Math.max(maxDiff, c.maxDiff);
    });
    cases.push({ input: set.name, differingBytes, maxDiff });
  }
  const differingBytes = cases.reduce((n, c) => n + c.differingBytes, 0);
  return {
    equal: differingBytes === 0,
    cases,
    differingBytes,
    maxDiff: Math.max(0, ...cases.map((c) => c.maxDiff)),
    outputBytes: sg.outputs.reduce((n, t) => n + sg.tensors[t]!.byteSize, 0) * cases.length,
  };
}
