// How a failed model import reaches the user: one line naming the model, the
// module that imports it and the reason, delivered the way each bundler shows
// errors best. The importer has to be recorded on the way in, because a load
// hook only sees the model's id.

import type { UnpluginContext } from 'unplugin';
import { TinysegError } from '../../errors.js';
import { MODEL_ID } from './model-module.js';

/** The part of webpack's and Rspack's compiler that tells which module asked for which resource. */
export interface WebpackLikeCompiler {
  hooks: {
    normalModuleFactory: {
      tap(
        name: string,
        fn: (factory: {
          hooks: { afterResolve: { tap(name: string, fn: (data: { contextInfo?: { issuer?: string }; createData?: { resource?: string } }) => void): void } };
        }) => void,
      ): void;
    };
  };
}

/** webpack and Rspack loaders cannot see their importer; their module factory can. `importers` maps model ids to the first module that imported each. */
export function recordIssuers(compiler: WebpackLikeCompiler, importers: Map<string, string>): void {
  compiler.hooks.normalModuleFactory.tap('tinyseg', (factory) => {
    factory.hooks.afterResolve.tap('tinyseg', (data) => {
      const resource = data.createData?.resource;
      const issuer = data.contextInfo?.issuer;
      if (resource && issuer && MODEL_ID.test(resource) && !importers.has(resource)) importers.set(resource, issuer);
    });
  });
}

/** One line naming the model, the module that imports it and the reason. */
export function failure(e: unknown, path: string, importer: string | undefined): Error {
  const by = importer ? ` (imported by ${importer})` : '';
  if (e instanceof TinysegError) {
    const message = new TinysegError(e.code, e.message, { file: path, ...(e.hint !== undefined ? { hint: e.hint } : {}) }).oneLine();
    return new TinysegError(e.code, `${message}${by}`, { cause: e });
  }
  return new Error(`${path}: ${e instanceof Error ? e.message : String(e)}${by}`, { cause: e });
}

/** Fails a load hook with `err` (from `failure`) as the bundler shows it best; returns the empty module esbuild needs. */
export function failLoad(ctx: UnpluginContext, err: Error, framework: string, rollupLike: boolean): string {
  // Rollup-like bundlers (and Vite's overlay) take errors through this.error, which throws;
  // without a stack, as webpack's: the message says it all, a stack would only show the bundler's frames.
  if (rollupLike) ctx.error(Object.assign(new Error(err.message), { stack: '' }));
  // esbuild collects this.error into the load's result: thrown, it would point into its own sources.
  if (framework === 'esbuild') {
    ctx.error(err.message);
    return '';
  }
  // The message says it all. webpack prints a `hideStack` error's stack as its details
  // (the message a second time, then frames) and Rspack prints any stack after the
  // message: an empty stack leaves the one line.
  throw Object.assign(err, { stack: '' });
}
