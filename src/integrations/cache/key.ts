// The optimize cache's key: sha256 over the tool version, the options in a
// canonical form and the model bytes. Canonical means defaults applied, keys
// sorted and undefined dropped, so option objects that make optimize() do the
// same thing hash the same. It is generic over the options object: an option
// added later (a target profile, say) is part of the key without changes here.
// `file` is not: it only names the model in messages and the report.

import { createHash } from 'node:crypto';
import { TinysegError } from '../../errors.js';
import { withOptimizeDefaults, type OptimizeOptions } from '../../optimize/options.js';

const KEY_DOMAIN = 'tinyseg.optimize-cache/1';

export function cacheKey(modelBytes: Uint8Array, options: OptimizeOptions, toolVersion: string): string {
  return createHash('sha256')
    .update(`${KEY_DOMAIN}\n${toolVersion}\n${canonicalOptions(options)}\n`)
    .update(modelBytes)
    .digest('hex');
}

/** The options as canonical JSON: defaults applied, `file` left out, keys sorted. */
export function canonicalOptions(options: OptimizeOptions): string {
  const { file: _file, ...rest } = options;
  return JSON.stringify(canonical(withOptimizeDefaults(rest), 'options'));
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v) && [Object.prototype, null].includes(Object.getPrototypeOf(v));

function canonical(v: unknown, path: string): unknown {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return Number.isFinite(v) ? (Object.is(v, -0) ? 0 : v) : { $number: String(v) };
    case 'bigint':
      return { $bigint: v.toString() };
    case 'undefined':
      return null;
    case 'object':
      if (v === null) return null;
      if (Array.isArray(v)) return v.map((x, i) => canonical(x, `${path}[${i}]`));
      if (ArrayBuffer.isView(v)) return { $bytes: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
      if (isPlainObject(v)) {
        const out: Record<string, unknown> = {};
        for (const k of Object.keys(v).sort()) if (v[k] !== undefined) out[k] = canonical(v[k], `${path}.${k}`);
        return out;
      }
      break;
    case 'function':
    case 'symbol':
      break;
  }
  throw new TinysegError('E_USAGE', `${path} (${describe(v)}) cannot be part of a cache key`, { hint: 'pass plain data, or bypass the cache' });
}

const describe = (v: unknown): string => (typeof v === 'object' ? `a ${(v as object).constructor?.name ?? 'object'}` : `a ${typeof v}`);
