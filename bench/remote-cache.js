// The remote cache's figure, appended to bench/results.md by bench/run.js:
// `tinyseg optimize` on prisma-unet as a whole process, computing (a local
// miss, no remote), computing and uploading to a remote cache (what CI pays),
// a remote hit from an empty local cache (what every other machine pays),
// against a real nginx serving WebDAV on 127.0.0.1 (test/helpers/nginx-webdav.mjs),
// and a server that accepts connections and never answers (what a hung cache
// costs: the computation runs beside the lookup, so about nothing).
// Without nginx the row is skipped with the reason printed.

import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findNginx, startNginx } from '../test/helpers/nginx-webdav.mjs';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function remoteCacheSection(root, shared = join(root, '..', 'shared')) {
  const model = join(shared, 'models', 'prisma-unet-int8-256.tflite');
  const skip = (why) => {
    console.log(`remote cache row skipped: ${why}`);
    return `\n## Remote cache\n\nSkipped: ${why}.\n`;
  };
  if (!existsSync(model)) return skip(`${model} not found`);
  if (findNginx() === undefined) return skip('nginx is not installed (Debian: apt-get install -y nginx)');
  const server = await startNginx();
  // The kernel accepts its connections (they wait in the backlog) while spawnSync blocks this process: nobody ever answers.
  const held = [];
  const silent = createServer((socket) => held.push(socket));
  await new Promise((done) => silent.listen(0, '127.0.0.1', done));
  const silentUrl = `http://127.0.0.1:${silent.address().port}`;
  const scratch = mkdtempSync(join(tmpdir(), 'tinyseg-bench-remote-'));
  let n = 0;
  /** One whole `tinyseg optimize` from an empty local cache; checks what the text output says about the cache, and the one warning expected. */
  const run = (env, expect, warning) => {
    const cacheDir = join(scratch, `cache-${n++}`);
    const t0 = performance.now();
    const p = spawnSync(process.execPath, [join(root, 'bin/tinyseg.js'), 'optimize', model, '-o', join(scratch, 'out')], {
      env: { ...process.env, CACHE_DIR: cacheDir, ...env },
      encoding: 'utf8',
    });
    const ms = performance.now() - t0;
    if (p.status !== 0) throw new Error(p.stderr);
    if (!p.stdout.includes(expect)) throw new Error(`expected '${expect}' in:\n${p.stdout}${p.stderr}`);
    if (warning ? !warning.test(p.stderr) : p.stderr.includes('warning')) throw new Error(p.stderr);
    return ms;
  };
  try {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TINYSEG_REMOTE_CACHE')));
    const remote = { ...env, TINYSEG_REMOTE_CACHE: server.url };
    const computing = [];
    const uploading = [];
    const hung = [];
    // Interleaved, so a shared machine's load falls on each kind alike.
    for (let i = 0; i < 3; i++) {
      computing.push(run(env, 'cache miss'));
      // Each writer starts from an empty server, so it misses and uploads.
      rmSync(join(server.store, 'ac'), { recursive: true, force: true });
      uploading.push(run(remote, 'cache miss'));
      // The lookup ends at its 1 s deadline, or when the local computation ends first (remote-cache.ts): either warning.
      hung.push(run({ ...env, TINYSEG_REMOTE_CACHE: silentUrl }, 'cache miss', /no answer (within 1000 ms|in the \d+ ms the local computation took); computed locally/));
    }
    const hits = [];
    for (let i = 0; i < 5; i++) hits.push(run(remote, 'cache remote hit'));
    const row = (what, xs) => `| ${what} | ${median(xs).toFixed(0)} | ${Math.min(...xs).toFixed(0)} |`;
    return [
      '',
      '## Remote cache',
      '',
      '`tinyseg optimize` on prisma-unet-int8-256 (the proof included), whole process, each run from an empty local cache;',
      'the remote cache is a real nginx (WebDAV PUT) on 127.0.0.1 (docs/cache.md).',
      '',
      '| run | median ms | min ms |',
      '|---|---:|---:|',
      row('local miss, no remote cache: the optimizer runs', computing),
      row('local miss, remote miss: the optimizer runs and the result is uploaded (CI)', uploading),
      row('remote hit from an empty local cache: the optimizer does not run', hits),
      row('slow server (accepts, never answers; default 1 s deadline): the optimizer runs beside the lookup', hung),
      '',
    ].join('\n');
  } finally {
    await server.stop();
    for (const socket of held) socket.destroy();
    await new Promise((done) => silent.close(done));
    rmSync(scratch, { recursive: true, force: true });
  }
}

// `node bench/remote-cache.js`: this section alone (bench/run.js runs it with the rest).
if (import.meta.url === `file://${process.argv[1]}`) {
  const { fileURLToPath } = await import('node:url');
  console.log(await remoteCacheSection(fileURLToPath(new URL('..', import.meta.url))));
}
