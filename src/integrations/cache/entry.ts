// One optimize-cache entry per file: a fixed header, then the payload (the
// optimized model followed by the report as UTF-8 JSON). The header carries
// the key, so a file copied or renamed under another key is refused, and the
// payload's length and sha256, so a truncated or altered file is refused:
// an entry is served only if every byte checks out.
//
//   0  8  magic "TSEGCACH"
//   8  4  format version (u32 LE)
//  12  4  payload length in bytes (u32 LE)
//  16  4  model length in bytes (u32 LE); the report is the rest of the payload
//  20  4  zero
//  24 32  key (sha256)
//  56 32  sha256 of the payload
//  88     payload

import { createHash } from 'node:crypto';

export const ENTRY_FORMAT_VERSION = 1;
const MAGIC = 'TSEGCACH';
export const ENTRY_HEADER_BYTES = 88;

export interface EntryContent {
  model: Uint8Array;
  /** The report as JSON text. */
  reportJson: string;
}

export type DecodedEntry = { ok: true; content: EntryContent } | { ok: false; problem: string };

const sha256 = (data: Uint8Array): Buffer => createHash('sha256').update(data).digest();

export function encodeEntry(keyHex: string, content: EntryContent): Uint8Array {
  const report = Buffer.from(content.reportJson, 'utf8');
  const payloadLength = content.model.length + report.length;
  if (payloadLength > 0xffffffff) throw new RangeError(`cache entry payload of ${payloadLength} bytes exceeds 4 GiB`);
  const out = Buffer.alloc(ENTRY_HEADER_BYTES + payloadLength);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(ENTRY_FORMAT_VERSION, 8);
  out.writeUInt32LE(payloadLength, 12);
  out.writeUInt32LE(content.model.length, 16);
  Buffer.from(keyHex, 'hex').copy(out, 24);
  out.set(content.model, ENTRY_HEADER_BYTES);
  report.copy(out, ENTRY_HEADER_BYTES + content.model.length);
  sha256(out.subarray(ENTRY_HEADER_BYTES)).copy(out, 56);
  return out;
}

/** Checks every header field and the payload hash against the expected key; never throws. */
export function decodeEntry(keyHex: string, data: Uint8Array): DecodedEntry {
  const fail = (problem: string): DecodedEntry => ({ ok: false, problem });
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (b.length < ENTRY_HEADER_BYTES) return fail(`${b.length} bytes, shorter than the ${ENTRY_HEADER_BYTES}-byte header`);
  if (b.toString('latin1', 0, 8) !== MAGIC) return fail('not a TinySeg cache entry (bad magic)');
  const version = b.readUInt32LE(8);
  if (version !== ENTRY_FORMAT_VERSION) return fail(`format version ${version}, expected ${ENTRY_FORMAT_VERSION}`);
  const payloadLength = b.readUInt32LE(12);
  if (payloadLength !== b.length - ENTRY_HEADER_BYTES) return fail(`payload is ${b.length - ENTRY_HEADER_BYTES} bytes, the header says ${payloadLength} (truncated?)`);
  const modelLength = b.readUInt32LE(16);
  if (modelLength > payloadLength || b.readUInt32LE(20) !== 0) return fail('inconsistent header');
  if (b.toString('hex', 24, 56) !== keyHex) return fail('entry belongs to another key');
  const payload = b.subarray(ENTRY_HEADER_BYTES);
  if (!sha256(payload).equals(b.subarray(56, 88))) return fail('payload checksum mismatch');
  let reportJson: string;
  try {
    reportJson = new TextDecoder('utf-8', { fatal: true }).decode(payload.subarray(modelLength));
  } catch {
    return fail('report is not UTF-8');
  }
  return { ok: true, content: { model: new Uint8Array(payload.subarray(0, modelLength)), reportJson } };
}
