// Shared by the runtime tests: builds the C spill runtime (templates/runtime)
// into a Node-API addon with cmake-js, and re-exports the interpreter's
// activation capture.

import { createRequire } from 'node:module';
import { join } from 'node:path';
import { repoRoot } from '../helpers/paths.js';

export interface SlotInfo {
  stored: number;
  crc: number;
  flags: number;
  table: Uint16Array;
}

export interface Part {
  input?: Uint8Array;
  channels: number;
  offset?: number;
  slot?: number;
  /** QUANTIZE for a quantized region part. */
  flags?: number;
}

/** The addon's functions (test/runtime/addon/tinyseg_addon.c). Failures throw an Error whose code is the status name. */
export interface RuntimeAddon {
  createStore(kind: 'ram' | 'ram-async' | 'flash' | 'remote', opts: Record<string, number>): object;
  spill(
    store: object, slot: number, x: Uint8Array, rows: number, channels: number, elem: number,
    begin: number, count: number, offset: number, bytes: number, flags: number,
  ): void;
  fetch(
    store: object, slot: number, y: Uint8Array, rows: number, channels: number, elem: number,
    resident: Uint8Array | null, begin: number, count: number, offset: number, bytes: number, flags?: number,
  ): void;
  concatFetch(store: object, y: Uint8Array, rows: number, channels: number, elem: number, parts: Part[]): void;
  beginInference(store: object): void;
  readRegion(store: object, offset: number, length: number): Uint8Array;
  slotInfo(store: object, slot: number): SlotInfo;
  stats(store: object): { eraseCounts: Uint32Array; badPrograms: number; maxInFlight: number; transfers: number; frames: number };
  flipBit(store: object, offset: number, bit: number): void;
  compress(bytes: Uint8Array, block: number): { data: Uint8Array; table: Uint16Array };
  decompress(data: Uint8Array, table: Uint16Array, length: number, block: number): Uint8Array;
  crc32(bytes: Uint8Array): number;
}

export const COMPRESS = 1;
export const CRC = 2;
export const QUANTIZE = 4;

/**
 * Builds the addon into `dir`, a folder the caller owns and removes
 * (cmake-js uses node-api-headers: no download).
 */
export async function buildRuntimeAddon(dir: string): Promise<RuntimeAddon> {
  const require = createRequire(import.meta.url);
  const { BuildSystem } = require('cmake-js') as { BuildSystem: new (o: object) => { build(): Promise<void> } };
  await new BuildSystem({ directory: join(repoRoot, 'test/runtime/addon'), out: dir, config: 'Release', logLevel: 'error' }).build();
  return require(join(dir, 'Release', 'tinyseg_runtime_addon.node')) as RuntimeAddon;
}

// Real activations come from the interpreter (src/interpreter/capture.ts).
export { captureActivations, captureRegionWrites } from '../../src/interpreter/capture.js';
