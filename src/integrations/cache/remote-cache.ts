// The second level of the optimize cache: a Bazel HTTP cache shared by a team
// and its CI (bazel-remote, nginx with WebDAV, most CI caches). `GET/PUT
// <url>/ac/<key>` holds the action result (action-result.ts), `<url>/cas/<sha256>`
// the entry it names. A lookup is bounded by one deadline for both requests,
// and by the local computation it races (remote-race.ts): whichever ends
// first, the lookup is abandoned. What fails (unreachable, no answer in time,
// an HTTP error) is reported once and the server is not asked again by this
// process: a watch or a bundler build with many models waits once.
// Every byte is checked before use (sha256 and length, then entry-check.ts);
// an entry that fails is ignored and recomputed, and the upload of the new
// result replaces it.

import { createHash } from 'node:crypto';
import { decodeActionResult, encodeActionResult, ACTION_RESULT_MAX_BYTES } from './action-result.js';
import { checkEntry, type CheckedEntry } from './entry-check.js';
import { httpGet, httpPut } from './http-blob.js';
import { REMOTE_CACHE_READ_ONLY_ENV, type RemoteCacheConfig } from './remote-options.js';

export type RemoteLookup =
  | { kind: 'hit'; entry: Extract<CheckedEntry, { ok: true }>; data: Uint8Array; where: string }
  | { kind: 'miss' }
  /** The server answered with bytes that failed a check: a warning, then recompute (and upload over them). */
  | { kind: 'bad'; warning: string }
  /** The server did not answer usefully: one warning, then this process stops asking it. */
  | { kind: 'failed'; warning: string }
  /** An earlier failure in this process: compute without asking, and without a warning. */
  | { kind: 'off' }
  /** Given up: the local result came first after the server had answered the action result, or the local computation failed. No warning. */
  | { kind: 'abandoned' };

/** Why a lookup is abandoned (remote-race.ts), the reason its abort signal carries. */
export type AbandonReason = 'computed' | 'compute failed';

/** Uploads may take longer than a lookup: the result is ready, only the process's exit waits for them. */
const UPLOAD_TIMEOUT_FLOOR_MS = 10_000;

/** Servers (by URL) this process stopped asking, and servers it stopped uploading to. */
const failedServers = new Set<string>();
const refusedUploads = new Set<string>();

const sha256Hex = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');
const acUrl = (remote: RemoteCacheConfig, key: string): URL => new URL(`ac/${key}`, remote.base);
const casUrl = (remote: RemoteCacheConfig, sha: string): URL => new URL(`cas/${sha}`, remote.base);

/**
 * Looks `key` up. `abandon` aborts the lookup when the local computation has
 * finished first (reason 'computed'): a server that had not answered the
 * action result by then is as slow as one past the deadline (one warning, not
 * asked again); one that had is only slower than this computation, and is
 * abandoned quietly. A failed computation (reason 'compute failed') says
 * nothing about the server: its error is what the build reports.
 */
export async function lookupRemote(remote: RemoteCacheConfig, key: string, abandon?: AbortSignal): Promise<RemoteLookup> {
  if (failedServers.has(remote.shown)) return { kind: 'off' };
  const started = performance.now();
  const deadline = AbortSignal.timeout(remote.timeoutMs);
  const signal = abandon ? AbortSignal.any([deadline, abandon]) : deadline;
  const ac = acUrl(remote, key);
  const shownAc = `${remote.shown}/ac/${key}`;
  const bad = (problem: string): RemoteLookup => ({ kind: 'bad', warning: `remote cache entry ${shownAc} failed its check (${problem}); ignored and recomputed` });
  let answered = false;
  try {
    const action = await httpGet(ac, { headers: remote.headers, signal, maxBytes: ACTION_RESULT_MAX_BYTES });
    answered = true;
    if (action.status === 404) return { kind: 'miss' };
    if (action.status !== 200) return fail(remote, `answered HTTP ${action.status} to GET ${shownAc}`);
    const decoded = decodeActionResult(key, action.body);
    if (!decoded.ok) return bad(decoded.problem);
    const { sha256, bytes } = decoded.result.entry;
    const blob = await httpGet(casUrl(remote, sha256), { headers: remote.headers, signal, maxBytes: bytes });
    // The blob was evicted (bazel-remote evicts by size) or never arrived: the recomputed result is uploaded again.
    if (blob.status === 404) return { kind: 'miss' };
    if (blob.status !== 200) return fail(remote, `answered HTTP ${blob.status} to GET ${remote.shown}/cas/${sha256}`);
    if (blob.body.length !== bytes) return bad(`blob is ${blob.body.length} bytes, the action result says ${bytes}`);
    if (sha256Hex(blob.body) !== sha256) return bad('blob does not match its sha256');
    const entry = checkEntry(key, blob.body);
    if (!entry.ok) return bad(entry.problem);
    return { kind: 'hit', entry, data: blob.body, where: shownAc };
  } catch (e) {
    if (deadline.aborted) return fail(remote, `no answer within ${remote.timeoutMs} ms`);
    if (abandon?.aborted) {
      const slow = abandon.reason === ('computed' satisfies AbandonReason) && !answered;
      return slow ? fail(remote, `no answer in the ${Math.round(performance.now() - started)} ms the local computation took`) : { kind: 'abandoned' };
    }
    return fail(remote, `unreachable (${reason(e)})`);
  }
}

function fail(remote: RemoteCacheConfig, problem: string): RemoteLookup {
  failedServers.add(remote.shown);
  return { kind: 'failed', warning: `remote cache ${remote.shown}: ${problem}; computed locally, and not asked again by this process` };
}

/**
 * Stores an entry under its key: the blob first, then the action result naming
 * it, so no action result names a blob that is not there yet. Two processes
 * uploading one key write the same paths; each PUT replaces a whole object, and
 * every action result names a blob its writer stored, so either order is right.
 * Resolves to a warning, or undefined; never rejects.
 */
export async function uploadRemote(remote: RemoteCacheConfig, key: string, data: Uint8Array): Promise<string | undefined> {
  if (remote.readOnly || failedServers.has(remote.shown) || refusedUploads.has(remote.shown)) return undefined;
  const signal = AbortSignal.timeout(Math.max(UPLOAD_TIMEOUT_FLOOR_MS, 10 * remote.timeoutMs));
  const sha256 = sha256Hex(data);
  const request = { headers: remote.headers, signal };
  try {
    for (const [url, body] of [
      [casUrl(remote, sha256), data],
      [acUrl(remote, key), encodeActionResult({ key, entry: { sha256, bytes: data.length } })],
    ] as const) {
      const { status } = await httpPut(url, body, request);
      if (status < 200 || status > 299) {
        refusedUploads.add(remote.shown);
        return `remote cache ${remote.shown}: answered HTTP ${status} to PUT ${url.pathname}; not uploading again in this process (a read-only server? then set ${REMOTE_CACHE_READ_ONLY_ENV}=1)`;
      }
    }
    return undefined;
  } catch (e) {
    failedServers.add(remote.shown);
    return `remote cache ${remote.shown}: upload failed (${signal.aborted ? 'timed out' : reason(e)}); the result stays in the local cache`;
  }
}

/** A network error's code and message, e.g. `connect ECONNREFUSED 127.0.0.1:9`. */
const reason = (e: unknown): string => (e instanceof Error ? e.message : String(e));
