// Generated sources written only where their text changed: a bundler that
// rebuilds on every save must not touch the firmware's inputs, or make and
// ninja recompile the model array each time.

import { readFileSync } from 'node:fs';
import { writeFileAtomic } from './io/write-files.js';

/** Writes each file (whole, atomically) unless it already holds exactly this text; returns the files written. */
export function writeChangedFiles(files: Record<string, string>): string[] {
  const written: string[] = [];
  for (const [file, text] of Object.entries(files)) {
    let current: string | undefined;
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      // Missing or unreadable: write it; a real problem surfaces as writeFileAtomic's E_IO.
    }
    if (current === text) continue;
    writeFileAtomic(file, text);
    written.push(file);
  }
  return written;
}
