// Multi-subgraph and state operators: IF, WHILE and CALL_ONCE run other
// subgraphs by index; VAR_HANDLE, ASSIGN_VARIABLE and READ_VARIABLE keep
// state in TFLM's resource variables (resources.ts). TFLM 90b983c's
// allocations for them, 32-bit target: their option structs, their Init op
// data, the temps their Prepare fetches. ASSIGN_VARIABLE's resource buffers
// depend on the whole graph (which handle reaches it), so the tail replay
// takes them from resourcePlan, not from this record.

import type { OpInfo } from '../op-info.js';
import { kernels } from './kernel.js';

export { resourcePlan, ResourceVariables, type ResourcePlan } from './resources.js';

/** Op data modelled: Init's `init` bytes (none when absent); Prepare's temp tensors. */
const known = (prepareTemps: string, init?: number): OpInfo['memory'] => ({
  reference: { prepareTemps, opData: init === undefined ? {} : { init } },
});

export const ops: readonly OpInfo[] = [
  // TfLiteIfParams / TfLiteWhileParams: two subgraph indices; OpData the same two ints. IF fetches the condition.
  { key: 'IF', kernel: kernels['IF'], builtinParams: [8, 4], memory: known('i0', 8) },
  { key: 'WHILE', kernel: kernels['WHILE'], builtinParams: [8, 4], memory: known('', 8) },
  // TfLiteCallOnceParams: the index; OpData: the index and a has-run flag.
  { key: 'CALL_ONCE', kernel: kernels['CALL_ONCE'], builtinParams: [4, 4], memory: known('', 8) },
  // TfLiteVarHandleParams: two string pointers; OpData: the resource id.
  { key: 'VAR_HANDLE', kernel: kernels['VAR_HANDLE'], builtinParams: [8, 4], builtinParams64: [16, 8], memory: known('', 4) },
  // No options struct, no Init (without USE_TFLM_COMPRESSION); Prepare fetches the value (ASSIGN) or the handle (READ).
  { key: 'ASSIGN_VARIABLE', kernel: kernels['ASSIGN_VARIABLE'], memory: known('i1') },
  { key: 'READ_VARIABLE', kernel: kernels['READ_VARIABLE'], memory: known('i0') },
];
