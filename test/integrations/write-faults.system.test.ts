// Output-writing faults that need a file system of their own: a full one
// (ENOSPC, a 64 KiB and a 160 KiB tmpfs) and a read-only one (a tmpfs
// remounted read-only; permission bits would not stop root). Mounting needs
// root, as in CI (.ci/run): anyone else gets a failure saying so, not a skip.

import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, exampleModel } from '../helpers/examples.js';
import { repoRoot } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp-dir.js';

const scratch = tempDir('tinyseg-write-faults-fs-');
const bin = join(repoRoot, 'bin', 'tinyseg.js');
const mountPoint = join(scratch, 'fs');
let mounted = false;

function run(cmd: string, args: string[]): { code: number | null; stderr: string } {
  const r = spawnSync(cmd, args, { cwd: scratch, encoding: 'utf8' });
  return { code: r.status, stderr: r.stderr };
}

function mount(options: string): void {
  const r = run('mount', ['-t', 'tmpfs', '-o', options, 'tinyseg-test', mountPoint]);
  if (r.code !== 0) throw new Error(`mount -t tmpfs -o ${options} failed: ${r.stderr}`);
  mounted = true;
}

const tinyseg = (...args: string[]) => run(process.execPath, [bin, 'optimize', 'm.tflite', ...args, '--no-verify']);

function tree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else files.set(relative(dir, p), `${statSync(p).mtimeMs} ${readFileSync(p).toString('base64')}`);
    }
  };
  walk(dir);
  return files;
}

beforeAll(() => {
  if (process.getuid?.() !== 0) throw new Error('these tests mount a tmpfs and need root (.ci/run runs them as root)');
  ensureBuilt();
  cpSync(exampleModel, join(scratch, 'm.tflite'));
  mkdirSync(mountPoint);
}, 120_000);

afterEach(() => {
  if (mounted) run('umount', [mountPoint]);
  mounted = false;
});

describe('tinyseg optimize on a full file system (ENOSPC)', () => {
  it('the first output does not fit: one line, exit 1, nothing left', () => {
    mount('size=64k');
    const r = tinyseg('-o', 'fs/out');
    expect(r.stderr).toBe('tinyseg: fs/out/m.tflite: cannot write: no space left on the device\n');
    expect(r.code).toBe(1);
    expect(readdirSync(mountPoint)).toEqual([]);
  });

  it('a later output does not fit (the chart after the model and plan): nothing left either', () => {
    // The optimized example (175 KiB) and its plan (11 KiB) fit; its chart (103 KiB) does not.
    mount('size=240k');
    const r = tinyseg('-o', 'fs/out', '--svg', 'fs/out/t.svg');
    expect(r.stderr).toBe('tinyseg: fs/out/t.svg: cannot write: no space left on the device\n');
    expect(r.code).toBe(1);
    expect(readdirSync(mountPoint)).toEqual([]);
  });
});

describe('tinyseg optimize on a read-only file system', () => {
  it('one line, exit 1, the previous outputs untouched (bytes and mtimes)', () => {
    mount('size=1m');
    expect(tinyseg('-o', 'fs/out', '--svg', 'fs/out/t.svg').code).toBe(0);
    const before = tree(mountPoint);
    expect(run('mount', ['-o', 'remount,ro', mountPoint]).code).toBe(0);
    const r = tinyseg('-o', 'fs/out', '--svg', 'fs/out/t.svg', '--max-spill-bytes', '60000');
    expect(r.stderr).toBe('tinyseg: fs/out/m.tflite: cannot write: read-only file system\n');
    expect(r.code).toBe(1);
    expect(tree(mountPoint)).toEqual(before);
  });
});
