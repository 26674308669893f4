// TinySeg's interpreter against real TFLite (tfjs-tflite, TFLite compiled to
// wasm, in headless Chromium) on single-operator float32 models: same model
// bytes, same seeded inputs, every output compared.
//
// TFLite is not TFLM: it hands most float operators to XNNPACK (tfjs-tflite
// has no option to turn the delegate off) and runs the rest on its optimized
// kernels, neither in the reference kernels' operation order. Bit-exactness
// with TFLM is what the TFLM test vectors and the oracle prove; this test
// proves the semantics from a second side: each case must agree within the
// tolerance its definition justifies (test/helpers/float-op-cases.ts: exact for
// data movement and integer outputs, a few ulps for element-wise math, a few ε
// of the output range for sums), which a wrong axis, padding, window or resize
// mode exceeds by orders of magnitude (the last test shows that it does).
// docs/operators.md records what was measured, case by case; the last but one
// test holds the record to the measurement.

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { saveGraph } from '../../src/graph/graph.js';
import type { DType } from '../../src/graph/types.js';
import { runModel } from '../../src/interpreter/interpreter.js';
import { floatOpCases, type FloatOpCase, type Tolerance } from '../helpers/float-op-cases.js';
import { openTfliteBrowser, pageTensorBytes, toPageTensor, type PageTensor, type TfliteBrowser } from '../helpers/tfjs-tflite-browser.js';

// Found once for the whole run by the system project's setup (test/helpers/system-tools.ts).
const CHROMIUM = inject('chromium');
const EPS = 2 ** -23;
const XNNPACK = 'TfLiteXNNPackDelegate';

let tflite: TfliteBrowser;
beforeAll(async () => {
  tflite = await openTfliteBrowser(CHROMIUM);
}, 60_000);
afterAll(async () => tflite?.close());

/** What one case measured. */
interface Measure {
  /** Non-float outputs all equal, and float outputs bit for bit. */
  exact: boolean;
  /** Largest float32 ulp distance between an output of ours and TFLite's. */
  ulps: number;
  /** Largest |ours − theirs| over ε times the largest |output| (0 when every output is 0). */
  ofRange: number;
  /** Largest |ours − theirs| / |theirs|. */
  relative: number;
  /** The first output value outside the tolerance, if any. */
  failure?: string;
}

const view = (dtype: DType | PageTensor['dtype'], bytes: Uint8Array): ArrayLike<number> => {
  const b = bytes.slice().buffer;
  if (dtype === 'float32') return new Float32Array(b);
  if (dtype === 'int32') return new Int32Array(b);
  if (dtype === 'int8') return new Int8Array(b);
  if (dtype === 'bool' || dtype === 'uint8') return new Uint8Array(b);
  throw new Error(`no view for ${dtype}`);
};

/** float32 bits as an integer in the floats' order: the difference of two is their distance in ulps. */
const ordered = (f: number): number => {
  const i = new Int32Array(Float32Array.of(f).buffer)[0]!;
  return i < 0 ? -(i & 0x7fffffff) : i;
};

/** Whether ours (a) is within the tolerance of TFLite's (b). −0 equals +0: TFLM's ROUND gives +0 for −0.5 (floor + 1), XNNPACK −0. */
function within(t: Tolerance, a: number, b: number, range: number): boolean {
  if (a === b || (Number.isNaN(a) && Number.isNaN(b))) return true;
  if ('exact' in t) return false;
  if ('ulps' in t) return Math.abs(ordered(a) - ordered(b)) <= t.ulps;
  if ('ofRange' in t) return Math.abs(a - b) <= t.ofRange * EPS * range;
  return Math.abs(a - b) <= t.relative * Math.abs(b);
}

/** Compares our outputs with TFLite's (which tfjs may widen: bool and int8 come back as int32). */
function compare(c: FloatOpCase, ours: Uint8Array[], theirs: PageTensor[]): Measure {
  const sg = c.graph.main;
  const m: Measure = { exact: true, ulps: 0, ofRange: 0, relative: 0 };
  const pairs = sg.outputs.map((t, k) => {
    const dtype = sg.tensors[t]!.dtype;
    return { k, dtype, a: view(dtype, ours[k]!), b: view(theirs[k]!.dtype, pageTensorBytes(theirs[k]!)) };
  });
  let range = 0;
  for (const { dtype, b } of pairs) if (dtype === 'float32') for (let i = 0; i < b.length; i++) range = Math.max(range, Math.abs(b[i]!));
  for (const { k, dtype, a, b } of pairs) {
    expect(a.length, `${c.name}: output ${k} length`).toBe(b.length);
    const tolerance: Tolerance = dtype === 'float32' ? c.tolerance : { exact: true };
    for (let i = 0; i < a.length; i++) {
      const [x, y] = [a[i]!, b[i]!];
      if (!Object.is(x, y) && !(Number.isNaN(x) && Number.isNaN(y))) m.exact = false;
      if (dtype === 'float32' && Number.isFinite(x) && Number.isFinite(y)) {
        m.ulps = Math.max(m.ulps, Math.abs(ordered(x) - ordered(y)));
        if (range > 0) m.ofRange = Math.max(m.ofRange, Math.abs(x - y) / (EPS * range));
        if (y !== 0) m.relative = Math.max(m.relative, Math.abs(x - y) / Math.abs(y));
      }
      if (m.failure === undefined && !within(tolerance, x, y, range)) m.failure = `output ${k}[${i}]: ours ${x}, TFLite ${y}`;
    }
  }
  return m;
}

async function measure(c: FloatOpCase, model: Uint8Array = saveGraph(c.graph)): Promise<{ m: Measure; ranAs: string }> {
  const sg = c.graph.main;
  const ours = runModel(c.graph, c.inputs.map((a) => new Uint8Array(a.buffer)));
  const run = await tflite.run(
    model,
    c.inputs.map((a, i) => toPageTensor('float32', sg.tensors[sg.inputs[i]!]!.shape, a)),
  );
  return { m: compare(c, ours, run.outputs), ranAs: [...new Set(run.nodeTypes)].map((n) => (n === XNNPACK ? 'XNNPACK' : `TFLite ${n}`)).join(', ') };
}

const describeTolerance = (t: Tolerance): string =>
  'exact' in t ? 'exact' : 'ulps' in t ? `${t.ulps} ulp` : 'ofRange' in t ? `${t.ofRange} ε of range` : `${t.relative} relative`;

function describeMeasure(m: Measure, t: Tolerance): string {
  if (m.exact) return 'bit-exact';
  if (m.ulps === 0) return 'equal but for the sign of some zeros';
  const parts = [`${m.ulps} ulp`];
  if ('ofRange' in t) parts.push(`${m.ofRange.toFixed(1)} ε of range`);
  if ('relative' in t) parts.push(`${m.relative.toExponential(1)} relative`);
  return parts.join(', ');
}

const cases = floatOpCases();
const rows = new Map<string, string>();

describe('single-operator float32 models against tfjs-tflite in Chromium', () => {
  it('case names are unique, and the page runs the SIMD single-threaded wasm build', async () => {
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
    expect(await tflite.wasmFeatures()).toMatchObject({ simd: true, multiThreading: false });
  });

  it.each(cases.map((c) => [c.name, describeTolerance(c.tolerance), c] as const))('%s: within %s', async (_name, tolerance, c) => {
    const { m, ranAs } = await measure(c);
    rows.set(c.name, `| ${c.name} | ${ranAs} | ${tolerance} | ${describeMeasure(m, c.tolerance)} |`);
    expect(m.failure, c.name).toBeUndefined();
  });

  it('docs/operators.md records what was measured', () => {
    expect(rows.size, 'every case measured').toBe(cases.length);
    const doc = readFileSync(new URL('../../docs/operators.md', import.meta.url), 'utf8');
    const section = doc.split('## Checked against tfjs-tflite')[1]?.split('\n## ')[0] ?? '';
    const recorded = section.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Case') && !l.startsWith('| ---'));
    const measured = [...rows.values()].join('\n');
    // The table to paste when a case is added or the measurement changes.
    if (recorded.join('\n') !== measured) console.log(`measured:\n${measured}`);
    expect(recorded.join('\n'), 'the table of docs/operators.md, "Checked against tfjs-tflite"').toBe(measured);
  });

  // Each changes one thing in our copy of a model (TFLite runs the original): every change must fail the comparison.
  const MUTATIONS: [what: string, caseName: string, change: (c: FloatOpCase) => void][] = [
    ['RESIZE_BILINEAR half_pixel_centers computed as align_corners', 'RESIZE_BILINEAR 6x8 -> 4x5 half_pixel_centers', (c) => Object.assign(c.graph.main.ops[0]!.options!, { halfPixelCenters: false, alignCorners: true })],
    ['RESIZE_NEAREST_NEIGHBOR without half_pixel_centers', 'RESIZE_NEAREST_NEIGHBOR 5x7 -> 9x12 half_pixel_centers', (c) => Object.assign(c.graph.main.ops[0]!.options!, { halfPixelCenters: false })],
    ['SOFTMAX with beta 0.1% off', 'SOFTMAX beta 1', (c) => Object.assign(c.graph.main.ops[0]!.options!, { beta: 1.001 })],
    ['CONV_2D with its filter flipped vertically', 'CONV_2D 3x3 stride 2 SAME', (c) => flipFilterRows(c)],
    ['CUMSUM along axis 2 for axis 1', 'CUMSUM axis 1', (c) => c.graph.main.tensors[c.graph.main.ops[0]!.inputs[1]!]!.data!.set(new Uint8Array(Int32Array.of(2).buffer))],
    ['REVERSE_V2 along axis 2 for axis 1', 'REVERSE_V2 axis 1', (c) => c.graph.main.tensors[c.graph.main.ops[0]!.inputs[1]!]!.data!.set(new Uint8Array(Int32Array.of(2).buffer))],
  ];

  it.each(MUTATIONS)('%s fails the comparison', async (_what, caseName, change) => {
    const c = floatOpCases().find((k) => k.name === caseName)!;
    const model = saveGraph(c.graph);
    change(c);
    const { m } = await measure(c, model);
    expect(m.failure, `${caseName}: largest difference ${m.ofRange.toFixed(0)} ε of range, ${m.ulps} ulp`).toBeDefined();
  });
});

/** Reverses the filter's kernel rows (OHWI), in our copy only. */
function flipFilterRows(c: FloatOpCase): void {
  const filter = c.graph.main.tensors[c.graph.main.ops[0]!.inputs[1]!]!;
  const [o, h, w, i] = filter.shape as [number, number, number, number];
  const v = new Float32Array(filter.data!.slice().buffer);
  const flipped = new Float32Array(v.length);
  const row = w * i;
  for (let a = 0; a < o; a++) for (let y = 0; y < h; y++) flipped.set(v.subarray((a * h + y) * row, (a * h + y + 1) * row), (a * h + (h - 1 - y)) * row);
  filter.data!.set(new Uint8Array(flipped.buffer));
}
