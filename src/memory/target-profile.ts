// A target profile: the memories of one board, where the emitted linker
// fragment puts the model and the spill region, and the figures (bandwidth,
// flash page/sector sizes, erase and program times, endurance) that say what
// spilling to each of them costs. Profiles come from users' JSON files, so
// validation is strict: an unknown key or a wrong type is an E_USAGE error
// naming the file and the key. docs/target-profile.md is the schema.

import { TinysegError } from '../errors.js';
import { DEFAULT_KERNEL_SET, defaultKernelSetForCpu, isaOfCpu, KERNEL_SETS, kernelsFor, type Kernels, type KernelSet } from '../ops/kernel-sets.js';

export const TARGET_PROFILE_SCHEMA = 'tinyseg.target/1';

export interface SramSpec {
  /** Start address, when the profile knows it (informational). */
  base?: number;
  size: number;
}

export interface PsramSpec {
  base: number;
  size: number;
  /** The vendor linker script's MEMORY region for this memory, where the fragment places the spill region (default DEFAULT_REGIONS.psram). */
  region?: string;
  /** Sustained copy bandwidth between SRAM and this memory. */
  bytesPerSecond: number;
}

export interface FlashSpec {
  base: number;
  size: number;
  /** The vendor linker script's MEMORY region for this memory (default DEFAULT_REGIONS.flash / .internalFlash). */
  region?: string;
  pageBytes: number;
  sectorBytes: number;
  /** Time to erase one sector. */
  sectorEraseMicros: number;
  /** Time to program one page. */
  pageProgramMicros: number;
  /** Erase/program cycles a sector survives. */
  enduranceCycles: number;
  /** Sustained memory-mapped read bandwidth. */
  readBytesPerSecond: number;
}

export interface LinkSpec {
  bytesPerSecond: number;
}

export interface TargetProfile {
  name: string;
  description?: string;
  /** GCC -mcpu name, e.g. cortex-m4. */
  cpu: string;
  /** The kernel library the firmware links; absent: by the cpu (Cortex-M with DSP or MVE: cmsis-nn, else reference). */
  kernels?: KernelSet;
  sram: SramSpec;
  psram?: PsramSpec;
  flash?: FlashSpec;
  /** The part of the MCU's own flash a spill region may use (`--storage internal-flash`). */
  internalFlash?: FlashSpec;
  link?: LinkSpec;
  /** Figures that are assumed rather than measured or specified by the board. */
  assumptions?: string[];
}

type FieldKind = 'address' | 'size' | 'count' | 'string' | 'strings';

const FLASH_FIELDS = {
  base: ['address', true],
  size: ['size', true],
  region: ['string', false],
  pageBytes: ['size', true],
  sectorBytes: ['size', true],
  sectorEraseMicros: ['count', true],
  pageProgramMicros: ['count', true],
  enduranceCycles: ['count', true],
  readBytesPerSecond: ['count', true],
} as const satisfies Record<string, readonly [FieldKind, boolean]>;

const MEMORY_FIELDS = {
  sram: { base: ['address', false], size: ['size', true] },
  psram: { base: ['address', true], size: ['size', true], bytesPerSecond: ['count', true], region: ['string', false] },
  flash: FLASH_FIELDS,
  internalFlash: FLASH_FIELDS,
  link: { bytesPerSecond: ['count', true] },
} as const satisfies Record<string, Record<string, readonly [FieldKind, boolean]>>;

const TOP_FIELDS = {
  schema: ['string', false],
  name: ['string', true],
  description: ['string', false],
  cpu: ['string', true],
  kernels: ['string', false],
  assumptions: ['strings', false],
} as const satisfies Record<string, readonly [FieldKind, boolean]>;

const MEMORIES = ['sram', 'psram', 'flash', 'internalFlash', 'link'] as const;
const REQUIRED_MEMORIES: ReadonlySet<string> = new Set(['sram']);

/** The MEMORY region names the linker fragment places into when a profile names none. */
export const DEFAULT_REGIONS = { psram: 'PSRAM', flash: 'EXTFLASH', internalFlash: 'IFLASH' } as const;

/** A GNU ld MEMORY region name the fragment can use as it is: an identifier, not an ld keyword. */
export function isLinkerRegionName(s: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(s) && !LD_KEYWORDS.has(s.toUpperCase());
}
const LD_KEYWORDS: ReadonlySet<string> = new Set(
  'ABSOLUTE ADDR ALIGN ALIGNOF ASSERT AT BLOCK CONSTANT DEFINED END ENTRY FILL GROUP INCLUDE INPUT INSERT KEEP LENGTH LOADADDR MAX MEMORY MIN NEXT NOLOAD ORIGIN OUTPUT PROVIDE SECTIONS SIZEOF'.split(' '),
);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks a parsed JSON value against the schema; every error names `file` and the key. */
export function parseTargetProfile(value: unknown, file: string): TargetProfile {
  const fail = (message: string): never => {
    throw new TinysegError('E_USAGE', `target profile: ${message}`, { file, hint: 'see docs/target-profile.md' });
  };
  if (!isRecord(value)) fail('must be a JSON object');
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!(key in TOP_FIELDS) && !(MEMORIES as readonly string[]).includes(key)) fail(`unknown key '${key}'`);
  }
  const top = readFields(obj, TOP_FIELDS, '', fail);
  if (top.schema !== undefined && top.schema !== TARGET_PROFILE_SCHEMA) fail(`'schema' must be '${TARGET_PROFILE_SCHEMA}', got '${String(top.schema)}'`);
  if (top.name === '') fail(`'name' must not be empty`);

  const profile: Record<string, unknown> = { name: top.name, cpu: top.cpu };
  if (top.kernels !== undefined) {
    if (!(KERNEL_SETS as readonly unknown[]).includes(top.kernels)) fail(`'kernels' must be one of ${KERNEL_SETS.join(', ')}, got '${String(top.kernels)}'`);
    profile.kernels = top.kernels;
  }
  if (top.description !== undefined) profile.description = top.description;
  if (top.assumptions !== undefined) profile.assumptions = top.assumptions;
  for (const memory of MEMORIES) {
    const v = obj[memory];
    if (v === undefined) {
      if (REQUIRED_MEMORIES.has(memory)) fail(`missing key '${memory}'`);
      continue;
    }
    if (!isRecord(v)) fail(`'${memory}' must be an object`);
    const fields: Record<string, readonly [FieldKind, boolean]> = MEMORY_FIELDS[memory];
    for (const key of Object.keys(v as object)) if (!(key in fields)) fail(`unknown key '${memory}.${key}'`);
    profile[memory] = readFields(v as Record<string, unknown>, fields, `${memory}.`, fail);
  }
  const p = profile as unknown as TargetProfile;
  checkConsistent(p, fail);
  return p;
}

/**
 * The kernels a build for `target` links: `set` (--kernels) > the profile's
 * `kernels` > by its cpu; the ISA is the cpu's (a DSP core when it is not a known Cortex-M).
 * Without a target: `set`, or the reference kernels.
 */
export function kernelsForTarget(target: TargetProfile | undefined, set?: KernelSet): Kernels {
  if (!target) return kernelsFor(set ?? DEFAULT_KERNEL_SET);
  return kernelsFor(set ?? target.kernels ?? defaultKernelSetForCpu(target.cpu), isaOfCpu(target.cpu));
}

/** Parses the text of a profile file (JSON). */
export function parseTargetProfileJson(text: string, file: string): TargetProfile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new TinysegError('E_USAGE', `target profile is not valid JSON: ${(e as Error).message}`, { file, hint: 'see docs/target-profile.md' });
  }
  return parseTargetProfile(value, file);
}

function readFields(
  obj: Record<string, unknown>,
  fields: Record<string, readonly [FieldKind, boolean]>,
  prefix: string,
  fail: (m: string) => never,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, [kind, required]] of Object.entries(fields)) {
    const v = obj[key];
    const name = `${prefix}${key}`;
    if (v === undefined) {
      if (required) fail(`missing key '${name}'`);
      continue;
    }
    out[key] = readField(v, kind, name, fail);
  }
  return out;
}

function readField(v: unknown, kind: FieldKind, name: string, fail: (m: string) => never): unknown {
  if (kind === 'string') {
    if (typeof v !== 'string') fail(`'${name}' must be a string`);
    return v;
  }
  if (kind === 'strings') {
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) fail(`'${name}' must be an array of strings`);
    return [...(v as string[])];
  }
  // Addresses and sizes may be written as "0x..." strings: JSON has no hex numbers.
  const n = kind !== 'count' && typeof v === 'string' && /^0x[0-9a-f]{1,8}$/i.test(v) ? Number.parseInt(v.slice(2), 16) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    fail(`'${name}' must be a non-negative integer${kind === 'count' ? '' : ' or a "0x..." string'}, got ${JSON.stringify(v)}`);
  }
  const value = n as number;
  if (kind !== 'count' && value > 0xffffffff) fail(`'${name}' must fit 32 bits, got ${value}`);
  if (kind === 'size' && value === 0) fail(`'${name}' must be greater than 0`);
  if (kind === 'count' && value === 0) fail(`'${name}' must be greater than 0`);
  return value;
}

function checkConsistent(p: TargetProfile, fail: (m: string) => never): void {
  const ranges: { key: string; base: number; size: number }[] = [];
  if (p.sram.base !== undefined) ranges.push({ key: 'sram', ...p.sram, base: p.sram.base });
  if (p.psram) ranges.push({ key: 'psram', base: p.psram.base, size: p.psram.size });
  if (p.flash) ranges.push({ key: 'flash', base: p.flash.base, size: p.flash.size });
  if (p.internalFlash) ranges.push({ key: 'internalFlash', base: p.internalFlash.base, size: p.internalFlash.size });
  for (const r of ranges) if (r.base + r.size > 0x1_0000_0000) fail(`'${r.key}' ends past the 32-bit address space`);
  for (let i = 0; i < ranges.length; i++) {
    for (let j = i + 1; j < ranges.length; j++) {
      const a = ranges[i]!;
      const b = ranges[j]!;
      if (a.base < b.base + b.size && b.base < a.base + a.size) fail(`'${a.key}' and '${b.key}' overlap`);
    }
  }
  for (const key of ['psram', 'flash', 'internalFlash'] as const) {
    const region = p[key]?.region;
    if (region !== undefined && !isLinkerRegionName(region)) fail(`'${key}.region' must be a linker MEMORY region name ([A-Za-z_][A-Za-z0-9_]*, not an ld keyword), got ${JSON.stringify(region)}`);
  }
  for (const key of ['flash', 'internalFlash'] as const) {
    const f = p[key];
    if (!f) continue;
    if (f.sectorBytes % f.pageBytes !== 0) fail(`'${key}.sectorBytes' must be a multiple of '${key}.pageBytes'`);
    if (f.size % f.sectorBytes !== 0) fail(`'${key}.size' must be a multiple of '${key}.sectorBytes'`);
    if (f.base % f.sectorBytes !== 0) fail(`'${key}.base' must be aligned to '${key}.sectorBytes'`);
  }
}

const MB = 1024 * 1024;

/**
 * QEMU models every MPS2 memory as plain RAM with no timing and no flash. The
 * timing figures below are therefore assumptions, stated in the profile.
 */
const MPS2_ASSUMPTIONS = [
  'QEMU models no NOR flash: 1.5 MB of the 4 MB code SSRAM (0x00200000) stands in for external flash and its last 512 KB (0x00380000) for the part of the on-chip flash a spill region may use; the vendor linker script must keep code below 0x00200000',
  'QEMU models no memory timing: bandwidths are those of the MPS2 FPGA at 25 MHz (32-bit SSRAM: 100 MB/s; 16-bit PSRAM: 50 MB/s)',
  'flash page/sector sizes, erase and program times, endurance and read bandwidth are typical quad-SPI NOR figures (256 B pages, 4 KB sectors, 45 ms sector erase, 0.7 ms page program, 100k cycles, 4 lanes at 25 MHz)',
  'on-chip flash figures are typical of Cortex-M4 parts (16 KB sectors, 250 ms sector erase, 1 ms per 256 B programmed, 10k cycles, read at the bus speed)',
  'the remote link is a 115200 baud UART (8N1: 11520 bytes/s)',
];

function mps2(name: string, cpu: string, psramBase: number, description: string): TargetProfile {
  return {
    name,
    description,
    cpu,
    sram: { base: 0x2000_0000, size: 4 * MB },
    psram: { base: psramBase, size: 16 * MB, bytesPerSecond: 50_000_000, region: DEFAULT_REGIONS.psram },
    flash: {
      base: 0x0020_0000,
      size: 1.5 * MB,
      region: DEFAULT_REGIONS.flash,
      pageBytes: 256,
      sectorBytes: 4096,
      sectorEraseMicros: 45_000,
      pageProgramMicros: 700,
      enduranceCycles: 100_000,
      readBytesPerSecond: 12_500_000,
    },
    internalFlash: {
      base: 0x0038_0000,
      size: 512 * 1024,
      region: DEFAULT_REGIONS.internalFlash,
      pageBytes: 256,
      sectorBytes: 16 * 1024,
      sectorEraseMicros: 250_000,
      pageProgramMicros: 1_000,
      enduranceCycles: 10_000,
      readBytesPerSecond: 100_000_000,
    },
    link: { bytesPerSecond: 11_520 },
    assumptions: MPS2_ASSUMPTIONS,
  };
}

/**
 * QEMU's MPS3 AN547 (Cortex-M55 on an SSE-300): 4 MB SRAM at 0x21000000 and the
 * DDR at 0x60000000 in the PSRAM role; no writable flash (QEMU exposes the QSPI
 * flash as ROM), so the profile has none.
 */
const AN547_ASSUMPTIONS = [
  'the PSRAM role is the first 16 MB of the DDR at 0x60000000 (QEMU models 2 GB there)',
  'QEMU models no memory timing: the DDR bandwidth is an assumed 100 MB/s',
  'QEMU exposes the QSPI flash (0x28000000) as ROM, so the profile has no flash: --storage psram or remote only',
  'the remote link is a 115200 baud UART (8N1: 11520 bytes/s)',
];

function mps3An547(): TargetProfile {
  return {
    name: 'mps3-an547',
    description: 'Arm MPS3 AN547 (Cortex-M55, SSE-300) as QEMU -M mps3-an547 models it',
    cpu: 'cortex-m55',
    sram: { base: 0x2100_0000, size: 4 * MB },
    psram: { base: 0x6000_0000, size: 16 * MB, bytesPerSecond: 100_000_000, region: DEFAULT_REGIONS.psram },
    link: { bytesPerSecond: 11_520 },
    assumptions: AN547_ASSUMPTIONS,
  };
}

const BUILTIN: ReadonlyMap<string, TargetProfile> = new Map([
  ['mps2-an386', mps2('mps2-an386', 'cortex-m4', 0x2100_0000, 'Arm MPS2 AN386 (Cortex-M4) as QEMU -M mps2-an386 models it')],
  ['mps2-an500', mps2('mps2-an500', 'cortex-m7', 0x6000_0000, 'Arm MPS2 AN500 (Cortex-M7) as QEMU -M mps2-an500 models it')],
  ['mps2-an385', mps2('mps2-an385', 'cortex-m3', 0x2100_0000, 'Arm MPS2 AN385 (Cortex-M3) as QEMU -M mps2-an385 models it')],
  ['mps3-an547', mps3An547()],
]);

export const BUILTIN_TARGET_NAMES: readonly string[] = [...BUILTIN.keys()];

/** A built-in profile by name (a fresh copy), or undefined. */
export function builtinTargetProfile(name: string): TargetProfile | undefined {
  const p = BUILTIN.get(name);
  return p === undefined ? undefined : (structuredClone(p) as TargetProfile);
}
