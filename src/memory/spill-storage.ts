// Where the spill region lives on the target, and what spilling there costs
// per inference by the profile's figures. Checked against the profile before
// anything is rendered, so a model whose region does not fit fails here with
// the sizes, not at link time.

import { TinysegError } from '../errors.js';
import type { SpillStorage } from '../defaults.js';
import type { FlashSpec, TargetProfile } from './target-profile.js';

export { SPILL_STORAGES, type SpillStorage } from '../defaults.js';

export interface SpillTraffic {
  /** Bytes of the region (plan.json spill.regionBytes). */
  regionBytes: number;
  /** Bytes written and read per inference. */
  bytesOut: number;
  bytesIn: number;
  /** Bytes of each spill operator's write, in order: in flash each starts on a page of its own. */
  writes?: readonly number[];
}

export interface StoragePlan {
  storage: SpillStorage;
  /** One line for the header: the memory and its figures. */
  summary: string;
  /** Further comment lines (cost per inference, wear). */
  details: string[];
  /** Bytes the linker reserves for the region (in flash: the whole wear-levelling area). */
  reservedBytes: number;
  /** Flash only: inferences the area survives with wear levelling, and a warning saying how long that is. */
  lifetimeInferences?: number;
  warning?: string;
}

/** A duration for people: the largest unit that gives a number of at least 1. */
function span(seconds: number): string {
  const units: [number, string][] = [[365.25 * 86400, 'years'], [86400, 'days'], [3600, 'hours'], [60, 'minutes']];
  for (const [s, name] of units) if (seconds >= s) return `${(seconds / s).toFixed(1)} ${name}`;
  return `${seconds.toFixed(1)} seconds`;
}

const roundUp = (n: number, to: number): number => Math.ceil(n / to) * to;
const ms = (seconds: number): string => `${(seconds * 1000).toFixed(seconds < 0.01 ? 3 : 1)} ms`;
const mb = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 2)} MB`;
const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;

export function planSpillStorage(
  storage: SpillStorage,
  traffic: SpillTraffic,
  profile: TargetProfile,
  modelBytes: number,
  file: string,
  inferencesPerSecond = 1,
): StoragePlan {
  const missing = (key: string): never => {
    throw new TinysegError('E_USAGE', `spill storage '${storage}' needs '${key}' in target profile '${profile.name}'`, { file, hint: 'pick another storage or target' });
  };
  const { regionBytes, bytesOut, bytesIn } = traffic;
  if (regionBytes === 0) return { storage, summary: 'none needed: the optimized model spills nothing', details: [], reservedBytes: 0 };
  const traffic1 = `${bytesOut} B written + ${bytesIn} B read per inference`;
  switch (storage) {
    case 'psram': {
      const p = profile.psram ?? missing('psram');
      if (regionBytes > p.size) {
        throw new TinysegError('E_PLAN', `the spill region (${regionBytes} bytes) does not fit ${profile.name}'s external RAM (${p.size} bytes)`, { file });
      }
      return {
        storage,
        summary: `external RAM at ${hex(p.base)} (${mb(p.size)}, ${p.bytesPerSecond} B/s)`,
        details: [`${traffic1}: about ${ms((bytesOut + bytesIn) / p.bytesPerSecond)} of copying at that bandwidth`],
        reservedBytes: regionBytes,
      };
    }
    case 'flash':
      // The model sits at the start of the external flash; the spill area follows it.
      return flashPlan(storage, profile.flash ?? missing('flash'), 'NOR flash', modelBytes, traffic, profile, file, inferencesPerSecond);
    case 'internal-flash':
      return flashPlan(storage, profile.internalFlash ?? missing('internalFlash'), 'on-chip flash', 0, traffic, profile, file, inferencesPerSecond);
    case 'remote': {
      const l = profile.link ?? missing('link');
      return {
        storage,
        summary: `remote store over a link of ${l.bytesPerSecond} B/s (no linker section)`,
        details: [`${traffic1}: about ${ms((bytesOut + bytesIn) / l.bytesPerSecond)} on the link`],
        reservedBytes: 0,
      };
    }
  }
}

/**
 * A spill area in flash. The runtime's flash driver writes spills as a log
 * around its whole area (docs/runtime.md), so every sector wears alike: the
 * area is all of the flash after what `before` bytes take, and it must hold
 * one inference's writes plus two sectors.
 */
function flashPlan(
  storage: SpillStorage,
  f: FlashSpec,
  kind: string,
  before: number,
  traffic: SpillTraffic,
  profile: TargetProfile,
  file: string,
  inferencesPerSecond: number,
): StoragePlan {
  const { bytesOut, bytesIn } = traffic;
  const start = roundUp(roundUp(before, 16), f.sectorBytes);
  const reserved = f.size - start;
  // The runtime's log starts each spill's write on a page: what one inference takes of the area.
  const logged = traffic.writes ? traffic.writes.reduce((n, w) => n + roundUp(w, f.pageBytes), 0) : bytesOut;
  const minimum = roundUp(logged, f.sectorBytes) + 2 * f.sectorBytes;
  if (reserved < minimum) {
    const taken = before > 0 ? `the model (${before} bytes) leaves ${Math.max(0, reserved)} bytes of` : `${Math.max(0, reserved)} bytes is all of`;
    throw new TinysegError('E_PLAN', `${taken} ${profile.name}'s ${kind} (${f.size} bytes); spilling there needs ${minimum} (one inference's ${logged} bytes written, each spill from a page of its own, plus two sectors)`, { file });
  }
  const sectors = reserved / f.sectorBytes;
  const erasesPerInference = bytesOut / f.sectorBytes;
  const pages = Math.ceil(bytesOut / f.pageBytes);
  const writeSeconds = (Math.ceil(erasesPerInference) * f.sectorEraseMicros + pages * f.pageProgramMicros) / 1e6;
  const lifetimeInferences = Math.floor((f.enduranceCycles * sectors) / erasesPerInference);
  const lifetime = span(lifetimeInferences / inferencesPerSecond);
  return {
    storage,
    summary: `${kind} at ${hex(f.base)} (${mb(f.size)}, ${f.sectorBytes} B sectors, ${f.pageBytes} B pages)`,
    details: [
      `${bytesOut} B written + ${bytesIn} B read per inference: erasing ${erasesPerInference.toFixed(2)} sectors and programming ${pages} pages takes about ${ms(writeSeconds)},`,
      `reading about ${ms(bytesIn / f.readBytesPerSecond)}`,
      `wear levelling: spills rotate through all ${sectors} sectors${before > 0 ? ' after the model' : ''} (${reserved} bytes), each erased once per ${(sectors / erasesPerInference).toFixed(1)} inferences`,
      `endurance: ${f.enduranceCycles} cycles per sector, so about ${lifetimeInferences} inferences (${lifetime} at ${inferencesPerSecond} per second)`,
    ],
    reservedBytes: reserved,
    lifetimeInferences,
    warning: `spilling to ${kind} wears it out: ${bytesOut} bytes programmed per inference, levelled over ${sectors} sectors of ${f.enduranceCycles} cycles, last about ${lifetimeInferences} inferences (${lifetime} at ${inferencesPerSecond} per second); prefer external RAM for spilling`,
  };
}
