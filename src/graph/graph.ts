// The model as a graph: validated tensors and operators with producers and
// consumers, editable by passes, and written back without losing anything the
// graph does not model (each tensor and operator keeps the table it came from).

import { TinysegError } from '../errors.js';
import { readModel, writeModel, type WriteOptions } from '../tflite/model-file.js';
import { withDefaults } from '../tflite/describe.js';
import {
  Buffer as BufferTable,
  BuiltinOperator,
  BuiltinOptions,
  Operator as OperatorTable,
  OperatorCode as OperatorCodeTable,
  SubGraph as SubGraphTable,
  Tensor as TensorTable,
  BuiltinOptions2,
  type BufferT,
  type ModelT,
  type OperatorCodeT,
  type OperatorT,
  type QuantizationParametersT,
  type SubGraphT,
  type TensorT,
} from '../tflite/schema.js';
import { constantDataBytes, DTYPE_SIZE, DTYPES, type DType, type GraphOp, type GraphTensor, type Quantization, type TensorKind } from './types.js';

export { constantDataBytes, DTYPE_SIZE } from './types.js';

/** Tensor byte sizes must fit a 32-bit target's size_t. */
const MAX_TENSOR_BYTES = 0xffffffff;

export const BUILTIN_NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(BuiltinOperator.values).map(([name, code]) => [code, name]),
);
const BUILTIN_CODES: ReadonlyMap<string, number> = new Map(Object.entries(BuiltinOperator.values));

export interface TensorSource {
  /** The tensor table as read from the file; null for tensors a pass created. */
  readonly source: TensorT | null;
}
export interface OpSource {
  /** The operator table as read from the file; null for operators a pass created. */
  readonly source: OperatorT | null;
  /** OperatorCode.version. */
  version: number;
}
export type Tensor = GraphTensor & TensorSource;
export type Op = GraphOp & OpSource;

export interface NewTensor {
  name: string;
  dtype: DType;
  shape: number[];
  quantization?: Quantization | null;
  data?: Uint8Array | null;
  variable?: boolean;
}

/** Who writes and who reads each tensor (Subgraph's index of its operators). */
interface UserIndex {
  producer: Int32Array;
  consumers: number[][];
}

/** What Subgraph.mark() keeps: the operators in order, the tensor count and the index of them. */
export interface SubgraphMark {
  readonly ops: readonly Op[];
  readonly tensors: number;
  readonly users: UserIndex;
}

export class Subgraph {
  name: string;
  // Mutable only through the methods below, which keep the producer/consumer index right.
  private readonly tensorList: Tensor[];
  private readonly opList: Op[];
  inputs: number[];
  outputs: number[];
  readonly source: SubGraphT | null;
  private users: UserIndex | null = null;
  /** Every tensor's name, built on first use and kept up to date by addTensor: passes name thousands of new tensors. */
  private names: Set<string> | null = null;

  constructor(init: { name: string; tensors: Tensor[]; ops: Op[]; inputs: number[]; outputs: number[]; source: SubGraphT | null }) {
    this.name = init.name;
    this.tensorList = init.tensors;
    this.opList = init.ops;
    this.inputs = init.inputs;
    this.outputs = init.outputs;
    this.source = init.source;
  }

  get tensors(): readonly Tensor[] {
    return this.tensorList;
  }

  /** The operators in execution order. */
  get ops(): readonly Op[] {
    return this.opList;
  }

  /** Index of the operator that writes tensor `t`, or -1 (graph input, constant). */
  producerOf(t: number): number {
    return this.index().producer[t] ?? -1;
  }

  /** Operators that read tensor `t`, in execution order, each once. */
  consumersOf(t: number): readonly number[] {
    return this.index().consumers[t] ?? [];
  }

  /** The one way to change which tensors an operator reads or writes: keeps the producer/consumer index right. */
  rewire(op: Op, edit: { inputs?: readonly number[]; outputs?: readonly number[]; intermediates?: readonly number[] }): void {
    const w = op as { -readonly [K in 'inputs' | 'outputs' | 'intermediates']: readonly number[] };
    if (edit.inputs) w.inputs = [...edit.inputs];
    if (edit.outputs) w.outputs = [...edit.outputs];
    if (edit.intermediates) w.intermediates = [...edit.intermediates];
    this.invalidate();
  }

  /** Replaces the tensor list (a renumbering: the caller has rewired every operator to the new indices). */
  replaceTensors(tensors: readonly Tensor[]): void {
    this.tensorList.splice(0, this.tensorList.length, ...tensors);
    this.names = null;
    this.invalidate();
  }

  /** Whether some tensor is named `name`. */
  hasTensorNamed(name: string): boolean {
    this.names ??= new Set(this.tensorList.map((t) => t.name));
    return this.names.has(name);
  }

  /** Drops the producer/consumer index after an edit (tensors or operators added, removed or rewired). */
  private invalidate(): void {
    this.users = null;
  }

  addTensor(spec: NewTensor): Tensor {
    const t = makeTensor(this.tensors.length, spec, null);
    this.tensorList.push(t);
    this.names?.add(t.name);
    this.invalidate();
    return t;
  }

  insertOp(at: number, op: Omit<Op, 'source'> & { source?: OperatorT | null }): Op {
    return this.replaceOps(at, 0, [op])[0]!;
  }

  /** Operator `at` and the `count - 1` after it replaced by `ops`, in one move of those after (a rewrite of many ops stays linear). */
  replaceOps(at: number, count: number, ops: readonly (Omit<Op, 'source'> & { source?: OperatorT | null })[]): Op[] {
    if (at < 0 || at + count > this.opList.length) throw new RangeError(`no operators ${at}..${at + count - 1}`);
    const full = ops.map((op): Op => ({ source: null, ...op }));
    this.opList.splice(at, count, ...full);
    this.invalidate();
    return full;
  }

  /**
   * A copy to edit on its own: new tensor, operator and index lists, sharing
   * what passes never change in place (constant data, source tables, options).
   */
  clone(): Subgraph {
    return new Subgraph({
      name: this.name,
      tensors: this.tensors.map((t) => ({ ...t, shape: [...t.shape] })),
      ops: this.ops.map((op) => ({ ...op, inputs: [...op.inputs], outputs: [...op.outputs], intermediates: [...op.intermediates] })),
      inputs: [...this.inputs],
      outputs: [...this.outputs],
      source: this.source,
    });
  }

  /**
   * The operator list and tensor count now, for rollback(): a trial edit that only adds tensors and inserts,
   * removes or reorders operators (never rewires one, nor renumbers tensors) can be undone without a copy.
   */
  mark(): SubgraphMark {
    return { ops: [...this.opList], tensors: this.tensorList.length, users: this.index() };
  }

  /** Undoes the edits since mark() was taken: its operators, in its order, and the tensors it had. */
  rollback(mark: SubgraphMark): void {
    if (this.tensorList.length < mark.tensors) throw new RangeError(`rollback to ${mark.tensors} tensors, but ${this.tensorList.length} are left`);
    for (const t of this.tensorList.splice(mark.tensors)) this.names?.delete(t.name);
    this.opList.splice(0, this.opList.length, ...mark.ops);
    // The graph is the marked one again, and so is its index (built then, never edited in place).
    this.users = mark.users;
  }

  /** Per tensor, 1 where an operator or the graph's inputs or outputs refer to it. */
  referencedTensors(): Uint8Array {
    const used = new Uint8Array(this.tensorList.length);
    const mark = (t: number) => {
      if (t >= 0) used[t] = 1;
    };
    for (const op of this.opList) {
      op.inputs.forEach(mark);
      op.outputs.forEach(mark);
      op.intermediates.forEach(mark);
    }
    this.inputs.forEach(mark);
    this.outputs.forEach(mark);
    return used;
  }

  removeOp(at: number): Op {
    const [op] = this.opList.splice(at, 1);
    if (!op) throw new RangeError(`no operator ${at}`);
    this.invalidate();
    return op;
  }

  private index(): UserIndex {
    if (this.users) return this.users;
    const producer = new Int32Array(this.tensors.length).fill(-1);
    const consumers: number[][] = this.tensors.map(() => []);
    this.ops.forEach((op, i) => {
      for (const t of op.inputs) {
        if (t < 0) continue;
        const list = consumers[t]!;
        if (list[list.length - 1] !== i) list.push(i);
      }
      for (const t of op.outputs) if (producer[t] === -1) producer[t] = i;
    });
    this.users = { producer, consumers };
    return this.users;
  }
}

export class Graph {
  /** The decoded file. Subgraphs, operator codes and buffers are regenerated from the graph on write. */
  readonly model: ModelT;
  readonly subgraphs: Subgraph[];

  constructor(model: ModelT, subgraphs: Subgraph[]) {
    this.model = model;
    this.subgraphs = subgraphs;
  }

  /** A copy for trial edits (the passes try a rewrite on one first); as loadGraph(saveGraph(graph)) would give, without the file round trip. */
  clone(): Graph {
    const metadata = this.model.metadata ? [...this.model.metadata] : this.model.metadata;
    return new Graph({ ...this.model, metadata }, this.subgraphs.map((sg) => sg.clone()));
  }

  /** Subgraph 0, the one TFLM invokes. */
  get main(): Subgraph {
    return this.subgraphs[0]!;
  }
}

export function loadGraph(bytes: Uint8Array): Graph {
  return graphFromModel(readModel(bytes));
}

export function saveGraph(graph: Graph, opts?: WriteOptions): Uint8Array {
  return writeModel(graphToModel(graph), opts);
}

function modelError(message: string): never {
  throw new TinysegError('E_MODEL', message, { hint: 'the model is inconsistent' });
}

export function graphFromModel(model: ModelT): Graph {
  const subgraphs = model.subgraphs ?? [];
  if (subgraphs.length === 0) modelError('model has no subgraphs');
  const buffers = model.buffers ?? [];
  const codes = model.operatorCodes ?? [];
  return new Graph(
    model,
    subgraphs.map((sg, s) => {
      const where = subgraphs.length > 1 ? `subgraph ${s}: ` : '';
      const rawTensors = sg.tensors ?? [];
      const tensors = rawTensors.map((t, i) => tensorFromTable(i, t, buffers, where));
      const checkTensor = (t: number, what: string, allowOmitted: boolean): number => {
        if (!Number.isInteger(t) || t >= tensors.length || t < (allowOmitted ? -1 : 0)) {
          modelError(`${where}${what} refers to tensor ${t}, but there are ${tensors.length} tensors`);
        }
        return t;
      };
      const ops = (sg.operators ?? []).map((op, i) => {
        const code = codes[op.opcodeIndex];
        if (!code) modelError(`${where}operator ${i} uses opcode ${op.opcodeIndex}, but the model has ${codes.length}`);
        const opcode = builtinName(code);
        return {
          opcode,
          customCode: opcode === 'CUSTOM' ? (code.customCode ?? '') : null,
          version: code.version,
          inputs: Array.from(op.inputs ?? [], (t) => checkTensor(t, `operator ${i} (${opcode}) input`, true)),
          outputs: Array.from(op.outputs ?? [], (t) => checkTensor(t, `operator ${i} (${opcode}) output`, false)),
          intermediates: Array.from(op.intermediates ?? [], (t) => checkTensor(t, `operator ${i} intermediate`, false)),
          ...optionsOf(op),
          customOptions: op.customOptions,
          source: op,
        } satisfies Op;
      });
      return new Subgraph({
        name: sg.name ?? '',
        tensors,
        ops,
        inputs: Array.from(sg.inputs ?? [], (t) => checkTensor(t, 'graph input', false)),
        outputs: Array.from(sg.outputs ?? [], (t) => checkTensor(t, 'graph output', false)),
        source: sg,
      });
    }),
  );
}

/** TFLite readers take the larger of the two code fields (codes above 127 live only in builtin_code). */
export function builtinCodeOf(code: OperatorCodeT): number {
  return Math.max(code.deprecatedBuiltinCode, code.builtinCode);
}

function builtinName(code: OperatorCodeT): string {
  const n = builtinCodeOf(code);
  return BUILTIN_NAMES.get(n) ?? `BUILTIN_${n}`;
}

function optionsOf(op: OperatorT): Pick<GraphOp, 'options' | 'optionsType'> {
  const u = op.builtinOptions ?? op.builtinOptions2;
  if (!u) return { options: null, optionsType: null };
  const members = op.builtinOptions ? BuiltinOptions.members : BuiltinOptions2.members;
  return { options: u.value as Record<string, unknown>, optionsType: members[u.type]!.name };
}

function tensorFromTable(index: number, t: TensorT, buffers: BufferT[], where: string): Tensor {
  const label = `${where}tensor ${index} ('${t.name ?? ''}')`;
  const dtype = DTYPES[t.type];
  if (dtype === undefined) modelError(`${label} has unknown dtype ${t.type}`);
  const buffer = buffers[t.buffer];
  if (t.buffer !== 0 && !buffer) modelError(`${label} refers to buffer ${t.buffer}, but the model has ${buffers.length}`);
  const data = buffer?.data && buffer.data.length > 0 ? buffer.data : null;
  const spec: NewTensor = {
    name: t.name ?? '',
    dtype,
    shape: Array.from(t.shape ?? []),
    quantization: quantizationOf(t.quantization),
    data,
    variable: t.isVariable,
  };
  const tensor = makeTensor(index, spec, t, label);
  const needed = dtype === 'string' ? 0 : constantDataBytes(dtype, tensor.shape.reduce((a, d) => a * d, 1));
  if (data && data.length < needed) {
    modelError(`${label} needs ${needed} bytes but buffer ${t.buffer} holds ${data.length}`);
  }
  return tensor;
}

function makeTensor(index: number, spec: NewTensor, source: TensorT | null, label = `tensor ${index}`): Tensor {
  let elements = 1;
  for (const d of spec.shape) {
    if (!Number.isInteger(d) || d < 0) modelError(`${label} has invalid dimension ${d} in shape [${spec.shape.join(', ')}]`);
    elements *= d;
  }
  const byteSize = spec.dtype === 'string' ? (spec.data?.length ?? 0) : elements * DTYPE_SIZE[spec.dtype];
  if (byteSize > MAX_TENSOR_BYTES) {
    modelError(`${label} of shape [${spec.shape.join(', ')}] ${spec.dtype} needs ${byteSize} bytes, which overflows 32 bits`);
  }
  const kind: TensorKind = spec.data ? 'constant' : spec.variable ? 'variable' : 'activation';
  return {
    index,
    name: spec.name,
    dtype: spec.dtype,
    shape: spec.shape,
    byteSize,
    kind,
    quantization: spec.quantization ?? null,
    data: spec.data ?? null,
    source,
  };
}

function quantizationOf(q: QuantizationParametersT | null): Quantization | null {
  if (!q || !q.scale || q.scale.length === 0) return null;
  return {
    scale: q.scale,
    zeroPoint: q.zeroPoint ?? q.scale.map(() => 0),
    quantizedDimension: q.quantizedDimension,
  };
}

// ---- writing back ------------------------------------------------------

export function graphToModel(graph: Graph): ModelT {
  const model = graph.model;
  const buffers: BufferT[] = [...(model.buffers ?? [])];
  if (buffers.length === 0) buffers.push(withDefaults(BufferTable, {}));
  const codes: OperatorCodeT[] = [...(model.operatorCodes ?? [])];
  const codeIndex = new Map<string, number>();
  codes.forEach((c, i) => {
    const key = codeKey(builtinCodeOf(c), c.customCode, c.version);
    if (!codeIndex.has(key)) codeIndex.set(key, i);
  });
  const opcodeIndexOf = (op: Op): number => {
    const builtin = BUILTIN_CODES.get(op.opcode) ?? Number(op.opcode.replace(/^BUILTIN_/, ''));
    const key = codeKey(builtin, op.customCode, op.version);
    // Files may repeat an operator code (one per operator); keep each op's own entry.
    const own = op.source ? codes[op.source.opcodeIndex] : undefined;
    if (own && codeKey(builtinCodeOf(own), own.customCode, own.version) === key) return op.source!.opcodeIndex;
    let i = codeIndex.get(key);
    if (i === undefined) {
      i = codes.length;
      codes.push(
        withDefaults(OperatorCodeTable, {
          deprecatedBuiltinCode: Math.min(builtin, 127),
          customCode: op.customCode,
          version: op.version,
          builtinCode: builtin,
        }),
      );
      codeIndex.set(key, i);
    }
    return i;
  };

  const subgraphs = graph.subgraphs.map((sg) => ({
    ...(sg.source ?? withDefaults(SubGraphTable, {})),
    name: keepNull(sg.name, sg.source?.name),
    inputs: sg.inputs,
    outputs: sg.outputs,
    tensors: sg.tensors.map((t) => tensorToTable(t, buffers)),
    operators: sg.ops.map((op) => opToTable(op, opcodeIndexOf(op))),
  }));
  return { ...model, operatorCodes: codes, subgraphs, buffers };
}

/** The graph uses '' for an absent name; write back null where the file had none. */
function keepNull(name: string, original: string | null | undefined): string | null {
  return name === '' && (original ?? null) === null ? null : name;
}

function codeKey(builtin: number, custom: string | null, version: number): string {
  return `${builtin}\u0000${custom ?? ''}\u0000${version}`;
}


function tensorToTable(t: Tensor, buffers: BufferT[]): TensorT {
  const src = t.source;
  let buffer = src?.buffer ?? 0;
  if (t.data) {
    if (buffers[buffer]?.data !== t.data) {
      buffer = buffers.length;
      buffers.push(withDefaults(BufferTable, { data: t.data }));
    }
  } else if (buffer !== 0 && (buffer >= buffers.length || (buffers[buffer]?.data?.length ?? 0) > 0)) {
    buffer = 0; // a pass turned a constant into a computed tensor, or dropped unused buffers
  }
  const base: TensorT = src ?? withDefaults(TensorTable, {});
  return {
    ...base,
    shape: t.shape,
    type: DTYPES.indexOf(t.dtype),
    buffer,
    name: keepNull(t.name, src?.name),
    quantization: t.quantization
      ? {
          ...(src?.quantization ?? { min: null, max: null, details: null }),
          scale: t.quantization.scale,
          zeroPoint: t.quantization.zeroPoint,
          quantizedDimension: t.quantization.quantizedDimension,
        }
      : (src?.quantization ?? null),
    isVariable: t.kind === 'variable',
  };
}

function opToTable(op: Op, opcodeIndex: number): OperatorT {
  const base = op.source;
  const union = unionFor(op);
  return {
    ...(base ?? withDefaults(OperatorTable, {})),
    opcodeIndex,
    inputs: [...op.inputs],
    outputs: [...op.outputs],
    intermediates: op.intermediates.length > 0 || base?.intermediates ? [...op.intermediates] : null,
    customOptions: op.customOptions,
    ...union,
  };
}

function unionFor(op: Op): Pick<OperatorT, 'builtinOptions' | 'builtinOptions2'> {
  const keep = { builtinOptions: op.source?.builtinOptions ?? null, builtinOptions2: op.source?.builtinOptions2 ?? null };
  if (!op.optionsType || !op.options) return keep;
  const tag1 = BuiltinOptions.members.findIndex((m) => m?.name === op.optionsType);
  if (tag1 > 0) return { ...keep, builtinOptions: { type: tag1, value: op.options } as OperatorT['builtinOptions'] };
  const tag2 = BuiltinOptions2.members.findIndex((m) => m?.name === op.optionsType);
  if (tag2 > 0) return { ...keep, builtinOptions2: { type: tag2, value: op.options } as OperatorT['builtinOptions2'] };
  throw new TinysegError('E_MODEL', `operator ${op.opcode} has unknown options type ${op.optionsType}`);
}
