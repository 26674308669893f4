// The interpreter against real TFLM: for every model the oracle ran, the
// outputs on the deterministic input equal TFLM's bytes exactly. Float models
// are compared with the x86-64 run (no fused multiply-add, like JavaScript).

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TinysegError } from '../../src/errors.js';
import { loadGraph } from '../../src/graph/graph.js';
import { runGuarded, runModel } from '../../src/interpreter/interpreter.js';
import { deterministicInput } from '../../src/interpreter/oracle-input.js';
import { golden, oracleDir, readCorpusModel } from '../helpers/shared.js';

const withOutputs = Object.entries(golden).filter(([, g]) => g.outputs !== null);
const withoutOutputs = Object.entries(golden).filter(([, g]) => g.outputs === null);

describe.each(withOutputs)('%s', (file, g) => {
  it('computes exactly the bytes TFLM computed', () => {
    const graph = loadGraph(readCorpusModel(file));
    const sg = graph.main;
    const inputs = sg.inputs.map((t) => deterministicInput(sg.tensors[t]!));
    // Small models also run guarded: no kernel may read dead arena memory.
    const small = sg.tensors.reduce((n, t) => n + t.byteSize, 0) < 4_000_000;
    const outputs = small ? runGuarded(graph, inputs) : runModel(graph, inputs);
    g.outputs!.forEach((o, i) => {
      const out = outputs[i]!;
      expect(out.length).toBe(o.bytes);
      const name = (o as { file_host64?: string }).file_host64 ?? o.file;
      if (name) {
        const expected = new Uint8Array(readFileSync(join(oracleDir, name)));
        const same = Buffer.from(out).equals(Buffer.from(expected));
        if (!same) {
          let diff = 0;
          for (let k = 0; k < out.length; k++) if (out[k] !== expected[k]) diff++;
          expect.fail(`output ${i}: ${diff} of ${out.length} bytes differ from ${name}`);
        }
      } else {
        const hashes = o as unknown as { sha256_host64?: string; sha256: string };
        const sha = hashes.sha256_host64 ?? hashes.sha256;
        expect(createHash('sha256').update(out).digest('hex')).toBe(sha);
      }
    });
  });
});

describe.each(withoutOutputs)('%s (TFLM did not run it)', (file) => {
  it('is refused with an error naming the unsupported operator', () => {
    const graph = loadGraph(readCorpusModel(file));
    const sg = graph.main;
    const run = () => runModel(graph, sg.inputs.map((t) => deterministicInput(sg.tensors[t]!)));
    expect(run).toThrow(TinysegError);
    expect(run).toThrow(/operator \d+ \((DEQUANTIZE|CUSTOM:Convolution2DTransposeBias)\)/);
  });
});
