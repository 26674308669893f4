// The command line's help and usage errors: each command's own help, and a
// mistyped command, flag or value answered in one line that says what is wrong,
// what was probably meant and which help to read.

import { describe, expect, it } from 'vitest';
import { nearest } from '../../src/integrations/cli/usage.js';
import { inProcessCli } from '../helpers/cli.js';

const { tinyseg } = inProcessCli('tinyseg-usage-');
const COMMANDS = ['report', 'run', 'optimize', 'watch', 'cache', 'verify'];

describe('help', () => {
  it.each(COMMANDS)('tinyseg %s --help prints that command only and exits 0', async (command) => {
    const r = await tinyseg(command, '--help');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(new RegExp(`^Usage: tinyseg ${command} `));
    for (const other of COMMANDS.filter((c) => c !== command)) expect(r.stdout).not.toMatch(new RegExp(`^Usage: tinyseg ${other} `, 'm'));
    expect(await tinyseg(command, '-h')).toEqual(r);
    expect(await tinyseg('help', command)).toEqual(r);
  });

  it("accepts each flag a command's help lists", async () => {
    for (const command of COMMANDS) {
      const help = (await tinyseg(command, '--help')).stdout;
      const flags = [...help.matchAll(/^ {2,4}(?:-\w, )?(--[a-z-]+)/gm)].map((m) => m[1]!);
      expect(flags.length).toBeGreaterThan(2);
      for (const flag of flags) {
        const r = await tinyseg(command, flag, '--no-such-flag');
        // Parsing reached the unknown flag after it: the listed one was accepted (string flags take '--no-such-flag' as their value).
        if (r.stderr.includes('unknown option')) expect(r.stderr).toContain("unknown option '--no-such-flag'");
      }
    }
    const whole = (await tinyseg('--help')).stdout;
    for (const flag of ['--max-spill-bytes', '--depfile', '--oracle-input', '--sections']) expect(whole).toContain(flag);
    expect(whole).toContain("Run 'tinyseg <command> --help' for one command.");
  });

  it('treats -h after -- as a positional, not a request for help', async () => {
    const r = await tinyseg('report', '--', '-h');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('tinyseg: -h: cannot read model: no such file\n');
  });
});

describe('usage errors', () => {
  it.each([
    [['optimise', 'm.tflite'], "tinyseg: unknown command 'optimise'; did you mean 'optimize'? (see 'tinyseg --help')"],
    [['frobnicate'], "tinyseg: unknown command 'frobnicate' (see 'tinyseg --help')"],
    [['help', 'reprot'], "tinyseg: unknown command 'reprot'; did you mean 'report'? (see 'tinyseg --help')"],
    [['optimize', 'm.tflite', '-o', 'out', '--max-spill', '3'], "tinyseg: optimize: unknown option '--max-spill'; did you mean '--max-spill-bytes'? (see 'tinyseg optimize --help')"],
    [['optimize', 'm.tflite', '-o', 'out', '--arena_budget', '3'], "tinyseg: optimize: unknown option '--arena_budget'; did you mean '--arena-budget'? (see 'tinyseg optimize --help')"],
    [['watch', 'm', '-o', 'out', '--depfile', 'd'], "tinyseg: watch: unknown option '--depfile' (see 'tinyseg watch --help')"],
    [['report', 'm.tflite', '--jsn'], "tinyseg: report: unknown option '--jsn'; did you mean '--json'? (see 'tinyseg report --help')"],
    [['report', 'm.tflite', '--bogus'], "tinyseg: report: unknown option '--bogus' (see 'tinyseg report --help')"],
    [['optimize', 'm.tflite', '-o'], "tinyseg: optimize: -o, --out <dir> needs a value (see 'tinyseg optimize --help')"],
    [['optimize', 'm.tflite', '-o', 'out', '--name', '--emit'], "tinyseg: optimize: --name N needs a value (write --name=<value> for one that starts with '-') (see 'tinyseg optimize --help')"],
    [['report', 'm.tflite', '--json=yes'], "tinyseg: report: --json takes no value (see 'tinyseg report --help')"],
    [['optimize', 'm.tflite', '-o', 'out', '--inputs', 'abc'], "tinyseg: --inputs must be a whole number, got 'abc' (see 'tinyseg optimize --help')"],
    [['optimize', 'm.tflite', '-o', 'out', '--inputs', ''], "tinyseg: --inputs must be a whole number, got '' (see 'tinyseg optimize --help')"],
    [['optimize', 'm.tflite', '-o', 'out', '--arena-budget', '10k'], "tinyseg: --arena-budget must be a whole number of bytes, got '10k' (see 'tinyseg optimize --help')"],
    [['verify', 'a.tflite', 'b.tflite', '--seed', '1.5'], "tinyseg: --seed must be an integer, got '1.5' (see 'tinyseg verify --help')"],
    [['verify', 'a.tflite', 'b.tflite', '--inputs=-1'], "tinyseg: --inputs must be a whole number, got '-1' (see 'tinyseg verify --help')"],
    [['help', 'report', 'run'], "tinyseg: help takes at most one command (see 'tinyseg --help')"],
  ])('%j', async (argv, line) => {
    const r = await tinyseg(...argv);
    expect(r).toEqual({ code: 2, stdout: '', stderr: `${line}\n` });
  });

  it('prints the whole help and exits 2 without a command', async () => {
    const r = await tinyseg();
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^Usage: tinyseg <command> \[options\]/);
  });
});

describe('nearest', () => {
  it('suggests a close typo or a long enough prefix, and nothing for unrelated words', () => {
    const flags = ['--json', '--svg', '--max-spill-bytes', '--arena-budget', '--seed', '--inputs'];
    expect(nearest('--jsno', flags)).toBe('--json');
    expect(nearest('--max', flags)).toBe('--max-spill-bytes');
    expect(nearest('--input', flags)).toBe('--inputs');
    expect(nearest('--verbose', flags)).toBeUndefined();
    expect(nearest('-x', flags)).toBeUndefined();
    expect(nearest('zzz', ['report', 'run', 'optimize'])).toBeUndefined();
    expect(nearest('rn', ['report', 'run', 'optimize'])).toBe('run');
  });
});
