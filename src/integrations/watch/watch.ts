// watchModels(): keep optimized models up to date while their .tflite files
// change. chokidar reports events as they happen and an exporter or editor
// writes a model in several steps, so events are batched (a quiet time of
// ~200 ms, as tsc does), one build runs at a time, and changes that arrive
// during a build become a single queued re-run. A build re-optimizes only the
// changed models through the build flow (../build.ts): the optimize cache,
// each output written by temp file + rename (a consumer sees the old file or
// the new one, never a half-written one) and left alone when its bytes did
// not change (a firmware build watching it does not recompile). A model that
// is broken mid-edit is reported and its last good outputs stay as they are;
// the next save that fixes it rebuilds it.

import { statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import { watch, type FSWatcher } from 'chokidar';
import { TinysegError } from '../../errors.js';
import type { EmitEmbeddedOptions } from '../../emit/emit-embedded.js';
import type { OptimizeOptions } from '../../optimize/optimize.js';
import { buildModel } from '../build.js';
import type { CacheOptions } from '../cache/optimize-cached.js';
import { readModelStable } from '../io/read-stable.js';

export interface WatchOptions {
  /** Where `<name>.tflite` and `<name>.plan.json` go; a watched directory's subdirectories are kept. */
  outDir: string;
  /** optimize() options for every model (`file` is set per model). */
  optimize?: Omit<OptimizeOptions, 'file'>;
  /** Also write the firmware files of each model (emitEmbedded) under this directory. */
  emit?: Omit<EmitEmbeddedOptions, 'outDir'> & { outDir: string };
  /** false: recompute every model on every change (default: the optimize cache). */
  cache?: boolean;
  /** The optimize cache's location, size cap and remote cache (docs/cache.md). */
  cacheOptions?: Pick<CacheOptions, 'cacheDir' | 'maxBytes' | 'remote'>;
  /** Quiet time after the last event before a build starts (default 200 ms). */
  debounceMs?: number;
}

export type WatchEvent =
  /** A build starts: the initial one over every model found, or one over the changed models. */
  | { type: 'build-start'; time: Date; initial: boolean; files: string[] }
  | { type: 'model-built'; file: string; before: number; after: number; cache: 'hit' | 'remote hit' | 'miss' | 'off'; ms: number; outputs: string[]; warnings: string[] }
  /** `message` is one line naming the file; `unchanged` repeats the error of a model this build did not touch. */
  | { type: 'model-error'; file: string; message: string; error: unknown; unchanged: boolean }
  /** The model changed while it was read: it is built again after the next batch. */
  | { type: 'model-retry'; file: string; why: string }
  /** The model was deleted; its outputs are left in place. */
  | { type: 'model-removed'; file: string }
  | { type: 'build-end'; time: Date; built: number; errors: number }
  | { type: 'watcher-error'; message: string };

export interface WatchHooks {
  onEvent?: (event: WatchEvent) => void;
}

export interface WatchHandle {
  /** Settles when the initial build is done (or the watcher was closed first). */
  ready: Promise<void>;
  /** Stops watching; waits for a build in progress to finish writing. */
  close(): Promise<void>;
}

interface Root {
  abs: string;
  dir: boolean;
}

const isInside = (path: string, dir: string): boolean => path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
const isTflite = (path: string): boolean => /\.tflite$/i.test(path);

export function watchModels(paths: readonly string[], options: WatchOptions, hooks: WatchHooks = {}): WatchHandle {
  const roots = checkRoots(paths, options);
  const outDir = resolve(options.outDir);
  const emitDir = options.emit ? resolve(options.emit.outDir) : undefined;
  const debounceMs = options.debounceMs ?? 200;
  const useCache = options.cache !== false;
  const notify = (e: WatchEvent): void => hooks.onEvent?.(e);

  const models = new Set<string>();
  const errors = new Map<string, { message: string; error: unknown }>();
  const pending = new Set<string>();
  let scanning = true;
  let closed = false;
  let building: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;

  const rootOf = (abs: string): Root | undefined => roots.find((r) => (r.dir ? isInside(abs, r.abs) : r.abs === abs));
  const isModel = (abs: string): boolean => {
    const root = rootOf(abs);
    return root !== undefined && (!root.dir || isTflite(abs));
  };
  const ignored = (path: string, stats?: { isFile(): boolean }): boolean => {
    const abs = resolve(path);
    if (isInside(abs, outDir) || (emitDir !== undefined && isInside(abs, emitDir))) return true;
    if (roots.some((r) => r.abs === abs)) return false;
    if (basename(abs).startsWith('.')) return true;
    return stats?.isFile() === true && !isModel(abs);
  };
  // Models are named as the user wrote them: relative to the working directory when inside it.
  const display = (abs: string): string => {
    const rel = relative(process.cwd(), abs);
    return rel === '' || rel.startsWith('..') ? abs : rel;
  };
  /** Output directory below outDir (and the emit directory) and base name of a model. */
  const outputsOf = (abs: string): { sub: string; name: string } => {
    const root = rootOf(abs)!;
    return { sub: root.dir ? dirname(relative(root.abs, abs)) : '.', name: basename(abs).replace(/\.tflite$/i, '') };
  };

  const watcher: FSWatcher = watch(
    roots.map((r) => r.abs),
    { ignored, ignoreInitial: false, persistent: true },
  );
  const onChange = (path: string): void => {
    const abs = resolve(path);
    if (closed || !isModel(abs)) return;
    pending.add(abs);
    if (!scanning && building === undefined) schedule();
  };
  watcher.on('add', onChange).on('change', onChange).on('unlink', onChange);
  watcher.on('error', (e) => notify({ type: 'watcher-error', message: e instanceof Error ? e.message : String(e) }));

  let readyDone: () => void = () => {};
  const ready = new Promise<void>((res) => (readyDone = res));
  watcher.on('ready', () => {
    scanning = false;
    if (closed) return;
    start(true);
    void building!.then(readyDone);
  });

  function schedule(): void {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      if (!closed && building === undefined && pending.size > 0) start(false);
    }, debounceMs);
  }

  function start(initial: boolean): void {
    building = build(initial)
      .catch((e: unknown) => notify({ type: 'watcher-error', message: `build failed: ${(e as Error).message ?? String(e)}` }))
      .finally(() => {
        building = undefined;
        // Changes that arrived during the build, and models to retry: one re-run.
        if (!closed && pending.size > 0) schedule();
      });
  }

  async function build(initial: boolean): Promise<void> {
    const batch = [...pending].sort();
    pending.clear();
    notify({ type: 'build-start', time: new Date(), initial, files: batch.map(display) });
    let built = 0;
    for (const abs of batch) {
      if (closed) break;
      const file = display(abs);
      if (!exists(abs)) {
        models.delete(abs);
        errors.delete(abs);
        notify({ type: 'model-removed', file });
        continue;
      }
      models.add(abs);
      try {
        const event = await rebuild(abs, file);
        if (event.type === 'model-retry') pending.add(abs);
        else {
          errors.delete(abs);
          built++;
        }
        notify(event);
      } catch (e) {
        const message = e instanceof TinysegError ? e.oneLine() : `${file}: internal error: ${(e as Error).message ?? String(e)}`;
        errors.set(abs, { message, error: e });
        notify({ type: 'model-error', file, message, error: e, unchanged: false });
      }
    }
    const touched = new Set(batch);
    for (const [abs, { message, error }] of errors) {
      if (!touched.has(abs)) notify({ type: 'model-error', file: display(abs), message, error, unchanged: true });
    }
    notify({ type: 'build-end', time: new Date(), built, errors: errors.size });
  }

  async function rebuild(abs: string, file: string): Promise<Extract<WatchEvent, { type: 'model-built' | 'model-retry' }>> {
    const t0 = performance.now();
    const read = readModelStable(file);
    if (!read.stable) return { type: 'model-retry', file, why: read.why };
    const { sub, name } = outputsOf(abs);
    const clash = [...models].find((other) => other !== abs && outputsOf(other).sub === sub && outputsOf(other).name === name);
    if (clash !== undefined) {
      throw new TinysegError('E_USAGE', `writes the same outputs as ${display(clash)}`, { file, hint: 'watch models with the same name under one directory' });
    }
    const built = await buildModel({
      file,
      bytes: read.bytes,
      ...(options.optimize ? { optimize: options.optimize } : {}),
      cache: useCache ? (options.cacheOptions ?? {}) : false,
      out: { dir: join(options.outDir, sub), name },
      ...(options.emit ? { emit: { ...options.emit, outDir: join(options.emit.outDir, sub) } } : {}),
      unchanged: 'keep',
    });
    const ms = Math.round(performance.now() - t0);
    // The outputs are written; the upload to a remote cache finishes before the model's line, which carries its warning.
    const warnings = [...built.warnings, ...(await built.upload)];
    const { report } = built;
    return { type: 'model-built', file, before: report.before.head, after: report.after.head, cache: built.cache, ms, outputs: built.outputs, warnings };
  }

  return {
    ready,
    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      await watcher.close();
      await building;
      readyDone();
    },
  };
}

/** The watched paths must exist and stay outside the output directories (which are not watched). */
function checkRoots(paths: readonly string[], options: WatchOptions): Root[] {
  if (paths.length === 0) throw new TinysegError('E_USAGE', 'watch needs at least one model file or directory');
  const outs = [options.outDir, ...(options.emit ? [options.emit.outDir] : [])].map((d) => resolve(d));
  const roots = paths.map((p): Root => {
    let dir: boolean;
    try {
      dir = statSync(p).isDirectory();
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message;
      throw new TinysegError('E_IO', `cannot watch: ${why}`, { file: p, cause: e });
    }
    const abs = resolve(p);
    const out = outs.find((o) => isInside(abs, o));
    if (out !== undefined) throw new TinysegError('E_USAGE', `is inside the output directory ${out}`, { file: p, hint: 'outputs are not watched; write them elsewhere' });
    return { abs, dir };
  });
  if (options.emit?.name !== undefined && (roots.length !== 1 || roots[0]!.dir)) {
    throw new TinysegError('E_USAGE', 'a C name (--name) needs exactly one model file to watch', { hint: 'leave it out: each model is named after its file' });
  }
  return roots;
}

function exists(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
