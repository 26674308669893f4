// Builds that reach the remote cache the way users run them, against a real
// nginx (test/helpers/nginx-webdav.mjs): an esbuild build with the installed
// plugin (dist/), in a process that exits the moment the build returns, and
// `tinyseg watch`. The first build of a model uploads it before it reports
// (buildEnd, the watch's log line); a build from an empty local cache then
// gets it from the server, byte for byte the optimizer's own result.

import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, exampleModel } from '../helpers/examples.js';
import { startNginx } from '../helpers/nginx-webdav.mjs';
import { repoRoot } from '../helpers/paths.js';
import { runAsync as run, withoutRemoteEnv } from '../helpers/remote-cache-process.js';
import { tempDir } from '../helpers/temp-dir.js';

const scratch = tempDir('tinyseg-remote-builds-');
const bin = join(repoRoot, 'bin', 'tinyseg.js');
let nextDir = 0;
const freshDir = (what: string): string => mkdtempSync(join(scratch, `${what}-${nextDir++}-`));
const list = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).sort() : []);

/** The optimizer's own result for the example model, from `tinyseg optimize --no-cache`. */
const reference = { model: Buffer.alloc(0) };

beforeAll(async () => {
  ensureBuilt();
  const out = freshDir('reference');
  const r = await run(process.execPath, [bin, 'optimize', exampleModel, '-o', out, '--no-cache'], { cwd: scratch, env: withoutRemoteEnv(process.env) });
  if (r.code !== 0) throw new Error(`tinyseg optimize failed: ${r.stderr}`);
  reference.model = readFileSync(join(out, 'tiny-unet-80x120.tflite'));
}, 120_000);

describe('bundler and watch builds against nginx', () => {
  /** A project importing the example model; its bundle prints the model's bytes. */
  function project(): string {
    const dir = freshDir('project');
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(join(dir, 'main.js'), "import model from './model.tflite';\nconsole.log(Buffer.from(model).toString('base64'));\n");
    copyFileSync(exampleModel, join(dir, 'model.tflite'));
    return dir;
  }

  /**
   * An esbuild build with the installed plugin (dist/) in its own process, which exits the moment
   * the build returns, as a bundler's command does: an upload the build did not wait for is cut off.
   */
  async function esbuildBuild(dir: string, env: Record<string, string>): Promise<{ stdout: string; stderr: string; model: Buffer }> {
    const plugin = pathToFileURL(join(repoRoot, 'dist', 'integrations', 'unplugin', 'esbuild.js')).href;
    const esbuild = pathToFileURL(createRequire(join(repoRoot, 'package.json')).resolve('esbuild')).href;
    const script = join(dir, 'build.mjs');
    writeFileSync(
      script,
      [
        `const { build } = await import(${JSON.stringify(esbuild)});`,
        `const { default: tinyseg } = await import(${JSON.stringify(plugin)});`,
        "await build({ entryPoints: ['main.js'], bundle: true, platform: 'node', format: 'esm', outdir: 'out', logLevel: 'silent', plugins: [tinyseg()] });",
        'process.exit(0);',
      ].join('\n'),
    );
    const buildEnv = { ...withoutRemoteEnv(process.env), CACHE_DIR: freshDir('cache'), ...env };
    const built = await run(process.execPath, [script], { cwd: dir, env: buildEnv });
    if (built.code !== 0) throw new Error(`esbuild build failed:\n${built.stdout}${built.stderr}`);
    const ran = await run(process.execPath, [join(dir, 'out', 'main.js')], { cwd: dir, env: withoutRemoteEnv(process.env) });
    return { stdout: built.stdout, stderr: built.stderr, model: Buffer.from(ran.stdout.trim(), 'base64') };
  }

  it('esbuild: the first build uploads before its process exits; a build from an empty local cache is a remote hit with the same bytes', async () => {
    const bundlerServer = await startNginx();
    try {
      const env = { TINYSEG_REMOTE_CACHE: bundlerServer.url };
      const dir = project();
      const first = await esbuildBuild(dir, env);
      expect(first.model.equals(reference.model)).toBe(true);
      expect(first.stdout).toMatch(/^tinyseg: model\.tflite: .*verified bit-exact\n$/);
      expect(first.stderr).toBe('');
      // buildEnd waited for the upload: both objects are on the server although the process exited at once.
      const [k] = list(join(bundlerServer.store, 'ac'));
      expect(list(join(bundlerServer.store, 'ac'))).toEqual([expect.stringMatching(/^[0-9a-f]{64}$/)]);
      const action = JSON.parse(readFileSync(join(bundlerServer.store, 'ac', k!), 'utf8')) as { entry: { sha256: string } };
      expect(existsSync(join(bundlerServer.store, 'cas', action.entry.sha256))).toBe(true);

      const puts = () => (readFileSync(join(bundlerServer.dir, 'access.log'), 'utf8').match(/"PUT /g) ?? []).length;
      const putsBefore = puts();
      const second = await esbuildBuild(dir, env);
      expect(second.stdout).toMatch(/, cache remote hit\n$/);
      expect(second.stderr).toBe('');
      expect(second.model.equals(first.model)).toBe(true);
      expect(puts()).toBe(putsBefore);
    } finally {
      await bundlerServer.stop();
    }
  });

  it('tinyseg watch: the first build uploads before its line; a watch from an empty local cache gets a remote hit', async () => {
    const watchServer = await startNginx();
    try {
      const env = { TINYSEG_REMOTE_CACHE: watchServer.url };
      const first = await watchOnce(env);
      expect(first.line).toMatch(/ \(cache miss, \d+ ms\)$/);
      // The line comes after the upload: the server has the objects already.
      expect(first.acAtLine).toEqual([expect.stringMatching(/^[0-9a-f]{64}$/)]);
      expect(first.model.equals(reference.model)).toBe(true);
      const second = await watchOnce(env);
      expect(second.line).toMatch(/ \(cache remote hit, \d+ ms\)$/);
      expect(second.model.equals(reference.model)).toBe(true);
      for (const w of [first, second]) expect(w.stderr).toBe('');
    } finally {
      await watchServer.stop();
    }

    /** `tinyseg watch` on the example model from an empty local cache, stopped after its first build. */
    async function watchOnce(env: Record<string, string>): Promise<{ line: string; acAtLine: string[]; model: Buffer; stderr: string }> {
      const out = freshDir('watch-out');
      const child = spawn(process.execPath, [bin, 'watch', exampleModel, '-o', out], {
        cwd: scratch,
        env: { ...withoutRemoteEnv(process.env), CACHE_DIR: freshDir('cache'), ...env },
      });
      let stdout = '';
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise((done) => child.on('exit', done));
      try {
        const { line, acAtLine } = await new Promise<{ line: string; acAtLine: string[] }>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no build line from tinyseg watch:\n${stdout}${stderr}`)), 120_000);
          child.stdout.on('data', (d: Buffer) => {
            stdout += d.toString();
            const built = stdout.split('\n').find((l) => l.includes('tiny-unet-80x120.tflite: arena'));
            if (built === undefined) return;
            clearTimeout(timer);
            resolve({ line: built, acAtLine: list(join(watchServer.store, 'ac')) });
          });
        });
        await new Promise<void>((resolve) => {
          const check = () => (/Found 0 errors\. Watching for file changes\.\n/.test(stdout) ? resolve() : setTimeout(check, 20));
          check();
        });
        return { line, acAtLine, model: readFileSync(join(out, 'tiny-unet-80x120.tflite')), stderr };
      } finally {
        child.kill('SIGINT');
        await exited;
      }
    }
  });
});
