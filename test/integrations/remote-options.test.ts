// The remote cache's configuration and its action-result format, without a
// server (the protocol itself runs against nginx: remote-cache.system.test.ts).

import { describe, expect, it } from 'vitest';
import { TinysegError } from '../../src/errors.js';
import { decodeActionResult, encodeActionResult } from '../../src/integrations/cache/action-result.js';
import { resolveRemoteCache } from '../../src/integrations/cache/remote-options.js';
import { resolvePluginOptions } from '../../src/integrations/unplugin/plugin-options.js';

const KEY = 'a'.repeat(64);
const SHA = 'b'.repeat(64);

function usageError(fn: () => unknown): TinysegError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(TinysegError);
    expect((e as TinysegError).code).toBe('E_USAGE');
    return e as TinysegError;
  }
  throw new Error('no error');
}

describe('resolveRemoteCache', () => {
  it('is off without a URL, and options win over the environment', () => {
    expect(resolveRemoteCache(undefined, {})).toBeUndefined();
    expect(resolveRemoteCache(false, { TINYSEG_REMOTE_CACHE: 'http://ci:9090' })).toBeUndefined();
    const r = resolveRemoteCache({ url: 'http://opt:1/prefix' }, { TINYSEG_REMOTE_CACHE: 'http://env:2', TINYSEG_REMOTE_CACHE_READ_ONLY: '1' })!;
    expect(r.base.href).toBe('http://opt:1/prefix/');
    expect(r.shown).toBe('http://opt:1/prefix');
    expect(r.readOnly).toBe(true);
    expect(r.timeoutMs).toBe(1000);
    expect(resolveRemoteCache({ readOnly: false }, { TINYSEG_REMOTE_CACHE: 'http://env:2', TINYSEG_REMOTE_CACHE_READ_ONLY: '1' })!.readOnly).toBe(false);
    expect(resolveRemoteCache(undefined, { TINYSEG_REMOTE_CACHE: 'http://env:2', TINYSEG_REMOTE_CACHE_READ_ONLY: '0' })!.readOnly).toBe(false);
    expect(resolveRemoteCache(undefined, { TINYSEG_REMOTE_CACHE: 'http://env:2', TINYSEG_REMOTE_CACHE_TIMEOUT_MS: '250' })!.timeoutMs).toBe(250);
  });

  it('takes the auth header from the environment and never names its value', () => {
    const r = resolveRemoteCache(undefined, { TINYSEG_REMOTE_CACHE: 'https://c', TINYSEG_REMOTE_CACHE_HEADER: 'Authorization: Bearer s3cr3t' })!;
    expect(r.headers).toEqual({ authorization: 'Bearer s3cr3t' });
    for (const bad of ['Bearer s3cr3t', ': s3cr3t', 'Authorization:', 'Bad Name: s3cr3t']) {
      const e = usageError(() => resolveRemoteCache(undefined, { TINYSEG_REMOTE_CACHE: 'https://c', TINYSEG_REMOTE_CACHE_HEADER: bad }));
      expect(e.oneLine()).toContain('TINYSEG_REMOTE_CACHE_HEADER');
      expect(e.oneLine()).not.toContain('s3cr3t');
    }
  });

  it('turns user:password@ into a Basic header and shows the URL without them', () => {
    const r = resolveRemoteCache({ url: 'http://ci:pa%40ss@cache:8080' })!;
    expect(r.headers['authorization']).toBe(`Basic ${Buffer.from('ci:pa@ss').toString('base64')}`);
    expect(r.shown).toBe('http://cache:8080');
    expect(r.base.username).toBe('');
  });

  it('refuses what is not a Bazel HTTP cache base URL, and read-only mode without a URL', () => {
    expect(usageError(() => resolveRemoteCache({ url: 'grpc://cache:9092' })).message).toContain("must be http:// or https://, got 'grpc:'");
    expect(usageError(() => resolveRemoteCache({ url: 'http://u:secret@[bad' })).message).not.toContain('secret');
    expect(usageError(() => resolveRemoteCache({ url: 'http://c/?x=1' })).message).toContain('query');
    expect(usageError(() => resolveRemoteCache({ readOnly: true }, {})).message).toContain('without a remote cache URL');
    expect(usageError(() => resolveRemoteCache({ url: 'http://c', timeoutMs: 0 })).message).toContain('timeout');
    expect(usageError(() => resolveRemoteCache(undefined, { TINYSEG_REMOTE_CACHE: 'http://c', TINYSEG_REMOTE_CACHE_TIMEOUT_MS: 'soon' })).message).toContain(
      'TINYSEG_REMOTE_CACHE_TIMEOUT_MS',
    );
  });

  it('is the bundler plugin\'s remoteCache option, checked when the plugin is created', () => {
    expect(resolvePluginOptions({ remoteCache: 'http://c:1' }).remoteCache).toEqual({ url: 'http://c:1' });
    expect(resolvePluginOptions({ remoteCache: false }).remoteCache).toBe(false);
    expect(resolvePluginOptions({}).remoteCache).toBeUndefined();
    expect(usageError(() => resolvePluginOptions({ remoteCache: { url: 'ftp://c' } })).message).toContain('http://');
    expect(usageError(() => resolvePluginOptions({ remoteCache: { uri: 'http://c' } })).message).toContain("unknown remoteCache option 'uri'");
  });
});

describe('action result', () => {
  it('round-trips, and refuses another key, garbage and impossible lengths', () => {
    const bytes = encodeActionResult({ key: KEY, entry: { sha256: SHA, bytes: 1234 } });
    expect(decodeActionResult(KEY, bytes)).toEqual({ ok: true, result: { key: KEY, entry: { sha256: SHA, bytes: 1234 } } });
    expect(decodeActionResult('c'.repeat(64), bytes)).toEqual({ ok: false, problem: 'action result belongs to another key' });
    expect(decodeActionResult(KEY, Buffer.from('{'))).toEqual({ ok: false, problem: 'action result is not JSON' });
    expect(decodeActionResult(KEY, Buffer.from([0xff, 0xfe]))).toEqual({ ok: false, problem: 'action result is not JSON' });
    const json = (o: unknown) => Buffer.from(JSON.stringify(o));
    expect(decodeActionResult(KEY, json({ schema: 'x', key: KEY })).ok).toBe(false);
    expect(decodeActionResult(KEY, json({ schema: 'tinyseg.remote-cache/1', key: KEY, entry: { sha256: 'zz', bytes: 100 } }))).toEqual({ ok: false, problem: 'action result names no sha256' });
    for (const n of [-1, 10, 1.5, 2 ** 40, '100']) {
      expect(decodeActionResult(KEY, json({ schema: 'tinyseg.remote-cache/1', key: KEY, entry: { sha256: SHA, bytes: n } }))).toEqual({
        ok: false,
        problem: 'action result names no valid length',
      });
    }
  });
});
