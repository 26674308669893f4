// `--custom-op` and `--allow-unproved` end to end: the real binary on the Tiny
// U-Net with MediaPipe's Convolution2DTransposeBias in it.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp-dir.js';
import { MEDIAPIPE_OP, unetWithCustomOp } from '../helpers/custom-op-model.js';

const bin = join(repoRoot, 'bin', 'tinyseg.js');
const scratch = tempDir('tinyseg-custom-op-');
const file = join(scratch, 'seg.tflite');
writeFileSync(file, unetWithCustomOp(32, 48));
const declare = `${MEDIAPIPE_OP}:scratch=1024,persistent=64`;

function tinyseg(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', CACHE_DIR: join(scratch, 'cache') } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('tinyseg report --custom-op', () => {
  it('counts the declared memory and says where the figures come from', () => {
    const plain = JSON.parse(tinyseg('report', file, '--json').stdout);
    expect(plain.warnings.join('\n')).toContain(`kernel scratch of CUSTOM:${MEDIAPIPE_OP} is not modelled`);
    const r = tinyseg('report', file, '--json', '--custom-op', declare);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.warnings).toEqual([]);
    expect(j.declaredOps).toEqual([{ name: MEDIAPIPE_OP, ops: 1, scratchBytes: [1024], persistentBytes: [64], rowLocal: false }]);
    expect(j.buffers.filter((b: { kind: string; op: number }) => b.kind === 'scratch' && b.op === 22)).toEqual([expect.objectContaining({ size: 1024, first: 23, last: 23 })]);
    // 64 B more in the tail; the one more ScratchBufferHandle (4 B) may fill padding that was there.
    expect(j.arena.tail).toBeGreaterThanOrEqual(plain.arena.tail + 64);
    expect(j.arena.tail).toBeLessThanOrEqual(plain.arena.tail + 64 + 16);
    const text = tinyseg('report', file, '--custom-op', declare).stdout;
    expect(text).toContain(`CUSTOM:${MEDIAPIPE_OP} x1: scratch 1,024 B, persistent 64 B, as declared (--custom-op), not known to TinySeg`);
  });

  it('refuses a malformed declaration as a usage error', () => {
    const r = tinyseg('report', file, '--custom-op', `${MEDIAPIPE_OP}:scratch=lots`);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`custom operator '${MEDIAPIPE_OP}': scratch must be a non-negative whole number of bytes, got "lots"`);
  });
});

describe('tinyseg optimize --custom-op', () => {
  it('writes nothing without --allow-unproved, and says why in one line', () => {
    const out = join(scratch, 'refused');
    const r = tinyseg('optimize', file, '-o', out, '--custom-op', declare, '--emit', join(out, 'fw'));
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^tinyseg: .*seg\.tflite: not written: proved on 4 inputs: ops 0-21 bit-exact, .* not proved: the outputs of 1 custom operator \(Convolution2DTransposeBias at op 22\).*pass --allow-unproved/);
    expect(existsSync(out)).toBe(false);
  });

  it('with --allow-unproved writes the model, the proof statement and a resolver registering the user\'s function', () => {
    const out = join(scratch, 'allowed');
    const r = tinyseg('optimize', file, '-o', out, '--custom-op', declare, '--allow-unproved', '--emit', join(out, 'fw'), '--name', 'seg');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Verified in part (--allow-unproved): proved on 4 inputs: ops 0-21 bit-exact');
    const plan = JSON.parse(readFileSync(join(out, 'seg.plan.json'), 'utf8'));
    expect(plan.unproved).toEqual([{ op: 22, name: MEDIAPIPE_OP }]);
    const resolver = readFileSync(join(out, 'fw', 'seg_resolver.h'), 'utf8');
    expect(resolver).toContain(`if (resolver.AddCustom("${MEDIAPIPE_OP}", Register_CONVOLUTION2DTRANSPOSEBIAS()) != kTfLiteOk) return kTfLiteError;`);
    expect(resolver).toContain('TFLMRegistration* Register_CONVOLUTION2DTRANSPOSEBIAS();');
  });

  it('without a declaration, emit fails naming the operator and --custom-op', () => {
    const r = tinyseg('optimize', file, '-o', join(scratch, 'undeclared'), '--no-verify', '--emit', join(scratch, 'undeclared', 'fw'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`custom operator '${MEDIAPIPE_OP}' is neither TinySeg's nor shipped with TFLM, so no op resolver can be generated (declare it with --custom-op NAME`);
  });
});
