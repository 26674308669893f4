// The one name of an operator kind, as TFLM's op resolver and TinySeg's tables
// know it: the builtin's name, or `CUSTOM:<custom code>` for a custom operator
// (two custom operators are different kinds although both have opcode CUSTOM).

/** The key of custom operator `code`. */
export const customKey = (code: string | null): string => `CUSTOM:${code}`;

/** The key of an operator: its builtin name, or customKey(customCode). */
export const opKey = (op: { readonly opcode: string; readonly customCode: string | null }): string =>
  op.opcode === 'CUSTOM' ? customKey(op.customCode) : op.opcode;
