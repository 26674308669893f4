// The runtime files --emit writes, as text: the same for every model and equal
// to templates/runtime, with the kernel set the model was optimized for.
// Compiled and run in runtime-sources.system.test.ts.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emitEmbedded } from '../../src/emit/emit-embedded.js';
import { builtinTargetProfile } from '../../src/memory/target-profile.js';
import { optimize } from '../../src/optimize/optimize.js';
import { repoRoot } from '../helpers/paths.js';

const example = new Uint8Array(readFileSync(join(repoRoot, 'examples/models/tiny-unet-80x120.tflite')));
const spilled = optimize(example, { file: 'tiny-unet-80x120.tflite', verify: false });
const unspilled = optimize(example, { file: 'tiny-unet-80x120.tflite', verify: false, spill: false });
// Optimized for TFLM's CMSIS-NN kernels: the plan with band chains, whose TinySeg convs (in place, or on a virtual
// concatenation) call CMSIS-NN's int8 conv: their kernels' sources.
const forCmsisNn = optimize(example, { file: 'tiny-unet-80x120.tflite', verify: false, kernels: 'cmsis-nn', streamLayers: false });
const an386 = builtinTargetProfile('mps2-an386')!;

const variants = {
  nospill: emitEmbedded(unspilled, { name: 'nospill', profile: an386 }),
  tiny_unet: emitEmbedded(spilled, { name: 'tiny_unet', profile: an386, sections: true, storage: 'psram' }),
};

describe('the emitted runtime sources', () => {
  it('are the same for every model, and the templates\' runtime', () => {
    expect(unspilled.report.spill.regionBytes).toBe(0);
    for (const name of ['tinyseg_runtime.c', 'tinyseg_runtime.h', 'tinyseg_tflm_kernels.cc', 'tinyseg_tflm_kernels.h']) {
      expect(variants.nospill[name], name).toBe(variants.tiny_unet[name]);
      if (name !== 'tinyseg_tflm_kernels.h') expect(variants.nospill[name]).toBe(readFileSync(join(repoRoot, 'templates/runtime', name), 'utf8'));
    }
  });

  it('say the kernel set the model was optimized for, which the kernels compile for', () => {
    expect(variants.tiny_unet['tinyseg_tflm_kernels.h']).toContain('\n#define TINYSEG_KERNELS_CMSIS_NN 0\n');
    const cmsis = emitEmbedded(forCmsisNn, { name: 'tiny_unet', profile: an386 });
    expect(forCmsisNn.graph.main.ops.some((op) => op.customCode === 'TinySegConcatConv' || op.customCode === 'TinySegConvInPlace')).toBe(true);
    expect(cmsis['tinyseg_tflm_kernels.h']).toContain('\n#define TINYSEG_KERNELS_CMSIS_NN 1\n');
    expect(cmsis['tinyseg_tflm_kernels.cc']).toBe(variants.tiny_unet['tinyseg_tflm_kernels.cc']);
  });
});
