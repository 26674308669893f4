// Worker thread of local-optimize.ts: one optimize() of one model, while the
// main thread waits for the remote cache (remote-race.ts). Started with the job
// as workerData, it answers exactly once, also when optimize() fails (a
// TinysegError crosses as its fields, so the main thread throws the same
// error), and the main thread terminates it once it has the answer or a
// remote hit made it useless.

import { parentPort, workerData } from 'node:worker_threads';
import { inFile, TinysegError, type ErrorCode } from '../../errors.js';
import type { OptimizeContext, OptimizeOptions, OptimizeReport } from '../../optimize/optimize.js';
import type { ProofRun } from '../../interpreter/verify.js';

export interface OptimizeJob {
  modelBytes: Uint8Array;
  /** optimize()'s options, `file` included: plain data (cache keys refuse anything else). */
  options: OptimizeOptions & { file: string };
  /** The original's outputs from the cache, if any (optimize()'s third argument). */
  context: OptimizeContext;
}

export type OptimizeAnswer =
  | { ok: true; bytes: Uint8Array; report: OptimizeReport; referenceRun: ProofRun | null }
  | { ok: false; tinyseg: { code: ErrorCode; message: string; file?: string; hint?: string } }
  | { ok: false; bug: { message: string; stack?: string } };

async function answer(job: OptimizeJob): Promise<OptimizeAnswer> {
  try {
    const { optimize } = await import('../../optimize/optimize.js');
    const { bytes, report, referenceRun } = inFile(job.options.file, () => optimize(job.modelBytes, job.options, job.context));
    return { ok: true, bytes, report, referenceRun };
  } catch (e) {
    if (e instanceof TinysegError) {
      const where = { ...(e.file !== undefined ? { file: e.file } : {}), ...(e.hint !== undefined ? { hint: e.hint } : {}) };
      return { ok: false, tinyseg: { code: e.code, message: e.message, ...where } };
    }
    const err = e instanceof Error ? e : new Error(String(e));
    return { ok: false, bug: { message: err.message, ...(err.stack !== undefined ? { stack: err.stack } : {}) } };
  }
}

if (parentPort) {
  const port = parentPort;
  void answer(workerData as OptimizeJob).then((a) => port.postMessage(a));
}
