// <name>_sections.ld: a GNU ld script given as a second -T after the vendor's.
// It declares no MEMORY: it places the model's section and the spill region
// (NOLOAD) into MEMORY regions the vendor script declares, named by the target
// profile (psram.region, flash.region, internalFlash.region) or by the caller,
// so ld allocates them after anything the vendor placed in the same region.
// __tinyseg_<name>_spill_start/_end mark the spill region for the runtime;
// ASSERTs fail the link when a section does not fit what is left of its
// region or lands outside the profile's memory. Null when there is nothing to place.

import { TinysegError } from '../errors.js';
import { DEFAULT_REGIONS, isLinkerRegionName, type TargetProfile } from '../memory/target-profile.js';
import { cComment, ldNumber } from './c-text.js';
import type { StoragePlan } from '../memory/spill-storage.js';
import { renderTemplateFile } from './template.js';

export interface LinkerFragmentInput {
  id: string;
  macro: string;
  source: string;
  profile: TargetProfile;
  /** The model array has its own section (.tinyseg.model.<id>). */
  sections: boolean;
  modelBytes: number;
  storage: StoragePlan;
  /** The MEMORY region for the spill region, instead of the profile's. */
  spillRegion?: string;
  file: string;
}

interface Memory {
  kind: string;
  base: number;
  size: number;
  region: string;
  align: number;
}

/** Where the spill region goes for a storage, or null when it is not linked (none, or remote). */
function spillMemory(l: LinkerFragmentInput): Memory | null {
  if (l.storage.reservedBytes === 0) return null;
  const p = l.profile;
  const s = l.storage.storage;
  const m =
    s === 'psram' && p.psram
      ? { kind: 'external RAM', ...p.psram, region: p.psram.region ?? DEFAULT_REGIONS.psram, align: 16 }
      : s === 'flash' && p.flash
        ? { kind: 'external flash', ...p.flash, region: p.flash.region ?? DEFAULT_REGIONS.flash, align: p.flash.sectorBytes }
        : s === 'internal-flash' && p.internalFlash
          ? { kind: 'on-chip flash', ...p.internalFlash, region: p.internalFlash.region ?? DEFAULT_REGIONS.internalFlash, align: p.internalFlash.sectorBytes }
          : null;
  if (m === null) return null;
  return { kind: m.kind, base: m.base, size: m.size, region: l.spillRegion ?? m.region, align: m.align };
}

export function linkerFragment(l: LinkerFragmentInput): string | null {
  if (l.spillRegion !== undefined && !isLinkerRegionName(l.spillRegion)) {
    throw new TinysegError('E_USAGE', `spill region '${cComment(l.spillRegion)}' is not a linker MEMORY region name`, { file: l.file, hint: 'use [A-Za-z_][A-Za-z0-9_]*, not an ld keyword' });
  }
  const spill = spillMemory(l);
  if (!l.sections && spill === null) return null;
  const flash = l.profile.flash;
  if (l.sections) {
    if (!flash) throw new TinysegError('E_USAGE', `placing the model in its own section needs 'flash' in target profile '${l.profile.name}'`, { file: l.file });
    if (l.modelBytes > flash.size) {
      throw new TinysegError('E_PLAN', `the model (${l.modelBytes} bytes) does not fit ${l.profile.name}'s flash (${flash.size} bytes)`, { file: l.file });
    }
  }
  const model: Memory | null = l.sections && flash ? { kind: 'external flash', base: flash.base, size: flash.size, region: flash.region ?? DEFAULT_REGIONS.flash, align: 16 } : null;
  const last = (m: Memory | null): string => ldNumber(m === null ? 0 : m.base + m.size - 1);
  const regionLines = [
    ...(model ? [`${model.region}: ${l.id}_model (${l.modelBytes} bytes), in the ${model.kind} at ${ldNumber(model.base)}`] : []),
    ...(spill ? [`${spill.region}: the spill region (${l.storage.reservedBytes} bytes, NOLOAD), in the ${spill.kind} at ${ldNumber(spill.base)}`] : []),
  ];
  return renderTemplateFile('sections.ld.tpl', {
    source: cComment(l.source),
    target: cComment(`${l.profile.name} (${l.profile.cpu})`),
    id: l.id,
    regionLines: regionLines.map((r) => ` *   ${cComment(r)}\n`).join(''),
    placeModel: model !== null,
    modelBytes: String(l.modelBytes),
    modelBytesHex: ldNumber(l.modelBytes),
    modelRegion: model?.region ?? '',
    modelMemKind: model?.kind ?? '',
    modelMemBase: ldNumber(model?.base ?? 0),
    modelMemLast: last(model),
    spill: spill !== null,
    spillNote: cComment(
      spill?.kind === 'external RAM'
        ? 'The spill region: written and read at run time, never loaded.'
        : `The spill region in ${spill?.kind ?? 'flash'}: whole sectors, so erasing it touches nothing else.`,
    ),
    spillAlign: ldNumber(spill?.align ?? 16),
    spillReserved: ldNumber(l.storage.reservedBytes),
    spillReservedDec: String(l.storage.reservedBytes),
    spillRegion: spill?.region ?? '',
    spillMemKind: spill?.kind ?? '',
    spillMemBase: ldNumber(spill?.base ?? 0),
    spillMemLast: last(spill),
  });
}
