// The lock two TinySeg processes take before putting a set of outputs in
// place, so that two builds of the same outputs (CMake and a watcher, two
// parallel make jobs) leave one whole set, the last one's, not a model of one
// and a plan of the other. It is held only while renaming the already written
// files: milliseconds.
//
// A file created with O_EXCL holding the owner's pid. A holder killed with
// -9 leaves it behind: a waiter that finds its pid gone removes it. The one
// race left needs two waiters to find the same dead owner's file at once; the
// outcome is then a mixed set, as without the lock. Hand-written rather than
// proper-lockfile: that one is asynchronous and mtime-based (it keeps a timer
// refreshing the file), for locks held for seconds across machines.

import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_NAME = '.tinyseg.lock';
/** Longer than any commit: beyond it the lock is someone's bug, not a wait. */
const GIVE_UP_MS = 60_000;
const POLL_MS = 5;

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Runs `fn` holding the lock file in `dir` (which must exist). */
export function withCommitLock<T>(dir: string, fn: () => T): T {
  const lock = join(dir, LOCK_NAME);
  const deadline = Date.now() + GIVE_UP_MS;
  for (;;) {
    let fd: number;
    try {
      fd = openSync(lock, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (ownerIsGone(lock)) rmSync(lock, { force: true });
      else if (Date.now() > deadline) throw new Error(`${lock} has been held for ${GIVE_UP_MS / 1000} s by process ${owner(lock)}`, { cause: e });
      else Atomics.wait(sleeper, 0, 0, POLL_MS);
      continue;
    }
    try {
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return fn();
    } finally {
      rmSync(lock, { force: true });
    }
  }
}

function owner(lock: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(lock, 'utf8'), 10);
    return Number.isInteger(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The lock's owner is no longer running; an empty file is an owner between open and write, unless it stayed empty for a second. */
function ownerIsGone(lock: string): boolean {
  const pid = owner(lock);
  if (pid !== undefined) return !isRunning(pid);
  try {
    return Date.now() - statSync(lock).mtimeMs > 1000;
  } catch {
    return false;
  }
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
