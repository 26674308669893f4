// The runtime files --emit writes (what they hold: runtime-sources.test.ts):
// the C99 runtime and <name>_tinyseg.c compile
// clean with -std=c99 -pedantic -Wall -Wextra -Werror for Cortex-M4/M7 (always
// run), <name>_tinyseg_init() behaves as its header says (host run, for a model
// that spills nothing, one with a PSRAM region and one in flash), and, when a
// TFLM checkout is given, the kernels and the resolver compile with
// -Wall -Wextra -Werror against TFLM's real headers included with -I.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emitEmbedded } from '../../src/emit/emit-embedded.js';
import { builtinTargetProfile } from '../../src/memory/target-profile.js';
import { optimize } from '../../src/optimize/optimize.js';
import { repoRoot } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp-dir.js';

const example = new Uint8Array(readFileSync(join(repoRoot, 'examples/models/tiny-unet-80x120.tflite')));
const spilled = optimize(example, { file: 'tiny-unet-80x120.tflite', verify: false });
const unspilled = optimize(example, { file: 'tiny-unet-80x120.tflite', verify: false, spill: false });
// Optimized for TFLM's CMSIS-NN kernels: a TinySegConcatConv whose int8 conv is CMSIS-NN's.
// The plan with band chains, whose decoder conv reads a virtual concatenation (TinySegConcatConv): its kernel's sources.
const forCmsisNn = optimize(example, { file: 'tiny-unet-80x120.tflite', verify: false, kernels: 'cmsis-nn', streamLayers: false });
const an386 = builtinTargetProfile('mps2-an386')!;
const work = tempDir('tinyseg-runtime-src-');

const run = (cmd: string, args: string[], cwd = work): string => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

// Three models in one directory: the runtime files are the same for each.
const variants = {
  nospill: emitEmbedded(unspilled, { name: 'nospill', profile: an386 }),
  tiny_unet: emitEmbedded(spilled, { name: 'tiny_unet', profile: an386, sections: true, storage: 'psram' }),
  flashy: emitEmbedded(spilled, { name: 'flashy', profile: an386, storage: 'flash' }),
};
for (const files of Object.values(variants)) for (const [name, text] of Object.entries(files)) writeFileSync(join(work, name), text);
const C99 = ['-std=c99', '-pedantic', '-Wall', '-Wextra', '-Werror'];

describe('the emitted runtime sources, compiled', () => {
  for (const cpu of ['cortex-m4', 'cortex-m7']) {
    it(`compile with arm-none-eabi-gcc -mcpu=${cpu} ${C99.join(' ')}`, () => {
      for (const c of ['tinyseg_runtime.c', 'nospill_tinyseg.c', 'tiny_unet_tinyseg.c', 'flashy_tinyseg.c']) {
        run('arm-none-eabi-gcc', [`-mcpu=${cpu}`, '-mthumb', '-O2', ...C99, '-I', '.', '-c', c, '-o', `${cpu}-${c}.o`]);
      }
    });
  }

  it('declare the init call for C++ too', () => {
    writeFileSync(join(work, 'use.cc'), '#include "tiny_unet_tinyseg.h"\nint use() { return tiny_unet_tinyseg_init(nullptr) == TS_OK; }\n');
    run('arm-none-eabi-g++', ['-mcpu=cortex-m4', '-mthumb', '-std=c++17', '-Wall', '-Wextra', '-Werror', '-I', '.', '-c', 'use.cc', '-o', 'use.o']);
  });

  it('set the runtime up with one call, or say why not', () => {
    writeFileSync(
      join(work, 'init_check.c'),
      `#include <stdio.h>
#include "nospill_tinyseg.h"
#include "tiny_unet_tinyseg.h"
#include "flashy_tinyseg.h"
static void show(const char *what, ts_status s, ts_runtime *rt) { printf("%s %s %s\\n", what, ts_status_name(s), s == TS_OK ? "-" : ts_last_error(rt)); }
int main(void) {
  static uint8_t small[16];
  static ts_ram ram = { small, sizeof small };
  static ts_driver driver;
  ts_ram_driver(&driver, &ram);
  show("nospill", nospill_tinyseg_init(NULL), nospill_tinyseg_runtime());
  printf("default %d\\n", ts_runtime_default() == nospill_tinyseg_runtime());
  show("unlinked", tiny_unet_tinyseg_init(NULL), tiny_unet_tinyseg_runtime());
  show("small", tiny_unet_tinyseg_init(&driver), tiny_unet_tinyseg_runtime());
  show("flash", flashy_tinyseg_init(NULL), flashy_tinyseg_runtime());
  printf("default %d\\n", ts_runtime_default() == nospill_tinyseg_runtime());
  return 0;
}
`,
    );
    // On the host the fragment is not linked: its weak symbols are null.
    run('gcc', [...C99, '-I', '.', 'init_check.c', 'tinyseg_runtime.c', 'nospill_tinyseg.c', 'tiny_unet_tinyseg.c', 'flashy_tinyseg.c', '-o', 'init_check']);
    expect(run(join(work, 'init_check'), []).split('\n')).toEqual([
      'nospill TS_OK -',
      'default 1',
      'unlinked TS_E_ARG tiny_unet_tinyseg_init: the spill region is not linked: link tiny_unet_sections.ld after the vendor script, or pass a driver',
      `small TS_E_RANGE tiny_unet_tinyseg_init: the driver's region is smaller than the ${spilled.report.spill.regionBytes} bytes the model spills to`,
      'flash TS_E_ARG flashy_tinyseg_init: the spill region is in flash storage: pass its driver, not NULL',
      'default 1',
      '',
    ]);
  });
});

/**
 * TFLM's headers, when the machine has them: TINYSEG_TFLM_INCLUDE_DIRS lists TFLM's
 * source root first, then flatbuffers/include, gemmlowp and ruy (separated by
 * the platform's path delimiter or ';'). Nothing of TFLM is in the repository.
 */
const tflmDirs = (process.env.TINYSEG_TFLM_INCLUDE_DIRS ?? '').split(new RegExp(`[;${delimiter}]`)).filter((d) => d !== '');
const tflm = tflmDirs.length > 0 && existsSync(join(tflmDirs[0]!, 'tensorflow/lite/micro/micro_interpreter.h'));
const skipReason = tflm ? '' : ' (skipped: set TINYSEG_TFLM_INCLUDE_DIRS to a TFLM checkout and its third-party include dirs)';

describe.skipIf(!tflm)(`the kernels and the resolver against TFLM's headers as -I${skipReason}`, () => {
  const dir = join(work, 'tflm');
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(variants.tiny_unet)) writeFileSync(join(dir, name), text);
  const includes = tflmDirs.flatMap((d) => ['-I', d]);
  const cxx = ['-mcpu=cortex-m4', '-mthumb', '-std=c++17', '-Os', '-fno-rtti', '-fno-exceptions', '-Wall', '-Wextra', '-Werror', ...includes, '-I', '.'];

  for (const memory of [[], ['-DTF_LITE_STATIC_MEMORY']]) {
    it(`compile with arm-none-eabi-g++ -Wall -Wextra -Werror ${memory.join(' ')}`, () => {
      writeFileSync(
        join(dir, 'use_resolver.cc'),
        '#include "tiny_unet_resolver.h"\n#include "tiny_unet_tinyseg.h"\nint use() { tiny_unet_op_resolver r; return tiny_unet_register_ops(r) == kTfLiteOk && tiny_unet_tinyseg_init(nullptr) == TS_OK; }\n',
      );
      for (const source of ['tinyseg_tflm_kernels.cc', 'use_resolver.cc']) run('arm-none-eabi-g++', [...cxx, ...memory, '-c', source, '-o', `${source}.o`], dir);
    });
  }

  it('refuse to compile against a build of the other kernel set, and say why', () => {
    const fails = (args: string[]): string => {
      try {
        run('arm-none-eabi-g++', [...cxx, '-DTF_LITE_STATIC_MEMORY', ...args, '-E', 'tinyseg_tflm_kernels.cc', '-o', 'contradiction.i'], dir);
      } catch (e) {
        return (e as { stderr?: string }).stderr ?? '';
      }
      return '';
    };
    expect(fails(['-DCMSIS_NN'])).toContain('optimized for TFLM\'s reference kernels (--kernels reference), but this build defines CMSIS_NN');
    const cmsisDir = join(work, 'tflm-cmsis-contradiction');
    mkdirSync(cmsisDir, { recursive: true });
    for (const [name, text] of Object.entries(emitEmbedded(forCmsisNn, { name: 'tiny_unet', profile: an386 }))) writeFileSync(join(cmsisDir, name), text);
    let output = '';
    try {
      run('arm-none-eabi-g++', [...cxx, '-I', cmsisDir, '-E', join(cmsisDir, 'tinyseg_tflm_kernels.cc'), '-o', 'contradiction.i'], cmsisDir);
    } catch (e) {
      output = (e as { stderr?: string }).stderr ?? '';
    }
    expect(output).toContain('optimized for TFLM\'s CMSIS-NN kernels (--kernels cmsis-nn), but CMSIS_NN is not defined');
  });

  it('need the pragmas: TFLM\'s headers warn under -Wextra without them', () => {
    writeFileSync(join(dir, 'bare.cc'), '#include "tensorflow/lite/micro/micro_mutable_op_resolver.h"\n');
    let output = '';
    try {
      run('arm-none-eabi-g++', [...cxx, '-c', 'bare.cc', '-o', 'bare.o'], dir);
    } catch (e) {
      output = (e as { stderr?: string }).stderr ?? '';
    }
    // Only the warnings the pragmas name: a TFLM that stops warning passes too.
    const flags = new Set([...output.matchAll(/\[-Werror=([a-z-]+)\]/g)].map((m) => m[1]));
    expect([...flags].filter((f) => f !== 'unused-parameter')).toEqual([]);
  });
});

/**
 * CMSIS-NN's headers, with TFLM's: TINYSEG_CMSIS_NN_INCLUDE_DIRS lists CMSIS-NN's
 * root and its Include directory. A model optimized for --kernels cmsis-nn makes
 * the kernels call CMSIS-NN's conv; they compile as TFLM's CMSIS-NN build
 * compiles its own (CMSIS_NN defined).
 */
const cmsisDirs = (process.env.TINYSEG_CMSIS_NN_INCLUDE_DIRS ?? '').split(new RegExp(`[;${delimiter}]`)).filter((d) => d !== '');
const cmsisNn = tflm && cmsisDirs.some((d) => existsSync(join(d, 'arm_nnfunctions.h')) || existsSync(join(d, 'Include/arm_nnfunctions.h')));
const cmsisSkip = cmsisNn ? '' : ' (skipped: set TINYSEG_TFLM_INCLUDE_DIRS and TINYSEG_CMSIS_NN_INCLUDE_DIRS to CMSIS-NN\'s root and Include dirs)';

describe.skipIf(!cmsisNn)(`the kernels of a model optimized for CMSIS-NN's kernels, against TFLM's and CMSIS-NN's headers as -I${cmsisSkip}`, () => {
  const dir = join(work, 'tflm-cmsis-nn');
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(emitEmbedded(forCmsisNn, { name: 'tiny_unet', profile: an386 }))) writeFileSync(join(dir, name), text);
  const includes = [...tflmDirs, ...cmsisDirs].flatMap((d) => ['-I', d]);
  const cxx = ['-mcpu=cortex-m4', '-mthumb', '-std=c++17', '-Os', '-fno-rtti', '-fno-exceptions', '-Wall', '-Wextra', '-Werror', '-DCMSIS_NN', ...includes, '-I', '.'];

  for (const memory of [[], ['-DTF_LITE_STATIC_MEMORY']]) {
    it(`compile with arm-none-eabi-g++ -Wall -Wextra -Werror -DCMSIS_NN ${memory.join(' ')}`, () => {
      run('arm-none-eabi-g++', [...cxx, ...memory, '-c', 'tinyseg_tflm_kernels.cc', '-o', 'tinyseg_tflm_kernels.o'], dir);
      // The CMSIS-NN conv is called, not the reference one.
      const symbols = run('arm-none-eabi-nm', ['-u', 'tinyseg_tflm_kernels.o'], dir);
      expect(symbols).toContain('arm_convolve_wrapper_s8');
    });
  }
});
