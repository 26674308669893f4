// The C spill runtime (templates/runtime) against TinySeg's TypeScript
// semantics, on real activations of the bundled Tiny U-Net: the interpreter's
// tinyseg kernels define what spill / fetch / concat-fetch do, spill-codec.ts
// defines the compressed bytes. The C code runs natively through a Node-API
// addon built here with cmake-js, over every built-in driver.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeSpill, encodeSpill, compressionRatio } from '../../src/emit/spill-codec.js';
import { DTYPE_SIZE, loadGraph, type Graph, type Op, type Tensor } from '../../src/graph/graph.js';
import type { TensorData } from '../../src/ops/kernel.js';
import { dequantizeSlice, quantizeSlice } from '../../src/ops/tinyseg/quantized-slot.js';
import { kernels } from '../../src/ops/tinyseg/spill-kernels.js';
import { optimize } from '../../src/optimize/optimize.js';
import {
  CONCAT_CONV,
  CONCAT_FETCH,
  decodeConcatConvOptions,
  decodeConcatFetchOptions,
  decodeFetchOptions,
  decodeSpillOptions,
  encodeConcatFetchOptions,
  encodeSpillOptions,
  FETCH,
  SPILL,
} from '../../src/ops/tinyseg/custom-ops.js';
import { concatConvOutput } from '../../src/ops/tinyseg/concat-conv-kernel.js';
import { insideFrame } from '../firmware/harness.js';
import { repoRoot } from '../helpers/paths.js';
import { prng } from '../helpers/prng.js';
import { tempDir } from '../helpers/temp-dir.js';
import { buildRuntimeAddon, captureActivations, captureRegionWrites, COMPRESS, CRC, QUANTIZE, type Part, type RuntimeAddon } from './native.js';

const modelFile = join(repoRoot, 'examples/models/tiny-unet-80x120.tflite');

let addon: RuntimeAddon;
const buildDir = tempDir('tinyseg-runtime-addon-');
beforeAll(async () => {
  addon = await buildRuntimeAddon(buildDir);
}, 300_000);

interface Layout {
  rows: number;
  channels: number;
  elem: number;
}

function layoutOf(t: Tensor): Layout {
  const channels = t.shape[t.shape.length - 1]!;
  return { rows: t.shape.reduce((a, b) => a * b, 1) / channels, channels, elem: DTYPE_SIZE[t.dtype] };
}

/** Channels [begin, begin+count) of every row, back to back: how the spec lays a slice out. */
function packChannels(bytes: Uint8Array, l: Layout, begin: number, count: number): Uint8Array {
  const out = new Uint8Array(l.rows * count * l.elem);
  for (let r = 0; r < l.rows; r++) {
    const from = (r * l.channels + begin) * l.elem;
    out.set(bytes.subarray(from, from + count * l.elem), r * count * l.elem);
  }
  return out;
}

const fakeTensor = (name: string, like: Tensor, channels: number): Tensor =>
  ({
    ...like,
    name,
    index: -1,
    shape: [...like.shape.slice(0, -1), channels],
    byteSize: (like.byteSize / like.shape[like.shape.length - 1]!) * channels,
  }) as Tensor;

/** One TinySeg op on concrete bytes, the form both implementations run. */
type Step =
  | { kind: 'spill'; x: Tensor; bytes: Uint8Array; begin: number; count: number; offset: number; size: number }
  | { kind: 'fetch'; y: Tensor; resident: { tensor: Tensor; bytes: Uint8Array } | null; begin: number; count: number; offset: number; size: number; expect: Uint8Array }
  | { kind: 'concat'; y: Tensor; parts: ({ input: { tensor: Tensor; bytes: Uint8Array } } | { offset: number; channels: number })[]; expect: Uint8Array };

/** Runs the steps through the interpreter's tinyseg kernels: outputs and the region bytes each spill wrote. */
function runTypeScript(steps: Step[], regionBytes: number): { outputs: Uint8Array[]; spilled: Uint8Array[] } {
  const storage = new Uint8Array(regionBytes);
  const outputs: Uint8Array[] = [];
  const spilled: Uint8Array[] = [];
  const call = (code: string, options: Uint8Array, inputs: TensorData[], outputsData: TensorData[]): void => {
    const op = { opcode: 'CUSTOM', customCode: code, customOptions: options, inputs: [], outputs: [] } as unknown as Op;
    const c = { op, index: 0, inputs, outputs: outputsData, scratch: [], storage };
    const k = kernels[`CUSTOM:${code}`]!;
    k.invoke(c, k.prepare(c));
  };
  for (const s of steps) {
    if (s.kind === 'spill') {
      call(SPILL, encodeSpillOptions({ offset: s.offset, bytes: s.size, begin: s.begin, count: s.count }), [{ tensor: s.x, bytes: s.bytes }], []);
      spilled.push(storage.slice(s.offset, s.offset + s.size));
    } else if (s.kind === 'fetch') {
      const y = new Uint8Array(s.y.byteSize);
      call(FETCH, encodeSpillOptions({ offset: s.offset, bytes: s.size, begin: s.begin, count: s.count }), s.resident ? [s.resident] : [], [
        { tensor: s.y, bytes: y },
      ]);
      outputs.push(y);
    } else {
      const y = new Uint8Array(s.y.byteSize);
      const inputs: TensorData[] = [];
      const parts = s.parts.map((p) => ('input' in p ? { input: inputs.push(p.input) - 1 } : p));
      call(CONCAT_FETCH, encodeConcatFetchOptions({ parts }), inputs, [{ tensor: s.y, bytes: y }]);
      outputs.push(y);
    }
  }
  return { outputs, spilled };
}

interface CRun {
  outputs: Uint8Array[];
  /** Per spill: the region bytes it stored ([offset, offset + stored)), its slot state and the flags it ran with. */
  stored: { bytes: Uint8Array; table: Uint16Array; crc: number; flags: number }[];
}

/**
 * Spills whose slot some fetch reads only in part (row bands fetching their rows of a skip, plan JSON
 * `fused: "rows"`), or that write only part of a slot a fetch reads (row bands writing their rows, `spilled: "rows"`):
 * such a slot is stored plain and read without slot state, as TinySeg's TFLM kernels read every slot (the fused
 * kernels that stage rows read theirs so too); compression and a CRC cover a whole slot.
 */
function readInPart(steps: Step[]): Set<Step> {
  const fetches = steps.filter((s) => s.kind === 'fetch');
  const overlap = (f: Step & { kind: 'fetch' }, s: Step & { kind: 'spill' }) => f.offset < s.offset + s.size && s.offset < f.offset + f.size;
  return new Set(steps.filter((s) => s.kind === 'spill' && fetches.some((f) => overlap(f, s) && (f.offset !== s.offset || f.size !== s.size))));
}

/** Runs the steps through the C runtime on a store; each spill gets its own slot. */
function runC(store: object, steps: Step[], flags: number): CRun {
  const slotAt = new Map<number, number>();
  const outputs: Uint8Array[] = [];
  const stored: CRun['stored'] = [];
  const partial = readInPart(steps);
  for (const s of steps) {
    if (s.kind === 'spill') {
      const l = layoutOf(s.x);
      const slot = stored.length;
      const f = partial.has(s) ? 0 : flags;
      addon.spill(store, slot, s.bytes, l.rows, l.channels, l.elem, s.begin, s.count, s.offset, s.size, f);
      const info = addon.slotInfo(store, slot);
      stored.push({ bytes: addon.readRegion(store, s.offset, info.stored), table: info.table, crc: info.crc, flags: f });
      slotAt.set(s.offset, slot);
    } else if (s.kind === 'fetch') {
      const l = layoutOf(s.y);
      const y = new Uint8Array(s.y.byteSize).fill(0xee);
      // A row fetch (from inside a slot, or less than it) has no slot of its own: slot -1, no slot state. The bytes
      // it reads are the last spill's that wrote there (streamed layers reuse the region's bytes for other slots).
      const slot = slotAt.get(s.offset);
      const last = steps
        .slice(0, steps.indexOf(s))
        .filter((x): x is Step & { kind: 'spill' } => x.kind === 'spill' && x.offset < s.offset + s.size && s.offset < x.offset + x.size)
        .at(-1);
      const whole = slot !== undefined && last !== undefined && last.offset === s.offset && last.size === s.size;
      addon.fetch(store, whole ? slot : -1, y, l.rows, l.channels, l.elem, s.resident?.bytes ?? null, s.begin, s.count, s.offset, s.size);
      outputs.push(y);
    } else {
      const l = layoutOf(s.y);
      const y = new Uint8Array(s.y.byteSize).fill(0xee);
      const parts: Part[] = s.parts.map((p) => ('input' in p ? { input: p.input.bytes, channels: layoutOf(p.input.tensor).channels } : { ...p, slot: slotAt.get(p.offset)! }));
      addon.concatFetch(store, y, l.rows, l.channels, l.elem, parts);
      outputs.push(y);
    }
  }
  return { outputs, stored };
}

/** The optimized Tiny U-Net's own TinySeg ops, on the activations of a run of it. */
function modelSteps(graph: Graph, acts: Map<number, Uint8Array>, written: Map<number, Uint8Array>): Step[] {
  const sg = graph.main;
  const data = (t: number) => ({ tensor: sg.tensors[t]!, bytes: acts.get(t)! });
  const steps: Step[] = [];
  for (const [k, op] of sg.ops.entries()) {
    if (op.opcode !== 'CUSTOM') continue;
    const out = op.customCode === CONCAT_CONV ? decodeConcatConvOptions(op.customOptions).out : undefined;
    if (out) {
      // A streamed convolution writes its rows to its slot itself: a spill of them all (in chunks on the device).
      const rows = concatConvOutput(op, sg.tensors)!;
      steps.push({ kind: 'spill', x: { ...rows, name: `${rows.name} ${k}` } as Tensor, bytes: written.get(k)!, begin: 0, count: rows.shape[3]!, offset: out.offset, size: out.bytes });
    } else if (op.customCode === SPILL) {
      const o = decodeSpillOptions(op.customOptions);
      steps.push({ kind: 'spill', x: sg.tensors[op.inputs[0]!]!, bytes: acts.get(op.inputs[0]!)!, begin: o.begin, count: o.count, offset: o.offset, size: o.bytes });
    } else if (op.customCode === FETCH) {
      const o = decodeFetchOptions(op.customOptions);
      const y = op.outputs[0]!;
      // A framed fetch: the runtime fetches its inside (the TFLM kernel writes the frame around it).
      const { tensor, bytes } = o.pad ? insideFrame(sg.tensors[y]!, acts.get(y)!, o.pad) : { tensor: sg.tensors[y]!, bytes: acts.get(y)! };
      steps.push({ kind: 'fetch', y: tensor, resident: op.inputs.length ? data(op.inputs[0]!) : null, begin: o.begin, count: o.count, offset: o.offset, size: o.bytes, expect: bytes });
    } else if (op.customCode === CONCAT_FETCH) {
      const y = op.outputs[0]!;
      const parts = decodeConcatFetchOptions(op.customOptions).parts.map((p) => ('input' in p ? { input: data(op.inputs[p.input]!) } : p));
      steps.push({ kind: 'concat', y: sg.tensors[y]!, parts, expect: acts.get(y)! });
    }
  }
  return steps;
}

/**
 * Spills of every activation: the whole tensor, a tail slice fetched back with
 * its resident head, an inner slice with residents on both sides, and a
 * concat-fetch that rebuilds the tensor from a resident head and a region part.
 */
function sliceSteps(graph: Graph, acts: Map<number, Uint8Array>): { steps: Step[]; regionBytes: number } {
  const steps: Step[] = [];
  let region = 0;
  const take = (n: number) => {
    const at = region;
    region += Math.ceil(n / 16) * 16;
    return at;
  };
  for (const [index, bytes] of acts) {
    const x = graph.main.tensors[index]!;
    const l = layoutOf(x);
    if (l.channels < 3) continue;
    const whole = { begin: 0, count: l.channels, offset: take(bytes.length), size: bytes.length };
    const b = Math.floor(l.channels / 3);
    const tail = { begin: b, count: l.channels - b, offset: 0, size: l.rows * (l.channels - b) * l.elem };
    tail.offset = take(tail.size);
    const inner = { begin: 1, count: l.channels - 2, offset: 0, size: l.rows * (l.channels - 2) * l.elem };
    inner.offset = take(inner.size);
    steps.push({ kind: 'spill', x, bytes, ...whole }, { kind: 'spill', x, bytes, ...tail }, { kind: 'spill', x, bytes, ...inner });
    const head = { tensor: fakeTensor(`${x.name}/head`, x, b), bytes: packChannels(bytes, l, 0, b) };
    const outer = new Uint8Array(l.rows * 2 * l.elem);
    for (let r = 0; r < l.rows; r++) {
      outer.set(bytes.subarray(r * l.channels * l.elem, (r * l.channels + 1) * l.elem), r * 2 * l.elem);
      outer.set(bytes.subarray(((r + 1) * l.channels - 1) * l.elem, (r + 1) * l.channels * l.elem), (r * 2 + 1) * l.elem);
    }
    steps.push(
      { kind: 'fetch', y: x, resident: head, ...tail, expect: bytes },
      { kind: 'fetch', y: x, resident: { tensor: fakeTensor(`${x.name}/outer`, x, 2), bytes: outer }, ...inner, expect: bytes },
      { kind: 'fetch', y: x, resident: null, ...whole, expect: bytes },
      { kind: 'concat', y: x, parts: [{ input: head }, { offset: tail.offset, channels: tail.count }], expect: bytes },
    );
  }
  return { steps, regionBytes: region };
}

describe('C spill runtime on Tiny U-Net activations', () => {
  const original = loadGraph(new Uint8Array(readFileSync(modelFile)));
  const originalActs = captureActivations(original);
  const optimized = optimize(new Uint8Array(readFileSync(modelFile)), { verify: false });
  const optimizedActs = captureActivations(optimized.graph);
  const realSteps = modelSteps(optimized.graph, optimizedActs, captureRegionWrites(optimized.graph));
  const synthetic = sliceSteps(original, originalActs);

  it('the optimized model holds spill ops to run', () => {
    // Its skip comes back band by band: fetches of rows from inside the slot.
    expect(realSteps.map((s) => s.kind)).toContain('spill');
    expect(readInPart(realSteps).size).toBeGreaterThan(0);
    expect(synthetic.steps.filter((s) => s.kind === 'fetch').length).toBeGreaterThan(20);
  });

  // `written`: what one inference's spills take of a flash area, each from a page of its own (256-byte pages),
  // as memory/spill-storage.ts sizes it (plus two sectors); slots the region reuses are written again.
  const logged = (steps: readonly Step[]) => steps.reduce((n, s) => (s.kind === 'spill' ? n + Math.ceil(s.size / 256) * 256 : n), 0);
  for (const [name, steps, regionBytes, written] of [
    ['the optimized model\'s own ops', realSteps, optimized.report.spill.regionBytes, logged(realSteps)],
    ['slices of every activation', synthetic.steps, synthetic.regionBytes, logged(synthetic.steps)],
  ] as const) {
    describe(name, () => {
      const ts = runTypeScript([...steps], regionBytes);

      it('TypeScript kernels give back the activations', () => {
        const expected = steps.filter((s) => s.kind !== 'spill').map((s) => (s as { expect: Uint8Array }).expect);
        expect(ts.outputs.length).toBe(expected.length);
        ts.outputs.forEach((y, i) => expect(Buffer.compare(y, expected[i]!)).toBe(0));
      });

      const stores: [string, 'ram' | 'ram-async' | 'flash' | 'remote', Record<string, number>][] = [
        ['RAM, 512-byte blocks', 'ram', { block: 512 }],
        ['RAM, 100-byte blocks (not a row multiple)', 'ram', { block: 100 }],
        ['asynchronous RAM, 256-byte blocks', 'ram-async', { block: 256 }],
        ['NOR flash, 4 KB sectors, 256-byte pages', 'flash', { block: 512, sectors: Math.ceil(written / 4096) + 2, sectorSize: 4096, pageSize: 256 }],
        ['remote, 200-byte frames', 'remote', { block: 512, frameBytes: 200 }],
      ];
      const spills = steps.filter((s) => s.kind === 'spill').length;
      for (const [label, kind, opts] of stores) {
        for (const flags of [0, CRC, COMPRESS | CRC]) {
          it(`${label}, ${flags & COMPRESS ? 'compressed' : 'plain'}${flags & CRC ? ' with CRC' : ''}: same bytes as the kernels`, () => {
            const block = opts.block!;
            const store = addon.createStore(kind, { regionBytes, slots: spills, sectionCap: Math.ceil(regionBytes / block), extents: spills, ...opts });
            addon.beginInference(store);
            const c = runC(store, steps, flags);
            expect(c.outputs.length).toBe(ts.outputs.length);
            c.outputs.forEach((y, i) => expect(Buffer.compare(y, ts.outputs[i]!), `output ${i}`).toBe(0));
            c.stored.forEach((s, i) => {
              const packed = ts.spilled[i]!;
              if (s.flags & COMPRESS) {
                const e = encodeSpill(packed, block);
                expect(Buffer.compare(s.bytes, e.data), `spill ${i} compressed bytes`).toBe(0);
                expect(Array.from(s.table)).toEqual(Array.from(e.table));
                expect(s.bytes.length).toBeLessThanOrEqual(packed.length);
              } else {
                expect(Buffer.compare(s.bytes, packed), `spill ${i} region bytes`).toBe(0);
              }
              if (s.flags & CRC) expect(s.crc).toBe(zlib.crc32(packed));
            });
            const stats = addon.stats(store);
            if (kind === 'ram-async') expect(stats.maxInFlight).toBe(2); // the next block is packed while one transfer runs
            if (kind === 'flash') expect(stats.badPrograms).toBe(0); // never programs a byte that is not erased
            if (kind === 'remote') expect(stats.frames).toBeGreaterThan(spills);
          });
        }
      }
    });
  }

  it('compression: C bytes equal spill-codec.ts on every activation, round trips exact, ReLU outputs shrink', () => {
    const relu = new Set(original.main.ops.filter((op) => op.options?.['fusedActivationFunction'] === 1).flatMap((op) => op.outputs));
    const rows: string[] = [];
    for (const [index, bytes] of originalActs) {
      const t = original.main.tensors[index]!;
      for (const block of [256, 512]) {
        const c = addon.compress(bytes, block);
        const e = encodeSpill(bytes, block);
        expect(Buffer.compare(c.data, e.data), `${t.name} / ${block}`).toBe(0);
        expect(Array.from(c.table)).toEqual(Array.from(e.table));
        expect(Buffer.compare(addon.decompress(c.data, c.table, bytes.length, block), bytes)).toBe(0);
        expect(Buffer.compare(decodeSpill(e, bytes.length, block), bytes)).toBe(0);
        expect(c.data.length).toBeLessThanOrEqual(bytes.length);
      }
      const ratio = compressionRatio(bytes, 512);
      rows.push(`${t.name.padEnd(12)} ${t.shape.join('x').padEnd(14)} ${relu.has(index) ? 'relu' : '    '} ${ratio.toFixed(3)}`);
      if (relu.has(index)) expect(ratio, t.name).toBeLessThan(1);
    }
    expect(relu.size).toBeGreaterThan(5);
    console.log(`compression ratio (stored / raw, 512-byte sections), Tiny U-Net activations:\n${rows.join('\n')}`);
  });

  it('compression: C equals spill-codec.ts on edge cases (ties, short groups, incompressible, tiny sections)', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    const tie = new Uint8Array(256);
    tie.fill(0x20, 0, 100).fill(0x10, 100, 200);
    for (let i = 200; i < 256; i++) tie[i] = rand();
    const cases: [string, Uint8Array, number][] = [
      ['two values tie for the mode: the smaller one is dropped', tie, 256],
      ['all bytes equal', new Uint8Array(1000).fill(0x80), 512],
      ['last group shorter than 8', Uint8Array.from({ length: 13 }, (_, i) => (i % 5 ? 0 : 9)), 512],
      ['incompressible', Uint8Array.from({ length: 700 }, rand), 256],
      ['one-byte sections', Uint8Array.from({ length: 9 }, rand), 1],
      ['empty', new Uint8Array(0), 256],
    ];
    for (const [what, bytes, block] of cases) {
      const c = addon.compress(bytes, block);
      const e = encodeSpill(bytes, block);
      expect(Buffer.compare(c.data, e.data), what).toBe(0);
      expect(Array.from(c.table), what).toEqual(Array.from(e.table));
      expect(Buffer.compare(addon.decompress(c.data, c.table, bytes.length, block), bytes), what).toBe(0);
      expect(Buffer.compare(decodeSpill(e, bytes.length, block), bytes), what).toBe(0);
    }
    expect(encodeSpill(tie, 256).data[0]).toBe(0x10);
    expect(encodeSpill(new Uint8Array(1000).fill(0x80), 512).data.length).toBe(1 + 64 + (1 + 61));
    expect(Array.from(encodeSpill(Uint8Array.from({ length: 700 }, rand), 256).table)).toEqual([0x8000 | 256, 0x8000 | 256, 0x8000 | 188]);
  });

  it('compression: corrupt sections are rejected, not decoded into garbage', () => {
    const bytes = originalActs.get(original.main.ops[1]!.outputs[0]!)!;
    const c = addon.compress(bytes, 512);
    const k = Array.from(c.table).findIndex((e) => !(e & 0x8000));
    expect(k).toBeGreaterThanOrEqual(0);
    const table = c.table.slice();
    table[k] = table[k]! - 1; // one byte short
    expect(() => addon.decompress(c.data, table, bytes.length, 512)).toThrow(expect.objectContaining({ code: 'TS_E_CORRUPT' }));
    expect(() => decodeSpill({ data: c.data, table }, bytes.length, 512)).toThrow(/corrupt/);
  });

  describe('NOR flash driver', () => {
    it('wear levelling spreads erases evenly over the sectors across many inferences', () => {
      // Room for one inference's spills and then some: the log goes round the area over the inferences.
      const sectors = Math.ceil(logged(realSteps) / 4096) + 16;
      const regionBytes = optimized.report.spill.regionBytes;
      const spills = realSteps.filter((s) => s.kind === 'spill').length;
      const store = addon.createStore('flash', { regionBytes, block: 512, sectors, sectorSize: 4096, pageSize: 256, slots: spills, sectionCap: Math.ceil(regionBytes / 512) });
      const inferences = 60;
      for (let i = 0; i < inferences; i++) {
        addon.beginInference(store);
        // Alternate plain and compressed spills: the log advances by a different amount each time.
        const c = runC(store, realSteps, i % 2 ? COMPRESS | CRC : CRC);
        c.outputs.forEach((y, j) => expect(Buffer.compare(y, ts(realSteps)[j]!)).toBe(0));
      }
      const { eraseCounts, badPrograms } = addon.stats(store);
      const max = Math.max(...eraseCounts);
      const min = Math.min(...eraseCounts);
      const total = eraseCounts.reduce((a, b) => a + b, 0);
      console.log(`flash wear over ${inferences} inferences: ${total} sector erases on ${sectors} sectors, min ${min}, max ${max}`);
      expect(badPrograms).toBe(0);
      expect(min).toBeGreaterThan(0);
      expect(max - min).toBeLessThanOrEqual(1);
      // Without rotation the region's first sectors would take every erase: inferences per sector.
      expect(max).toBeLessThan(inferences);
    });

    it('an area too small for one inference\'s spills is an error with a message', () => {
      const store = addon.createStore('flash', { regionBytes: optimized.report.spill.regionBytes, block: 512, sectors: 8, sectorSize: 4096, pageSize: 256, slots: 4 });
      addon.beginInference(store);
      expect(() => runC(store, realSteps, 0)).toThrow(expect.objectContaining({ code: 'TS_E_SPACE', message: expect.stringMatching(/^storage write of 512 bytes at region offset \d+ failed: flash: one inference's spills \(\d+ bytes\) overflow the 32768-byte area$/) }));
    });

    it('CRC catches a flipped bit in flash, plain and compressed', () => {
      for (const flags of [CRC, COMPRESS | CRC]) {
        const regionBytes = optimized.report.spill.regionBytes;
        const store = addon.createStore('flash', { regionBytes, block: 512, sectors: 32, sectorSize: 4096, pageSize: 256, slots: 4, sectionCap: 200 });
        addon.beginInference(store);
        const spill = realSteps.find((s) => s.kind === 'spill')!;
        runC(store, [spill], flags);
        // The first byte of a compressed section is its mode byte: flipping it decodes fine but wrong.
        addon.flipBit(store, spill.offset, 3);
        const l = layoutOf(spill.x);
        const y = new Uint8Array(spill.x.byteSize);
        expect(() => addon.fetch(store, 0, y, l.rows, l.channels, l.elem, null, spill.begin, spill.count, spill.offset, spill.size)).toThrow(
          expect.objectContaining({ code: 'TS_E_CRC', message: expect.stringMatching(/^TinySegFetch: CRC-32 of the \d+ bytes at region offset \d+ is \d+, the spill wrote \d+$/) }),
        );
        addon.flipBit(store, spill.offset, 3);
        addon.fetch(store, 0, y, l.rows, l.channels, l.elem, null, spill.begin, spill.count, spill.offset, spill.size);
        expect(Buffer.compare(y, spill.bytes)).toBe(0);
      }
    });
  });

  describe('quantized slots (TS_SPILL_QUANTIZE): the bytes of quantized-slot.ts', () => {
    // Float32 activations: the Tiny U-Net's int8 activations read as the real
    // values they stand for, (q - zero_point) x scale, plus a tensor with the
    // values the spec singles out (NaN, infinities, -0, subnormals) and one
    // with no finite value but 0 (scale 1).
    const floats: { name: string; values: Float32Array; channels: number }[] = [];
    for (const [index, bytes] of originalActs) {
      const t = original.main.tensors[index]!;
      const q = t.quantization;
      if (t.dtype !== 'int8' || !q || q.scale.length !== 1) continue;
      const values = new Float32Array(bytes.length);
      for (let i = 0; i < bytes.length; i++) values[i] = (((bytes[i]! << 24) >> 24) - q.zeroPoint[0]!) * q.scale[0]!;
      floats.push({ name: t.name, values, channels: t.shape[t.shape.length - 1]! });
    }
    const rand = prng(11);
    const special = new Float32Array(37 * 5).map(() => ((rand() >>> 8) / (1 << 24) - 0.3) * 2 ** ((rand() % 24) - 12));
    [NaN, Infinity, -Infinity, -0, 1e-40, -1e-42, 0.5, -0.5].forEach((v, i) => (special[i * 23] = v));
    floats.push({ name: 'special values', values: special, channels: 5 });
    floats.push({ name: 'zeros and NaN', values: new Float32Array(16 * 4).map((_, i) => (i % 3 ? 0 : NaN)), channels: 4 });
    // Ends near the float32 limit: hi - lo overflows and the scale is taken end by end.
    floats.push({ name: 'near FLT_MAX', values: new Float32Array(8 * 3).map((_, i) => (i % 2 ? 3.2e38 : -3.1e38) * ((i % 5) / 4)), channels: 3 });

    const bytesOf = (v: Float32Array): Uint8Array => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    /** Channels [begin, begin + count) of every row, back to back. */
    const pack = (v: Float32Array, channels: number, begin: number, count: number): Float32Array => {
      const rows = v.length / channels;
      const out = new Float32Array(rows * count);
      for (let r = 0; r < rows; r++) out.set(v.subarray(r * channels + begin, r * channels + begin + count), r * count);
      return out;
    };
    /** The channels outside [begin, begin + count), in order, row by row: a partial fetch's resident input. */
    const residentOf = (v: Float32Array, channels: number, begin: number, count: number): Float32Array => {
      const rows = v.length / channels;
      const rest = channels - count;
      const out = new Float32Array(rows * rest);
      for (let r = 0; r < rows; r++) {
        out.set(v.subarray(r * channels, r * channels + begin), r * rest);
        out.set(v.subarray(r * channels + begin + count, (r + 1) * channels), r * rest + begin);
      }
      return out;
    };
    const quantized = (packed: Float32Array): Uint8Array => {
      const out = new Uint8Array(8 + packed.length);
      quantizeSlice(packed, out);
      return out;
    };

    const stores: [string, 'ram' | 'ram-async' | 'flash' | 'remote', Record<string, number>][] = [
      ['RAM, 100-byte blocks', 'ram', { block: 100 }],
      ['RAM, 7-byte blocks (the header spans two)', 'ram', { block: 7 }],
      ['asynchronous RAM, 256-byte blocks', 'ram-async', { block: 256 }],
      ['NOR flash', 'flash', { block: 512, sectorSize: 4096, pageSize: 256 }],
      ['remote, 200-byte frames', 'remote', { block: 512, frameBytes: 200 }],
    ];
    for (const [label, kind, opts] of stores) {
      for (const flags of [QUANTIZE, QUANTIZE | COMPRESS | CRC]) {
        it(`${label}${flags & COMPRESS ? ', compressed with CRC' : ''}: region bytes and fetched floats`, () => {
          const block = opts.block!;
          let compared = 0;
          for (const { name, values, channels } of floats) {
            const rows = values.length / channels;
            const b = Math.floor(channels / 3);
            // Whole tensor, tail slice (head resident), inner slice (one channel resident on each side).
            const slices = [
              { begin: 0, count: channels },
              { begin: b, count: channels - b },
              { begin: 1, count: Math.max(1, channels - 2) },
            ].filter((sl) => sl.begin + sl.count <= channels);
            const regionBytes = slices.reduce((n, sl) => n + 16 + 8 + rows * sl.count, 0);
            const store = addon.createStore(kind, {
              regionBytes,
              slots: slices.length,
              sectionCap: Math.ceil(regionBytes / block),
              extents: slices.length,
              sectors: Math.ceil(regionBytes / 4096) + 2,
              ...opts,
            });
            addon.beginInference(store);
            let offset = 0;
            slices.forEach((sl, slot) => {
              const what = `${name} [${sl.begin}, ${sl.begin + sl.count})`;
              const packed = pack(values, channels, sl.begin, sl.count);
              const want = quantized(packed);
              addon.spill(store, slot, bytesOf(values), rows, channels, 4, sl.begin, sl.count, offset, want.length, flags);
              const info = addon.slotInfo(store, slot);
              expect(info.flags & QUANTIZE, what).toBe(QUANTIZE);
              const region = addon.readRegion(store, offset, info.stored);
              const stored = flags & COMPRESS ? decodeSpill({ data: region, table: info.table }, want.length, block) : region;
              expect(Buffer.compare(stored, want), `${what}: stored bytes`).toBe(0);
              if (flags & CRC) expect(info.crc, what).toBe(zlib.crc32(want));

              const back = new Float32Array(rows * sl.count);
              dequantizeSlice(want, back);
              const expected = values.slice();
              for (let r = 0; r < rows; r++) expected.set(back.subarray(r * sl.count, (r + 1) * sl.count), r * channels + sl.begin);
              const resident = sl.count < channels ? bytesOf(residentOf(values, channels, sl.begin, sl.count)) : null;
              const y = new Uint8Array(values.byteLength).fill(0xee);
              addon.fetch(store, slot, y, rows, channels, 4, resident, sl.begin, sl.count, offset, want.length, QUANTIZE);
              expect(Buffer.compare(y, bytesOf(expected)), `${what}: fetched floats`).toBe(0);
              if (sl.begin > 0 && sl.begin + sl.count === channels) {
                // The tail slot as a quantized region part after its resident head.
                const yc = new Uint8Array(values.byteLength).fill(0xee);
                addon.concatFetch(store, yc, rows, channels, 4, [
                  { input: resident!, channels: sl.begin },
                  { channels: sl.count, offset, slot, flags: QUANTIZE },
                ]);
                expect(Buffer.compare(yc, bytesOf(expected)), `${what}: concat-fetch part`).toBe(0);
              }
              offset += Math.ceil(want.length / 16) * 16;
              compared++;
            });
          }
          expect(compared).toBeGreaterThan(3 * 10);
        });
      }
    }

    it('a quantized slot read as plain, or a plain one read as quantized, is an error; so are wrong byte counts', () => {
      const { values, channels } = floats[0]!;
      const rows = values.length / channels;
      const q = 8 + rows * channels;
      const s = addon.createStore('ram', { regionBytes: 2 * values.byteLength, block: 512, slots: 2, sectionCap: 8 });
      const fails = (fn: () => void, code: string, message: RegExp) =>
        expect(fn).toThrow(expect.objectContaining({ code, message: expect.stringMatching(message) }));
      fails(() => addon.spill(s, -1, bytesOf(values), rows, channels, 4, 0, channels, 0, values.byteLength, QUANTIZE), 'TS_E_SIZE', new RegExp(`the quantized slice has ${q} \\(8 \\+ ${rows} rows x ${channels} channels\\)`));
      fails(() => addon.spill(s, -1, bytesOf(values).subarray(0, values.byteLength / 2), rows, channels, 2, 0, channels, 0, 8 + rows * channels, QUANTIZE), 'TS_E_SIZE', /float32/);
      addon.spill(s, 0, bytesOf(values), rows, channels, 4, 0, channels, 0, q, QUANTIZE | CRC);
      addon.spill(s, 1, bytesOf(values), rows, channels, 4, 0, channels, q + 16, values.byteLength, CRC);
      const y = new Uint8Array(values.byteLength);
      fails(() => addon.fetch(s, 0, y, rows, channels, 4, null, 0, channels, 0, q, 0), 'TS_E_SIZE', /options say \d+ bytes, the slice has \d+/);
      fails(() => addon.fetch(s, 1, y, rows, channels, 4, null, 0, channels, q + 16, values.byteLength, QUANTIZE), 'TS_E_SIZE', /the quantized slice has/);
      fails(() => addon.concatFetch(s, y, rows, channels, 4, [{ channels, offset: 0, slot: 0 }]), 'TS_E_STATE', /slot holds \d+ bytes at offset 0, the fetch wants/);
      // Same byte count both ways: a [q / 4, 1] float tensor read plainly from the quantized slot.
      expect(q % 4).toBe(0);
      fails(() => addon.fetch(s, 0, new Uint8Array(q), q / 4, 1, 4, null, 0, 1, 0, q, 0), 'TS_E_STATE', /is quantized, the fetch reads it as plain/);
      addon.fetch(s, 0, y, rows, channels, 4, null, 0, channels, 0, q, QUANTIZE);
      const back = new Float32Array(rows * channels);
      dequantizeSlice(quantized(values), back);
      expect(Buffer.compare(y, bytesOf(back))).toBe(0);
    });
  });

  describe('malformed parameters give error statuses with messages and touch nothing', () => {
    const x = originalActs.get(original.main.ops[1]!.outputs[0]!)!; // conv_2: 9600 rows x 8 channels
    const rows = 9600;
    const store = () => addon.createStore('ram', { regionBytes: 4 * x.length, block: 512, slots: 2, sectionCap: 4 });
    const fails = (fn: () => void, code: string, message: RegExp) =>
      expect(fn).toThrow(expect.objectContaining({ code, message: expect.stringMatching(message) }));

    it('spill: slice outside the tensor, wrong byte count, region overflow, wrong buffer size, small section table', () => {
      const s = store();
      fails(() => addon.spill(s, -1, x, rows, 8, 1, 6, 4, 0, rows * 4, 0), 'TS_E_SLICE', /^TinySegSpill: channels \[6, 10\) are outside the 8 of the tensor$/);
      fails(() => addon.spill(s, -1, x, rows, 8, 1, 0, 0, 0, 0, 0), 'TS_E_SLICE', /channels \[0, 0\)/);
      fails(() => addon.spill(s, -1, x, rows, 8, 1, 0, 4, 0, rows * 4 + 1, 0), 'TS_E_SIZE', /options say 38401 bytes, the slice has 38400/);
      fails(() => addon.spill(s, -1, x, rows, 8, 1, 0, 8, 3 * x.length + 1, x.length, 0), 'TS_E_RANGE', /spill region is 307200 bytes, the op reaches 307201/);
      fails(() => addon.spill(s, -1, x.subarray(1), rows, 8, 1, 0, 8, 0, x.length, 0), 'TS_E_SIZE', /does not match its buffer of 76799 bytes/);
      fails(() => addon.spill(s, 0, x, rows, 8, 1, 0, 8, 0, x.length, COMPRESS), 'TS_E_SPACE', /section table holds 4 entries, the spill needs 150/);
      fails(() => addon.spill(s, -1, x, rows, 8, 1, 0, 8, 0, x.length, CRC), 'TS_E_STATE', /need a slot state/);
      fails(() => addon.spill(s, -1, x, rows, 8, 3, 0, 8, 0, x.length, 0), 'TS_E_ARG', /element size of 1, 2 or 4/);
      expect(addon.readRegion(s, 0, 4 * x.length).every((b) => b === 0)).toBe(true);
    });

    it('fetch: missing resident, wrong resident size, slot never spilled, region overflow', () => {
      const s = store();
      const y = new Uint8Array(x.length).fill(7);
      fails(() => addon.fetch(s, -1, y, rows, 8, 1, null, 2, 6, 0, rows * 6), 'TS_E_ARG', /fetches 6 of 8 channels but has no resident input/);
      fails(() => addon.fetch(s, -1, y, rows, 8, 1, new Uint8Array(rows), 2, 6, 0, rows * 6), 'TS_E_SIZE', /resident input has 9600 bytes, the other channels need 19200/);
      fails(() => addon.fetch(s, 0, y, rows, 8, 1, null, 0, 8, 0, x.length), 'TS_E_STATE', /holds no completed spill/);
      fails(() => addon.fetch(s, -1, y, rows, 8, 1, null, 0, 8, 4 * x.length - 10, x.length), 'TS_E_RANGE', /the op reaches/);
      expect(y.every((b) => b === 7)).toBe(true);
    });

    it('concat-fetch: parts that do not add up or leave the region', () => {
      const s = store();
      const y = new Uint8Array(x.length).fill(7);
      fails(() => addon.concatFetch(s, y, rows, 8, 1, [{ channels: 4, offset: 0 }]), 'TS_E_SLICE', /parts add up to 4 channels, the output has 8/);
      fails(() => addon.concatFetch(s, y, rows, 8, 1, [{ channels: 4, offset: 0 }, { channels: 8, offset: 0 }]), 'TS_E_SLICE', /part 1 \(8 channels\) does not fit/);
      fails(() => addon.concatFetch(s, y, rows, 8, 1, [{ input: new Uint8Array(10), channels: 4 }, { channels: 4, offset: 0 }]), 'TS_E_SIZE', /part 0 has 10 bytes/);
      fails(() => addon.concatFetch(s, y, rows, 8, 1, [{ channels: 8, offset: 3 * x.length + 16 }]), 'TS_E_RANGE', /part 0 reaches 307216 past the spill region of 307200 bytes/);
      expect(y.every((b) => b === 7)).toBe(true);
    });
  });
});

const tsOutputs = new Map<Step[], Uint8Array[]>();
/** The TypeScript kernels' outputs for a step list (memoised). */
function ts(steps: Step[]): Uint8Array[] {
  let out = tsOutputs.get(steps);
  if (!out) tsOutputs.set(steps, (out = runTypeScript(steps, 1 << 20).outputs));
  return out;
}
