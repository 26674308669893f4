// optimize()'s options: their type, their check, and their defaults applied.
// The cache key (integrations/cache-key.ts) hashes the options with these same
// defaults applied, so options that make optimize() do the same thing share a
// key. Light on purpose: a CLI cache hit loads this module, and no stage.
// Read back from a result: the kernels its report says it was planned for.

import { TinysegError } from '../errors.js';
import type { TargetProfile } from '../memory/target-profile.js';
import { KERNEL_SETS, type Kernels, type KernelSet } from '../ops/kernel-sets.js';
import type { OptimizeReport } from './optimize.js';
import { customOpMap, type CustomOpInput } from '../ops/custom-op-declaration.js';
import { DEFAULT_MAX_OVERHEAD, DEFAULT_PROOF_INPUTS, DEFAULT_PROOF_SEED, SPILL_STORAGES, type SpillStorage } from '../defaults.js';

export interface OptimizeOptions {
  /** File name for messages and the report. */
  file?: string;
  /** Spill traffic per inference (bytes written plus read) the optimizer may spend; default unlimited. */
  maxSpillBytes?: number;
  /** Stop spilling once the arena's live peak fits in this many bytes; fail if nothing fits. */
  arenaBudget?: number;
  /** Cold-range spilling on (default) or off. */
  spill?: boolean;
  /** Seeded random inputs the verification runs besides the oracle input (default 3); false skips verification. */
  verify?: { inputs?: number; seed?: number } | false;
  /** Where the spill region lives on `target`: the report then gives its cost per inference and, for flash, its wear. */
  storage?: SpillStorage;
  target?: TargetProfile;
  /** Inference rate for the flash lifetime (default 1 per second). */
  inferencesPerSecond?: number;
  /** Temporary tensor quantization: spilled float32 slices stored as int8 codes (a quarter of the traffic; lossy, off by default). */
  lossySpill?: 'int8';
  /**
   * The kernel library the firmware links, whose scratch and op data every
   * figure and cost model counts. Default: the target's (its `kernels`, else
   * by its cpu) when a target or storage is given, else 'reference'.
   */
  kernels?: KernelSet;
  /**
   * Predicted Invoke() overhead in percent (reference kernels) the optimized model may have over the original
   * (default 5): row bands are fewer or skipped, spills stop, beyond it.
   */
  maxOverhead?: number;
  /**
   * Optimize a model TFLM's Prepare refuses (checkModel): its refusals become
   * warnings; the result is memory planning only. Default: refused, before any pass.
   */
  allowRefused?: boolean;
  /**
   * Custom operators of other projects the firmware links (docs/custom-ops.md):
   * their scratch and persistent bytes for the figures, the registration
   * function for the op resolver. No pass rewrites them; the proof runs a
   * stand-in for each, so their own outputs are not proved.
   */
  customOps?: readonly CustomOpInput[];
  /**
   * Only rewrites that keep stock TFLite builtins and their arithmetic (row bands, placement, PAD removal, operator
   * order), so LiteRT and tfjs-tflite load the result and compute the original's bytes; no spilling, no TinySeg
   * custom operator, no TRANSPOSE_CONV rewrite (stock TFLite rounds its CONV_2D differently). Default false: the
   * result may need TinySeg's runtime (TFLM).
   */
  builtinsOnly?: boolean;
  /** Write a result whose declared custom operators' outputs are not proved (default: refused, after the proof). */
  allowUnproved?: boolean;
  /**
   * Also plan with the wide activations streamed through the spill region, every operator on them in row bands
   * (transform/stream-layers.ts), and keep that plan where its arena is the smaller (default true, but with a flash
   * `storage`, which each inference's streamed tensors would wear; false: the band chains and cold-range spills
   * alone, which move less through the spill region).
   */
  streamLayers?: boolean;
}

/**
 * Defaults of the options whose absence means a value. Storage, target and
 * inference rate have defaults too (src/defaults.ts), but only once a storage
 * or a target is given: absent, the report has no storage section.
 */
export const OPTIMIZE_DEFAULTS = Object.freeze({
  spill: true,
  maxOverhead: DEFAULT_MAX_OVERHEAD,
  verify: Object.freeze({ inputs: DEFAULT_PROOF_INPUTS, seed: DEFAULT_PROOF_SEED }),
});

/** The options with OPTIMIZE_DEFAULTS applied (other keys, known or not, kept as they are). */
export type ResolvedOptimizeOptions = Omit<OptimizeOptions, 'spill' | 'verify' | 'maxOverhead'> & { spill: boolean; maxOverhead: number; verify: { inputs: number; seed: number } | false };

/** Throws E_USAGE for an option optimize() cannot take. */
export function checkOptimizeOptions(o: OptimizeOptions): void {
  if (o.storage !== undefined && !SPILL_STORAGES.includes(o.storage)) throw new TinysegError('E_USAGE', `storage must be one of ${SPILL_STORAGES.join(', ')}, got ${String(o.storage)}`);
  if (o.inferencesPerSecond !== undefined && !(Number.isFinite(o.inferencesPerSecond) && o.inferencesPerSecond > 0)) {
    throw new TinysegError('E_USAGE', `inferencesPerSecond must be a positive number, got ${String(o.inferencesPerSecond)}`);
  }
  if (o.verify !== undefined && o.verify !== false && (typeof o.verify !== 'object' || o.verify === null)) throw new TinysegError('E_USAGE', `verify must be false or an object, got ${String(o.verify)}`);
  if (o.kernels !== undefined && !KERNEL_SETS.includes(o.kernels)) throw new TinysegError('E_USAGE', `kernels must be one of ${KERNEL_SETS.join(', ')}, got ${String(o.kernels)}`);
  if (o.lossySpill !== undefined && o.lossySpill !== 'int8') throw new TinysegError('E_USAGE', `lossySpill must be 'int8', got ${String(o.lossySpill)}`);
  if (o.maxOverhead !== undefined && !(Number.isFinite(o.maxOverhead) && o.maxOverhead >= 0)) {
    throw new TinysegError('E_USAGE', `maxOverhead must be a non-negative percentage, got ${String(o.maxOverhead)}`);
  }
  if (o.customOps !== undefined) {
    if (!Array.isArray(o.customOps)) throw new TinysegError('E_USAGE', `customOps must be a list of declarations, got ${String(o.customOps)}`);
    customOpMap(o.customOps);
  }
  if (o.builtinsOnly !== undefined && typeof o.builtinsOnly !== 'boolean') throw new TinysegError('E_USAGE', `builtinsOnly must be true or false, got ${String(o.builtinsOnly)}`);
  if (o.streamLayers !== undefined && typeof o.streamLayers !== 'boolean') throw new TinysegError('E_USAGE', `streamLayers must be true or false, got ${String(o.streamLayers)}`);
  if (o.allowUnproved !== undefined && typeof o.allowUnproved !== 'boolean') throw new TinysegError('E_USAGE', `allowUnproved must be true or false, got ${String(o.allowUnproved)}`);
  for (const key of ['maxSpillBytes', 'arenaBudget'] as const) {
    const v = o[key];
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) throw new TinysegError('E_USAGE', `${key} must be a non-negative number of bytes, got ${String(v)}`);
  }
}

/**
 * The options with OPTIMIZE_DEFAULTS applied. Nested objects merge key by key:
 * `verify: false` replaces the default object, `verify: {}` takes its defaults.
 */
export function withOptimizeDefaults(options: OptimizeOptions): ResolvedOptimizeOptions {
  return mergeDefaults(OPTIMIZE_DEFAULTS, options) as ResolvedOptimizeOptions;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v) && [Object.prototype, null].includes(Object.getPrototypeOf(v));

function mergeDefaults(defaults: unknown, value: unknown): unknown {
  if (value === undefined) return defaults;
  if (!isPlainObject(defaults) || !isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const k of new Set([...Object.keys(defaults), ...Object.keys(value)])) out[k] = mergeDefaults(defaults[k], value[k]);
  return out;
}

/** The kernels a result was planned for, as its report names them: what emit and a cached result's chart plan with. */
export function plannedKernels(report: Pick<OptimizeReport, 'kernels' | 'isa' | 'customOps'>): Kernels {
  // A plan.json from before custom operators were declarable has no customOps.
  const declared = report.customOps ?? [];
  return { set: report.kernels, isa: report.isa, ...(declared.length > 0 ? { customOps: customOpMap(declared) } : {}) };
}
