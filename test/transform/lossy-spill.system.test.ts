// The arena header of a --lossy-spill int8 model, which says in comments that
// the model is lossy and by how much, still compiles as C.

import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { emitEmbedded } from '../../src/emit/emit-embedded.js';
import { saveGraph } from '../../src/graph/graph.js';
import { builtinTargetProfile } from '../../src/memory/target-profile.js';
import { optimize } from '../../src/optimize/optimize.js';
import { skipModel } from '../helpers/skip-model.js';

describe('the arena header of a lossy model', () => {
  it('compiles with gcc', () => {
    const lossy = optimize(saveGraph(skipModel('add')), { lossySpill: 'int8', verify: { inputs: 1 } });
    const header = emitEmbedded(lossy, { name: 'skip', profile: builtinTargetProfile('mps2-an386')!, sections: false, storage: 'psram' })['skip_arena.h']!;
    expect(header).toContain('LOSSY');
    execFileSync('gcc', ['-fsyntax-only', '-x', 'c', '-'], { input: header, stdio: ['pipe', 'pipe', 'pipe'] });
  });
});
