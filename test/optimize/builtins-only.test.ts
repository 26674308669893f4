// builtinsOnly in Node: no pass writes a TinySeg operator (the tfjs-tflite
// side is builtins-only.system.test.ts), the result is still proved, the
// guard refuses a result that has one, and every integration passes it on.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TinysegError } from '../../src/errors.js';
import { loadGraph } from '../../src/graph/graph.js';
import { optimize } from '../../src/optimize/optimize.js';
import { requireBuiltinsOnly } from '../../src/optimize/builtins-only.js';
import { optimizeOptionsFromArgs } from '../../src/integrations/cli/optimize-args.js';
import { resolvePluginOptions } from '../../src/integrations/unplugin/plugin-options.js';
import { emitEmbedded } from '../../src/emit/emit-embedded.js';
import { builtinTargetProfile } from '../../src/memory/target-profile.js';
import { repoRoot } from '../helpers/paths.js';

const example = new Uint8Array(readFileSync(join(repoRoot, 'examples/models/tiny-unet-80x120.tflite')));
const customOps = (bytes: Uint8Array) => loadGraph(bytes).main.ops.filter((op) => op.opcode === 'CUSTOM').map((op) => op.customCode);

describe('builtinsOnly', () => {
  const r = optimize(example, { file: 'tiny-unet.tflite', builtinsOnly: true, verify: { inputs: 1 } });
  const full = optimize(example, { file: 'tiny-unet.tflite', verify: false });

  it('writes no custom operator, and the result is proved; the default result has TinySeg operators', () => {
    expect(customOps(r.bytes)).toEqual([]);
    expect(r.report.verified).toBe(true);
    expect(r.report.spill.regionBytes).toBe(0);
    expect(r.report.passes).toMatchObject({
      transposeConv: { rewritten: 0 },
      transposeConvGather: { rewritten: 0 },
      convOnVirtualConcat: { rewritten: 0 },
      spill: { count: 0 },
    });
    expect(r.report.passes.removeIdentityPads.removed).toBe(3);
    expect(customOps(full.bytes)).toContain('TinySegSpill');
  });

  it('the guard refuses a result with a custom operator the original does not have', () => {
    const original = loadGraph(example);
    expect(() => requireBuiltinsOnly(original, loadGraph(r.bytes), 'm')).not.toThrow();
    expect(() => requireBuiltinsOnly(original, loadGraph(full.bytes), 'm')).toThrow(TinysegError);
    expect(() => requireBuiltinsOnly(original, loadGraph(full.bytes), 'm')).toThrow(/TinySegSpill/);
  });

  it('is an option of the CLI, the plugin, and the optimize() check', async () => {
    expect(await optimizeOptionsFromArgs({ 'builtins-only': true })).toMatchObject({ builtinsOnly: true });
    expect(await optimizeOptionsFromArgs({})).not.toHaveProperty('builtinsOnly');
    expect(resolvePluginOptions({ builtinsOnly: true }).optimize).toMatchObject({ builtinsOnly: true });
    expect(() => resolvePluginOptions({ builtinsOnly: 'yes' })).toThrow(/builtinsOnly must be true or false/);
    expect(() => optimize(example, { builtinsOnly: 1 as unknown as boolean })).toThrow(/builtinsOnly must be true or false/);
  });

  it('emits a resolver of builtins only and no spill region', () => {
    const files = emitEmbedded(r, { profile: builtinTargetProfile('mps2-an386')! });
    const resolver = files['tiny_unet_resolver.h']!;
    expect(resolver).toMatch(/AddConv2D/);
    expect(resolver).not.toMatch(/AddCustom|tinyseg::/);
    expect(files['tiny_unet_arena.h']).toMatch(/#define TINY_UNET_SPILL_REGION_SIZE 0u$/m);
  });
});
