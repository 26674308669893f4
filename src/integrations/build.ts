// The one build flow every integration runs: read the model (errors name the
// file), optimize it through the content-addressed cache, render the firmware
// files if asked, then write every output (io/write-files.ts). `tinyseg
// optimize` (and CMake through it), `tinyseg watch` and the bundler plugin
// differ only in where the bytes come from, where the outputs go and what an
// unchanged output means to their consumers. Every output is rendered before
// the first is written, and they are written all or none: a failing emit or
// write leaves the last good set in place.
//
// The optimizer and the emitters are imported only when a build needs them,
// so a cache hit without --emit loads neither.

import { basename, join } from 'node:path';
import { inFile } from '../errors.js';
import type { EmitEmbeddedOptions, EmbeddableModel } from '../emit/emit-embedded.js';
import type { OptimizeOptions, OptimizeReport, OptimizeResult } from '../optimize/optimize.js';
import { optimizeCached, type CacheOptions } from './cache/optimize-cached.js';
import { readModelBytes } from './io/model-bytes.js';
import { writeOutputs, type OutputFile, type UnchangedOutput } from './io/write-files.js';

/** Firmware files to emit: emitEmbedded()'s options with the directory they go to (`name` defaults to the model file's). */
export type EmitRequest = EmitEmbeddedOptions & { outDir: string };

export interface BuildRequest {
  /** The model file: read from here unless `bytes` is given, and the name messages, the report and the emitted files use. */
  file: string;
  /** The model's bytes when the caller has read them already (watch mode's stable read, a bundler's import). */
  bytes?: Uint8Array;
  /** optimize() options (`file` is the request's). */
  optimize?: Omit<OptimizeOptions, 'file'>;
  /** The optimize cache's location, size cap and remote cache (docs/cache.md), or false to run the optimizer every time. */
  cache?: false | Pick<CacheOptions, 'cacheDir' | 'maxBytes' | 'remote'>;
  /** Write `<dir>/<name>.tflite` and `<dir>/<name>.plan.json`. */
  out?: { dir: string; name: string };
  /** Also write the model's firmware files (emitEmbedded). */
  emit?: EmitRequest;
  /** What happens to an output whose bytes are unchanged (io/write-files.ts); default 'keep'. */
  unchanged?: UnchangedOutput;
  /** The command's other outputs (a chart, a depfile), rendered from the optimized model and written with the rest, all or none, after them. */
  moreOutputs?: (model: OptimizedModel) => Promise<OutputFile[]>;
  /** The cache's warnings, as soon as they are known: before anything is rendered or written. */
  onWarning?: (message: string) => void;
}

export interface OptimizedModel {
  file: string;
  /** The model as read. */
  modelBytes: Uint8Array;
  /** The optimized model. */
  bytes: Uint8Array;
  report: OptimizeReport;
  /** optimize()'s whole result when the optimizer ran in this build (a cache miss, or no cache): its graphs spare decoding the model again. */
  computed?: OptimizeResult;
  /** 'remote hit': from the shared remote cache, and now in the local cache too. */
  cache: 'hit' | 'remote hit' | 'miss' | 'off';
  /** The cache entry's file, when the cache was used. */
  cacheEntry?: string;
  /** On a remote hit: the action result's URL. */
  remoteEntry?: string;
  /** The upload of a computed result to the remote cache (started already): its warnings; never rejects. A process should wait for it before it exits. */
  upload: Promise<string[]>;
  /** A bad cache entry that was recomputed, and cache problems that did not stop the build. */
  warnings: string[];
}

export interface BuiltModel extends OptimizedModel {
  /** Every output of the request, in the order written: the optimized model, the firmware files, the plan. */
  outputs: string[];
}

/** Read -> optimize through the cache -> emit -> write: the whole build of one model. */
export async function buildModel(request: BuildRequest): Promise<BuiltModel> {
  const model = await optimizeModel(request);
  const files: OutputFile[] = [];
  if (request.out) files.push([join(request.out.dir, `${request.out.name}.tflite`), model.bytes]);
  if (request.emit) files.push(...(await renderEmbedded(embeddable(model), model.file, request.emit)));
  if (request.out) files.push([join(request.out.dir, `${request.out.name}.plan.json`), `${JSON.stringify(model.report, null, 2)}\n`]);
  if (request.moreOutputs) files.push(...(await request.moreOutputs(model)));
  writeOutputs(files, request.unchanged ?? 'keep');
  return { ...model, outputs: files.map(([f]) => f) };
}

/** The read and optimize steps of a build: the optimized model without writing anything. */
export async function optimizeModel(request: Pick<BuildRequest, 'file' | 'bytes' | 'optimize' | 'cache' | 'onWarning'>): Promise<OptimizedModel> {
  const { file } = request;
  const modelBytes = request.bytes ?? readModelBytes(file);
  const options: OptimizeOptions = { ...request.optimize, file };
  if (request.cache === false) {
    const { optimize } = await import('../optimize/optimize.js');
    const computed = inFile(file, () => optimize(modelBytes, options));
    return { file, modelBytes, bytes: computed.bytes, report: computed.report, computed, cache: 'off', warnings: [], upload: Promise.resolve([]) };
  }
  const r = await optimizeCached(modelBytes, options, { file, ...request.cache });
  const warnings = [...(r.recovered ? [r.recovered] : []), ...r.warnings];
  for (const w of warnings) request.onWarning?.(w);
  return {
    file,
    modelBytes,
    bytes: r.bytes,
    report: r.report,
    ...(r.computed ? { computed: r.computed } : {}),
    cache: !r.hit ? 'miss' : r.remote !== undefined ? 'remote hit' : 'hit',
    cacheEntry: r.entry,
    ...(r.remote !== undefined ? { remoteEntry: r.remote } : {}),
    warnings,
    upload: r.upload,
  };
}

/** Writes the firmware files of an optimized model (a bundler's `emit`, once per build); returns the files written. */
export async function emitModel(model: EmbeddableModel, file: string, emit: EmitRequest, unchanged: UnchangedOutput): Promise<string[]> {
  return writeOutputs(await renderEmbedded(model, file, emit), unchanged);
}

/** What emitting needs of an optimized model: the graph when the optimizer ran here, else emitEmbedded decodes the bytes. */
const embeddable = (model: OptimizedModel): EmbeddableModel => ({
  bytes: model.bytes,
  report: model.report,
  ...(model.computed ? { graph: model.computed.graph } : {}),
});

async function renderEmbedded(model: EmbeddableModel, file: string, emit: EmitRequest): Promise<OutputFile[]> {
  const { emitEmbedded } = await import('../emit/emit-embedded.js');
  return Object.entries(inFile(file, () => emitEmbedded(model, { ...emit, name: emit.name ?? basename(file) })));
}
