// GET and PUT of one blob over HTTP/1.1, with Node's own http client: every
// request ends by the caller's deadline (an AbortSignal), a body is read only
// up to the size the caller expects (a server answering with a gigabyte of
// garbage costs one aborted connection), and every failure is a rejected
// promise, never a crash. One connection per request (no agent): a build
// makes two or four requests, and no idle socket outlives them.

import type { IncomingMessage, RequestOptions } from 'node:http';

export interface HttpAnswer {
  status: number;
  /** The body of a 200 answer; empty for any other status. */
  body: Buffer;
}

export interface HttpRequest {
  headers: Record<string, string>;
  signal: AbortSignal;
  /** The largest body a GET accepts. */
  maxBytes?: number;
}

export const httpGet = (url: URL, req: HttpRequest): Promise<HttpAnswer> => send('GET', url, req);

export const httpPut = (url: URL, body: Uint8Array, req: HttpRequest): Promise<HttpAnswer> =>
  send('PUT', url, { ...req, headers: { ...req.headers, 'content-type': 'application/octet-stream', 'content-length': String(body.length) } }, body);

async function send(method: 'GET' | 'PUT', url: URL, req: HttpRequest, body?: Uint8Array): Promise<HttpAnswer> {
  const { request } = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  const maxBytes = req.maxBytes ?? Number.MAX_SAFE_INTEGER;
  req.signal.throwIfAborted();
  return new Promise<HttpAnswer>((resolve, reject) => {
    const options: RequestOptions = { method, headers: req.headers, signal: req.signal, agent: false };
    const r = request(url, options, (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let received = 0;
      const keep = status === 200 && method === 'GET';
      const declared = Number(res.headers['content-length']);
      if (keep && declared > maxBytes) {
        r.destroy();
        reject(new Error(`answer of ${declared} bytes, more than the ${maxBytes} expected`));
        return;
      }
      res.on('data', (chunk: Buffer) => {
        if (!keep) return;
        received += chunk.length;
        if (received > maxBytes) {
          r.destroy();
          reject(new Error(`answer longer than the ${maxBytes} bytes expected`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => resolve({ status, body: keep ? Buffer.concat(chunks) : Buffer.alloc(0) }));
      res.on('error', reject);
      // A connection cut mid-body ends neither with 'end' nor, on every Node version, with 'error'.
      res.on('close', () => {
        if (!res.complete) reject(new Error('connection closed before the whole answer arrived'));
      });
    });
    r.on('error', reject);
    r.end(body);
  });
}
