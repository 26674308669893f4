// The bundler plugin: `import model from './seg.tflite'` gives the optimized
// model's bytes, its arena size, report and custom operators; `?url` an
// emitted asset of the optimized model; `?original` the file's own bytes;
// `?timeline` the before/after memory chart; `?meta` the figures and the
// inputs' and outputs' types without the bytes. With `emit`, a JavaScript build
// also writes the C sources a firmware build compiles from the same model.
// One unplugin factory serves Vite, Rollup, rolldown, webpack, Rspack and
// esbuild; what differs per bundler is how a `?url` asset is emitted and
// addressed (assets.ts), and how an error reaches the user (import-errors.ts).
// This file wires the hooks; options are checked in plugin-options.ts, models
// optimized in model-import.ts and turned into modules in model-module.ts.

import { dirname, isAbsolute, resolve } from 'node:path';
import { createUnplugin, type UnpluginInstance, type UnpluginOptions } from 'unplugin';
import { esbuildUrlAssets, urlModule, type HookContext } from './assets.js';
import { failLoad, failure, recordIssuers, type WebpackLikeCompiler } from './import-errors.js';
import { readModelBytes } from '../io/model-bytes.js';
import { ModelImports } from './model-import.js';
import { bytesModule, MODEL_ID, modelModule, splitId, timelineModule } from './model-module.js';
import { metaModule } from './meta-module.js';
import { resolvePluginOptions, type TinysegPluginOptions } from './plugin-options.js';

export type { TinysegPluginOptions } from './plugin-options.js';

const tinysegFactory = (rawOptions: TinysegPluginOptions | undefined, meta: { framework: string }): UnpluginOptions => {
  const options = resolvePluginOptions(rawOptions);
  const framework = meta.framework;
  const rollupLike = framework === 'rollup' || framework === 'vite' || framework === 'rolldown' || framework === 'unloader';
  const imports = new ModelImports(options);
  // The first module that imported each model id, for error messages.
  const importers = new Map<string, string>();
  let viteServe = false;

  async function resolveModel(ctx: HookContext, source: string, importer: string | undefined): Promise<string | null> {
    const native = ctx as HookContext & {
      resolve?: (s: string, i: string | undefined, o: { skipSelf: boolean }) => Promise<{ id: string; external?: unknown } | null>;
    };
    if (rollupLike && native.resolve) {
      const r = await native.resolve(source, importer, { skipSelf: true });
      return r && !r.external ? splitId(r.id).path : null;
    }
    if (source.startsWith('.') || isAbsolute(source)) return resolve(importer ? dirname(importer) : imports.root, source);
    return null; // esbuild resolves packages itself and keeps the query as a suffix
  }

  return {
    name: 'tinyseg',
    // Before Vite's asset plugin, which would serve `?url` with the unoptimized file.
    enforce: 'pre',
    buildStart() {
      imports.clear();
    },
    // A bundler's process may exit right after the build: results computed here reach the remote cache first.
    async buildEnd() {
      await imports.uploaded();
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
          const model = await imports.importModel(path, (message) => this.warn(message));
          if (variant === 'timeline') return timelineModule(model);
          if (variant === 'meta') return metaModule(model);
          return variant === 'url' ? urlModule(this, path, model, { framework, rollupLike, viteServe }) : modelModule(model);
        } catch (e) {
          return failLoad(this, failure(e, path, importers.get(id)), framework, rollupLike);
        }
      },
    },
    vite: {
      configResolved(config) {
        imports.root = config.root;
        viteServe = config.command === 'serve';
      },
    },
    webpack: (compiler) => recordIssuers(compiler as unknown as WebpackLikeCompiler, importers),
    rspack: (compiler) => recordIssuers(compiler as unknown as WebpackLikeCompiler, importers),
    esbuild: {
      onResolveFilter: MODEL_ID,
      // `?url` is left to esbuildUrlAssets; esbuild's filters see the path without its suffix.
      onLoadFilter: /\.tflite(?:\?(?:original|timeline|meta))?$/,
      loader: 'js',
      setup: (build) => esbuildUrlAssets(build, options.included, importers, imports),
    },
  };
};

export const tinysegUnplugin: UnpluginInstance<TinysegPluginOptions | undefined, false> = createUnplugin<TinysegPluginOptions | undefined, false>(
  tinysegFactory,
);

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
