// `import url from './seg.tflite?url'`: the optimized model as a separate
// asset and the module that exports its URL. This is where the bundlers part
// ways: Rollup-like ones emit through the plugin context, webpack and Rspack
// through the loader, esbuild through its own `file` loader, and Vite's dev
// server cannot emit at all.

import { basename, isAbsolute, resolve } from 'node:path';
import type { PluginBuild } from 'esbuild';
import type { UnpluginBuildContext, UnpluginContext } from 'unplugin';
import { TinysegError } from '../../errors.js';
import { failure } from './import-errors.js';
import { sha256, type ImportedModel, type ModelImports } from './model-import.js';

export type HookContext = UnpluginBuildContext & UnpluginContext;

/** The bundler a `?url` module is built for. */
export interface UrlBundler {
  framework: string;
  /** Rollup, Vite, rolldown or unloader: assets go through the plugin context's emitFile. */
  rollupLike: boolean;
  /** Vite's dev server, not a build. */
  viteServe: boolean;
}

/** `seg.tflite` -> `assets/seg-1a2b3c4d.tflite`, named after the optimized bytes so a changed model gets a new URL. */
const assetName = (path: string, bytes: Uint8Array): string => `assets/${basename(path, '.tflite')}-${sha256(bytes).slice(0, 8)}.tflite`;

/** The fields of webpack's and Rspack's loader context this plugin uses. */
interface WebpackLikeLoader {
  emitFile(name: string, content: Buffer): void;
}

function nativeLoader(ctx: HookContext): WebpackLikeLoader | undefined {
  const native = ctx.getNativeBuildContext?.();
  if (native && (native.framework === 'webpack' || native.framework === 'rspack')) return native.loaderContext as unknown as WebpackLikeLoader | undefined;
  return undefined;
}

/** The `?url` module of a model: emits the optimized bytes as an asset and exports its URL. */
export function urlModule(ctx: HookContext, path: string, model: ImportedModel, bundler: UrlBundler): string {
  if (bundler.rollupLike) {
    if (bundler.viteServe) {
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
  throw new TinysegError('E_UNSUPPORTED', `?url imports are not supported with ${bundler.framework}`, { file: path });
}

/**
 * esbuild's own `file` loader emits `?url` assets: it honours outdir, assetNames, publicPath and write: false.
 * `included` is the plugin's include/exclude; `importers` maps model ids to the module that imported each, for errors.
 */
export function esbuildUrlAssets(build: PluginBuild, included: (path: string) => boolean, importers: Map<string, string>, imports: ModelImports): void {
  build.onResolve({ filter: /\.tflite\?url$/ }, async (args) => {
    const source = args.path.slice(0, -'?url'.length);
    let path: string;
    if (source.startsWith('.') || isAbsolute(source)) path = resolve(args.resolveDir, source);
    else {
      const r = await build.resolve(source, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer });
      if (r.errors.length > 0) return { errors: r.errors };
      path = r.path;
    }
    if (!included(path)) return undefined;
    importers.set(`${path}?url`, args.importer);
    return { path, namespace: 'tinyseg-url' };
  });
  build.onLoad({ filter: /.*/, namespace: 'tinyseg-url' }, async (args) => {
    const warnings: { text: string }[] = [];
    try {
      const model = await imports.importModel(args.path, (text) => warnings.push({ text }));
      return { contents: model.bytes, loader: 'file', watchFiles: [args.path], warnings };
    } catch (e) {
      return { errors: [{ text: failure(e, args.path, importers.get(`${args.path}?url`)).message }], watchFiles: [args.path], warnings };
    }
  });
}
