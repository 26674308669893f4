// Strings a crafted model could carry in its name, tensor names or description.

export const HOSTILE = [
  '*/ #error injected from a comment /*',
  'x\n#error injected after a newline',
  'x\r\n#error injected after CRLF',
  'trailing backslash \\',
  'trigraph ??/',
  '// line comment',
  '"; int injected = 1; const char* s = "',
  '9lives',
  'int',
  'NULL',
  '__reserved__',
  '_Upper',
  'a__b',
  '',
  '...',
  '名前-モデル',
  'bidi \u202e override',
  'nul\u0000byte',
  'x'.repeat(300),
];
