// optimize(): the one pipeline behind the CLI, every bundler and CMake.
// bytes -> the passes (optimize/pipeline.ts, the graph checked after each)
// -> our placement as an offline plan -> the interpreter proves the
// result computes the original's bytes -> the optimized .tflite and a report.
// The one exception is asked for by name: `lossySpill: 'int8'` stores spilled
// float32 tensors as int8 codes, and the proof then measures the error.
// Never worse: if the passes do not lower TFLM's arena (to allocate, then in
// use), the result is the original graph with TFLM's own plan frozen as its
// offline plan.

import { coldRanges } from '../analysis/cold-ranges.js';
import { inFile, TinysegError } from '../errors.js';
import { checkModel, INVOKE_REFUSAL, PREPARE_REFUSAL } from '../interpreter/interpreter.js';
import { loadGraph, saveGraph, type Graph, type Op } from '../graph/graph.js';
import { verifyModels, type ProofRun, type VerifyResult } from '../interpreter/verify.js';
import { outputError } from '../report/format.js';
import { inferenceMacs, startProofWorker, startReferenceOutputs, startSharedCases, WORKER_MIN_MACS } from '../interpreter/reference-outputs.js';
import { placeArena } from '../memory/place-arena.js';
import { OFFLINE_PLAN_METADATA, setOfflinePlan } from '../tflm/offline-plan.js';
import { arenaSize } from '../tflm/arena-size.js';
import { memoryReport, type MemoryReport } from '../report/memory-report.js';
import { dropUnusedBuffers } from '../transform/rewrite.js';
import type { SpillResult } from '../transform/spill-cold-ranges.js';
import { joinSpills, writtenSpills } from './spill-positions.js';
import { planSpillStorage, type StoragePlan } from '../memory/spill-storage.js';
import { builtinTargetProfile, kernelsForTarget } from '../memory/target-profile.js';
import type { CoreIsa, KernelSet } from '../ops/kernel-sets.js';
import { DEFAULT_INFERENCE_RATE, DEFAULT_MAX_OVERHEAD, DEFAULT_SPILL_STORAGE, DEFAULT_TARGET } from '../defaults.js';
import { checkOptimizeOptions, withOptimizeDefaults, type OptimizeOptions } from './options.js';
import {
  arenaAfterBands,
  gathered,
  hasConvInPlace,
  passesReport,
  runPipeline,
  runPipelineKeepingSpills,
  runStreamedPipeline,
  spillAgain,
  type PassesReport,
  type PipelineResults,
  type PipelineStop,
} from './pipeline.js';
import type { ConcatConvBands, StreamLayersResult } from '../transform/stream-layers.js';
import { foldPadsIntoConvs } from '../transform/fold-pads-into-convs.js';
import { transposeConvGatherAfterSpillsPass } from '../transform/transpose-conv-gather.js';
import type { PassContext } from '../transform/pass.js';
import { hasSideInputChains } from '../transform/band-chains.js';
import { computeReport, invokeLimit, type ComputeReport } from './compute-report.js';
import { customOpList, customOpMap, type CustomOpDeclaration } from '../ops/custom-op-declaration.js';
import { CONCAT_CONV, decodeConcatConvOptions, regionWrite } from '../ops/tinyseg/custom-ops.js';
import { concatConvReadsInPlace } from '../ops/tinyseg/concat-conv-kernel.js';
import { requireBuiltinsOnly } from './builtins-only.js';
import { customInputsError, proofStatement, unprovedError } from './custom-op-proof.js';

export type { OptimizeOptions } from './options.js';

export const OPTIMIZE_SCHEMA = 'tinyseg.optimize/1';

export interface ArenaFigures {
  head: number;
  tail: number;
  total: number;
  lowerBound: number;
}

/** A tensor alive at the original's peak, with the longest stretch in which no operator touches it. */
export interface PeakTensor {
  name: string;
  bytes: number;
  /** Operators strictly between `after` and `before` do not use the tensor; null when it has no gap. */
  coldRange: { after: number; before: number; length: number } | null;
}

export interface OptimizeReport {
  schema: typeof OPTIMIZE_SCHEMA;
  model: string;
  /** The kernel library the figures assume (their scratch and op data), and the core ISA its sizes depend on. */
  kernels: KernelSet;
  isa: CoreIsa;
  before: ArenaFigures & { peakOp: number; peakTensors: PeakTensor[] };
  /** `arenaSize`: the arena to allocate on a 32-bit target, the emitted <NAME>_ARENA_SIZE (tflm/arena-size.ts). */
  after: ArenaFigures & { arenaSize: number; planner: string };
  /** 1 - after.head / before.head. */
  headReduction: number;
  /**
   * The original's streaming floor (analysis/streaming-floor.ts): what must exist whole whatever the row bands.
   * The written graph's own floor moves with its bands (their slices and joins are not row-local), so the figure of
   * merit divides by the original's.
   */
  streamingFloor: number;
  /** before.head and after.head over `streamingFloor`. */
  headOverStreamingFloor: { before: number; after: number };
  /** What each pass did, in the report's fixed key order (optimize/pipeline.ts). */
  passes: PassesReport;
  spill: { bytesOut: number; bytesIn: number; regionBytes: number; decisions: SpillResult['decisions'] };
  /** True when the interpreter found every output byte equal; null when verification was skipped. */
  verified: boolean | null;
  /** Spills stored quantized (lossySpill): the outputs may differ; `verification` says by how much. */
  lossySpill: { type: 'int8'; slots: number } | null;
  verification: VerifyResult | null;
  /** The original is kept (with TFLM's plan frozen) when the passes did not help. */
  keptOriginal: boolean;
  /** MACs and element ops before and after, each row-band split's recompute, the predicted Invoke() cost per kernel set (docs/compute-model.md). */
  compute: ComputeReport;
  /** The spill region on the target, when a storage and target were given. */
  storage: (StoragePlan & { target: string }) | null;
  /** The custom operators of other projects the build declares (options.customOps, by name): the figures and the op resolver use them. */
  customOps: CustomOpDeclaration[];
  /**
   * Declared custom operators of other projects in the original (op indices):
   * their outputs are not proved (optimize/custom-op-proof.ts); empty for other models.
   */
  unproved: { op: number; name: string }[];
  /** What the proof proved and what not, when there are unproved operators; null otherwise. */
  proof: string | null;
  warnings: string[];
}

export interface OptimizeResult {
  bytes: Uint8Array;
  graph: Graph;
  report: OptimizeReport;
  before: MemoryReport;
  after: MemoryReport;
  /** The original's outputs the proof compared against (for a cache keyed by the model and the proof's inputs); null without a proof. */
  referenceRun: ProofRun | null;
}

/** What optimize() may reuse from earlier runs; not part of the result's identity (the cache key). */
export interface OptimizeContext {
  /**
   * The original's outputs on the proof's cases (verify.ts proofCases with these options' inputs and seed), from
   * an earlier run of this same model: the proof compares against them instead of running the original. Outputs
   * of another shape are ignored.
   */
  referenceRun?: ProofRun;
}

const figures = (r: MemoryReport): ArenaFigures => ({ head: r.arena.head, tail: r.arena.tail, total: r.arena.total, lowerBound: r.lowerBound });

/** Search steps of the spill pass's measuring placements when bands run through joins (PassContext.trialPlanIterations). */
const SIDE_TRIAL_PLAN_ITERATIONS = 200;

/** The best plan's head over the streaming floor above which optimize() also lowers tied peaks from the start. */
const TIED_PEAKS_OVER_FLOOR = 1.25;

export function optimize(modelBytes: Uint8Array, options: OptimizeOptions = {}, context: OptimizeContext = {}): OptimizeResult {
  checkOptimizeOptions(options);
  const opts = withOptimizeDefaults(options);
  const file = opts.file ?? 'model.tflite';
  const original = loadGraph(modelBytes);
  // What TFLM refuses in Prepare is refused before any pass; what it refuses at Invoke is a warning.
  const prepareWarnings = inFile(file, () => checkModel(original, { allowRefused: opts.allowRefused === true }));
  // Custom operators of other projects the firmware links: their memory as declared, run as stand-ins by the proof.
  const customOps = opts.customOps && opts.customOps.length > 0 ? customOpMap(opts.customOps) : undefined;
  // A model TFLM refuses (planned with allowRefused) runs on no build: the passes may use types no TFLM kernel takes,
  // and there is no proof (the interpreter refuses what TFLM refuses: neither model runs to compare).
  const planOnly = prepareWarnings.some((w) => w.includes(PREPARE_REFUSAL) || w.includes(INVOKE_REFUSAL));
  const unprovable = planOnly && opts.allowRefused === true && opts.verify !== false;
  const proof = opts.verify === false || unprovable ? null : { inputs: opts.verify.inputs, seed: opts.verify.seed, ...(customOps ? { customOps } : {}) };
  const known = proof && context.referenceRun && fitsProof(original, context.referenceRun, proof.inputs) ? context.referenceRun : null;
  // A worker thread takes a share of the proof's cases when the model is big enough to pay for it. The thread starts
  // (and loads the interpreter) now; its work starts after the passes: run beside them it slowed them more than it
  // saved (the passes' garbage collection wants the second core).
  const parallel = proof !== null && inferenceMacs(original) >= WORKER_MIN_MACS;
  // Unless the original's outputs are known, each proof case runs the original, then the optimized model taking the
  // results of the operators the rewrite left alone from it (op-reuse.ts).
  const reuseOriginal = proof !== null && !known && original.subgraphs.length === 1;
  if (parallel && !known) startProofWorker();
  // The target a storage implies, and the kernels: opts.kernels > the target's > reference.
  const target = opts.target ?? (opts.storage !== undefined ? builtinTargetProfile(DEFAULT_TARGET)! : undefined);
  // Where the report plans the spill region (planSpillStorage): on the target, given or implied by a storage.
  const storageKind = target ? (opts.storage ?? DEFAULT_SPILL_STORAGE) : undefined;
  const kernels = { ...kernelsForTarget(target, opts.kernels), ...(customOps ? { customOps } : {}), ...(planOnly ? { planOnly } : {}) };
  const before = memoryReport({ file, bytes: modelBytes, graph: original, kernels, prepareWarnings });

  // Work on a fresh copy; its own offline plan (if any) no longer fits once tensors change.
  const fresh = () => {
    const work = loadGraph(modelBytes);
    dropOfflinePlan(work);
    return work;
  };
  /**
   * Which way the passes run: row bands through side inputs or not, PADs folded into convs or not, splits of equal
   * bound chosen by their own peak or by their op data.
   */
  type Variant = {
    bandSideInputs: boolean;
    foldPads: boolean;
    bandsLowLocalPeak?: boolean;
    bandRowSpills?: boolean;
    bandsPlateau?: boolean;
    bandsCarry?: boolean;
    streamLayers?: boolean;
    /** PassContext.arenaToBeat: the best plan's arena so far. */
    arenaToBeat?: number;
    /** PassContext.streamBands: an earlier streamed plan's band size, the peak's operators split further. */
    streamBands?: PassContext['streamBands'];
    /** PassContext.streamInPlace. */
    streamInPlace?: boolean;
    /** PassContext.streamConcatConv. */
    streamConcatConv?: ConcatConvBands;
    /** PassContext.streamAtPeaks. */
    streamAtPeaks?: boolean;
  };
  /**
   * What one search holds its passes to: the predicted Invoke() instructions, and the arena budget they aim at (the
   * option's, or none for the search that also serves a budget); `noSpills`: no spill at all (no spill region).
   */
  type Limits = { maxInvoke: number; arenaBudget: number | undefined; noSpills?: boolean };
  // The spill pass's measured runs, shared by every variant of this call (PassContext.spillRuns).
  const spillRuns: NonNullable<PassContext['spillRuns']> = new Map();
  const passContext = (
    { maxInvoke, arenaBudget, noSpills }: Limits,
    {
      bandSideInputs,
      foldPads,
      bandsLowLocalPeak,
      bandRowSpills,
      bandsPlateau,
      bandsCarry,
      streamLayers,
      arenaToBeat,
      streamBands,
      streamInPlace,
      streamConcatConv,
      streamAtPeaks,
    }: Variant,
  ): PassContext => ({
    ...(opts.maxSpillBytes !== undefined ? { maxSpillBytes: opts.maxSpillBytes } : {}),
    ...(arenaBudget !== undefined ? { arenaBudget } : {}),
    spill: opts.spill && noSpills !== true,
    builtinsOnly: opts.builtinsOnly === true,
    quantizeFloat: opts.lossySpill === 'int8',
    kernels,
    maxInvoke,
    bandSideInputs,
    foldPads,
    bandsLowLocalPeak: bandsLowLocalPeak === true,
    bandRowSpills: bandRowSpills === true,
    bandsPlateau: bandsPlateau === true,
    bandsCarry: bandsCarry !== false,
    streamLayers: streamLayers === true,
    ...(arenaToBeat !== undefined ? { arenaToBeat } : {}),
    ...(streamBands ? { streamBands } : {}),
    ...(streamInPlace !== undefined ? { streamInPlace } : {}),
    ...(streamConcatConv !== undefined ? { streamConcatConv } : {}),
    ...(streamAtPeaks !== undefined ? { streamAtPeaks } : {}),
    // Bands through joins leave many more buffers to place: the spill pass measures its candidates with a shorter search.
    ...(bandSideInputs ? { trialPlanIterations: SIDE_TRIAL_PLAN_ITERATIONS } : {}),
    spillRuns,
  });
  const rewrite = (limits: Limits, variant: Variant, from?: PipelineStop) => {
    const work = from ? from.graph.clone() : fresh();
    const context = passContext(limits, variant);
    const { results: passes, stop } = from ? { results: runPipeline(work, context, from), stop: from } : runPipelineKeepingSpills(work, context);
    return placed(work, passes, context, stop);
  };
  /** The passes' graph placed and written, as a candidate result. */
  const placed = (work: Graph, passes: PipelineResults, context: PassContext, stop: PipelineStop | null) => {
    dropUnusedBuffers(work);
    const placement = placeArena(work.main, { kernels });
    // With several subgraphs TFLM plans them all together (and reads an offline plan oddly for variables): no plan of our own.
    if (work.subgraphs.length === 1) setOfflinePlan(work, placement.offsets);
    const bytes = saveGraph(work);
    const graph = loadGraph(bytes);
    return { passes, placement, bytes, graph, after: memoryReport({ file, bytes, graph, kernels }), stop, work, context };
  };
  let maxOverhead: number | null = opts.maxOverhead;
  // Row bands through side inputs (skip connections, residuals) and without, PADs folded into convs and not:
  // whichever leaves the smaller arena. The passes see subgraph 0 alone, and only in a one-subgraph model (runPipeline).
  const sideChains = original.subgraphs.length === 1 && hasSideInputChains(original.main);
  // On a copy of the graph already read (the fold edits it), not on the file parsed once more.
  const foldable = original.subgraphs.length === 1 && foldPadsIntoConvs(original.clone()).folded > 0;
  const variants: Variant[] = [{ bandSideInputs: false, foldPads: true }];
  if (foldable) variants.push({ bandSideInputs: false, foldPads: false });
  if (sideChains) variants.push({ bandSideInputs: true, foldPads: true }, ...(foldable ? [{ bandSideInputs: true, foldPads: false }] : []));
  // And the wide activations streamed through the spill region, every operator on them in row bands: a plan of
  // another kind, which reaches the streaming floor where the compute limit lets bands be narrow enough.
  // Not to flash: each inference writes every streamed tensor there, which wears it (spill-storage.ts).
  const toFlash = opts.storage === 'flash' || opts.storage === 'internal-flash';
  const streamVariant: Variant | null =
    opts.streamLayers !== false && !toFlash && original.subgraphs.length === 1 && opts.spill && opts.builtinsOnly !== true
      ? { bandSideInputs: false, foldPads: true, streamLayers: true }
      : null;
  type Rewrite = ReturnType<typeof rewrite>;
  // The external RAM the spill region goes to on the target, when the report plans it there (planSpillStorage): a
  // rewrite whose region does not fit it comes after every one whose region does (a streamed plan's region holds every
  // wide tensor).
  const psram = storageKind === 'psram' ? target!.psram : undefined;
  const overRegion = (a: Rewrite) => (psram !== undefined && joinSpills(a.passes.spill, a.passes.spillsAfterConvInPlace).regionBytes > psram.size ? 1 : 0);
  // Under an arena budget, a rewrite whose head fits it first, then the smaller total, then the smaller head; of those
  // that do not fit, the smaller head first (the one nearest the budget, which the error names).
  const key = (a: Rewrite) =>
    opts.arenaBudget !== undefined && a.after.arena.head > opts.arenaBudget
      ? [overRegion(a), 1, a.after.arena.head, a.after.arena.total]
      : [overRegion(a), 0, a.after.arena.total, a.after.arena.head];
  const better = (a: Rewrite, b: Rewrite): boolean => {
    const [ka, kb] = [key(a), key(b)];
    const k = ka.findIndex((x, i) => x !== kb[i]);
    return k >= 0 && ka[k]! < kb[k]!;
  };
  // Whether bands carried rows in the passes a rewrite ran (after the spills only, when it went on from there):
  // keep() plans the same without them as well (the band pass's greedy choices after such a split differ, and may
  // end higher).
  const carried = (r: Rewrite, from?: PipelineStop) =>
    (from ? [r.passes.bandsAfterSpills] : [r.passes.splitRowBands, r.passes.bandsAfterSpills]).some((p) => p.chains.some((c) => c.carried));
  const bestRewrite = (limits: Limits) => {
    const budget = limits.arenaBudget;
    let best = rewrite(limits, variants[0]!);
    let bestVariant = variants[0]!;
    // The best plan where no conv runs in place: the spill pass runs once more on it below.
    let plain: Rewrite | null = null;
    // The streamed plans: the first, and the one whose peak operators are split further (the spill pass again may
    // lower the first's peak, which the split did not see).
    const streamed: Rewrite[] = [];
    const consider = (other: Rewrite, variant: Variant) => {
      if (better(other, best)) [best, bestVariant] = [other, variant];
      // The best plan without streamed layers and each plan with them get the spill pass again: one's cold ranges
      // are not the other's.
      if (hasConvInPlace(other.work)) return;
      if (variant.streamLayers) {
        if (other.passes.spill.streamed) streamed.push(other);
      } else if (!plain || better(other, plain)) plain = other;
    };
    const keep = (other: Rewrite, variant: Variant, from?: PipelineStop) => {
      consider(other, variant);
      if (!carried(other, from)) return;
      const without = { ...variant, bandsCarry: false };
      consider(rewrite(limits, without, from), without);
    };
    keep(best, bestVariant);
    for (const variant of variants.slice(1)) {
      // Spills rarely take an arena far below the bands' own bound: a variant whose bands leave more than the best
      // result's whole arena is not worth its spill pass and placement.
      // Bands through side inputs are the exception: the spill pass then fetches each side input band by band.
      if (!variant.bandSideInputs && arenaAfterBands(fresh(), passContext(limits, variant)) >= best.after.arena.total) continue;
      keep(rewrite(limits, variant), variant);
    }
    // The best of them once more, its splits chosen by their own peak where the bound ties: a peak the spills lower
    // next leaves the bands' own peak as the head (no gate here: the bands' bound is that other peak's). Without a
    // split there is no tie to break.
    const local = { ...bestVariant, bandsLowLocalPeak: true };
    if (best.passes.splitRowBands.chains.length + best.passes.bandsAfterSpills.chains.length > 0) keep(rewrite(limits, local), local);
    // And with the bands after the spills writing spilled stages to their slots row by row: the stage then never
    // exists whole (a U-Net stem that makes a skip), though the bands' choices after it change. The passes up to
    // the spills are the best variant's (kept when it spilled): it goes on from there.
    // Also lowering, on trial, peaks that tie the bound (a stem and a decoder stage, each at the bound): where such
    // splits are kept, the splits after them differ too, so the variant without them is planned as well.
    const stop = best.stop;
    if (stop) {
      const plateau = { ...bestVariant, bandRowSpills: true, bandsPlateau: true };
      const rowSpills = { ...bestVariant, bandRowSpills: true };
      const withPlateau = rewrite(limits, plateau, stop);
      keep(withPlateau, plateau, stop);
      if (withPlateau.passes.bandsAfterSpills.plateau) keep(rewrite(limits, rowSpills, stop), rowSpills, stop);
    }
    // Last, beside the band plans (whose variants above go on from the best of them). With an arena budget, only
    // where none of them fits it: streaming moves every wide tensor through the region, the most traffic of all.
    // Its convolutions' bands read an input left in the arena in place; and under the reference kernels (where the
    // spill pass runs once more on the streamed plans), where such bands are at the peak, also as slices, which that
    // pass may fetch from a spilled input. Under CMSIS-NN, where its int8 convs' bands read their slots
    // (TinySegConcatConv, chosen by the stream pass before the later passes move the peak), also with the depthwise
    // ones' only (the reference kernels have that one kind).
    let inPlaceAtPeak = false;
    let convBands = false;
    let atPeaksMayPay = false;
    const streamedPlan = (work: Graph, passes: PipelineResults, context: PassContext, variant: Variant) => {
      const r = placed(work, passes, context, null);
      // Time 0 is before the first operator: the graph inputs alone.
      const peak = r.after.peak.time > 0 ? r.graph.main.ops[r.after.peak.op] : undefined;
      inPlaceAtPeak ||= variant.streamInPlace === true && peak !== undefined && readsInPlace(peak);
      keep(r, variant);
      return r;
    };
    // Each beside the band plans: the spill pass once more may lower a streamed plan below another streamed one.
    const bandPlans = best.after.arena.total;
    const others: Pick<Variant, 'streamInPlace' | 'streamConcatConv' | 'streamAtPeaks'>[] = [
      { streamInPlace: true },
      { streamInPlace: false },
      { streamConcatConv: 'depthwise' },
      { streamAtPeaks: true },
    ];
    for (const other of streamVariant ? others : []) {
      if (budget !== undefined && best.after.arena.head <= budget) break;
      if (other.streamInPlace === false && (kernels.set !== 'reference' || !inPlaceAtPeak)) continue;
      if (other.streamConcatConv && (kernels.set === 'reference' || !convBands)) continue;
      if (other.streamAtPeaks && !atPeaksMayPay) continue;
      const variant = { ...streamVariant!, ...other };
      // Under a budget the band plans miss, a streamed plan of a larger arena may fit it: none to beat.
      const toBeat = budget === undefined ? { ...variant, arenaToBeat: bandPlans } : variant;
      const work = fresh();
      const context = passContext(limits, toBeat);
      const passes = runStreamedPipeline(work, context);
      const plan = passes && streamedPlan(work, passes, context, toBeat);
      convBands ||= other.streamInPlace === true && passes !== null && (passes.spill as StreamLayersResult).concatConv === true;
      atPeaksMayPay ||= other.streamInPlace === true && passes !== null && (passes.spill as StreamLayersResult).atPeaksMayPay === true;
      // Not where it meets an arena budget, by the widest bands that fit it (the least time, traffic and op data).
      if (plan && (budget === undefined || plan.after.arena.head > budget)) {
        // The same band size with the operators at the peak split further: judged once the later passes have run too
        // (they move the peak), so beside the plan it starts from, and with no arena to beat before them.
        const { bandBytes, outputs, concatConv, only } = plan.passes.spill as StreamLayersResult;
        const split = { ...variant, streamBands: { bandBytes, outputs, concatConv, ...(only ? { only } : {}) } };
        const again = fresh();
        const splitContext = passContext(limits, split);
        const splitPasses = runStreamedPipeline(again, splitContext);
        if (splitPasses && (splitPasses.spill as StreamLayersResult).counts.size > 0) streamedPlan(again, splitPasses, splitContext, split);
      }
    }
    // Peaks that tie the bound before any spill (a stack of like blocks at one resolution, DeepLab's at output
    // stride 8, then its ASPP concatenation), lowered on trial one after the other (bandsPlateau) from the start,
    // with and without bands through side inputs: where the bands alone would then leave less than the best arena.
    // Last, beside every plan above: not where the best head is within TIED_PEAKS_OVER_FLOOR of the streaming floor
    // already (streamed layers often are), little is left to win there for the two band passes the look costs.
    if (best.after.arena.head > TIED_PEAKS_OVER_FLOOR * before.streamingFloor) {
      // From the best band plan's variant: streamed layers make no band chains.
      const bandVariant = bestVariant.streamLayers ? variants[0]! : bestVariant;
      for (const bandSideInputs of sideChains ? [false, true] : [false]) {
        const tied = { ...bandVariant, bandSideInputs, bandsPlateau: true };
        if (arenaAfterBands(fresh(), passContext(limits, tied)) < best.after.arena.total) keep(rewrite(limits, tied), tied);
      }
    }
    for (const r of [plain, ...streamed]) {
      const again = r && spilledAgain(r);
      if (again && better(again, best)) best = again;
    }
    return best;
  };
  /**
   * The spill pass once more on a plan where no conv runs in place (the pipeline ran it where one does), or null
   * where it spills nothing. On the best such plan only (and the streamed ones): run in every plan it took two to
   * three times as long.
   * Reference kernels only: under CMSIS-NN the compute model prices full-resolution convs with few output channels
   * low (docs/compute-model.md), and the spills it allowed took the CMSIS-NN Tiny U-Net to 1.057x the original's
   * instructions on the device, over the 5% budget.
   */
  const spilledAgain = (r: Rewrite): Rewrite | null => {
    if (kernels.set !== 'reference' || r.work.subgraphs.length > 1) return null;
    // The placed plan's graph, without the offline plan its placement wrote.
    const work = r.work.clone();
    dropOfflinePlan(work);
    const again = spillAgain(work, r.context);
    if (again.decisions.length === 0) return null;
    // The spills lower the peak the last gather stopped at: a TRANSPOSE_CONV band's accumulator may be the peak now
    // (prisma-unet streamed: 19 bands, the head 258,048 -> 196,608).
    const transposeConvGatherAfterSpills = gathered(r.passes.transposeConvGatherAfterSpills, transposeConvGatherAfterSpillsPass.run(work, r.context));
    return placed(work, { ...r.passes, spillsAfterConvInPlace: again, transposeConvGatherAfterSpills }, r.context, r.stop);
  };
  const limitOf = (maxOverhead: number) => invokeLimit(original, maxOverhead, kernels);
  let attempt = bestRewrite({ maxInvoke: limitOf(opts.maxOverhead), arenaBudget: opts.arenaBudget });
  // The passes are greedy: with more time allowed, early splits may take a road that ends higher. A limit above the
  // default is a request for less memory, never more: the default's result stays a candidate.
  if (opts.maxOverhead > DEFAULT_MAX_OVERHEAD) {
    const within = bestRewrite({ maxInvoke: limitOf(DEFAULT_MAX_OVERHEAD), arenaBudget: opts.arenaBudget });
    if (better(within, attempt)) attempt = within;
  }
  const fits = (r: Rewrite) => opts.arenaBudget === undefined || r.after.arena.head <= opts.arenaBudget;
  // Aimed at a budget, the passes stop at the widest bands and the fewest spills that fit it, and skip the narrower
  // splits of the plain search (PassContext.arenaBudget): where that misses the budget, the plain search may not.
  if (!fits(attempt)) {
    const plain = bestRewrite({ maxInvoke: limitOf(opts.maxOverhead), arenaBudget: undefined });
    if (better(plain, attempt)) attempt = plain;
  }
  // Where no plan's spill region fits the target's external RAM, the best one that spills nothing (it may still cut
  // the arena with row bands): planSpillStorage would refuse the others.
  if (overRegion(attempt)) {
    const inArena = bestRewrite({ maxInvoke: limitOf(opts.maxOverhead), arenaBudget: opts.arenaBudget, noSpills: true });
    if (better(inArena, attempt)) attempt = inArena;
  }
  // An arena budget is a request for memory: unless a limit was asked for too, it may cost time.
  if (!fits(attempt) && options.maxOverhead === undefined) {
    for (const arenaBudget of [opts.arenaBudget, undefined]) {
      const unlimited = bestRewrite({ maxInvoke: Infinity, arenaBudget });
      if (better(unlimited, attempt)) {
        attempt = unlimited;
        maxOverhead = null;
      }
      if (fits(attempt)) break;
    }
  }
  const { passes, placement } = attempt;
  // Both spill passes' decisions (the second's slots lie around the first's in the one region).
  const spill: SpillResult = joinSpills(passes.spill, passes.spillsAfterConvInPlace);
  let { bytes, graph, after } = attempt;
  let keptOriginal = false;
  let planner: string = placement.planner;

  // Never worse: the input with TFLM's own plan frozen where the rewrite needs no less arena. Less means less to
  // allocate first, then less in use: the offline plan of a tiny rewrite can cost AllocateTensors() more transient
  // bytes than its plan saves (one EXPAND_DIMS: 420 B used for 452, 544 B to allocate for 512, on the device).
  // Under an arena budget, a rewrite that fits it is kept unless the input fits it too and is no larger; one that
  // does not fit gives way to an input that does.
  const originalFits = opts.arenaBudget === undefined || before.arena.head <= opts.arenaBudget;
  const allocate = (g: Graph, r: MemoryReport): number => arenaSize(g, r.arena.head, r.arena.tail, kernels).bytes;
  const frozen = (): { bytes: Uint8Array; graph: Graph; after: MemoryReport; planner: string } => {
    const g = loadGraph(modelBytes);
    dropOfflinePlan(g);
    const p = placeArena(g.main, { kernels });
    if (g.subgraphs.length === 1) setOfflinePlan(g, p.offsets);
    const b = saveGraph(g);
    const loaded = loadGraph(b);
    return { bytes: b, graph: loaded, after: memoryReport({ file, bytes: b, graph: loaded, kernels }), planner: p.planner };
  };
  let kept = originalFits ? frozen() : null;
  if (kept && fits(attempt) && after.arena.total < before.arena.total) {
    const [mine, theirs] = [allocate(graph, after), allocate(kept.graph, kept.after)];
    if (mine < theirs || (mine === theirs && after.arena.total < kept.after.arena.total)) kept = null;
  }
  if (kept) {
    ({ bytes, graph, after } = kept);
    keptOriginal = true;
    planner = kept.planner;
  }
  if (opts.arenaBudget !== undefined && after.arena.head > opts.arenaBudget) {
    const lowest = Math.min(after.arena.head, attempt.after.arena.head);
    throw new TinysegError('E_PLAN', `no plan fits an arena head of ${opts.arenaBudget} bytes: the best found needs ${lowest}`, {
      file,
      hint: options.maxOverhead === undefined ? 'raise --arena-budget or --max-spill-bytes' : 'raise --arena-budget, --max-spill-bytes or --max-overhead',
    });
  }

  if (opts.builtinsOnly === true) requireBuiltinsOnly(original, graph, file);

  const lossySlots = keptOriginal ? 0 : spill.decisions.filter((d) => d.quantized).length;
  let verification: VerifyResult | null = null;
  let referenceRun: ProofRun | null = null;
  if (proof) {
    // The cases shared with the worker, for models worth it: both models' (reuseOriginal), else the optimized model's
    // (after the original's whole run there, for a model of several subgraphs).
    const reference = parallel && !known && !reuseOriginal ? startReferenceOutputs(modelBytes, proof) : null;
    const optimizedShare = parallel ? startSharedCases(bytes, reuseOriginal ? { ...proof, original: modelBytes } : proof) : null;
    try {
      verification = verifyModels(original, graph, {
        ...proof,
        files: [file, `${file} (optimized)`],
        ...(known ? { referenceRun: known } : reference ? { reference } : {}),
        ...(optimizedShare ? { optimizedShare } : {}),
        reuseOriginal,
        // A lossy result is measured to the last byte; an exact one fails at the first difference.
        stopAtFirstDifference: lossySlots === 0,
        keepReference: (run) => (referenceRun = run),
      });
    } catch (e) {
      if (e instanceof TinysegError && e.code === 'E_UNSUPPORTED') {
        throw new TinysegError('E_UNSUPPORTED', `cannot prove the optimized model bit-exact: ${e.message}`, { file, hint: 'optimize without the proof with --no-verify' });
      }
      throw e;
    }
    if (verification.customInputMismatches > 0) throw customInputsError(verification, file);
    if (!verification.equal && !lossySlots) {
      const where = verification.cases.length < proof.inputs + 1 ? ` (the proof stopped at input ${verification.cases.at(-1)!.input})` : '';
      throw new TinysegError('E_PLAN', `the optimized model differs from the original in ${verification.differingBytes} output bytes${where}; nothing was written`, {
        file,
        hint: 'this is a TinySeg bug: please report it with the model',
      });
    }
  }

  const unproved = verification?.standIns ?? [];
  const statement = verification && unproved.length > 0 ? proofStatement(verification, original.main.ops.length) : null;
  if (verification && unproved.length > 0 && opts.allowUnproved !== true) throw unprovedError(verification, original.main.ops.length, file);

  let storage: OptimizeReport['storage'] = null;
  const warnings = [...prepareWarnings, ...after.warnings];
  if (unprovable) warnings.push('not proved: TFLM refuses the model, so neither it nor the optimized one runs to compare (memory planning only)');
  if (lossySlots > 0) {
    const v = verification;
    const error = !v
      ? 'the error was not measured (no proof)'
      : v.equal
        ? `outputs still bit-identical on ${v.cases.length} inputs`
        : `on ${v.cases.length} inputs ${v.differingBytes} of ${v.outputBytes} output bytes differ, ${outputError(v)}`;
    warnings.push(`lossy spill: ${lossySlots} spilled float32 ${lossySlots === 1 ? 'tensor is' : 'tensors are'} stored as int8; ${error}`);
  }
  // The decisions as the written model has them (the passes after the spills move, and may absorb, them).
  const written = writtenSpills(graph, spill);
  if (target && storageKind) {
    const writes = graph.main.ops.flatMap((op) => (op.customCode ? (regionWrite(op.customCode, op.customOptions)?.bytes ?? []) : []));
    const traffic = keptOriginal ? { regionBytes: 0, bytesOut: 0, bytesIn: 0 } : { ...written, writes };
    storage = {
      target: target.name,
      ...planSpillStorage(storageKind, traffic, target, bytes.length, file, opts.inferencesPerSecond ?? DEFAULT_INFERENCE_RATE),
    };
    if (storage.warning) warnings.push(storage.warning);
  }

  const report: OptimizeReport = {
    schema: OPTIMIZE_SCHEMA,
    model: file,
    kernels: kernels.set,
    isa: kernels.isa,
    before: { ...figures(before), peakOp: before.peak.op, peakTensors: peakTensors(original, before) },
    after: { ...figures(after), arenaSize: arenaSize(graph, after.arena.head, after.arena.tail, kernels).bytes, planner },
    headReduction: before.arena.head > 0 ? 1 - after.arena.head / before.arena.head : 0,
    streamingFloor: before.streamingFloor,
    headOverStreamingFloor: { before: overFloor(before.arena.head, before.streamingFloor), after: overFloor(after.arena.head, before.streamingFloor) },
    passes: passesReport(passes),
    spill: keptOriginal
      ? { bytesOut: 0, bytesIn: 0, regionBytes: 0, decisions: [] }
      : written,
    verified: verification ? verification.equal : null,
    lossySpill: lossySlots > 0 ? { type: 'int8', slots: lossySlots } : null,
    verification,
    keptOriginal,
    compute: computeReport(original, graph, keptOriginal ? [] : [passes.splitRowBands, passes.bandsAfterSpills], maxOverhead, kernels.isa),
    storage,
    customOps: customOpList(customOps),
    unproved,
    proof: statement,
    warnings,
  };
  return { bytes, graph, report, before, after, referenceRun };
}

/** Whether `run` has the shape of the original's outputs on the proof's cases (a cached run of this model and inputs). */
function fitsProof(g: Graph, run: ProofRun, inputs: number): boolean {
  const sizes = g.main.outputs.map((t) => g.main.tensors[t]!.byteSize);
  const cases = inputs + 1;
  const fits = (o: Uint8Array[]) => o.length === sizes.length && o.every((b, i) => b.length === sizes[i]);
  return run.outputs.length === cases && run.customInputs.length === cases && run.outputs.every(fits);
}

const overFloor = (head: number, floor: number): number => (floor > 0 ? head / floor : 1);

function peakTensors(g: Graph, r: MemoryReport): PeakTensor[] {
  const cold = new Map(coldRanges(g.main).map((c) => [c.tensor, c]));
  return r.peak.tensors.map((t) => {
    const c = cold.get(t.index);
    return { name: t.name, bytes: t.bytes, coldRange: c && c.length > 0 ? { after: c.after, before: c.before, length: c.length } : null };
  });
}

function dropOfflinePlan(g: Graph): void {
  if (g.model.metadata) g.model.metadata = g.model.metadata.filter((m) => m.name !== OFFLINE_PLAN_METADATA);
}

/** Whether `op` is a TinySegConcatConv band that reads its rows in place. */
const readsInPlace = (op: Op): boolean => op.customCode === CONCAT_CONV && concatConvReadsInPlace(decodeConcatConvOptions(op.customOptions));
