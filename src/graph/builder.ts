// Building models in code (tests, examples, and passes that synthesize graphs).
// The builder produces the same Graph that reading a file does, so a built
// model goes through exactly the writer, planner and reports that real ones do.

import { TinysegError } from '../errors.js';
import { Buffer, BuiltinOptions, BuiltinOptions2, Model } from '../tflite/schema.js';
import { withDefaults, type TableDef } from '../tflite/describe.js';
import { Graph, Subgraph, type Tensor } from './graph.js';
import { constantDataBytes, type DType, type Quantization } from './types.js';

export interface TensorSpec {
  dtype: DType;
  shape: number[];
  quantization?: Quantization | null;
}

export interface OpSpec {
  /** Builtin name (e.g. 'CONV_2D') or 'CUSTOM'. */
  opcode: string;
  inputs: number[];
  outputs: number[];
  /** Options table name (e.g. 'Conv2DOptions') and the fields to set; the rest take schema defaults. */
  options?: { type: string; value: Record<string, unknown> };
  customCode?: string;
  customOptions?: Uint8Array;
  version?: number;
}

const OPTION_TABLES: ReadonlyMap<string, TableDef> = new Map(
  ([...BuiltinOptions.members, ...BuiltinOptions2.members] as readonly (TableDef | null)[])
    .filter((m): m is TableDef => m !== null)
    .map((m) => [m.name, m]),
);

/** A complete options object: every field of the table, `value` overriding the schema defaults. */
export function optionsWithDefaults(type: string, value: Record<string, unknown>): Record<string, unknown> {
  const def = OPTION_TABLES.get(type);
  if (!def) throw new TinysegError('E_USAGE', `unknown builtin options table '${type}'`);
  try {
    return withDefaults(def, value);
  } catch (e) {
    throw new TinysegError('E_USAGE', (e as Error).message);
  }
}

/** Scales are float32 in the file (and in TFLM): round them now so a built graph equals its read-back. */
function float32Spec(spec: TensorSpec): TensorSpec {
  const q = spec.quantization;
  return q ? { ...spec, quantization: { ...q, scale: q.scale.map(Math.fround) } } : spec;
}

export class GraphBuilder {
  private readonly sg: Subgraph;
  private readonly graph: Graph;

  constructor(opts: { name?: string; description?: string } = {}, parent?: Graph) {
    this.sg = new Subgraph({ name: opts.name ?? 'main', tensors: [], ops: [], inputs: [], outputs: [], source: null });
    if (parent) {
      parent.subgraphs.push(this.sg);
      this.graph = parent;
      return;
    }
    this.graph = new Graph(
      withDefaults(Model, {
        version: 3,
        operatorCodes: [],
        subgraphs: [],
        description: opts.description ?? 'built with tinyseg',
        buffers: [withDefaults(Buffer, {})],
      }),
      [this.sg],
    );
  }

  /**
   * A new subgraph of the same model (for IF, WHILE and CALL_ONCE to call),
   * appended after the existing ones: its index is `index` on the returned builder.
   */
  subgraph(name: string): GraphBuilder {
    return new GraphBuilder({ name }, this.graph);
  }

  /** This builder's subgraph index in the model. */
  get index(): number {
    return this.graph.subgraphs.indexOf(this.sg);
  }

  /** A graph input (activation). */
  input(name: string, spec: TensorSpec): number {
    const t = this.tensor(name, spec);
    this.sg.inputs.push(t);
    return t;
  }

  /** An activation tensor, to be written by an operator. */
  tensor(name: string, spec: TensorSpec): number {
    return this.sg.addTensor({ name, ...float32Spec(spec) }).index;
  }

  /** A variable tensor (an RNN state): TFLM allocates it in the persistent tail and zeroes it once. */
  variable(name: string, spec: TensorSpec): number {
    return this.sg.addTensor({ name, ...float32Spec(spec), variable: true }).index;
  }

  /** A constant; `data` holds its raw little-endian bytes. */
  constant(name: string, spec: TensorSpec, data: ArrayBufferView): number {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const t: Tensor = this.sg.addTensor({ name, ...float32Spec(spec), data: bytes.slice() });
    const needed = t.dtype === 'string' ? bytes.byteLength : constantDataBytes(t.dtype, t.shape.reduce((a, d) => a * d, 1));
    if (bytes.byteLength !== needed) {
      throw new TinysegError('E_USAGE', `constant '${name}' needs ${needed} bytes, got ${bytes.byteLength}`);
    }
    return t.index;
  }

  op(spec: OpSpec): void {
    const { opcode } = spec;
    this.sg.insertOp(this.sg.ops.length, {
      opcode,
      customCode: opcode === 'CUSTOM' ? (spec.customCode ?? '') : null,
      version: spec.version ?? 1,
      inputs: spec.inputs,
      outputs: spec.outputs,
      intermediates: [],
      options: spec.options ? optionsWithDefaults(spec.options.type, spec.options.value) : null,
      optionsType: spec.options?.type ?? null,
      customOptions: spec.customOptions ?? null,
    });
  }

  output(...tensors: number[]): void {
    this.sg.outputs.push(...tensors);
  }

  shapeOf(t: number): number[] {
    return this.sg.tensors[t]!.shape;
  }

  quantOf(t: number): Quantization | null {
    return this.sg.tensors[t]!.quantization;
  }

  build(): Graph {
    return this.graph;
  }
}
