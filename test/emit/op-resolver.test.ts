// The resolver header registers exactly the model's operators, N counted as
// MicroMutableOpResolver counts registrations; unknown operators are clear
// errors; and a hostile model (name, tensor names, description) still yields
// valid files (op-resolver.system.test.ts compiles them). The resolver itself
// needs TFLM's headers (runtime-sources.system.test.ts).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emitEmbedded } from '../../src/emit/emit-embedded.js';
import { TFLM_BUILTIN_METHODS } from '../../src/emit/op-resolver.js';
import { TinysegError } from '../../src/errors.js';
import { loadGraph } from '../../src/graph/graph.js';
import { builtinTargetProfile } from '../../src/memory/target-profile.js';
import { optimize } from '../../src/optimize/optimize.js';
import { repoRoot } from '../helpers/paths.js';
import { HOSTILE } from './hostile-strings.js';

const example = new Uint8Array(readFileSync(join(repoRoot, 'examples/models/tiny-unet-80x120.tflite')));
const result = optimize(example, { file: 'tiny-unet-80x120.tflite', verify: false });
const profile = builtinTargetProfile('mps2-an500')!;

/** The Add calls and N of a generated resolver header, read as text. */
function parseResolver(h: string): { n: number; calls: string[]; typedefN: string } {
  const n = /^#define (\w+)_OP_COUNT (\d+)$/m.exec(h);
  const typedef = /^typedef tflite::MicroMutableOpResolver<(\w+)> \w+_op_resolver;$/m.exec(h);
  expect(n).not.toBeNull();
  expect(typedef).not.toBeNull();
  const calls = [...h.matchAll(/^ {2}if \(resolver\.(\w+)\((.*)\) != kTfLiteOk\) return kTfLiteError;$/gm)].map((m) => (m[1] === 'AddCustom' ? `AddCustom:${m[2]}` : m[1]!));
  return { n: Number(n![2]), calls, typedefN: typedef![1]! };
}

describe('op resolver header', () => {
  it('registers each distinct builtin and custom operator once; N is their count', () => {
    const files = emitEmbedded(result, { name: 'tiny_unet', profile });
    const { n, calls, typedefN } = parseResolver(files['tiny_unet_resolver.h']!);
    const ops = result.graph.main.ops;
    const builtins = new Set(ops.filter((o) => o.opcode !== 'CUSTOM').map((o) => o.opcode));
    const customs = new Set(ops.filter((o) => o.opcode === 'CUSTOM').map((o) => o.customCode));
    expect(n).toBe(builtins.size + customs.size);
    expect(calls).toHaveLength(n);
    expect(new Set(calls).size).toBe(n);
    expect(typedefN).toBe('TINY_UNET_OP_COUNT');
    for (const b of builtins) expect(calls).toContain(TFLM_BUILTIN_METHODS.get(b));
    for (const c of customs) expect(calls).toContain(`AddCustom:"${c}", tinyseg::Register_${c!.replace('TinySeg', '')}()`);
    expect(calls).toEqual(expect.arrayContaining(['AddConcatenation', 'AddDepthToSpace', 'AddMaxPool2D', 'AddQuantize']));
    // The registrations it calls are declared by the kernels header.
    for (const c of customs) expect(files['tinyseg_tflm_kernels.h']).toContain(`TFLMRegistration* Register_${c!.replace('TinySeg', '')}();`);
  });

  it('names TFLM methods as micro_mutable_op_resolver.h does', () => {
    expect(TFLM_BUILTIN_METHODS.get('DEPTHWISE_CONV_2D')).toBe('AddDepthwiseConv2D');
    expect(TFLM_BUILTIN_METHODS.get('FULLY_CONNECTED')).toBe('AddFullyConnected');
    expect(TFLM_BUILTIN_METHODS.get('TRANSPOSE_CONV')).toBe('AddTransposeConv');
    expect(TFLM_BUILTIN_METHODS.get('STRIDED_SLICE')).toBe('AddStridedSlice');
    expect(TFLM_BUILTIN_METHODS.get('BATCH_TO_SPACE_ND')).toBe('AddBatchToSpaceNd');
    expect(TFLM_BUILTIN_METHODS.get('UNIDIRECTIONAL_SEQUENCE_LSTM')).toBe('AddUnidirectionalSequenceLSTM');
  });

  it('a builtin TFLM has no kernel for is an E_UNSUPPORTED error naming the operator and file', () => {
    const graph = loadGraph(result.bytes);
    graph.main.ops[1]!.opcode = 'LSH_PROJECTION';
    const e = (() => {
      try {
        emitEmbedded({ ...result, graph }, { profile });
      } catch (err) {
        return err;
      }
      return null;
    })();
    expect(e).toBeInstanceOf(TinysegError);
    expect((e as TinysegError).code).toBe('E_UNSUPPORTED');
    expect((e as TinysegError).oneLine()).toMatch(/^tiny-unet-80x120\.tflite: TFLM has no kernel for builtin operator LSH_PROJECTION/);
  });

  it('an unknown custom operator is an error, its hostile name neutralized in the message', () => {
    const graph = loadGraph(result.bytes);
    const op = graph.main.ops.find((o) => o.opcode === 'CUSTOM')!;
    op.customCode = 'Evil\nop */';
    expect(() => emitEmbedded({ ...result, graph }, { profile })).toThrow(/custom operator 'Evil op \* \/' is neither TinySeg's nor shipped with TFLM/);
  });
});

describe('a hostile model', () => {
  it('yields valid identifiers and resolver and linker files for every hostile name (compiled in op-resolver.system.test.ts)', () => {
    const graph = loadGraph(result.bytes);
    graph.model.description = HOSTILE.join(' | ');
    graph.main.tensors[graph.main.inputs[0]!]!.name = HOSTILE[0]!;
    graph.main.tensors[graph.main.outputs[0]!]!.name = HOSTILE[1]!;
    const hostile = { ...result, graph };
    const ids = new Set<string>();
    HOSTILE.forEach((name) => {
      const files = emitEmbedded(hostile, { name, profile, sections: true });
      const header = Object.keys(files).find((f) => f.endsWith('_model.h'))!;
      const id = header.slice(0, -'_model.h'.length);
      expect(id, JSON.stringify(name)).toMatch(/^[A-Za-z][A-Za-z0-9_]*$/);
      expect(id).not.toMatch(/__/);
      ids.add(id);
      const resolver = parseResolver(files[`${id}_resolver.h`]!);
      expect(resolver.calls).toHaveLength(resolver.n);
      expect(files[`${id}_resolver.h`]).toMatch(new RegExp(`^inline TfLiteStatus ${id}_register_ops\\(${id}_op_resolver& resolver\\) \\{$`, 'm'));
      expect(files[`${id}_sections.ld`]).toContain(`__tinyseg_${id}_spill_start = .;`);
    });
    expect(ids.size).toBeGreaterThan(10);
  });
});
