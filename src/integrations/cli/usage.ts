// The command line's grammar: each command's flags with their help, parsed and
// documented from the same table so the two cannot drift apart, and usage
// errors that fit on one line. `tinyseg <command> --help` prints one command's
// part of the help; a mistyped command or flag gets the nearest known one.

import { parseArgs } from 'node:util';
import { DEFAULT_INFERENCE_RATE, DEFAULT_PROOF_INPUTS, DEFAULT_PROOF_SEED, DEFAULT_SPILL_STORAGE, DEFAULT_TARGET } from '../../defaults.js';
import { TinysegError } from '../../errors.js';

interface Flag {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** How the help shows it; a leading space marks a flag that only means something with the one above. */
  label: string;
  help: readonly string[];
}

/** Values parsed for a flag table: strings, string lists or booleans, absent when not given. */
export type FlagValues<F extends Record<string, Flag>> = {
  [K in keyof F]?: F[K]['type'] extends 'boolean' ? boolean : F[K] extends { multiple: true } ? string[] : string;
};

const KERNELS_FLAG = {
  type: 'string',
  label: '--kernels K',
  help: ["the kernels the firmware links: reference or", 'cmsis-nn (their scratch and op data differ);', "default: the target's (docs/target-profile.md)", 'when a target is given or implied, else reference'],
} as const satisfies Flag;

/** What TFLM's Prepare refuses, report and optimize refuse unless told to plan it anyway (checkModel). */
const ALLOW_REFUSED_FLAG = {
  type: 'boolean',
  label: '--allow-refused',
  help: ["plan a model TFLM's Prepare refuses: its refusals", 'become warnings (TFLM will not run it)'],
} as const satisfies Flag;

/** Custom operators of other projects the firmware links: their memory, and for emit their registration (docs/custom-ops.md). */
const CUSTOM_OP_FLAG = {
  type: 'string',
  multiple: true,
  label: '--custom-op NAME[:k=v,...]',
  help: [
    'a custom operator the firmware links, repeatable:',
    'scratch=BYTES (a+b: several requests),',
    'persistent=BYTES, register=FUNCTION (default',
    'Register_<NAME>), row-local (output row r from',
    'input row r: the streaming floor); docs/custom-ops.md',
  ],
} as const satisfies Flag;

/** The flags `optimize` and `watch` share: what shapes a result and its emitted files. */
const OPTIMIZE_FLAGS = {
  out: { type: 'string', short: 'o', label: '-o, --out <dir>', help: ['write <name>.tflite and <name>.plan.json there'] },
  'max-spill-bytes': { type: 'string', label: '--max-spill-bytes N', help: ['spill traffic allowed per inference (default: any)'] },
  'arena-budget': { type: 'string', label: '--arena-budget N', help: ['stop once the head fits N bytes; fail if it cannot'] },
  'max-overhead': {
    type: 'string',
    label: '--max-overhead P',
    help: ['predicted Invoke time the optimizer may add, in', 'percent (default 5; docs/compute-model.md): fewer', 'row bands or none, fewer spills beyond it'],
  },
  'no-spill': { type: 'boolean', label: '--no-spill', help: ['passes without spilling'] },
  'no-stream-layers': {
    type: 'boolean',
    label: '--no-stream-layers',
    help: ['no plan with every wide tensor streamed through', 'the spill region (band chains and cold-range', 'spills only: less spill traffic)'],
  },
  'builtins-only': {
    type: 'boolean',
    label: '--builtins-only',
    help: ['only rewrites that keep stock TFLite builtins', '(row bands, placement, PAD removal): LiteRT and', 'tfjs-tflite load the result (docs/bundlers.md)'],
  },
  'no-verify': { type: 'boolean', label: '--no-verify', help: ["skip the interpreter's proof (not recommended)"] },
  'allow-refused': ALLOW_REFUSED_FLAG,
  'custom-op': CUSTOM_OP_FLAG,
  'allow-unproved': {
    type: 'boolean',
    label: '--allow-unproved',
    help: ["write a result whose custom operators' outputs", 'the proof cannot compute (it says what it proved)'],
  },
  inputs: { type: 'string', label: '--inputs N', help: [`random inputs of the proof (default ${DEFAULT_PROOF_INPUTS})`] },
  seed: { type: 'string', label: '--seed S', help: [`seed of those inputs (default ${DEFAULT_PROOF_SEED})`] },
  'lossy-spill': {
    type: 'string',
    label: '--lossy-spill int8',
    help: ['store spilled float32 tensors as int8 codes: a', 'quarter of the traffic, NOT bit-exact; the report', 'gives the error (docs/custom-ops.md)'],
  },
  'no-cache': { type: 'boolean', label: '--no-cache', help: ['recompute even if the cache has the result', '(cached by model bytes, options and TinySeg', 'version; docs/cache.md)'] },
  'remote-cache': {
    type: 'string',
    label: '--remote-cache <url>',
    help: ['also share results through a Bazel HTTP cache', '(bazel-remote, nginx WebDAV); default', '$TINYSEG_REMOTE_CACHE (docs/cache.md)'],
  },
  'remote-cache-read-only': { type: 'boolean', label: ' --remote-cache-read-only', help: ['use its hits, upload nothing (developers read,', 'CI writes)'] },
  target: {
    type: 'string',
    label: '--target T',
    help: ['built-in target (mps2-an386, mps2-an500,', 'mps2-an385, mps3-an547) or a profile JSON', '(docs/target-profile.md); default', DEFAULT_TARGET],
  },
  storage: {
    type: 'string',
    label: '--storage S',
    help: [`spill region in ${DEFAULT_SPILL_STORAGE} (default), flash,`, 'internal-flash or remote;', 'the report gives its cost per inference and, for', 'flash, a wear warning with the lifetime'],
  },
  'inference-rate': { type: 'string', label: '--inference-rate R', help: [`inferences per second for that lifetime (default ${DEFAULT_INFERENCE_RATE})`] },
  kernels: KERNELS_FLAG,
  emit: {
    type: 'string',
    label: '--emit <dir>',
    help: ['also write C/C++ files for firmware: model array,', 'arena size, op resolver, linker fragment, init', 'call, C runtime and TFLM kernels'],
  },
  name: { type: 'string', label: ' --name N', help: ['C name of the model (default: the file name)'] },
  sections: { type: 'boolean', label: ' --sections', help: ['put the model in its own section, placed in', 'external flash by <name>_sections.ld'] },
  'spill-region': {
    type: 'string',
    label: ' --spill-region R',
    help: ["the vendor linker script's MEMORY region the", 'fragment places the spill region in (default:', "the profile's, e.g. psram.region, else PSRAM)"],
  },
} as const satisfies Record<string, Flag>;

export type OptimizeFlagValues = FlagValues<typeof OPTIMIZE_FLAGS>;

const JSON_FLAG = { type: 'boolean', label: '--json', help: ['print the report as JSON'] } as const satisfies Flag;

const COMMANDS = {
  report: {
    synopsis: 'report <model.tflite>',
    about: ['TFLM memory report: arena head/tail/total, lower bound,', 'peak operator and tensors, longest cold ranges'],
    flags: {
      json: { ...JSON_FLAG, help: ['print the report as JSON (docs/report-json.md)'] },
      svg: { type: 'string', label: '--svg <file>', help: ['also write a memory-timeline chart (SVG)'] },
      kernels: { ...KERNELS_FLAG, help: ['the kernels the firmware links: reference', "(default) or cmsis-nn; default with --target: the", "target's"] },
      target: {
        type: 'string',
        label: '--target T',
        help: ['built-in target or profile JSON: its core decides', "CMSIS-NN's buffers (DSP, MVE or none; default a", 'Cortex-M4-class DSP core) and the default kernels'],
      },
      'allow-refused': ALLOW_REFUSED_FLAG,
      'custom-op': CUSTOM_OP_FLAG,
    },
  },
  run: {
    synopsis: 'run <model.tflite> --out <dir> [--input <raw file>]... | --oracle-input',
    about: ["run the model in TinySeg's bit-exact interpreter", 'and write out0.bin, out1.bin, ... (raw bytes)'],
    flags: {
      out: { type: 'string', label: '--out <dir>', help: ['where the outputs go'] },
      input: { type: 'string', multiple: true, label: '--input <file>', help: ["one per model input, in order: the tensor's raw bytes"] },
      'oracle-input': { type: 'boolean', label: '--oracle-input', help: ['the deterministic input the oracle figures use'] },
    },
  },
  optimize: {
    synopsis: 'optimize <model.tflite> -o <dir> [options]',
    about: [
      'cut the arena: remove or fold PADs, rewrite',
      'TRANSPOSE_CONV, spill cold tensors; write',
      '<dir>/<name>.tflite (offline-planned, verified',
      'bit-exact) and <dir>/<name>.plan.json',
    ],
    flags: {
      ...OPTIMIZE_FLAGS,
      json: JSON_FLAG,
      svg: { type: 'string', label: '--svg <file>', help: ['also write a before/after memory timeline (SVG)'] },
      depfile: {
        type: 'string',
        label: '--depfile <file>',
        help: ['also write a Make-style depfile for build systems:', '<dir>/<name>.tflite (or the --stamp file) depends on', 'the model, the target profile file and TinySeg itself'],
      },
      stamp: {
        type: 'string',
        label: '--stamp <file>',
        help: ['for build systems: touch this file on success and', 'leave outputs whose bytes are unchanged alone, so', 'nothing that compiles them is rebuilt (docs/cmake.md)'],
      },
      quiet: { type: 'boolean', short: 'q', label: '-q, --quiet', help: ['print one line: the arena to allocate, the saving', 'and the proof (build tools)'] },
    },
  },
  watch: {
    synopsis: 'watch <path>... -o <dir> [optimize options]',
    about: ['optimize every .tflite file under the paths, then', 'again each one that changes (cached); docs/watch.md'],
    flags: OPTIMIZE_FLAGS,
  },
  cache: {
    synopsis: 'cache info [--json] | cache clean',
    about: ['the optimize cache: its directory, entries, total', 'size and size cap; or remove every entry'],
    flags: { json: { ...JSON_FLAG, help: ['print the information as JSON'] } },
  },
  verify: {
    synopsis: 'verify <original.tflite> <optimized.tflite> [--inputs N] [--seed S]',
    about: ['compare every output byte on the oracle input', 'and N seeded random inputs; exit 1 on any difference'],
    flags: {
      inputs: { type: 'string', label: '--inputs N', help: [`random inputs (default ${DEFAULT_PROOF_INPUTS})`] },
      seed: { type: 'string', label: '--seed S', help: [`their seed (default ${DEFAULT_PROOF_SEED})`] },
    },
  },
  'emit-info': {
    synopsis: 'emit-info [--name N] [--json]',
    about: ['the C name and macro prefix optimize --emit gives', 'a model file or name, and the built-in targets;', 'for build systems (docs/cmake.md)'],
    flags: {
      name: { type: 'string', label: '--name N', help: ['a model file or C name, as optimize --name'] },
      json: { ...JSON_FLAG, help: ['print them as JSON'] },
    },
  },
} as const satisfies Record<string, { synopsis: string; about: readonly string[]; flags: Record<string, Flag> }>;

export type Command = keyof typeof COMMANDS;

const COMMON_FLAGS = {
  debug: { type: 'boolean', label: '--debug', help: ['show stack traces'] },
  help: { type: 'boolean', short: 'h', label: '-h, --help', help: ['show this help'] },
} as const satisfies Record<string, Flag>;

const DESCRIPTION_COLUMN = 26;

/** Help lines: the label at `indent`, the text from DESCRIPTION_COLUMN (on the next line when the label is too long). */
function helpLines(indent: number, label: string, text: readonly string[]): string[] {
  const head = `${' '.repeat(indent)}${label}`;
  const pad = ' '.repeat(DESCRIPTION_COLUMN);
  if (head.length >= DESCRIPTION_COLUMN - 1) return [head, ...text.map((t) => pad + t)];
  return [head.padEnd(DESCRIPTION_COLUMN) + (text[0] ?? ''), ...text.slice(1).map((t) => pad + t)];
}

const flagLines = (flags: Record<string, Flag>, indent: number): string[] =>
  Object.values(flags).flatMap((f) => (f.label.startsWith(' ') ? helpLines(indent + 2, f.label.trimStart(), f.help) : helpLines(indent, f.label, f.help)));

export function isCommand(word: string): word is Command {
  return Object.hasOwn(COMMANDS, word);
}

/** A word that is not a command, with the command it was probably meant to be. */
export function unknownCommand(word: string): TinysegError {
  const near = nearest(word, Object.keys(COMMANDS));
  return usageError(`unknown command '${word}'${near ? `; did you mean '${near}'?` : ''}`);
}

/** The whole help: every command with its flags. */
export function usage(): string {
  const commands = Object.values(COMMANDS).flatMap((c) => [
    ...helpLines(2, c.synopsis, c.about),
    // watch takes optimize's flags: listing them twice only makes the help longer.
    ...(c.flags === OPTIMIZE_FLAGS ? [] : flagLines(c.flags, 4)),
  ]);
  return [
    'Usage: tinyseg <command> [options]',
    '',
    'Commands:',
    ...commands,
    '',
    'Options:',
    ...flagLines(COMMON_FLAGS, 2),
    ...helpLines(2, '-v, --version', ['show the version']),
    '',
    "Run 'tinyseg <command> --help' for one command.",
    '',
  ].join('\n');
}

/** One command's help. */
export function commandUsage(command: Command): string {
  const c = COMMANDS[command];
  return [`Usage: tinyseg ${c.synopsis}`, '', ...c.about.map((l) => `  ${l}`), '', 'Options:', ...flagLines({ ...c.flags, ...COMMON_FLAGS }, 2), ''].join('\n');
}

/** A usage error (exit code 2); the CLI adds the help to see. */
export function usageError(message: string): TinysegError {
  return new TinysegError('E_USAGE', message);
}

/** Whether the arguments ask for help (-h or --help before any `--`). */
export function asksForHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === '-h' || a === '--help');
}

/** A command's flags and positionals; a mistake is one usage line naming the flag (and the nearest known one). */
export function parseCommandArgs<C extends Command>(command: C, args: string[]): { values: FlagValues<(typeof COMMANDS)[C]['flags']>; positionals: string[] } {
  const flags: Record<string, Flag> = { ...COMMANDS[command].flags, ...COMMON_FLAGS };
  const options = Object.fromEntries(
    Object.entries(flags).map(([name, f]) => [name, { type: f.type, ...(f.short ? { short: f.short } : {}), ...(f.multiple ? { multiple: true } : {}) }]),
  );
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values: values as FlagValues<(typeof COMMANDS)[C]['flags']>, positionals };
  } catch (e) {
    throw usageError(argsProblem(command, e as Error & { code?: string }, flags));
  }
}

/** parseArgs' message in our words: which flag, and what is wrong with it. */
function argsProblem(command: Command, e: Error & { code?: string }, flags: Record<string, Flag>): string {
  const flag = /'(-[^' ,]*)/.exec(e.message)?.[1];
  const names = Object.entries(flags).flatMap(([name, f]) => [`--${name}`, ...(f.short ? [`-${f.short}`] : [])]);
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag) {
    const near = nearest(flag.replace(/=.*$/, ''), names);
    return `${command}: unknown option '${flag}'${near ? `; did you mean '${near}'?` : ''}`;
  }
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && flag) {
    const name = Object.entries(flags).find(([n, f]) => flag === `--${n}` || flag === `-${f.short}`)?.[0] ?? flag.replace(/^-+/, '');
    if (flags[name]?.type === 'boolean') return `${command}: ${flag} takes no value`;
    return `${command}: ${flags[name]?.label.trim() ?? flag} needs a value${/ambiguous/.test(e.message) ? ` (write --${name}=<value> for one that starts with '-')` : ''}`;
  }
  return `${command}: ${e.message.split(/\.\s|\n/)[0]}`;
}

/** The candidate closest to `word` by edit distance, if it is close enough to be a typo (or `word` is a prefix of it). */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = c.startsWith(word) && word.length >= 3 ? 0.5 : editDistance(word, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return bestDistance <= Math.max(1, Math.min(2, Math.floor(word.length / 3))) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next.push(Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    row = next;
  }
  return row[b.length]!;
}

/** A whole number a flag takes, or a usage error saying what it must be. */
export function wholeNumber(flag: string, v: string | undefined, what = 'a whole number'): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isSafeInteger(n) || n < 0) throw usageError(`${flag} must be ${what}, got '${v}'`);
  return n;
}

/** An integer a flag takes (a seed: negative is fine). */
export function integer(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isSafeInteger(n)) throw usageError(`${flag} must be an integer, got '${v}'`);
  return n;
}
