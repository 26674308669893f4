// The plugin's `emit` option: a JavaScript build also writes the C/C++ and
// linker files a firmware build compiles from the same optimized model, as
// `tinyseg optimize --emit` would. Kept apart from the import path because
// it is per build, not per import: each model's files are written once, and
// two models must not claim the same C name.

import { basename } from 'node:path';
import { TinysegError } from '../../errors.js';
import { embeddedName, emitEmbedded, type EmbeddableModel } from '../../emit/emit-embedded.js';
import { writeChangedFiles } from '../write-changed.js';
import type { EmitTarget } from './plugin-options.js';

/** Writes models' C sources into one target directory, once per build and content. */
export class EmbeddedSources {
  private readonly target: EmitTarget;
  // Per build: model file and content -> null once its C sources are written, else why not; C name -> model file.
  private readonly emitted = new Map<string, unknown>();
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
  emitOnce(path: string, key: string, model: EmbeddableModel): void {
    const target = this.target;
    const id = `${path}\0${key}`;
    if (!this.emitted.has(id)) {
      let problem: unknown = null;
      try {
        const name = embeddedName(target.name ?? basename(path));
        const owner = this.emittedNames.get(name);
        if (owner !== undefined && owner !== path) {
          throw new TinysegError('E_USAGE', `emit: the C name '${name}' is already taken by ${owner}`, {
            hint: target.name !== undefined ? 'emitName names every model: use it with one model (include/exclude), or drop it' : 'rename one of the model files',
          });
        }
        this.emittedNames.set(name, path);
        writeChangedFiles(emitEmbedded(model, { name, outDir: target.dir, profile: target.profile, storage: target.storage, sections: target.sections }));
      } catch (e) {
        problem = e;
      }
      this.emitted.set(id, problem);
    }
    const problem = this.emitted.get(id);
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrows what emitting this model threw, as it was
    if (problem !== null) throw problem;
  }
}
