// Target profiles: the built-ins match QEMU's MPS2 memory maps, and user
// profiles are validated strictly, every error naming the file and the key.

import { describe, expect, it } from 'vitest';
import { TinysegError } from '../../src/errors.js';
import { BUILTIN_TARGET_NAMES, builtinTargetProfile, kernelsForTarget, parseTargetProfile, parseTargetProfileJson } from '../../src/memory/target-profile.js';

const FILE = 'boards/my-board.json';

const valid = () => ({
  schema: 'tinyseg.target/1',
  name: 'my-board',
  cpu: 'cortex-m7',
  sram: { size: 524288 },
  psram: { base: '0x60000000', size: '0x00800000', bytesPerSecond: 80000000 },
  flash: {
    base: 0x90000000,
    size: 16777216,
    pageBytes: 256,
    sectorBytes: 4096,
    sectorEraseMicros: 30000,
    pageProgramMicros: 400,
    enduranceCycles: 100000,
    readBytesPerSecond: 40000000,
  },
  link: { bytesPerSecond: 1000000 },
});

function usageError(value: unknown): TinysegError {
  try {
    parseTargetProfile(value, FILE);
  } catch (e) {
    expect(e).toBeInstanceOf(TinysegError);
    expect((e as TinysegError).code).toBe('E_USAGE');
    expect((e as TinysegError).file).toBe(FILE);
    return e as TinysegError;
  }
  throw new Error(`no error for ${JSON.stringify(value)}`);
}

describe('built-in target profiles', () => {
  it('mps2-an386: Cortex-M4, 4 MB SRAM at 0x20000000, 16 MB PSRAM at 0x21000000, external and on-chip flash in the code SSRAM', () => {
    const p = builtinTargetProfile('mps2-an386')!;
    expect(p).toMatchObject({ cpu: 'cortex-m4', sram: { base: 0x20000000, size: 4 << 20 }, psram: { base: 0x21000000, size: 16 << 20 } });
    // Above the code the vendor script keeps below 2 MB, up to the end of the 4 MB code SSRAM.
    expect(p.flash!.base).toBe(2 << 20);
    expect(p.flash!.base + p.flash!.size).toBe(p.internalFlash!.base);
    expect(p.internalFlash!.base + p.internalFlash!.size).toBe(4 << 20);
    expect(p.assumptions!.join(' ')).toMatch(/QEMU models no NOR flash/);
  });

  it('mps2-an500: Cortex-M7, PSRAM at 0x60000000', () => {
    expect(builtinTargetProfile('mps2-an500')).toMatchObject({ cpu: 'cortex-m7', psram: { base: 0x60000000, size: 16 << 20 } });
  });

  it('mps2-an385: Cortex-M3 (no DSP: CMSIS-NN has no DSP or MVE code for it), the AN386 memory map', () => {
    const p = builtinTargetProfile('mps2-an385')!;
    expect(p).toMatchObject({ cpu: 'cortex-m3', sram: { base: 0x20000000, size: 4 << 20 }, psram: { base: 0x21000000, size: 16 << 20 } });
    expect(kernelsForTarget(p, 'cmsis-nn')).toEqual({ set: 'cmsis-nn', isa: 'none' });
  });

  it('mps3-an547: Cortex-M55 (MVE), SRAM at 0x21000000, the DDR at 0x60000000 as PSRAM, no flash (QEMU has it as ROM)', () => {
    const p = builtinTargetProfile('mps3-an547')!;
    expect(p).toMatchObject({ cpu: 'cortex-m55', sram: { base: 0x21000000, size: 4 << 20 }, psram: { base: 0x60000000, size: 16 << 20 } });
    expect(p.flash).toBeUndefined();
    expect(p.internalFlash).toBeUndefined();
    expect(kernelsForTarget(p)).toEqual({ set: 'cmsis-nn', isa: 'mve' });
  });

  it('every built-in passes its own validation and is a fresh copy', () => {
    for (const name of BUILTIN_TARGET_NAMES) {
      const p = builtinTargetProfile(name)!;
      expect(parseTargetProfile(JSON.parse(JSON.stringify(p)), `${name}.json`)).toEqual(p);
      p.sram.size = 1;
      expect(builtinTargetProfile(name)!.sram.size).toBe(4 << 20);
    }
    expect(builtinTargetProfile('no-such-board')).toBeUndefined();
  });
});

describe('parseTargetProfile', () => {
  it('accepts a full profile, hex strings for addresses and sizes', () => {
    const p = parseTargetProfile(valid(), FILE);
    expect(p.psram).toEqual({ base: 0x60000000, size: 0x800000, bytesPerSecond: 80000000 });
    expect(p.flash!.base).toBe(0x90000000);
  });

  it('rejects unknown keys, naming them', () => {
    expect(usageError({ ...valid(), ram: {} }).message).toMatch(/unknown key 'ram'/);
    const v = valid();
    (v.flash as Record<string, unknown>).eraseTime = 5;
    expect(usageError(v).oneLine()).toMatch(/^boards\/my-board\.json: target profile: unknown key 'flash\.eraseTime'/);
  });

  it('rejects wrong types and missing keys, naming the key', () => {
    const cases: [(v: ReturnType<typeof valid>) => unknown, RegExp][] = [
      [(v) => ({ ...v, name: 7 }), /'name' must be a string/],
      [(v) => ({ ...v, sram: { size: '512k' } }), /'sram\.size' must be a non-negative integer/],
      [(v) => ({ ...v, sram: { size: -1 } }), /'sram\.size' must be a non-negative integer/],
      [(v) => ({ ...v, sram: { size: 1.5 } }), /'sram\.size'/],
      [(v) => ({ ...v, sram: { size: 0 } }), /'sram\.size' must be greater than 0/],
      [(v) => ({ ...v, sram: 4096 }), /'sram' must be an object/],
      [(v) => ({ ...v, psram: { ...v.psram, bytesPerSecond: '0x10' } }), /'psram\.bytesPerSecond' must be a non-negative integer, got "0x10"/],
      [(v) => ({ ...v, psram: { ...v.psram, base: '0x100000000' } }), /'psram\.base'/],
      [(v) => ({ ...v, flash: { ...v.flash, enduranceCycles: undefined } }), /missing key 'flash\.enduranceCycles'/],
      [(v) => ({ ...v, sram: undefined }), /missing key 'sram'/],
      [(v) => ({ ...v, cpu: undefined }), /missing key 'cpu'/],
      [(v) => ({ ...v, schema: 'tinyseg.target/2' }), /'schema' must be 'tinyseg\.target\/1'/],
      [(v) => ({ ...v, assumptions: ['ok', 3] }), /'assumptions' must be an array of strings/],
      [() => [], /must be a JSON object/],
    ];
    for (const [make, message] of cases) expect(usageError(make(valid())).message, String(message)).toMatch(message);
  });

  it('rejects inconsistent memories', () => {
    expect(usageError({ ...valid(), flash: { ...valid().flash, sectorBytes: 1000 } }).message).toMatch(/'flash\.sectorBytes' must be a multiple of 'flash\.pageBytes'/);
    expect(usageError({ ...valid(), flash: { ...valid().flash, base: 0x90000800 } }).message).toMatch(/'flash\.base' must be aligned/);
    expect(usageError({ ...valid(), psram: { ...valid().psram, base: 0x90001000 } }).message).toMatch(/'psram' and 'flash' overlap/);
    expect(usageError({ ...valid(), flash: { ...valid().flash, base: 0xfff00000 } }).message).toMatch(/'flash' ends past the 32-bit address space/);
  });

  it('reports JSON syntax errors with the file', () => {
    expect(() => parseTargetProfileJson('{"name": ', FILE)).toThrow(/target profile is not valid JSON/);
    try {
      parseTargetProfileJson('{', FILE);
    } catch (e) {
      expect((e as TinysegError).file).toBe(FILE);
    }
  });
});
