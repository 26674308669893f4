// Computing a cache miss: optimize() in this thread, or in a worker thread
// (optimize-worker.ts) while this one waits for the remote cache
// (remote-race.ts). optimize() is synchronous and takes seconds on a big
// model; in this thread it would stop the remote lookup from being read until
// it returned. A worker is started only for that race: it costs a thread and
// loading the optimizer in it, and its result has no graphs (they do not cross
// threads as objects), so a caller that needs them decodes the bytes, as on a
// cache hit.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { inFile, TinysegError } from '../../errors.js';
import type { OptimizeContext, OptimizeOptions, OptimizeReport, OptimizeResult } from '../../optimize/optimize.js';
import type { ProofRun } from '../../interpreter/verify.js';
import type { OptimizeAnswer, OptimizeJob } from './optimize-worker.js';

export interface LocalResult {
  bytes: Uint8Array;
  report: OptimizeReport;
  /** optimize()'s whole result when it ran in this thread. */
  computed?: OptimizeResult;
  /** The original's outputs the proof compared against (reference-cache.ts keeps them for the next miss). */
  referenceRun?: ProofRun | null;
}

/** optimize() in this thread; its errors name the file. */
export async function optimizeHere(
  modelBytes: Uint8Array,
  options: OptimizeOptions,
  file: string,
  context: OptimizeContext = {},
): Promise<Required<LocalResult>> {
  const { optimize } = await import('../../optimize/optimize.js');
  const computed = inFile(file, () => optimize(modelBytes, { ...options, file }, context));
  return { bytes: computed.bytes, report: computed.report, computed, referenceRun: computed.referenceRun };
}

export interface OptimizeInWorker {
  /** The result, or optimize()'s error as it would have been thrown here. */
  result: Promise<LocalResult>;
  /** Stops the computation (a remote hit made it useless); the result then never settles. */
  stop(): void;
}

/**
 * Starts optimize() in a worker thread, or returns undefined when there is no
 * compiled worker to start (TinySeg's TypeScript sources under the unit tests:
 * the caller computes in this thread). A worker that dies without answering
 * (it could not load, it ran out of memory) is replaced by computing here.
 */
export function optimizeInWorker(modelBytes: Uint8Array, options: OptimizeOptions, file: string, context: OptimizeContext = {}): OptimizeInWorker | undefined {
  const url = new URL('./optimize-worker.js', import.meta.url);
  if (url.protocol !== 'file:' || !existsSync(fileURLToPath(url))) return undefined;
  const job: OptimizeJob = { modelBytes, options: { ...options, file }, context };
  let worker: Worker;
  try {
    worker = new Worker(url, { workerData: job });
  } catch {
    return undefined;
  }
  let stopped = false;
  const stop = (): void => {
    stopped = true;
    // Not awaited: the thread ends on its own time, and never keeps the process alive.
    worker.unref();
    void worker.terminate();
  };
  const result = new Promise<LocalResult>((resolve, reject) => {
    let answered = false;
    worker.once('message', (answer: OptimizeAnswer) => {
      answered = true;
      stop();
      if (answer.ok) resolve({ bytes: answer.bytes, report: answer.report, referenceRun: answer.referenceRun });
      else reject(answerError(answer));
    });
    const died = (): void => {
      if (answered || stopped) return;
      answered = true;
      stop();
      optimizeHere(modelBytes, options, file, context).then(resolve, reject);
    };
    worker.once('error', died);
    worker.once('exit', died);
  });
  return { result, stop };
}

function answerError(answer: Extract<OptimizeAnswer, { ok: false }>): Error {
  if ('tinyseg' in answer) {
    const { code, message, file, hint } = answer.tinyseg;
    return new TinysegError(code, message, { ...(file !== undefined ? { file } : {}), ...(hint !== undefined ? { hint } : {}) });
  }
  const bug = new Error(answer.bug.message);
  if (answer.bug.stack !== undefined) bug.stack = answer.bug.stack;
  return bug;
}
