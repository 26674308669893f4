// The flags `tinyseg optimize` and `tinyseg watch` share (usage.ts), turned
// into optimize() and emitEmbedded() options, so both commands check them
// identically. Target profiles and spill
// storages are imported only when a flag asks for them: a plain `optimize` on a
// cache hit loads neither.

import type { EmitEmbeddedOptions } from '../../emit/emit-embedded.js';
import type { SpillStorage } from '../../memory/spill-storage.js';
import type { OptimizeOptions } from '../../optimize/optimize.js';
import { KERNEL_SETS, type KernelSet } from '../../ops/kernel-sets.js';
import { customOpMap, parseCustomOp, type CustomOpDeclaration } from '../../ops/custom-op-declaration.js';
import type { RemoteCacheOptions } from '../cache/remote-options.js';
import { integer, usageError, wholeNumber, type OptimizeFlagValues } from './usage.js';
import { DEFAULT_PROOF_INPUTS, DEFAULT_PROOF_SEED, DEFAULT_SPILL_STORAGE, DEFAULT_TARGET } from '../../defaults.js';

/** optimize() options from the flags (without `file`, which is per model). */
export async function optimizeOptionsFromArgs(values: OptimizeFlagValues): Promise<Omit<OptimizeOptions, 'file'>> {
  const inputs = wholeNumber('--inputs', values.inputs) ?? DEFAULT_PROOF_INPUTS;
  const seed = integer('--seed', values.seed) ?? DEFAULT_PROOF_SEED;
  const maxSpillBytes = wholeNumber('--max-spill-bytes', values['max-spill-bytes'], 'a whole number of bytes');
  const arenaBudget = wholeNumber('--arena-budget', values['arena-budget'], 'a whole number of bytes');
  const maxOverhead = values['max-overhead'] === undefined ? undefined : Number(values['max-overhead']);
  if (maxOverhead !== undefined && !(values['max-overhead']!.trim() !== '' && Number.isFinite(maxOverhead) && maxOverhead >= 0)) {
    throw usageError(`--max-overhead must be a non-negative percentage, got '${values['max-overhead']}'`);
  }
  const rate = values['inference-rate'] === undefined ? undefined : Number(values['inference-rate']);
  if (rate !== undefined && !(Number.isFinite(rate) && rate > 0)) throw usageError(`--inference-rate must be a positive number of inferences per second, got '${values['inference-rate']}'`);
  const lossy = values['lossy-spill'];
  if (lossy !== undefined && lossy !== 'int8') throw usageError(`--lossy-spill takes int8, got '${lossy}'`);
  // The spill region's memory: its cost and, for flash, its wear go into the report. --emit alone implies the default
  // target, the one it emits for: its kernels count, and its external RAM bounds the spill region (optimize() resolves both).
  const placed = values.storage !== undefined || values.target !== undefined || rate !== undefined || values.emit !== undefined;
  const kernels = kernelSetFlag(values.kernels);
  return {
    spill: !values['no-spill'],
    verify: values['no-verify'] ? false : { inputs, seed },
    ...(values['builtins-only'] ? { builtinsOnly: true } : {}),
    ...(values['allow-refused'] ? { allowRefused: true } : {}),
    ...(maxSpillBytes !== undefined ? { maxSpillBytes } : {}),
    ...(arenaBudget !== undefined ? { arenaBudget } : {}),
    ...(maxOverhead !== undefined ? { maxOverhead } : {}),
    ...(placed ? { storage: await spillStorage(values.storage), target: await readTarget(values.target ?? DEFAULT_TARGET) } : {}),
    ...(rate !== undefined ? { inferencesPerSecond: rate } : {}),
    ...(lossy !== undefined ? { lossySpill: lossy } : {}),
    ...(kernels !== undefined ? { kernels } : {}),
    ...customOpsFlag(values['custom-op']),
    ...(values['allow-unproved'] ? { allowUnproved: true } : {}),
    ...(values['no-stream-layers'] ? { streamLayers: false } : {}),
  };
}

/** --remote-cache and --remote-cache-read-only over the environment's TINYSEG_REMOTE_CACHE* (cache/remote-options.ts checks them). */
export function remoteCacheFromArgs(values: OptimizeFlagValues): RemoteCacheOptions {
  return {
    ...(values['remote-cache'] !== undefined ? { url: values['remote-cache'] } : {}),
    ...(values['remote-cache-read-only'] ? { readOnly: true } : {}),
  };
}

/** --custom-op, repeated: the declarations checked (a malformed one is a usage error), or nothing. */
export function customOpsFlag(v: string[] | undefined): { customOps?: CustomOpDeclaration[] } {
  if (v === undefined || v.length === 0) return {};
  const list = v.map(parseCustomOp);
  customOpMap(list);
  return { customOps: list.map((d) => ({ ...d, scratchBytes: [...d.scratchBytes], persistentBytes: [...d.persistentBytes] })) };
}

/** --kernels: one of KERNEL_SETS, or undefined when not given. */
export function kernelSetFlag(v: string | undefined): KernelSet | undefined {
  if (v === undefined) return undefined;
  if (!(KERNEL_SETS as readonly string[]).includes(v)) throw usageError(`--kernels must be one of ${KERNEL_SETS.join(', ')}, got '${v}'`);
  return v as KernelSet;
}

const readTarget = async (nameOrFile: string) => (await import('../io/read-target.js')).readTargetProfile(nameOrFile);

async function spillStorage(v: string | undefined): Promise<SpillStorage> {
  const { SPILL_STORAGES } = await import('../../memory/spill-storage.js');
  const storage = v ?? DEFAULT_SPILL_STORAGE;
  if (!(SPILL_STORAGES as readonly string[]).includes(storage)) throw usageError(`--storage must be one of ${SPILL_STORAGES.join(', ')}, got '${storage}'`);
  return storage as SpillStorage;
}

async function spillRegion(v: string): Promise<string> {
  const { isLinkerRegionName } = await import('../../memory/target-profile.js');
  if (!isLinkerRegionName(v)) throw usageError(`--spill-region must be a linker MEMORY region name ([A-Za-z_][A-Za-z0-9_]*, not an ld keyword), got '${v}'`);
  return v;
}

export type EmitArgOptions = Omit<EmitEmbeddedOptions, 'name'> & { name?: string; outDir: string };

/** --emit and its options; --name and --sections without --emit are a usage error (--target and --storage also shape the report). */
export async function emitOptions(values: OptimizeFlagValues): Promise<EmitArgOptions | undefined> {
  if (values.emit === undefined) {
    const stray = (['name', 'sections', 'spill-region'] as const).find((k) => values[k] !== undefined);
    if (stray) throw usageError(`--${stray} needs --emit <dir>`);
    return undefined;
  }
  return {
    outDir: values.emit,
    profile: await readTarget(values.target ?? DEFAULT_TARGET),
    sections: values.sections === true,
    storage: await spillStorage(values.storage),
    ...(values.name !== undefined ? { name: values.name } : {}),
    ...(values['spill-region'] !== undefined ? { spillRegion: await spillRegion(values['spill-region']) } : {}),
  };
}
