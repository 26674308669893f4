// `?meta`: what an app needs to know about an imported model without its
// bytes (the figures, the inputs' and outputs' types and quantization), as a
// module of plain constants, so a page that only shows or checks the figures
// does not ship the model (test/integrations/meta-import.test.ts measures it).

import { loadGraph, type Tensor } from '../../graph/graph.js';
import type { ImportedModel } from './model-import.js';

/** An input or output of the optimized model as `?meta` describes it. */
export interface TensorMeta {
  name: string;
  dtype: string;
  shape: number[];
  /** Per-tensor quantization, or null. */
  scale: number | null;
  zeroPoint: number | null;
}

const tensorMeta = (t: Tensor): TensorMeta => {
  const q = t.quantization && t.quantization.scale.length === 1 ? t.quantization : null;
  return { name: t.name, dtype: t.dtype, shape: [...t.shape], scale: q ? q.scale[0]! : null, zeroPoint: q ? (q.zeroPoint[0] ?? 0) : null };
};

/** The `?meta` module: named constants, and all of them as the default export. */
export function metaModule(model: ImportedModel): string {
  const r = model.report;
  const main = loadGraph(model.bytes).main;
  const meta = {
    // The arena to allocate: the emitted <NAME>_ARENA_SIZE, and tinyseg/runtime's arena.byteLength.
    arenaSize: r.after.arenaSize,
    // arena_used_bytes(): head + tail, before and after.
    arenaUsed: { before: r.before.total, after: r.after.total },
    head: { before: r.before.head, after: r.after.head },
    spillRegionSize: r.spill.regionBytes,
    modelSize: model.bytes.length,
    verified: r.verified,
    customOps: model.customOps,
    inputs: main.inputs.map((t) => tensorMeta(main.tensors[t]!)),
    outputs: main.outputs.map((t) => tensorMeta(main.tensors[t]!)),
  };
  const names = Object.keys(meta);
  return [
    ...Object.entries(meta).map(([k, v]) => `export const ${k} = ${JSON.stringify(v)};`),
    `export default { ${names.join(', ')} };`,
    '',
  ].join('\n');
}
