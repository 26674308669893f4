// The original model's outputs on the proof's inputs, cached beside the
// optimize results: they depend on the model, the proof's inputs and seed, the
// declared custom operators (their stand-ins) and the interpreter (the tool
// version), not on the optimize options. A miss of the result with a hit here
// (another --max-overhead, target or budget for the same model) proves
// against them instead of running the original again. The entry format is the
// optimize cache's (entry.ts: key, length and sha256 checked); the outputs go
// where a result has its model, their sizes where it has its report.

import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { OptimizeOptions } from '../../optimize/optimize.js';
import type { ProofRun } from '../../interpreter/verify.js';
import { writeFileAtomic } from '../io/write-files.js';
import { decodeEntry, encodeEntry } from './entry.js';
import { canonicalOptions } from './key.js';
import { entryFile } from './store.js';

const KEY_DOMAIN = 'tinyseg.proof-reference/1';

/** The entry key: sha256 over the tool version, the proof's options (inputs, seed, custom operators) and the model. */
export function referenceKey(modelBytes: Uint8Array, options: OptimizeOptions, toolVersion: string): string {
  const proof = canonicalOptions({ verify: options.verify, customOps: options.customOps });
  return createHash('sha256').update(`${KEY_DOMAIN}\n${toolVersion}\n${proof}\n`).update(modelBytes).digest('hex');
}

interface Layout {
  schema: typeof KEY_DOMAIN;
  /** Bytes of each output, per case. */
  sizes: number[][];
  customInputs: string[][];
}

/** The cached outputs, or undefined: a missing, unreadable or altered entry is a miss (the proof runs the original). */
export function readReference(dir: string, key: string): ProofRun | undefined {
  let data: Uint8Array;
  try {
    data = readFileSync(entryFile(dir, key));
  } catch {
    return undefined;
  }
  const decoded = decodeEntry(key, data);
  if (!decoded.ok) return undefined;
  try {
    const layout = JSON.parse(decoded.content.reportJson) as Layout;
    if (layout.schema !== KEY_DOMAIN) return undefined;
    const bytes = decoded.content.model;
    let at = 0;
    const outputs = layout.sizes.map((c) => c.map((n) => bytes.slice(at, (at += n))));
    return at === bytes.length ? { outputs, customInputs: layout.customInputs } : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the entry whole; throws E_IO as writeFileAtomic does. */
export function writeReference(dir: string, key: string, run: ProofRun): string {
  const layout: Layout = { schema: KEY_DOMAIN, sizes: run.outputs.map((c) => c.map((o) => o.length)), customInputs: run.customInputs };
  const all = run.outputs.flat();
  const bytes = new Uint8Array(all.reduce((n, o) => n + o.length, 0));
  let at = 0;
  for (const o of all) bytes.set(o, (at += o.length) - o.length);
  const file = entryFile(dir, key);
  writeFileAtomic(file, encodeEntry(key, { model: bytes, reportJson: JSON.stringify(layout) }));
  return file;
}
