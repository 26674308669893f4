// OptimizeReport.compute: what the optimized model computes next to the
// original, and the predicted Invoke() cost of both per kernel set
// (analysis/compute.ts, docs/compute-model.md).

import { COMPUTE_KERNEL_SETS, graphCompute, predictInvoke, type ComputeKernels, type ComputeKernelSet, type GraphCompute } from '../analysis/compute.js';
import type { CoreIsa } from '../ops/kernel-sets.js';
import type { Graph } from '../graph/graph.js';
import type { SplitRowBandsResult } from '../transform/split-row-bands.js';

export interface ComputeFigures {
  macs: number;
  elementOps: number;
  ops: number;
}

export interface ComputeReport {
  before: ComputeFigures;
  after: ComputeFigures;
  /** Each row-band split: what its bands compute beyond the chain (halo rows, slices, concatenation). */
  splits: { output: string; bands: number; extraMacs: number; extraElementOps: number }[];
  /** Predicted Invoke() instructions on Cortex-M4, before and after, and `after / before - 1`. */
  invoke: Record<ComputeKernelSet, { before: number; after: number; overhead: number }>;
  /** The limit on the predicted overhead under the kernels the figures assume, in percent (maxOverhead); null: none (an arena budget came first). */
  maxOverhead: number | null;
}

const figures = (c: GraphCompute): ComputeFigures => ({ macs: c.macs, elementOps: c.elementOps, ops: c.ops });

/** The predicted Invoke() instructions (under `kernelSet`) the optimized model may take: `maxOverhead` percent over the original's. */
export const invokeLimit = (original: Graph, maxOverhead: number, kernels: ComputeKernels): number =>
  predictInvoke(graphCompute(original.main), kernels) * (1 + maxOverhead / 100);

/** The figures of every kernel set, each on the core `isa` the plan is for (CMSIS-NN's costs differ between cores). */
export function computeReport(
  original: Graph,
  optimized: Graph,
  splits: readonly SplitRowBandsResult[],
  maxOverhead: number | null,
  isa: CoreIsa,
): ComputeReport {
  const before = graphCompute(original.main);
  const after = graphCompute(optimized.main);
  const invoke = Object.fromEntries(
    COMPUTE_KERNEL_SETS.map((set) => {
      const b = Math.round(predictInvoke(before, { set, isa }));
      const a = Math.round(predictInvoke(after, { set, isa }));
      return [set, { before: b, after: a, overhead: b > 0 ? a / b - 1 : 0 }];
    }),
  ) as ComputeReport['invoke'];
  return {
    before: figures(before),
    after: figures(after),
    splits: splits.flatMap((r) => r.chains).map((c) => ({ output: c.output, bands: c.bands, extraMacs: c.extraMacs, extraElementOps: c.extraElementOps })),
    invoke,
    maxOverhead,
  };
}
