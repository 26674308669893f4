// <name>_arena.h: the arena size to allocate (tflm/arena-size.ts), for the
// 32-bit target and for a 64-bit host (firmware unit tests on a PC); head and
// tail stay their own macros so a reader can see the parts.
//
// The head is exact: the model carries its own offline plan. The tail is the
// replay of docs/tail-estimate.md, exact for TFLM's reference kernels on a
// 32-bit target, plus UNKNOWN_OP_TAIL_BYTES per operator it does not model.
// The arena start must be 16-byte aligned (the header says alignas(16)); the
// transient model assumes it.

import type { Graph } from '../graph/graph.js';
import { arenaSize, UNKNOWN_OP_TAIL_BYTES } from '../tflm/arena-size.js';
import type { AllocateStep } from '../tflm/allocate-tensors.js';
import { cComment, cUnsigned } from './c-text.js';
import type { StoragePlan } from '../memory/spill-storage.js';
import { renderTemplateFile } from './template.js';
import { kernelsLabel, REFERENCE_KERNELS, type Kernels } from '../ops/registry.js';

export { UNKNOWN_OP_TAIL_BYTES };

export interface ArenaFigures {
  head: number;
  tail: number;
  size: number;
  /** Operators (by occurrence) whose kernels the tail replay does not model. */
  unknownOps: string[];
  /** arena_used_bytes() on the 32-bit target: head + tail (before the unknown-op allowance). */
  used: number;
  /** The smallest arena AllocateTensors() accepts on the 32-bit target, and the step that binds it. */
  minimal: number;
  binding: AllocateStep;
  /** The same on a 64-bit host. */
  host64: number;
}

export function arenaFigures(graph: Graph, head: number, tail: number, kernels: Kernels = REFERENCE_KERNELS): ArenaFigures {
  const target = arenaSize(graph, head, tail, kernels, 32);
  const host = arenaSize(graph, head, tail, kernels, 64);
  const { tail: tailEstimate, bytes: size, unknownOps, used, binding } = target;
  return { head, tail: tailEstimate, size, unknownOps, used, minimal: size, binding, host64: host.bytes };
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
  const bindingNote =
    f.binding === 'final size'
      ? 'all TFLM needs on the way fits in it'
      : `TFLM needs more on the way (binding: ${f.binding})`;
  const allowance = f.unknownOps.length === 0 ? '' : `, plus the unknown operators' allowance`;
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
    used: String(f.used),
    bindingNote: `${bindingNote}${allowance}`,
    size: cUnsigned(f.size),
    host64: cUnsigned(f.host64),
    spillRegion: cUnsigned(a.spillRegionBytes),
  });
}
