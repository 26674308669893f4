// A TCP port on 127.0.0.1 nobody listens on right now: the kernel picks it and
// we release it, for servers a test or the bench starts itself (nginx, Vite's
// preview and dev servers). Plain JavaScript: bench/ uses it too.

import { createServer } from 'node:net';

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
