// The runtime files --emit writes next to the model: TinySeg's C99 spill
// runtime and its TFLM kernels, copied from templates/runtime/ as they are
// (the same for every model), the generated tinyseg_tflm_kernels.h, and
// <name>_tinyseg.h/.c with <name>_tinyseg_init(), the one call that sets the
// runtime up before AllocateTensors(). All of them are written for every
// model, so a build can list its sources before the optimizer has run.

import { readTemplate, renderTemplateFile } from './template.js';
import { cComment, cString } from './c-text.js';
import type { StoragePlan } from '../memory/spill-storage.js';

/** Copied from templates/runtime/ unchanged. */
export const RUNTIME_FILES = ['tinyseg_runtime.h', 'tinyseg_runtime.c', 'tinyseg_tflm_kernels.cc'] as const;

export const runtimeFile = (name: (typeof RUNTIME_FILES)[number]): string => readTemplate(`runtime/${name}`);

/** Transfer block of <name>_tinyseg_init()'s runtime: the kernels' spills are plain, so two blocks are its work buffer. */
export const INIT_BLOCK_BYTES = 512;
/** A model that spills nothing moves no bytes: the smallest block keeps the work buffer at 32 bytes. */
export const INIT_BLOCK_BYTES_EMPTY = 16;

export interface InitInput {
  id: string;
  macro: string;
  source: string;
  storage: StoragePlan;
  regionBytes: number;
}

const STORAGE_DRIVERS: Record<string, string> = {
  flash: 'ts_flash_driver() over your NOR part (ts_flash_init, docs/runtime.md)',
  'internal-flash': "ts_flash_driver() over the MCU's flash primitives (ts_flash_init, docs/runtime.md)",
  remote: 'ts_remote_driver() over your link (docs/runtime.md)',
};

/** <name>_tinyseg.h and <name>_tinyseg.c. */
export function initSources(i: InitInput): { header: string; source: string } {
  const empty = i.regionBytes === 0;
  const linked = !empty && i.storage.storage === 'psram';
  const needsDriver = !empty && !linked;
  const driverNote = empty
    ? ' * The model spills nothing: with NULL the runtime gets a RAM driver over an\n * empty region (the kernels need a runtime all the same).'
    : linked
      ? ` * With NULL: a RAM driver over the region ${i.id}_sections.ld places\n * (__tinyseg_${i.id}_spill_start.._end): link that fragment.`
      : ` * This storage needs your driver: NULL fails with TS_E_ARG. Pass\n * ${cComment(STORAGE_DRIVERS[i.storage.storage] ?? 'a driver of your own')}.`;
  const header = renderTemplateFile('tinyseg_init.h.tpl', {
    source: cComment(i.source),
    id: i.id,
    MACRO: i.macro,
    storage: cComment(i.storage.summary),
    spillRegion: String(i.regionBytes),
    driverNote: `${driverNote}\n`,
    block: `${empty ? INIT_BLOCK_BYTES_EMPTY : INIT_BLOCK_BYTES}u`,
    linked,
  });
  const source = renderTemplateFile('tinyseg_init.c.tpl', {
    source: cComment(i.source),
    id: i.id,
    MACRO: i.macro,
    builtin: !needsDriver,
    empty,
    linked,
    needsDriver,
    sized: !empty,
    needsDriverMessage: cString(`${i.id}_tinyseg_init: the spill region is in ${i.storage.storage} storage: pass its driver, not NULL`),
    notLinkedMessage: cString(`${i.id}_tinyseg_init: the spill region is not linked: link ${i.id}_sections.ld after the vendor script, or pass a driver`),
    tooSmallMessage: cString(`${i.id}_tinyseg_init: the driver's region is smaller than the ${i.regionBytes} bytes the model spills to`),
  });
  return { header, source };
}
