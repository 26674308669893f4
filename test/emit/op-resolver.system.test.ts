// A hostile model (name, tensor names, description) still yields files that
// compile: the arena and model headers from C11, the init call as pedantic
// C99, and for a few names the model array with arm-none-eabi-g++; and a
// resolver registering hostile custom-operator names runs as written.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emitEmbedded } from '../../src/emit/emit-embedded.js';
import { TFLM_BUILTIN_METHODS, TINYSEG_REGISTRATIONS } from '../../src/emit/op-resolver.js';
import { loadGraph } from '../../src/graph/graph.js';
import { builtinTargetProfile } from '../../src/memory/target-profile.js';
import { optimize } from '../../src/optimize/optimize.js';
import { repoRoot } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp-dir.js';
import { HOSTILE } from './hostile-strings.js';

const example = new Uint8Array(readFileSync(join(repoRoot, 'examples/models/tiny-unet-80x120.tflite')));
const result = optimize(example, { file: 'tiny-unet-80x120.tflite', verify: false });
const profile = builtinTargetProfile('mps2-an500')!;

describe('a hostile model', () => {
  const work = tempDir('tinyseg-hostile-');

  it('yields files that compile for every hostile name', () => {
    const graph = loadGraph(result.bytes);
    graph.model.description = HOSTILE.join(' | ');
    graph.main.tensors[graph.main.inputs[0]!]!.name = HOSTILE[0]!;
    graph.main.tensors[graph.main.outputs[0]!]!.name = HOSTILE[1]!;
    const hostile = { ...result, graph };
    HOSTILE.forEach((name, i) => {
      const files = emitEmbedded(hostile, { name, profile, sections: true });
      const header = Object.keys(files).find((f) => f.endsWith('_model.h'))!;
      const id = header.slice(0, -'_model.h'.length);
      expect(id, JSON.stringify(name)).toMatch(/^[A-Za-z][A-Za-z0-9_]*$/);
      const dir = join(work, String(i));
      mkdirSync(dir, { recursive: true });
      for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
      writeFileSync(join(dir, 'use.c'), `#include "${id}_arena.h"\n#include "${id}_model.h"\nunsigned int use(void) { return ${id.toUpperCase()}_ARENA_SIZE + ${id}_model_len + ${id}_model[0]; }\n`);
      execFileSync('gcc', ['-std=c11', '-Wall', '-Wextra', '-Werror', '-c', 'use.c', '-o', 'use.o'], { cwd: dir, stdio: 'pipe' });
      // The init call carries the model's source name in comments and its own name in string literals.
      execFileSync('gcc', ['-std=c99', '-pedantic', '-Wall', '-Wextra', '-Werror', '-c', `${id}_tinyseg.c`, '-o', 'init.o'], { cwd: dir, stdio: 'pipe' });
      // The array itself only for a few names: compiling it is the slow part.
      if (i < 3) execFileSync('arm-none-eabi-g++', ['-mcpu=cortex-m7', '-mthumb', '-std=c++17', '-Wall', '-Wextra', '-Werror', '-c', `${id}_model.cc`, '-o', 'model.o'], { cwd: dir, stdio: 'pipe' });
    });
  });
});

describe('custom operators of other projects', () => {
  const work = tempDir('tinyseg-custom-resolver-');

  /** Just enough of TFLM's resolver to compile and run a generated header: AddCustom records what it registers. */
  function stubTflm(dir: string): void {
    execFileSync('mkdir', ['-p', join(dir, 'tensorflow/lite/micro')]);
    writeFileSync(join(dir, 'tensorflow/lite/micro/micro_common.h'), '#pragma once\nstruct TFLMRegistration { const char* by; };\n');
    const methods = [...TFLM_BUILTIN_METHODS.values(), 'AddDetectionPostprocess', 'AddCircularBuffer'].map((m) => `  TfLiteStatus ${m}() { return kTfLiteOk; }`);
    writeFileSync(
      join(dir, 'tensorflow/lite/micro/micro_mutable_op_resolver.h'),
      [
        '#pragma once',
        '#include <string>',
        '#include <vector>',
        '#include "tensorflow/lite/micro/micro_common.h"',
        'typedef int TfLiteStatus;',
        'enum { kTfLiteOk = 0, kTfLiteError = 1 };',
        'extern std::vector<std::string> registered;',
        'namespace tflite {',
        'template <unsigned N> class MicroMutableOpResolver {',
        ' public:',
        '  TfLiteStatus AddCustom(const char* name, TFLMRegistration* r) { registered.push_back(std::string(name) + " -> " + r->by); return kTfLiteOk; }',
        ...methods,
        '};',
        '}  // namespace tflite',
        '',
      ].join('\n'),
    );
  }

  it('registers each with its function; hostile custom codes reach C++ as exactly their bytes', () => {
    const graph = loadGraph(result.bytes);
    const codes = HOSTILE.filter((c) => c !== '' && !c.includes('\u0000'));
    codes.forEach((code, i) => Object.assign(graph.main.ops[i]!, { opcode: 'CUSTOM', customCode: code }));
    const customOps = codes.map((name, i) => ({ name, scratchBytes: [], persistentBytes: [], register: `Register_HOSTILE_${i}`, rowLocal: false }));
    const files = emitEmbedded({ bytes: result.bytes, graph, report: { ...result.report, customOps } }, { name: 'seg', profile });
    const header = files['seg_resolver.h']!;
    for (const d of customOps) expect(header).toContain(`TFLMRegistration* ${d.register}();`);
    const dir = join(work, 'hostile');
    stubTflm(dir);
    for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
    const definitions = [
      ...customOps.map((d) => `TFLMRegistration* ${d.register}() { static TFLMRegistration r = {"${d.register}"}; return &r; }`),
      ...[...TINYSEG_REGISTRATIONS.values()].map((f) => `namespace tinyseg { TFLMRegistration* ${f}() { static TFLMRegistration r = {"tinyseg::${f}"}; return &r; } }`),
    ];
    writeFileSync(
      join(dir, 'main.cc'),
      [
        '#include <cstdio>',
        '#include "seg_resolver.h"',
        'std::vector<std::string> registered;',
        ...definitions,
        'int main() {',
        '  seg_op_resolver resolver;',
        '  if (seg_register_ops(resolver) != kTfLiteOk) return 1;',
        '  for (const auto& r : registered) { std::fwrite(r.data(), 1, r.size(), stdout); std::fputc(0, stdout); }',
        '  return 0;',
        '}',
        '',
      ].join('\n'),
    );
    execFileSync('g++', ['-std=c++17', '-Wall', '-Wextra', '-Werror', '-I', '.', 'main.cc', '-o', 'main'], { cwd: dir, stdio: 'pipe' });
    const printed = execFileSync(join(dir, 'main'), { cwd: dir }).toString('utf8').split('\u0000').filter((s) => s !== '');
    // TinySeg's own operators the model still has go through AddCustom too, with tinyseg::'s functions.
    const tinyseg = [...new Set(graph.main.ops.filter((o) => o.customCode?.startsWith('TinySeg')).map((o) => o.customCode!))];
    const want = [...customOps.map((d) => `${d.name} -> ${d.register}`), ...tinyseg.map((t) => `${t} -> tinyseg::${TINYSEG_REGISTRATIONS.get(t)}`)];
    expect(printed.sort()).toEqual(want.sort());
  });
});
