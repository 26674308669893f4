// A hostile model (name, tensor names, description) still yields files that
// compile: the arena and model headers from C11, the init call as pedantic
// C99, and for a few names the model array with arm-none-eabi-g++.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emitEmbedded } from '../../src/emit/emit-embedded.js';
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
