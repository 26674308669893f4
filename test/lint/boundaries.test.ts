// The layer order of src/ (lint/layers.js) as ESLint reports it: a file in
// src/graph/ that imports src/transform/ fails lint; an import of an earlier
// stage, or of src/errors.ts, passes. The files are linted from memory
// (lintText with a filePath), so nothing is written into src/.
import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

// Only the two layer rules: the point is the boundary, not the rest of the
// config (which would need a real file for its type-aware rules).
const eslint = new ESLint({
  cwd: root,
  overrideConfigFile: true,
  overrideConfig: [
    {
      files: ['**/*.ts'],
      languageOptions: { parser: (await import('typescript-eslint')).parser },
      plugins: { tinyseg: (await import('../../lint/layers.js')).default },
      rules: {
        'tinyseg/layer-order': 'error',
        'tinyseg/no-node-builtins': ['error', { exceptions: { 'emit/template.ts': ['node:fs'] } }],
      },
    },
  ],
});

async function lint(path: string, code: string) {
  const [result] = await eslint.lintText(code, { filePath: `${root}${path}` });
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('layer order', () => {
  it('reports src/graph importing src/transform', async () => {
    const messages = await lint('src/graph/boundary-probe.ts', "import { spillColdRanges } from '../transform/spill-cold-ranges.js';\nexport const x = spillColdRanges;\n");
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^tinyseg\/layer-order: graph .* must not import transform/);
  });

  it('reports src/ops importing src/tflm, also as a re-export, a type import and a dynamic import', async () => {
    const code = [
      "export { tflmLifetimes } from '../../tflm/lifetimes.js';",
      "import type { Arena } from '../../tflm/arena.js';",
      "export const load = () => import('../../tflm/lifetimes.js');",
      "export type T = typeof import('../../tflm/lifetimes.js');",
      'export type A = Arena;',
    ].join('\n');
    const messages = await lint('src/ops/conv/boundary-probe.ts', code);
    expect(messages).toHaveLength(4);
    for (const m of messages) expect(m).toMatch(/^tinyseg\/layer-order: ops .* must not import tflm/);
  });

  it('passes src/graph importing src/tflite, itself, src/errors.ts and src/defaults.ts', async () => {
    const code = [
      "import { readModel } from '../tflite/model-file.js';",
      "import { Graph } from './graph.js';",
      "import { TinysegError } from '../errors.js';",
      "import * as defaults from '../defaults.js';",
      "import { something } from 'flatbuffers';",
      'export const x = [readModel, Graph, TinysegError, defaults, something];',
    ].join('\n');
    expect(await lint('src/graph/boundary-probe.ts', code)).toEqual([]);
  });

  it('passes the last stage importing every earlier one, and src/index.ts importing anything', async () => {
    const code = "import { optimize } from '../optimize/optimize.js';\nimport { readModel } from '../tflite/model-file.js';\nexport const x = [optimize, readModel];\n";
    expect(await lint('src/integrations/boundary-probe.ts', code)).toEqual([]);
    expect(await lint('src/index.ts', "export { cli } from './integrations/cli.js';\n")).toEqual([]);
  });

  it('reports a stage importing the public entry', async () => {
    const messages = await lint('src/report/boundary-probe.ts', "import { optimize } from '../index.js';\nexport const x = optimize;\n");
    expect(messages).toEqual([expect.stringMatching(/^tinyseg\/layer-order: .*must not import src\/index\.ts/)]);
  });
});

describe("Node's built-ins before integrations", () => {
  it('reports node:fs (and bare fs) in src/transform', async () => {
    const messages = await lint('src/transform/boundary-probe.ts', "import { readFileSync } from 'node:fs';\nimport { join } from 'path';\nexport const x = [readFileSync, join];\n");
    expect(messages).toHaveLength(2);
    for (const m of messages) expect(m).toMatch(/^tinyseg\/no-node-builtins: /);
  });

  it('passes them in src/integrations and in a listed exception', async () => {
    expect(await lint('src/integrations/boundary-probe.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n")).toEqual([]);
    expect(await lint('src/emit/template.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n")).toEqual([]);
    expect(await lint('src/emit/template.ts', "import { join } from 'node:path';\nexport const x = join;\n")).toHaveLength(1);
  });
});

describe('eslint.config.js', () => {
  it('turns both rules on for every stage folder, so `npm run lint` enforces them', async () => {
    const project = new ESLint({ cwd: root });
    for (const file of ['src/graph/any-new-file.ts', 'src/integrations/unplugin/new/file.ts', 'src/ops/registry.ts']) {
      const config = await project.calculateConfigForFile(`${root}${file}`);
      const rules = (config as { rules: Record<string, unknown[]> }).rules;
      expect(rules['tinyseg/layer-order']?.[0], file).toBe(2);
      expect(rules['tinyseg/no-node-builtins']?.[0], file).toBe(2);
    }
  });
});
