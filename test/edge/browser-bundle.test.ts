// tinyseg/runtime is browser-safe: the built entry (what the package ships)
// bundles for the browser with no warning and no error, without Node's
// built-ins, the C templates or the optimizer, while the main entry does not.

import { join } from 'node:path';
import { build, type BuildResult } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../helpers/examples.js';
import { repoRoot } from '../helpers/paths.js';

beforeAll(() => ensureBuilt(), 120_000);

const bundle = (entry: string): Promise<BuildResult<{ write: false; metafile: true }>> =>
  build({
    entryPoints: [join(repoRoot, 'dist', entry)],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });

describe('tinyseg/runtime in a browser bundle', () => {
  it('bundles with no warning, no Node built-in, no template and none of the optimizer', async () => {
    const out = await bundle('runtime/index.js');
    expect(out.errors).toEqual([]);
    expect(out.warnings).toEqual([]);
    const text = out.outputFiles[0]!.text;
    expect(text).not.toMatch(/["']node:|templates\//);
    const inputs = Object.keys(out.metafile.inputs);
    expect(inputs.filter((f) => /dist\/(integrations|emit|optimize|transform|report|memory)\//.test(f))).toEqual([]);
    expect(inputs.filter((f) => /reference-outputs|proof-worker|verify/.test(f))).toEqual([]);
    // What a page pays for the runtime, minified: every kernel an optimized model may need, TinySeg's own included
    // (301,103 B with TinySegResizeBand).
    expect(out.outputFiles[0]!.contents.length).toBeLessThan(310_000);
  });

  it('is needed: the main entry does not bundle for the browser', async () => {
    const failed = await bundle('index.js').then(
      () => null,
      (e: { errors: { text: string }[] }) => e.errors.map((x) => x.text).join('\n'),
    );
    expect(failed).toMatch(/node:/);
  });
});
