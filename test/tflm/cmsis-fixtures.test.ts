// arena_used_bytes() of the fixtures of test/helpers/cmsis-fixtures.ts as real
// TFLM reported it: measured with TFLM 90b983c (reference kernels) and TFLM
// 90b983c + CMSIS-NN 4ab83cc (cmsis_nn kernels), hard-float Cortex-M4 builds,
// in bench/tflm-m4's firmware under QEMU (mps2-an386), the models written with
// saveGraph. `minArena` is the firmware's smallest arena that allocates, where
// its search finished. TinySeg's prediction for a DSP core must equal them.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { saveGraph } from '../../src/graph/graph.js';
import { kernelsFor, type KernelSet } from '../../src/ops/registry.js';
import { planTflmArena } from '../../src/tflm/arena.js';
import { minimalArena } from '../../src/tflm/allocate-tensors.js';
import { CMSIS_FIXTURES } from '../helpers/cmsis-fixtures.js';
import { inProcessCli } from '../helpers/cli.js';

interface Measured {
  used: number;
  minArena?: number;
}

const MEASURED: Record<string, Record<KernelSet, Measured>> = {
  'svdf-int8': { reference: { used: 708 }, 'cmsis-nn': { used: 708 } },
  'svdf-f32': { reference: { used: 832 }, 'cmsis-nn': { used: 832 } },
  'lstm-f32': { reference: { used: 1744 }, 'cmsis-nn': { used: 1968 } },
  'lstm-int8': { reference: { used: 1476 }, 'cmsis-nn': { used: 1924 } },
  'lstm-int16': { reference: { used: 1556 }, 'cmsis-nn': { used: 2132 } },
  'bmm-int8': { reference: { used: 564 }, 'cmsis-nn': { used: 580 } },
  'bmm-int8-adj': { reference: { used: 548 }, 'cmsis-nn': { used: 564 } },
  'bmm-f32': { reference: { used: 816, minArena: 816 }, 'cmsis-nn': { used: 832, minArena: 832 } },
  'conv-mix-int8': { reference: { used: 2212, minArena: 2320 }, 'cmsis-nn': { used: 2340, minArena: 2576 } },
  'fc-mix-int8': { reference: { used: 692, minArena: 992 }, 'cmsis-nn': { used: 772 } },
  'tconv-mix-int8': { reference: { used: 5012, minArena: 5024 }, 'cmsis-nn': { used: 3924, minArena: 3936 } },
  'tconv-int16': { reference: { used: 2084, minArena: 2096 }, 'cmsis-nn': { used: 2084, minArena: 2096 } },
};

const cases = Object.entries(MEASURED).flatMap(([name, sets]) => Object.entries(sets).map(([set, m]) => [name, set as KernelSet, m] as const));

const { scratch, tinyseg } = inProcessCli('tinyseg-fixtures-');

describe('the fixtures are the measured ones', () => {
  it('every fixture has measurements', () => {
    expect(Object.keys(MEASURED).sort()).toEqual(Object.keys(CMSIS_FIXTURES).sort());
  });
});

describe.each(cases)('%s with %s kernels', (name, set, m) => {
  const graph = CMSIS_FIXTURES[name]!();

  it('planTflmArena on a DSP core gives arena_used_bytes, every allocation modelled', () => {
    const arena = planTflmArena(graph, kernelsFor(set, 'dsp'));
    expect(arena.total).toBe(m.used);
    expect(arena.unknownScratchOps).toEqual([]);
    expect(arena.tail.unknownOps).toEqual([]);
  });

  it.runIf(m.minArena !== undefined)('minimalArena gives the smallest arena that allocates', () => {
    const min = minimalArena(graph, kernelsFor(set, 'dsp'));
    expect(min.unknownTempOps).toBe(0);
    expect(min.bytes).toBe(m.minArena);
  });

  it('tinyseg report --json prints it', async () => {
    const path = join(scratch, `${name}-${set}.tflite`);
    writeFileSync(path, saveGraph(graph));
    const r = await tinyseg('report', path, '--kernels', set, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).arena.total).toBe(m.used);
  });
});

// The same fixtures with TFLM 90b983c + CMSIS-NN 4ab83cc built for other cores
// (-O2, KERNELS_OPTIMIZED_FOR_SPEED as TFLM's Makefile defines it), cmsis_nn
// kernels, in bench/tflm-m4's firmware on the matching QEMU board
// (docs/firmware-measure.md, "Other boards"): CMSIS-NN's buffers follow the ISA.
// Where a failing probe ends the program rather than faulting (LSTM int8/int16, the
// fully connected mix: the firmware stops after a failed check) there is no minArena.
const MEASURED_ON_CORE: Record<'mve' | 'none', Record<string, Measured>> = {
  // mps3-an547, -mcpu=cortex-m55 -mthumb -mfloat-abi=hard (MVE). minArena: the search from arena_used_bytes().
  mve: {
    'svdf-int8': { used: 740, minArena: 992 },
    'svdf-f32': { used: 832, minArena: 1024 },
    'lstm-f32': { used: 1968, minArena: 2336 },
    'lstm-int8': { used: 1924 },
    'lstm-int16': { used: 2132 },
    'bmm-int8': { used: 612, minArena: 768 },
    'bmm-int8-adj': { used: 596, minArena: 752 },
    'bmm-f32': { used: 832, minArena: 832 },
    'conv-mix-int8': { used: 6692, minArena: 6704 },
    'fc-mix-int8': { used: 804 },
    'tconv-mix-int8': { used: 3924, minArena: 3936 },
    'tconv-int16': { used: 2084, minArena: 2096 },
  },
  // mps2-an385, -mcpu=cortex-m3 -mthumb -mfloat-abi=soft (no DSP: CMSIS-NN's plain C). minArena: the search from arena_used_bytes().
  none: {
    'svdf-int8': { used: 708, minArena: 960 },
    'svdf-f32': { used: 832, minArena: 1024 },
    'lstm-f32': { used: 1968, minArena: 2336 },
    'lstm-int8': { used: 1924 },
    'lstm-int16': { used: 2132 },
    'bmm-int8': { used: 580, minArena: 672 },
    'bmm-int8-adj': { used: 564, minArena: 656 },
    'bmm-f32': { used: 832, minArena: 832 },
    'conv-mix-int8': { used: 2228, minArena: 2416 },
    'fc-mix-int8': { used: 772 },
    'tconv-mix-int8': { used: 3924, minArena: 3936 },
    'tconv-int16': { used: 2084, minArena: 2096 },
  },
};

const coreCases = (['mve', 'none'] as const).flatMap((isa) => Object.entries(MEASURED_ON_CORE[isa]).map(([name, m]) => [name, isa, m] as const));

describe.each(coreCases)('%s with cmsis-nn kernels on a %s core', (name, isa, m) => {
  const graph = CMSIS_FIXTURES[name]!();

  it('planTflmArena gives the measured arena_used_bytes', () => {
    const arena = planTflmArena(graph, kernelsFor('cmsis-nn', isa));
    expect(arena.total).toBe(m.used);
    expect(arena.unknownScratchOps).toEqual([]);
  });

  it.runIf(m.minArena !== undefined)('minimalArena gives the measured smallest arena that allocates', () => {
    expect(minimalArena(graph, kernelsFor('cmsis-nn', isa)).bytes).toBe(m.minArena);
  });
});
