// How TinySeg writes files: a command's outputs (model, plan, firmware files,
// chart, depfile) appear together and whole, or not at all. Every output is
// first written to a temporary file beside its target; only when all of them
// are written are they renamed over their targets (atomic on POSIX within one
// directory), under a lock (commit-lock.ts) so that two processes writing the
// same outputs leave one whole set. A failure at any step removes the
// temporary files and the directories this write created, and puts back what
// the renames already replaced: a failed command leaves the previous set.
//
// A process killed mid-write (kill -9) leaves only temporary files, named
// `.<target>.<pid>.<random>.tmp`, never a truncated target; the next write of
// the same target removes those whose process is gone. Directories are made
// one level at a time, not with mkdir's recursive option, which never returns
// on /proc in Node 20.
//
// Hand-written rather than write-file-atomic: that one renames each file as
// soon as it is written, while the point here is the set (the one-file step is
// writeTemp below). The temporary name only has to differ from other writers'
// (the pid tells processes apart, the random part threads of one process):
// Math.random does, without the ~0.4 ms crypto's generator costs a cache hit.
//
// Outputs also keep their bytes and inode when those are already right: a
// bundler or watcher that rebuilds on every save must not touch a firmware
// build's inputs, or make and ninja recompile the model array each time.
// Whether an unchanged output still gets a fresh mtime is the caller's: a
// command that a build system runs for its outputs ('touch') must leave them
// newer than the inputs that made it run, or make would run it again on every
// build. Outputs are committed in the order given, so the last one (a
// depfile) is the newest.

import { copyFileSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { TinysegError } from '../../errors.js';
import { isRunning, withCommitLock } from './commit-lock.js';
import { writeError } from './write-error.js';

/**
 * An output whose bytes are already on disk: left alone ('keep', for bundlers and
 * watch mode) or given a fresh mtime ('touch', for commands a build system runs).
 */
export type UnchangedOutput = 'keep' | 'touch';

export type OutputFile = readonly [file: string, data: string | Uint8Array];

/** Writes one file whole and atomically, whatever it holds now (the cache's entries). */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  writeSet([[file, data]], 'rewrite');
}

/** Writes every output unless it already holds exactly these bytes, all or none; returns the files written. */
export function writeOutputs(files: Iterable<OutputFile>, unchanged: UnchangedOutput): string[] {
  return writeSet([...files], unchanged);
}

interface Staged {
  file: string;
  data: string | Uint8Array;
  /** The written temporary file, until it is renamed over `file`. */
  tmp?: string;
  /** A link to (or copy of) what `file` held before the rename, to put back if a later output fails. */
  previous?: string;
}

function writeSet(outputs: OutputFile[], unchanged: UnchangedOutput | 'rewrite'): string[] {
  const createdDirs: string[] = [];
  const staged: Staged[] = [];
  let current = outputs[0]?.[0] ?? '';
  try {
    const swept = new Set<string>();
    for (const [file, data] of outputs) {
      current = file;
      makeParents(dirname(file), createdDirs);
      if (!swept.has(dirname(file))) sweepDeadTemps(dirname(file), outputs);
      swept.add(dirname(file));
      staged.push({ file, data, ...(unchanged === 'rewrite' || !holds(file, data) ? { tmp: writeTemp(file, data) } : {}) });
    }
    if (unchanged === 'keep' && staged.every((s) => s.tmp === undefined)) return [];
    const lockDir = dirname([...outputs.map(([f]) => f)].sort()[0]!);
    return withCommitLock(lockDir, () => commit(staged, unchanged, (file) => (current = file)));
  } catch (e) {
    for (const s of staged) if (s.tmp !== undefined) removeQuietly(s.tmp);
    for (const dir of createdDirs.reverse()) removeDirQuietly(dir);
    throw e instanceof TinysegError ? e : writeError(current, e);
  }
}

/** Renames every staged output over its target in order; on a failure, undoes the renames done and rethrows. */
function commit(staged: Staged[], unchanged: UnchangedOutput | 'rewrite', at: (file: string) => void): string[] {
  const done: Staged[] = [];
  try {
    for (const s of staged) {
      at(s.file);
      if (s.tmp === undefined) {
        // Unchanged when staged; another process may have written it since.
        if (holds(s.file, s.data) && (unchanged === 'keep' || touched(s.file))) continue;
        s.tmp = writeTemp(s.file, s.data);
      }
      s.previous = keepPrevious(s.file);
      renameSync(s.tmp, s.file);
      delete s.tmp;
      done.push(s);
      if (unchanged === 'touch') touched(s.file);
    }
  } catch (e) {
    for (const s of done.reverse()) {
      if (s.previous === undefined) removeQuietly(s.file);
      else renameQuietly(s.previous, s.file);
      delete s.previous;
    }
    for (const s of staged) if (s.previous !== undefined) removeQuietly(s.previous);
    throw e;
  }
  for (const s of done) if (s.previous !== undefined) removeQuietly(s.previous);
  return done.map((s) => s.file);
}

const tempName = (file: string): string => join(dirname(file), `.${basename(file)}.${process.pid}.${Math.random().toString(16).slice(2, 10)}.tmp`);

function writeTemp(file: string, data: string | Uint8Array): string {
  const tmp = tempName(file);
  try {
    writeFileSync(tmp, data, { flag: 'wx' });
  } catch (e) {
    removeQuietly(tmp);
    throw e;
  }
  return tmp;
}

/** A second name for the target's current bytes (a hard link, else a copy); undefined when there is no target yet. */
function keepPrevious(file: string): string | undefined {
  try {
    if (!statSync(file).isFile()) return undefined;
  } catch {
    return undefined;
  }
  const previous = tempName(file);
  try {
    linkSync(file, previous);
  } catch {
    copyFileSync(file, previous);
  }
  return previous;
}

/** Creates `dir` and its missing ancestors one at a time, recording each one made. */
function makeParents(dir: string, created: string[]): void {
  const missing: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    let isDir: boolean;
    try {
      isDir = statSync(d).isDirectory();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(d) === d) throw e;
      missing.unshift(d);
      continue;
    }
    if (!isDir) throw Object.assign(new Error(`${d} is not a directory`), { code: 'ENOTDIR' });
    break;
  }
  for (const d of missing) {
    try {
      mkdirSync(d);
      created.push(d);
    } catch (e) {
      // Another writer made it in the meantime.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(d).isDirectory()) throw e;
    }
  }
}

/** Removes the temporary files of these outputs in `dir` that a killed writer left (its process is gone). */
function sweepDeadTemps(dir: string, outputs: OutputFile[]): void {
  const names = new Set(outputs.filter(([f]) => dirname(f) === dir).map(([f]) => basename(f)));
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    const m = /^\.(.+)\.(\d+)\.[0-9a-f]+\.tmp$/.exec(entry);
    if (m && names.has(m[1]!) && !isRunning(Number(m[2]))) removeQuietly(join(dir, entry));
  }
}

/** Whether the file exists with exactly these bytes; missing or unreadable is "no" (a real problem surfaces when writing). */
function holds(file: string, data: string | Uint8Array): boolean {
  let current: Buffer;
  try {
    current = readFileSync(file);
  } catch {
    return false;
  }
  return current.equals(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
}

/** A fresh mtime for an output; false when that is not allowed (another owner), and the caller rewrites it instead. */
function touched(file: string): boolean {
  const now = new Date();
  try {
    utimesSync(file, now, now);
    return true;
  } catch {
    return false;
  }
}

// Clean-up after a failure must not replace the failure's own error.
function removeQuietly(file: string): void {
  try {
    rmSync(file, { force: true });
  } catch {
    // e.g. ENOTDIR: there was nothing to remove
  }
}

function removeDirQuietly(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // not empty: another writer's files are in it
  }
}

function renameQuietly(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch {
    // the previous bytes stay under their temporary name, swept by the next write
  }
}
