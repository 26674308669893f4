// `import svg from './seg.tflite?timeline'`: the before/after memory timeline
// `tinyseg optimize --svg` writes, as a string for a page to show. Only built
// when a module asks for it: planning both graphs again costs as much as a
// cache hit on a big model.

import { loadGraph } from '../../graph/graph.js';
import { memoryReport } from '../../report/memory-report.js';
import { renderBeforeAfterSvg } from '../../report/svg.js';

/** `file` names the model in the chart's titles (the report's `model`). */
export function beforeAfterTimelineSvg(original: Uint8Array, optimized: Uint8Array, file: string): string {
  const originalGraph = loadGraph(original);
  const optimizedGraph = loadGraph(optimized);
  const before = memoryReport({ file, bytes: original, graph: originalGraph });
  const after = memoryReport({ file, bytes: optimized, graph: optimizedGraph });
  return renderBeforeAfterSvg(before, after, { title: file, beforeGraph: originalGraph, afterGraph: optimizedGraph });
}
