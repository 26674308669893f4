// The defaults of TinySeg's options, written once: the CLI, the bundler plugin,
// CMake (through the CLI), optimize(), the proof and the cache key read them
// here, with the choices of the spill storage option. No imports, so any stage
// (and a CLI cache hit) can load it for free.

/** Seeded random inputs the proof runs besides the oracle input. */
export const DEFAULT_PROOF_INPUTS = 3;
/** Seed of those inputs. */
export const DEFAULT_PROOF_SEED = 1;
/** The memories a spill region can live in (docs/target-profile.md): the storage option's choices. */
export const SPILL_STORAGES = ['psram', 'flash', 'internal-flash', 'remote'] as const;
export type SpillStorage = (typeof SPILL_STORAGES)[number];
/** Where the spill region lives. */
export const DEFAULT_SPILL_STORAGE: SpillStorage = 'psram';
/** The built-in target profile used when none is named. */
export const DEFAULT_TARGET = 'mps2-an386';
/** Predicted Invoke() overhead (percent, reference kernels) the optimizer may add for less memory (docs/compute-model.md). */
export const DEFAULT_MAX_OVERHEAD = 5;
/** Inferences per second, for the flash wear lifetime. */
export const DEFAULT_INFERENCE_RATE = 1;
/** The kernels the figures assume when no target profile says otherwise: TFLM's reference kernels. */
export const DEFAULT_KERNEL_SET = 'reference';
/** How long a remote cache lookup (the action result and its blob) may run at all; the optimizer runs beside it (docs/cache.md). */
export const DEFAULT_REMOTE_CACHE_TIMEOUT_MS = 1000;
