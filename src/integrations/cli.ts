// The `tinyseg` command line. Exit codes: 0 success, 1 a problem with the
// input (one line naming the file), 2 a usage error. Stack traces only with --debug.

import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { TinysegError } from '../errors.js';
import { memoryReport } from '../report/memory-report.js';
import { renderTimelineSvg } from '../report/svg.js';
import { renderReportText } from '../report/text.js';
import { writeFileAtomic } from './atomic-write.js';
import { readModelFile } from './read-model.js';

export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

const defaultIO: CliIO = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
};

const USAGE = `Usage: tinyseg <command> [options]

Commands:
  report <model.tflite>   TFLM memory report: arena head/tail/total, lower bound,
                          peak operator and tensors, longest cold ranges
    --json                print the report as JSON (docs/report-json.md)
    --svg <file>          also write a memory-timeline chart (SVG)

Options:
  --debug                 show stack traces
  -h, --help              show this help
  -v, --version           show the version
`;

function usageError(message: string): TinysegError {
  return new TinysegError('E_USAGE', message, { hint: "see 'tinyseg --help'" });
}

function parse<T extends ParseArgsConfig['options']>(args: string[], options: T) {
  try {
    return parseArgs({ args, options: { ...options, debug: { type: 'boolean' } }, allowPositionals: true, strict: true });
  } catch (e) {
    throw usageError((e as Error).message.split('\n')[0]!);
  }
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function runReport(args: string[], io: CliIO): number {
  const { values, positionals } = parse(args, { json: { type: 'boolean' }, svg: { type: 'string' } });
  if (positionals.length !== 1) throw usageError(`report takes one model file, got ${positionals.length}`);
  const model = readModelFile(positionals[0]!);
  const report = memoryReport(model);
  if (values.svg !== undefined) {
    const names = new Map(model.graph.main.tensors.map((t) => [t.index, t.name]));
    writeFileAtomic(values.svg, renderTimelineSvg(report, { title: `${model.file}: memory timeline`, tensorNames: names }));
  }
  io.stdout(values.json ? `${JSON.stringify(report, null, 2)}\n` : renderReportText(report));
  return 0;
}

export function runCli(argv: string[], io: CliIO = defaultIO): number {
  const debug = argv.includes('--debug');
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
      io.stdout(USAGE);
      return command === undefined ? 2 : 0;
    }
    if (command === '-v' || command === '--version') {
      io.stdout(`${version()}\n`);
      return 0;
    }
    switch (command) {
      case 'report':
        return runReport(rest, io);
      default:
        throw usageError(`unknown command '${command}'`);
    }
  } catch (e) {
    if (debug) io.stderr(`${(e as Error).stack ?? String(e)}\n`);
    if (e instanceof TinysegError) {
      io.stderr(`tinyseg: ${e.oneLine()}\n`);
      return e.code === 'E_USAGE' ? 2 : 1;
    }
    io.stderr(`tinyseg: internal error: ${(e as Error).message ?? String(e)} (rerun with --debug for the stack)\n`);
    return 1;
  }
}
