// The human-readable `tinyseg optimize` summary.

import { bytes, kib, table } from '../report/format.js';
import type { OptimizeReport } from './optimize.js';
import { kernelsLabel } from '../ops/kernel-sets.js';


export function renderOptimizeText(r: OptimizeReport): string {
  const out: string[] = [];
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  out.push(`${r.model}: TFLM arena (${kernelsLabel({ set: r.kernels, isa: r.isa })}) head ${bytes(r.before.head)} -> ${bytes(r.after.head)} (${pct(r.headReduction)} less)${r.keptOriginal ? ', original kept: no pass helped' : ''}`);
  out.push('');
  out.push(
    ...table(
      [
        ['', 'before', '', 'after', ''],
        ['  head', bytes(r.before.head), kib(r.before.head), bytes(r.after.head), kib(r.after.head)],
        ['  tail', bytes(r.before.tail), kib(r.before.tail), bytes(r.after.tail), kib(r.after.tail)],
        ['  total', bytes(r.before.total), kib(r.before.total), bytes(r.after.total), kib(r.after.total)],
        ['  lower bound', bytes(r.before.lowerBound), kib(r.before.lowerBound), bytes(r.after.lowerBound), kib(r.after.lowerBound)],
      ],
      new Set([1, 2, 3, 4]),
    ),
  );
  out.push(`  head / lower bound after: ${(r.after.head / Math.max(1, r.after.lowerBound)).toFixed(3)} (placement: ${r.after.planner})`);
  const f = r.headOverStreamingFloor;
  out.push(`  head / streaming floor: ${f.before.toFixed(3)} -> ${f.after.toFixed(3)} (floor ${bytes(r.streamingFloor)}: whole whatever the row bands)`);
  out.push('');
  out.push(`Peak before: op ${r.before.peakOp}, tensors and their longest cold ranges`);
  for (const t of r.before.peakTensors) {
    out.push(`  ${t.name}: ${bytes(t.bytes)}, ${t.coldRange ? `unused by ops ${t.coldRange.after + 1}..${t.coldRange.before - 1} (${t.coldRange.length} ops)` : 'no cold range'}`);
  }
  out.push('');
  const p = r.passes;
  out.push('Passes');
  out.push(`  identity PADs removed: ${p.removeIdentityPads.removed} (${bytes(p.removeIdentityPads.bytes)} of copies)`);
  out.push(`  TRANSPOSE_CONV -> CONV_2D + DEPTH_TO_SPACE: ${p.transposeConv.rewritten} (${bytes(p.transposeConv.scratchBytes)} of int32 scratch gone)`);
  if (p.transposeConvGather.rewritten > 0) out.push(`  TRANSPOSE_CONV -> TinySegTransposeConv (per-pixel accumulators): ${p.transposeConvGather.rewritten} (${bytes(p.transposeConvGather.scratchBytes)} of int32 scratch gone)`);
  if (p.reorder.moved > 0) out.push(`  reordered for memory: ${p.reorder.moved} operators moved (live peak ${kib(p.reorder.peakBefore)} -> ${kib(p.reorder.peakAfter)})`);
  for (const c of p.splitRowBands.chains) out.push(`  split in ${c.bands} row bands: ${c.ops.join(' -> ')} (to '${c.output}'; ${bytes(c.intermediateBytes)} of intermediates never whole)`);
  if (p.convOnVirtualConcat.rewritten > 0) out.push(`  CONV_2D on a virtual concatenation: ${p.convOnVirtualConcat.rewritten} (${bytes(p.convOnVirtualConcat.bytes)} of concatenations never built)`);
  out.push(`  spills: ${r.spill.decisions.length}, ${bytes(r.spill.bytesOut)} out + ${bytes(r.spill.bytesIn)} in per inference, spill region ${bytes(r.spill.regionBytes)}`);
  for (const d of r.spill.decisions) {
    const part = d.count === d.channels ? 'whole' : `channels ${d.begin}..${d.begin + d.count - 1} of ${d.channels}`;
    out.push(`    ${d.tensor}: ${part}, ${bytes(d.bytes)}${d.quantized ? ' as int8' : ''}, ops ${d.spillOp}..${d.fetchOp}${d.fused ? ` (fetched into the ${d.fused === 'add' ? 'ADD' : 'concatenation'})` : ''}; peak ${kib(d.peakBefore)} -> ${kib(d.peakAfter)}`);
  }
  if (r.storage) {
    out.push(`  spill storage on ${r.storage.target}: ${r.storage.summary}`);
    for (const d of r.storage.details) out.push(`    ${d}`);
  }
  const c = r.compute;
  const change = (a: number, b: number) => (a > 0 ? `${b >= a ? '+' : ''}${pct(b / a - 1)}` : '');
  out.push(
    `Compute: ${c.before.macs.toLocaleString('en-US')} -> ${c.after.macs.toLocaleString('en-US')} MACs (${change(c.before.macs, c.after.macs)}), ` +
      `predicted Invoke ${change(1, 1 + c.invoke.reference.overhead)} reference, ${change(1, 1 + c.invoke['cmsis-nn'].overhead)} CMSIS-NN (${c.maxOverhead === null ? 'no limit: the arena budget came first' : `limit ${c.maxOverhead}%`})`,
  );
  out.push('');
  if (r.verified === null) out.push('Verification skipped.');
  else if (r.verification?.equal) {
    out.push(`Verified: bit-identical outputs on ${r.verification.cases.length} inputs (${r.verification.outputBytes} bytes compared).`);
  }
  // A lossy spill's measured error is one of the warnings, which bundlers and watch print too.
  for (const w of r.warnings) out.push(`warning: ${w}`);
  return `${out.join('\n')}\n`;
}
