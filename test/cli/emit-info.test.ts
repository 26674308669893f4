// `tinyseg emit-info`: the names `optimize --emit` uses, for build systems
// (CMake's tinyseg_optimize asks it instead of loading files under dist/).

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILTIN_TARGET_NAMES } from '../../src/memory/target-profile.js';
import { inProcessCli } from '../helpers/cli.js';
import { exampleModel } from '../helpers/examples.js';

const { scratch, tinyseg } = inProcessCli('tinyseg-emit-info-');

describe('tinyseg emit-info', () => {
  it('prints the C name and macro prefix of a model file or name, and the built-in targets', async () => {
    const r = await tinyseg('emit-info', '--name', 'models/2nd-model.tflite', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ name: 'm_2nd_model', macro: 'M_2ND_MODEL', builtinTargets: [...BUILTIN_TARGET_NAMES] });
    const text = await tinyseg('emit-info', '--name=-odd name');
    expect(text.stdout).toBe(`name     odd_name\nmacro    ODD_NAME\ntargets  ${BUILTIN_TARGET_NAMES.join(', ')}\n`);
    expect(JSON.parse((await tinyseg('emit-info', '--json')).stdout)).toEqual({ builtinTargets: [...BUILTIN_TARGET_NAMES] });
  });

  it('gives the names optimize --emit writes', async () => {
    const out = join(scratch, 'fw');
    const info = JSON.parse((await tinyseg('emit-info', '--name', exampleModel, '--json')).stdout) as { name: string };
    expect((await tinyseg('optimize', exampleModel, '-o', join(scratch, 'out'), '--emit', out, '--no-verify')).code).toBe(0);
    expect(readdirSync(out)).toContain(`${info.name}_model.cc`);
  });

  it('takes no file', async () => {
    const r = await tinyseg('emit-info', 'model.tflite');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/emit-info takes no file/);
  });
});
