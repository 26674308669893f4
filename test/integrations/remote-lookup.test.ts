// lookupRemote() against servers in this process that answer late or never:
// the deadline, and the abandon signal the local computation raises when it
// finishes first (remote-race.ts). A server that has not answered by then gets
// the one warning and is not asked again; one that answered the action result
// and is still sending the blob is abandoned quietly and asked next time.

import { createServer as createHttpServer, type ServerResponse } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeActionResult } from '../../src/integrations/cache/action-result.js';
import { lookupRemote, type AbandonReason } from '../../src/integrations/cache/remote-cache.js';
import { resolveRemoteCache } from '../../src/integrations/cache/remote-options.js';

const KEY = 'ab'.repeat(32);
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** Sockets whose client closed its end. */
const closedByClient = new Set<Socket>();

async function listen(server: Server, sockets: Socket[]): Promise<string> {
  server.on('connection', (s: Socket) => {
    sockets.push(s);
    s.on('end', () => closedByClient.add(s));
    s.on('close', () => closedByClient.add(s));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  closers.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((done) => server.close(done));
  });
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

/** Accepts connections, reads what comes, never answers. */
const silentServer = (sockets: Socket[]) => listen(createServer((s) => s.resume()), sockets);

/** Answers GET ac/<KEY> with an action result at once, and holds every GET cas/ open. */
function blobStallingServer(sockets: Socket[], requests: string[]): Promise<string> {
  const held: ServerResponse[] = [];
  const server = createHttpServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url === `/ac/${KEY}`) res.end(encodeActionResult({ key: KEY, entry: { sha256: 'cd'.repeat(32), bytes: 100_000 } }));
    else held.push(res);
  });
  return listen(server, sockets);
}

const remote = (url: string, timeoutMs = 60_000) => resolveRemoteCache({ url, timeoutMs }, {})!;
const abandonAfter = (ms: number, reason: AbandonReason = 'computed'): AbortSignal => {
  const c = new AbortController();
  setTimeout(() => c.abort(reason), ms);
  return c.signal;
};

describe('lookupRemote: late and silent servers', () => {
  it('a silent server past the deadline: one warning naming the deadline, then not asked again', async () => {
    const sockets: Socket[] = [];
    const url = await silentServer(sockets);
    const t0 = performance.now();
    const r = await lookupRemote(remote(url, 300), KEY);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
    expect(r).toEqual({ kind: 'failed', warning: `remote cache ${url}: no answer within 300 ms; computed locally, and not asked again by this process` });
    expect(await lookupRemote(remote(url, 300), KEY)).toEqual({ kind: 'off' });
    expect(sockets).toHaveLength(1);
  });

  it('a silent server when the local result comes first: given up at once, one warning, not asked again, its socket closed', async () => {
    const sockets: Socket[] = [];
    const url = await silentServer(sockets);
    const t0 = performance.now();
    const r = await lookupRemote(remote(url), KEY, abandonAfter(200));
    // Abandoned when the signal fired, not at the 60 s deadline.
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(r.kind).toBe('failed');
    expect((r as { warning: string }).warning).toMatch(
      new RegExp(`^remote cache ${url}: no answer in the \\d+ ms the local computation took; computed locally, and not asked again by this process$`),
    );
    expect(await lookupRemote(remote(url), KEY)).toEqual({ kind: 'off' });
    expect(sockets).toHaveLength(1);
    // The client destroyed its end: the server sees the connection close.
    await expect.poll(() => closedByClient.has(sockets[0]!), { timeout: 5000 }).toBe(true);
  });

  it('a silent server when the local computation failed: abandoned without a warning (the build reports the error), and asked again', async () => {
    const sockets: Socket[] = [];
    const url = await silentServer(sockets);
    expect(await lookupRemote(remote(url), KEY, abandonAfter(100, 'compute failed'))).toEqual({ kind: 'abandoned' });
    expect(await lookupRemote(remote(url), KEY, abandonAfter(100, 'compute failed'))).toEqual({ kind: 'abandoned' });
    // Asked twice: the second lookup was not 'off'.
    await expect.poll(() => sockets.length, { timeout: 5000 }).toBe(2);
  });

  it('a server that answered the action result and is still sending the blob: abandoned without a warning, and asked again', async () => {
    const sockets: Socket[] = [];
    const requests: string[] = [];
    const url = await blobStallingServer(sockets, requests);
    expect(await lookupRemote(remote(url), KEY, abandonAfter(300))).toEqual({ kind: 'abandoned' });
    expect(requests).toEqual([`/ac/${KEY}`, `/cas/${'cd'.repeat(32)}`]);
    expect(await lookupRemote(remote(url), KEY, abandonAfter(300))).toEqual({ kind: 'abandoned' });
    expect(requests).toHaveLength(4);
  });
});
