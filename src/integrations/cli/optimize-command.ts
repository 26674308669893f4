// `tinyseg optimize <model> -o <dir>`: the build flow (../build.ts) with the
// command's extras: a before/after chart (--svg), a depfile for build systems
// (--depfile) and one line instead of the report (--quiet), the chart and the
// depfile written with the model and plan, all or none. Every output gets a
// fresh mtime even when its bytes are unchanged: make runs this command
// because an input is newer than its outputs, and would run it again on every
// build otherwise. With --stamp that file is the one a build system compares
// (CMake's tinyseg_optimize declares it as the command's output and the rest
// as byproducts): unchanged outputs keep their mtime, so nothing compiled
// from them is rebuilt, and the stamp is touched last, once all are written.

import { basename, dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inFile } from '../../errors.js';
import { renderOptimizeLine, renderOptimizeText } from '../../optimize/optimize-text.js';
import { buildModel, type BuiltModel, type OptimizedModel } from '../build.js';
import type { CliIO } from '../cli.js';
import { codeRoot, packageJsonFile } from '../code-location.js';
import { writeOutputs, type OutputFile } from '../io/write-files.js';
import { emitOptions, optimizeOptionsFromArgs, remoteCacheFromArgs } from './optimize-args.js';
import { parseCommandArgs, usageError } from './usage.js';

/**
 * What a depfile names as TinySeg itself: its package.json (an upgrade) and the CLI's entry module (a rebuild; the CLI
 * bundle or cli.js built, cli.ts from source).
 */
function tinysegFiles(): string[] {
  const here = fileURLToPath(import.meta.url);
  // In the CLI bundle this code is in one of dist/bundle's files, beside the entry.
  const bundle = join(codeRoot(), 'bundle');
  const entry = dirname(here) === bundle ? join(bundle, 'cli.js') : join(dirname(here), '..', `cli${extname(here)}`);
  return [packageJsonFile(), entry];
}

export async function runOptimize(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('optimize', args);
  if (positionals.length !== 1) throw usageError(`optimize takes one model file, got ${positionals.length}`);
  if (values.out === undefined) throw usageError('optimize needs -o <dir>');
  const emit = await emitOptions(values);
  const file = positionals[0]!;
  const name = basename(file).replace(/\.tflite$/i, '');
  const unchanged = values.stamp === undefined ? 'touch' : 'keep';
  const built = await buildModel({
    file,
    optimize: await optimizeOptionsFromArgs(values),
    cache: values['no-cache'] ? false : { remote: remoteCacheFromArgs(values) },
    out: { dir: values.out, name },
    ...(emit ? { emit } : {}),
    unchanged,
    onWarning: (w) => io.stderr(`tinyseg: warning: ${w}\n`),
    moreOutputs: async (model) => {
      const more: OutputFile[] = [];
      if (values.svg !== undefined) more.push([values.svg, await beforeAfterSvg(model)]);
      if (values.depfile !== undefined) {
        // Last: its mtime must not be older than the outputs it describes.
        const [{ renderDepfile }, { builtinTargetProfile }] = await Promise.all([import('./depfile.js'), import('../../memory/target-profile.js')]);
        const profileFile = values.target !== undefined && !builtinTargetProfile(values.target) ? [values.target] : [];
        more.push([values.depfile, renderDepfile(values.stamp ?? join(values.out!, `${name}.tflite`), [file, ...profileFile, ...tinysegFiles()])]);
      }
      return more;
    },
  });
  if (values.stamp !== undefined) writeOutputs([[values.stamp, `${built.report.model}\n`]], 'touch');
  if (values.json) io.stdout(`${JSON.stringify(built.report, null, 2)}\n`);
  else if (values.quiet) io.stdout(renderOptimizeLine(built.report, [`wrote ${values.out}`, ...(built.cache === 'hit' || built.cache === 'remote hit' ? [`cache ${built.cache}`] : [])]));
  else {
    const arenaHeader = emit ? await arenaHeaderOf(emit.outDir, emit.name ?? basename(file)) : undefined;
    const cache = cacheLine(built);
    io.stdout(renderOptimizeText(built.report, { ...(arenaHeader ? { arenaHeader } : {}), wrote: wrote(built, values), ...(cache ? { cache } : {}) }));
  }
  // The outputs are written and reported; the process waits for the upload to the remote cache before it exits.
  for (const w of await built.upload) io.stderr(`tinyseg: warning: ${w}\n`);
  return 0;
}

/** The text output's line about the cache: where the result came from, or where it was stored. */
function cacheLine(built: BuiltModel): string | undefined {
  if (built.cacheEntry === undefined) return undefined;
  switch (built.cache) {
    case 'hit':
      return `cache hit: the optimizer did not run (result from ${built.cacheEntry})`;
    case 'remote hit':
      return `cache remote hit: the optimizer did not run (result from ${built.remoteEntry}, stored in ${built.cacheEntry})`;
    default:
      return `cache miss: result stored in ${built.cacheEntry}`;
  }
}

/** Every file the command wrote (the chart and the depfile among them: one set), with what it is, in the order a reader looks for them. */
function wrote(built: BuiltModel, values: { svg?: string; depfile?: string }): { path: string; what: string }[] {
  const what = (f: string): string => {
    if (f === values.svg) return 'before/after memory chart: open it in a browser';
    if (f === values.depfile) return 'depfile for the build system';
    if (f.endsWith('.plan.json')) return 'the report as JSON (docs/plan-json.md)';
    if (f.endsWith('.tflite')) return 'the optimized model, offline-planned';
    if (f.endsWith('_arena.h')) return 'the arena size to allocate';
    if (f.endsWith('_model.cc') || f.endsWith('_model.h')) return 'the model as a C array';
    if (f.endsWith('_resolver.h')) return 'the op resolver';
    if (f.endsWith('_sections.ld')) return 'the linker fragment';
    if (/_tinyseg\.[ch]$/.test(f)) return 'the init call';
    if (/tinyseg_runtime\.[ch]$/.test(f)) return 'the spill runtime (C99)';
    if (/tinyseg_tflm_kernels\.(h|cc)$/.test(f)) return "TFLM kernels of TinySeg's operators";
    return '';
  };
  // The chart and the depfile last, as before the set was one.
  const last = (f: string): number => (f === values.svg ? 1 : f === values.depfile ? 2 : 0);
  return [...built.outputs].sort((a, b) => last(a) - last(b)).map((f) => ({ path: f, what: what(f) }));
}

/** The header that defines <MACRO>_ARENA_SIZE (emit-embedded.ts's naming; the emit stage is loaded only when emitting). */
async function arenaHeaderOf(dir: string, name: string): Promise<{ path: string; macro: string }> {
  const [{ embeddedName }, { cMacroName }] = await Promise.all([import('../../emit/emit-embedded.js'), import('../../emit/c-text.js')]);
  const id = embeddedName(name);
  return { path: join(dir, `${id}_arena.h`), macro: cMacroName(id) };
}

/** The before/after memory timeline; a cache hit stores no graphs, so both models are decoded again for it. */
async function beforeAfterSvg(built: OptimizedModel): Promise<string> {
  const [{ loadGraph }, { memoryReport }, { renderBeforeAfterSvg }, { plannedKernels }] = await Promise.all([
    import('../../graph/graph.js'),
    import('../../report/memory-report.js'),
    import('../../report/svg.js'),
    import('../../optimize/options.js'),
  ]);
  const { file, computed, report } = built;
  const original = inFile(file, () => loadGraph(built.modelBytes));
  const optimized = computed?.graph ?? loadGraph(built.bytes);
  // The kernels the result was planned for (the cached report names them), so a hit draws what the miss drew.
  const kernels = plannedKernels(report);
  const before = computed?.before ?? memoryReport({ file, bytes: built.modelBytes, graph: original, kernels });
  const after = computed?.after ?? memoryReport({ file, bytes: built.bytes, graph: optimized, kernels });
  return renderBeforeAfterSvg(before, after, { title: file, beforeGraph: original, afterGraph: optimized });
}
