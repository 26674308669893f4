// The bundler plugin's options: what a user may write in `tinyseg({ ... })`,
// checked once when the plugin is created, so a typo fails the build config
// with one E_USAGE line instead of surfacing later as a model that was not
// optimized the way the user asked.

import { resolve, sep } from 'node:path';
import { TinysegError } from '../../errors.js';
import { isLinkerRegionName, type TargetProfile } from '../../memory/target-profile.js';
import { KERNEL_SETS, type KernelSet } from '../../ops/kernel-sets.js';
import { customOpList, customOpMap, type CustomOpInput } from '../../ops/custom-op-declaration.js';
import type { OptimizeOptions } from '../../optimize/optimize.js';
import { SPILL_STORAGES, type SpillStorage } from '../../memory/spill-storage.js';
import { readTargetProfile } from '../io/read-target.js';
import { resolveRemoteCache, type RemoteCacheOptions } from '../cache/remote-options.js';
import { DEFAULT_PROOF_INPUTS, DEFAULT_PROOF_SEED, DEFAULT_SPILL_STORAGE, DEFAULT_TARGET } from '../../defaults.js';

/** A RegExp tested against the model's absolute path (with `/` separators), or a file or folder path (relative to the working directory). */
export type ModelPattern = RegExp | string;

export interface TinysegPluginOptions {
  /** Spill traffic per inference (bytes written plus read) the optimizer may spend; default unlimited. */
  maxSpillBytes?: number;
  /** Stop spilling once the arena's live peak fits in this many bytes; the build fails if nothing fits. */
  arenaBudget?: number;
  /** Predicted Invoke() time the optimizer may add, in percent (default 5, as the CLI's --max-overhead; docs/compute-model.md). */
  maxOverhead?: number;
  /** Prove each optimized model bit-exact (default true: the oracle input and 3 random inputs, seed 1, as the CLI). */
  verify?: boolean | { inputs?: number; seed?: number };
  /** Cold-range spilling on (default) or off. */
  spill?: boolean;
  /**
   * Only rewrites that keep stock TFLite builtins (`--builtins-only`: row bands, placement, PAD removal), so
   * LiteRT and tfjs-tflite load the imported bytes; default false (docs/bundlers.md, "Which bytes to import").
   */
  builtinsOnly?: boolean;
  /** Also plan with every wide tensor streamed through the spill region (default true; false as the CLI's --no-stream-layers). */
  streamLayers?: boolean;
  /** Store spilled float32 tensors as int8 codes (`--lossy-spill int8`): a quarter of the traffic, not bit-exact; the report gives the error. */
  lossySpill?: 'int8';
  /** Models the plugin handles (default: every `.tflite`). */
  include?: ModelPattern | ModelPattern[];
  /** Models the plugin leaves alone, even when included. */
  exclude?: ModelPattern | ModelPattern[];
  /**
   * Also write each optimized model's C/C++ and linker files for firmware into this directory
   * (relative to the working directory), as `tinyseg optimize --emit`.
   */
  emit?: string;
  /** Base of the emitted C names and file names (`--name`); default: the model file's name. */
  emitName?: string;
  /**
   * The emitted files' target: a built-in profile (`mps2-an386`, the default, `mps2-an500`,
   * `mps2-an385` or `mps3-an547`) or a profile JSON file (`--target`, docs/target-profile.md).
   */
  targetProfile?: string;
  /** Where the emitted firmware keeps the spill region (`--storage`): `psram` (default), `flash` or `remote`. */
  storage?: SpillStorage;
  /** Put the model array in its own section, placed in external flash by the emitted linker script (`--sections`). */
  sections?: boolean;
  /** The kernels the firmware links (`--kernels`): 'reference' or 'cmsis-nn'; default: the emit target's (docs/target-profile.md), else 'reference'. */
  kernels?: KernelSet;
  /** The vendor linker script's MEMORY region for the spill region (`--spill-region`); default: the target profile's. */
  spillRegion?: string;
  /**
   * Custom operators of other projects the firmware links (`--custom-op`, docs/custom-ops.md):
   * `{ name, scratchBytes?, persistentBytes?, register? }` each.
   */
  customOps?: CustomOpInput[];
  /** Write models whose custom operators' outputs the proof cannot compute (`--allow-unproved`); default: the build fails. */
  allowUnproved?: boolean;
  /**
   * What a build prints for each model it optimizes, on stdout: 'line' (default) one line, as
   * `tinyseg optimize --quiet`; 'report' the whole `tinyseg optimize` report; false nothing.
   */
  log?: PluginLog;
  /**
   * The shared remote cache (docs/cache.md): a Bazel HTTP cache URL, or `{ url, readOnly, timeoutMs }`;
   * false: none, whatever $TINYSEG_REMOTE_CACHE says. Default: $TINYSEG_REMOTE_CACHE and its companions.
   * The auth header comes only from $TINYSEG_REMOTE_CACHE_HEADER.
   */
  remoteCache?: string | false | RemoteCacheOptions;
}

export type PluginLog = 'line' | 'report' | false;

export interface EmitTarget {
  /** Absolute directory. */
  dir: string;
  name?: string;
  profile: TargetProfile;
  storage: SpillStorage;
  sections: boolean;
  spillRegion?: string;
}

export interface ResolvedOptions {
  optimize: Omit<OptimizeOptions, 'file'>;
  remoteCache?: RemoteCacheOptions | false;
  log: PluginLog;
  included: (path: string) => boolean;
  emit?: EmitTarget;
}

const EMIT_OPTION_NAMES = ['emitName', 'targetProfile', 'storage', 'sections', 'spillRegion'] as const;
const OPTION_NAMES = [
  'maxSpillBytes',
  'arenaBudget',
  'maxOverhead',
  'verify',
  'spill',
  'builtinsOnly',
  'streamLayers',
  'lossySpill',
  'kernels',
  'customOps',
  'allowUnproved',
  'include',
  'exclude',
  'log',
  'remoteCache',
  'emit',
  ...EMIT_OPTION_NAMES,
];

const usage = (message: string): TinysegError => new TinysegError('E_USAGE', `tinyseg plugin: ${message}`);

function wholeNumber(name: string, v: unknown, what = 'a whole number'): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw usage(`${name} must be ${what}, got ${JSON.stringify(v) ?? String(v)}`);
  return v;
}

function patterns(name: string, v: unknown): ModelPattern[] | undefined {
  if (v === undefined) return undefined;
  const list = Array.isArray(v) ? v : [v];
  for (const p of list) {
    if (!(p instanceof RegExp) && (typeof p !== 'string' || p === '')) throw usage(`${name} takes RegExps and paths, got ${JSON.stringify(p) ?? String(p)}`);
  }
  return list as ModelPattern[];
}

function matcher(list: ModelPattern[]): (path: string) => boolean {
  const tests = list.map((p): ((path: string) => boolean) => {
    if (p instanceof RegExp) {
      return (path) => {
        p.lastIndex = 0;
        return p.test(path.split(sep).join('/'));
      };
    }
    const target = resolve(p);
    return (path) => path === target || path.startsWith(target.endsWith(sep) ? target : target + sep);
  });
  return (path) => tests.some((t) => t(path));
}

/** Checks the options a user wrote; every mistake is an E_USAGE error at plugin creation. */
export function resolvePluginOptions(raw: unknown): ResolvedOptions {
  if (raw === undefined) raw = {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw usage(`options must be an object, got ${JSON.stringify(raw)}`);
  const o = raw as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!OPTION_NAMES.includes(key)) throw usage(`unknown option '${key}' (options: ${OPTION_NAMES.join(', ')})`);
  }
  const maxSpillBytes = wholeNumber('maxSpillBytes', o.maxSpillBytes, 'a whole number of bytes');
  const arenaBudget = wholeNumber('arenaBudget', o.arenaBudget, 'a whole number of bytes');
  if (o.maxOverhead !== undefined && !(typeof o.maxOverhead === 'number' && Number.isFinite(o.maxOverhead) && o.maxOverhead >= 0)) {
    throw usage(`maxOverhead must be a non-negative percentage, got ${JSON.stringify(o.maxOverhead)}`);
  }
  if (o.spill !== undefined && typeof o.spill !== 'boolean') throw usage(`spill must be true or false, got ${JSON.stringify(o.spill)}`);
  if (o.builtinsOnly !== undefined && typeof o.builtinsOnly !== 'boolean') throw usage(`builtinsOnly must be true or false, got ${JSON.stringify(o.builtinsOnly)}`);
  if (o.streamLayers !== undefined && typeof o.streamLayers !== 'boolean') throw usage(`streamLayers must be true or false, got ${JSON.stringify(o.streamLayers)}`);
  if (o.lossySpill !== undefined && o.lossySpill !== 'int8') throw usage(`lossySpill must be 'int8', got ${JSON.stringify(o.lossySpill) ?? String(o.lossySpill)}`);
  let verify: OptimizeOptions['verify'] = { inputs: DEFAULT_PROOF_INPUTS, seed: DEFAULT_PROOF_SEED };
  if (o.verify === false) verify = false;
  else if (typeof o.verify === 'object' && o.verify !== null && !Array.isArray(o.verify)) {
    const v = o.verify as Record<string, unknown>;
    for (const key of Object.keys(v)) if (key !== 'inputs' && key !== 'seed') throw usage(`unknown verify option '${key}' (inputs, seed)`);
    const inputs = v.inputs === undefined ? DEFAULT_PROOF_INPUTS : wholeNumber('verify.inputs', v.inputs)!;
    if (v.seed !== undefined && !Number.isSafeInteger(v.seed)) throw usage(`verify.seed must be an integer, got ${JSON.stringify(v.seed)}`);
    verify = { inputs, seed: (v.seed as number | undefined) ?? DEFAULT_PROOF_SEED };
  } else if (o.verify !== undefined && o.verify !== true) throw usage(`verify must be true, false or { inputs, seed }, got ${JSON.stringify(o.verify)}`);
  const include = patterns('include', o.include);
  const exclude = patterns('exclude', o.exclude);
  const isIncluded = include ? matcher(include) : () => true;
  const isExcluded = exclude ? matcher(exclude) : () => false;
  const emit = emitTarget(o);
  if (o.kernels !== undefined && !(KERNEL_SETS as readonly unknown[]).includes(o.kernels)) {
    throw usage(`kernels must be one of ${KERNEL_SETS.join(', ')}, got ${JSON.stringify(o.kernels) ?? String(o.kernels)}`);
  }
  if (o.allowUnproved !== undefined && typeof o.allowUnproved !== 'boolean') throw usage(`allowUnproved must be true or false, got ${JSON.stringify(o.allowUnproved)}`);
  const customOps = customOpsOption(o.customOps);
  if (o.log !== undefined && o.log !== 'line' && o.log !== 'report' && o.log !== false) {
    throw usage(`log must be 'line', 'report' or false, got ${JSON.stringify(o.log) ?? String(o.log)}`);
  }
  const remoteCache = remoteCacheOption(o.remoteCache);
  return {
    ...(emit ? { emit } : {}),
    ...(remoteCache !== undefined ? { remoteCache } : {}),
    log: (o.log as PluginLog | undefined) ?? 'line',
    optimize: {
      // An emit target is the firmware's, as --emit --target --storage in the CLI: its core decides
      // CMSIS-NN's buffers and the default kernels, its storage the spill region's cost.
      ...(emit ? { target: emit.profile, storage: emit.storage } : {}),
      verify,
      ...(o.spill !== undefined ? { spill: o.spill as boolean } : {}),
      ...(o.builtinsOnly === true ? { builtinsOnly: true } : {}),
      ...(o.streamLayers === false ? { streamLayers: false } : {}),
      ...(maxSpillBytes !== undefined ? { maxSpillBytes } : {}),
      ...(arenaBudget !== undefined ? { arenaBudget } : {}),
      ...(o.maxOverhead !== undefined ? { maxOverhead: o.maxOverhead as number } : {}),
      ...(o.lossySpill !== undefined ? { lossySpill: 'int8' as const } : {}),
      ...(o.kernels !== undefined ? { kernels: o.kernels as KernelSet } : {}),
      ...(customOps ? { customOps } : {}),
      ...(o.allowUnproved === true ? { allowUnproved: true } : {}),
    },
    included: (path) => path.endsWith('.tflite') && isIncluded(path) && !isExcluded(path),
  };
}

/** `remoteCache`: a URL or `{ url, readOnly, timeoutMs }`, checked now (with the environment it completes) so a typo fails the config. */
function remoteCacheOption(v: unknown): RemoteCacheOptions | false | undefined {
  if (v === undefined || v === false) return v;
  const o: unknown = typeof v === 'string' ? { url: v } : v;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw usage(`remoteCache must be a URL, { url, readOnly, timeoutMs } or false, got ${JSON.stringify(v) ?? String(v)}`);
  const r = o as Record<string, unknown>;
  for (const key of Object.keys(r)) if (!['url', 'readOnly', 'timeoutMs'].includes(key)) throw usage(`unknown remoteCache option '${key}' (url, readOnly, timeoutMs)`);
  if (r.url !== undefined && typeof r.url !== 'string') throw usage(`remoteCache.url must be a string, got ${JSON.stringify(r.url)}`);
  if (r.readOnly !== undefined && typeof r.readOnly !== 'boolean') throw usage(`remoteCache.readOnly must be true or false, got ${JSON.stringify(r.readOnly)}`);
  if (r.timeoutMs !== undefined && typeof r.timeoutMs !== 'number') throw usage(`remoteCache.timeoutMs must be a number of milliseconds, got ${JSON.stringify(r.timeoutMs)}`);
  const options = r as RemoteCacheOptions;
  resolveRemoteCache(options);
  return options;
}

/** `customOps`: the declarations checked as the CLI's --custom-op (plain data, in name order, for the cache key). */
function customOpsOption(v: unknown): CustomOpInput[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw usage(`customOps must be a list of { name, scratchBytes, persistentBytes, register }, got ${JSON.stringify(v) ?? String(v)}`);
  try {
    return customOpList(customOpMap(v as CustomOpInput[])).map((d) => ({ ...d, scratchBytes: [...d.scratchBytes], persistentBytes: [...d.persistentBytes] }));
  } catch (e) {
    if (!(e instanceof TinysegError)) throw e;
    throw new TinysegError('E_USAGE', `tinyseg plugin: customOps: ${e.oneLine()}`, { cause: e });
  }
}

const nonEmptyString = (name: string, v: unknown): string | undefined => {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '') throw usage(`${name} must be a non-empty string, got ${JSON.stringify(v) ?? String(v)}`);
  return v;
};

/** `emit` and the options that shape it, as the CLI's --emit, --name, --target, --storage and --sections; the others without `emit` are a mistake. */
function emitTarget(o: Record<string, unknown>): EmitTarget | undefined {
  const dir = nonEmptyString('emit', o.emit);
  if (dir === undefined) {
    const stray = EMIT_OPTION_NAMES.find((k) => o[k] !== undefined);
    if (stray) throw usage(`${stray} needs emit: '<dir>' (the directory for the C sources)`);
    return undefined;
  }
  const name = nonEmptyString('emitName', o.emitName);
  const storage = o.storage ?? DEFAULT_SPILL_STORAGE;
  if (!(SPILL_STORAGES as readonly unknown[]).includes(storage)) throw usage(`storage must be one of ${SPILL_STORAGES.join(', ')}, got ${JSON.stringify(storage) ?? String(storage)}`);
  if (o.sections !== undefined && typeof o.sections !== 'boolean') throw usage(`sections must be true or false, got ${JSON.stringify(o.sections)}`);
  const spillRegion = nonEmptyString('spillRegion', o.spillRegion);
  if (spillRegion !== undefined && !isLinkerRegionName(spillRegion)) throw usage(`spillRegion must be a linker MEMORY region name, got ${JSON.stringify(spillRegion)}`);
  const target = nonEmptyString('targetProfile', o.targetProfile) ?? DEFAULT_TARGET;
  let profile: TargetProfile;
  try {
    profile = readTargetProfile(target);
  } catch (e) {
    if (!(e instanceof TinysegError)) throw e;
    throw new TinysegError('E_USAGE', `tinyseg plugin: targetProfile: ${e.oneLine()}`, { cause: e });
  }
  return {
    dir: resolve(dir),
    ...(name !== undefined ? { name } : {}),
    profile,
    storage: storage as SpillStorage,
    sections: o.sections === true,
    ...(spillRegion !== undefined ? { spillRegion } : {}),
  };
}
