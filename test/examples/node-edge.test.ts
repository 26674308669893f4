// examples/node-edge bundled by its own build.js (esbuild's API with
// tinyseg/esbuild), started as a child process on a free port: GET /model must
// be the bytes `tinyseg optimize` writes and GET /report its plan.json.

import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OptimizeReport } from '../../src/optimize/optimize.js';
import { cliOptimize, ensureBuilt, exampleModel, linkTinyseg, type CliResult } from '../helpers/examples.js';
import { repoRoot } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp-dir.js';

const exampleDir = join(repoRoot, 'examples', 'node-edge');
const scratch = tempDir('tinyseg-node-edge-');

let cli: CliResult;
let child: ChildProcess | undefined;

beforeAll(() => {
  ensureBuilt();
  linkTinyseg(exampleDir);
  cli = cliOptimize(exampleModel, join(scratch, 'cli'));
}, 120_000);

afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGTERM');
});

/** Starts the bundle with PORT=0 and resolves with the address it prints. */
function start(bundle: string): Promise<string> {
  return new Promise((done, fail) => {
    child = spawn(process.execPath, [bundle], { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) done(m[1]!);
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => fail(new Error(`server exited with ${code}: ${err}`)));
    child.once('error', fail);
  });
}

describe('examples/node-edge', () => {
  it('serves the optimized model and its report from an esbuild bundle', async () => {
    const { bundleServer } = (await import(pathToFileURL(join(exampleDir, 'build.js')).href)) as { bundleServer(outdir: string): Promise<string> };
    const bundle = await bundleServer(join(scratch, 'dist'));
    const base = await start(bundle);

    const model = await fetch(`${base}/model`);
    expect(model.status).toBe(200);
    expect(model.headers.get('content-type')).toBe('application/octet-stream');
    expect(Buffer.from(await model.arrayBuffer()).equals(cli.model)).toBe(true);
    expect(Number(model.headers.get('x-tinyseg-arena-bytes'))).toBe(cli.report.after.arenaSize);

    const res = await fetch(`${base}/report`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const report = (await res.json()) as OptimizeReport;
    // The plugin names the model relative to the build's working directory, as the CLI does.
    expect(report.model).toBe('examples/models/tiny-unet-80x120.tflite');
    expect(report).toEqual(cli.report);
    expect(report.verified).toBe(true);

    expect((await fetch(`${base}/nothing`)).status).toBe(404);
  }, 120_000);
});
