// docs/operators.md stays in step with the registry: every operator the
// interpreter has a kernel for has its row, builtins in the main table and
// TinySeg's CUSTOM operators in theirs, and no row names an operator that is
// not there. The test files a row cites exist.

import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OP_RECORDS } from '../../src/ops/registry.js';

const doc = readFileSync(new URL('../../docs/operators.md', import.meta.url), 'utf8');
// The last section records a check against tfjs-tflite, case by case: not operator rows.
const [builtinPart, customPart] = doc.split('## Checked against tfjs-tflite')[0]!.split("## TinySeg's own operators");
/** The first cell of every table row of `text` (header and rule rows excluded). */
const rows = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| Operator') && !l.startsWith('| ---'))
    .map((l) => l.split('|').map((c) => c.trim()));

describe('docs/operators.md', () => {
  const withKernels = OP_RECORDS.filter((r) => r.kernel).map((r) => r.key);
  const builtins = withKernels.filter((k) => !k.startsWith('CUSTOM:'));
  const customs = withKernels.filter((k) => k.startsWith('CUSTOM:'));

  it('lists every builtin the interpreter computes, once, and nothing else', () => {
    const listed = rows(builtinPart!).map((r) => r[1]!);
    expect([...listed].sort()).toEqual([...builtins].sort());
  });

  it("lists TinySeg's CUSTOM operators in their own table", () => {
    expect(customPart).toBeDefined();
    expect(rows(customPart!).map((r) => r[1]!).sort()).toEqual([...customs].sort());
  });

  it('cites test files that exist, and a count for each TFLM test file', () => {
    for (const r of rows(builtinPart!)) {
      const [, op, , tflm, total, taken, ours] = r;
      if (ours !== '—') for (const f of ours!.split(/,\s*/)) expect(existsSync(new URL(`./${f}`, import.meta.url)), `${op}: ${f}`).toBe(true);
      if (tflm !== '—' && taken !== '—') expect(Number(taken), `${op}: taken`).toBeLessThanOrEqual(Number(total!.split(' of ')[0]));
    }
  });
});
