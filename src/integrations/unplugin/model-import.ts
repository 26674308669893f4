// What an import of a model costs: reading the file, optimizing it through the
// build flow's content-addressed cache (../build.ts), and remembering the
// result for the rest of the build, so a model imported as default, `?url`
// and `?timeline` is optimized once. The same for every bundler; only how the result becomes a module
// differs (model-module.ts, assets.ts).

import { createHash } from 'node:crypto';
import { relative, sep } from 'node:path';
import { loadGraph } from '../../graph/graph.js';
import type { OptimizeReport } from '../../optimize/optimize.js';
import { renderOptimizeLine, renderOptimizeText } from '../../optimize/optimize-text.js';
import { optimizeModel, type OptimizedModel } from '../build.js';
import { readModelBytes } from '../io/model-bytes.js';
import { EmbeddedSources } from './embedded-sources.js';
import type { ResolvedOptions } from './plugin-options.js';

/** What an import of a model gives: the optimized bytes and what the optimizer found. */
export interface ImportedModel {
  bytes: Uint8Array;
  report: OptimizeReport;
  customOps: string[];
}

function customOpsOf(bytes: Uint8Array): string[] {
  const names = new Set<string>();
  for (const sg of loadGraph(bytes).subgraphs) for (const op of sg.ops) if (op.customCode !== null) names.add(op.customCode);
  return [...names].sort();
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
  // Uploads to the remote cache still running.
  private readonly uploads = new Set<Promise<void>>();

  constructor(options: ResolvedOptions) {
    this.options = options;
    this.sources = options.emit ? new EmbeddedSources(options.emit) : undefined;
  }

  /** One line per model optimized in a build (the `log` option), as `tinyseg optimize --quiet` prints it; the whole report when asked. */
  private print(report: OptimizeReport, cache: OptimizedModel['cache']): void {
    if (this.options.log === false) return;
    const hit = cache === 'hit' || cache === 'remote hit';
    const extra = [...(this.options.emit ? [`emitted ${this.options.emit.dir}`] : []), ...(hit ? [`cache ${cache}`] : [])];
    process.stdout.write(this.options.log === 'report' ? renderOptimizeText(report) : renderOptimizeLine(report, extra));
  }

  /** A new build: models are looked up in the cache again, and C sources written again. */
  clear(): void {
    this.models.clear();
    this.sources?.clear();
  }

  private track(upload: Promise<void>): void {
    this.uploads.add(upload);
    void upload.finally(() => this.uploads.delete(upload));
  }

  /** Waits for the uploads to the remote cache this build started (the bundler's buildEnd), so none is cut off when the build's process exits. */
  async uploaded(): Promise<void> {
    await Promise.all(this.uploads);
  }

  /** The optimized model of the file as it is now, with the bytes it was optimized from; `warn` gets the cache's warnings. */
  async importModel(path: string, warn: (message: string) => void): Promise<ImportedModel & { original: Uint8Array }> {
    const bytes = readModelBytes(path);
    const key = sha256(bytes);
    // Reports name the model relative to the project, so a bundle does not carry the build machine's paths.
    const file = relative(this.root, path).split(sep).join('/');
    let pending = this.models.get(key);
    if (!pending) {
      // Through the build flow's content-addressed cache, so rebuilds and dev-server restarts skip the optimizer.
      const cache = this.options.remoteCache !== undefined ? { remote: this.options.remoteCache } : {};
      pending = optimizeModel({ file, bytes, optimize: this.options.optimize, cache, onWarning: (w) => warn(`tinyseg: ${file}: ${w}`) }).then((r) => {
        this.print(r.report, r.cache);
        // Straight to stderr when they end: the import's warn() belongs to a hook that has returned by then.
        this.track(r.upload.then((ws) => ws.forEach((w) => process.stderr.write(`tinyseg: warning: ${file}: ${w}\n`))));
        return { bytes: r.bytes, report: r.report, customOps: customOpsOf(r.bytes) };
      });
      const models = this.models;
      models.set(key, pending);
      pending.catch(() => models.delete(key));
    }
    // The same bytes under another name share the optimization, not the name.
    const m = await pending;
    const model = m.report.model === file ? m : { ...m, report: { ...m.report, model: file } };
    await this.sources?.emitOnce(path, key, model);
    return { ...model, original: bytes };
  }
}
