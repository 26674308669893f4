// client.d.ts typechecks a consumer's `.tflite` imports with the real compiler.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/paths.js';
import { testTempDir } from '../helpers/temp-dir.js';

function typecheck(source: string): string[] {
  const dir = testTempDir('tinyseg-client-types-');
  const file = join(dir, 'consumer.ts');
  writeFileSync(file, `/// <reference path=${JSON.stringify(join(repoRoot, 'client.d.ts'))} />\n${source}`);
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: ['node'],
    typeRoots: [join(repoRoot, 'node_modules', '@types')],
    skipLibCheck: true,
    // What `tinyseg` resolves to once installed (npm test builds dist first).
    paths: { tinyseg: [join(repoRoot, 'dist', 'index.d.ts')] },
  });
  return ts.getPreEmitDiagnostics(program).map((d) => `${d.file ? `${d.file.fileName}: ` : ''}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

describe('client.d.ts', () => {
  it('types the default import, its named exports, ?url and ?original', () => {
    const errors = typecheck(`
import model, { arenaSize, report, customOps } from './seg.tflite';
import url from './seg.tflite?url';
import original from './seg.tflite?original';
const bytes: Uint8Array = model;
const total: number = arenaSize;
const head: number = report.after.head;
const verified: boolean | null = report.verified;
const ops: string[] = customOps;
const href: string = url;
const raw: Uint8Array = original;
export { bytes, total, head, verified, ops, href, raw };
`);
    expect(errors).toEqual([]);
  });

  it('types ?meta, its named exports and its default', () => {
    const errors = typecheck(`
import meta, { arenaSize, arenaUsed, head, inputs, outputs, verified } from './seg.tflite?meta';
const size: number = arenaSize + arenaUsed.after + head.before + meta.spillRegionSize + meta.modelSize;
const shape: number[] = inputs[0]!.shape;
const scale: number | null = outputs[0]!.scale;
const proved: boolean | null = verified;
const ops: string[] = meta.customOps;
export { size, shape, scale, proved, ops };
`);
    expect(errors).toEqual([]);
    expect(typecheck(`import { inputs } from './seg.tflite?meta';\nexport const n: number = inputs[0]!.name;\n`)).toHaveLength(1);
  });

  it('rejects wrong uses (the declarations are not any)', () => {
    const errors = typecheck(`
import model, { report } from './seg.tflite';
import url from './seg.tflite?url';
const s: string = model;
const n: number = url;
const x: string = report.after.nonsense;
export { s, n, x };
`);
    expect(errors).toHaveLength(3);
  });
});
