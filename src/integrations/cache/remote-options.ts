// Where the shared remote cache is and how to talk to it: the URL, the auth
// header, read-only mode and the deadline, from the caller's options (CLI
// flags, plugin and CMake options) over the environment, so CI can switch a
// whole fleet on with variables and a developer's shell needs nothing else.
// The header is read from the environment only: it carries a secret, which
// does not belong in a build script or a CMake cache. No message ever prints
// it; URLs are shown without their user name and password.

import { TinysegError } from '../../errors.js';
import { DEFAULT_REMOTE_CACHE_TIMEOUT_MS } from '../../defaults.js';

export const REMOTE_CACHE_ENV = 'TINYSEG_REMOTE_CACHE';
export const REMOTE_CACHE_HEADER_ENV = 'TINYSEG_REMOTE_CACHE_HEADER';
export const REMOTE_CACHE_READ_ONLY_ENV = 'TINYSEG_REMOTE_CACHE_READ_ONLY';
export const REMOTE_CACHE_TIMEOUT_ENV = 'TINYSEG_REMOTE_CACHE_TIMEOUT_MS';

/** What a caller may set; anything not set comes from the environment. */
export interface RemoteCacheOptions {
  /** Base URL of a Bazel HTTP cache (`<url>/ac/<key>`, `<url>/cas/<sha256>`); default $TINYSEG_REMOTE_CACHE. */
  url?: string;
  /** Read hits, never upload; default $TINYSEG_REMOTE_CACHE_READ_ONLY. */
  readOnly?: boolean;
  /** How long a lookup may run at all (the optimizer runs beside it); default $TINYSEG_REMOTE_CACHE_TIMEOUT_MS or 1000. */
  timeoutMs?: number;
}

export interface RemoteCacheConfig {
  /** Base URL for requests, without a trailing slash and without credentials. */
  base: URL;
  /** The base as messages show it (never with credentials). */
  shown: string;
  headers: Record<string, string>;
  readOnly: boolean;
  timeoutMs: number;
}

type Env = Readonly<Record<string, string | undefined>>;

const usage = (message: string, hint: string): TinysegError => new TinysegError('E_USAGE', message, { hint });

/** The remote cache to use, or undefined when none is configured (or `false` turns it off). */
export function resolveRemoteCache(options: RemoteCacheOptions | false | undefined, env: Env = process.env): RemoteCacheConfig | undefined {
  if (options === false) return undefined;
  const url = options?.url ?? nonEmpty(env[REMOTE_CACHE_ENV]);
  if (url === undefined) {
    if (options?.readOnly === true) throw usage('read-only remote cache mode without a remote cache URL', `give the URL too, or set ${REMOTE_CACHE_ENV}`);
    return undefined;
  }
  const readOnly = options?.readOnly ?? flag(env[REMOTE_CACHE_READ_ONLY_ENV]);
  const timeoutMs = options?.timeoutMs ?? timeoutFromEnv(env[REMOTE_CACHE_TIMEOUT_ENV]);
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0) throw usage(`the remote cache timeout must be a positive whole number of milliseconds, got ${timeoutMs}`, 'docs/cache.md');
  const { base, credentials } = parseBase(url);
  const headers: Record<string, string> = {};
  if (credentials !== undefined) headers['authorization'] = `Basic ${Buffer.from(credentials).toString('base64')}`;
  const header = nonEmpty(env[REMOTE_CACHE_HEADER_ENV]);
  if (header !== undefined) {
    const [name, value] = parseHeader(header);
    headers[name] = value;
  }
  return { base, shown: base.href.replace(/\/$/, ''), headers, readOnly, timeoutMs };
}

const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v.trim() === '' ? undefined : v.trim());

function flag(v: string | undefined): boolean {
  return v !== undefined && !['', '0', 'false', 'no', 'off'].includes(v.trim().toLowerCase());
}

function timeoutFromEnv(v: string | undefined): number {
  if (nonEmpty(v) === undefined) return DEFAULT_REMOTE_CACHE_TIMEOUT_MS;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) throw usage(`${REMOTE_CACHE_TIMEOUT_ENV} must be a positive whole number of milliseconds, got '${v}'`, 'docs/cache.md');
  return n;
}

/** http(s) only; `user:password@` becomes a Basic Authorization header (Node refuses URLs carrying credentials). */
function parseBase(url: string): { base: URL; credentials?: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw usage(`the remote cache URL is not a URL: '${redact(url)}'`, 'e.g. http://cache.example:9090 for bazel-remote');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw usage(`the remote cache URL must be http:// or https://, got '${u.protocol}'`, 'a Bazel HTTP cache: bazel-remote, nginx with WebDAV');
  if (u.search !== '' || u.hash !== '') throw usage(`the remote cache URL must not have a query or a fragment: '${redact(url)}'`, 'give the base the ac/ and cas/ paths go under');
  const credentials = u.username !== '' || u.password !== '' ? `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}` : undefined;
  u.username = '';
  u.password = '';
  if (!u.pathname.endsWith('/')) u.pathname += '/';
  return credentials === undefined ? { base: u } : { base: u, credentials };
}

/** A URL for messages: any `user:password@` replaced. */
const redact = (url: string): string => url.replace(/\/\/[^/@]*@/, '//***@');

/** `Name: value`; the message names the variable, never its value. */
function parseHeader(header: string): [string, string] {
  const colon = header.indexOf(':');
  const name = colon > 0 ? header.slice(0, colon).trim().toLowerCase() : '';
  const value = colon > 0 ? header.slice(colon + 1).trim() : '';
  if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name) || value === '' || /[\r\n]/.test(value)) {
    throw usage(`${REMOTE_CACHE_HEADER_ENV} must be one header, 'Name: value' (its value is not shown)`, 'e.g. Authorization: Bearer <token>');
  }
  return [name, value];
}
