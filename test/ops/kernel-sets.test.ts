// The kernel sets as data: a set without its own entry for an operator uses its
// fallback's, the ISA comes from the cpu, and a target's kernels resolve as
// --kernels > profile.kernels > by cpu.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { optimize } from '../../src/optimize/optimize.js';
import { CONCAT_CONV, decodeConcatConvOptions } from '../../src/ops/tinyseg/custom-ops.js';
import { concatConvReadsInPlace } from '../../src/ops/tinyseg/concat-conv-kernel.js';
import { paddingFor } from '../../src/ops/kernel.js';
import { repoRoot } from '../helpers/paths.js';
import { buildTinyUnet } from '../../src/graph/tiny-unet.js';
import { builtinTargetProfile, kernelsForTarget, parseTargetProfile } from '../../src/memory/target-profile.js';
import {
  defaultKernelSetForCpu,
  initBytes,
  isaOfCpu,
  KERNEL_SET_SPECS,
  KERNEL_SETS,
  kernelsFor,
  kernelsLabel,
  OP_RECORDS,
  prepareBytes,
  REFERENCE_KERNELS,
  scratchKnown,
  scratchRequests,
} from '../../src/ops/registry.js';
import { planTflmArena } from '../../src/tflm/arena.js';


describe('kernel sets', () => {
  it('every set falls back to a known set, and the chain ends', () => {
    for (const set of KERNEL_SETS) {
      const seen = new Set<string>();
      for (let s: (typeof KERNEL_SETS)[number] | null = set; s !== null; s = KERNEL_SET_SPECS[s].fallback) {
        expect(seen.has(s)).toBe(false);
        seen.add(s);
      }
    }
  });

  it("TinySegConcatConv asks for CMSIS-NN's conv buffer after its window under cmsis-nn (int8), as its kernel does", () => {
    const example = new Uint8Array(readFileSync(join(repoRoot, 'examples/models/tiny-unet-80x120.tflite')));
    // The plan with band chains: its decoder conv reads a virtual concatenation (streamed layers have none). The
    // reference kernels' plan: under CMSIS-NN a conv in place now pays more there, and the rules are the same op's.
    const { graph } = optimize(example, { file: 'tiny-unet-80x120.tflite', verify: false, streamLayers: false });
    const op = graph.main.ops.find((o) => o.customCode === CONCAT_CONV)!;
    // 3x3 filter over 32 channels (two 16-channel parts), 60 wide: a 3-row window, and 4 x 288 (dsp, none) or
    // 64 x 18 (mve) bytes.
    expect(graph.main.tensors[op.inputs[0]!]!.shape).toEqual([16, 3, 3, 32]);
    expect(scratchRequests(op, graph.main.tensors, REFERENCE_KERNELS)).toEqual([3 * 60 * 32]);
    for (const isa of ['dsp', 'none', 'mve'] as const) expect(scratchRequests(op, graph.main.tensors, kernelsFor('cmsis-nn', isa))).toEqual([3 * 60 * 32, 1152]);
    expect(initBytes(op, kernelsFor('cmsis-nn'))).toBe(initBytes(op, REFERENCE_KERNELS));
  });

  it("an int8 TinySegConcatConv band reads its layer's multipliers from a constant input; the whole operator keeps them", () => {
    const example = new Uint8Array(readFileSync(join(repoRoot, 'examples/models/tiny-unet-80x120.tflite')));
    const { graph } = optimize(example, { file: 'tiny-unet-80x120.tflite', verify: false });
    const bands = graph.main.ops.filter((o) => o.customCode === CONCAT_CONV && decodeConcatConvOptions(o.customOptions).firstRow !== undefined);
    expect(bands.length).toBeGreaterThan(0);
    for (const op of bands) {
      const [outC, kh, kw, inC] = graph.main.tensors[op.inputs[0]!]!.shape as number[];
      const o = decodeConcatConvOptions(op.customOptions);
      const width = o.width ?? graph.main.tensors[op.inputs[2]!]!.shape[2]!;
      expect(prepareBytes(op, graph.main.tensors)).toEqual([]);
      // The window of a band that stages its rows (one that writes its rows to the region: the input rows of a chunk
      // of them), then, for the latter, a chunk of output rows.
      const span = (kh! - 1) * o.dilationH + 1;
      const height = o.height ?? graph.main.tensors[op.inputs[2]!]!.shape[1]!;
      // Chunk [r0, r0 + n) reads input rows [max(0, origin), min(H, origin + (n - 1) x stride + span)).
      const pad = paddingFor(o.padding, height, kh!, o.strideH, o.dilationH).pad;
      const outH = o.out ? o.out.bytes / (paddingFor(o.padding, width, kw!, o.strideW, o.dilationW).out * outC!) : 0;
      let rows = span;
      if (o.out) {
        rows = 0;
        for (let r0 = 0; r0 < outH; r0 += o.out.chunk) {
          const origin = (o.firstRow! + r0) * o.strideH - pad;
          rows = Math.max(rows, Math.min(height, origin + (Math.min(o.out.chunk, outH - r0) - 1) * o.strideH + span) - Math.max(0, origin));
        }
      }
      const window = concatConvReadsInPlace(o) ? [] : [rows * width * inC!];
      const outW = paddingFor(o.padding, width, kw!, o.strideW, o.dilationW).out;
      expect(scratchRequests(op, graph.main.tensors)).toEqual(o.out ? [...window, o.out.chunk * outW * outC!] : window);
      const m = graph.main.tensors[op.inputs[o.multipliers!]!]!;
      expect([m.kind, m.dtype, m.shape]).toEqual(['constant', 'int32', [2, outC]]);
    }
    // One per layer, which its bands share.
    const layers = new Set(bands.map((op) => op.inputs[0]));
    expect(new Set(bands.map((op) => op.inputs[decodeConcatConvOptions(op.customOptions).multipliers!])).size).toBe(layers.size);
    const whole = optimize(example, { file: 'tiny-unet-80x120.tflite', verify: false, streamLayers: false }).graph;
    const op = whole.main.ops.find((o) => o.customCode === CONCAT_CONV)!;
    expect(decodeConcatConvOptions(op.customOptions).firstRow).toBeUndefined();
    expect(prepareBytes(op, whole.main.tensors)).toEqual([4 * 16, 4 * 16]);
    expect(scratchRequests(op, whole.main.tensors)).toEqual([3 * 60 * 32]);
  });

  it("TinySeg's other operators and the operators CMSIS-NN has no kernel of allocate as the reference kernels", () => {
    const cmsis = kernelsFor('cmsis-nn');
    const g = buildTinyUnet();
    for (const op of g.main.ops) {
      if (op.customCode === CONCAT_CONV || (op.opcode !== 'CUSTOM' && OP_RECORDS.find((r) => r.key === op.opcode)?.memory['cmsis-nn'])) continue;
      expect(scratchKnown(op, cmsis)).toBe(scratchKnown(op, REFERENCE_KERNELS));
      expect(scratchRequests(op, g.main.tensors, cmsis)).toEqual(scratchRequests(op, g.main.tensors, REFERENCE_KERNELS));
      expect(initBytes(op, cmsis)).toBe(initBytes(op, REFERENCE_KERNELS));
      expect(prepareBytes(op, g.main.tensors, cmsis)).toEqual(prepareBytes(op, g.main.tensors, REFERENCE_KERNELS));
    }
  });

  it('the reference figures do not depend on the ISA', () => {
    const g = buildTinyUnet();
    const totals = (['dsp', 'mve', 'none'] as const).map((isa) => planTflmArena(g, kernelsFor('reference', isa)).total);
    expect(new Set(totals).size).toBe(1);
    expect(planTflmArena(g, kernelsFor('cmsis-nn')).kernels.set).toBe('cmsis-nn');
  });

  it('reads the ISA off the cpu', () => {
    expect(['cortex-m4', 'cortex-m7', 'cortex-m33'].map(isaOfCpu)).toEqual(['dsp', 'dsp', 'dsp']);
    expect(['cortex-m55', 'cortex-m85'].map(isaOfCpu)).toEqual(['mve', 'mve']);
    expect(['cortex-m0', 'cortex-m0plus', 'cortex-m3', 'cortex-m23', 'cortex-m33+nodsp'].map(isaOfCpu)).toEqual(['none', 'none', 'none', 'none', 'none']);
    expect(isaOfCpu('esp32s3')).toBeUndefined();
    expect(defaultKernelSetForCpu('cortex-m4')).toBe('cmsis-nn');
    expect(defaultKernelSetForCpu('cortex-m55')).toBe('cmsis-nn');
    expect(defaultKernelSetForCpu('cortex-m0plus')).toBe('reference');
    expect(defaultKernelSetForCpu('esp32s3')).toBe('reference');
    expect(kernelsLabel(REFERENCE_KERNELS)).toBe('reference kernels');
    expect(kernelsLabel(kernelsFor('cmsis-nn', 'mve'))).toBe('CMSIS-NN kernels, mve');
  });

  it('resolves a target: the flag, then the profile, then the cpu', () => {
    const an386 = builtinTargetProfile('mps2-an386')!;
    expect(kernelsForTarget(undefined)).toEqual({ set: 'reference', isa: 'dsp' });
    expect(kernelsForTarget(an386)).toEqual({ set: 'cmsis-nn', isa: 'dsp' });
    expect(kernelsForTarget(an386, 'reference')).toEqual({ set: 'reference', isa: 'dsp' });
    const m55 = parseTargetProfile({ name: 'm55', cpu: 'cortex-m55', kernels: 'reference', sram: { size: 1 << 20 } }, 'm55.json');
    expect(kernelsForTarget(m55)).toEqual({ set: 'reference', isa: 'mve' });
    expect(kernelsForTarget({ ...m55, kernels: undefined } as never)).toEqual({ set: 'cmsis-nn', isa: 'mve' });
    expect(() => parseTargetProfile({ name: 'x', cpu: 'cortex-m4', kernels: 'esp-nn', sram: { size: 1024 } }, 'x.json')).toThrow(/'kernels' must be one of/);
  });
});
