// optimizeCached(): optimize() behind a content-addressed disk cache, for
// bundlers, CMake and watch mode, which ask for the same model again and again,
// and behind a shared remote cache when one is configured (remote-cache.ts):
// the local directory is the first level, the remote the second, and a remote
// hit is stored locally. A local miss asks the remote while computing, and
// takes whichever result comes first (remote-race.ts). A local hit reads one
// file and checks it; the optimizer and interpreter are loaded only on a miss,
// and the remote client only after a local miss, so a hit costs little more
// than starting Node. An entry that fails any check is deleted (locally) or
// ignored (remotely) and recomputed, never served. Entries are written whole
// (temp file + rename): processes racing on one model may both compute, both
// write, and no reader ever sees a partial entry.

import { readFileSync, rmSync, utimesSync } from 'node:fs';
import { TinysegError } from '../../errors.js';
import type { OptimizeOptions, OptimizeReport, OptimizeResult } from '../../optimize/optimize.js';
import { writeFileAtomic } from '../io/write-files.js';
import { resolveCacheDir, type CacheLocation } from './dir.js';
import { encodeEntry } from './entry.js';
import { checkEntry } from './entry-check.js';
import { cacheKey } from './key.js';
import type { LocalResult } from './local-optimize.js';
import { readReference, referenceKey, writeReference } from './reference-cache.js';
import { resolveRemoteCache, type RemoteCacheOptions } from './remote-options.js';
import { cacheMaxBytes, cacheStats, cleanCache, entryFile, pruneCache, type CacheStats } from './store.js';
import { toolVersion } from './tool-version.js';

export interface CacheOptions {
  /** The model's file name, for messages and the report; not part of the key. */
  file?: string;
  /** The cache directory itself; default: node_modules/.cache/tinyseg, $CACHE_DIR/tinyseg or the temp dir (docs/cache.md). */
  cacheDir?: string;
  /** Part of the key; default: this package's version. */
  toolVersion?: string;
  /** Size cap of the directory; default $TINYSEG_CACHE_MAX_BYTES or 256 MiB. */
  maxBytes?: number;
  /** The shared remote cache: these options over $TINYSEG_REMOTE_CACHE and its companions (docs/cache.md), or false for none. */
  remote?: RemoteCacheOptions | false;
}

export interface CachedOptimizeResult {
  bytes: Uint8Array;
  report: OptimizeReport;
  hit: boolean;
  /** On a hit from the remote cache: the action result it came from (the entry is now in the local cache too). */
  remote?: string;
  /** sha256 of tool version, options and model (hex). */
  key: string;
  /** The entry's file. */
  entry: string;
  /** optimize()'s whole result when it ran in this call's thread (a miss; not one computed in a worker while the remote cache was asked: remote-race.ts). */
  computed?: OptimizeResult;
  /** Set when a bad entry was found, deleted and recomputed. */
  recovered?: string;
  /** Cache problems that did not stop the result (an entry that could not be written). */
  warnings: string[];
  /** The upload of a computed result to the remote cache, started before this returns: resolves to its warnings; never rejects. */
  upload: Promise<string[]>;
}

const NOTHING_TO_UPLOAD: Promise<string[]> = Promise.resolve([]);

export async function optimizeCached(modelBytes: Uint8Array, options: OptimizeOptions = {}, cache: CacheOptions = {}): Promise<CachedOptimizeResult> {
  const file = cache.file ?? options.file ?? 'model.tflite';
  const { dir } = resolveCacheDir(cache.cacheDir !== undefined ? { cacheDir: cache.cacheDir } : {});
  const maxBytes = cacheMaxBytes(cache.maxBytes);
  const remote = resolveRemoteCache(cache.remote);
  const key = cacheKey(modelBytes, options, cache.toolVersion ?? toolVersion());
  const entry = entryFile(dir, key);
  const warnings: string[] = [];

  const found = readEntry(entry, key);
  if (found.kind === 'hit') {
    touch(entry);
    return { bytes: found.bytes, report: { ...found.report, model: file }, hit: true, key, entry, warnings, upload: NOTHING_TO_UPLOAD };
  }
  let recovered: string | undefined;
  if (found.kind === 'bad') {
    discard(entry);
    recovered = `corrupt cache entry ${entry}: ${found.problem}; deleted and recomputed`;
  }

  // The original's outputs on the proof's inputs, from an earlier result of the same model with other options.
  const reference = referenceOutputs(modelBytes, options, dir, cache.toolVersion ?? toolVersion(), warnings);
  if (remote) {
    // Loaded only after a local miss: a local hit pays nothing for the remote cache.
    const [{ lookupOrCompute }, { uploadRemote }] = await Promise.all([import('./remote-race.js'), import('./remote-cache.js')]);
    const raced = await lookupOrCompute(remote, key, modelBytes, options, file, reference.context);
    if (raced.winner === 'remote') {
      // Checked as a local entry would be (remote-cache.ts): the local cache never holds what it would refuse.
      store(entry, raced.hit.data, dir, maxBytes, warnings);
      const { bytes, report } = raced.hit.entry;
      const result = { bytes, report: { ...report, model: file }, hit: true, remote: raced.hit.where, key, entry, warnings, upload: NOTHING_TO_UPLOAD };
      return recovered ? { ...result, recovered } : result;
    }
    warnings.push(...raced.warnings);
    reference.keep(raced.result);
    const data = storeComputed(key, raced.result, entry, dir, maxBytes, warnings);
    // After the local write: the result is served whatever the upload does.
    const upload = raced.upload ? uploadRemote(remote, key, data).then((w) => (w === undefined ? [] : [w])) : NOTHING_TO_UPLOAD;
    return missResult(raced.result, key, entry, recovered, warnings, upload);
  }

  const { optimizeHere } = await import('./local-optimize.js');
  const computed = await optimizeHere(modelBytes, options, file, reference.context);
  reference.keep(computed);
  storeComputed(key, computed, entry, dir, maxBytes, warnings);
  return missResult(computed, key, entry, recovered, warnings, NOTHING_TO_UPLOAD);
}

function storeComputed(key: string, result: LocalResult, entry: string, dir: string, maxBytes: number, warnings: string[]): Uint8Array {
  const data = encodeEntry(key, { model: result.bytes, reportJson: JSON.stringify(result.report) });
  store(entry, data, dir, maxBytes, warnings);
  return data;
}

function missResult(
  result: LocalResult,
  key: string,
  entry: string,
  recovered: string | undefined,
  warnings: string[],
  upload: Promise<string[]>,
): CachedOptimizeResult {
  const { bytes, report, computed } = result;
  return { bytes, report, hit: false, key, entry, ...(computed ? { computed } : {}), ...(recovered ? { recovered } : {}), warnings, upload };
}

/**
 * The proof's reference outputs kept in the cache (reference-cache.ts): `context` for optimize() when they are
 * there, `keep` stores the ones a computation produced when they were not.
 */
function referenceOutputs(modelBytes: Uint8Array, options: OptimizeOptions, dir: string, version: string, warnings: string[]) {
  const refKey = options.verify === false ? null : referenceKey(modelBytes, options, version);
  const referenceRun = refKey ? readReference(dir, refKey) : undefined;
  return {
    context: referenceRun ? { referenceRun } : {},
    keep(result: LocalResult): void {
      if (!refKey || referenceRun || !result.referenceRun) return;
      try {
        writeReference(dir, refKey, result.referenceRun);
      } catch (e) {
        warnings.push(`cache entry not written: ${e instanceof TinysegError ? e.oneLine() : (e as Error).message}`);
      }
    },
  };
}

/** Writes an entry and prunes the directory to its cap; a failure is a warning, the result is still served. */
function store(entry: string, data: Uint8Array, dir: string, maxBytes: number, warnings: string[]): void {
  try {
    writeFileAtomic(entry, data);
    pruneCache(dir, maxBytes, entry);
  } catch (e) {
    warnings.push(`cache entry not written: ${e instanceof TinysegError ? e.oneLine() : (e as Error).message}`);
  }
}

type ReadResult = { kind: 'miss' } | { kind: 'bad'; problem: string } | { kind: 'hit'; bytes: Uint8Array; report: OptimizeReport };

function readEntry(entry: string, key: string): ReadResult {
  let data: Uint8Array;
  try {
    data = readFileSync(entry);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? { kind: 'miss' } : { kind: 'bad', problem: `unreadable: ${(e as Error).message}` };
  }
  const checked = checkEntry(key, data);
  return checked.ok ? { kind: 'hit', bytes: checked.bytes, report: checked.report } : { kind: 'bad', problem: checked.problem };
}

/** A bad entry that cannot be deleted is replaced by the rename of the new one, or stays a miss. */
function discard(entry: string): void {
  try {
    rmSync(entry, { force: true });
  } catch {
    // Reported through the write that follows, if that fails too.
  }
}

/** Marks the entry recently used for pruning; a read-only cache still serves hits. */
function touch(entry: string): void {
  const now = new Date();
  try {
    utimesSync(entry, now, now);
  } catch {
    // Pruning order is a heuristic; a failed touch costs nothing else.
  }
}

export interface CacheInfo extends CacheStats {
  source: CacheLocation['source'];
}

export function cacheInfo(cache: Pick<CacheOptions, 'cacheDir' | 'maxBytes'> = {}): CacheInfo {
  const loc = resolveCacheDir(cache.cacheDir !== undefined ? { cacheDir: cache.cacheDir } : {});
  return { ...cacheStats(loc.dir, cacheMaxBytes(cache.maxBytes)), source: loc.source };
}

export function clearCache(cache: Pick<CacheOptions, 'cacheDir'> = {}): { dir: string; removed: number; bytes: number } {
  const { dir } = resolveCacheDir(cache.cacheDir !== undefined ? { cacheDir: cache.cacheDir } : {});
  return { dir, ...cleanCache(dir) };
}
