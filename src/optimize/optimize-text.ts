// The human-readable `tinyseg optimize` summary, and the one line build tools
// print (--quiet). Tensor names a pass derived are shown short
// (report/tensor-label.ts); the JSON keeps them whole.

import { bytes, integer, kib, table } from '../report/format.js';
import { tensorLabel } from '../report/tensor-label.js';
import type { OptimizeReport } from './optimize.js';
import { kernelsLabel } from '../ops/kernel-sets.js';

/** What the command knows besides the report: where the arena size is defined, what it wrote, the cache. */
export interface OptimizeTextContext {
  /** The emitted arena header and its size macro, when firmware files were emitted. */
  arenaHeader?: { path: string; macro: string };
  /** Files written, each with what it is. */
  wrote?: { path: string; what: string }[];
  /** One line about the optimize cache. */
  cache?: string;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** "allocate 168,736 bytes ...": the one arena figure to use, the header's <NAME>_ARENA_SIZE. */
export function allocateLine(r: OptimizeReport, header?: OptimizeTextContext['arenaHeader']): string {
  const where = header ? `: ${header.macro}_ARENA_SIZE in ${header.path}` : ' (--emit writes it as <NAME>_ARENA_SIZE)';
  return `Allocate ${bytes(r.after.arenaSize).replace(/ B$/, ' bytes')} for the tensor arena${where}`;
}

/** One line for build tools: the model, the arena to allocate, the saving, the proof. */
export function renderOptimizeLine(r: OptimizeReport, extra: string[] = []): string {
  const proof = r.verified === null ? 'not verified' : r.verified ? 'verified bit-exact' : 'outputs differ (lossy spill)';
  const parts = [`allocate ${bytes(r.after.arenaSize)}`, `head ${bytes(r.before.head)} -> ${bytes(r.after.head)} (${pct(r.headReduction)} less)`, proof, ...extra];
  return `tinyseg: ${r.model}: ${parts.join(', ')}\n`;
}

export function renderOptimizeText(r: OptimizeReport, context: OptimizeTextContext = {}): string {
  const out: string[] = [];
  out.push(`${r.model}: TFLM arena (${kernelsLabel({ set: r.kernels, isa: r.isa })}) head ${bytes(r.before.head)} -> ${bytes(r.after.head)} (${pct(r.headReduction)} less)${r.keptOriginal ? ', original kept: no pass helped' : ''}`);
  out.push('');
  out.push(
    ...table(
      [
        ['', 'before', '', 'after', ''],
        ['  head', bytes(r.before.head), kib(r.before.head), bytes(r.after.head), kib(r.after.head), 'activations and kernel scratch, as TFLM plans them'],
        ['  tail', bytes(r.before.tail), kib(r.before.tail), bytes(r.after.tail), kib(r.after.tail), "TFLM's persistent runtime data (32-bit)"],
        ['  total', bytes(r.before.total), kib(r.before.total), bytes(r.after.total), kib(r.after.total), 'head + tail: arena_used_bytes()'],
        ['  lower bound', bytes(r.before.lowerBound), kib(r.before.lowerBound), bytes(r.after.lowerBound), kib(r.after.lowerBound), 'most bytes alive at once'],
      ],
      new Set([1, 2, 3, 4]),
    ),
  );
  out.push(`  head / lower bound after: ${(r.after.head / Math.max(1, r.after.lowerBound)).toFixed(3)} (placement: ${r.after.planner})`);
  const f = r.headOverStreamingFloor;
  out.push(`  head / streaming floor: ${f.before.toFixed(3)} -> ${f.after.toFixed(3)} (floor ${bytes(r.streamingFloor)}: whole whatever the row bands)`);
  out.push(`  ${allocateLine(r, context.arenaHeader)}`);
  out.push(`    (total + what AllocateTensors() needs on the way, 16-byte aligned)`);
  out.push('');
  out.push(`Peak before: op ${r.before.peakOp}, tensors and their longest cold ranges`);
  for (const t of r.before.peakTensors) {
    out.push(`  ${tensorLabel(t.name)}: ${bytes(t.bytes)}, ${t.coldRange ? `unused by ops ${t.coldRange.after + 1}..${t.coldRange.before - 1} (${t.coldRange.length} ops)` : 'no cold range'}`);
  }
  out.push('');
  out.push(...passLines(r));
  const c = r.compute;
  const change = (a: number, b: number) => (a > 0 ? `${b >= a ? '+' : ''}${pct(b / a - 1)}` : '');
  out.push(
    `Compute: ${integer(c.before.macs)} -> ${integer(c.after.macs)} MACs (${change(c.before.macs, c.after.macs)}), ` +
      `predicted Invoke ${change(1, 1 + c.invoke.reference.overhead)} reference, ${change(1, 1 + c.invoke['cmsis-nn'].overhead)} CMSIS-NN (${c.maxOverhead === null ? 'no limit: the arena budget came first' : `limit ${c.maxOverhead}%`})`,
  );
  out.push('');
  if (r.verified === null) out.push('Verification skipped.');
  else if (r.verification?.equal && r.proof) out.push(`Verified in part (--allow-unproved): ${r.proof}.`);
  else if (r.verification?.equal) {
    out.push(`Verified: bit-identical outputs on ${r.verification.cases.length} inputs (${r.verification.outputBytes} bytes compared).`);
  }
  // A lossy spill's measured error is one of the warnings, which bundlers and watch print too.
  for (const w of r.warnings) out.push(`warning: ${w}`);
  if (context.cache) out.push(context.cache);
  if (context.wrote && context.wrote.length > 0) {
    out.push('');
    out.push('Wrote');
    out.push(...table(context.wrote.map((w) => [`  ${w.path}`, w.what])));
  }
  return `${out.join('\n')}\n`;
}

/** How a fused spill comes back, by SpillDecision.fused. */
const FETCHED = { concat: ' (fetched into the concatenation)', add: ' (fetched into the ADD)', rows: ' (fetched row band by row band)' } as const;

/** What the passes did; a pass that changed nothing, and a spill's peak when it did not move, are left out. */
function passLines(r: OptimizeReport): string[] {
  const p = r.passes;
  const lines: string[] = [];
  if (p.squeezesToReshapes.rewritten > 0) {
    const n = p.squeezesToReshapes.rewritten;
    lines.push(`  SQUEEZE/EXPAND_DIMS -> RESHAPE: ${n} (in place: ${n === 1 ? 'it copies' : 'they copy'} nothing)`);
  }
  if (p.sinkReshapes.moved > 0) lines.push(`  RESHAPEs moved after ${p.sinkReshapes.moved} element-wise operator${p.sinkReshapes.moved === 1 ? '' : 's'} (run in row bands, the RESHAPE in place)`);
  if (p.splitsToSlices.rewritten > 0) lines.push(`  SPLIT/SPLIT_V -> STRIDED_SLICEs: ${p.splitsToSlices.rewritten} (run in row bands)`);
  if (p.removeIdentityPads.removed > 0) lines.push(`  identity PADs removed: ${p.removeIdentityPads.removed} (${bytes(p.removeIdentityPads.bytes)} of copies)`);
  if (p.foldPads.folded > 0) lines.push(`  PADs folded into the next conv's SAME padding: ${p.foldPads.folded} (${bytes(p.foldPads.bytes)} of padded copies never made)`);
  if (p.transposeConv.rewritten > 0) lines.push(`  TRANSPOSE_CONV -> CONV_2D + DEPTH_TO_SPACE: ${p.transposeConv.rewritten} (${bytes(p.transposeConv.scratchBytes)} of int32 scratch gone)`);
  if (p.transposeConvGather.rewritten > 0) lines.push(`  TRANSPOSE_CONV -> TinySegTransposeConv (per-pixel accumulators): ${p.transposeConvGather.rewritten} (${bytes(p.transposeConvGather.scratchBytes)} of int32 scratch gone)`);
  if (p.reorder.moved > 0) lines.push(`  reordered for memory: ${p.reorder.moved} operators moved (live peak ${kib(p.reorder.peakBefore)} -> ${kib(p.reorder.peakAfter)})`);
  for (const c of [...p.splitRowBands.chains, ...p.bandsAfterSpills.chains]) {
    lines.push(`  split in ${c.bands} row bands: ${c.ops.join(' -> ')} (to ${tensorLabel(c.output)}; ${bytes(c.intermediateBytes)} of intermediates never whole)`);
  }
  if (p.convOnVirtualConcat.rewritten > 0) lines.push(`  CONV_2D on a virtual concatenation: ${p.convOnVirtualConcat.rewritten} (${bytes(p.convOnVirtualConcat.bytes)} of concatenations never built)`);
  const streamed = p.spill.streamed;
  if (streamed) {
    const tensors = r.spill.decisions.filter((d) => d.streamed).length;
    lines.push(`  layers streamed: ${streamed.layers} operators in ${streamed.bands} row bands through the spill region (${tensors} tensors never whole)`);
  }
  if (r.spill.decisions.length > 0) {
    lines.push(`  spills: ${r.spill.decisions.length}, ${bytes(r.spill.bytesOut)} out + ${bytes(r.spill.bytesIn)} in per inference, spill region ${bytes(r.spill.regionBytes)}`);
    for (const d of r.spill.decisions) {
      const part = d.count === d.channels ? 'whole' : `channels ${d.begin}..${d.begin + d.count - 1} of ${d.channels}`;
      const fused = d.fused ? FETCHED[d.fused] : '';
      // A spill may leave the peak's height and shorten its plateau (spill-cold-ranges.ts): say so rather than "x -> x".
      const kibChanged = kib(d.peakBefore) !== kib(d.peakAfter);
      const peak = d.streamed
        ? ', streamed'
        : d.peakAfter === d.peakBefore
          ? '; peak unchanged, at fewer operators'
          : `; peak ${kibChanged ? kib(d.peakBefore) : bytes(d.peakBefore)} -> ${kibChanged ? kib(d.peakAfter) : bytes(d.peakAfter)}`;
      lines.push(`    ${tensorLabel(d.tensor)}: ${part}, ${bytes(d.bytes)}${d.quantized ? ' as int8' : ''}, ops ${d.spillOp}..${d.fetchOp}${fused}${peak}`);
    }
  }
  if (r.storage) {
    lines.push(`  spill storage on ${r.storage.target}: ${r.storage.summary}`);
    for (const d of r.storage.details) lines.push(`    ${d}`);
  }
  return lines.length > 0 ? ['Passes', ...lines] : ['Passes: none changed the model'];
}
