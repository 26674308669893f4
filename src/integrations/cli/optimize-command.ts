// `tinyseg optimize <model> -o <dir>`: the build flow (../build.ts) with the
// command's extras: a before/after chart (--svg) and a depfile for build
// systems (--depfile), written with the model and plan, all or none. Every
// output gets a fresh mtime even when its bytes are unchanged: CMake and make
// run this command because an input is newer than its outputs, and would run
// it again on every build otherwise.

import { basename, dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inFile } from '../../errors.js';
import { renderOptimizeText } from '../../optimize/optimize-text.js';
import { buildModel, type OptimizedModel } from '../build.js';
import type { CliIO } from '../cli.js';
import type { OutputFile } from '../io/write-files.js';
import { emitOptions, optimizeOptionsFromArgs } from './optimize-args.js';
import { parseCommandArgs, usageError } from './usage.js';

/** What a depfile names as TinySeg itself: its package.json (an upgrade) and the CLI's entry module (a rebuild; cli.js built, cli.ts from source). */
function tinysegFiles(): string[] {
  const here = fileURLToPath(import.meta.url);
  return [fileURLToPath(new URL('../../../package.json', import.meta.url)), join(dirname(here), '..', `cli${extname(here)}`)];
}

export async function runOptimize(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('optimize', args);
  if (positionals.length !== 1) throw usageError(`optimize takes one model file, got ${positionals.length}`);
  if (values.out === undefined) throw usageError('optimize needs -o <dir>');
  const emit = await emitOptions(values);
  const file = positionals[0]!;
  const name = basename(file).replace(/\.tflite$/i, '');
  const built = await buildModel({
    file,
    optimize: await optimizeOptionsFromArgs(values),
    cache: values['no-cache'] ? false : {},
    out: { dir: values.out, name },
    ...(emit ? { emit } : {}),
    unchanged: 'touch',
    onWarning: (w) => io.stderr(`tinyseg: warning: ${w}\n`),
    moreOutputs: async (model) => {
      const more: OutputFile[] = [];
      if (values.svg !== undefined) more.push([values.svg, await beforeAfterSvg(model)]);
      if (values.depfile !== undefined) {
        // Last: its mtime must not be older than the outputs it describes.
        const [{ renderDepfile }, { builtinTargetProfile }] = await Promise.all([import('./depfile.js'), import('../../memory/target-profile.js')]);
        const profileFile = values.target !== undefined && !builtinTargetProfile(values.target) ? [values.target] : [];
        more.push([values.depfile, renderDepfile(join(values.out!, `${name}.tflite`), [file, ...profileFile, ...tinysegFiles()])]);
      }
      return more;
    },
  });
  if (values.json) io.stdout(`${JSON.stringify(built.report, null, 2)}\n`);
  else io.stdout(`${renderOptimizeText(built.report)}${built.cacheEntry !== undefined ? `cache ${built.cache}: ${built.cacheEntry}\n` : ''}`);
  return 0;
}

/** The before/after memory timeline; a cache hit stores no graphs, so both models are decoded again for it. */
async function beforeAfterSvg(built: OptimizedModel): Promise<string> {
  const [{ loadGraph }, { memoryReport }, { renderBeforeAfterSvg }] = await Promise.all([
    import('../../graph/graph.js'),
    import('../../report/memory-report.js'),
    import('../../report/svg.js'),
  ]);
  const { file, computed } = built;
  const original = inFile(file, () => loadGraph(built.modelBytes));
  const optimized = computed?.graph ?? loadGraph(built.bytes);
  const before = computed?.before ?? memoryReport({ file, bytes: built.modelBytes, graph: original });
  const after = computed?.after ?? memoryReport({ file, bytes: built.bytes, graph: optimized });
  const names = (g: typeof original) => new Map(g.main.tensors.map((t) => [t.index, t.name]));
  return renderBeforeAfterSvg(before, after, { title: file, beforeNames: names(original), afterNames: names(optimized) });
}
