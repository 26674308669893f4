// Worker thread of reference-outputs.ts: runs a model on the proof's inputs
// while the main thread runs the other model. Two kinds of job:
// a whole run (the original's outputs, after the passes), and shared
// cases (the optimized model's, or with the original's bytes both models',
// the optimized one reusing the original's results, while the main thread runs
// them too: each side claims the next case from a shared counter, so both
// cores stay busy to the last case). Every job is answered, also when it fails (the main thread
// may be blocked waiting), so the interpreter's import is awaited inside the
// handler rather than at load.

import { parentPort, type MessagePort } from 'node:worker_threads';
import type { CustomOps } from '../ops/custom-op-declaration.js';
import type { CaseRun, ProofRun } from './verify.js';

interface JobBase {
  bytes: Uint8Array;
  inputs: number;
  seed: number;
  port: MessagePort;
  /** Declared custom operators, run as stand-ins. */
  customOps?: CustomOps;
}

/** All cases; `signal` set to 1 (and notified) once the answer is on `port`. */
export interface ProofJob extends JobBase {
  kind?: 'run';
  signal: Int32Array;
}

/**
 * Cases claimed one at a time: claim[0] the next case index (Atomics.add),
 * claim[1] nonzero to stop claiming, claim[2] the cases answered so far
 * (notified after each answer).
 */
export interface SharedCasesJob extends JobBase {
  kind: 'shared';
  claim: Int32Array;
  /** The original's bytes: each case runs on it first, and the optimized model reuses its results (op-reuse.ts). */
  original?: Uint8Array;
}

export type ProofAnswer = { run: ProofRun } | { error: string };
export type CaseAnswer = { k: number; outputs: Uint8Array[]; customInputs: string[]; original?: CaseRun } | { k: number; error: string };

// Loading starts with the thread, before the first job has been read; a job that finds it failed answers with
// the error.
const loading = Promise.all([import('../graph/graph.js'), import('./verify.js'), import('./interpreter.js'), import('./op-reuse.js')]);
loading.catch(() => {});
const modules = () => loading;

// One job at a time, in the order they came: a shared job waits for the run before it.
let queue: Promise<void> = Promise.resolve();
parentPort?.on('message', (job: ProofJob | SharedCasesJob) => {
  queue = queue.then(() => (job.kind === 'shared' ? sharedCases(job) : wholeRun(job)));
});

async function wholeRun(job: ProofJob): Promise<void> {
  let answer: ProofAnswer;
  try {
    const [{ loadGraph }, { proofCases, runProofCases }] = await modules();
    const graph = loadGraph(job.bytes);
    answer = { run: runProofCases(graph, proofCases(graph, job), 'model', job.customOps) };
  } catch (e) {
    answer = { error: (e as Error).message ?? String(e) };
  }
  job.port.postMessage(answer);
  job.port.close();
  Atomics.store(job.signal, 0, 1);
  Atomics.notify(job.signal, 0);
}

async function sharedCases(job: SharedCasesJob): Promise<void> {
  const answer = (a: CaseAnswer) => {
    job.port.postMessage(a);
    Atomics.add(job.claim, 2, 1);
    Atomics.notify(job.claim, 2);
  };
  let setup: Awaited<ReturnType<typeof modules>> | null = null;
  try {
    setup = await modules();
  } catch {
    // Claims nothing: the main thread runs every case.
  }
  if (setup) {
    const [{ loadGraph }, { proofCases, reusingCaseRunner }, { Interpreter }, { reusableOps }] = setup;
    let run: ((k: number) => CaseAnswer) | null = null;
    for (;;) {
      if (Atomics.load(job.claim, 1) !== 0) break;
      const k = Atomics.add(job.claim, 0, 1);
      if (k >= job.inputs + 1) break;
      try {
        // Built on the first claim only: when the main thread took every case, the worker costs nothing.
        run ??= (() => {
          const graph = loadGraph(job.bytes);
          const cases = proofCases(graph, job);
          const original = job.original ? loadGraph(job.original) : null;
          const candidates = original ? reusableOps(original, graph) : null;
          if (original && candidates) {
            const pair = reusingCaseRunner(original, graph, candidates, undefined, job.customOps);
            return (i: number): CaseAnswer => {
              const { original: first, optimized } = pair(cases[i]!);
              return { k: i, ...optimized, original: first };
            };
          }
          const it = new Interpreter(graph, job.customOps ? { customOps: job.customOps } : {});
          return (i: number): CaseAnswer => {
            cases[i]!.inputs.forEach((bytes, n) => it.setInput(n, bytes));
            it.invoke();
            return { k: i, outputs: it.outputs(), customInputs: it.customInputs.splice(0).sort() };
          };
        })();
        answer(run(k));
      } catch (e) {
        answer({ k, error: (e as Error).message ?? String(e) });
        break;
      }
    }
  }
  job.port.close();
}
