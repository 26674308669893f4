// What c-text.test.ts checks as text, checked by the compilers: every hostile
// string in comments and string literals compiles with gcc (C11, where
// trigraphs are on, and GNU C11) and g++, and the literals hold its bytes.

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cComment, cString } from '../../src/emit/c-text.js';
import { tempDir } from '../helpers/temp-dir.js';
import { HOSTILE } from './hostile-strings.js';

describe('cComment and cString under gcc and g++', () => {
  const work = tempDir('tinyseg-ctext-');

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
