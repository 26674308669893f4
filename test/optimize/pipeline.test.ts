// The pass pipeline and optimize()'s options: the run order, the report's fixed
// key order (the JSON stays byte-identical while the run order changes), and
// the defaults the cache key shares.

import { describe, expect, it } from 'vitest';
import { TinysegError } from '../../src/errors.js';
import { loadGraph, saveGraph } from '../../src/graph/graph.js';
import { buildTinyUnet } from '../../src/graph/tiny-unet.js';
import { optimize } from '../../src/optimize/optimize.js';
import { checkOptimizeOptions, withOptimizeDefaults } from '../../src/optimize/options.js';
import { passesReport, PIPELINE, runPipeline, spillWhereItPaysPass } from '../../src/optimize/pipeline.js';
import { REFERENCE_KERNELS } from '../../src/ops/registry.js';

const model = saveGraph(buildTinyUnet({ height: 32, width: 48 }));

describe('the pass pipeline', () => {
  it('runs the passes in order', () => {
    expect(PIPELINE.map((p) => p.name)).toEqual([
      'squeezesToReshapes',
      'sinkReshapes',
      'splitsToSlices',
      'removeIdentityPads',
      'foldPads',
      'transposeConv',
      'reorder',
      'transposeConvGather',
      'splitRowBands',
      'hoistNarrowReaders',
      'spill',
      'bandsAfterSpills',
      'convOnVirtualConcat',
      'convInPlace',
      'spillsAfterConvInPlace',
      'transposeConvGatherAfterSpills',
    ]);
  });

  it('reports them in the report’s own key order, the spill pass as a summary', () => {
    const g = loadGraph(model);
    const results = runPipeline(g, { spill: true, quantizeFloat: false, kernels: REFERENCE_KERNELS });
    const passes = passesReport(results);
    expect(Object.keys(passes)).toEqual([
      'squeezesToReshapes',
      'sinkReshapes',
      'splitsToSlices',
      'removeIdentityPads',
      'foldPads',
      'transposeConv',
      'transposeConvGather',
      'convOnVirtualConcat',
      'splitRowBands',
      'reorder',
      'hoistNarrowReaders',
      'spill',
      'bandsAfterSpills',
      'convInPlace',
      'spillsAfterConvInPlace',
    ]);
    const { bytesOut, bytesIn, regionBytes, decisions } = results.spill;
    expect(passes.spill).toEqual({ bytesOut, bytesIn, regionBytes, count: decisions.length });
    expect(passes.spill.count).toBeGreaterThan(0);
    expect(Object.keys(optimize(model, { verify: false }).report.passes)).toEqual(Object.keys(passes));
  });

  it('spills nothing when spilling is off', () => {
    const results = runPipeline(loadGraph(model), { spill: false, quantizeFloat: false, kernels: REFERENCE_KERNELS });
    expect(results.spill).toEqual({ decisions: [], bytesOut: 0, bytesIn: 0, regionBytes: 0 });
  });
});

describe('optimize options', () => {
  it('applies the defaults, merging verify key by key', () => {
    expect(withOptimizeDefaults({})).toEqual({ spill: true, maxOverhead: 5, verify: { inputs: 3, seed: 1 } });
    expect(withOptimizeDefaults({ verify: { inputs: 5 } })).toEqual({ spill: true, maxOverhead: 5, verify: { inputs: 5, seed: 1 } });
    const given = { verify: false, spill: false, maxSpillBytes: 8, maxOverhead: 1000 } as const;
    expect(withOptimizeDefaults(given)).toEqual({ spill: false, maxOverhead: 1000, verify: false, maxSpillBytes: 8 });
  });

  it('rejects options optimize() cannot take', () => {
    expect(() => checkOptimizeOptions({ verify: null as never })).toThrow(TinysegError);
    expect(() => checkOptimizeOptions({ lossySpill: 'int4' as never })).toThrow(/lossySpill must be 'int8'/);
    expect(() => checkOptimizeOptions({ maxOverhead: -1 })).toThrow(/maxOverhead must be a non-negative percentage/);
    expect(() => checkOptimizeOptions({ storage: 'flash', inferencesPerSecond: 2, arenaBudget: 0 })).not.toThrow();
  });
});

describe('the spill pass within one optimize() call', () => {
  it('runs once per graph and limits: a second variant bringing the same graph takes the first run as it ended', () => {
    const spillRuns = new Map();
    const context = { spill: true, quantizeFloat: false, kernels: REFERENCE_KERNELS, spillRuns };
    const [first, second] = [loadGraph(model), loadGraph(model)];
    const result = spillWhereItPaysPass.run(first, context);
    expect(result.decisions.length).toBeGreaterThan(0);
    expect(spillRuns.size).toBe(1);
    // The stored graph is a copy: editing what the first run returned does not reach the second.
    first.main.removeOp(first.main.ops.length - 1);
    expect(spillWhereItPaysPass.run(second, context)).toEqual(result);
    expect(spillRuns.size).toBe(1);
    const fresh = loadGraph(model);
    spillWhereItPaysPass.run(fresh, { spill: true, quantizeFloat: false, kernels: REFERENCE_KERNELS });
    expect(saveGraph(second)).toEqual(saveGraph(fresh));
    // Other limits, or another graph, are another run.
    spillWhereItPaysPass.run(loadGraph(model), { ...context, maxSpillBytes: 1024 });
    spillWhereItPaysPass.run(loadGraph(saveGraph(buildTinyUnet({ height: 32, width: 32 }))), context);
    expect(spillRuns.size).toBe(3);
  });
});
