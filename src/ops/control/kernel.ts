// Control flow and resource variables, as TFLM 90b983c's if.cc, while.cc,
// call_once.cc, var_handle.cc, assign_variable.cc and read_variable.cc run
// them: a called subgraph's inputs and outputs are its own tensors, and the
// operator copies its tensors into and out of them (kernel_util.cc's
// Copy*ToSubgraph*/CopySubgraphOutputsToOpOutputs, which refuse tensors of
// different byte sizes); a subgraph runs through the interpreter's host.

import { builtinOptions } from '../../graph/op-options.js';
import { defineKernel, elementCount, kernelError, requireInput, type Kernel, type KernelCall, type SubgraphHost, type TensorData } from '../kernel.js';

function hostOf(call: KernelCall, what = 'control flow'): SubgraphHost {
  if (!call.host) throw kernelError(call, `${what} needs the interpreter's subgraphs`);
  return call.host;
}

function checkSubgraph(call: KernelCall, host: SubgraphHost, s: number): void {
  if (!(s >= 0 && s < host.subgraphCount)) throw kernelError(call, `subgraph index ${s} is out of range: the model has ${host.subgraphCount} subgraphs`);
}

function expectEqual(call: KernelCall, what: string, got: number, want: number): void {
  if (got !== want) throw kernelError(call, `${what} (${got}) != ${want}`);
}

/** memcpy between tensors of equal byte size (TFLM's ValidateAndGetTensorSizes), skipped when they share storage. */
function copyTensor(call: KernelCall, from: TensorData, to: TensorData): void {
  if (from.bytes.length !== to.bytes.length) {
    throw kernelError(call, `tensor '${from.tensor.name}' has ${from.bytes.length} bytes but '${to.tensor.name}' has ${to.bytes.length}`);
  }
  if (from.bytes !== to.bytes) to.bytes.set(from.bytes);
}

function copyToSubgraphInputs(call: KernelCall, host: SubgraphHost, from: readonly (TensorData | null)[], s: number): void {
  const inputs = host.subgraphInputs(s);
  expectEqual(call, `subgraph ${s} inputs`, inputs.length, from.length);
  from.forEach((d, i) => copyTensor(call, d ?? requireInput(call, i), inputs[i]!));
}

function copySubgraphOutputs(call: KernelCall, host: SubgraphHost, s: number): void {
  const outputs = host.subgraphOutputs(s);
  if (outputs.length === 0) return;
  expectEqual(call, `subgraph ${s} outputs`, outputs.length, call.outputs.length);
  outputs.forEach((d, i) => copyTensor(call, d, call.outputs[i]!));
}

const boolAt = (d: TensorData): boolean => d.bytes[0] !== 0;

const ifKernel = defineKernel<{ then: number; else: number }>({
  prepare(call) {
    const o = builtinOptions(call.op, 'IfOptions');
    if (call.inputs.length === 0) throw kernelError(call, 'the condition input is missing');
    const cond = requireInput(call, 0);
    if (cond.tensor.dtype !== 'bool') throw kernelError(call, `condition type ${cond.tensor.dtype} != bool`);
    expectEqual(call, 'condition elements', elementCount(cond), 1);
    const host = hostOf(call);
    checkSubgraph(call, host, o.thenSubgraphIndex);
    checkSubgraph(call, host, o.elseSubgraphIndex);
    // TFLM checks the counts against the then branch only.
    expectEqual(call, 'inputs after the condition', call.inputs.length - 1, host.subgraphInputs(o.thenSubgraphIndex).length);
    expectEqual(call, 'outputs', call.outputs.length, host.subgraphOutputs(o.thenSubgraphIndex).length);
    return { then: o.thenSubgraphIndex, else: o.elseSubgraphIndex };
  },
  invoke(call, s) {
    const host = hostOf(call);
    const branch = boolAt(requireInput(call, 0)) ? s.then : s.else;
    copyToSubgraphInputs(call, host, call.inputs.slice(1), branch);
    host.invokeSubgraph(branch);
    copySubgraphOutputs(call, host, branch);
  },
});

const whileKernel = defineKernel<{ cond: number; body: number }>({
  prepare(call) {
    const o = builtinOptions(call.op, 'WhileOptions');
    const host = hostOf(call);
    checkSubgraph(call, host, o.condSubgraphIndex);
    checkSubgraph(call, host, o.bodySubgraphIndex);
    const n = call.inputs.length;
    expectEqual(call, 'inputs', n, host.subgraphInputs(o.condSubgraphIndex).length);
    expectEqual(call, 'inputs', n, host.subgraphInputs(o.bodySubgraphIndex).length);
    expectEqual(call, 'inputs', n, call.outputs.length);
    expectEqual(call, 'outputs', call.outputs.length, host.subgraphOutputs(o.bodySubgraphIndex).length);
    return { cond: o.condSubgraphIndex, body: o.bodySubgraphIndex };
  },
  invoke(call, s) {
    const host = hostOf(call);
    const outputs = call.outputs;
    copyToSubgraphInputs(call, host, call.inputs, s.cond);
    // The inputs go to the outputs before the condition runs: the loop state lives in the outputs.
    call.inputs.forEach((d, i) => copyTensor(call, d ?? requireInput(call, i), outputs[i]!));
    const condition = (): boolean => {
      host.invokeSubgraph(s.cond);
      const out = host.subgraphOutputs(s.cond)[0];
      if (!out) throw kernelError(call, `condition subgraph ${s.cond} has no output`);
      return boolAt(out);
    };
    let go = condition();
    while (go) {
      copyToSubgraphInputs(call, host, outputs, s.body);
      host.invokeSubgraph(s.body);
      copySubgraphOutputs(call, host, s.body);
      copyToSubgraphInputs(call, host, outputs, s.cond);
      go = condition();
    }
  },
});

const callOnceKernel = defineKernel<{ init: number; hasRun: boolean }>({
  prepare(call) {
    const init = builtinOptions(call.op, 'CallOnceOptions').initSubgraphIndex;
    expectEqual(call, 'inputs', call.inputs.length, 0);
    expectEqual(call, 'outputs', call.outputs.length, 0);
    checkSubgraph(call, hostOf(call), init);
    return { init, hasRun: false };
  },
  invoke(call, s) {
    if (s.hasRun) return;
    hostOf(call).invokeSubgraph(s.init);
    s.hasRun = true;
  },
});

// ---- resource variables ----------------------------------------------------

/** Handles whose id VAR_HANDLE's Prepare has set (TFLM points the output's data at its op data). */
const preparedHandles = new WeakSet<Uint8Array>();

const idOf = (d: TensorData): number => new DataView(d.bytes.buffer, d.bytes.byteOffset, 4).getInt32(0, true);
const writeId = (d: TensorData, id: number): void => new DataView(d.bytes.buffer, d.bytes.byteOffset, 4).setInt32(0, id, true);

const NEEDS_RESOURCES = 'requires resource variables (a MicroResourceVariables passed to the interpreter)';

const varHandle = defineKernel<{ id: number }>({
  prepare(call) {
    const o = builtinOptions(call.op, 'VarHandleOptions');
    const host = hostOf(call, NEEDS_RESOURCES);
    const id = host.resources.idFor(o.container ?? null, o.sharedName ?? null);
    if (id < 0) throw kernelError(call, 'failed to allocate resource variable: maximum resource variable count reached');
    const out = call.outputs[0];
    if (!out || out.bytes.length < 4) throw kernelError(call, 'the output must hold one resource id');
    writeId(out, id);
    preparedHandles.add(out.bytes);
    return { id };
  },
  invoke(call, s) {
    writeId(call.outputs[0]!, s.id);
  },
});

function resourceInput(call: KernelCall): TensorData {
  const d = requireInput(call, 0);
  if (d.tensor.dtype !== 'resource' && d.tensor.dtype !== 'int32') throw kernelError(call, `resource id type ${d.tensor.dtype} is neither resource nor int32`);
  expectEqual(call, 'resource id elements', elementCount(d), 1);
  return d;
}

function resourceBuffer(call: KernelCall, id: number, bytes: number, what: string): Uint8Array {
  const buf = hostOf(call, NEEDS_RESOURCES).resources.buffer(id);
  if (!buf) throw kernelError(call, `resource variable ${id} ${what}`);
  if (buf.length !== bytes) throw kernelError(call, `resource variable ${id} holds ${buf.length} bytes, the tensor ${bytes}`);
  return buf;
}

const assignVariable = defineKernel<null>({
  prepare(call) {
    expectEqual(call, 'inputs', call.inputs.length, 2);
    expectEqual(call, 'outputs', call.outputs.length, 0);
    const handle = resourceInput(call);
    const value = requireInput(call, 1);
    // The id is known now only from a VAR_HANDLE prepared before, or a constant; else it comes at run time.
    if (preparedHandles.has(handle.bytes) || handle.tensor.kind === 'constant') {
      const id = idOf(handle);
      if (!hostOf(call, NEEDS_RESOURCES).resources.allocate(id, value)) throw kernelError(call, `attempting to read non-existent resource variable ${id}`);
    }
    return null;
  },
  invoke(call) {
    const id = idOf(requireInput(call, 0));
    const value = requireInput(call, 1);
    resourceBuffer(call, id, value.bytes.length, 'has no buffer: assigned before any ASSIGN_VARIABLE allocated it in Prepare').set(value.bytes);
  },
});

const readVariable = defineKernel<null>({
  prepare(call) {
    expectEqual(call, 'inputs', call.inputs.length, 1);
    expectEqual(call, 'outputs', call.outputs.length, 1);
    const d = requireInput(call, 0);
    if (d.tensor.dtype !== 'resource') throw kernelError(call, `resource id type ${d.tensor.dtype} != resource`);
    expectEqual(call, 'resource id elements', elementCount(d), 1);
    return null;
  },
  invoke(call) {
    const out = call.outputs[0]!;
    out.bytes.set(resourceBuffer(call, idOf(requireInput(call, 0)), out.bytes.length, 'was never assigned'));
  },
});

export const kernels: Record<string, Kernel> = {
  IF: ifKernel,
  WHILE: whileKernel,
  CALL_ONCE: callOnceKernel,
  VAR_HANDLE: varHandle,
  ASSIGN_VARIABLE: assignVariable,
  READ_VARIABLE: readVariable,
};
