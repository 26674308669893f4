// builtinsOnly: the result must load in stock TFLite (LiteRT, tfjs-tflite),
// which resolves builtin operators only. The passes that write TinySeg's
// custom operators stand down under it (transform/pass.ts); this check makes a
// pass that writes one anyway a TinySeg bug caught before anything is written,
// not a model the user's runtime refuses later.

import { TinysegError } from '../errors.js';
import type { Graph } from '../graph/graph.js';

const customCodes = (g: Graph): Set<string> => new Set(g.subgraphs.flatMap((sg) => sg.ops.filter((op) => op.opcode === 'CUSTOM').map((op) => op.customCode ?? '')));

/** Throws E_PLAN when `optimized` has a custom operator `original` does not (the original's own, of other projects, stay). */
export function requireBuiltinsOnly(original: Graph, optimized: Graph, file: string): void {
  const own = customCodes(original);
  const added = [...customCodes(optimized)].filter((c) => !own.has(c));
  if (added.length === 0) return;
  throw new TinysegError('E_PLAN', `builtinsOnly: the optimized model has custom operators stock TFLite cannot load: ${added.join(', ')}`, {
    file,
    hint: 'this is a TinySeg bug: please report it with the model',
  });
}
