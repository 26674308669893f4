// The report's operator list: by count, ties in code-unit order, the same on
// every machine (localeCompare's order follows the machine's locale, and ICU's
// root order puts '_' before letters).

import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/graph/builder.js';
import { loadGraph, saveGraph } from '../../src/graph/graph.js';
import { memoryReport } from '../../src/report/memory-report.js';
import { renderReportText } from '../../src/report/text.js';

describe('the report text', () => {
  it('lists tied operator types in code-unit order: MAXIMUM before MAX_POOL_2D', () => {
    const b = new GraphBuilder();
    const q = { scale: [0.1], zeroPoint: [0], quantizedDimension: 0 };
    const x = b.input('x', { dtype: 'int8', shape: [1, 4, 4, 2], quantization: q });
    const m = b.tensor('m', { dtype: 'int8', shape: [1, 4, 4, 2], quantization: q });
    b.op({ opcode: 'MAXIMUM', inputs: [x, x], outputs: [m] });
    const p = b.tensor('p', { dtype: 'int8', shape: [1, 2, 2, 2], quantization: q });
    b.op({ opcode: 'MAX_POOL_2D', inputs: [m], outputs: [p], options: { type: 'Pool2DOptions', value: { padding: 1, strideH: 2, strideW: 2, filterHeight: 2, filterWidth: 2 } } });
    b.output(p);
    const bytes = saveGraph(b.build());
    const text = renderReportText(memoryReport({ file: 'm.tflite', bytes, graph: loadGraph(bytes) }));
    expect(text.split('\n')[1]).toBe('  ops: MAXIMUM x1, MAX_POOL_2D x1');
    expect(['MAX_POOL_2D', 'MAXIMUM'].sort((a, c) => a.localeCompare(c, 'en'))).toEqual(['MAX_POOL_2D', 'MAXIMUM']);
  });
});
