// arena_used_bytes() of the multi-subgraph and resource-variable fixtures of
// test/helpers/control-fixtures.ts as real TFLM 90b983c (reference kernels,
// hard-float Cortex-M4) reported it in bench/tflm-m4's firmware under QEMU
// (mps2-an386), the models written with saveGraph, the harness built with
// -DBENCH_RESOURCE_VARIABLES=<the fixture's resourceVariables>. TinySeg's
// report must equal them: one plan over every subgraph, the
// MicroResourceVariables object and slots, the resource buffers of
// ASSIGN_VARIABLE's Prepare.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { saveGraph } from '../../src/graph/graph.js';
import { opDataKnown } from '../../src/ops/registry.js';
import { planTflmArena } from '../../src/tflm/arena.js';
import { CONTROL_FIXTURES } from '../helpers/control-fixtures.js';
import { inProcessCli } from '../helpers/cli.js';

const MEASURED: Record<string, number> = {
  'if-add-mul': 1472,
  'while-less': 1072,
  'accumulator-f32': 832,
  'accumulator-int8x3': 1604,
  'if-svdf-int8': 1076,
};

/** Kernel op data the registry may not have yet (another family's operator): LESS's OpData, ComparisonParams, 32 bytes. */
const pending = (name: string): number =>
  name === 'while-less' && !opDataKnown({ opcode: 'LESS', customCode: null, inputs: [], outputs: [], intermediates: [], options: null, optionsType: null, customOptions: null }) ? 32 : 0;

const { scratch, tinyseg } = inProcessCli('tinyseg-control-');

describe('the fixtures are the measured ones', () => {
  it('every fixture has a measurement', () => {
    expect(Object.keys(MEASURED).sort()).toEqual(CONTROL_FIXTURES.map((f) => f.name).sort());
  });
});

describe('outputs', () => {
  it("accumulator-int8x3 gives the bytes real TFLM gave on Cortex-M4 (oracle input, first invoke)", async () => {
    const { deterministicInput } = await import('../../src/interpreter/oracle-input.js');
    const { runGuarded } = await import('../../src/interpreter/interpreter.js');
    const g = CONTROL_FIXTURES.find((f) => f.name === 'accumulator-int8x3')!.graph();
    const out = runGuarded(g, g.main.inputs.map((t) => deterministicInput(g.main.tensors[t]!)));
    expect(Buffer.from(out[0]!).toString('hex')).toBe('91b9e10931597f');
  });
});

describe.each(CONTROL_FIXTURES.map((f) => [f.name, f] as const))('%s', (name, fixture) => {
  it('tinyseg report --json gives arena_used_bytes', async () => {
    const graph = fixture.graph();
    expect(planTflmArena(graph).total + pending(name)).toBe(MEASURED[name]);
    const path = join(scratch, `${name}.tflite`);
    writeFileSync(path, saveGraph(graph));
    const r = await tinyseg('report', path, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).arena.total + pending(name)).toBe(MEASURED[name]);
  });
});
