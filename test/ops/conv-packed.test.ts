// The packed int8 convs (packed.wat convPacked: output pixels four at a time
// in raster order, a group spanning rows and batches; depthwisePacked: four
// pixels per filter load, grouped the same way, even and odd channels summed apart;
// depthwisePacked4: up to 4 channels, two pixels in one vector; pointwiseFew:
// 1x1 to 1 or 2 channels, pixels across lanes; the output
// step run in the kernel, or left to requantizeI8 where it has no float form)
// against the same op with its filter fed at run time, which takes the
// interpreter's other int8 paths (kernels.wat convDense / depthwiseDense, or
// the JavaScript loops): seeded random geometries, bytes equal.

import { describe, expect, it } from 'vitest';
import { PADDING } from '../../src/ops/kernel.js';
import { runOp, type OpCase } from '../helpers/op-harness.js';

/** mulberry32 */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seeded random conv window: its geometry and int8 data maker; `channels` picks the input and output channel counts. */
function randomWindow(
  seed: number, maxBatches: number, channels: (pick: (lo: number, hi: number) => number, r: () => number) => [number, number], maxK = 3,
  filterScale: (r: () => number) => number = (r) => 0.002 + 0.01 * r(),
) {
  const r = random(seed);
  const pick = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const batches = pick(1, maxBatches);
  const inH = pick(1, 7);
  const inW = pick(1, 9);
  const [inC, outC] = channels(pick, r);
  const kH = pick(1, Math.min(maxK, inH));
  const kW = pick(1, Math.min(maxK, inW));
  const stride = pick(1, 2);
  const dilationW = kW > 1 && inW >= 2 * kW - 1 && r() < 0.3 ? 2 : 1;
  const dilationH = kH > 1 && inH >= 2 * kH - 1 && r() < 0.3 ? 2 : 1;
  const same = r() < 0.5;
  const span = (size: number, k: number, d: number) => (same ? Math.ceil(size / stride) : Math.floor((size - ((k - 1) * d + 1)) / stride) + 1);
  const int8 = (n: number) => Array.from({ length: n }, () => pick(-128, 127));
  const input = { dtype: 'int8' as const, shape: [batches, inH, inW, inC], data: int8(batches * inH * inW * inC), q: [0.05, pick(-20, 20)] as [number, number] };
  const scales = () => Array.from({ length: outC }, () => filterScale(r));
  const bias = () => ({ dtype: 'int32' as const, shape: [outC], data: Array.from({ length: outC }, () => pick(-2000, 2000)), constant: true });
  const output = () => ({ dtype: 'int8' as const, shape: [batches, span(inH, kH, dilationH), span(inW, kW, dilationW), outC], q: [0.1, pick(-10, 10)] as [number, number] });
  const window = { padding: same ? PADDING.SAME : PADDING.VALID, strideH: stride, strideW: stride, dilationHFactor: dilationH, dilationWFactor: dilationW };
  return { inC, outC, kH, kW, int8, input, scales, bias, output, window };
}

/**
 * Filter scales of which about half make the channel's output multiplier shift left or right by less than 3 (input
 * scale 0.05, output 0.1): the output step's exact form only, so the kernels leave the sums to requantizeI8.
 */
const exactOnlyScales = (r: () => number): number => (r() < 0.5 ? 0.3 + 3.7 * r() : 0.002 + 0.01 * r());

function convCase(
  seed: number, constantFilter: boolean, inChannels: readonly number[] | null = null, maxK = 3, maxOutC = 19, filterScale?: (r: () => number) => number,
): OpCase {
  const w = randomWindow(seed, 3, (pick) => [inChannels ? inChannels[pick(0, inChannels.length - 1)]! : pick(1, 11), pick(1, maxOutC)], maxK, filterScale);
  return {
    opcode: 'CONV_2D',
    inputs: [
      w.input,
      {
        dtype: 'int8',
        shape: [w.outC, w.kH, w.kW, w.inC],
        data: w.int8(w.outC * w.kH * w.kW * w.inC),
        constant: constantFilter,
        quantization: { scale: w.scales(), zeroPoint: new Array<number>(w.outC).fill(0), quantizedDimension: 0 },
      },
      w.bias(),
    ],
    outputs: [w.output()],
    options: { type: 'Conv2DOptions', value: w.window },
  };
}

function depthwiseCase(
  seed: number, constantFilter: boolean, maxInC = 21, multipliers: [number, number] | null = null, maxK = 3, filterScale?: (r: () => number) => number,
): OpCase {
  let multiplier = 1;
  const w = randomWindow(seed, 2, (pick, r) => {
    const inC = pick(1, maxInC);
    multiplier = multipliers ? pick(...multipliers) : r() < 0.2 ? 2 : 1;
    return [inC, inC * multiplier];
  }, maxK, filterScale);
  return {
    opcode: 'DEPTHWISE_CONV_2D',
    inputs: [
      w.input,
      {
        dtype: 'int8',
        shape: [1, w.kH, w.kW, w.outC],
        data: w.int8(w.kH * w.kW * w.outC),
        constant: constantFilter,
        quantization: { scale: w.scales(), zeroPoint: new Array<number>(w.outC).fill(0), quantizedDimension: 3 },
      },
      w.bias(),
    ],
    outputs: [w.output()],
    options: { type: 'DepthwiseConv2DOptions', value: { ...w.window, depthMultiplier: multiplier } },
  };
}

describe('packed int8 depthwise conv', () => {
  it('computes the bytes of the unpacked paths on 80 random geometries (odd widths, channels not a multiple of 8, multipliers)', () => {
    for (let seed = 1; seed <= 80; seed++) {
      const packed = runOp(depthwiseCase(seed, true));
      const other = runOp(depthwiseCase(seed, false));
      expect(packed, `seed ${seed}`).toEqual(other);
    }
  });

  it('with one input channel and a multiplier of 3 to 12 (a conv whose pairs run along the filter row) on 60 random geometries', () => {
    for (let seed = 201; seed <= 260; seed++) {
      const packed = runOp(depthwiseCase(seed, true, 1, [3, 12], 5));
      const other = runOp(depthwiseCase(seed, false, 1, [3, 12], 5));
      expect(packed, `seed ${seed}`).toEqual(other);
    }
  });

  it('with channels whose output step has no float form (left shifts, right shifts below 3) on 40 random geometries', () => {
    for (let seed = 601; seed <= 640; seed++) {
      const packed = runOp(depthwiseCase(seed, true, 21, null, 3, exactOnlyScales));
      const other = runOp(depthwiseCase(seed, false, 21, null, 3, exactOnlyScales));
      expect(packed, `seed ${seed}`).toEqual(other);
    }
  });

  it('with at most 4 channels (two pixels per vector at stride 1) on 60 random geometries', () => {
    for (let seed = 101; seed <= 160; seed++) {
      const packed = runOp(depthwiseCase(seed, true, 2));
      const other = runOp(depthwiseCase(seed, false, 2));
      expect(packed, `seed ${seed}`).toEqual(other);
    }
  });
});

describe('packed int8 conv', () => {
  it('computes the bytes of the unpacked paths on 60 random geometries (groups of four pixels across rows and batches)', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const packed = runOp(convCase(seed, true));
      const other = runOp(convCase(seed, false));
      expect(packed, `seed ${seed}`).toEqual(other);
    }
  });

  it('with channels whose output step has no float form (left shifts, right shifts below 3) on 40 random geometries', () => {
    for (let seed = 701; seed <= 740; seed++) {
      const packed = runOp(convCase(seed, true, null, 3, 19, exactOnlyScales));
      const other = runOp(convCase(seed, false, null, 3, 19, exactOnlyScales));
      expect(packed, `seed ${seed}`).toEqual(other);
    }
  });

  it('1x1 with at most 4 output channels (pointwiseNarrow at stride 1: eight pixels per filter load; pointwiseFew for 1 or 2, pixels across lanes) on 60 random geometries', () => {
    for (let seed = 401; seed <= 460; seed++) {
      const packed = runOp(convCase(seed, true, [1, 2, 3, 4, 5, 8, 13, 16, 17, 24], 1, 4));
      const other = runOp(convCase(seed, false, [1, 2, 3, 4, 5, 8, 13, 16, 17, 24], 1, 4));
      expect(packed, `seed ${seed}`).toEqual(other);
    }
  });

  it('1x1 with 1 or 2 output channels whose output step has no float form (pointwiseFew writes the sums) on 40 random geometries', () => {
    for (let seed = 461; seed <= 500; seed++) {
      const packed = runOp(convCase(seed, true, [1, 2, 5, 8, 13, 16, 17], 1, 2, exactOnlyScales));
      const other = runOp(convCase(seed, false, [1, 2, 5, 8, 13, 16, 17], 1, 2, exactOnlyScales));
      expect(packed, `seed ${seed}`).toEqual(other);
    }
  });

  it('with 1, 3 or 5 input channels and filters up to 5 wide (runs of odd length: pairs straddle pixels) on 60 random geometries', () => {
    for (let seed = 301; seed <= 360; seed++) {
      const packed = runOp(convCase(seed, true, [1, 3, 5], 5));
      const other = runOp(convCase(seed, false, [1, 3, 5], 5));
      expect(packed, `seed ${seed}`).toEqual(other);
    }
  });
});

/** A float32 CONV_2D on randomWindow's geometry: values over six orders of magnitude, so that the order of the sums shows. */
function floatConvCase(seed: number, constantFilter: boolean, infiniteWeight = false): OpCase {
  const w = randomWindow(seed, 3, (pick) => [pick(1, 11), pick(1, 19)], 4);
  const r = random(seed + 1000);
  const float = (n: number) => Array.from({ length: n }, () => (r() - 0.5) * 10 ** Math.floor(r() * 6 - 3));
  const filter = float(w.outC * w.kH * w.kW * w.inC);
  if (infiniteWeight) filter[Math.floor(r() * filter.length)] = Infinity;
  const activation = Math.floor(r() * 3) * 1; // NONE, RELU, RELU_N1_TO_1
  return {
    opcode: 'CONV_2D',
    inputs: [
      { dtype: 'float32', shape: w.input.shape, data: float(w.input.data.length) },
      { dtype: 'float32', shape: [w.outC, w.kH, w.kW, w.inC], data: filter, constant: constantFilter },
      { dtype: 'float32', shape: [w.outC], data: float(w.outC), constant: true },
    ],
    outputs: [{ dtype: 'float32', shape: w.output().shape }],
    options: { type: 'Conv2DOptions', value: { ...w.window, fusedActivationFunction: activation } },
  };
}

describe('packed float32 conv', () => {
  it('computes the values of the unpacked paths (reference order) on 60 random geometries, and with an infinite weight keeps them', () => {
    for (let seed = 501; seed <= 560; seed++) {
      const packed = runOp(floatConvCase(seed, true));
      const other = runOp(floatConvCase(seed, false));
      expect(packed, `seed ${seed}`).toEqual(other);
    }
    for (let seed = 561; seed <= 565; seed++) expect(runOp(floatConvCase(seed, true, true)), `seed ${seed}`).toEqual(runOp(floatConvCase(seed, false, true)));
  });
});
