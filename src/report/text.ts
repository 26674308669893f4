// The human-readable `tinyseg report` table.

import { bytes, kib, shape, table } from './format.js';
import type { MemoryReport } from './memory-report.js';
import { kernelsLabel } from '../ops/kernel-sets.js';
import { tensorLabel } from './tensor-label.js';

/** `allocate`: the arena to allocate for the model (tflm/arena-size.ts), printed as the one figure to use. */
export function renderReportText(r: MemoryReport, extra: { allocate?: number } = {}): string {
  const out: string[] = [];
  out.push(`${r.model.file}  (${bytes(r.model.bytes)}, ${r.ops} operators, ${r.tensors} tensors)`);
  const ops = Object.entries(r.opTypes)
    // Code-unit order on ties, not localeCompare: the same report on every machine, whatever its locale.
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([k, v]) => `${k} x${v}`)
    .join(', ');
  out.push(`  ops: ${ops}`);
  out.push('');
  out.push(`TFLM arena (GreedyMemoryPlanner, ${kernelsLabel({ set: r.kernels, isa: r.isa })}, 32-bit target)`);
  out.push(
    ...table(
      [
        ['  head', bytes(r.arena.head), kib(r.arena.head), 'activations + kernel scratch (exact)'],
        ['  tail', bytes(r.arena.tail), kib(r.arena.tail), 'persistent runtime data, 32-bit'],
        ['  total', bytes(r.arena.total), kib(r.arena.total), 'head + tail: arena_used_bytes()'],
        ['  lower bound', bytes(r.lowerBound), kib(r.lowerBound), `max live bytes; head / bound = ${r.headOverLowerBound.toFixed(3)}`],
        ['  streaming floor', bytes(r.streamingFloor), kib(r.streamingFloor), `whole whatever the row bands; head / floor = ${r.headOverStreamingFloor.toFixed(3)}`],
      ],
      new Set([1, 2]),
    ),
  );
  if (extra.allocate !== undefined) {
    out.push(`  Allocate ${bytes(extra.allocate).replace(/ B$/, ' bytes')} for the tensor arena (total + what AllocateTensors() needs on the way)`);
  }
  if (r.spillRegion) {
    const q = r.spillRegion.quantized;
    const lossy = q > 0 ? `; ${q} stored as int8 codes: LOSSY (--lossy-spill)` : '';
    out.push(`  spill region  ${bytes(r.spillRegion.bytes)} besides the arena, for ${r.spillRegion.spills} spill${r.spillRegion.spills === 1 ? '' : 's'} (TinySeg operators)${lossy}`);
  }
  for (const d of r.declaredOps) {
    const list = (xs: number[]) => (xs.length === 0 ? 'none' : xs.map(bytes).join(' + '));
    out.push(`  CUSTOM:${clip(d.name)} x${d.ops}: scratch ${list(d.scratchBytes)}, persistent ${list(d.persistentBytes)}, as declared (--custom-op), not known to TinySeg`);
  }
  out.push('');
  const scratchNote = r.peak.scratch.length > 0 ? ` and ${r.peak.scratch.length} kernel scratch buffer(s)` : '';
  out.push(`Peak: ${bytes(r.peak.liveBytes)} live at op ${r.peak.op} (${r.peak.opcode}): ${r.peak.tensors.length} tensors${scratchNote}`);
  out.push(
    ...table(
      [
        ['  tensor', 'name', 'shape', 'dtype', 'bytes'],
        ...r.peak.tensors.map((t) => [`  ${t.index}`, clip(tensorLabel(t.name)), shape(t.shape), t.dtype, bytes(t.bytes)]),
        ...r.peak.scratch.map((s) => ['  -', `scratch of op ${s.op} (${s.opcode})`, '', '', bytes(s.bytes)]),
      ],
      new Set([4]),
    ),
  );
  out.push('');
  if (r.coldRanges.length === 0) {
    out.push('No cold ranges: every tensor is used by the operator right after the one before.');
  } else {
    out.push('Longest cold ranges (operators during which a live tensor is not touched):');
    out.push(
      ...table(
        [
          ['  tensor', 'name', 'bytes', 'cold between ops', 'length'],
          ...r.coldRanges.map((c) => [`  ${c.index}`, clip(tensorLabel(c.name)), bytes(c.bytes), `${c.after} -> ${c.before}`, `${c.length} ops`]),
        ],
        new Set([2, 4]),
      ),
    );
  }
  for (const w of r.warnings) out.push(`warning: ${w}`);
  return out.join('\n') + '\n';
}

function clip(name: string, max = 52): string {
  // Tensor names come from the model file: keep control characters off the terminal.
  const clean = name.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return clean.length <= max ? clean : `${clean.slice(0, max - 3)}...`;
}
