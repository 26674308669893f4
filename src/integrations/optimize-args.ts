// Command-line options shared by `tinyseg optimize` and `tinyseg watch`: the
// flags, and their conversion to optimize() and emitEmbedded() options, so both
// commands accept and check them identically. Target profiles and spill
// storages are imported only when a flag asks for them: a plain `optimize` on a
// cache hit loads neither.

import { TinysegError } from '../errors.js';
import type { EmitEmbeddedOptions } from '../emit/emit-embedded.js';
import type { SpillStorage } from '../memory/spill-storage.js';
import type { OptimizeOptions } from '../optimize/optimize.js';

export function usageError(message: string): TinysegError {
  return new TinysegError('E_USAGE', message, { hint: "see 'tinyseg --help'" });
}

/** parseArgs option specs of the flags that shape an optimize result and its emitted files. */
export const OPTIMIZE_ARGS = {
  out: { type: 'string', short: 'o' },
  'max-spill-bytes': { type: 'string' },
  'arena-budget': { type: 'string' },
  'no-spill': { type: 'boolean' },
  'no-verify': { type: 'boolean' },
  inputs: { type: 'string' },
  seed: { type: 'string' },
  'no-cache': { type: 'boolean' },
  emit: { type: 'string' },
  name: { type: 'string' },
  target: { type: 'string' },
  sections: { type: 'boolean' },
  storage: { type: 'string' },
  'inference-rate': { type: 'string' },
} as const;

export interface OptimizeArgValues {
  'max-spill-bytes'?: string;
  'arena-budget'?: string;
  'no-spill'?: boolean;
  'no-verify'?: boolean;
  inputs?: string;
  seed?: string;
  target?: string;
  storage?: string;
  'inference-rate'?: string;
}

export function byteCount(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw usageError(`${flag} must be a whole number of bytes, got '${v}'`);
  return n;
}

/** optimize() options from the flags (without `file`, which is per model). */
export async function optimizeOptionsFromArgs(values: OptimizeArgValues): Promise<Omit<OptimizeOptions, 'file'>> {
  const inputs = byteCount('--inputs', values.inputs) ?? 3;
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (!Number.isInteger(seed)) throw usageError(`--seed must be an integer, got '${values.seed}'`);
  const maxSpillBytes = byteCount('--max-spill-bytes', values['max-spill-bytes']);
  const arenaBudget = byteCount('--arena-budget', values['arena-budget']);
  const rate = values['inference-rate'] === undefined ? undefined : Number(values['inference-rate']);
  if (rate !== undefined && !(Number.isFinite(rate) && rate > 0)) throw usageError(`--inference-rate must be a positive number of inferences per second, got '${values['inference-rate']}'`);
  // The spill region's memory: its cost and, for flash, its wear go into the report.
  const placed = values.storage !== undefined || values.target !== undefined || rate !== undefined;
  return {
    spill: !values['no-spill'],
    verify: values['no-verify'] ? false : { inputs, seed },
    ...(maxSpillBytes !== undefined ? { maxSpillBytes } : {}),
    ...(arenaBudget !== undefined ? { arenaBudget } : {}),
    ...(placed ? { storage: await spillStorage(values.storage), target: await readTarget(values.target ?? DEFAULT_TARGET) } : {}),
    ...(rate !== undefined ? { inferencesPerSecond: rate } : {}),
  };
}

const DEFAULT_TARGET = 'mps2-an386';

const readTarget = async (nameOrFile: string) => (await import('./read-target.js')).readTargetProfile(nameOrFile);

async function spillStorage(v: string | undefined): Promise<SpillStorage> {
  const { SPILL_STORAGES } = await import('../memory/spill-storage.js');
  const storage = v ?? 'psram';
  if (!(SPILL_STORAGES as readonly string[]).includes(storage)) throw usageError(`--storage must be one of ${SPILL_STORAGES.join(', ')}, got '${storage}'`);
  return storage as SpillStorage;
}

export type EmitArgOptions = Omit<EmitEmbeddedOptions, 'name'> & { name?: string; outDir: string };

/** --emit and its options; --name and --sections without --emit are a usage error (--target and --storage also shape the report). */
export async function emitOptions(values: { emit?: string; name?: string; target?: string; sections?: boolean; storage?: string }): Promise<EmitArgOptions | undefined> {
  if (values.emit === undefined) {
    const stray = (['name', 'sections'] as const).find((k) => values[k] !== undefined);
    if (stray) throw usageError(`--${stray} needs --emit <dir>`);
    return undefined;
  }
  return {
    outDir: values.emit,
    profile: await readTarget(values.target ?? DEFAULT_TARGET),
    sections: values.sections === true,
    storage: await spillStorage(values.storage),
    ...(values.name !== undefined ? { name: values.name } : {}),
  };
}
