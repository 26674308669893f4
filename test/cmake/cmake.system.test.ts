// The CMake package (cmake/TinySegConfig.cmake) as a user gets it from npm:
// a copy of the package files in <tmp>/node_modules/tinyseg, found through
// CMAKE_PREFIX_PATH. examples/cmake-firmware is configured and built with the
// real cmake, Ninja and Make and arm-none-eabi-gcc, and runs under QEMU; the
// custom command runs when (and only when) the model, TinySeg or an option
// changed.

import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireTools, runFirmware } from '../firmware/harness.js';
import { repoRoot } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp-dir.js';
import { MEDIAPIPE_OP, unetWithCustomOp } from '../helpers/custom-op-model.js';

const scratch = tempDir('tinyseg-cmake-');
const prefix = join(scratch, 'node_modules');
const pkg = join(prefix, 'tinyseg');
const model = join(scratch, 'models', 'tiny-unet-80x120.tflite');
const example = join(repoRoot, 'examples', 'cmake-firmware');
const env = { ...process.env, CACHE_DIR: join(scratch, 'cache'), NO_COLOR: '1' };
const REGENERATES = 'TinySeg: optimizing tiny-unet-80x120.tflite as tiny_unet';

beforeAll(() => {
  requireTools();
  for (const tool of ['cmake', 'ninja', 'make']) {
    if (spawnSync(tool, ['--version'], { stdio: 'ignore' }).status !== 0) throw new Error(`${tool} not found: the CMake test needs cmake 3.20+, ninja and make`);
  }
  // A copy, not a link to the repo: another build of dist/ during the test
  // must not look like a TinySeg upgrade to the build under test.
  mkdirSync(pkg, { recursive: true });
  for (const entry of ['package.json', 'bin', 'dist', 'cmake', 'templates']) cpSync(join(repoRoot, entry), join(pkg, entry), { recursive: true });
  symlinkSync(join(repoRoot, 'node_modules', 'flatbuffers'), join(prefix, 'flatbuffers'), 'dir');
  mkdirSync(join(scratch, 'models'));
  copyFileSync(join(repoRoot, 'examples', 'models', 'tiny-unet-80x120.tflite'), model);
});

function run(cmd: string, args: string[], cwd = scratch): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 16 << 20 });
  if (r.error) throw r.error;
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function ok(cmd: string, args: string[], cwd?: string): string {
  const r = run(cmd, args, cwd);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status}):\n${r.out}`);
  return r.out;
}

/** Sets a file's mtime to now: newer than every output of an earlier build. */
const touch = (file: string) => utimesSync(file, new Date(), new Date());

/** <NAME>_ARENA_SIZE and <NAME>_SPILL_REGION_SIZE as the generated header defines them. */
function headerFigures(header: string): { arena: number; spill: number } {
  const text = readFileSync(header, 'utf8');
  const value = (name: string) => {
    const m = new RegExp(`#define TINY_UNET_${name} (0x[0-9A-Fa-f]+|\\d+)u`).exec(text);
    if (!m) throw new Error(`${header}: no TINY_UNET_${name}`);
    return Number(m[1]);
  };
  expect(value('ARENA_SIZE')).toBeGreaterThanOrEqual(value('ARENA_HEAD') + value('ARENA_TAIL_ESTIMATE'));
  return { arena: value('ARENA_SIZE'), spill: value('SPILL_REGION_SIZE') };
}

/** Runs fw.elf under QEMU and checks what it printed against the generated files; `spills`: the model must spill. */
function runAndCheck(build: string, spills = true): number {
  const gen = join(build, 'tinyseg', 'tiny_unet');
  const figures = headerFigures(join(gen, 'tiny_unet_arena.h'));
  const r = runFirmware(join(build, 'fw.elf'), 'mps2-an386', 20);
  const fields = Object.fromEntries(
    r.stdout
      .split('\n')
      .filter((l) => l.startsWith('TINYSEG '))
      .flatMap((l) => l.slice(8).trim().split(/\s+/).map((kv) => kv.split('=') as [string, string])),
  );
  expect(r.stdout).not.toContain('FAIL');
  expect(fields['result']).toBe('ok');
  expect(r.status).toBe(0);
  expect(Number(fields['arena_size'])).toBe(figures.arena);
  expect(Number(fields['model_len'])).toBe(statSync(join(gen, 'tiny-unet-80x120.tflite')).size);
  expect(Number(fields['spill_region'])).toBe(figures.spill);
  if (spills) expect(figures.spill).toBeGreaterThan(0);
  // The linker fragment placed the model in the profile's "flash" and the region (if any) in PSRAM.
  expect(fields['model_addr']).toBe('0x00200000');
  if (figures.spill > 0) {
    expect(fields['spill_addr']).toBe('0x21000000');
    expect(Number(fields['stored'])).toBeLessThan(figures.spill);
  }
  return figures.arena;
}

describe('find_package(TinySeg CONFIG)', () => {
  /** Configures a host project whose CMakeLists.txt body is `body`; returns cmake's exit status and output. */
  function configure(name: string, body: string) {
    const dir = join(scratch, 'host', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'CMakeLists.txt'), `cmake_minimum_required(VERSION 3.20)\nproject(host LANGUAGES C CXX)\n${body}\n`);
    writeFileSync(join(dir, 'app.c'), 'int main(void) { return 0; }\n');
    return run('cmake', ['-S', dir, '-B', join(dir, 'build'), '-G', 'Ninja', `-DCMAKE_PREFIX_PATH=${prefix}`]);
  }

  it('is found through CMAKE_PREFIX_PATH=node_modules with the version of package.json', () => {
    const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
    const [major, minor] = version.split('.').map(Number) as [number, number];
    const r = configure(
      'version',
      [
        'find_package(TinySeg CONFIG REQUIRED)',
        'message(STATUS "found=${TinySeg_FOUND} version=${TinySeg_VERSION} dir=${TinySeg_DIR}")',
        `find_package(TinySeg ${major + 1} CONFIG QUIET)`,
        'message(STATUS "next_major=${TinySeg_FOUND}")',
        `find_package(TinySeg ${major}.${minor} CONFIG QUIET)`,
        'message(STATUS "same=${TinySeg_FOUND}")',
      ].join('\n'),
    );
    expect(r.out).toContain(`found=1 version=${version} dir=${join(pkg, 'cmake')}`);
    expect(r.out).toContain('next_major=0');
    expect(r.out).toContain('same=1');
    expect(r.status).toBe(0);
  });

  it('names the generated files as the CLI does, exports their paths and adds the runtime once', () => {
    const r = configure(
      'names',
      [
        'find_package(TinySeg CONFIG REQUIRED)',
        'add_executable(app app.c)',
        `tinyseg_optimize(app MODEL "${model}" NAME "2nd-model.tflite" NO_VERIFY)`,
        `tinyseg_optimize(app MODEL "${model}" WITH_TFLM_KERNELS)`,
        'get_target_property(sources app SOURCES)',
        'list(FILTER sources INCLUDE REGEX "tinyseg_(runtime|tflm_kernels)\\\\.c")',
        'message(STATUS "runtime=${sources}")',
        'message(STATUS "a=${TINYSEG_M_2ND_MODEL_NAME} ${TINYSEG_M_2ND_MODEL_ARENA_HEADER}")',
        'message(STATUS "b=${TINYSEG_TINY_UNET_80X120_NAME} ${TINYSEG_TINY_UNET_80X120_MODEL_SOURCE} [${TINYSEG_TINY_UNET_80X120_LINKER_FRAGMENT}]")',
      ].join('\n'),
    );
    const build = join(scratch, 'host', 'names', 'build');
    expect(r.out).toContain(`a=m_2nd_model ${join(build, 'tinyseg', 'm_2nd_model', 'm_2nd_model_arena.h')}`);
    // The emitted runtime of the first call's directory, once; the kernels once, from the call that asks for them.
    const first = join(build, 'tinyseg', 'm_2nd_model');
    expect(r.out).toContain(`runtime=${join(first, 'tinyseg_runtime.c')};${join(first, 'tinyseg_tflm_kernels.cc')}\n`);
    expect(r.out).toContain(`b=tiny_unet_80x120 ${join(build, 'tinyseg', 'tiny_unet_80x120', 'tiny_unet_80x120_model.cc')} []`);
    expect(r.status).toBe(0);
  });

  it('CUSTOM_OPS declares custom operators of other projects; without ALLOW_UNPROVED the build refuses the unproved model', () => {
    const seg = join(scratch, 'models', 'seg.tflite');
    writeFileSync(seg, unetWithCustomOp(32, 48));
    const call = (extra: string) => `find_package(TinySeg CONFIG REQUIRED)\nadd_executable(app app.c)\ntinyseg_optimize(app MODEL "${seg}" CUSTOM_OPS "${MEDIAPIPE_OP}:scratch=1024,persistent=64" ${extra})`;
    const resolver = (name: string) => join(scratch, 'host', name, 'build', 'tinyseg', 'seg', 'seg_resolver.h');
    // Only the generated header: the custom command runs the CLI with the declaration.
    expect(configure('custom-op-refused', call('')).status).toBe(0);
    const refused = run('ninja', ['-C', join(scratch, 'host', 'custom-op-refused', 'build'), resolver('custom-op-refused')]);
    expect(refused.status).not.toBe(0);
    expect(refused.out).toMatch(/seg\.tflite: not written: .*Convolution2DTransposeBias at op 22.*pass --allow-unproved \(plugin: allowUnproved, CMake: ALLOW_UNPROVED\)/);
    expect(configure('custom-op', call('ALLOW_UNPROVED')).status).toBe(0);
    ok('ninja', ['-C', join(scratch, 'host', 'custom-op', 'build'), resolver('custom-op')]);
    expect(readFileSync(resolver('custom-op'), 'utf8')).toContain(`AddCustom("${MEDIAPIPE_OP}", Register_CONVOLUTION2DTRANSPOSEBIAS())`);
    const options = readFileSync(join(scratch, 'host', 'custom-op', 'build', 'tinyseg', 'seg', 'seg.options'), 'utf8');
    expect(options).toContain(`--custom-op\n${MEDIAPIPE_OP}:scratch=1024,persistent=64\n--allow-unproved\n`);
  });

  it('rejects bad arguments at configure time with one message', () => {
    const cases: [string, RegExp][] = [
      ['tinyseg_optimize(app NAME x)', /tinyseg_optimize\(app\): MODEL <file.tflite> is required/],
      [`tinyseg_optimize(app MODEL "${model}" STORAGE tape)`, /STORAGE must be psram, flash, internal-flash or remote, got 'tape'/],
      [`tinyseg_optimize(app MODEL "${model}" ARENA_BUDGET 10k)`, /ARENA_BUDGET must be a whole number of bytes, got '10k'/],
      [`tinyseg_optimize(app MODEL "${model}" LOSSY_SPILL int4)`, /LOSSY_SPILL takes int8, got 'int4'/],
      [`tinyseg_optimize(app MODEL "${model}" TARGET_PROFILE nope.json)`, /nope\.json: no such target profile file, and not a built-in target \(mps2-an386, mps2-an500, mps2-an385, mps3-an547\)/],
      [`tinyseg_optimize(app MODEL "${model}" SPLIT)`, /unknown arguments 'SPLIT'/],
      ['tinyseg_optimize(app MODEL missing.tflite)', /missing\.tflite: no such model file/],
      [`tinyseg_optimize(nothing MODEL "${model}")`, /no target 'nothing'/],
      [`tinyseg_optimize(app MODEL "${model}")\ntinyseg_optimize(app MODEL "${model}")`, /tiny_unet_80x120_\* is generated twice/],
    ];
    cases.forEach(([call, message], i) => {
      const r = configure(`error-${i}`, `find_package(TinySeg CONFIG REQUIRED)\nadd_executable(app app.c)\n${call}`);
      expect(r.status, call).not.toBe(0);
      // CMake wraps messages at 80 columns.
      expect(r.out.replace(/\s+/g, ' '), call).toMatch(message);
    });
  });
});

describe.each([
  ['Ninja', 'ninja'],
  ['Unix Makefiles', 'make'],
])('examples/cmake-firmware with %s', (generator, tool) => {
  it(
    'builds, runs under QEMU, rebuilds nothing, and regenerates on a changed model, TinySeg or option',
    () => {
      const build = join(scratch, `build-${tool}`);
      const gen = join(build, 'tinyseg', 'tiny_unet');
      const header = join(gen, 'tiny_unet_arena.h');
      const configure = (...defs: string[]) => ok('cmake', ['-S', example, '-B', build, '-G', generator, ...defs]);
      const buildOnce = () => ok('cmake', ['--build', build]);
      const expectNoWork = () => {
        if (tool === 'ninja') expect(ok('ninja', ['-C', build, '-n'])).toContain('ninja: no work to do.');
        const out = buildOnce();
        expect(out).not.toContain(REGENERATES);
        expect(out).not.toContain('Linking');
      };
      const expectRegenerated = (out: string, before: number) => {
        expect(out).toContain(REGENERATES);
        expect(statSync(header).mtimeMs).toBeGreaterThan(before);
      };
      // The optimizer ran (a cache hit) and wrote the same bytes: no output is newer, nothing compiles or links.
      const expectRerunOnly = (out: string) => {
        const mtimes = generated.map((f) => statSync(f).mtimeMs);
        expect(out).toContain(REGENERATES);
        expect(out).not.toMatch(/Building (C|CXX) object/);
        expect(out).not.toContain('Linking');
        expect(generated.map((f) => statSync(f).mtimeMs)).toEqual(mtimes);
      };
      const generated = ['tiny_unet_model.cc', 'tiny_unet_arena.h', 'tiny_unet_tinyseg.c', 'tinyseg_runtime.c'].map((f) => join(gen, f));

      configure(`-DCMAKE_PREFIX_PATH=${prefix}`, `-DTINYSEG_EXAMPLE_MODEL=${model}`, '-DTINYSEG_EXAMPLE_ARENA_BUDGET=');
      expect(readFileSync(join(build, 'CMakeCache.txt'), 'utf8')).toContain(`TinySeg_DIR:PATH=${join(pkg, 'cmake')}`);
      const first = buildOnce();
      expect(first).toContain(REGENERATES);
      // One line from the optimizer, not its report (TINYSEG_VERBOSE prints that); the second generator's build hits the cache.
      const size = headerFigures(header).arena.toLocaleString('en-US');
      expect(first).toMatch(new RegExp(`^tinyseg: ${model}: allocate ${size} B, head [\\d,]+ B -> [\\d,]+ B \\([\\d.]+% less\\), verified bit-exact, wrote ${gen}(, cache hit)?$`, 'm'));
      expect(first).not.toContain('Passes');
      const smallest = runAndCheck(build);

      expectNoWork();

      // A touched model: the optimizer runs again, nothing compiles.
      touch(model);
      expectRerunOnly(buildOnce());
      expectNoWork();

      // Listed only in the depfile: TinySeg itself.
      touch(join(pkg, 'package.json'));
      expectRerunOnly(buildOnce());
      expectNoWork();

      // Another option: the arena budget 230,400 B. The default optimization for the built-in target's
      // CMSIS-NN kernels goes well below it (its TinySegConcatConv runs on CMSIS-NN's conv); with a
      // budget the optimizer stops once the head fits it, so the arena is larger but within it. Row
      // bands through the decoder's DEPTH_TO_SPACE and skip CONCATENATION fit it without a spill.
      const before = statSync(header).mtimeMs;
      configure('-DTINYSEG_EXAMPLE_ARENA_BUDGET=230400');
      const rebuilt = buildOnce();
      expectRegenerated(rebuilt, before);
      expect(rebuilt).toMatch(/Building CXX object .*tiny_unet_model\.cc\.o/);
      expect(rebuilt).toContain('Linking');
      const budgeted = runAndCheck(build, false);
      expect(smallest).toBeLessThan(budgeted);
      expect(readFileSync(join(gen, 'tiny_unet.options'), 'utf8')).toContain('--arena-budget\n230400\n');
      expectNoWork();
    },
    150_000,
  );
});
