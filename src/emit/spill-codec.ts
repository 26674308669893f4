// The compressed spill format of the C runtime (templates/runtime, docs/runtime.md),
// byte for byte: "mode suppression" per section. Host tools use it to predict
// how much spill traffic compression saves, and the tests hold the C code to it.
//
// A slot is cut into sections of `sectionSize` bytes (the last may be shorter),
// each encoded on its own so fetching can decode block by block. A compressed
// section is its most frequent byte value m (smallest value on ties), then per
// group of 8 bytes a mask (bit i: byte i differs from m and is stored) and the
// stored bytes. A section that would not get shorter is stored raw. The table
// entry per section is its stored length, with bit 15 set for raw sections; it
// lives beside the region (the C slot state), never in it, so compressed data
// always fits the planned slot.

import { TinysegError } from '../errors.js';

/** Largest section size (TS_BLOCK_MAX): table entries keep the length in 15 bits. */
export const SECTION_MAX = 16384;
/** Table entry flag: the section is stored raw. */
export const SECTION_RAW = 0x8000;

export interface EncodedSpill {
  /** The bytes written to the region, sections back to back (never longer than the input). */
  data: Uint8Array;
  /** Per section: stored length | SECTION_RAW when raw (the C slot's section table). */
  table: Uint16Array;
}

function checkSectionSize(sectionSize: number): void {
  if (!Number.isInteger(sectionSize) || sectionSize < 1 || sectionSize > SECTION_MAX) {
    throw new TinysegError('E_USAGE', `section size must be an integer in 1..${SECTION_MAX}, got ${sectionSize}`);
  }
}

/** Encodes one section into `out` at `at`; returns the stored length and whether it is raw. */
function encodeSection(section: Uint8Array, out: Uint8Array, at: number): { length: number; raw: boolean } {
  const n = section.length;
  const counts = new Uint32Array(256);
  for (const b of section) counts[b]!++;
  let mode = 0;
  for (let v = 1; v < 256; v++) if (counts[v]! > counts[mode]!) mode = v;
  if (n === 0 || 1 + Math.ceil(n / 8) + (n - counts[mode]!) >= n) {
    out.set(section, at);
    return { length: n, raw: true };
  }
  let o = at;
  out[o++] = mode;
  for (let i = 0; i < n; i += 8) {
    const maskAt = o++;
    let mask = 0;
    for (let j = 0; j < Math.min(8, n - i); j++) {
      const b = section[i + j]!;
      if (b !== mode) {
        mask |= 1 << j;
        out[o++] = b;
      }
    }
    out[maskAt] = mask;
  }
  return { length: o - at, raw: false };
}

export function encodeSpill(bytes: Uint8Array, sectionSize: number): EncodedSpill {
  checkSectionSize(sectionSize);
  const sections = Math.ceil(bytes.length / sectionSize);
  const out = new Uint8Array(bytes.length);
  const table = new Uint16Array(sections);
  let at = 0;
  for (let k = 0; k < sections; k++) {
    const s = encodeSection(bytes.subarray(k * sectionSize, Math.min(bytes.length, (k + 1) * sectionSize)), out, at);
    table[k] = s.length | (s.raw ? SECTION_RAW : 0);
    at += s.length;
  }
  return { data: out.slice(0, at), table };
}

export function decodeSpill(encoded: EncodedSpill, length: number, sectionSize: number): Uint8Array {
  checkSectionSize(sectionSize);
  const { data, table } = encoded;
  const corrupt = (why: string): TinysegError => new TinysegError('E_FORMAT', `compressed spill data is corrupt: ${why}`);
  if (table.length !== Math.ceil(length / sectionSize)) throw corrupt(`${table.length} sections for ${length} bytes`);
  const out = new Uint8Array(length);
  let at = 0;
  for (let k = 0; k < table.length; k++) {
    const pos = k * sectionSize;
    const n = Math.min(sectionSize, length - pos);
    const stored = table[k]! & ~SECTION_RAW;
    if (at + stored > data.length) throw corrupt(`section ${k} runs past the data`);
    const s = data.subarray(at, at + stored);
    if (table[k]! & SECTION_RAW) {
      if (stored !== n) throw corrupt(`raw section ${k} has ${stored} bytes, not ${n}`);
      out.set(s, pos);
    } else {
      if (stored === 0 || stored >= n) throw corrupt(`section ${k} has ${stored} bytes`);
      let i = 1;
      for (let g = 0; g < n; g += 8) {
        if (i >= stored) throw corrupt(`section ${k} ends early`);
        const mask = s[i++]!;
        const size = Math.min(8, n - g);
        if (mask >> size) throw corrupt(`section ${k} has mask bits past its end`);
        for (let j = 0; j < size; j++) {
          if (mask & (1 << j)) {
            if (i >= stored) throw corrupt(`section ${k} ends early`);
            out[pos + g + j] = s[i++]!;
          } else {
            out[pos + g + j] = s[0]!;
          }
        }
      }
      if (i !== stored) throw corrupt(`section ${k} has ${stored - i} trailing bytes`);
    }
    at += stored;
  }
  if (at !== data.length) throw corrupt(`${data.length - at} bytes after the last section`);
  return out;
}

/** Stored bytes over original bytes (1 for empty input): below 1 means compression saves traffic. */
export function compressionRatio(bytes: Uint8Array, sectionSize: number): number {
  if (bytes.length === 0) return 1;
  return encodeSpill(bytes, sectionSize).data.length / bytes.length;
}
