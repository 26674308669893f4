// The passes optimize() runs, in order, each followed by a check of the graph
// (graph/check.ts): a pass that leaves a broken graph is a TinySeg bug, caught
// where it happened instead of as a wrong output later.
//
// The report lists the passes in its own, older order (REPORT_ORDER): the JSON
// keeps its key order while the run order changes.

import { graphCompute, predictInvoke } from '../analysis/compute.js';
import { checkGraph } from '../graph/check.js';
import { Digest } from '../graph/digest.js';
import { Graph, saveGraph, Subgraph, type Op } from '../graph/graph.js';
import { placeArena, placementFloor } from '../memory/place-arena.js';
import { passTimeline, planTflmArena } from '../tflm/arena.js';
import { opAt } from '../tflm/lifetimes.js';
import { lowerBound } from '../analysis/lower-bound.js';
import { convOnVirtualConcatPass } from '../transform/conv-on-virtual-concat.js';
import { convsInPlaceAtPeak, type ConvInPlaceResult } from '../transform/conv-in-place.js';
import type { Pass, PassContext } from '../transform/pass.js';
import { foldPadsPass } from '../transform/fold-pads-into-convs.js';
import { hoistNarrowReadersPass } from '../transform/hoist-narrow-readers.js';
import { removeIdentityPadsPass } from '../transform/remove-identity-pads.js';
import { sinkReshapesPass } from '../transform/sink-reshapes.js';
import { squeezesToReshapesPass } from '../transform/squeezes-to-reshapes.js';
import { splitsToSlices, type SplitsToSlicesResult } from '../transform/splits-to-slices.js';
import { splitParts } from '../ops/row-rule.js';
import { reorderPass } from '../transform/reorder-for-memory.js';
import { spillColdRanges, type SpillOptionsInput, type SpillResult } from '../transform/spill-cold-ranges.js';
import { CONV_IN_PLACE } from '../ops/tinyseg/custom-ops.js';
import { bandsAfterSpillsPass, splitRowBandsPass } from '../transform/split-row-bands.js';
import { transposeConvGatherAfterSpillsPass, transposeConvGatherPass, type TransposeConvGatherResult } from '../transform/transpose-conv-gather.js';
import { concatConvBands, streamableTensors, streamedOutputs, streamLayers, type ConcatConvBands, type StreamLayersResult, type StreamOptions } from '../transform/stream-layers.js';
import { ARENA_ALIGNMENT } from '../tflm/alignment.js';
import { estimateTail32 } from '../tflm/tail.js';
import { transposeConvPass } from '../transform/transpose-conv-to-depth-to-space.js';

/** The placement options a pass measures its trial graphs with: the build's kernels, the context's search steps. */
const trialPlanOf = (context: PassContext) => ({
  kernels: context.kernels,
  ...(context.trialPlanIterations !== undefined ? { iterations: context.trialPlanIterations } : {}),
});

/** A spill pass's result when it made no spill. */
const noSpills = (): SpillResult => ({ decisions: [], bytesOut: 0, bytesIn: 0, regionBytes: 0 });

/**
 * The spill pass lowers the lower bound (or the number of stretches at it, on
 * the way to lowering it); the placement does not always follow. So it runs
 * on the graph measuring the placed head after every spill, and again on the
 * graph as it was before with as many spills as gave the lowest placed head,
 * unless that is every spill the first run made (the common case: the first
 * run's graph is then the result, and the pass deterministic).
 */
function spillWherePays(work: Graph, context: PassContext, how: Pick<SpillOptionsInput, 'keepRegion' | 'inPlaceShared'> = {}, patience = Infinity): SpillResult {
  // The spill region is reached through TinySeg's custom operators, which stock TFLite cannot load.
  if (!context.spill || context.builtinsOnly) return noSpills();
  // The run is determined by the graph and its limits: one made before on the same is taken as it ended.
  const runs = context.spillRuns;
  if (!runs) return measuredSpills(work, context, how, patience);
  const input = saveGraph(work);
  const key = spillRunKey(input, context, how, patience);
  const data = work.main.tensors.map((t) => t.data ?? null);
  const known = runs.get(key);
  if (known && equalBytes(known.input, input)) {
    // The constants the run kept are this graph's own (the file is written with the buffers it read, by identity).
    const own = new Map(known.inputData.flatMap((d, i) => (d && data[i] ? [[d, data[i]] as const] : [])));
    const graph = known.graph.clone();
    for (const t of graph.tensors) if (t.data && own.has(t.data)) t.data = own.get(t.data)!;
    work.subgraphs[0] = graph;
    return structuredClone(known.result);
  }
  const result = measuredSpills(work, context, how, patience);
  runs.set(key, { input, inputData: data, graph: work.main.clone(), result: structuredClone(result) });
  return result;
}

/** What a measured spill run depends on: the graph as it comes (its file's bytes) and the limits it runs under. */
function spillRunKey(bytes: Uint8Array, context: PassContext, how: object, patience: number): string {
  const limits = [context.maxSpillBytes, context.arenaBudget, context.quantizeFloat, context.maxInvoke, context.trialPlanIterations, how, patience];
  return new Digest().text(JSON.stringify(limits)).bytes(bytes).hex;
}

const equalBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

function measuredSpills(work: Graph, context: PassContext, how: Pick<SpillOptionsInput, 'keepRegion' | 'inPlaceShared'>, patience: number): SpillResult {
  const limits = {
    ...(context.maxSpillBytes !== undefined ? { maxSpillBytes: context.maxSpillBytes } : {}),
    ...(context.arenaBudget !== undefined ? { arenaBudget: context.arenaBudget } : {}),
    quantizeFloat: context.quantizeFloat,
    kernels: context.kernels,
    ...how,
  };
  const before = work.main.clone();
  const trialPlan = trialPlanOf(context);
  const heads = [placeArena(work.main, trialPlan).head];
  let lowest = heads[0]!;
  // Spills measured since the head last dropped: past `patience` of them the run stops.
  let since = 0;
  // Rounds of the pass (a spill each, or an earlier spill moved up): maxDecisions counts them.
  let rounds = 0;
  // Spills cost Invoke() time too: past the compute limit, no more of them (the spill that crossed it is not
  // measured, so `heads` holds only the counts of spills within the limit).
  const maxInvoke = context.maxInvoke ?? Infinity;
  const measured = spillColdRanges(work, {
    ...limits,
    afterDecision: (sg) => {
      rounds++;
      if (predictInvoke(graphCompute(sg), context.kernels) > maxInvoke) return false;
      // A graph whose floor is no lower than the lowest head so far cannot be chosen below (nor fit a budget
      // before an earlier one does): its floor stands for its head, and the placement is saved.
      const floor = placementFloor(sg, context.kernels);
      const head = floor >= lowest ? floor : placeArena(sg, trialPlan).head;
      heads.push(head);
      since = head < lowest ? 0 : since + 1;
      lowest = Math.min(lowest, head);
      return since < patience;
    },
  });
  // With a budget, the fewest spills that fit it (least traffic); otherwise the lowest head.
  const budget = context.arenaBudget;
  const fits = budget === undefined ? -1 : heads.findIndex((h) => h <= budget);
  const best = fits >= 0 ? fits : heads.indexOf(Math.min(...heads));
  if (best === rounds) return measured;
  work.subgraphs[0] = before;
  return spillColdRanges(work, { ...limits, maxDecisions: best });
}

export const spillWhereItPaysPass: Pass<'spill', SpillResult> = {
  name: 'spill',
  run: (work, context) => (context.streamLayers ? streamWherePays(work, context) : spillWherePays(work, context)),
};

/** Band sizes streamLayers is tried with, as fractions of the widest activation: the narrower, the more bands. */
const STREAM_FRACTIONS = [1 / 2, 1 / 4, 1 / 8, 1 / 16, 1 / 32, 1 / 64];

/**
 * The wide activations streamed through the spill region (transform/stream-layers.ts), in bands of the size that
 * leaves the lowest placed arena (head plus tail) within the compute limit; nothing where no size pays. Narrower
 * bands cost more operators and more rows fetched twice, so the sizes are tried from the widest down until one is
 * over the limit. With PassContext.streamBands, at that size only, the operators at the peak split further.
 */
function streamWherePays(work: Graph, context: PassContext): SpillResult {
  if (!context.spill || context.builtinsOnly) return noSpills();
  const sg = work.main;
  const widest = Math.max(0, ...sg.tensors.filter((t) => t.kind === 'activation').map((t) => t.byteSize));
  const trialPlan = trialPlanOf(context);
  // The arena TFLM allocates: the placed head and the tail, which grows with every band's operators.
  const arenaOf = (trial: Subgraph) => {
    work.subgraphs[0] = trial;
    const tail = estimateTail32(work, null, context.kernels).bytes;
    // A trial that cannot beat the plans made before it is not worth its placement.
    if (placementFloor(trial, context.kernels) + tail >= (context.arenaToBeat ?? Infinity)) return { head: Infinity, arena: Infinity, tail };
    const head = placeArena(trial, trialPlan).head;
    return { head, arena: head + tail, tail };
  };
  const maxInvoke = context.maxInvoke ?? Infinity;
  // The limit is a share of the original's time: over it by `limit` - 1.
  const limit = maxInvoke / predictInvoke(graphCompute(sg), context.kernels);
  // A streamed graph of bands of `bandBytes`, or null when it streams nothing; `over`: past a limit. `place`: measured
  // by its placed arena (streamAtPeaks weighs its trials by their bound instead).
  const trialOf = (bandBytes: number, how: Omit<StreamOptions, 'inPlace'>, place = true) => {
    const graph = sg.clone();
    const result = streamLayers(graph, bandBytes, context.kernels, { ...how, inPlace: context.streamInPlace !== false });
    if (result.decisions.length === 0) return null;
    // The padded taps the reference kernels skip in SAME convolutions (StreamLayersResult.paddedTaps) are priced in
    // both graphs, but cost nothing in the original as it runs, and in the streamed graph only where a band pads its
    // rows: limited against the original as it runs, the streamed graph's time plus the streamed convolutions' taps
    // (which the limit's share of the original leaves out) plus that share of the others' taps.
    const { all, streamed } = result.paddedTaps;
    const invoke = predictInvoke(graphCompute(graph), context.kernels) + limit * streamed + (limit - 1) * (all - streamed);
    const over = invoke > maxInvoke || result.bytesOut + result.bytesIn > (context.maxSpillBytes ?? Infinity);
    return { graph, result, over, ...(over || !place ? { head: Infinity, arena: Infinity, tail: Infinity } : arenaOf(graph)) };
  };
  let best: { graph: Subgraph; result: SpillResult; head: number; arena: number; bandBytes: number } = {
    graph: sg,
    result: noSpills(),
    head: Infinity,
    arena: Infinity,
    bandBytes: 0,
  };
  // Under an arena budget, a plan whose head fits it beats every plan that does not, and of those that do not, the
  // smaller head (nearer the budget) the other; without one, the smaller arena.
  const fits = (plan: { head: number }) => context.arenaBudget !== undefined && plan.head <= context.arenaBudget;
  const nearer = (a: { head: number; arena: number }, b: { head: number; arena: number }) =>
    context.arenaBudget !== undefined && a.head !== b.head ? a.head < b.head : a.arena < b.arena;
  if (context.streamBands) {
    const { bandBytes, outputs, concatConv, only } = context.streamBands;
    const trial = trialOf(bandBytes, { outputs, concatConv, ...(only ? { only } : {}) });
    if (trial && !trial.over) best = { ...trial, bandBytes };
    if (!fits(best)) splitPeaks(best);
    work.subgraphs[0] = best.graph;
    return best.result;
  }
  // Where a convolution's bands may read their slot (TinySegConcatConv) in more than one way, each is tried: under
  // CMSIS-NN an int8 band so is smaller (no fetched band) but slower (its rows staged one output row at a time, one
  // kernel call each) than a fetched band run by the builtin, a conv's more than a depthwise conv's, and which one
  // pays depends on the band size and the limit.
  const int8Conv = (op: Op) => sg.tensors[op.inputs[0] ?? -1]?.dtype === 'int8' && concatConvBands(sg, op);
  const all: ConcatConvBands[] = [true, ...(context.kernels.set !== 'reference' && sg.ops.some(int8Conv) ? (['depthwise', false] as const) : [])];
  const kinds = all.slice(Math.max(0, all.indexOf(context.streamConcatConv ?? true)));
  // Per kind, the widest band size over a limit with every wide tensor streamed.
  const overAt = new Map<ConcatConvBands, number>();
  for (const concatConv of kinds) {
    for (const fraction of STREAM_FRACTIONS) {
      const bandBytes = Math.max(ARENA_ALIGNMENT, Math.floor(widest * fraction));
      const trial = trialOf(bandBytes, { concatConv });
      if (!trial) continue;
      // Narrower bands cost more time and move no fewer bytes: past either limit, no narrower band pays.
      if (trial.over) {
        overAt.set(concatConv, bandBytes);
        break;
      }
      // With an arena budget, the widest bands whose head fits it (the least time, traffic and op data).
      if (fits(trial)) {
        if (!fits(best) || bandBytes > best.bandBytes) best = { ...trial, bandBytes };
        break;
      }
      if (!fits(best) && nearer(trial, best)) best = { ...trial, bandBytes };
      // Narrower bands only add operators, tensors and op data: once the tail alone reaches the best arena (or the
      // one to beat), no narrower band can win, and its trial (the most operators of all) is not worth building.
      // Not under a budget: a head that fits it is worth a larger arena.
      if (context.arenaBudget === undefined && trial.tail >= Math.min(best.arena, context.arenaToBeat ?? Infinity)) break;
    }
  }
  // Kept where no band size streams every wide tensor within the limit, or where asked (PassContext.streamAtPeaks):
  // picked here by its arena, the partial plan can end above the whole streamed one once the later passes have run.
  const keepAtPeaks = best.bandBytes === 0 || context.streamAtPeaks === true;
  let atPeaksMayPay = false;
  if (!fits(best)) for (const [concatConv, bandBytes] of overAt) atPeaksMayPay ||= streamAtPeaks(bandBytes, concatConv, keepAtPeaks);
  // The graph outputs streamed as well, at the best size: a spill per band more, and no concatenation holding the
  // bands and the output at once.
  const concatConv = best.bandBytes > 0 ? (best.result as StreamLayersResult).concatConv : true;
  const only = best.bandBytes > 0 ? (best.result as StreamLayersResult).only : undefined;
  const outputs = best.bandBytes > 0 && context.arenaBudget === undefined && streamedOutputs(sg, best.bandBytes, context.kernels) > 0;
  const withOutputs = outputs ? trialOf(best.bandBytes, { outputs, concatConv, ...(only ? { only } : {}) }) : null;
  if (withOutputs && !withOutputs.over && withOutputs.arena < best.arena) best = { ...withOutputs, bandBytes: best.bandBytes };
  work.subgraphs[0] = best.graph;
  if (atPeaksMayPay && !keepAtPeaks && best.bandBytes > 0) (best.result as StreamLayersResult).atPeaksMayPay = true;
  return best.result;

  /**
   * Where streaming every wide tensor in bands of `bandBytes` is over a limit, only some of them: each round streams
   * one more of the tensors live at the peak (the widest first), or all of them, within the limit and without raising
   * the bytes live at the peak (a plateau of equal peaks is crossed one at a time); the round with the lowest bound
   * plus tail is kept, under an arena budget the lowest bound (`keep`: it replaces the best plan where its placed
   * arena is the lower, or its head where a budget is not met yet). The cost follows the
   * tensors streamed, and most of a budget-limited model's are not at its peak. Returns, where not kept, whether its
   * bound is below the best plan's arena.
   */
  function streamAtPeaks(bandBytes: number, concatConv: ConcatConvBands, keep: boolean): boolean {
    const candidates = new Set([...streamableTensors(sg, bandBytes, context.kernels)].map((t) => sg.tensors[t]!.name));
    const boundOf = (graph: Subgraph) => {
      const timeline = passTimeline(graph, context.kernels);
      const bound = lowerBound(timeline, graph.ops.length + 1);
      work.subgraphs[0] = graph;
      const at = timeline.filter((b) => b.tensor !== null && b.first <= bound.time && bound.time <= b.last);
      const peak = at.map((b) => graph.tensors[b.tensor!]!).sort((a, b) => b.byteSize - a.byteSize).map((t) => t.name);
      return { head: bound.bytes, bytes: bound.bytes + estimateTail32(work, null, context.kernels).bytes, peak };
    };
    const only = new Set<string>();
    let from: { graph: Subgraph; result: SpillResult; bound: ReturnType<typeof boundOf> } = { graph: sg, result: noSpills(), bound: boundOf(sg) };
    // No round raises the bytes live at the peak, and the tail grows with the bands' operators: the lowest sum.
    let lowest = from;
    for (let round = 0; round < AT_PEAK_ROUNDS; round++) {
      let next: typeof from | null = null;
      // One of them alone, else all of them: a chain's input and output alive at its operator go together.
      const peak = from.bound.peak.filter((n) => candidates.has(n) && !only.has(n));
      const tries = [...peak.slice(0, AT_PEAK_TRIES).map((n) => [n]), ...(peak.length > 1 ? [peak] : [])];
      for (const names of tries) {
        const trial = trialOf(bandBytes, { concatConv, only: new Set([...only, ...names]) }, false);
        if (!trial || trial.over) continue;
        const bound = boundOf(trial.graph);
        if (bound.head > from.bound.head) continue;
        for (const n of names) only.add(n);
        next = { graph: trial.graph, result: trial.result, bound };
        break;
      }
      if (!next) break;
      from = next;
      if (nearer({ head: from.bound.head, arena: from.bound.bytes }, { head: lowest.bound.head, arena: lowest.bound.bytes })) lowest = from;
    }
    if (lowest.graph === sg) return false;
    // Not kept: whether its bound is below the best plan's arena (no placement).
    if (!keep) return lowest.bound.bytes < best.arena;
    const placed = arenaOf(lowest.graph);
    if (!fits(best) && nearer(placed, best)) best = { graph: lowest.graph, result: lowest.result, head: placed.head, arena: placed.arena, bandBytes };
    return false;
  }

  /**
   * The operator at the peak in twice as many bands, while that lowers the arena: the band size that pays for most
   * layers leaves a few of them (the widest, or those a band of which holds the most) at the peak, and narrower
   * bands for those alone cost a few operators, not one per band of every layer.
   */
  function splitPeaks(from: typeof best): void {
    const counts = new Map<number, number>();
    // Operators whose split did not pay (a later pass may lower the peak there, as a spill of the stem's input does).
    const tried = new Set<number>();
    for (let round = 0; from.arena < Infinity && round < PEAK_SPLITS; round++) {
      const result = from.result as StreamLayersResult;
      const live = lowerBound(passTimeline(from.graph, context.kernels), from.graph.ops.length + 1).liveBytes;
      // The most bytes live at an operator of a banded operator not tried yet.
      let k = -1;
      let most = -1;
      for (let t = 0; t < live.length; t++) {
        const origin = result.origins[opAt(t)] ?? -1;
        if (live[t]! > most && result.bandCounts.has(origin) && !tried.has(origin)) [k, most] = [origin, live[t]!];
      }
      if (k < 0) break;
      // Where several banded operators hold that many bytes (a plateau), one split alone leaves the others there:
      // all of them split together first.
      const plateau = new Set<number>();
      for (let t = 0; t < live.length; t++) {
        const origin = result.origins[opAt(t)] ?? -1;
        if (live[t] === most && result.bandCounts.has(origin) && !tried.has(origin)) plateau.add(origin);
      }
      const { outputs, concatConv, only } = result;
      const paid = (plateau.size > 1 ? [[...plateau], [k]] : [[k]]).some((ops) => {
        const split = new Map([...counts, ...ops.map((o) => [o, 2 * result.bandCounts.get(o)!] as const)]);
        const trial = trialOf(from.bandBytes, { outputs, concatConv, counts: split, ...(only ? { only } : {}) });
        if (!trial || trial.over || !nearer(trial, from)) return false;
        for (const [o, n] of split) counts.set(o, n);
        best = from = { ...trial, bandBytes: from.bandBytes };
        return true;
      });
      if (!paid) tried.add(k);
      if (fits(from)) break;
    }
  }
}

/** At most this many rounds of streamAtPeaks, each trying at most AT_PEAK_TRIES tensors at the peak alone, then all of them. */
const AT_PEAK_ROUNDS = 24;
const AT_PEAK_TRIES = 2;

/** At most this many rounds of narrower bands at the peak (PassContext.streamBands): each is a streaming and a placement. */
const PEAK_SPLITS = 6;

/**
 * The spill pass once more, on a graph the other passes have run on: it counts each in-place pair as sharing its
 * bytes, keeps the first run's slots where they are and lays its own around them (layOutSpillRegion's fixed slots).
 * After the convolutions in place, where there are any (spillsAfterConvInPlacePass), and on optimize()'s best plan
 * without one (reference kernels): the passes after the first run (bands after the spills, the conv on a virtual
 * concatenation) move the peak to where spills pay again.
 */
export const spillAgain = (work: Graph, context: PassContext): SpillResult =>
  spillWherePays(work, context, { keepRegion: true, inPlaceShared: true }, SPILLS_WITHOUT_GAIN);

/**
 * spillAgain after the convolutions in place: before them a stem whose conv output and input are alive together
 * held the peak, which no spill lowers; once the conv writes over its input (the pair shares its bytes, as the
 * placement lays it out), the peak is elsewhere (a U-Net's decoder with its skips alive), where spills pay.
 */
export const spillsAfterConvInPlacePass: Pass<'spillsAfterConvInPlace', SpillResult> = {
  name: 'spillsAfterConvInPlace',
  run: (work, context) => (hasConvInPlace(work) ? spillAgain(work, context) : noSpills()),
};

/** Whether a convolution of `graph` runs in place (TinySegConvInPlace). */
export const hasConvInPlace = (graph: Graph): boolean => graph.main.ops.some((op) => op.customCode === CONV_IN_PLACE);

/**
 * How many spills in a row the second run measures without the placed head dropping before it stops: its cost
 * model (pairs sharing bytes) finds gains the placement does not follow on long runs (prisma-unet: 2,256 spills
 * measured, 75 s, for a head its 7th spill reached).
 */
const SPILLS_WITHOUT_GAIN = 16;

/**
 * Convolutions at the peak computed in place (transform/conv-in-place.ts) lower the most bytes live at once; the
 * placement must follow for them to pay (the output then sits over the input), so they are kept only when the
 * placed head drops.
 */
export const convInPlacePass: Pass<'convInPlace', ConvInPlaceResult> = {
  name: 'convInPlace',
  run(work, context) {
    const none = { rewritten: 0, bytes: 0 };
    // TinySegConvInPlace is a custom operator: stock TFLite cannot load it.
    if (context.builtinsOnly) return none;
    const before = work.main.clone();
    const result = convsInPlaceAtPeak(work, context.kernels, context.maxInvoke);
    if (result.rewritten === 0) return none;
    const plan = trialPlanOf(context);
    if (placeArena(work.main, plan).head < placeArena(before, plan).head) return result;
    work.subgraphs[0] = before;
    return none;
  },
};

/**
 * SPLITs written as slices (transform/splits-to-slices.ts) pay only where row bands then run through them: kept
 * when the arena the band pass leaves is smaller that way (the passes up to it run on both graphs).
 */
export const splitsToSlicesPass: Pass<'splitsToSlices', SplitsToSlicesResult> = {
  name: 'splitsToSlices',
  run(work, context) {
    const none = { rewritten: 0 };
    if (!work.main.ops.some((op) => splitParts(work.main, op))) return none;
    const sliced = work.clone();
    const result = splitsToSlices(sliced);
    if (arenaAfterBands(sliced.clone(), context, splitsToSlicesPass) >= arenaAfterBands(work.clone(), context, splitsToSlicesPass)) return none;
    work.subgraphs[0] = sliced.main;
    return result;
  },
};

/** The passes in the order they run. */
export const PIPELINE = [
  squeezesToReshapesPass,
  sinkReshapesPass,
  splitsToSlicesPass,
  removeIdentityPadsPass,
  foldPadsPass,
  transposeConvPass,
  reorderPass,
  transposeConvGatherPass,
  splitRowBandsPass,
  hoistNarrowReadersPass,
  spillWhereItPaysPass,
  bandsAfterSpillsPass,
  convOnVirtualConcatPass,
  convInPlacePass,
  spillsAfterConvInPlacePass,
  transposeConvGatherAfterSpillsPass,
] as const;

type PipelinePass = (typeof PIPELINE)[number];
export type PassName = PipelinePass['name'];
/** Each pass's result, by pass name. */
export type PipelineResults = { [P in PipelinePass as P['name']]: ReturnType<P['run']> };

/** The passes in the order OptimizeReport.passes lists them (its JSON key order). */
const REPORT_ORDER = [
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
] as const satisfies readonly PassName[];

/** The spill pass reports its traffic and how many spills it made; the decisions are the report's own `spill` section. */
export type SpillSummary = Omit<SpillResult, 'decisions'> & { count: number };
const spillSummary = (r: SpillResult): SpillSummary => ({
  bytesOut: r.bytesOut,
  bytesIn: r.bytesIn,
  regionBytes: r.regionBytes,
  count: r.decisions.length,
  ...(r.streamed ? { streamed: r.streamed } : {}),
});

/** OptimizeReport.passes: every pass's result (the spill pass's summary). */
export type PassesReport = { [K in (typeof REPORT_ORDER)[number]]: K extends SpillPass ? SpillSummary : PipelineResults[K] };
/** The passes that spill: the report sums each up. */
const SPILL_PASSES = ['spill', 'spillsAfterConvInPlace'] as const satisfies readonly PassName[];
type SpillPass = (typeof SPILL_PASSES)[number];
const isSpillPass = (name: PassName): name is SpillPass => (SPILL_PASSES as readonly PassName[]).includes(name);

/**
 * Runs every pass on `graph` in place, checking the graph after each one. A
 * model with several subgraphs (control flow) is left as it is: the passes
 * see one subgraph only, so they run on an empty one and report nothing done.
 */
export function runPipeline(graph: Graph, context: PassContext, from?: PipelineStop): PipelineResults {
  const results: Partial<Record<PassName, unknown>> = { ...from?.results };
  const work = graph.subgraphs.length > 1 ? new Graph(graph.model, [new Subgraph({ name: '', tensors: [], ops: [], inputs: [], outputs: [], source: null })]) : graph;
  runPasses(work, context, from ? PIPELINE.slice(passesThrough(from.after)) : PIPELINE, results);
  return results as PipelineResults;
}

/** Runs `passes` on `work` in order, each result into `results`, checking the graph after each. */
function runPasses(work: Graph, context: PassContext, passes: readonly PipelinePass[], results: Partial<Record<PassName, unknown>>): void {
  for (const pass of passes) {
    results[pass.name] = pass.run(work, context);
    checkGraph(work, pass.name);
  }
}

/** How many passes of the pipeline run up to and including `name`. */
const passesThrough = (name: PassName): number => PIPELINE.findIndex((p) => p.name === name) + 1;

/** The graph and the results once the passes up to the spill pass have run: where runPipeline may go on from. */
export interface PipelineStop {
  after: 'spill';
  graph: Graph;
  results: Partial<Record<PassName, unknown>>;
}

/**
 * runPipeline, keeping a copy of the graph and the results right after the spill pass when it spilled anything: a
 * variant that differs only in the passes after it (PassContext.bandRowSpills) goes on from there (runPipeline's
 * `from`).
 */
export function runPipelineKeepingSpills(graph: Graph, context: PassContext): { results: PipelineResults; stop: PipelineStop | null } {
  if (graph.subgraphs.length > 1) return { results: runPipeline(graph, context), stop: null };
  const { results, rest } = runThroughSpill(graph, context);
  const spilled = (results.spill as SpillResult).decisions.length > 0;
  const stop: PipelineStop | null = spilled ? { after: 'spill', graph: graph.clone(), results: { ...results } } : null;
  runPasses(graph, context, rest, results);
  return { results: results as PipelineResults, stop };
}

/** The passes up to and with the spill pass run on `graph`: their results, and the passes left. */
function runThroughSpill(graph: Graph, context: PassContext): { results: Partial<Record<PassName, unknown>>; rest: readonly PipelinePass[] } {
  const results: Partial<Record<PassName, unknown>> = {};
  const at = passesThrough('spill');
  runPasses(graph, context, PIPELINE.slice(0, at), results);
  return { results, rest: PIPELINE.slice(at) };
}

/**
 * runPipeline with streamed layers (PassContext.streamLayers), or null, the passes after the spill pass not run,
 * where it streamed nothing (no band size could beat PassContext.arenaToBeat): the plan left would be no better.
 */
export function runStreamedPipeline(graph: Graph, context: PassContext): PipelineResults | null {
  const { results, rest } = runThroughSpill(graph, context);
  if (!(results.spill as SpillResult).streamed) return null;
  runPasses(graph, context, rest, results);
  return results as PipelineResults;
}

/**
 * The least arena `graph` could reach once the passes up to the row bands have run (edited in place; those after
 * `after` only, when given): the most bytes live at once plus TFLM's tail. A cheap look at a variant of the
 * pipeline before paying for its spill pass and placement.
 */
export function arenaAfterBands(graph: Graph, context: PassContext, after?: PipelinePass): number {
  const from = after ? PIPELINE.indexOf(after) + 1 : 0;
  for (const pass of PIPELINE.slice(from, PIPELINE.indexOf(splitRowBandsPass) + 1)) pass.run(graph, context);
  const arena = planTflmArena(graph, context.kernels);
  return arena.lowerBound.bytes + arena.tail.bytes;
}

/** Both runs of the TRANSPOSE_CONV gather, summed up (one report key). */
export const gathered = (a: TransposeConvGatherResult, b: TransposeConvGatherResult | undefined): TransposeConvGatherResult =>
  b ? { rewritten: a.rewritten + b.rewritten, scratchBytes: a.scratchBytes + b.scratchBytes } : a;

/** The results in the report's key order. */
export function passesReport(results: PipelineResults): PassesReport {
  const entries = REPORT_ORDER.map((name) => {
    if (name === 'transposeConvGather') return [name, gathered(results[name], results.transposeConvGatherAfterSpills)] as const;
    return [name, isSpillPass(name) ? spillSummary(results[name]) : results[name]] as const;
  });
  return Object.fromEntries(entries) as PassesReport;
}
