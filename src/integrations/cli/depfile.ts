// Make-style dependency files (`target: prerequisites`), the format GCC's -MD
// writes and that Make, Ninja and CMake's add_custom_command(DEPFILE) read.
// Build systems call the CLI with --depfile so that a file the build did not
// declare (a target profile, TinySeg itself after an upgrade) still triggers
// regeneration.

import { resolve } from 'node:path';
import { TinysegError } from '../../errors.js';

/**
 * One path escaped as GCC escapes it for Make: a space or '#' gets a
 * backslash (and the backslashes before it are doubled), '$' is doubled. A
 * line break cannot be written in a depfile at all.
 */
export function depfilePath(path: string): string {
  if (/[\n\r]/.test(path)) throw new TinysegError('E_USAGE', 'a path with a line break cannot be written to a depfile', { file: path });
  return path.replace(/(\\*)([ #])/g, (_, slashes: string, c: string) => `${slashes}${slashes}\\${c}`).replace(/\$/g, '$$$$');
}

/**
 * The depfile text: one rule, `target: deps...`, paths made absolute (so the
 * file means the same whatever directory the build tool runs in), each
 * prerequisite on its own continued line, duplicates dropped.
 */
export function renderDepfile(target: string, prerequisites: readonly string[]): string {
  const deps = [...new Set(prerequisites.map((p) => resolve(p)))];
  return `${depfilePath(resolve(target))}:${deps.map((d) => ` \\\n  ${depfilePath(d)}`).join('')}\n`;
}
