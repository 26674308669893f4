// int8 FULLY_CONNECTED operators that feed each other, run as one call into
// the SIMD module (fullyConnectedRecordsI8). A small model's operators cost more
// in calls (JavaScript into the module, the copies in and out around each)
// than in arithmetic: hello-world's three layers are 16, 256 and 16
// multiply-adds. The chain copies its input in once; each operator leaves its
// results where the next one reads them, and every operator's results are
// copied out to its output in order, so the arena ends as the operators run
// one by one leave it.

import { i8, type FusedSteps, type PreparedStep } from '../kernel.js';
import { simd, simdAligned, simdCopyIn, simdCopyOut, simdHeap, simdKept, simdKeptChanges, simdScratch } from '../simd/simd.js';
import type { FcState } from './kernel.js';
import { FC_RECORD_WORDS, packedFcScratch, packedFcWeights, packedFullyConnected, writeFcRecord } from './packed-weights.js';

/** The operators from steps[from] on that form a chain: the same kernel, each taking fullyConnectedRecordsI8 and reading the one before's output. */
export function fuseFullyConnected(steps: readonly PreparedStep[], from: number): FusedSteps | null {
  const kernel = steps[from]!.kernel;
  const run: PreparedStep[] = [];
  for (let k = from; k < steps.length; k++) {
    const step = steps[k]!;
    const filter = step.call.inputs[1];
    if (step.kernel !== kernel || !filter || !packedFullyConnected(step.state as FcState, filter)) break;
    if (run.length > 0 && step.call.inputs[0] !== run[run.length - 1]!.call.outputs[0]) break;
    run.push(step);
  }
  return run.length >= 2 ? new FullyConnectedChain(run) : null;
}

/** Where an operator's staged input is and its results go, in the module. */
interface Staging {
  src: number;
  out: number;
  /** Input bytes read, results written. */
  n: number;
  count: number;
}

class FullyConnectedChain implements FusedSteps {
  readonly count: number;
  private readonly steps: readonly PreparedStep[];
  /** The first operator's input and every operator's output (the interpreter's tensors keep their bytes). */
  private readonly input: Int8Array;
  private readonly outputs: Int8Array[];
  /** simdKeptChanges() when the records were written; the addresses hold while it is the same. */
  private changes = -1;
  /** The weights did not stay kept together once: the operators run one by one (no packing again on every call). */
  private apart = false;
  private records = 0;
  private staging: Staging[] = [];
  /**
   * The small outputs' copies out of the module as flat lists (planCopies): a loop per output costs a small chain
   * more than its copies (hello-world's: 22 -> 9 ns). `quads`: pairs of a word index into `buffer32` (the outputs'
   * buffer: the arena) and one into the module's memory, each the first of 4 words to copy, over the whole 16 bytes
   * of an output (arena tensors start 16-aligned, as do the staging regions); `bytes`: the same per byte, for the
   * bytes left; `whole`: the outputs copied whole (large, or in another buffer).
   */
  private copies = { quads: new Int32Array(0), bytes: new Int32Array(0), whole: [] as number[] };
  private readonly buffer32: Int32Array;
  private readonly buffer8: Int8Array;

  constructor(steps: readonly PreparedStep[]) {
    this.steps = steps;
    this.count = steps.length;
    this.input = i8(steps[0]!.call.inputs[0]!);
    this.outputs = steps.map((st) => i8(st.call.outputs[0]!));
    const buffer = this.outputs[0]!.buffer;
    this.buffer32 = new Int32Array(buffer, 0, buffer.byteLength >> 2);
    this.buffer8 = new Int8Array(buffer);
  }

  invoke(): void {
    if (this.apart || (this.changes !== simdKeptChanges() && !this.layOut())) {
      // The weights do not stay kept together (KEPT_LIMIT): one operator at a time, from now on.
      this.apart = true;
      for (const { kernel, call, state } of this.steps) kernel.invoke(call, state);
      return;
    }
    const first = this.staging[0]!;
    simdCopyIn(this.input, first.n, first.src);
    simd().fullyConnectedRecordsI8(this.records, this.count);
    const h = simdHeap();
    const { quads, bytes, whole } = this.copies;
    const to32 = this.buffer32;
    const from32 = h.i32;
    const to8 = this.buffer8;
    const from8 = h.i8;
    for (let j = 0; j < quads.length; j += 2) {
      const to = quads[j]!;
      const from = quads[j + 1]!;
      to32[to] = from32[from]!;
      to32[to + 1] = from32[from + 1]!;
      to32[to + 2] = from32[from + 2]!;
      to32[to + 3] = from32[from + 3]!;
    }
    for (let j = 0; j < bytes.length; j += 2) to8[bytes[j]!] = from8[bytes[j + 1]!]!;
    for (let q = 0; q < whole.length; q++) {
      const k = whole[q]!;
      simdCopyOut(this.staging[k]!.out, this.staging[k]!.count, this.outputs[k]!);
    }
  }

  /** this.copies for the staging just laid out. */
  private planCopies(): void {
    const quads: number[] = [];
    const bytes: number[] = [];
    const whole: number[] = [];
    this.outputs.forEach((o, k) => {
      const at = this.staging[k]!.out;
      const aligned = ((o.byteOffset | at) & 15) === 0;
      if (o.buffer !== this.buffer8.buffer || o.length > (aligned ? 256 : 16)) {
        whole.push(k);
        return;
      }
      const inQuads = aligned ? o.length & ~15 : 0;
      for (let i = 0; i < inQuads; i += 16) quads.push((o.byteOffset + i) >> 2, (at + i) >> 2);
      for (let i = inQuads; i < o.length; i++) bytes.push(o.byteOffset + i, at + i);
    });
    this.copies = { quads: new Int32Array(quads), bytes: new Int32Array(bytes), whole };
  }

  /**
   * Packs every operator's weights and keeps the records' region, until a round adds no region (an earlier one's
   * address then still holds); then lays out the staging above the kept regions and writes the records. False
   * when the regions do not stay together.
   */
  private layOut(): boolean {
    for (let round = 0; round < 3; round++) {
      const before = simdKeptChanges();
      const weights = this.steps.map(({ call, state }) => packedFcWeights(state as FcState, call, call.inputs[1]!));
      const records = simdKept(this, 4 * FC_RECORD_WORDS * this.count, () => {});
      if (simdKeptChanges() !== before) continue;
      const states = this.steps.map((st) => st.state as FcState);
      // The widened input and the sums are used within one operator: one region each, for the largest.
      let xBytes = 0;
      let accBytes = 0;
      states.forEach((s, k) => {
        const scratch = packedFcScratch(s, weights[k]!.cp);
        xBytes = Math.max(xBytes, scratch.x);
        accBytes = Math.max(accBytes, scratch.acc);
      });
      // Operator k's results are operator k + 1's staged input: 16 bytes of slack past what it reads (widenPadded reads
      // vectors) and it writes.
      const n = states.map((s) => s.batches * s.accum);
      const count = states.map((s) => s.batches * s.depth);
      const sizes = states.map((_, k) => simdAligned(Math.max(k > 0 ? count[k - 1]! : 0, n[k]! + 16)));
      // 16 bytes of slack past the last results too: the output step stores 16 at a time.
      const last = simdAligned(count[this.count - 1]! + 16);
      const base = simdScratch(xBytes + accBytes + sizes.reduce((a, b) => a + b, 0) + last);
      const src: number[] = [];
      let at = base + xBytes + accBytes;
      for (const size of sizes) {
        src.push(at);
        at += size;
      }
      src.push(at);
      this.staging = states.map((_, k) => ({ src: src[k]!, out: src[k + 1]!, n: n[k]!, count: count[k]! }));
      const words = simdHeap().i32;
      states.forEach((s, k) => {
        const st = this.staging[k]!;
        writeFcRecord(words, (records >> 2) + FC_RECORD_WORDS * k, s, weights[k]!, { src: st.src, x: base, acc: base + xBytes, out: st.out });
      });
      this.records = records;
      this.changes = simdKeptChanges();
      this.planCopies();
      return true;
    }
    return false;
  }
}
