// The `tinyseg` command line: its entry point (bin/tinyseg.js), which finds
// the command and turns every failure into one line. Exit codes: 0 success, 1
// a problem with the input (one line naming the file), 2 a usage error. Stack
// traces only with --debug. Each command lives in cli/<command>-command.ts.
//
// Commands are imported when they run, and they import graph decoding, the
// interpreter, the optimizer and the helpers of flags a build may not pass
// (--depfile, --target) only where they use them: `optimize` on a cache hit
// needs none of them and should cost little more than starting Node (each
// module costs ~0.5 ms).

import { readFileSync } from 'node:fs';
import { TinysegError } from '../errors.js';
import { packageJsonFile } from './code-location.js';
import { asksForHelp, commandUsage, isCommand, unknownCommand, usage, usageError, type Command } from './cli/usage.js';
import { writeStdout } from './cli/write-stdout.js';

export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

const defaultIO: CliIO = {
  stdout: writeStdout,
  stderr: (s) => process.stderr.write(s),
};

function version(): string {
  const pkg = JSON.parse(readFileSync(packageJsonFile(), 'utf8')) as { version: string };
  return pkg.version;
}

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

type CommandRunner = (args: string[], io: CliIO) => Promise<number> | number;

const commandRunners: Record<Command, CommandRunner> = {
  report: (args, io) => import('./cli/report-command.js').then(({ runReport }) => runReport(args, io)),
  run: (args, io) => import('./cli/run-command.js').then(({ runRun }) => runRun(args, io)),
  verify: (args, io) => import('./cli/verify-command.js').then(({ runVerify }) => runVerify(args, io)),
  optimize: (args, io) => import('./cli/optimize-command.js').then(({ runOptimize }) => runOptimize(args, io)),
  watch: (args, io) => import('./cli/watch-command.js').then(({ runWatch }) => runWatch(args, io)),
  cache: (args, io) => import('./cli/cache-command.js').then(({ runCache }) => runCache(args, io)),
  'emit-info': (args, io) => import('./cli/emit-info-command.js').then(({ runEmitInfo }) => runEmitInfo(args, io)),
};
