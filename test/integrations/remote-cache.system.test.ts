// The remote cache against a real nginx (Debian's package, WebDAV PUT on),
// started on 127.0.0.1 and a free port by this file: `tinyseg optimize` runs
// as a user runs it (bin/tinyseg.js, its own process, exit included), each
// run from its own empty local cache unless said otherwise. Every fault ends
// in the optimizer's own result, byte for byte: none serves a wrong byte.

import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, exampleModel } from '../helpers/examples.js';
import { freePort, startNginx, type NginxWebdav } from '../helpers/nginx-webdav.mjs';
import { repoRoot } from '../helpers/paths.js';
import { runAsync, withoutRemoteEnv } from '../helpers/remote-cache-process.js';
import { tempDir } from '../helpers/temp-dir.js';

const scratch = tempDir('tinyseg-remote-cache-');
const bin = join(repoRoot, 'bin', 'tinyseg.js');
const TOKEN = 'Bearer tinyseg-test-secret-7f3a';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** The optimized model and plan the run wrote. */
  model: Buffer;
  plan: string;
  cacheDir: string;
}

let nextDir = 0;
const freshDir = (what: string): string => mkdtempSync(join(scratch, `${what}-${nextDir++}-`));

/** `tinyseg optimize` on the example model in its own process; asynchronous, so servers in this process keep answering. */
function optimize(env: Record<string, string>, args: string[] = [], cacheDir = freshDir('cache')): Promise<Run> {
  const out = freshDir('out');
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'optimize', exampleModel, '-o', out, ...args], {
      cwd: scratch,
      env: { ...withoutRemoteEnv(process.env), CACHE_DIR: cacheDir, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      const read = (f: string) => (existsSync(join(out, f)) ? readFileSync(join(out, f)) : Buffer.alloc(0));
      resolve({ code, stdout, stderr, ms, model: read('tiny-unet-80x120.tflite'), plan: read('tiny-unet-80x120.plan.json').toString(), cacheDir });
    });
  });
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const list = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).sort() : []);
const warnings = (r: Run): string[] => r.stderr.split('\n').filter((l) => l.startsWith('tinyseg: warning:'));
const localEntries = (cacheDir: string): string[] => list(join(cacheDir, 'tinyseg')).filter((f) => f.endsWith('.entry'));

let server: NginxWebdav;
/** The optimizer's own result, from a run without any cache. */
let reference: Run;
let key: string;

beforeAll(async () => {
  ensureBuilt();
  server = await startNginx();
  reference = await optimize({}, ['--no-cache']);
  expect(reference.code).toBe(0);
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

function expectReferenceResult(r: Run): void {
  expect(r.code).toBe(0);
  expect(r.model.equals(reference.model)).toBe(true);
  expect(r.plan).toBe(reference.plan);
}

describe('remote cache on nginx (WebDAV)', () => {
  const remote = () => ({ TINYSEG_REMOTE_CACHE: server.url });

  it('uploads a computed result as ac/<key> naming cas/<sha256>, and serves it to an empty local cache', async () => {
    const first = await optimize(remote());
    expectReferenceResult(first);
    expect(first.stdout).toMatch(/^cache miss: result stored in /m);
    expect(warnings(first)).toEqual([]);
    const keys = list(join(server.store, 'ac'));
    expect(keys).toEqual([expect.stringMatching(/^[0-9a-f]{64}$/)]);
    key = keys[0]!;
    // The result, and the original's outputs the proof compared against (kept locally only: docs/cache.md).
    expect(localEntries(first.cacheDir)).toContain(`${key}.entry`);
    expect(localEntries(first.cacheDir)).toHaveLength(2);
    // The action result names the blob, and the blob is the local entry byte for byte.
    const action = JSON.parse(readFileSync(join(server.store, 'ac', key), 'utf8')) as { schema: string; key: string; entry: { sha256: string; bytes: number } };
    const local = readFileSync(join(first.cacheDir, 'tinyseg', `${key}.entry`));
    expect(action).toEqual({ schema: 'tinyseg.remote-cache/1', key, entry: { sha256: sha256(local), bytes: local.length } });
    expect(readFileSync(join(server.store, 'cas', action.entry.sha256)).equals(local)).toBe(true);

    const second = await optimize(remote());
    expectReferenceResult(second);
    expect(second.stdout).toContain(`cache remote hit: the optimizer did not run (result from ${server.url}/ac/${key}, stored in `);
    expect(warnings(second)).toEqual([]);
    // Stored locally: the next build is a local hit and asks the server nothing.
    expect(readFileSync(join(second.cacheDir, 'tinyseg', `${key}.entry`)).equals(local)).toBe(true);
    const requests = readFileSync(join(server.dir, 'access.log'), 'utf8').split('\n').length;
    const third = await optimize(remote(), [], second.cacheDir);
    expectReferenceResult(third);
    expect(third.stdout).toMatch(/^cache hit: the optimizer did not run/m);
    expect(readFileSync(join(server.dir, 'access.log'), 'utf8').split('\n').length).toBe(requests);

    const quiet = await optimize(remote(), ['--quiet']);
    expect(quiet.stdout.trim()).toMatch(/, cache remote hit$/);
  });

  // Each corruption of what the server holds, then the good objects put back.
  const corruptions: [string, (ac: string, cas: string) => void, RegExp][] = [
    ['a flipped byte in the blob', (_ac, cas) => flipByte(cas, 200), /blob does not match its sha256/],
    ['a truncated blob', (_ac, cas) => writeFileSync(cas, readFileSync(cas).subarray(0, 1000)), /blob is 1000 bytes, the action result says \d+/],
    ['garbage for the action result', (ac) => writeFileSync(ac, 'not json'), /action result is not JSON/],
    ['another key\'s entry named by the action result (sha256 right)', (ac) => pointAtOtherEntry(ac), /entry belongs to another key/],
    [
      'a blob altered with its sha256 and length updated (the entry\'s own checksum fails)',
      (ac, cas) => {
        flipByte(cas, 100);
        rewriteAction(ac, readFileSync(cas));
      },
      /payload checksum mismatch/,
    ],
  ];

  for (const [what, corrupt, problem] of corruptions) {
    it(`ignores ${what}, recomputes, and the upload repairs the server`, async () => {
      const acFile = join(server.store, 'ac', key);
      const action = JSON.parse(readFileSync(acFile, 'utf8')) as { entry: { sha256: string } };
      corrupt(acFile, join(server.store, 'cas', action.entry.sha256));
      const r = await optimize(remote());
      expectReferenceResult(r);
      expect(r.stdout).toMatch(/^cache miss: result stored in /m);
      expect(warnings(r)).toHaveLength(1);
      expect(warnings(r)[0]).toMatch(new RegExp(`remote cache entry ${server.url}/ac/${key} failed its check \\(${problem.source}\\); ignored and recomputed`));
      // The recomputed result replaced what was wrong: the next empty cache gets a good remote hit.
      const after = await optimize(remote());
      expectReferenceResult(after);
      expect(after.stdout).toContain('cache remote hit');
      expect(warnings(after)).toEqual([]);
    });
  }

  function flipByte(file: string, at: number): void {
    const b = readFileSync(file);
    b[at] = b[at]! ^ 0x40;
    writeFileSync(file, b);
  }

  function rewriteAction(acFile: string, blob: Buffer): void {
    const action = JSON.parse(readFileSync(acFile, 'utf8')) as { entry: { sha256: string; bytes: number } };
    action.entry = { sha256: sha256(blob), bytes: blob.length };
    writeFileSync(join(server.store, 'cas', action.entry.sha256), blob);
    writeFileSync(acFile, JSON.stringify(action));
  }

  /** The entry of the same model with other options (another key), stored and named under this key. */
  let otherEntry: Buffer | undefined;
  function pointAtOtherEntry(acFile: string): void {
    if (otherEntry === undefined) throw new Error('no other entry');
    rewriteAction(acFile, otherEntry);
  }
  beforeAll(async () => {
    const other = await optimize({}, ['--seed', '2']);
    const [entry] = localEntries(other.cacheDir);
    otherEntry = readFileSync(join(other.cacheDir, 'tinyseg', entry!));
  }, 120_000);

  it('read-only: uses hits, uploads nothing', async () => {
    const readOnlyServer = await startNginx();
    try {
      const env = { TINYSEG_REMOTE_CACHE: readOnlyServer.url };
      const viaEnv = await optimize({ ...env, TINYSEG_REMOTE_CACHE_READ_ONLY: '1' });
      expectReferenceResult(viaEnv);
      const viaFlag = await optimize({}, ['--remote-cache', readOnlyServer.url, '--remote-cache-read-only']);
      expectReferenceResult(viaFlag);
      expect(list(readOnlyServer.store)).toEqual([]);
      expect(readFileSync(join(readOnlyServer.dir, 'access.log'), 'utf8')).not.toMatch(/"PUT /);
      // A writer (CI) fills it; a read-only developer then gets the hit.
      await optimize(env);
      const reader = await optimize({ ...env, TINYSEG_REMOTE_CACHE_READ_ONLY: '1' });
      expectReferenceResult(reader);
      expect(reader.stdout).toContain('cache remote hit');
    } finally {
      await readOnlyServer.stop();
    }
  });

  it('two processes uploading the same key leave one action result naming a whole blob', async () => {
    const shared = await startNginx();
    try {
      const env = { TINYSEG_REMOTE_CACHE: shared.url };
      const [a, b] = await Promise.all([optimize(env), optimize(env)]);
      expectReferenceResult(a);
      expectReferenceResult(b);
      expect(warnings(a)).toEqual([]);
      expect(warnings(b)).toEqual([]);
      const [k] = list(join(shared.store, 'ac'));
      const action = JSON.parse(readFileSync(join(shared.store, 'ac', k!), 'utf8')) as { entry: { sha256: string; bytes: number } };
      const blob = readFileSync(join(shared.store, 'cas', action.entry.sha256));
      expect(blob.length).toBe(action.entry.bytes);
      expect(sha256(blob)).toBe(action.entry.sha256);
      // No request body left half-written in nginx's temp directory.
      expect(list(join(shared.dir, 'client-body'))).toEqual([]);
      const c = await optimize(env);
      expectReferenceResult(c);
      expect(c.stdout).toContain('cache remote hit');
    } finally {
      await shared.stop();
    }
  });

  it('sends the auth header from TINYSEG_REMOTE_CACHE_HEADER, and never prints it', async () => {
    const guarded = await startNginx({ requiredHeader: { name: 'Authorization', value: TOKEN } });
    try {
      const env = { TINYSEG_REMOTE_CACHE: guarded.url };
      const refused = await optimize(env);
      expectReferenceResult(refused);
      expect(warnings(refused)).toEqual([
        `tinyseg: warning: remote cache ${guarded.url}: answered HTTP 401 to GET ${guarded.url}/ac/${key}; computed locally, and not asked again by this process`,
      ]);
      expect(list(guarded.store)).toEqual([]);
      const writer = await optimize({ ...env, TINYSEG_REMOTE_CACHE_HEADER: `Authorization: ${TOKEN}` });
      expectReferenceResult(writer);
      expect(list(join(guarded.store, 'ac'))).toEqual([key]);
      const reader = await optimize({ ...env, TINYSEG_REMOTE_CACHE_HEADER: `Authorization: ${TOKEN}` });
      expect(reader.stdout).toContain('cache remote hit');
      for (const r of [refused, writer, reader]) expect(r.stdout + r.stderr).not.toContain('tinyseg-test-secret');
    } finally {
      await guarded.stop();
    }
  });
});

describe('remote cache faults that fall back to computing', () => {
  it('server down (nobody listens on the port): one warning line, the optimizer runs', async () => {
    const port = await freePort();
    const r = await optimize({ TINYSEG_REMOTE_CACHE: `http://127.0.0.1:${port}` });
    expectReferenceResult(r);
    expect(r.stdout).toMatch(/^cache miss: result stored in /m);
    expect(warnings(r)).toEqual([
      `tinyseg: warning: remote cache http://127.0.0.1:${port}: unreachable (connect ECONNREFUSED 127.0.0.1:${port}); computed locally, and not asked again by this process`,
    ]);
  });

  it('server slow (accepts, never answers): the build is no slower than computing, with one warning line', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((s) => void sockets.push(s));
    await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
    const { port } = silent.address() as { port: number };
    const url = `http://127.0.0.1:${port}`;
    try {
      // A deadline far above the computation (a few seconds here): a build that waited for it before computing would
      // be ~20 s slower.
      const timeoutMs = 20_000;
      const local = [await optimize({})];
      const r = await optimize({ TINYSEG_REMOTE_CACHE: url, TINYSEG_REMOTE_CACHE_TIMEOUT_MS: String(timeoutMs) });
      local.push(await optimize({}));
      expectReferenceResult(r);
      expect(r.stdout).toMatch(/^cache miss: result stored in /m);
      expect(warnings(r)).toEqual([
        expect.stringMatching(
          new RegExp(`^tinyseg: warning: remote cache ${url}: no answer in the \\d+ ms the local computation took; computed locally, and not asked again by this process$`),
        ),
      ]);
      // One request (the action result), no upload: the process exited without waiting on this server again.
      expect(sockets).toHaveLength(1);
      // The local computation ran beside the lookup: a local miss (the slower of two around it) plus a small
      // constant (the lookup's grace and a worker thread's start), never plus the deadline.
      expect(r.ms).toBeLessThan(Math.max(...local.map((l) => l.ms)) + timeoutMs / 4);

      // A deadline shorter than the computation still ends the lookup, with its own warning; the computation goes on.
      const short = await optimize({ TINYSEG_REMOTE_CACHE: url, TINYSEG_REMOTE_CACHE_TIMEOUT_MS: '200' });
      expectReferenceResult(short);
      expect(warnings(short)).toEqual([`tinyseg: warning: remote cache ${url}: no answer within 200 ms; computed locally, and not asked again by this process`]);

      // A model the optimizer refuses: its error, thrown in the worker thread, reads as without a remote cache.
      const broken = join(freshDir('broken'), 'broken.tflite');
      writeFileSync(broken, readFileSync(exampleModel).subarray(0, 20_000));
      const refuse = (env: Record<string, string>) =>
        runAsync(process.execPath, [bin, 'optimize', broken, '-o', freshDir('out')], { cwd: scratch, env: { ...withoutRemoteEnv(process.env), CACHE_DIR: freshDir('cache'), ...env } });
      const [withRemote, without] = await Promise.all([refuse({ TINYSEG_REMOTE_CACHE: url, TINYSEG_REMOTE_CACHE_TIMEOUT_MS: String(timeoutMs) }), refuse({})]);
      expect(without.code).toBe(1);
      expect(without.stderr).toMatch(/^tinyseg: .*broken\.tflite: /);
      expect(withRemote).toEqual(without);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((done) => silent.close(done));
    }
  });

  it('server late (answers a hit after the lookup\'s grace): the remote result wins over the computation started beside it', async () => {
    await optimize({ TINYSEG_REMOTE_CACHE: server.url });
    const [stored] = list(join(server.store, 'ac'));
    // Each request waits before nginx sees it: longer than the grace (50 ms), far shorter than computing (starting a
    // worker and optimizing the Tiny U-Net with the proof in it takes a few hundred ms; 150 ms lost that race under load).
    const delayMs = 80;
    const proxy = createHttpServer((req, res) => {
      setTimeout(() => {
        const upstream = httpRequest(new URL(req.url ?? '/', server.url), { method: req.method, headers: req.headers }, (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        });
        upstream.on('error', () => res.destroy());
        req.pipe(upstream);
      }, delayMs);
    });
    await new Promise<void>((done) => proxy.listen(0, '127.0.0.1', done));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
    try {
      const r = await optimize({ TINYSEG_REMOTE_CACHE: proxyUrl });
      expectReferenceResult(r);
      expect(r.stdout).toContain(`cache remote hit: the optimizer did not run (result from ${proxyUrl}/ac/${stored}, stored in `);
      expect(warnings(r)).toEqual([]);
    } finally {
      proxy.closeAllConnections();
      await new Promise((done) => proxy.close(done));
    }
  });
});

describe('CMake: tinyseg_optimize(... REMOTE_CACHE <url>)', () => {
  it('passes the URL and read-only mode to the CLI, whose build uploads to the server', async () => {
    const cmakeServer = await startNginx();
    try {
      const dir = freshDir('cmake');
      const model = exampleModel.replaceAll('\\', '/');
      writeFileSync(
        join(dir, 'CMakeLists.txt'),
        [
          'cmake_minimum_required(VERSION 3.20)',
          'project(host LANGUAGES C CXX)',
          'find_package(TinySeg CONFIG REQUIRED)',
          'add_executable(app app.c)',
          'add_executable(reader app.c)',
          `tinyseg_optimize(app MODEL "${model}" NO_VERIFY REMOTE_CACHE "${cmakeServer.url}")`,
          `tinyseg_optimize(reader MODEL "${model}" NAME reader NO_VERIFY REMOTE_CACHE "${cmakeServer.url}" REMOTE_CACHE_READ_ONLY)`,
        ].join('\n'),
      );
      writeFileSync(join(dir, 'app.c'), 'int main(void) { return 0; }\n');
      const env = { ...withoutRemoteEnv(process.env), CACHE_DIR: freshDir('cache') };
      const cmake = (...args: string[]) => {
        const r = spawnSync('cmake', args, { cwd: dir, env, encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`cmake ${args.join(' ')} failed:\n${r.stdout}${r.stderr}`);
        return r.stdout;
      };
      cmake('-S', dir, '-B', join(dir, 'build'), '-G', 'Ninja', `-DTinySeg_DIR=${join(repoRoot, 'cmake')}`);
      const options = (id: string) => readFileSync(join(dir, 'build', 'tinyseg', id, `${id}.options`), 'utf8').split('\n');
      expect(options('tiny_unet_80x120')).toEqual(expect.arrayContaining(['--remote-cache', cmakeServer.url]));
      expect(options('tiny_unet_80x120')).not.toContain('--remote-cache-read-only');
      expect(options('reader')).toEqual(expect.arrayContaining(['--remote-cache', cmakeServer.url, '--remote-cache-read-only']));
      // Only the optimize command of the writer: no compiler needed for what this checks.
      cmake('--build', join(dir, 'build'), '--target', 'tinyseg/tiny_unet_80x120/tiny_unet_80x120.stamp');
      expect(list(join(cmakeServer.store, 'ac'))).toHaveLength(1);
    } finally {
      await cmakeServer.stop();
    }
  });
});
