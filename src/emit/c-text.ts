// Model strings (tensor names, descriptions, the file name a model name comes
// from) are untrusted: a crafted model must not be able to inject code into
// the C/C++ and linker files TinySeg generates. Every string goes through one
// of these functions for the context it lands in; nothing else may splice
// model text into generated files.

import { createHash } from 'node:crypto';

const MAX_IDENTIFIER = 48;

/** C11/C23 and C++20 keywords, alternative tokens and names a header must not redefine. */
const RESERVED = new Set(
  (
    'alignas alignof and and_eq asm atomic_cancel atomic_commit atomic_noexcept auto bitand bitor bool break case catch ' +
    'char char8_t char16_t char32_t class co_await co_return co_yield compl concept const consteval constexpr constinit ' +
    'const_cast continue decltype default delete do double dynamic_cast else enum explicit export extern false float ' +
    'for friend goto if inline int long mutable namespace new noexcept not not_eq nullptr operator or or_eq private ' +
    'protected public reflexpr register reinterpret_cast requires restrict return short signed sizeof static ' +
    'static_assert static_cast struct switch synchronized template this thread_local throw true try typedef typeid ' +
    'typename typeof typeof_unqual union unsigned using virtual void volatile wchar_t while xor xor_eq ' +
    '_Alignas _Alignof _Atomic _BitInt _Bool _Complex _Decimal128 _Decimal32 _Decimal64 _Generic _Imaginary _Noreturn ' +
    '_Static_assert _Thread_local NULL EOF main errno assert offsetof ' +
    // ld script keywords, since identifiers also name linker symbols and regions.
    'ALIGN ASSERT AT BLOCK DEFINED ENTRY INCLUDE INSERT KEEP LENGTH LOADADDR MEMORY NOLOAD ORIGIN PROVIDE SECTIONS SIZEOF'
  )
    .split(' ')
    .map((w) => w.toLowerCase()),
);

/**
 * A C/C++ identifier made from any string: only [A-Za-z0-9_], no leading digit,
 * at most 48 characters, no double or leading/trailing underscores (reserved for the implementation,
 * and a trailing one would make `<id>_model` contain `__`), not a keyword.
 */
export function cIdentifier(s: string, fallback = 'model'): string {
  let id = s
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (id === '') id = fallback;
  // Names become file names and symbol prefixes: long ones keep a prefix and a hash of the whole.
  if (id.length > MAX_IDENTIFIER) id = `${id.slice(0, MAX_IDENTIFIER - 9).replace(/_+$/, '')}_${createHash('sha256').update(s).digest('hex').slice(0, 8)}`;
  // Compared case-insensitively: the id is also used upper-cased for macros.
  if (/^[0-9]/.test(id) || RESERVED.has(id.toLowerCase())) id = `m_${id}`;
  return id;
}

/** The same identifier for macros: upper case (cIdentifier output stays valid upper-cased). */
export const cMacroName = (id: string): string => cIdentifier(id).toUpperCase();

/**
 * Text safe inside a `/* ... *\/` or `//` comment of C, C++ or a GNU ld script:
 * one line (newlines and other control characters become spaces, so a `//`
 * comment cannot end early and the next line cannot be spliced by a trailing
 * backslash), no comment openers or closers, no trigraphs (`??/` is a
 * backslash in ISO C modes), printable ASCII only.
 */
export function cComment(s: string): string {
  return s
    .replace(/[^\x20-\x7e]/g, (c) => (/[\u0000-\u001f\u007f]/.test(c) ? ' ' : '?'))
    .replace(/\\/g, '/')
    .replace(/\*\//g, '* /')
    .replace(/\/\*/g, '/ *')
    .replace(/\/\//g, '/ /')
    .replace(/\?(?=\?)/g, '? ');
}

/**
 * A C string literal holding the UTF-8 bytes of `s`. Printable ASCII stays as it
 * is except `"`, `\` and `?` (trigraphs); every other byte is a three-digit octal
 * escape, which cannot swallow a following digit the way `\x` escapes do.
 */
export function cString(s: string): string {
  let out = '"';
  for (const b of new TextEncoder().encode(s)) {
    if (b === 0x22 || b === 0x5c || b === 0x3f) out += `\\${String.fromCharCode(b)}`;
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\${b.toString(8).padStart(3, '0')}`;
  }
  return `${out}"`;
}

/** An unsigned C integer literal (hex for addresses and sizes above 4095). */
export function cUnsigned(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`not a 32-bit unsigned value: ${n}`);
  return n > 4095 ? `0x${n.toString(16).toUpperCase().padStart(8, '0')}u` : `${n}u`;
}

/** The same number for a GNU ld script (no `u` suffix). */
export function ldNumber(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`not a 32-bit address or size: ${n}`);
  return `0x${n.toString(16).toUpperCase().padStart(8, '0')}`;
}
