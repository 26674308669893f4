// The proof worker (compiled only: it runs dist/interpreter/proof-worker.js)
// gives the original model's outputs that the main thread would compute, and
// answers a job it cannot do instead of leaving the main thread waiting.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/graph/builder.js';
import { loadGraph } from '../../src/graph/graph.js';
import { inferenceMacs, WORKER_MIN_MACS } from '../../src/interpreter/reference-outputs.js';
import { proofCases, runProofCases, verifyModels, type ProofRun, type SharedCases } from '../../src/interpreter/verify.js';
import { optimize } from '../../src/optimize/optimize.js';
import { ensureBuilt, exampleModel } from '../helpers/examples.js';
import { repoRoot } from '../helpers/paths.js';

type Start = (bytes: Uint8Array, opts?: { inputs?: number; seed?: number }) => (() => ProofRun | null) | null;
type StartShared = (bytes: Uint8Array, opts?: { inputs?: number; seed?: number; original?: Uint8Array }) => SharedCases | null;
let startReferenceOutputs: Start;
let startSharedCases: StartShared;

beforeAll(async () => {
  ensureBuilt();
  ({ startReferenceOutputs, startSharedCases } = (await import(pathToFileURL(join(repoRoot, 'dist', 'interpreter', 'reference-outputs.js')).href)) as {
    startReferenceOutputs: Start;
    startSharedCases: StartShared;
  });
}, 120_000);

describe('proof worker', () => {
  const bytes = new Uint8Array(readFileSync(exampleModel));
  const graph = loadGraph(bytes);

  it('computes the outputs of every proof case, byte for byte as this thread does', () => {
    const take = startReferenceOutputs(bytes, { inputs: 2, seed: 5 });
    expect(take).not.toBeNull();
    const fromWorker = take!();
    expect(fromWorker).not.toBeNull();
    const here = runProofCases(graph, proofCases(graph, { inputs: 2, seed: 5 })).outputs;
    expect(fromWorker!.outputs.length).toBe(3);
    fromWorker!.outputs.forEach((outputs, k) => outputs.forEach((o, i) => expect(Buffer.from(o).equals(Buffer.from(here[k]![i]!))).toBe(true)));
    // The worker's outputs stand in for the original's side of the proof.
    const v = verifyModels(graph, loadGraph(bytes), { inputs: 2, seed: 5, reference: () => fromWorker });
    expect(v.equal).toBe(true);
  });

  it('answers a model it cannot read with null, so the proof runs it here and reports the error', () => {
    const take = startReferenceOutputs(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), {});
    expect(take!()).toBeNull();
  });

  it('runs shared cases on the original first and answers both models\' outputs, as this thread computes them', () => {
    const optimized = optimize(bytes, { verify: false }).bytes;
    const share = startSharedCases(optimized, { inputs: 1, seed: 5, original: bytes });
    expect(share).not.toBeNull();
    // This thread claims nothing: the worker answers every case.
    const answers = share!.collect();
    const cases = proofCases(graph, { inputs: 1, seed: 5 });
    const original = runProofCases(graph, cases).outputs;
    const rewritten = runProofCases(loadGraph(optimized), cases).outputs;
    expect([...answers.keys()].sort()).toEqual([0, 1]);
    for (const [k, a] of answers) {
      a!.original!.outputs.forEach((o, i) => expect(Buffer.from(o).equals(Buffer.from(original[k]![i]!))).toBe(true));
      a!.outputs.forEach((o, i) => expect(Buffer.from(o).equals(Buffer.from(rewritten[k]![i]!))).toBe(true));
    }
  });

  it('is used for models whose inferences cost more than starting it (the Tiny U-Net is not)', () => {
    const b = new GraphBuilder();
    const x = b.input('x', { dtype: 'float32', shape: [1, 8, 8, 3] });
    const y = b.tensor('y', { dtype: 'float32', shape: [1, 8, 8, 4] });
    const w = b.constant('w', { dtype: 'float32', shape: [4, 3, 3, 3] }, new Float32Array(108));
    b.op({ opcode: 'CONV_2D', inputs: [x, w, -1], outputs: [y], options: { type: 'Conv2DOptions', value: { padding: 0, strideH: 1, strideW: 1 } } });
    b.output(y);
    expect(inferenceMacs(b.build())).toBe(8 * 8 * 4 * 27);
    // The Tiny U-Net is proved in one thread.
    expect(inferenceMacs(graph)).toBeLessThan(WORKER_MIN_MACS);
  });
});
