// The remote cache's action result: what `<url>/ac/<key>` holds for one
// optimize-cache key. A small JSON object naming the blob, by sha256 and
// length, that `<url>/cas/<sha256>` holds: the local cache's entry file, byte
// for byte (entry.ts), so a remote hit is checked exactly as a local one.
//
//   {"schema":"tinyseg.remote-cache/1","key":"<key>","entry":{"sha256":"<hex>","bytes":<n>}}
//
// The key is repeated so an action result stored under another key is refused;
// the blob is fetched only up to the length named here.

import { ENTRY_HEADER_BYTES } from './entry.js';

export const ACTION_RESULT_SCHEMA = 'tinyseg.remote-cache/1';
/** An action result is a few hundred bytes; more is not one. */
export const ACTION_RESULT_MAX_BYTES = 4096;
/** The entry format's own limit (entry.ts: 32-bit payload length) plus its header. */
export const ENTRY_MAX_BYTES = 0xffffffff + ENTRY_HEADER_BYTES;

export interface ActionResult {
  key: string;
  entry: { sha256: string; bytes: number };
}

const HEX64 = /^[0-9a-f]{64}$/;

export function encodeActionResult(result: ActionResult): Uint8Array {
  return Buffer.from(JSON.stringify({ schema: ACTION_RESULT_SCHEMA, key: result.key, entry: { sha256: result.entry.sha256, bytes: result.entry.bytes } }), 'utf8');
}

/** The action result for `key`, or what is wrong with the bytes; never throws. */
export function decodeActionResult(key: string, data: Uint8Array): { ok: true; result: ActionResult } | { ok: false; problem: string } {
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data));
  } catch {
    return { ok: false, problem: 'action result is not JSON' };
  }
  const o = v as { schema?: unknown; key?: unknown; entry?: { sha256?: unknown; bytes?: unknown } } | null;
  if (o === null || typeof o !== 'object' || o.schema !== ACTION_RESULT_SCHEMA) return { ok: false, problem: `action result is not ${ACTION_RESULT_SCHEMA}` };
  if (o.key !== key) return { ok: false, problem: 'action result belongs to another key' };
  const sha256 = o.entry?.sha256;
  const bytes = o.entry?.bytes;
  if (typeof sha256 !== 'string' || !HEX64.test(sha256)) return { ok: false, problem: 'action result names no sha256' };
  if (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < ENTRY_HEADER_BYTES || bytes > ENTRY_MAX_BYTES) return { ok: false, problem: 'action result names no valid length' };
  return { ok: true, result: { key, entry: { sha256, bytes } } };
}
