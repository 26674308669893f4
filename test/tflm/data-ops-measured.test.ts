// The data movement and reduction kernels against real TFLM: the single-op
// models of test/helpers/data-op-fixtures.ts (saveGraph'd) run in
// bench/tflm-m4's firmware under QEMU (mps2-an386, hard-float Cortex-M4) with
// TFLM 90b983c's reference kernels, fed the oracle input. `used` is
// arena_used_bytes() after AllocateTensors(); `minArena` the firmware's
// smallest arena that allocates, where its search finished (it stops at a
// failing Prepare that leaves temps allocated); `crc32` the CRC-32 of each
// output. TinySeg's arena model and interpreter must give the same.

import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runModel } from '../../src/interpreter/interpreter.js';
import { deterministicInput } from '../../src/interpreter/oracle-input.js';
import { REFERENCE_KERNELS } from '../../src/ops/registry.js';
import { minimalArena } from '../../src/tflm/allocate-tensors.js';
import { planTflmArena } from '../../src/tflm/arena.js';
import { DATA_OP_FIXTURES } from '../helpers/data-op-fixtures.js';

interface Measured {
  used: number;
  minArena?: number;
  crc32: string[];
}

const MEASURED: Record<string, Measured> = {
  cumsum_i8: { used: 436, crc32: ['2b2848f4'] },
  cumsum_f: { used: 576, crc32: ['450e1b99'] },
  sum_i8: { used: 580, crc32: ['35d801d5'] },
  sum_i16: { used: 532, crc32: ['231d5211'] },
  sum_f: { used: 848, crc32: ['f064c1d8'] },
  mean_i8: { used: 564, crc32: ['6ba3ef86'] },
  max_i8: { used: 500, crc32: ['4f9883d4'] },
  min_f: { used: 656, crc32: ['3b6ce5f4'] },
  argmax_f: { used: 784, crc32: ['17a8f906'] },
  argmin_i8: { used: 512, crc32: ['dec22810'] },
  l2pool: { used: 1360, crc32: ['305b10af'] },
  s2b_i8: { used: 500, crc32: ['e143d493'] },
  b2s_f: { used: 800, crc32: ['c5ec7894'] },
  embed_hybrid: { used: 496, crc32: ['8cd10ddb'] },
  mirror_i8: { used: 548, minArena: 704, crc32: ['0fb22ddc'] },
  gather_i8: { used: 484, crc32: ['6cd5c518'] },
  gathernd_f: { used: 608, crc32: ['81fb3051'] },
  s2d_i8: { used: 516, crc32: ['d1ce8849'] },
  reverse_i16: { used: 580, crc32: ['514b7154'] },
  slice_i16: { used: 500, crc32: ['2b41c964'] },
  pack_i8: { used: 436, minArena: 560, crc32: ['0149db8f'] },
  unpack_f: { used: 560, crc32: ['3cfefcb8', '4dae32b0', '0c308da3'] },
  bcast_to_i8: { used: 388, crc32: ['144a5ecf'] },
  dus_i16: { used: 436, crc32: ['73540a0d'] },
  fill_f: { used: 336, crc32: ['149ea2fb'] },
  shape: { used: 352, crc32: ['2ebfaf21'] },
  pad_i16: { used: 436, crc32: ['aabe7b0a'] },
  mean_f_tiny: { used: 416, minArena: 736, crc32: ['de7228f4'] },
  mean_i8_tiny: { used: 468, minArena: 816, crc32: ['53a59a1c'] },
  mean_i16_tiny: { used: 468, crc32: ['12a30757'] },
  sum_f_tiny: { used: 416, minArena: 736, crc32: ['8c4694f1'] },
  max_f_tiny: { used: 416, crc32: ['e1a238bd'] },
  max_i8_tiny: { used: 452, crc32: ['e0fe38a7'] },
  all_tiny: { used: 368, minArena: 704, crc32: ['58c223be'] },
  split_tiny: { used: 440, crc32: ['52cfe0f3', 'e0fe38a7'] },
  expand_tiny: { used: 356, minArena: 512, crc32: ['7f653a6e'] },
  cumsum_f_tiny: { used: 320, crc32: ['b61d02f8'] },
  l2_tiny: { used: 384, minArena: 544, crc32: ['1f1dee2f'] },
  embed_tiny: { used: 384, minArena: 544, crc32: ['e2fdf117'] },
  concat_i16: { used: 404, crc32: ['99878df3'] },
  argmax_tiny: { used: 336, minArena: 512, crc32: ['8b4d1797'] },
};

describe('the fixtures are the measured ones', () => {
  it('every fixture has measurements', () => {
    expect(Object.keys(MEASURED).sort()).toEqual(Object.keys(DATA_OP_FIXTURES).sort());
  });
});

describe.each(Object.entries(MEASURED))('%s', (name, m) => {
  const graph = DATA_OP_FIXTURES[name]!();

  it('planTflmArena gives arena_used_bytes, every allocation modelled', () => {
    const arena = planTflmArena(graph, REFERENCE_KERNELS);
    expect(arena.total).toBe(m.used);
    expect(arena.unknownScratchOps).toEqual([]);
    expect(arena.tail.unknownOps).toEqual([]);
  });

  it.runIf(m.minArena !== undefined)('minimalArena gives the smallest arena that allocates', () => {
    const min = minimalArena(graph, REFERENCE_KERNELS);
    expect(min.unknownTempOps).toBe(0);
    expect(min.bytes).toBe(m.minArena);
  });

  it("the interpreter's outputs on the oracle input are TFLM's", () => {
    const sg = graph.main;
    const outs = runModel(
      graph,
      sg.inputs.map((t) => deterministicInput(sg.tensors[t]!)),
    );
    expect(outs.map((o) => crc32(o).toString(16).padStart(8, '0'))).toEqual(m.crc32);
  });
});
