// The 8-bit element-wise kernels' table lookups (binary.ts: a table of byte
// pairs, unary.ts: of bytes), in the SIMD module for long operands: the
// table is kept there (simdKept, keyed by the table itself, which kernels
// share per parameter set), the operands are copied in and the results out.
// Short ones stay in JavaScript, where the copies would cost more than they save.

import { simd, simdHeap, simdKept, simdReserve } from './simd.js';

/** Elements below which the lookup runs on typed arrays. */
const IN_MODULE_FROM = 4096;

const bytesAt = (at: number, n: number): Uint8Array => new Uint8Array(simdHeap().buffer, at, n);

function keptTable(table: Int8Array | Uint8Array): number {
  return simdKept(table, table.length, (at) => bytesAt(at, table.length).set(new Uint8Array(table.buffer, table.byteOffset, table.length)));
}

/** o[i] = table[(a[i] << 8) | b[i]] for i < n, on raw bytes. */
export function lookupPairs(o: Uint8Array, a: Uint8Array, b: Uint8Array, table: Int8Array | Uint8Array, n: number): void {
  if (n < IN_MODULE_FROM) {
    const t = new Uint8Array(table.buffer, table.byteOffset, table.length);
    for (let i = 0; i < n; i++) o[i] = t[(a[i]! << 8) | b[i]!]!;
    return;
  }
  const tableAt = keptTable(table);
  const [aAt, bAt, outAt] = simdReserve([n, n, n]);
  bytesAt(aAt, n).set(a.subarray(0, n));
  bytesAt(bAt, n).set(b.subarray(0, n));
  simd().lookupPairs(aAt, bAt, n, tableAt, outAt);
  o.set(bytesAt(outAt, n));
}

/** o[i] = table[x[i]] for i < n, on raw bytes (a 256-entry table). */
export function lookupBytes(o: Uint8Array, x: Uint8Array, table: Int8Array | Uint8Array, n: number): void {
  if (n < IN_MODULE_FROM) {
    const t = new Uint8Array(table.buffer, table.byteOffset, 256);
    for (let i = 0; i < n; i++) o[i] = t[x[i]!]!;
    return;
  }
  // A table that only flips bits (an int8 <-> uint8 QUANTIZE of one scale flips the top bit) is an XOR, 16 bytes a
  // step instead of a lookup each (mnv3-unet's input and output QUANTIZE alone: 117 and 78 -> 15 and 10 us). A kept table
  // comes first: scratch starts above the kept regions.
  const c = xorConstant(table);
  const tableAt = c < 0 ? keptTable(table) : 0;
  // 16 bytes past both: xorBytes works in whole vectors.
  const [xAt, outAt] = simdReserve([n + 16, n + 16]);
  bytesAt(xAt, n).set(x.subarray(0, n));
  if (c >= 0) simd().xorBytes(xAt, n, c, outAt);
  else simd().lookupBytes(xAt, n, tableAt, outAt);
  o.set(bytesAt(outAt, n));
}

/** c when table[i] = i ^ c for every byte i, else -1; found once per table. */
const xorConstants = new WeakMap<object, number>();

function xorConstant(table: Int8Array | Uint8Array): number {
  let c = xorConstants.get(table);
  if (c === undefined) {
    const t = new Uint8Array(table.buffer, table.byteOffset, 256);
    c = t[0]!;
    for (let i = 1; i < 256; i++) {
      if (t[i] !== (i ^ c)) {
        c = -1;
        break;
      }
    }
    xorConstants.set(table, c);
  }
  return c;
}
