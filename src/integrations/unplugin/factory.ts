// The bundler plugin: `import model from './seg.tflite'` gives the optimized
// model's bytes, its arena size, report and custom operators; `?url` an
// emitted asset of the optimized model; `?original` the file's own bytes;
// `?timeline` the before/after memory chart. With `emit`, a JavaScript build
// also writes the C sources a firmware build compiles from the same model.
// One unplugin factory serves Vite, Rollup, rolldown, webpack, Rspack and
// esbuild; what differs per bundler is how a `?url` asset is emitted and
// addressed, and how an error reaches the user.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { PluginBuild } from 'esbuild';
import { createUnplugin, type UnpluginBuildContext, type UnpluginContext, type UnpluginInstance, type UnpluginOptions } from 'unplugin';
import { TinysegError } from '../../errors.js';
import { loadGraph } from '../../graph/graph.js';
import type { TargetProfile } from '../../memory/target-profile.js';
import type { OptimizeOptions, OptimizeReport } from '../../optimize/optimize.js';
import { embeddedName, emitEmbedded } from '../../emit/emit-embedded.js';
import { SPILL_STORAGES, type SpillStorage } from '../../memory/spill-storage.js';
import { optimizeCached } from '../cache.js';
import { readTargetProfile } from '../read-target.js';
import { writeChangedFiles } from '../write-changed.js';
import { beforeAfterTimelineSvg } from './timeline.js';

/** A RegExp tested against the model's absolute path (with `/` separators), or a file or folder path (relative to the working directory). */
export type ModelPattern = RegExp | string;

export interface TinysegPluginOptions {
  /** Spill traffic per inference (bytes written plus read) the optimizer may spend; default unlimited. */
  maxSpillBytes?: number;
  /** Stop spilling once the arena's live peak fits in this many bytes; the build fails if nothing fits. */
  arenaBudget?: number;
  /** Prove each optimized model bit-exact (default true: the oracle input and 3 random inputs, seed 1, as the CLI). */
  verify?: boolean | { inputs?: number; seed?: number };
  /** Cold-range spilling on (default) or off. */
  spill?: boolean;
  /** Models the plugin handles (default: every `.tflite`). */
  include?: ModelPattern | ModelPattern[];
  /** Models the plugin leaves alone, even when included. */
  exclude?: ModelPattern | ModelPattern[];
  /** Also write each optimized model's C/C++ and linker files for firmware into this directory (relative to the working directory), as `tinyseg optimize --emit`. */
  emit?: string;
  /** Base of the emitted C names and file names (`--name`); default: the model file's name. */
  emitName?: string;
  /** The emitted files' target: a built-in profile (`mps2-an386`, the default, or `mps2-an500`) or a profile JSON file (`--target`, docs/target-profile.md). */
  targetProfile?: string;
  /** Where the emitted firmware keeps the spill region (`--storage`): `psram` (default), `flash` or `remote`. */
  storage?: SpillStorage;
  /** Put the model array in its own section, placed in external flash by the emitted linker script (`--sections`). */
  sections?: boolean;
}

/** What an import of a model gives: the optimized bytes and what the optimizer found. */
export interface ImportedModel {
  bytes: Uint8Array;
  report: OptimizeReport;
  customOps: string[];
}

interface EmitTarget {
  /** Absolute directory. */
  dir: string;
  name?: string;
  profile: TargetProfile;
  storage: SpillStorage;
  sections: boolean;
}

interface ResolvedOptions {
  optimize: Omit<OptimizeOptions, 'file'>;
  included: (path: string) => boolean;
  emit?: EmitTarget;
}

const EMIT_OPTION_NAMES = ['emitName', 'targetProfile', 'storage', 'sections'] as const;
const OPTION_NAMES = ['maxSpillBytes', 'arenaBudget', 'verify', 'spill', 'include', 'exclude', 'emit', ...EMIT_OPTION_NAMES];

const usage = (message: string): TinysegError => new TinysegError('E_USAGE', `tinyseg plugin: ${message}`);

function byteCount(name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw usage(`${name} must be a whole number of bytes, got ${JSON.stringify(v) ?? String(v)}`);
  return v;
}

function patterns(name: string, v: unknown): ModelPattern[] | undefined {
  if (v === undefined) return undefined;
  const list = Array.isArray(v) ? v : [v];
  for (const p of list) {
    if (!(p instanceof RegExp) && (typeof p !== 'string' || p === '')) throw usage(`${name} takes RegExps and paths, got ${JSON.stringify(p) ?? String(p)}`);
  }
  return list as ModelPattern[];
}

function matcher(list: ModelPattern[]): (path: string) => boolean {
  const tests = list.map((p): ((path: string) => boolean) => {
    if (p instanceof RegExp) {
      return (path) => {
        p.lastIndex = 0;
        return p.test(path.split(sep).join('/'));
      };
    }
    const target = resolve(p);
    return (path) => path === target || path.startsWith(target.endsWith(sep) ? target : target + sep);
  });
  return (path) => tests.some((t) => t(path));
}

/** Checks the options a user wrote; every mistake is an E_USAGE error at plugin creation. */
export function resolvePluginOptions(raw: unknown): ResolvedOptions {
  if (raw === undefined) raw = {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw usage(`options must be an object, got ${JSON.stringify(raw)}`);
  const o = raw as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!OPTION_NAMES.includes(key)) throw usage(`unknown option '${key}' (options: ${OPTION_NAMES.join(', ')})`);
  }
  const maxSpillBytes = byteCount('maxSpillBytes', o.maxSpillBytes);
  const arenaBudget = byteCount('arenaBudget', o.arenaBudget);
  if (o.spill !== undefined && typeof o.spill !== 'boolean') throw usage(`spill must be true or false, got ${JSON.stringify(o.spill)}`);
  let verify: OptimizeOptions['verify'] = { inputs: 3, seed: 1 };
  if (o.verify === false) verify = false;
  else if (typeof o.verify === 'object' && o.verify !== null && !Array.isArray(o.verify)) {
    const v = o.verify as Record<string, unknown>;
    for (const key of Object.keys(v)) if (key !== 'inputs' && key !== 'seed') throw usage(`unknown verify option '${key}' (inputs, seed)`);
    const inputs = v.inputs === undefined ? 3 : byteCount('verify.inputs', v.inputs)!;
    if (v.seed !== undefined && !Number.isSafeInteger(v.seed)) throw usage(`verify.seed must be an integer, got ${JSON.stringify(v.seed)}`);
    verify = { inputs, seed: (v.seed as number | undefined) ?? 1 };
  } else if (o.verify !== undefined && o.verify !== true) throw usage(`verify must be true, false or { inputs, seed }, got ${JSON.stringify(o.verify)}`);
  const include = patterns('include', o.include);
  const exclude = patterns('exclude', o.exclude);
  const isIncluded = include ? matcher(include) : () => true;
  const isExcluded = exclude ? matcher(exclude) : () => false;
  const emit = emitTarget(o);
  return {
    ...(emit ? { emit } : {}),
    optimize: {
      verify,
      ...(o.spill !== undefined ? { spill: o.spill as boolean } : {}),
      ...(maxSpillBytes !== undefined ? { maxSpillBytes } : {}),
      ...(arenaBudget !== undefined ? { arenaBudget } : {}),
    },
    included: (path) => path.endsWith('.tflite') && isIncluded(path) && !isExcluded(path),
  };
}

const nonEmptyString = (name: string, v: unknown): string | undefined => {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '') throw usage(`${name} must be a non-empty string, got ${JSON.stringify(v) ?? String(v)}`);
  return v;
};

/** `emit` and the options that shape it, as the CLI's --emit, --name, --target, --storage and --sections; the others without `emit` are a mistake. */
function emitTarget(o: Record<string, unknown>): EmitTarget | undefined {
  const dir = nonEmptyString('emit', o.emit);
  if (dir === undefined) {
    const stray = EMIT_OPTION_NAMES.find((k) => o[k] !== undefined);
    if (stray) throw usage(`${stray} needs emit: '<dir>' (the directory for the C sources)`);
    return undefined;
  }
  const name = nonEmptyString('emitName', o.emitName);
  const storage = o.storage ?? 'psram';
  if (!(SPILL_STORAGES as readonly unknown[]).includes(storage)) throw usage(`storage must be one of ${SPILL_STORAGES.join(', ')}, got ${JSON.stringify(storage) ?? String(storage)}`);
  if (o.sections !== undefined && typeof o.sections !== 'boolean') throw usage(`sections must be true or false, got ${JSON.stringify(o.sections)}`);
  const target = nonEmptyString('targetProfile', o.targetProfile) ?? 'mps2-an386';
  let profile: TargetProfile;
  try {
    profile = readTargetProfile(target);
  } catch (e) {
    if (!(e instanceof TinysegError)) throw e;
    throw new TinysegError('E_USAGE', `tinyseg plugin: targetProfile: ${e.oneLine()}`, { cause: e });
  }
  return { dir: resolve(dir), ...(name !== undefined ? { name } : {}), profile, storage: storage as SpillStorage, sections: o.sections === true };
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

function readModelBytes(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new TinysegError('E_IO', `cannot read model: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`, { file: path });
  }
}

const sha256 = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');

/** `/abs/seg.tflite?url` -> the file and what is asked of it. */
const MODEL_ID = /\.tflite(?:\?(?:url|original|timeline))?$/;
type Variant = 'model' | 'url' | 'original' | 'timeline';

function splitId(id: string): { path: string; variant: Variant } {
  const q = id.indexOf('?');
  if (q < 0) return { path: id, variant: 'model' };
  return { path: id.slice(0, q), variant: id.slice(q + 1) as Variant };
}

/** Base64 in the bundle, decoded once at startup: the same code in every bundler, browsers and Node. */
function bytesModule(bytes: Uint8Array, rest = ''): string {
  const b64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  return [
    `const data = atob(${JSON.stringify(b64)});`,
    'const bytes = new Uint8Array(data.length);',
    'for (let i = 0; i < data.length; i++) bytes[i] = data.charCodeAt(i);',
    'export default bytes;',
    rest,
  ].join('\n');
}

function modelModule(model: ImportedModel): string {
  return bytesModule(
    model.bytes,
    [
      `export const arenaSize = ${model.report.after.total};`,
      `export const report = ${JSON.stringify(model.report)};`,
      `export const customOps = ${JSON.stringify(model.customOps)};`,
      '',
    ].join('\n'),
  );
}

/** `seg.tflite` -> `assets/seg-1a2b3c4d.tflite`, named after the optimized bytes so a changed model gets a new URL. */
const assetName = (path: string, bytes: Uint8Array): string => `assets/${basename(path, '.tflite')}-${sha256(bytes).slice(0, 8)}.tflite`;

type HookContext = UnpluginBuildContext & UnpluginContext;

/** The fields of webpack's and Rspack's loader context this plugin uses. */
interface WebpackLikeLoader {
  emitFile(name: string, content: Buffer): void;
}

/** The part of webpack's and Rspack's compiler that tells which module asked for which resource. */
interface WebpackLikeCompiler {
  hooks: {
    normalModuleFactory: {
      tap(name: string, fn: (factory: { hooks: { afterResolve: { tap(name: string, fn: (data: { contextInfo?: { issuer?: string }; createData?: { resource?: string } }) => void): void } } }) => void): void;
    };
  };
}

function nativeLoader(ctx: HookContext): WebpackLikeLoader | undefined {
  const native = ctx.getNativeBuildContext?.();
  if (native && (native.framework === 'webpack' || native.framework === 'rspack')) return native.loaderContext as unknown as WebpackLikeLoader | undefined;
  return undefined;
}

const tinysegFactory = (rawOptions: TinysegPluginOptions | undefined, meta: { framework: string }): UnpluginOptions => {
  const options = resolvePluginOptions(rawOptions);
  const framework = meta.framework;
  const rollupLike = framework === 'rollup' || framework === 'vite' || framework === 'rolldown' || framework === 'unloader';
  // One optimization per model content and build, however often it is imported.
  const models = new Map<string, Promise<ImportedModel>>();
  // The first module that imported each model id, for error messages.
  const importers = new Map<string, string>();
  // Per build: model file and content -> null once its C sources are written, else why not; C name -> model file.
  const emitted = new Map<string, unknown>();
  const emittedNames = new Map<string, string>();
  let root = process.cwd();
  let viteServe = false;

  /** The optimized model of the file as it is now, with the bytes it was optimized from; `warn` gets the cache's warnings. */
  async function importModel(path: string, warn: (message: string) => void): Promise<ImportedModel & { original: Uint8Array }> {
    const bytes = readModelBytes(path);
    const key = sha256(bytes);
    // Reports name the model relative to the project, so a bundle does not carry the build machine's paths.
    const file = relative(root, path).split(sep).join('/');
    let pending = models.get(key);
    if (!pending) {
      pending = optimizeForImport(bytes, options.optimize, file, warn).then((r) => ({ bytes: r.bytes, report: r.report, customOps: customOpsOf(r.bytes) }));
      models.set(key, pending);
      pending.catch(() => models.delete(key));
    }
    // The same bytes under another name share the optimization, not the name.
    const m = await pending;
    const model = m.report.model === file ? m : { ...m, report: { ...m.report, model: file } };
    if (options.emit) emitOnce(path, key, model, options.emit);
    return { ...model, original: bytes };
  }

  /** Writes a model's C sources once per build and content; a failure fails every import of it. */
  function emitOnce(path: string, key: string, model: ImportedModel, target: EmitTarget): void {
    const id = `${path}\0${key}`;
    if (!emitted.has(id)) {
      let problem: unknown = null;
      try {
        const name = embeddedName(target.name ?? basename(path));
        const owner = emittedNames.get(name);
        if (owner !== undefined && owner !== path) {
          throw new TinysegError('E_USAGE', `emit: the C name '${name}' is already taken by ${owner}`, {
            hint: target.name !== undefined ? 'emitName names every model: use it with one model (include/exclude), or drop it' : 'rename one of the model files',
          });
        }
        emittedNames.set(name, path);
        writeChangedFiles(emitEmbedded(model, { name, outDir: target.dir, profile: target.profile, storage: target.storage, sections: target.sections }));
      } catch (e) {
        problem = e;
      }
      emitted.set(id, problem);
    }
    const problem = emitted.get(id);
    if (problem !== null) throw problem;
  }

  /** One line naming the model, the module that imports it and the reason. */
  function failure(e: unknown, path: string, importer: string | undefined): Error {
    const by = importer ? ` (imported by ${importer})` : '';
    if (e instanceof TinysegError) {
      const message = new TinysegError(e.code, e.message, { file: path, ...(e.hint !== undefined ? { hint: e.hint } : {}) }).oneLine();
      return new TinysegError(e.code, `${message}${by}`, { cause: e });
    }
    return new Error(`${path}: ${e instanceof Error ? e.message : String(e)}${by}`, { cause: e });
  }

  /** webpack and Rspack loaders cannot see their importer; their module factory can. */
  function recordIssuers(compiler: WebpackLikeCompiler): void {
    compiler.hooks.normalModuleFactory.tap('tinyseg', (factory) => {
      factory.hooks.afterResolve.tap('tinyseg', (data) => {
        const resource = data.createData?.resource;
        const issuer = data.contextInfo?.issuer;
        if (resource && issuer && MODEL_ID.test(resource) && !importers.has(resource)) importers.set(resource, issuer);
      });
    });
  }

  async function resolveModel(ctx: HookContext, source: string, importer: string | undefined): Promise<string | null> {
    const native = ctx as HookContext & { resolve?: (s: string, i: string | undefined, o: { skipSelf: boolean }) => Promise<{ id: string; external?: unknown } | null> };
    if (rollupLike && native.resolve) {
      const r = await native.resolve(source, importer, { skipSelf: true });
      return r && !r.external ? splitId(r.id).path : null;
    }
    if (source.startsWith('.') || isAbsolute(source)) return resolve(importer ? dirname(importer) : root, source);
    return null; // esbuild resolves packages itself and keeps the query as a suffix
  }

  function urlModule(ctx: HookContext, path: string, model: ImportedModel): string {
    if (rollupLike) {
      if (viteServe) {
        // Vite's dev server cannot emit files: the URL carries the bytes.
        return `export default ${JSON.stringify(`data:application/octet-stream;base64,${Buffer.from(model.bytes).toString('base64')}`)};`;
      }
      const emit = ctx.emitFile as unknown as (f: { type: 'asset'; name: string; source: Uint8Array }) => string;
      const ref = emit({ type: 'asset', name: basename(path), source: model.bytes });
      return `export default import.meta.ROLLUP_FILE_URL_${ref};`;
    }
    const loader = nativeLoader(ctx);
    if (loader) {
      // Emitted through the loader, so webpack's cache re-emits it on rebuilds that skip this module.
      const name = assetName(path, model.bytes);
      loader.emitFile(name, Buffer.from(model.bytes));
      return `export default __webpack_public_path__ + ${JSON.stringify(name)};`;
    }
    throw new TinysegError('E_UNSUPPORTED', `?url imports are not supported with ${framework}`, { file: path });
  }

  /** esbuild's own `file` loader emits `?url` assets: it honours outdir, assetNames, publicPath and write: false. */
  function esbuildUrlAssets(build: PluginBuild): void {
    build.onResolve({ filter: /\.tflite\?url$/ }, async (args) => {
      const source = args.path.slice(0, -'?url'.length);
      let path: string;
      if (source.startsWith('.') || isAbsolute(source)) path = resolve(args.resolveDir, source);
      else {
        const r = await build.resolve(source, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer });
        if (r.errors.length > 0) return { errors: r.errors };
        path = r.path;
      }
      if (!options.included(path)) return undefined;
      importers.set(`${path}?url`, args.importer);
      return { path, namespace: 'tinyseg-url' };
    });
    build.onLoad({ filter: /.*/, namespace: 'tinyseg-url' }, async (args) => {
      const warnings: { text: string }[] = [];
      try {
        const model = await importModel(args.path, (text) => warnings.push({ text }));
        return { contents: model.bytes, loader: 'file', watchFiles: [args.path], warnings };
      } catch (e) {
        return { errors: [{ text: failure(e, args.path, importers.get(`${args.path}?url`)).message }], watchFiles: [args.path], warnings };
      }
    });
  }

  return {
    name: 'tinyseg',
    // Before Vite's asset plugin, which would serve `?url` with the unoptimized file.
    enforce: 'pre',
    buildStart() {
      models.clear();
      emitted.clear();
      emittedNames.clear();
    },
    // webpack and Rspack resolve `?url`/`?original` themselves and keep the query.
    ...(framework === 'webpack' || framework === 'rspack'
      ? {}
      : {
          resolveId: {
            filter: { id: MODEL_ID },
            async handler(this: HookContext, source: string, importer: string | undefined) {
              const { path: spec, variant } = splitId(source);
              if (framework === 'esbuild' && variant === 'url') return null;
              const path = await resolveModel(this, spec, importer);
              if (path === null || !options.included(path)) return null;
              const id = variant === 'model' ? path : `${path}?${variant}`;
              if (importer && !importers.has(id)) importers.set(id, importer);
              return id;
            },
          },
        }),
    load: {
      filter: { id: MODEL_ID },
      async handler(id) {
        const { path, variant } = splitId(id);
        if (!options.included(path)) return null;
        this.addWatchFile(path);
        try {
          if (variant === 'original') return bytesModule(readModelBytes(path));
          const model = await importModel(path, (message) => this.warn(message));
          if (variant === 'timeline') return `export default ${JSON.stringify(beforeAfterTimelineSvg(model.original, model.bytes, model.report.model))};\n`;
          return variant === 'url' ? urlModule(this, path, model) : modelModule(model);
        } catch (e) {
          const err = failure(e, path, importers.get(id));
          // Rollup-like bundlers (and Vite's overlay) take errors through this.error, which throws;
          // without a stack, as webpack's: the message says it all, a stack would only show the bundler's frames.
          if (rollupLike) this.error(Object.assign(new Error(err.message), { stack: '' }));
          // esbuild collects this.error into the load's result: thrown, it would point into its own sources.
          if (framework === 'esbuild') {
            this.error(err.message);
            return '';
          }
          // The message says it all: webpack and Rspack print no stack for it.
          throw Object.assign(err, { hideStack: true });
        }
      },
    },
    vite: {
      configResolved(config) {
        root = config.root;
        viteServe = config.command === 'serve';
      },
    },
    webpack: (compiler) => recordIssuers(compiler as unknown as WebpackLikeCompiler),
    rspack: (compiler) => recordIssuers(compiler as unknown as WebpackLikeCompiler),
    esbuild: {
      onResolveFilter: MODEL_ID,
      // `?url` is left to esbuildUrlAssets; esbuild's filters see the path without its suffix.
      onLoadFilter: /\.tflite(?:\?(?:original|timeline))?$/,
      loader: 'js',
      setup: esbuildUrlAssets,
    },
  };
};

export const tinysegUnplugin: UnpluginInstance<TinysegPluginOptions | undefined, false> = createUnplugin<TinysegPluginOptions | undefined, false>(tinysegFactory);

type Bundler = 'vite' | 'rollup' | 'rolldown' | 'webpack' | 'rspack' | 'esbuild';

/** The plugin for one bundler; options are checked here, when the user creates it (webpack would only run the factory at apply time). */
export function tinysegPluginFor<B extends Bundler>(bundler: B): UnpluginInstance<TinysegPluginOptions | undefined, false>[B] {
  const create = tinysegUnplugin[bundler] as (options?: TinysegPluginOptions) => unknown;
  const checked = (options?: TinysegPluginOptions): unknown => {
    resolvePluginOptions(options);
    return create(options);
  };
  return checked as UnpluginInstance<TinysegPluginOptions | undefined, false>[B];
}
