// Where the spill region lives on the target, and what spilling there costs
// per inference by the profile's figures. Checked against the profile before
// anything is rendered, so a model whose region does not fit fails here with
// the sizes, not at link time.

import { TinysegError } from '../errors.js';
import type { TargetProfile } from '../memory/target-profile.js';

export type SpillStorage = 'psram' | 'flash' | 'remote';
export const SPILL_STORAGES: readonly SpillStorage[] = ['psram', 'flash', 'remote'];

export interface SpillTraffic {
  /** Bytes of the region (plan.json spill.regionBytes). */
  regionBytes: number;
  /** Bytes written and read per inference. */
  bytesOut: number;
  bytesIn: number;
}

export interface StoragePlan {
  storage: SpillStorage;
  /** One line for the header: the memory and its figures. */
  summary: string;
  /** Further comment lines (cost per inference, wear). */
  details: string[];
  /** Bytes the linker reserves for the region (rounded to whole sectors in flash). */
  reservedBytes: number;
}

const roundUp = (n: number, to: number): number => Math.ceil(n / to) * to;
const ms = (seconds: number): string => `${(seconds * 1000).toFixed(seconds < 0.01 ? 3 : 1)} ms`;
const mb = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 2)} MB`;
const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;

export function planSpillStorage(storage: SpillStorage, traffic: SpillTraffic, profile: TargetProfile, modelBytes: number, file: string): StoragePlan {
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
    case 'flash': {
      const f = profile.flash ?? missing('flash');
      const reserved = roundUp(regionBytes, f.sectorBytes);
      // The model sits at the start of the same flash; the region follows it, sector-aligned.
      const needed = roundUp(roundUp(modelBytes, 16), f.sectorBytes) + reserved;
      if (needed > f.size) {
        throw new TinysegError('E_PLAN', `the model (${modelBytes} bytes) and the spill region (${reserved} bytes in whole sectors) do not fit ${profile.name}'s flash (${f.size} bytes)`, { file });
      }
      const sectors = reserved / f.sectorBytes;
      const pages = Math.ceil(bytesOut / f.pageBytes);
      const writeSeconds = (sectors * f.sectorEraseMicros + pages * f.pageProgramMicros) / 1e6;
      return {
        storage,
        summary: `NOR flash at ${hex(f.base)} (${mb(f.size)}, ${f.sectorBytes} B sectors, ${f.pageBytes} B pages)`,
        details: [
          `${traffic1}: erasing ${sectors} sectors and programming ${pages} pages takes about ${ms(writeSeconds)},`,
          `reading about ${ms(bytesIn / f.readBytesPerSecond)}`,
          `wear: every inference erases each region sector once, so the flash lasts about ${f.enduranceCycles} inferences`,
        ],
        reservedBytes: reserved,
      };
    }
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
