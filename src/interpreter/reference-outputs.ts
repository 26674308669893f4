// The proof runs the original and the optimized model on the same inputs. The
// original's outputs do not depend on the optimizer, so on a machine with a
// second core a worker thread computes them while the optimizer runs and the
// optimized model is proven: the proof takes about half the time (a watch
// rebuild of the Tiny U-Net ~100 ms less). The proof API stays synchronous:
// the main thread waits for the worker's answer with Atomics.wait, and reads it
// with receiveMessageOnPort.

import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { Graph } from '../graph/graph.js';
import type { CaseAnswer, ProofAnswer, ProofJob, SharedCasesJob } from './proof-worker.js';
import type { CaseRun, ProofInputs, ProofRun, SharedCases } from './verify.js';
import type { CustomOps } from '../ops/custom-op-declaration.js';
import { DEFAULT_PROOF_INPUTS, DEFAULT_PROOF_SEED } from '../defaults.js';

/**
 * Multiply-accumulates of one inference in the conv-family ops: below about
 * ten million (a few ms per inference) starting a worker costs more than it saves.
 */
export function inferenceMacs(g: Graph): number {
  let macs = 0;
  for (const op of g.main.ops) {
    if (!['CONV_2D', 'DEPTHWISE_CONV_2D', 'TRANSPOSE_CONV', 'FULLY_CONNECTED'].includes(op.opcode)) continue;
    const filter = g.main.tensors[op.inputs[1] ?? -1];
    const out = g.main.tensors[op.outputs[0] ?? -1];
    if (!filter || !out || filter.shape.length === 0) continue;
    const filterElements = filter.shape.reduce((a, b) => a * b, 1);
    const outChannels = op.opcode === 'DEPTHWISE_CONV_2D' ? filter.shape[filter.shape.length - 1]! : filter.shape[0]!;
    const outElements = out.shape.reduce((a, b) => a * b, 1);
    macs += outChannels > 0 ? (outElements * filterElements) / outChannels : 0;
  }
  return macs;
}

export const WORKER_MIN_MACS = 10_000_000;

/** A worker that never answers is not waited for longer than this; the proof then runs the original itself. */
const ANSWER_LIMIT_MS = 600_000;

let worker: Worker | null | undefined;

/** Starts the proof worker's thread ahead of its first job, so that it has loaded the interpreter by then. */
export function startProofWorker(): void {
  proofWorker();
}

function proofWorker(): Worker | null {
  if (worker !== undefined) return worker;
  worker = null;
  const url = new URL('./proof-worker.js', import.meta.url);
  // From TypeScript sources (the unit tests) there is no compiled worker: prove in this thread.
  if (url.protocol !== 'file:' || !existsSync(fileURLToPath(url)) || availableParallelism() < 2) return null;
  try {
    const w = new Worker(url);
    w.unref();
    w.on('error', () => (worker = null));
    w.on('exit', () => (worker = null));
    worker = w;
  } catch {
    worker = null;
  }
  return worker;
}

/**
 * Starts computing the outputs of the model in `bytes` on proofCases(model,
 * opts) in the proof worker. Returns a function that waits for them (null if
 * the worker failed: the caller runs the original itself, and reports any
 * error then), or null when no worker is available.
 */
export function startReferenceOutputs(bytes: Uint8Array, opts: ProofInputs & { customOps?: CustomOps } = {}): (() => ProofRun | null) | null {
  const w = proofWorker();
  if (!w) return null;
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const job: ProofJob = {
    bytes,
    inputs: opts.inputs ?? DEFAULT_PROOF_INPUTS,
    seed: opts.seed ?? DEFAULT_PROOF_SEED,
    signal,
    port: port2,
    ...(opts.customOps ? { customOps: opts.customOps } : {}),
  };
  w.postMessage(job, [port2]);
  let answer: ProofAnswer | undefined;
  return () => {
    if (!answer) {
      Atomics.wait(signal, 0, 0, ANSWER_LIMIT_MS);
      answer = (receiveMessageOnPort(port1)?.message as ProofAnswer | undefined) ?? { error: 'no answer' };
      port1.close();
    }
    return 'run' in answer ? answer.run : null;
  };
}

/**
 * Shares the cases of the model in `bytes` (proofCases(model, opts)) with the
 * proof worker: the worker claims cases from a shared counter once it is free
 * (after the original's run, if it has one), the main thread claims through
 * the returned SharedCases while proving. Null when no worker is available.
 */
export function startSharedCases(bytes: Uint8Array, opts: ProofInputs & { customOps?: CustomOps } = {}): SharedCases | null {
  const w = proofWorker();
  if (!w) return null;
  const count = (opts.inputs ?? DEFAULT_PROOF_INPUTS) + 1;
  const claim = new Int32Array(new SharedArrayBuffer(12));
  const { port1, port2 } = new MessageChannel();
  const job: SharedCasesJob = {
    kind: 'shared',
    bytes,
    inputs: count - 1,
    seed: opts.seed ?? DEFAULT_PROOF_SEED,
    claim,
    port: port2,
    ...(opts.customOps ? { customOps: opts.customOps } : {}),
  };
  w.postMessage(job, [port2]);
  let local = 0;
  return {
    claim() {
      if (Atomics.load(claim, 1) !== 0) return -1;
      const k = Atomics.add(claim, 0, 1);
      if (k >= count) return -1;
      local++;
      return k;
    },
    collect() {
      const runs = new Map<number, CaseRun | null>();
      // Every case is claimed by now: the worker's are those this thread did not take.
      const theirs = count - local;
      const deadline = Date.now() + ANSWER_LIMIT_MS;
      for (let n = Atomics.load(claim, 2); n < theirs && Date.now() < deadline; n = Atomics.load(claim, 2)) Atomics.wait(claim, 2, n, deadline - Date.now());
      for (let m = receiveMessageOnPort(port1); m; m = receiveMessageOnPort(port1)) {
        const a = m.message as CaseAnswer;
        runs.set(a.k, 'error' in a ? null : { outputs: a.outputs, customInputs: a.customInputs });
      }
      port1.close();
      return runs;
    },
    stop() {
      Atomics.store(claim, 1, 1);
      port1.close();
    },
  };
}
