// The kernels' typed views of tensor data (kernel.ts i8, u8, i16, i32, f32): made once per tensor and kept, and never
// the view of other bytes than the tensor data's own, even when a kernel copies the data object with other bytes
// (`{ ...d, bytes }`, as TinySegConvInPlace hands its inner conv a band of rows).

import { describe, expect, it } from 'vitest';
import type { Tensor } from '../../src/graph/graph.js';
import { f32, i16, i8, typedViews, u8, type TensorData } from '../../src/ops/kernel.js';

const tensor = {} as Tensor;

describe('typed views of tensor data', () => {
  it('keeps one view per kind for data with its own set, and one per bytes for data without', () => {
    const bytes = new Uint8Array(16);
    const own: TensorData = { tensor, bytes, views: typedViews(bytes) };
    expect(i8(own)).toBe(i8(own));
    expect(i16(own)).toBe(i16(own));
    expect(i16(own).length).toBe(8);
    expect(u8(own)).not.toBe(i8(own) as unknown);
    const bare: TensorData = { tensor, bytes: bytes.subarray(4) };
    expect(f32(bare)).toBe(f32({ tensor, bytes: bare.bytes }));
    expect(f32(bare).length).toBe(3);
  });

  it('views the copy\'s bytes, not the ones the copied set was made for', () => {
    const arena = new Uint8Array(64);
    const whole = arena.subarray(16, 48);
    const d: TensorData = { tensor, bytes: whole, views: typedViews(whole) };
    i8(d)[0] = 5;
    const band: TensorData = { ...d, bytes: arena.subarray(32, 40) };
    const v = i8(band);
    expect(v.length).toBe(8);
    expect(v.byteOffset).toBe(32);
    v[0] = 7;
    expect(arena[32]).toBe(7);
    expect(i8(d)[0]).toBe(5);
    expect(i8(d).length).toBe(32);
  });
});
