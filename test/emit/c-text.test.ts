// Hostile strings cannot escape the C context they are put in: identifiers are
// valid and unreserved, comments cannot be closed or spliced early, string
// literals hold exactly the original bytes. Compiled with gcc in
// c-text.system.test.ts.

import { describe, expect, it } from 'vitest';
import { cComment, cIdentifier, cMacroName } from '../../src/emit/c-text.js';
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
  it('cComment leaves no newline, comment delimiter, backslash or trigraph', () => {
    for (const s of HOSTILE) {
      const c = cComment(s);
      expect(c).not.toMatch(/[\n\r\\]|\*\/|\/\*|\/\/|\?\?|[^\x20-\x7e]/);
    }
  });
});
