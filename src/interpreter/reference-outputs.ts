// The proof runs the original and the optimized model on the same inputs. On
// a machine with a second core, a worker thread takes a share of the cases of
// a large model (both models, the optimized one reusing the original's results:
// op-reuse.ts), or of the optimized model alone when the cache knows the
// original's outputs, or runs the original whole beside the optimized model
// where results cannot be reused. The proof API stays synchronous: the main
// thread waits for the worker's answers with Atomics.wait, and reads them with
// receiveMessageOnPort.

import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { Graph } from '../graph/graph.js';
import type { CaseAnswer, ProofAnswer, ProofJob, SharedCasesJob } from './proof-worker.js';
import type { CaseRun, ProofInputs, ProofRun, SharedCases } from './verify.js';
import type { CustomOps } from '../ops/custom-op-declaration.js';
import { DEFAULT_PROOF_INPUTS, DEFAULT_PROOF_SEED } from '../defaults.js';

/** Multiply-accumulates of one inference in the conv-family ops (what WORKER_MIN_MACS is compared with). */
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

/**
 * Below this, a second thread costs the proof more than it saves: starting it, and building and warming up the
 * interpreters there too. Measured on 2 cores: the Tiny U-Net (0.1 G, 7 ms per inference), mnv3-unet, mobilenet-v2
 * and unet-f32 (0.15-0.3 G) prove faster in one thread; prisma-unet (1.8 G, 125 ms) a little faster in two.
 */
export const WORKER_MIN_MACS = 1_000_000_000;

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
 * the returned SharedCases while proving. With the original's bytes, the
 * worker runs each case it claims on the original first and reuses its results
 * (verify.ts reusingCaseRunner), and answers both models' outputs. Null when no
 * worker is available.
 */
export function startSharedCases(bytes: Uint8Array, opts: ProofInputs & { customOps?: CustomOps; original?: Uint8Array } = {}): SharedCases | null {
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
    ...(opts.original ? { original: opts.original } : {}),
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
      const runs = new Map<number, (CaseRun & { original?: CaseRun }) | null>();
      // Every case is claimed by now: the worker's are those this thread did not take.
      const theirs = count - local;
      const deadline = Date.now() + ANSWER_LIMIT_MS;
      for (let n = Atomics.load(claim, 2); n < theirs && Date.now() < deadline; n = Atomics.load(claim, 2)) Atomics.wait(claim, 2, n, deadline - Date.now());
      for (let m = receiveMessageOnPort(port1); m; m = receiveMessageOnPort(port1)) {
        const a = m.message as CaseAnswer;
        runs.set(a.k, 'error' in a ? null : { outputs: a.outputs, customInputs: a.customInputs, ...(a.original ? { original: a.original } : {}) });
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
