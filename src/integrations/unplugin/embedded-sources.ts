// The plugin's `emit` option: a JavaScript build also writes the C/C++ and
// linker files a firmware build compiles from the same optimized model, as
// `tinyseg optimize --emit` would, through the same build flow (../build.ts).
// Kept apart from the import path because it is per build, not per import:
// each model's files are written once, and two models must not claim the same
// C name. Files whose text is unchanged are left alone, so a rebuild of an
// unchanged model does not make the firmware build recompile it.

import { basename } from 'node:path';
import { TinysegError } from '../../errors.js';
import { embeddedName, type EmbeddableModel } from '../../emit/emit-embedded.js';
import { emitModel } from '../build.js';
import type { EmitTarget } from './plugin-options.js';

/** Writes models' C sources into one target directory, once per build and content. */
export class EmbeddedSources {
  private readonly target: EmitTarget;
  // Per build: model file and content -> its files being written (a failure fails every import of it); C name -> model file.
  private readonly emitted = new Map<string, Promise<void>>();
  private readonly emittedNames = new Map<string, string>();

  constructor(target: EmitTarget) {
    this.target = target;
  }

  /** A new build: every model is written again (unchanged files keep their timestamps). */
  clear(): void {
    this.emitted.clear();
    this.emittedNames.clear();
  }

  /** Writes a model's C sources once per build and content (`key`); a failure fails every import of it. */
  emitOnce(path: string, key: string, model: EmbeddableModel): Promise<void> {
    const id = `${path}\0${key}`;
    let pending = this.emitted.get(id);
    if (pending === undefined) {
      pending = this.emit(path, model);
      // Awaited by every import of the model; this copy only keeps an unawaited failure from being reported as unhandled.
      pending.catch(() => {});
      this.emitted.set(id, pending);
    }
    return pending;
  }

  private async emit(path: string, model: EmbeddableModel): Promise<void> {
    const target = this.target;
    // Claimed before anything is awaited: imports running side by side see each other's names.
    const name = embeddedName(target.name ?? basename(path));
    const owner = this.emittedNames.get(name);
    if (owner !== undefined && owner !== path) {
      throw new TinysegError('E_USAGE', `emit: the C name '${name}' is already taken by ${owner}`, {
        hint: target.name !== undefined ? 'emitName names every model: use it with one model (include/exclude), or drop it' : 'rename one of the model files',
      });
    }
    this.emittedNames.set(name, path);
    await emitModel(model, model.report.model, {
        name,
        outDir: target.dir,
        profile: target.profile,
        storage: target.storage,
        sections: target.sections,
        ...(target.spillRegion !== undefined ? { spillRegion: target.spillRegion } : {}),
      }, 'keep');
  }
}
