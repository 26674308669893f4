// The defaults of TinySeg's options, written once: the CLI, the bundler plugin,
// CMake (through the CLI), optimize(), the proof and the cache key read them
// here. No imports, so any stage (and a CLI cache hit) can load it for free.

/** Seeded random inputs the proof runs besides the oracle input. */
export const DEFAULT_PROOF_INPUTS = 3;
/** Seed of those inputs. */
export const DEFAULT_PROOF_SEED = 1;
/** Where the spill region lives (docs/target-profile.md). */
export const DEFAULT_SPILL_STORAGE = 'psram';
/** The built-in target profile used when none is named. */
export const DEFAULT_TARGET = 'mps2-an386';
/** Inferences per second, for the flash wear lifetime. */
export const DEFAULT_INFERENCE_RATE = 1;
