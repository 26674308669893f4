// Hostile strings cannot escape the C context they are put in: identifiers are
// valid and unreserved, comments cannot be closed or spliced early, string
// literals hold exactly the original bytes. Checked by compiling with gcc.

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cComment, cIdentifier, cMacroName, cString } from '../../src/emit/c-text.js';
import { tempDir } from '../helpers/temp-dir.js';
import { HOSTILE } from './hostile-strings.js';


const IDENT = /^[A-Za-z][A-Za-z0-9_]*$/;

describe('cIdentifier', () => {
  it('gives a valid, unreserved identifier for every hostile string', () => {
    for (const s of HOSTILE) {
      const id = cIdentifier(s);
      expect(id, JSON.stringify(s)).toMatch(IDENT);
      expect(id).not.toMatch(/__|_$/);
      expect(cMacroName(id)).toMatch(/^[A-Z][A-Z0-9_]*$/);
    }
    expect(cIdentifier('tiny-unet-80x120')).toBe('tiny_unet_80x120');
    expect(cIdentifier('9lives')).toBe('m_9lives');
    expect(cIdentifier('int')).toBe('m_int');
    expect(cIdentifier('null')).toBe('m_null');
    expect(cIdentifier('__reserved__')).toBe('reserved');
    expect(cIdentifier('')).toBe('model');
    expect(cIdentifier('x'.repeat(300))).toMatch(/^x{39}_[0-9a-f]{8}$/);
    expect(cIdentifier('x'.repeat(300))).not.toBe(cIdentifier('x'.repeat(301)));
  });
});

describe('cComment and cString', () => {
  const work = tempDir('tinyseg-ctext-');

  it('cComment leaves no newline, comment delimiter, backslash or trigraph', () => {
    for (const s of HOSTILE) {
      const c = cComment(s);
      expect(c).not.toMatch(/[\n\r\\]|\*\/|\/\*|\/\/|\?\?|[^\x20-\x7e]/);
    }
  });

  it('compiles every hostile string in block comments, line comments and string literals, bytes intact', () => {
    const lines = ['#include <stdio.h>', '#include <string.h>'];
    HOSTILE.forEach((s, i) => {
      lines.push(`/* ${cComment(s)} */`, `// ${cComment(s)}`, `static const char s${i}[] = ${cString(s)};`);
    });
    lines.push('int main(void) {');
    HOSTILE.forEach((_, i) => lines.push(`  fwrite(s${i}, 1, sizeof s${i} - 1, stdout); fputc(0xff, stdout);`));
    lines.push('  return 0;', '}');
    writeFileSync(join(work, 'hostile.c'), `${lines.join('\n')}\n`);
    // -std=c11 turns trigraphs on; -Wall includes -Wcomment and -Wtrigraphs.
    for (const std of ['c11', 'gnu11']) {
      execFileSync('gcc', [`-std=${std}`, '-Wall', '-Wextra', '-Werror', 'hostile.c', '-o', `hostile-${std}`], { cwd: work, stdio: 'pipe' });
      const out = execFileSync(join(work, `hostile-${std}`));
      const expected = Buffer.concat(HOSTILE.flatMap((s) => [Buffer.from(s, 'utf8'), Buffer.from([0xff])]));
      expect(out.equals(expected)).toBe(true);
    }
    execFileSync('g++', ['-x', 'c++', '-std=c++17', '-Wall', '-Wextra', '-Werror', '-fsyntax-only', 'hostile.c'], { cwd: work, stdio: 'pipe' });
  });
});
