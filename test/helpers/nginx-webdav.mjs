// A real nginx serving a Bazel HTTP cache over WebDAV (GET, and PUT with
// create_full_put_path), started from a temporary prefix on 127.0.0.1 and a
// free port, for the remote-cache system tests and the bench. Everything it
// writes (config, pid, logs, request-body temp files, the stored objects)
// stays under its own directory; `daemon off`, so stop() kills the one process
// it started. Plain JavaScript: bench/ (no TypeScript) starts it too.

import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.mjs';

export { freePort };

/** The nginx executable, or undefined when none is installed (PATH, then Debian's /usr/sbin). */
export function findNginx() {
  for (const candidate of ['nginx', '/usr/sbin/nginx']) {
    if (spawnSync(candidate, ['-v'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  return undefined;
}

function config(dir, port, requiredHeader) {
  // Root starts workers as `nobody`, who could not write into this 0700 directory.
  const user = process.getuid?.() === 0 ? 'user root root;\n' : '';
  // nginx cannot compare a header to a value without `if`; a missing or wrong one is refused as an auth proxy would.
  const auth = requiredHeader ? `      if ($http_${requiredHeader.name.toLowerCase().replace(/-/g, '_')} != "${requiredHeader.value}") { return 401; }\n` : '';
  return `${user}daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 64; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/client-body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  client_max_body_size 64m;
  server {
    listen 127.0.0.1:${port};
    root ${dir}/store;
    location / {
${auth}      dav_methods PUT;
      create_full_put_path on;
      dav_access user:rw;
    }
  }
}
`;
}

const canConnect = (port) =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });

/**
 * Starts nginx; resolves once it accepts connections.
 * options.requiredHeader: { name, value } every request must carry (else 401).
 * Returns { url, port, store (the directory ac/ and cas/ land in), dir, stop() }.
 */
export async function startNginx(options = {}) {
  const nginx = findNginx();
  if (nginx === undefined) throw new Error('nginx is not installed (Debian: apt-get install -y nginx)');
  const dir = mkdtempSync(join(tmpdir(), 'tinyseg-nginx-'));
  mkdirSync(join(dir, 'store'));
  // Another process may take the port between freePort() and nginx's bind: try a few.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    writeFileSync(join(dir, 'nginx.conf'), config(dir, port, options.requiredHeader));
    const child = spawn(nginx, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { stdio: 'ignore' });
    let exited = false;
    child.on('exit', () => (exited = true));
    const deadline = Date.now() + 10_000;
    while (!exited && Date.now() < deadline && !(await canConnect(port))) await new Promise((r) => setTimeout(r, 25));
    if (!exited && (await canConnect(port))) {
      const stop = async () => {
        if (!exited) {
          const gone = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          await gone;
        }
        rmSync(dir, { recursive: true, force: true });
      };
      return { url: `http://127.0.0.1:${port}`, port, store: join(dir, 'store'), dir, stop };
    }
    if (!exited) child.kill('SIGKILL');
    const log = (() => {
      try {
        return readFileSync(join(dir, 'error.log'), 'utf8');
      } catch {
        return '';
      }
    })();
    if (!/Address already in use/.test(log)) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`nginx did not start: ${log.trim().split('\n').slice(-3).join(' | ') || 'no error log'}`);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error('nginx did not start: no free port after 5 attempts');
}
