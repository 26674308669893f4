// emitEmbedded(): the C/C++ and linker files a firmware build needs for one
// optimized model, rendered from templates/. Pure: it returns file names and
// contents; the caller writes them (the CLI atomically).

import { basename, join } from 'node:path';
import { TinysegError } from '../errors.js';
import { loadGraph, type Graph } from '../graph/graph.js';
import type { TargetProfile } from '../memory/target-profile.js';
import { outputError } from '../report/format.js';
import type { OptimizeReport } from '../optimize/optimize.js';
import { plannedKernels } from '../optimize/options.js';
import { arenaFigures, arenaHeader } from './arena-header.js';
import { cIdentifier, cMacroName } from './c-text.js';
import { linkerFragment } from './linker-fragment.js';
import { modelHeader, modelSource } from './model-source.js';
import { resolverHeader, resolverOps, tflmKernelsHeader } from './op-resolver.js';
import { initSources, RUNTIME_FILES, runtimeFile } from './runtime-sources.js';
import { planSpillStorage, SPILL_STORAGES, type SpillStorage } from '../memory/spill-storage.js';
import { DEFAULT_SPILL_STORAGE } from '../defaults.js';

export interface EmitEmbeddedOptions {
  /** Base of the C names and files; default: the model file's name. Sanitized into a C identifier either way. */
  name?: string;
  /** Prefix the returned file names with this directory. */
  outDir?: string;
  profile: TargetProfile;
  /** Put the model array in its own section, .tinyseg.model.<name>, placed in external flash by <name>_sections.ld. */
  sections?: boolean;
  /** Where the spill region lives (default psram). */
  storage?: SpillStorage;
  /** The vendor linker script's MEMORY region for the spill region (default: the profile's, e.g. psram.region, else PSRAM). */
  spillRegion?: string;
}

/** What emitting needs of an optimize() result; a cached result without its graph is decoded again. */
export interface EmbeddableModel {
  bytes: Uint8Array;
  report: OptimizeReport;
  graph?: Graph;
}

export const TFLM_KERNELS_HEADER = 'tinyseg_tflm_kernels.h';

/** The C identifier emitEmbedded uses for a model file or a --name. */
export const embeddedName = (name: string): string => cIdentifier(basename(name).replace(/\.tflite$/i, ''));

export function emitEmbedded(result: EmbeddableModel, opts: EmitEmbeddedOptions): Record<string, string> {
  const file = result.report.model;
  const storage = opts.storage ?? DEFAULT_SPILL_STORAGE;
  if (!SPILL_STORAGES.includes(storage)) {
    throw new TinysegError('E_USAGE', `unknown spill storage '${String(storage)}'`, { hint: `use one of ${SPILL_STORAGES.join(', ')}` });
  }
  const id = embeddedName(opts.name ?? file);
  const macro = cMacroName(id);
  const sections = opts.sections === true;
  const source = basename(file);
  const { bytes, report } = result;
  const graph = result.graph ?? loadGraph(bytes);
  const ops = graph.subgraphs.reduce((n, sg) => n + sg.ops.length, 0);

  // Everything that can fail is checked before anything is rendered.
  // Custom operators of other projects the build declared: their memory in the figures, their registration in the resolver.
  const kernels = plannedKernels(report);
  const resolver = resolverOps(graph, file, kernels.customOps);
  const storagePlan = planSpillStorage(storage, report.spill, opts.profile, bytes.length, file);
  const ld = linkerFragment({
    id,
    macro,
    source,
    profile: opts.profile,
    sections,
    modelBytes: bytes.length,
    storage: storagePlan,
    ...(opts.spillRegion !== undefined ? { spillRegion: opts.spillRegion } : {}),
    file,
  });

  const model = { id, macro, source, bytes, graph, sections };
  const files: [string, string][] = [
    [`${id}_model.h`, modelHeader(model)],
    [`${id}_model.cc`, modelSource(model)],
    [
      `${id}_arena.h`,
      arenaHeader({
        id,
        macro,
        source,
        target: `${opts.profile.name} (${opts.profile.cpu})`,
        kernels,
        figures: arenaFigures(graph, report.after.head, report.after.tail, kernels),
        ops,
        spillRegionBytes: report.spill.regionBytes,
        storage: storagePlan,
        lossy: report.lossySpill ? { slots: report.lossySpill.slots, error: lossyError(report.verification) } : null,
      }),
    ],
    [`${id}_resolver.h`, resolverHeader({ id, macro, source, ops: resolver })],
  ];
  if (ld !== null) files.push([`${id}_sections.ld`, ld]);
  // The runtime, the kernels and the init call, for every model: the set a firmware compiles is the same
  // whatever the optimizer chose (build systems list it before the optimizer runs).
  const init = initSources({ id, macro, source, storage: storagePlan, regionBytes: report.spill.regionBytes });
  files.push([`${id}_tinyseg.h`, init.header], [`${id}_tinyseg.c`, init.source], [TFLM_KERNELS_HEADER, tflmKernelsHeader(report.kernels)]);
  for (const name of RUNTIME_FILES) files.push([name, runtimeFile(name)]);
  return Object.fromEntries(files.map(([name, text]) => [opts.outDir === undefined ? name : join(opts.outDir, name), text]));
}

/** The measured error of a lossy model, as the arena header states it. */
function lossyError(v: OptimizeReport['verification']): string {
  if (!v) return 'the error was not measured (optimized without the proof)';
  if (v.equal) return `bit-identical on the ${v.cases.length} inputs TinySeg tried`;
  return `${outputError(v)} on ${v.cases.length} inputs`;
}
