// Types for `.tflite` imports through TinySeg's bundler plugins (tinyseg/vite,
// tinyseg/webpack, ...). Add `"types": ["tinyseg/client"]` to tsconfig.json or
// `/// <reference types="tinyseg/client" />` to a .d.ts file.
// A script, not a module (no top-level import/export): a module could not
// declare these wildcard modules.

declare module '*.tflite' {
  /** The optimized model's bytes, ready for TFLM's `tflite::GetModel` or an interpreter. */
  const model: Uint8Array;
  export default model;
  /** The arena to allocate for the optimized model on a 32-bit target: the emitted `<NAME>_ARENA_SIZE` (`report.after.arenaSize`). */
  export const arenaSize: number;
  /** What the optimizer did: arena before and after, passes, spills, verification (docs/report-json.md). */
  export const report: import('tinyseg').OptimizeReport;
  /** Custom operators the optimized model uses (e.g. `TinySegSpill`); the runtime must register them. */
  export const customOps: string[];
}

declare module '*.tflite?url' {
  /** The URL of the optimized model, emitted as an asset of the build. */
  const url: string;
  export default url;
}

declare module '*.tflite?original' {
  /** The model file's own bytes, unoptimized. */
  const model: Uint8Array;
  export default model;
}

declare module '*.tflite?timeline' {
  /** The before/after memory timeline of the optimization as an SVG document (what `tinyseg optimize --svg` writes). */
  const svg: string;
  export default svg;
}

declare module '*.tflite?meta' {
  /** An input or output of the optimized model. */
  interface TensorMeta {
    name: string;
    /** TFLite's type name: 'int8', 'uint8', 'float32', ... */
    dtype: string;
    shape: number[];
    /** Per-tensor quantization, or null (none, or per channel). */
    scale: number | null;
    zeroPoint: number | null;
  }
  /** The arena to allocate for the optimized model on a 32-bit target: the emitted `<NAME>_ARENA_SIZE`, and `tinyseg/runtime`'s `arena.byteLength`. */
  export const arenaSize: number;
  /** `arena_used_bytes()` (head + tail) of the original and the optimized model. */
  export const arenaUsed: { before: number; after: number };
  /** TFLM's planned activations and scratch, original and optimized. */
  export const head: { before: number; after: number };
  /** The spill region the optimized model's TinySeg operators use, bytes (0: none). */
  export const spillRegionSize: number;
  /** Bytes of the optimized model (what the default import or `?url` would ship). */
  export const modelSize: number;
  /** true: proved bit-exact; false: outputs differ (lossy spill); null: not verified. */
  export const verified: boolean | null;
  /** Custom operators the optimized model uses, sorted. */
  export const customOps: string[];
  export const inputs: TensorMeta[];
  export const outputs: TensorMeta[];
  /** All of the above: `import meta from './seg.tflite?meta'`. */
  const meta: {
    arenaSize: number;
    arenaUsed: { before: number; after: number };
    head: { before: number; after: number };
    spillRegionSize: number;
    modelSize: number;
    verified: boolean | null;
    customOps: string[];
    inputs: TensorMeta[];
    outputs: TensorMeta[];
  };
  export default meta;
}
