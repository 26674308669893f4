// What an import of a model costs: reading the file, optimizing it through the
// content-addressed cache, and remembering the result for the rest of the
// build, so a model imported as default, `?url` and `?timeline` is optimized
// once. The same for every bundler; only how the result becomes a module
// differs (model-module.ts, assets.ts).

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { TinysegError } from '../../errors.js';
import { loadGraph } from '../../graph/graph.js';
import type { OptimizeOptions, OptimizeReport } from '../../optimize/optimize.js';
import { optimizeCached } from '../cache.js';
import { EmbeddedSources } from './embedded-sources.js';
import type { ResolvedOptions } from './plugin-options.js';

/** What an import of a model gives: the optimized bytes and what the optimizer found. */
export interface ImportedModel {
  bytes: Uint8Array;
  report: OptimizeReport;
  customOps: string[];
}

/** The one place a model is optimized for an import: through the content-addressed cache, so rebuilds and dev-server restarts skip the optimizer. */
export async function optimizeForImport(
  bytes: Uint8Array,
  options: Omit<OptimizeOptions, 'file'>,
  file: string,
  warn: (message: string) => void = () => {},
): Promise<{ bytes: Uint8Array; report: OptimizeReport }> {
  const result = await optimizeCached(bytes, { ...options, file }, { file });
  for (const w of [...(result.recovered ? [result.recovered] : []), ...result.warnings]) warn(`tinyseg: ${file}: ${w}`);
  return { bytes: result.bytes, report: result.report };
}

function customOpsOf(bytes: Uint8Array): string[] {
  const names = new Set<string>();
  for (const sg of loadGraph(bytes).subgraphs) for (const op of sg.ops) if (op.customCode !== null) names.add(op.customCode);
  return [...names].sort();
}

export function readModelBytes(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new TinysegError('E_IO', `cannot read model: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`, { file: path });
  }
}

export const sha256 = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');

/** The models one plugin instance has optimized in the current build. */
export class ModelImports {
  /** Reports name models relative to this directory: the working directory, or Vite's root. */
  root = process.cwd();
  private readonly options: ResolvedOptions;
  private readonly sources: EmbeddedSources | undefined;
  // One optimization per model content and build, however often it is imported.
  private readonly models = new Map<string, Promise<ImportedModel>>();

  constructor(options: ResolvedOptions) {
    this.options = options;
    this.sources = options.emit ? new EmbeddedSources(options.emit) : undefined;
  }

  /** A new build: models are looked up in the cache again, and C sources written again. */
  clear(): void {
    this.models.clear();
    this.sources?.clear();
  }

  /** The optimized model of the file as it is now, with the bytes it was optimized from; `warn` gets the cache's warnings. */
  async importModel(path: string, warn: (message: string) => void): Promise<ImportedModel & { original: Uint8Array }> {
    const bytes = readModelBytes(path);
    const key = sha256(bytes);
    // Reports name the model relative to the project, so a bundle does not carry the build machine's paths.
    const file = relative(this.root, path).split(sep).join('/');
    let pending = this.models.get(key);
    if (!pending) {
      pending = optimizeForImport(bytes, this.options.optimize, file, warn).then((r) => ({
        bytes: r.bytes,
        report: r.report,
        customOps: customOpsOf(r.bytes),
      }));
      const models = this.models;
      models.set(key, pending);
      pending.catch(() => models.delete(key));
    }
    // The same bytes under another name share the optimization, not the name.
    const m = await pending;
    const model = m.report.model === file ? m : { ...m, report: { ...m.report, model: file } };
    this.sources?.emitOnce(path, key, model);
    return { ...model, original: bytes };
  }
}
