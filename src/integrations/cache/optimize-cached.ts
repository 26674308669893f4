// optimizeCached(): optimize() behind a content-addressed disk cache, for
// bundlers, CMake and watch mode, which ask for the same model again and again.
// A hit reads one file and checks it; the optimizer and interpreter are loaded
// only on a miss, so a hit costs little more than starting Node. An entry that
// fails any check is deleted and recomputed, never served. Entries are written
// whole (temp file + rename): processes racing on one model may both compute,
// both write identical bytes, and no reader ever sees a partial entry.

import { readFileSync, rmSync, utimesSync } from 'node:fs';
import { inFile, TinysegError } from '../../errors.js';
import type { OptimizeOptions, OptimizeReport, OptimizeResult } from '../../optimize/optimize.js';
import { writeFileAtomic } from '../io/write-files.js';
import { resolveCacheDir, type CacheLocation } from './dir.js';
import { decodeEntry, encodeEntry } from './entry.js';
import { cacheKey } from './key.js';
import { readReference, referenceKey, writeReference } from './reference-cache.js';
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
}

export interface CachedOptimizeResult {
  bytes: Uint8Array;
  report: OptimizeReport;
  hit: boolean;
  /** sha256 of tool version, options and model (hex). */
  key: string;
  /** The entry's file. */
  entry: string;
  /** optimize()'s whole result when it ran in this call (a miss). */
  computed?: OptimizeResult;
  /** Set when a bad entry was found, deleted and recomputed. */
  recovered?: string;
  /** Cache problems that did not stop the result (an entry that could not be written). */
  warnings: string[];
}

export async function optimizeCached(modelBytes: Uint8Array, options: OptimizeOptions = {}, cache: CacheOptions = {}): Promise<CachedOptimizeResult> {
  const file = cache.file ?? options.file ?? 'model.tflite';
  const { dir } = resolveCacheDir(cache.cacheDir !== undefined ? { cacheDir: cache.cacheDir } : {});
  const maxBytes = cacheMaxBytes(cache.maxBytes);
  const key = cacheKey(modelBytes, options, cache.toolVersion ?? toolVersion());
  const entry = entryFile(dir, key);
  const warnings: string[] = [];

  const found = readEntry(entry, key);
  if (found.kind === 'hit') {
    touch(entry);
    return { bytes: found.bytes, report: { ...found.report, model: file }, hit: true, key, entry, warnings };
  }
  let recovered: string | undefined;
  if (found.kind === 'bad') {
    discard(entry);
    recovered = `corrupt cache entry ${entry}: ${found.problem}; deleted and recomputed`;
  }

  const { optimize } = await import('../../optimize/optimize.js');
  // The original's outputs on the proof's inputs, from an earlier result of the same model with other options.
  const refKey = options.verify === false ? null : referenceKey(modelBytes, options, cache.toolVersion ?? toolVersion());
  const referenceRun = refKey ? readReference(dir, refKey) : undefined;
  const computed = inFile(file, () => optimize(modelBytes, { ...options, file }, referenceRun ? { referenceRun } : {}));
  try {
    writeFileAtomic(entry, encodeEntry(key, { model: computed.bytes, reportJson: JSON.stringify(computed.report) }));
    if (refKey && !referenceRun && computed.referenceRun) writeReference(dir, refKey, computed.referenceRun);
    pruneCache(dir, maxBytes, entry);
  } catch (e) {
    warnings.push(`cache entry not written: ${e instanceof TinysegError ? e.oneLine() : (e as Error).message}`);
  }
  return { bytes: computed.bytes, report: computed.report, hit: false, key, entry, computed, ...(recovered ? { recovered } : {}), warnings };
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
  const decoded = decodeEntry(key, data);
  if (!decoded.ok) return { kind: 'bad', problem: decoded.problem };
  let report: unknown;
  try {
    report = JSON.parse(decoded.content.reportJson);
  } catch {
    return { kind: 'bad', problem: 'report is not JSON' };
  }
  const schema = (report as { schema?: unknown } | null)?.schema;
  if (typeof schema !== 'string' || !schema.startsWith('tinyseg.optimize/')) return { kind: 'bad', problem: 'report is not an optimize report' };
  return { kind: 'hit', bytes: decoded.content.model, report: report as OptimizeReport };
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
