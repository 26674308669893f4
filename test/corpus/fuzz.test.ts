// Seeded fuzzing of the reader: every mutation or truncation of a real model
// either loads (and then plans and reports) or raises TinysegError. Nothing
// else may escape, and nothing may hang (the per-test timeout would fire).

import { describe, expect, it } from 'vitest';
import { TinysegError } from '../../src/errors.js';
import { loadGraph } from '../../src/graph/graph.js';
import { memoryReport } from '../../src/report/memory-report.js';
import { readModel } from '../../src/tflite/model-file.js';
import { corpusModels, readCorpusModel } from '../helpers/shared.js';

const CASES = 6000;
const SEED = 0x7153e6;

function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

/** Byte ranges of a model that are not weight data: where the structure lives. */
function structureRanges(bytes: Uint8Array): [number, number][] {
  const data = (readModel(bytes).buffers ?? [])
    .map((b) => b.data)
    .filter((d): d is Uint8Array => !!d && d.length > 0)
    .map((d) => [d.byteOffset - bytes.byteOffset, d.byteOffset - bytes.byteOffset + d.length] as [number, number])
    .sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  let at = 0;
  for (const [s, e] of data) {
    if (s > at) out.push([at, s]);
    at = Math.max(at, e);
  }
  if (at < bytes.length) out.push([at, bytes.length]);
  return out;
}

describe('fuzzing the model reader', () => {
  const rand = prng(SEED);
  const corpus = corpusModels.map((file) => {
    const bytes = readCorpusModel(file);
    return { file, bytes, ranges: structureRanges(bytes) };
  });

  function mutate(bytes: Uint8Array, ranges: [number, number][]): { out: Uint8Array; how: string } {
    const pick = (): number => {
      if (rand(4) === 0) return rand(bytes.length);
      const [s, e] = ranges[rand(ranges.length)]!;
      return s + rand(e - s);
    };
    switch (rand(5)) {
      case 0: {
        const len = rand(bytes.length);
        return { out: bytes.slice(0, len), how: `truncate to ${len}` };
      }
      case 1: {
        const out = bytes.slice();
        const k = 1 + rand(8);
        for (let i = 0; i < k; i++) out[pick()] = rand(256);
        return { out, how: `${k} random bytes` };
      }
      case 2: {
        const out = bytes.slice();
        const at = pick() & ~3;
        const values = [0, 1, 0xffffffff, 0x7fffffff, 0x80000000, rand(65536), bytes.length, bytes.length - 4];
        new DataView(out.buffer).setUint32(Math.min(at, out.length - 4), values[rand(values.length)]!, true);
        return { out, how: `word at ${at}` };
      }
      case 3: {
        const out = bytes.slice();
        const at = pick() & ~1;
        new DataView(out.buffer).setUint16(Math.min(at, out.length - 2), rand(65536), true);
        return { out, how: `short at ${at}` };
      }
      default: {
        const out = bytes.slice();
        const at = pick();
        out[at]! ^= 1 << rand(8);
        return { out: out.slice(0, bytes.length - rand(4) * rand(2)), how: `bit flip at ${at}` };
      }
    }
  }

  it(`${CASES} seeded mutations either load or raise TinysegError`, () => {
    const outcomes = { loaded: 0, rejected: 0 };
    for (let i = 0; i < CASES; i++) {
      const m = corpus[rand(corpus.length)]!;
      const { out, how } = mutate(m.bytes, m.ranges);
      try {
        const graph = loadGraph(out);
        memoryReport({ file: m.file, bytes: out, graph });
        outcomes.loaded++;
      } catch (e) {
        if (!(e instanceof TinysegError)) {
          throw new Error(`case ${i} (${m.file}, ${how}) raised ${(e as Error)?.constructor?.name}: ${(e as Error).message}`, { cause: e });
        }
        expect(e.message.length).toBeGreaterThan(0);
        outcomes.rejected++;
      }
    }
    // Both outcomes occur: the mutations reach the structure, not only the weights.
    expect(outcomes.loaded).toBeGreaterThan(CASES / 20);
    expect(outcomes.rejected).toBeGreaterThan(CASES / 20);
  });
});
