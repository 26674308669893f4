// `tinyseg watch [paths...] -o <dir> [optimize options]`: watchModels() with
// tsc's phrasing, one summary line per model, errors on stdout with the rest so
// the log reads in order. Runs until SIGINT/SIGTERM, then closes the watcher
// and exits 0.

import { bytes } from '../../report/format.js';
import type { CliIO } from '../cli.js';
import { parseCommandArgs, usageError } from './usage.js';
import { emitOptions, optimizeOptionsFromArgs, remoteCacheFromArgs } from './optimize-args.js';
import { watchModels, type WatchEvent } from '../watch/watch.js';

const clock = (d: Date): string => [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
const grouped = (n: number): string => bytes(n).replace(/ B$/, '');

/** The watch log line(s) of one event, each ending in a newline. */
export function watchEventText(e: WatchEvent): string {
  switch (e.type) {
    case 'build-start':
      return `[${clock(e.time)}] ${e.initial ? 'Starting compilation in watch mode...' : 'File change detected. Starting incremental compilation...'}\n`;
    case 'model-built': {
      const how = e.cache === 'off' ? 'no cache' : `cache ${e.cache}`;
      return `${e.file}: arena ${grouped(e.before)} -> ${grouped(e.after)} B (${how}, ${e.ms} ms)\n${e.warnings.map((w) => `tinyseg: warning: ${w}\n`).join('')}`;
    }
    case 'model-error':
      return `tinyseg: ${e.message}\n`;
    case 'model-retry':
      return `${e.file}: ${e.why}; building it again after the next batch\n`;
    case 'model-removed':
      return `${e.file}: removed; its last outputs are kept\n`;
    case 'build-end':
      return `[${clock(e.time)}] Found ${e.errors} ${e.errors === 1 ? 'error' : 'errors'}. Watching for file changes.\n`;
    case 'watcher-error':
      return `tinyseg: watch: ${e.message}\n`;
  }
}

export async function runWatch(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('watch', args);
  if (positionals.length === 0) throw usageError('watch needs at least one model file or directory');
  if (values.out === undefined) throw usageError('watch needs -o <dir>');
  const emit = await emitOptions(values);
  const handle = watchModels(
    positionals,
    {
      outDir: values.out,
      optimize: await optimizeOptionsFromArgs(values),
      cache: !values['no-cache'],
      cacheOptions: { remote: remoteCacheFromArgs(values) },
      ...(emit ? { emit } : {}),
    },
    { onEvent: (e) => (e.type === 'watcher-error' ? io.stderr : io.stdout)(watchEventText(e)) },
  );
  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await handle.close();
  return 0;
}
