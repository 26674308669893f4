// The checks an entry passes before it is served, wherever its bytes came
// from: the local directory or the remote cache. Every header field, the key,
// the payload's sha256 (entry.ts), then the report: JSON, and an optimize
// report. A remote entry is written into the local cache only after passing
// exactly these, so the local cache never holds what it would refuse.

import type { OptimizeReport } from '../../optimize/optimize.js';
import { decodeEntry } from './entry.js';

export type CheckedEntry = { ok: true; bytes: Uint8Array; report: OptimizeReport } | { ok: false; problem: string };

export function checkEntry(key: string, data: Uint8Array): CheckedEntry {
  const decoded = decodeEntry(key, data);
  if (!decoded.ok) return decoded;
  let report: unknown;
  try {
    report = JSON.parse(decoded.content.reportJson);
  } catch {
    return { ok: false, problem: 'report is not JSON' };
  }
  const schema = (report as { schema?: unknown } | null)?.schema;
  if (typeof schema !== 'string' || !schema.startsWith('tinyseg.optimize/')) return { ok: false, problem: 'report is not an optimize report' };
  return { ok: true, bytes: decoded.content.model, report: report as OptimizeReport };
}
