// How TinySeg writes files. Every file appears whole or not at all: a sibling
// temporary file is written, then renamed over the target (atomic on POSIX
// within one directory). The temporary name only has to differ from other
// writers' (the pid tells processes apart, the random part threads of one
// process): Math.random does, without the ~0.4 ms crypto's generator costs a
// cache hit on first use.
//
// Outputs (models, plans, generated C sources, charts, depfiles) also keep
// their bytes and inode when those are already right: a bundler or watcher
// that rebuilds on every save must not touch a firmware build's inputs, or
// make and ninja recompile the model array each time. Whether an unchanged
// output still gets a fresh mtime is the caller's: a command that a build
// system runs for its outputs ('touch') must leave them newer than the inputs
// that made it run, or make would run it again on every build.

import { mkdirSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { TinysegError } from '../../errors.js';

export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const dir = dirname(file);
  const tmp = join(dir, `.${basename(file)}.${process.pid}.${Math.random().toString(16).slice(2, 10)}.tmp`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new TinysegError('E_IO', `cannot write: ${(e as Error).message}`, { file, cause: e });
  }
}

/**
 * An output whose bytes are already on disk: left alone ('keep', for bundlers and
 * watch mode) or given a fresh mtime ('touch', for commands a build system runs).
 */
export type UnchangedOutput = 'keep' | 'touch';

export type OutputFile = readonly [file: string, data: string | Uint8Array];

/** Writes each output whole and atomically unless it already holds exactly these bytes; returns the files written. */
export function writeOutputs(files: Iterable<OutputFile>, unchanged: UnchangedOutput): string[] {
  const written: string[] = [];
  for (const [file, data] of files) {
    if (holds(file, data)) {
      if (unchanged === 'keep' || touched(file)) continue;
    }
    writeFileAtomic(file, data);
    written.push(file);
  }
  return written;
}

/** Whether the file exists with exactly these bytes; missing or unreadable is "no" (a real problem surfaces as writeFileAtomic's E_IO). */
function holds(file: string, data: string | Uint8Array): boolean {
  let current: Buffer;
  try {
    current = readFileSync(file);
  } catch {
    return false;
  }
  return current.equals(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
}

/** A fresh mtime for an unchanged output; false when that is not allowed (another owner), and the caller rewrites it instead. */
function touched(file: string): boolean {
  const now = new Date();
  try {
    utimesSync(file, now, now);
    return true;
  } catch {
    return false;
  }
}
