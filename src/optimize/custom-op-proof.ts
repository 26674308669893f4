// What the proof can say about a model with declared custom operators of
// other projects. TinySeg cannot run them: the proof runs a stand-in for each
// (interpreter/custom-op-stand-in.ts) whose outputs are a function of its
// inputs, and checks that every custom operator of the optimized model
// received exactly the inputs it received in the original. So the operators
// before the first custom operator are proved bit-exact outright, the ones
// after it bit-exact given the custom operators' outputs, and the custom
// operators' own outputs not at all: writing such a result takes an explicit
// `allowUnproved`.

import { TinysegError } from '../errors.js';
import type { VerifyResult } from '../interpreter/verify.js';

/** "Convolution2DTransposeBias at op 22, MaxPoolingWithArgmax2D at op 3". */
const named = (ops: VerifyResult['standIns']): string => ops.map((o) => `${o.name} at op ${o.op}`).join(', ');

/** One line: what was proved and what was not, for a proof with stand-ins (opCount: the original's operators). */
export function proofStatement(v: VerifyResult, opCount: number): string {
  const first = Math.min(...v.standIns.map((o) => o.op));
  const after = opCount - first - v.standIns.length;
  const proved = [
    ...(first > 0 ? [`ops 0-${first - 1} bit-exact`] : []),
    ...(after > 0 ? [`the other ${after} bit-exact given the custom operators' outputs`] : []),
  ];
  const n = v.standIns.length;
  return (
    `proved on ${v.cases.length} inputs: ${proved.length > 0 ? `${proved.join(', ')}; ` : ''}` +
    `every custom operator received the same inputs as in the original; ` +
    `not proved: the outputs of ${n} custom operator${n === 1 ? '' : 's'} (${named(v.standIns)}), which TinySeg cannot run`
  );
}

/** The refusal to write a result whose custom operators are not proved, naming them and the option that allows it. */
export function unprovedError(v: VerifyResult, opCount: number, file: string): TinysegError {
  return new TinysegError('E_UNSUPPORTED', `not written: ${proofStatement(v, opCount)}`, {
    file,
    hint: 'pass --allow-unproved (plugin: allowUnproved, CMake: ALLOW_UNPROVED) to write it',
  });
}

/** The refusal when a rewrite reached a custom operator: a TinySeg bug, since no pass may touch one. */
export function customInputsError(v: VerifyResult, file: string): TinysegError {
  return new TinysegError(
    'E_PLAN',
    `a custom operator (${named(v.standIns)}) received other inputs in the optimized model than in the original in ${v.customInputMismatches} of ${v.cases.length} proof inputs; nothing was written`,
    { file, hint: 'this is a TinySeg bug: please report it with the model' },
  );
}
