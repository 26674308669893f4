// <name>_arena.h: the arena size to allocate, as head + tail estimate +
// margin, each its own macro so a reader can see (and override) the parts.
//
// The head is exact: the model carries its own offline plan. The tail is the
// replay of docs/tail-estimate.md, exact for TFLM's reference kernels on a
// 32-bit target; it cannot see kernels outside its tables, so each operator it
// does not model adds UNKNOWN_OP_TAIL_BYTES to the estimate (the doc's "may be
// low" made safe). The margin covers the differences between builds that the
// doc lists as not covered, each as a named term below.

import type { Graph } from '../graph/graph.js';
import { estimateTail32 } from '../tflm/tail.js';
import { ARENA_ALIGNMENT, alignArena } from '../tflm/alignment.js';
import { cComment, cUnsigned } from './c-text.js';
import type { StoragePlan } from '../memory/spill-storage.js';
import { renderTemplateFile } from './template.js';
import { opKey } from '../graph/op-key.js';
import { kernelsLabel, REFERENCE_KERNELS, type Kernels } from '../ops/registry.js';

/** TFLM aligns the arena start up to 16 bytes: an unaligned buffer loses up to 15. */
export const MARGIN_ALIGNMENT_BYTES = ARENA_ALIGNMENT;
/** A RecordingMicroInterpreter allocates 96 to 112 bytes of its own (docs/tail-estimate.md). */
export const MARGIN_RECORDING_BYTES = 112;
/**
 * Per operator: optimized kernel libraries keep their own op data, e.g.
 * CMSIS-NN's conv, depthwise conv, fully connected and pooling wrap the
 * reference struct with one more int; at 16-byte alignment that is at most one
 * more 16-byte unit each.
 */
export const MARGIN_PER_OP_BYTES = ARENA_ALIGNMENT;
/** Allowance for the persistent data of a kernel the tail replay does not model. */
export const UNKNOWN_OP_TAIL_BYTES = 256;

export interface ArenaFigures {
  head: number;
  tail: number;
  margin: number;
  size: number;
  /** Operators (by occurrence) whose kernels the tail replay does not model. */
  unknownOps: string[];
}

export function arenaFigures(graph: Graph, head: number, tail: number, kernels: Kernels = REFERENCE_KERNELS): ArenaFigures {
  const unknown = new Set(estimateTail32(graph, null, kernels).unknownOps);
  const unknownOps = graph.subgraphs.flatMap((sg) => sg.ops.map(opKey).filter((k) => unknown.has(k)));
  const ops = graph.subgraphs.reduce((n, sg) => n + sg.ops.length, 0);
  const tailEstimate = tail + UNKNOWN_OP_TAIL_BYTES * unknownOps.length;
  // The total is rounded up to the alignment: the tail replay assumes an aligned arena end.
  const raw = MARGIN_ALIGNMENT_BYTES + MARGIN_RECORDING_BYTES + MARGIN_PER_OP_BYTES * ops;
  const margin = alignArena(head + tailEstimate + raw) - head - tailEstimate;
  return { head, tail: tailEstimate, margin, size: head + tailEstimate + margin, unknownOps };
}

export interface ArenaHeaderInput {
  id: string;
  macro: string;
  source: string;
  target: string;
  /** The kernels the head and tail assume. */
  kernels: Kernels;
  figures: ArenaFigures;
  ops: number;
  spillRegionBytes: number;
  storage: StoragePlan;
  /** Spilled float32 tensors stored as int8 codes (--lossy-spill), and the error the proof measured; null when exact. */
  lossy: { slots: number; error: string } | null;
}

export function arenaHeader(a: ArenaHeaderInput): string {
  const f = a.figures;
  const tailNote =
    f.unknownOps.length === 0
      ? ' * Every operator of this model is in the replay\'s tables.'
      : ` * Includes ${UNKNOWN_OP_TAIL_BYTES} bytes for each of ${f.unknownOps.length} operators whose kernels it does not model:\n * ${cComment([...new Set(f.unknownOps)].join(', '))}.`;
  const marginNote = [
    ` * ${MARGIN_ALIGNMENT_BYTES} bytes: TFLM aligns the arena start to 16 (an unaligned buffer loses up to 15),`,
    ` * ${MARGIN_RECORDING_BYTES} bytes: a RecordingMicroInterpreter's own allocations,`,
    ...(a.kernels.set === 'reference'
      ? [
          ` * ${MARGIN_PER_OP_BYTES} bytes x ${a.ops} operators: larger op data of optimized kernels (CMSIS-NN),`,
          ' * rounded up so the arena size is a multiple of 16 (the tail replay assumes a',
          ' * 16-aligned arena end). Not covered: scratch buffers optimized kernels request',
          ' * (they grow the head), 64-bit hosts.',
        ]
      : [
          ` * ${MARGIN_PER_OP_BYTES} bytes x ${a.ops} operators: op data of other builds of these kernels,`,
          ' * rounded up so the arena size is a multiple of 16 (the tail replay assumes a',
          ' * 16-aligned arena end). Not covered: 64-bit hosts.',
        ]),
  ].join('\n');
  const storageDetails = a.storage.details.map((d) => ` *   ${cComment(d)}\n`).join('');
  // A firmware reader must see that this model does not compute the original's bytes.
  const regionContent = a.lossy
    ? [
        ` * Compression: none. LOSSY: ${a.lossy.slots} spilled float32 ${a.lossy.slots === 1 ? 'tensor is' : 'tensors are'} stored as int8`,
        ' *   codes (--lossy-spill int8, docs/custom-ops.md "Quantized slots"), so the',
        " *   outputs differ from the original model's:",
        ` *   ${cComment(a.lossy.error)}.`,
      ].join('\n')
    : " * Compression: none; the spill region holds the tensors' raw bytes\n *   (docs/custom-ops.md).";
  return renderTemplateFile('arena.h.tpl', {
    source: cComment(a.source),
    id: a.id,
    MACRO: a.macro,
    target: cComment(a.target),
    kernels: cComment(kernelsLabel(a.kernels)),
    storage: cComment(a.storage.summary),
    storageDetails,
    regionContent: `${regionContent}\n`,
    head: cUnsigned(f.head),
    tail: cUnsigned(f.tail),
    tailNote,
    margin: cUnsigned(f.margin),
    marginNote,
    spillRegion: cUnsigned(a.spillRegionBytes),
  });
}
