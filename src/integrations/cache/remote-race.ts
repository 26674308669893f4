// A local miss with a remote cache configured: the remote lookup races the
// local computation, and the result comes from whichever finishes first, so a
// slow or silent server never makes a build slower than computing (beyond a
// small constant: the grace below and starting a worker), while a remote hit
// still skips the optimizer. optimize() is synchronous, so it runs in a worker
// thread (local-optimize.ts) while this thread reads the answer; when the
// remote wins with an entry that passed every check, the worker is stopped;
// when the worker wins, the lookup is abandoned (its sockets destroyed).
//
// Most servers answer in a few milliseconds, a miss as fast as a hit: the
// lookup gets a short grace before any worker starts, and an answer within it
// is used as is (a hit served, a miss computed in this thread, as without a
// remote). Only a server slower than that costs a worker. The lookup's own
// deadline (remote-options.ts) still bounds how long it may run at all.

import type { OptimizeContext, OptimizeOptions } from '../../optimize/optimize.js';
import { optimizeHere, optimizeInWorker, type LocalResult } from './local-optimize.js';
import { lookupRemote, type AbandonReason, type RemoteLookup } from './remote-cache.js';
import type { RemoteCacheConfig } from './remote-options.js';

/** How long a lookup may answer before the local computation starts beside it: a LAN server's hit or miss takes a few ms. */
export const LOOKUP_GRACE_MS = 50;

export type RaceResult =
  | { winner: 'remote'; hit: Extract<RemoteLookup, { kind: 'hit' }> }
  /** `upload`: the server answered that it has no usable entry, so the result is worth storing there. */
  | { winner: 'local'; result: LocalResult; warnings: string[]; upload: boolean };

export async function lookupOrCompute(
  remote: RemoteCacheConfig,
  key: string,
  modelBytes: Uint8Array,
  options: OptimizeOptions,
  file: string,
  context: OptimizeContext = {},
): Promise<RaceResult> {
  const abandon = new AbortController();
  const lookup = lookupRemote(remote, key, abandon.signal);
  const early = await withinGrace(lookup);
  const worker = early === undefined ? optimizeInWorker(modelBytes, options, file, context) : undefined;
  if (worker === undefined) {
    // Answered within the grace, or no worker to race with (TinySeg's sources under the unit tests): the deadline bounds the wait.
    const answer = early ?? (await lookup);
    if (answer.kind === 'hit') return { winner: 'remote', hit: answer };
    return afterLookup(answer, await optimizeHere(modelBytes, options, file, context));
  }
  const abandonFor = (reason: AbandonReason): void => abandon.abort(reason);
  const first = await Promise.race([lookup.then((answer) => ({ answer })), worker.result.then((result) => ({ result }))]).catch((e: unknown) => {
    abandonFor('compute failed');
    throw e;
  });
  if ('answer' in first) {
    if (first.answer.kind === 'hit') {
      worker.stop();
      return { winner: 'remote', hit: first.answer };
    }
    return afterLookup(first.answer, await worker.result);
  }
  abandonFor('computed');
  return afterLookup(await lookup, first.result);
}

function afterLookup(answer: RemoteLookup, result: LocalResult): RaceResult {
  const warnings = answer.kind === 'bad' || answer.kind === 'failed' ? [answer.warning] : [];
  // A hit that lost the race (the abort came after its last byte) is on the server already.
  return { winner: 'local', result, warnings, upload: answer.kind === 'miss' || answer.kind === 'bad' };
}

/** The lookup's answer if it comes within the grace, else undefined (the lookup goes on). */
async function withinGrace(lookup: Promise<RemoteLookup>): Promise<RemoteLookup | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, LOOKUP_GRACE_MS, undefined)));
  try {
    return await Promise.race([lookup, grace]);
  } finally {
    clearTimeout(timer);
  }
}
