// Worker thread of reference-outputs.ts: runs an original model on the proof's
// inputs while the main thread optimizes it. Every job is answered, also when
// it fails (the main thread is blocked waiting for the answer), so the
// interpreter is imported inside the handler rather than at load.

import { parentPort, type MessagePort } from 'node:worker_threads';
import type { CustomOps } from '../ops/custom-op-declaration.js';
import type { ProofRun } from './verify.js';

export interface ProofJob {
  bytes: Uint8Array;
  inputs: number;
  seed: number;
  /** Set to 1 (and notified) once the answer is on `port`. */
  signal: Int32Array;
  port: MessagePort;
  /** Declared custom operators, run as stand-ins. */
  customOps?: CustomOps;
}

export type ProofAnswer = { run: ProofRun } | { error: string };

parentPort?.on('message', async (job: ProofJob) => {
  let answer: ProofAnswer;
  try {
    const [{ loadGraph }, { proofCases, runProofCases }] = await Promise.all([import('../graph/graph.js'), import('./verify.js')]);
    const graph = loadGraph(job.bytes);
    answer = { run: runProofCases(graph, proofCases(graph, job), 'model', job.customOps) };
  } catch (e) {
    answer = { error: (e as Error).message ?? String(e) };
  }
  job.port.postMessage(answer);
  job.port.close();
  Atomics.store(job.signal, 0, 1);
  Atomics.notify(job.signal, 0);
});
