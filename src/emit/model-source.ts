// <name>_model.h / <name>_model.cc: the optimized model as a 16-byte aligned
// C array with external linkage, optionally in a section of its own
// (.tinyseg.model.<name>) that <name>_sections.ld places in external flash.

import type { Graph } from '../graph/graph.js';
import { cComment, cUnsigned } from './c-text.js';
import { renderTemplateFile } from './template.js';

export interface ModelSourceInput {
  id: string;
  macro: string;
  /** The model's file name, for the provenance comment. */
  source: string;
  bytes: Uint8Array;
  graph: Graph;
  sections: boolean;
}

const BYTES_PER_LINE = 16;

function byteLines(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += BYTES_PER_LINE) {
    const row = Array.from(bytes.subarray(i, i + BYTES_PER_LINE), (b) => `0x${b.toString(16).padStart(2, '0')}`);
    lines.push(`  ${row.join(', ')},`);
  }
  return lines.join('\n');
}

/** Inputs and outputs with their (untrusted) tensor names, as comment lines. */
function ioComments(graph: Graph): string {
  const sg = graph.main;
  const line = (kind: string, i: number, t: number): string => {
    const tensor = sg.tensors[t]!;
    return ` * ${kind} ${i}: ${tensor.dtype} [${tensor.shape.join(', ')}], ${tensor.byteSize} bytes, '${cComment(tensor.name)}'`;
  };
  return [...sg.inputs.map((t, i) => line('input', i, t)), ...sg.outputs.map((t, i) => line('output', i, t))].join('\n');
}

export function modelHeader(m: ModelSourceInput): string {
  return renderTemplateFile('model.h.tpl', {
    source: cComment(m.source),
    description: cComment(m.graph.model.description ?? '(no description)'),
    modelBytes: String(m.bytes.length),
    id: m.id,
    MACRO: m.macro,
    ioComments: ioComments(m.graph),
  });
}

export function modelSource(m: ModelSourceInput): string {
  return renderTemplateFile('model.cc.tpl', {
    source: cComment(m.source),
    id: m.id,
    sections: m.sections,
    noSections: !m.sections,
    bytes: byteLines(m.bytes),
    modelLen: cUnsigned(m.bytes.length),
  });
}
