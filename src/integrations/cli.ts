// The `tinyseg` command line. Exit codes: 0 success, 1 a problem with the
// input (one line naming the file), 2 a usage error. Stack traces only with --debug.

import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inFile, TinysegError } from '../errors.js';
import type { OptimizeOptions } from '../optimize/optimize.js';
import { renderOptimizeText } from '../optimize/optimize-text.js';
import { bytes as formatBytes } from '../report/format.js';
import { writeFileAtomic } from './io/write-files.js';
import { cacheInfo, clearCache, optimizeCached } from './cache/optimize-cached.js';
import { readModelBytes } from './io/model-bytes.js';
import { asksForHelp, commandUsage, integer, isCommand, parseCommandArgs, unknownCommand, usage, usageError, wholeNumber, type Command } from './cli/usage.js';
import { emitOptions, optimizeOptionsFromArgs } from './cli/optimize-args.js';
import { writeStdout } from './cli/write-stdout.js';
import type { LoadedModel } from './io/read-model.js';
import { DEFAULT_PROOF_INPUTS, DEFAULT_PROOF_SEED } from '../defaults.js';

// Graph decoding, the interpreter and the optimizer are imported inside the
// commands that use them, and so are helpers of flags a build may not pass
// (--depfile, --target): `optimize` on a cache hit needs none of them and
// should cost little more than starting Node (each module costs ~0.5 ms).

export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

const defaultIO: CliIO = {
  stdout: writeStdout,
  stderr: (s) => process.stderr.write(s),
};

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

async function runReport(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('report', args);
  if (positionals.length !== 1) throw usageError(`report takes one model file, got ${positionals.length}`);
  const [{ readModelFile }, { memoryReport }, { renderTimelineSvg }, { renderReportText }] = await Promise.all([
    import('./io/read-model.js'),
    import('../report/memory-report.js'),
    import('../report/svg.js'),
    import('../report/text.js'),
  ]);
  const model = readModelFile(positionals[0]!);
  const report = memoryReport(model);
  if (values.svg !== undefined) {
    const names = new Map(model.graph.main.tensors.map((t) => [t.index, t.name]));
    writeFileAtomic(values.svg, renderTimelineSvg(report, { title: `${model.file}: memory timeline`, tensorNames: names }));
  }
  io.stdout(values.json ? `${JSON.stringify(report, null, 2)}\n` : renderReportText(report));
  return 0;
}

async function runRun(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('run', args);
  if (positionals.length !== 1) throw usageError(`run takes one model file, got ${positionals.length}`);
  if (values.out === undefined) throw usageError('run needs --out <dir>');
  const inputFiles = values.input ?? [];
  if ((inputFiles.length > 0) === (values['oracle-input'] === true)) throw usageError('run needs either --input <file> (one per model input) or --oracle-input');
  const [{ readModelFile }, { deterministicInput }, { runModel }] = await Promise.all([
    import('./io/read-model.js'),
    import('../interpreter/oracle-input.js'),
    import('../interpreter/interpreter.js'),
  ]);
  const model = readModelFile(positionals[0]!);
  const sg = model.graph.main;
  if (inputFiles.length > 0 && inputFiles.length !== sg.inputs.length) {
    throw usageError(`the model has ${sg.inputs.length} inputs, got ${inputFiles.length} --input files`);
  }
  const inputs = sg.inputs.map((t, i) => {
    const tensor = sg.tensors[t]!;
    if (values['oracle-input']) return deterministicInput(tensor);
    const bytes = readInputFile(inputFiles[i]!);
    if (bytes.length !== tensor.byteSize) {
      throw new TinysegError('E_USAGE', `input ${i} takes ${tensor.byteSize} bytes (${tensor.dtype} [${tensor.shape.join('x')}]), the file has ${bytes.length}`, { file: inputFiles[i] });
    }
    return bytes;
  });
  const outputs = inFile(model.file, () => runModel(model.graph, inputs));
  outputs.forEach((bytes, i) => writeFileAtomic(join(values.out!, `out${i}.bin`), bytes));
  sg.outputs.forEach((t, i) => {
    const tensor = sg.tensors[t]!;
    io.stdout(`out${i}.bin  ${tensor.dtype} [${tensor.shape.join('x')}]  ${tensor.byteSize} bytes  '${printable(tensor.name)}'\n`);
  });
  return 0;
}

async function runVerify(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('verify', args);
  if (positionals.length !== 2) throw usageError(`verify takes two model files, got ${positionals.length}`);
  const count = wholeNumber('--inputs', values.inputs) ?? DEFAULT_PROOF_INPUTS;
  const seed = integer('--seed', values.seed) ?? DEFAULT_PROOF_SEED;
  const [{ readModelFile }, { verifyModels }] = await Promise.all([import('./io/read-model.js'), import('../interpreter/verify.js')]);
  const [a, b] = positionals.map(readModelFile) as [LoadedModel, LoadedModel];
  const r = verifyModels(a.graph, b.graph, { inputs: count, seed, files: [a.file, b.file] });
  for (const c of r.cases) io.stdout(`  ${c.input}: ${c.differingBytes === 0 ? 'identical' : `${c.differingBytes} bytes differ, max difference ${c.maxDiff}`}\n`);
  io.stdout(
    r.equal
      ? `verified: outputs are bit-identical on ${r.cases.length} inputs (${r.outputBytes} output bytes compared)\n`
      : `MISMATCH: ${r.differingBytes} of ${r.outputBytes} output bytes differ, max difference ${r.maxDiff}${r.psnr !== null ? `, PSNR ${r.psnr} dB` : ''}\n`,
  );
  return r.equal ? 0 : 1;
}

async function runOptimize(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('optimize', args);
  if (positionals.length !== 1) throw usageError(`optimize takes one model file, got ${positionals.length}`);
  if (values.out === undefined) throw usageError('optimize needs -o <dir>');
  const emit = await emitOptions(values);
  const file = positionals[0]!;
  const options: OptimizeOptions = { file, ...(await optimizeOptionsFromArgs(values)) };
  const modelBytes = readModelBytes(file);
  const cached = values['no-cache'] ? undefined : await optimizeCached(modelBytes, options, { file });
  const computed = cached ? cached.computed : await import('../optimize/optimize.js').then(({ optimize }) => inFile(file, () => optimize(modelBytes, options)));
  const result = cached ?? computed!;
  for (const w of [...(cached?.recovered ? [cached.recovered] : []), ...(cached?.warnings ?? [])]) io.stderr(`tinyseg: warning: ${w}\n`);
  // Rendered before anything is written: an emit error leaves no partial output.
  const emitted = emit ? await import('../emit/emit-embedded.js').then(({ emitEmbedded }) => emitEmbedded({ ...result, ...(computed ? { graph: computed.graph } : {}) }, { name: basename(file), ...emit })) : {};
  const name = basename(file).replace(/\.tflite$/i, '');
  writeFileAtomic(join(values.out, `${name}.tflite`), result.bytes);
  for (const [f, text] of Object.entries(emitted)) writeFileAtomic(f, text);
  writeFileAtomic(join(values.out, `${name}.plan.json`), `${JSON.stringify(result.report, null, 2)}\n`);
  if (values.svg !== undefined) {
    // A cache hit stores no graphs: decode both models again for the chart.
    const [{ loadGraph }, { memoryReport }, { renderBeforeAfterSvg }] = await Promise.all([import('../graph/graph.js'), import('../report/memory-report.js'), import('../report/svg.js')]);
    const original = inFile(file, () => loadGraph(modelBytes));
    const optimized = computed?.graph ?? loadGraph(result.bytes);
    const before = computed?.before ?? memoryReport({ file, bytes: modelBytes, graph: original });
    const after = computed?.after ?? memoryReport({ file, bytes: result.bytes, graph: optimized });
    const names = (g: typeof original) => new Map(g.main.tensors.map((t) => [t.index, t.name]));
    writeFileAtomic(values.svg, renderBeforeAfterSvg(before, after, { title: file, beforeNames: names(original), afterNames: names(optimized) }));
  }
  if (values.depfile !== undefined) {
    // Written last: its mtime must not be older than the outputs it describes.
    const [{ renderDepfile }, { builtinTargetProfile }] = await Promise.all([import('./cli/depfile.js'), import('../memory/target-profile.js')]);
    const profileFile = values.target !== undefined && !builtinTargetProfile(values.target) ? [values.target] : [];
    const tinyseg = [fileURLToPath(new URL('../../package.json', import.meta.url)), fileURLToPath(import.meta.url)];
    writeFileAtomic(values.depfile, renderDepfile(join(values.out, `${name}.tflite`), [file, ...profileFile, ...tinyseg]));
  }
  if (values.json) io.stdout(`${JSON.stringify(result.report, null, 2)}\n`);
  else io.stdout(`${renderOptimizeText(result.report)}${cached ? `cache ${cached.hit ? 'hit' : 'miss'}: ${cached.entry}\n` : ''}`);
  return 0;
}

function runCache(args: string[], io: CliIO): number {
  const { values, positionals } = parseCommandArgs('cache', args);
  const [action, ...extra] = positionals;
  if ((action !== 'info' && action !== 'clean') || extra.length > 0) {
    throw usageError(`cache takes 'info' or 'clean'${positionals.length > 0 ? `, got '${positionals.join(' ')}'` : ''}`);
  }
  if (action === 'clean') {
    const r = clearCache();
    io.stdout(`removed ${r.removed} ${r.removed === 1 ? 'entry' : 'entries'} (${formatBytes(r.bytes)}) from ${r.dir}\n`);
    return 0;
  }
  const info = cacheInfo();
  if (values.json) io.stdout(`${JSON.stringify(info, null, 2)}\n`);
  else {
    const where = { option: '', env: ' ($CACHE_DIR)', project: '', tmp: ' (temp dir: the project is not writable)' }[info.source];
    io.stdout(`dir      ${info.dir}${where}\nentries  ${info.entries}\ntotal    ${formatBytes(info.bytes)}\ncap      ${formatBytes(info.maxBytes)}\n`);
  }
  return 0;
}

function readInputFile(file: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(file));
  } catch (e) {
    throw new TinysegError('E_IO', `cannot read input: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`, { file });
  }
}

/** Model strings reach the terminal without control characters. */
const printable = (s: string): string => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');

export async function runCli(argv: string[], io: CliIO = defaultIO): Promise<number> {
  const debug = argv.includes('--debug');
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '-h' || command === '--help') {
      io.stdout(usage());
      return command === undefined ? 2 : 0;
    }
    if (command === '-v' || command === '--version') {
      io.stdout(`${version()}\n`);
      return 0;
    }
    if (command === 'help') {
      const [topic, ...extra] = rest;
      if (topic !== undefined && !isCommand(topic)) throw unknownCommand(topic);
      if (extra.length > 0) throw usageError('help takes at most one command');
      io.stdout(topic === undefined ? usage() : commandUsage(topic));
      return 0;
    }
    if (!isCommand(command)) throw unknownCommand(command);
    if (asksForHelp(rest)) {
      io.stdout(commandUsage(command));
      return 0;
    }
    return await commandRunners[command](rest, io);
  } catch (e) {
    if (debug) io.stderr(`${(e as Error).stack ?? String(e)}\n`);
    if (e instanceof TinysegError) {
      const help = e.code === 'E_USAGE' ? `see 'tinyseg ${command !== undefined && isCommand(command) ? `${command} ` : ''}--help'` : undefined;
      io.stderr(`tinyseg: ${e.oneLine(help)}\n`);
      return e.code === 'E_USAGE' ? 2 : 1;
    }
    io.stderr(`tinyseg: internal error: ${(e as Error).message ?? String(e)} (rerun with --debug for the stack)\n`);
    return 1;
  }
}

const commandRunners: Record<Command, (args: string[], io: CliIO) => Promise<number> | number> = {
  report: runReport,
  run: runRun,
  verify: runVerify,
  optimize: runOptimize,
  cache: runCache,
  watch: (args, io) => import('./cli/watch-command.js').then(({ runWatch }) => runWatch(args, io)),
};
