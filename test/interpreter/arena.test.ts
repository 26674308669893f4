// The interpreter's single arena: a wrong plan must show, and reads of dead memory are caught.

import { describe, expect, it } from 'vitest';
import { TinysegError } from '../../src/errors.js';
import { GraphBuilder } from '../../src/graph/builder.js';
import { buildTinyUnet } from '../../src/graph/tiny-unet.js';
import { Interpreter, runGuarded, runModel } from '../../src/interpreter/interpreter.js';
import { defineKernel, type Kernel } from '../../src/ops/kernel.js';
import { OPS, type OpInfo } from '../../src/ops/registry.js';
import { deterministicInput } from '../../src/interpreter/oracle-input.js';

const graph = buildTinyUnet({ height: 16, width: 24 });
const sg = graph.main;
const inputs = sg.inputs.map((t) => deterministicInput(sg.tensors[t]!));

describe('arena plan', () => {
  const good = new Interpreter(graph);
  const reference = runModel(graph, inputs);

  /** Offsets with the longest-lived skip tensor moved onto a buffer that is live at the same time. */
  function overlappingPlan(): Int32Array {
    const offsets = good.offsets.slice();
    const skip = good.buffers.findIndex((b) => b.kind === 'tensor' && b.last - b.first > 10);
    const victim = good.buffers.findIndex(
      (b, i) => i !== skip && b.first > good.buffers[skip]!.first && b.last < good.buffers[skip]!.last && offsets[i] !== offsets[skip],
    );
    offsets[victim] = offsets[skip]!;
    return offsets;
  }

  it('runs every activation inside one arena of exactly the planned head', () => {
    const head = Math.max(...good.buffers.map((b, i) => good.offsets[i]! + b.size));
    expect(good.arena.length).toBe(head);
  });

  it('detects an overlapping plan before running', () => {
    const build = () => new Interpreter(graph, { offsets: overlappingPlan() });
    expect(build).toThrow(TinysegError);
    expect(build).toThrow(/arena plan overlaps/);
  });

  it('shows the corruption when the overlapping plan is run anyway', () => {
    const out = runModel(graph, inputs, { offsets: overlappingPlan(), validatePlan: false });
    expect(Buffer.from(out[0]!).equals(Buffer.from(reference[0]!))).toBe(false);
  });

  it('gives the same bytes in guard mode on a correct plan', () => {
    expect(Buffer.from(runGuarded(graph, inputs)[0]!).equals(Buffer.from(reference[0]!))).toBe(true);
  });

  it('catches a kernel that reads memory holding no live tensor', () => {
    // A deliberately broken kernel: accumulates into its output without clearing it first.
    const broken: Kernel<null> = defineKernel({
      prepare: () => null,
      invoke: (call) => {
        const src = call.inputs[0]!.bytes;
        const dst = call.outputs[0]!.bytes;
        for (let i = 0; i < dst.length; i++) dst[i] = (dst[i]! + src[i]!) & 0xff;
      },
    });
    const registry = OPS as Map<string, OpInfo>;
    registry.set('CUSTOM:TestAccumulate', { key: 'CUSTOM:TestAccumulate', kernel: broken as Kernel, memory: {} });
    try {
      const b = new GraphBuilder();
      const x = b.input('x', { dtype: 'int8', shape: [1, 64] });
      const y = b.tensor('y', { dtype: 'int8', shape: [1, 64] });
      const z = b.tensor('z', { dtype: 'int8', shape: [1, 64] });
      b.op({ opcode: 'CUSTOM', customCode: 'TestAccumulate', inputs: [x], outputs: [y] });
      b.op({ opcode: 'CUSTOM', customCode: 'TestAccumulate', inputs: [y], outputs: [z] });
      b.output(z);
      const g = b.build();
      const input = [new Uint8Array(64).fill(3)];
      expect(() => runGuarded(g, input)).toThrow(/depends on dead arena memory/);
    } finally {
      registry.delete('CUSTOM:TestAccumulate');
    }
  });
});
