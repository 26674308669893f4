// A pass: one named rewrite of a graph in place, with a typed account of what
// it did. The optimizer runs passes in order (optimize/pipeline.ts) and checks
// the graph after each one (graph/check.ts).

import type { Graph, Subgraph } from '../graph/graph.js';
import type { Kernels } from '../ops/registry.js';
import type { SpillResult } from './spill-cold-ranges.js';
import type { ConcatConvBands } from './stream-layers.js';

/** What the caller's options say to the passes. */
export interface PassContext {
  /** Spill traffic per inference (bytes written plus read) the spill pass may spend; absent: unlimited. */
  maxSpillBytes?: number;
  /** The spill pass stops once the arena's live peak fits this many bytes. */
  arenaBudget?: number;
  /** Cold-range spilling on or off. */
  spill: boolean;
  /** Spilled float32 slices are stored as int8 codes (lossy). */
  quantizeFloat: boolean;
  /** The kernels (set and core) the cost models assume: their scratch is part of every arena a pass measures. */
  kernels: Kernels;
  /**
   * Only rewrites whose result is stock TFLite builtins computing the original's bytes in stock TFLite too (LiteRT,
   * tfjs-tflite): the passes that write TinySeg's custom operators (spill/fetch, the fused concat conv, the gathered
   * transpose conv) do nothing, and so does the TRANSPOSE_CONV rewrite, whose CONV_2D stock TFLite rounds differently.
   */
  builtinsOnly?: boolean;
  /** Predicted Invoke() instructions (under `kernels`, analysis/compute.ts) the graph may reach; absent: no limit. */
  maxInvoke?: number;
  /**
   * Row bands may run through joins that read a whole side input (transform/band-chains.ts); absent: they may.
   * Bands that take a skip connection's rows early can leave less for the spill pass to save, so optimize()
   * plans both ways.
   */
  bandSideInputs?: boolean;
  /**
   * PADs become the SAME padding of the conv after them (transform/fold-pads-into-convs.ts); absent: they do. The
   * padded copies then never exist, but the row bands' greedy choices under the compute limit change with the graph,
   * so optimize() plans both ways where there is a PAD to fold.
   */
  foldPads?: boolean;
  /**
   * Of two row-band splits that leave the same bound, the band pass takes the one with fewer bytes live while its
   * bands run (transform/split-row-bands.ts); absent: the one with less op data. Which pays depends on what the
   * spills do next, so optimize() plans both ways.
   */
  bandsLowLocalPeak?: boolean;
  /**
   * Chains may run through a tensor spilled whole, each band writing its own rows to the slot, so that the tensor
   * never exists whole (transform/split-row-bands.ts rowTaps); absent: a spilled tensor ends a chain. Whether that
   * pays depends on the passes after, so optimize() plans both ways.
   */
  bandRowSpills?: boolean;
  /**
   * Where no split lowers the cost, the band pass also tries splits that lower a peak the bound ties with another
   * (on trial, undone unless a later split lowers the cost: transform/split-row-bands.ts); absent: it stops there.
   * The splits after them change too, so optimize() keeps the result only where it is smaller.
   */
  bandsPlateau?: boolean;
  /**
   * Where bands that compute their halo rows again are over the compute limit, the band pass also tries bands that
   * carry them from the band before (transform/split-row-bands.ts Stage.read); absent: it does. The greedy choices
   * after such a split change too, so optimize() plans without them as well where they were made.
   */
  bandsCarry?: boolean;
  /**
   * The spill pass streams the wide activations instead (transform/stream-layers.ts: each lives in the spill region,
   * every operator that reads or writes one runs in row bands), and the band pass makes no chain: a whole other
   * plan, which optimize() weighs beside the others.
   */
  streamLayers?: boolean;
  /**
   * The smallest arena (head plus tail) of the plans made before this one: the stream pass places no trial whose
   * floor plus tail is no lower (it could not be chosen). Absent: every trial is placed.
   */
  arenaToBeat?: number;
  /**
   * Streamed layers at this band size (graph outputs streamed or not, only some tensors or every wide one), as an
   * earlier streamed plan had them, the operator at the peak then split into more bands while that lowers the arena
   * (optimize/pipeline.ts streamWherePays); absent: the band size is searched for, and no operator is split further.
   */
  streamBands?: { bandBytes: number; outputs: boolean; concatConv: ConcatConvBands; only?: ReadonlySet<string> };
  /**
   * The bands of a convolution whose input stays in the arena (a graph input) read its rows there, in one call each
   * (TinySegConcatConv in place); false: they slice it, and a later spill pass may spill the input and fetch the
   * slices (a stem whose input is the peak). Absent: in place.
   */
  streamInPlace?: boolean;
  /**
   * The most TinySegConcatConv bands on slots the stream pass tries (StreamOptions.concatConv): 'depthwise' tries
   * those of the depthwise convs and none; absent: every kind.
   */
  streamConcatConv?: ConcatConvBands;
  /**
   * The stream pass keeps the plan of streamAtPeaks (optimize/pipeline.ts: only the tensors at the peak streamed) where
   * its arena is the lower even where some band size streams every wide tensor within the limit; absent: only where
   * none does. Compared before the later passes run, the partial plan can end above the whole one, so optimize() plans
   * this variant beside the other where the pass says it may pay (StreamLayersResult.atPeaksMayPay).
   */
  streamAtPeaks?: boolean;
  /** Search steps of the placements the spill pass measures after each spill (memory/plan-search.ts); absent: the default. */
  trialPlanIterations?: number;
  /**
   * The measured spill runs of one optimize() call (optimize/pipeline.ts spillWherePays), by their input graph and
   * limits: variants that bring the graph to the spill pass alike (a tie-break the bands did not need) share one run.
   */
  spillRuns?: Map<string, { input: Uint8Array; inputData: (Uint8Array | null)[]; graph: Subgraph; result: SpillResult }>;
}

export interface Pass<Name extends string = string, Result = unknown> {
  readonly name: Name;
  /** Edits `graph` in place; the result says what changed (OptimizeReport.passes). */
  run(graph: Graph, context: PassContext): Result;
}
