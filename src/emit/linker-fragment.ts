// <name>_sections.ld: a GNU ld script given as a second -T after the vendor's.
// It brings its own MEMORY and SECTIONS (INSERT fails after a vendor -T
// script) and places the model's section in the profile's external flash and
// the spill region, NOLOAD, in its external RAM (or external or on-chip flash), with
// __tinyseg_<name>_spill_start/_end for the runtime and ASSERTs that both fit.
// Null when there is nothing to place.

import { TinysegError } from '../errors.js';
import type { TargetProfile } from '../memory/target-profile.js';
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
  file: string;
}

export function linkerFragment(l: LinkerFragmentInput): string | null {
  const spill = l.storage.reservedBytes > 0;
  const spillInRam = spill && l.storage.storage === 'psram';
  const spillInFlash = spill && l.storage.storage === 'flash';
  const spillInInternalFlash = spill && l.storage.storage === 'internal-flash';
  if (!l.sections && !spillInRam && !spillInFlash && !spillInInternalFlash) return null;
  const flash = l.profile.flash;
  const internal = l.profile.internalFlash;
  const psram = l.profile.psram;
  if (l.sections) {
    if (!flash) throw new TinysegError('E_USAGE', `placing the model in its own section needs 'flash' in target profile '${l.profile.name}'`, { file: l.file });
    if (l.modelBytes > flash.size) {
      throw new TinysegError('E_PLAN', `the model (${l.modelBytes} bytes) does not fit ${l.profile.name}'s flash (${flash.size} bytes)`, { file: l.file });
    }
  }
  return renderTemplateFile('sections.ld.tpl', {
    source: cComment(l.source),
    target: cComment(`${l.profile.name} (${l.profile.cpu})`),
    id: l.id,
    MACRO: l.macro,
    flashRegion: l.sections || spillInFlash,
    flashBase: ldNumber(flash?.base ?? 0),
    flashSize: ldNumber(flash?.size ?? 0),
    spillInRam,
    psramBase: ldNumber(psram?.base ?? 0),
    psramSize: ldNumber(psram?.size ?? 0),
    placeModel: l.sections,
    modelBytes: String(l.modelBytes),
    modelBytesHex: ldNumber(l.modelBytes),
    spillInFlash,
    sectorBytes: ldNumber(flash?.sectorBytes ?? 16),
    spillInInternalFlash,
    internalBase: ldNumber(internal?.base ?? 0),
    internalSize: ldNumber(internal?.size ?? 0),
    internalSectorBytes: ldNumber(internal?.sectorBytes ?? 16),
    spillReserved: ldNumber(l.storage.reservedBytes),
  });
}
