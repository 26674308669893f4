// Types for `.tflite` imports through TinySeg's bundler plugins (tinyseg/vite,
// tinyseg/webpack, ...). Add `"types": ["tinyseg/client"]` to tsconfig.json or
// `/// <reference types="tinyseg/client" />` to a .d.ts file.
// A script, not a module (no top-level import/export): a module could not
// declare these wildcard modules.

declare module '*.tflite' {
  /** The optimized model's bytes, ready for TFLM's `tflite::GetModel` or an interpreter. */
  const model: Uint8Array;
  export default model;
  /** The arena TFLM needs for the optimized model on a 32-bit target: `report.after.total` (head + tail). */
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
