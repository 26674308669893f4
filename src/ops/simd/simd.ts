// The interpreter's SIMD inner loops (kernels.wat, WebAssembly 128-bit SIMD,
// which every Node this package supports has). One module instance serves the
// process: kernels run one at a time, and each call lays out its operands
// afresh with simdReserve above the regions kept across calls (simdKept).

import { KERNELS_RELAXED_PATCH, KERNELS_WASM_BASE64 } from './kernels-wasm.js';

/** The module's functions; addresses are bytes, counts are elements. */
export interface SimdKernels {
  memory: WebAssembly.Memory;
  /** acc[j] += sum over c < len of x[c] * w[j * wStride + c], j < n: i16 x i16 into int32 sums that wrap. */
  dotRows(x: number, w: number, wStride: number, n: number, len: number, acc: number): void;
  /** acc[i] += x[i] * w[i], i < n: i16 x i16 into int32. */
  mulAddI16(x: number, w: number, n: number, acc: number): void;
  /** acc[i] = acc[i] + x[i] * w[i], i < n, rounded to float32 at each step. */
  mulAddF32(x: number, w: number, n: number, acc: number): void;
  /** For c < len in order, acc[j] = acc[j] + x[c] * w[c * n + j], j < n, rounded to float32 at each step. */
  outerAddF32(x: number, w: number, len: number, n: number, acc: number): void;
  /**
   * An ungrouped conv without horizontal dilation, all output pixels: float = 0 sums i16 operands with dotRows,
   * float = 1 sums f32 operands with outerAddF32 (filter transposed to [row][column][in channel][out channel]).
   */
  convDense(
    float: number, x: number, w: number, acc: number,
    batches: number, inH: number, inW: number, inC: number, outC: number, kH: number, kW: number,
    outH: number, outW: number, strideH: number, strideW: number, padH: number, padW: number, dilationH: number,
  ): void;
  /** A depthwise conv with depth multiplier 1, all output pixels: float = 0 sums i16 operands with mulAddI16, float = 1 f32 ones with mulAddF32. */
  depthwiseDense(
    float: number, x: number, w: number, acc: number,
    batches: number, inH: number, inW: number, channels: number, kH: number, kW: number,
    outH: number, outW: number, strideH: number, strideW: number, padH: number, padW: number, dilationH: number, dilationW: number,
  ): void;
  /** dst[i] = src[i] + offset, i < n: int8 into i16. */
  widenI8(src: number, n: number, offset: number, dst: number): void;
  /**
   * An ungrouped int8 conv as a product with output channels across lanes (packed.wat explains the layouts): x from
   * widenPadded, w packed per block of 8 output channels; writes outC int32 sums per output pixel to acc, each started
   * from its channel's bias at `bias` (outC int32, 8 read per block), or from 0 with bias -1. With `float` 1, float32
   * operands (x zero-padded, w one element per step) and float32 sums in the reference order (bias -1, quant 0).
   * `quant` and `out`: as depthwisePacked's (the output step run as the sums are made, returning 1).
   */
  convPacked(
    x: number, w: number, acc: number,
    batches: number, hp: number, wp: number, cp: number, outC: number, kH: number, kW: number,
    outH: number, outW: number, strideH: number, strideW: number, dilationH: number, dilationW: number, float: number, bias: number,
    quant: number, out: number,
  ): number;
  /**
   * `count` int8 FULLY_CONNECTED operators of few rows with constant weights, one after the other, output channels
   * across lanes (packed.wat): records of 16 i32 words (writeFcRecord). Each operator's input is staged at src (rows x
   * len int8, 16 bytes of slack) and widened into x; w per group of 16 output channels and input pair four vectors of
   * i16 (`bytes` 2) or two of int8 (1); int32 sums into acc (64 bytes of slack past rows x outC); TFLM's output step
   * into out (params: outC biases, multipliers, shifts, then requantizeI8's table).
   */
  fullyConnectedRecordsI8(records: number, count: number): void;
  /**
   * A 1x1 int8 conv of stride 1 with at most 4 output channels, over `pixels` rows of cp i16 (packed.wat): w per input
   * pair one vector of 4 channels x 2 inputs; outC int32 sums per pixel to acc, started from the biases at `bias` (outC
   * int32, 4 read), with 16 bytes of slack past them. `quant` and `out`: as depthwisePacked's.
   */
  pointwiseNarrow(x: number, w: number, acc: number, pixels: number, cp: number, outC: number, bias: number, quant: number, out: number): number;
  /**
   * pointwiseNarrow for 1 or 2 output channels, pixels across lanes: w per 4 input pairs, per pair, per output channel, the
   * pair's 2 weights 4 times (conv-packed.ts packFilterAcross); reads up to 14 bytes past a pixel row (x's 16 of slack).
   */
  pointwiseFew(x: number, w: number, acc: number, pixels: number, cp: number, outC: number, bias: number, quant: number, out: number): number;
  /**
   * A depthwise int8 conv, channel per lane: x from widenPadded (cp a multiple of 8), w per block of 8 channels and tap
   * the even and the odd channels' i16 weights (depthwise-packed.ts); outC int32 sums per output pixel to acc, started
   * from the biases at `bias` (outC int32, 8 read per block). With `quant` (not 0: the output offset, qmin and qmax,
   * int32; the multipliers, shifts and requantizeI8's table follow the biases), runs TFLM's output step on the sums as it
   * makes them where requantizeI8's float form answers: outC int8 per pixel to `out` (8 bytes of slack past them),
   * returning 1; else writes the sums and returns 0.
   */
  depthwisePacked(
    x: number, w: number, acc: number,
    batches: number, hp: number, wp: number, cp: number, outC: number, kH: number, kW: number,
    outH: number, outW: number, strideH: number, strideW: number, dilationH: number, dilationW: number, bias: number,
    quant: number, out: number,
  ): number;
  /** depthwisePacked for at most 4 channels (cp 4) and stride 1 along the row: two output pixels per vector. */
  depthwisePacked4(
    x: number, w: number, acc: number,
    batches: number, hp: number, wp: number, outC: number, kH: number, kW: number,
    outH: number, outW: number, strideH: number, dilationH: number, dilationW: number, bias: number,
    quant: number, out: number,
  ): number;
  /**
   * An int8 TRANSPOSE_CONV as a scatter, output channels across lanes: x [batches][inH][inW][cp] from widenPadded, w
   * packed as for convPacked; adds outC int32 sums per output pixel to acc (zeroed by the caller).
   */
  transposeConvPacked(
    x: number, w: number, acc: number,
    batches: number, inH: number, inW: number, cp: number, outC: number, kH: number, kW: number,
    outH: number, outW: number, strideH: number, strideW: number, padH: number, padW: number,
  ): void;
  /**
   * In place on pixels x n float32 values: min(max(x + vec[c], lo), hi) (`mul` 1: x * vec[c]), vec n float32; a float
   * conv's output step (vec: the bias), float ADD and MUL by an operand of the same shape or per channel.
   */
  channelClampF32(acc: number, pixels: number, n: number, vec: number, lo: number, hi: number, mul: number): void;
  /** Per channel c < n (n >= 16), the int32 sum of x[p * n + c] over `pixels` pixels (int8), into sums (n int32). */
  sumChannelsI8(x: number, pixels: number, n: number, sums: number): void;
  /** [3][length] bytes at x to [length][3] at out (NCHW to NHWC of three channels). */
  interleave3Bytes(x: number, length: number, out: number): void;
  /** out[i] = x[i] ^ c, i < n (bytes), in whole vectors: 16 bytes of slack past x and out. */
  xorBytes(x: number, n: number, c: number, out: number): void;
  /** out[i] = table[(a[i] << 8) | b[i]], i < n (bytes; a 65,536-byte table). */
  lookupPairs(a: number, b: number, n: number, table: number, out: number): void;
  /**
   * float32 TRANSPOSE_CONV in the reference order: for every input pixel and every filter tap inside the output,
   * outerAddF32 of its inC input channels into that output pixel's outC sums at acc (w [tap][input channel][output channel]).
   */
  transposeConvF32(
    x: number, w: number, acc: number,
    batches: number, inH: number, inW: number, inC: number, outC: number, kH: number, kW: number,
    outH: number, outW: number, strideH: number, strideW: number, padH: number, padW: number,
  ): void;
  /**
   * CONCATENATION (`gather` 1) or SPLIT (0) of `count` parts: `outer` steps of each part's chunk, between the part's step
   * and the whole (filled in order); `parts`: per part its address and chunk bytes (two i32).
   */
  interleaveChunks(whole: number, parts: number, count: number, outer: number, gather: number): void;
  /** out[k] = x[index[k]] for k < n, elements of `size` bytes (1, 2 or 4; index: n i32, in elements). */
  gatherElements(x: number, index: number, n: number, size: number, out: number): void;
  /**
   * RESIZE_NEAREST_NEIGHBOR of whole pixels of `pixel` bytes: output row r from input row ys[r], column c from input
   * column xs[c] (i32 arrays of outH and outW).
   */
  resizeNearest(x: number, out: number, batches: number, inH: number, inW: number, pixel: number, ys: number, outH: number, xs: number, outW: number): void;
  /** out[i] = table[x[i]], i < n (bytes; a 256-byte table). */
  lookupBytes(x: number, n: number, table: number, out: number): void;
  /**
   * MAX_POOL_2D (`mode` 0: int8, 1: float32) or float32 AVERAGE_POOL_2D (2) over [batches][inH][inW][depth] into
   * [batches][outH][outW][depth] (windows clipped to the input), clamped to [qmin, qmax] (float32: their bits); 0 when
   * an average's window lies entirely outside the input, else 1.
   */
  pool(
    x: number, out: number, batches: number, inH: number, inW: number, depth: number, outH: number, outW: number,
    filterH: number, filterW: number, strideH: number, strideW: number, padH: number, padW: number, qmin: number, qmax: number, mode: number,
  ): number;
  /**
   * int8 AVERAGE_POOL_2D, as pool with averages rounded half away from zero (C's truncating division), `sums`: 64
   * bytes of staging; 0 when a window lies entirely outside the input, else 1.
   */
  averagePoolI8(
    x: number, out: number, batches: number, inH: number, inW: number, depth: number, outH: number, outW: number,
    filterH: number, filterW: number, strideH: number, strideW: number, padH: number, padW: number, qmin: number, qmax: number, sums: number,
  ): number;
  /** float32 RESIZE_BILINEAR (reference_ops::ResizeBilinear); axes as resizeBilinearI8's with the fraction a float32. */
  resizeBilinearF32(
    x: number, out: number, batches: number, inH: number, inW: number, depth: number, outH: number, outW: number, rows: number, cols: number,
  ): void;
  /** int8 RESIZE_BILINEAR (ResizeBilinearInteger); rows and cols: per output row (column) its lower and upper source index and 10-bit fraction, i32. */
  resizeBilinearI8(
    x: number, out: number, batches: number, inH: number, inW: number, depth: number, outH: number, outW: number, rows: number, cols: number,
  ): void;
  /** resizeBilinearI8 in int16 lanes, where that is exact; its own axes and shift (resize/kernel.ts int16Axes). */
  resizeBilinearI8Int16(
    x: number, out: number, batches: number, inH: number, inW: number, depth: number, outH: number, outW: number, rows: number, cols: number, shift: number,
  ): void;
  /**
   * widenI8 of src [batches][h][w][c] into a zeroed dst [batches][hp][wp][cp] from row padT, column padL; with c below cp
   * it reads up to 7 bytes past src's end.
   */
  widenPadded(
    src: number, batches: number, h: number, w: number, c: number, offset: number,
    dst: number, hp: number, wp: number, cp: number, padT: number, padL: number,
  ): void;
  /**
   * TFLM's int8 output step on `count` int32 sums, channel = index mod n (int32 bias, multiplier, shift arrays of n;
   * bias -1: the sums hold their bias already, as runPackedWindow's kernels start them from it);
   * `table`: requantizeTableBytes(n) bytes for the per-lane constants of the vector form, its first word 0 until the first
   * call builds them (a caller may keep the table across an operator's calls: requantizeTableFresh). The vector form may
   * read the 32 bytes past the sums (not written; the callers' regions follow the sums).
   */
  requantizeI8(
    acc: number, count: number, n: number, bias: number, mult: number, shift: number,
    outOffset: number, qmin: number, qmax: number, out: number, table: number,
  ): void;
}

let loaded: SimdKernels | undefined;
let relaxedLoaded = false;

/**
 * The module's bytes, or (`relaxed`) its relaxed-SIMD build, which simd() takes where the host validates it (Chromium
 * 114 on, Node 22 on; Node 20 behind --experimental-wasm-relaxed-simd): it converts in one instruction where every
 * input lies within int32, with the same results (an int8 model: 0.93-0.96 of its time).
 */
export function simdModuleBytes(relaxed: boolean): Uint8Array<ArrayBuffer> {
  // A loop, not Uint8Array.from with a callback per byte: that took a cold start ~3 ms.
  const text = atob(KERNELS_WASM_BASE64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return relaxed ? relaxedBuild(bytes) : bytes;
}

/** A copy of the module's bytes with the relaxed build's patch applied. */
function relaxedBuild(plain: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const bytes = plain.slice();
  for (let i = 0; i < KERNELS_RELAXED_PATCH.length; i += 2) bytes[KERNELS_RELAXED_PATCH[i]!] = KERNELS_RELAXED_PATCH[i + 1]!;
  return bytes;
}

export function simd(): SimdKernels {
  if (!loaded) {
    const plain = simdModuleBytes(false);
    const relaxed = relaxedBuild(plain);
    relaxedLoaded = WebAssembly.validate(relaxed);
    const bytes = relaxedLoaded ? relaxed : plain;
    loaded = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as unknown as SimdKernels;
    heap = heapViews(loaded.memory.buffer);
  }
  return loaded;
}

/** Which build of the module this process runs: 'relaxed-simd' where the host validates it, else 'simd'. */
export function simdBuild(): 'relaxed-simd' | 'simd' {
  simd();
  return relaxedLoaded ? 'relaxed-simd' : 'simd';
}

/**
 * Regions that outlive a call: an operator's filter packed once (conv-packed.ts)
 * instead of on every inference. Each owner (a kernel's prepared state) has
 * one region; scratch (simdReserve) starts above them all. Past KEPT_LIMIT
 * bytes every region is dropped and owners repack on their next call, so
 * interpreters that come and go (the proof, tests) cannot grow the memory
 * without bound.
 */
const KEPT_LIMIT = 64 << 20;
let kept = new WeakMap<object, number>();
let keptTop = 0;
/** Counts the changes of the kept regions: an address computed from them holds while it stays the same. */
let keptChanges = 0;

/** The address of `owner`'s region, if it has one now (no closure to make, as simdKept's `fill` is on every call). */
export const simdKeptAt = (owner: object): number | undefined => kept.get(owner);

/**
 * A number that changes whenever a region is added or every region dropped: the kept addresses and the start of
 * scratch (simdScratch) a caller computed stay valid while it does not.
 */
export const simdKeptChanges = (): number => keptChanges;

/** The address of `owner`'s region of `size` bytes, filled by `fill` when it is new (views taken before this call may be detached). */
export function simdKept(owner: object, size: number, fill: (at: number) => void): number {
  const known = kept.get(owner);
  if (known !== undefined) return known;
  if (keptTop > 0 && keptTop + size > KEPT_LIMIT) {
    kept = new WeakMap();
    keptTop = 0;
  }
  keptChanges++;
  const at = keptTop;
  keptTop += (size + 15) & ~15;
  growTo(keptTop);
  fill(at);
  kept.set(owner, at);
  return at;
}

function growTo(top: number): void {
  const missing = top - simdHeap().i8.length;
  if (missing <= 0) return;
  const memory = simd().memory;
  memory.grow(Math.ceil(missing / 65536));
  heap = heapViews(memory.buffer);
}

/**
 * Byte addresses for regions of the given byte sizes, 16-byte aligned, back to
 * back above the kept regions; grows the memory to hold them. Growing detaches earlier
 * views, so take views (simdI16, ...) only after the last reserve of a call.
 */
export function simdReserve<const T extends readonly number[]>(sizes: T): { -readonly [K in keyof T]: number } {
  let top = keptTop;
  const at: number[] = [];
  for (let i = 0; i < sizes.length; i++) {
    at.push(top);
    top += simdAligned(sizes[i]!);
  }
  growTo(top);
  return at as { -readonly [K in keyof T]: number };
}

/** `bytes` rounded up to the 16-byte alignment of simdReserve's regions. */
export const simdAligned = (bytes: number): number => (bytes + 15) & ~15;

/**
 * simdReserve of one region of `bytes` (the caller lays out its parts with simdAligned): no array made per call, which
 * costs a model of a few small operators more than their arithmetic.
 */
export function simdScratch(bytes: number): number {
  growTo(keptTop + bytes);
  return keptTop;
}

/**
 * The table requantizeI8 takes for `n` channels: a state word (16 bytes with its padding), then 6 vectors per block of 4
 * lanes of the lane period lcm(n, 8).
 */
export const requantizeTableBytes = (n: number): number => 16 + 24 * (n % 8 === 0 ? n : n % 4 === 0 ? 2 * n : n % 2 === 0 ? 4 * n : 8 * n);

/** Marks the table at `at` as not built yet (requantizeI8 builds it on its next call). */
export function requantizeTableFresh(at: number): void {
  simdI32(at, 1)[0] = 0;
}

export const simdI8 = (at: number, n: number): Int8Array => new Int8Array(simdHeap().buffer, at, n);
export const simdI16 = (at: number, n: number): Int16Array => new Int16Array(simdHeap().buffer, at, n);
export const simdI32 = (at: number, n: number): Int32Array => new Int32Array(simdHeap().buffer, at, n);
export const simdF32 = (at: number, n: number): Float32Array => new Float32Array(simdHeap().buffer, at, n);

interface HeapViews {
  buffer: ArrayBuffer;
  u8: Uint8Array;
  i8: Int8Array;
  i16: Int16Array;
  i32: Int32Array;
}

const heapViews = (buffer: ArrayBuffer): HeapViews => ({
  buffer,
  u8: new Uint8Array(buffer),
  i8: new Int8Array(buffer),
  i16: new Int16Array(buffer),
  i32: new Int32Array(buffer),
});

/** Views of the whole memory: only growTo grows it (the module never does), and it makes them again. */
let heap: HeapViews | undefined;

/**
 * Views of the whole memory: an operator's copies in and out and its clearing of scratch address them, where a view
 * per call (or reading the memory's buffer, ~20 ns) costs a small model more than its arithmetic.
 */
export function simdHeap(): HeapViews {
  if (!heap) simd();
  return heap!;
}

/** Copies `n` int8 values from the module at `at` into `out`. */
export function simdCopyOut(at: number, n: number, out: Int8Array): void {
  const h = simdHeap().i8;
  if (n <= 64) for (let i = 0; i < n; i++) out[i] = h[at + i]!;
  else out.set(h.subarray(at, at + n));
}

/** Copies the first `n` int8 values of `src` into the module at `at` (a short run element by element: a subarray costs more). */
export function simdCopyIn(src: Int8Array, n: number, at: number): void {
  const h = simdHeap().i8;
  if (n <= 64) for (let i = 0; i < n; i++) h[at + i] = src[i]!;
  else h.set(n === src.length ? src : src.subarray(0, n), at);
}

/**
 * channelClampF32 on `count` values at accAt (n channels per pixel, vecAt n float32: a float conv's bias, or float ADD's
 * operand; with `mul`, MUL's), into `out`.
 */
export function simdFloatOutput(accAt: number, count: number, n: number, vecAt: number, lo: number, hi: number, out: Float32Array, mul = false): void {
  simd().channelClampF32(accAt, count / n, n, vecAt, lo, hi, mul ? 1 : 0);
  out.set(simdF32(accAt, count));
}

/** Copies int8 values into the module as i16 with `offset` added (zero points), using `staging` (n bytes) for the int8 copy. */
export function simdWidenI8(src: Int8Array, offset: number, stagingAt: number, dstAt: number): void {
  simdI8(stagingAt, src.length).set(src);
  simd().widenI8(stagingAt, src.length, offset, dstAt);
}

/** Copies a [rows][columns] float32 matrix into the module as [columns][rows]: a filter [out channel][...] with the output channel innermost, one per lane. */
export function simdTransposedF32(w: Float32Array, rows: number, at: number): void {
  const columns = w.length / rows;
  const t = simdF32(at, w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) t[c * rows + r] = w[r * columns + c]!;
}
