// A small, typed description language for FlatBuffers schemas.
//
// The TFLite schema is written in it (schema.ts), and one generic codec
// (decode.ts, encode.ts) reads and writes any table it describes. Keeping the
// schema as data rather than generated classes gives three things at once: the
// decoder can bounds-check every offset (the flatbuffers JS runtime checks none),
// the writer is one function instead of two hundred, and the TypeScript types of
// decoded objects are inferred from the description, so they cannot drift.
//
// Invariants of a description:
// - fields are listed in slot order; slot i is vtable entry i (a union takes two
//   slots: its type tag, then its value), exactly as flatc numbers them;
// - fields the upstream schema marks deprecated are still listed (with their
//   type) so that their slots stay put and their values survive a round trip;
// - member 0 of a union is NONE and is written as null.

export type ScalarKind =
  | 'bool'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'float32'
  | 'float64';

export const SCALAR_SIZE: Readonly<Record<ScalarKind, number>> = {
  bool: 1,
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  int64: 8,
  uint64: 8,
  float32: 4,
  float64: 8,
};

export interface EnumDef<V extends Record<string, number> = Record<string, number>> {
  readonly name: string;
  readonly scalar: ScalarKind;
  readonly values: V;
}

export interface ScalarField<N extends string = string, S extends ScalarKind = ScalarKind> {
  readonly name: N;
  readonly kind: 'scalar';
  readonly scalar: S;
  readonly default: number | boolean;
  readonly enumDef?: EnumDef;
}
export interface StringField<N extends string = string> {
  readonly name: N;
  readonly kind: 'string';
}
export interface TableField<N extends string = string, T extends TableDef = TableDef> {
  readonly name: N;
  readonly kind: 'table';
  readonly table: T;
}
export interface UnionField<N extends string = string, U extends UnionDef = UnionDef> {
  readonly name: N;
  readonly kind: 'union';
  readonly union: U;
}
export type VectorElement = ScalarKind | 'string' | TableDef;
export interface VectorField<N extends string = string, E extends VectorElement = VectorElement> {
  readonly name: N;
  readonly kind: 'vector';
  readonly element: E;
  /** force_align of the vector's data (bytes); 0 = natural alignment. */
  readonly align: number;
}
export type FieldDef = ScalarField | StringField | TableField | UnionField | VectorField;

export interface TableDef<N extends string = string, F extends readonly FieldDef[] = readonly FieldDef[]> {
  readonly name: N;
  readonly fields: F;
}
export interface UnionDef<M extends readonly (TableDef | null)[] = readonly (TableDef | null)[]> {
  readonly name: string;
  /** members[tag]; members[0] is null (NONE). */
  readonly members: M;
}

// ---- constructors -------------------------------------------------------

export function enumType<const V extends Record<string, number>>(
  name: string,
  scalar: ScalarKind,
  values: V,
): EnumDef<V> {
  return { name, scalar, values };
}

export function table<const N extends string, const F extends readonly FieldDef[]>(
  name: N,
  fields: F,
): TableDef<N, F> {
  return { name, fields };
}

export function union<const M extends readonly (TableDef | null)[]>(name: string, members: M): UnionDef<M> {
  return { name, members };
}

export const field = {
  scalar<const N extends string, const S extends ScalarKind>(
    name: N,
    scalar: S,
    dflt: number | boolean = scalar === 'bool' ? false : 0,
  ): ScalarField<N, S> {
    return { name, kind: 'scalar', scalar, default: dflt };
  },
  bool<const N extends string>(name: N, dflt = false): ScalarField<N, 'bool'> {
    return { name, kind: 'scalar', scalar: 'bool', default: dflt };
  },
  enum<const N extends string>(name: N, enumDef: EnumDef, dflt = 0): ScalarField<N, ScalarKind> {
    return { name, kind: 'scalar', scalar: enumDef.scalar, default: dflt, enumDef };
  },
  string<const N extends string>(name: N): StringField<N> {
    return { name, kind: 'string' };
  },
  table<const N extends string, const T extends TableDef>(name: N, t: T): TableField<N, T> {
    return { name, kind: 'table', table: t };
  },
  union<const N extends string, const U extends UnionDef>(name: N, u: U): UnionField<N, U> {
    return { name, kind: 'union', union: u };
  },
  vector<const N extends string, const E extends VectorElement>(name: N, element: E, align = 0): VectorField<N, E> {
    return { name, kind: 'vector', element, align };
  },
};

const slotCounts = new WeakMap<TableDef, number>();
/** How many vtable slots a table uses (a union counts twice). */
export function slotCount(t: TableDef): number {
  let n = slotCounts.get(t);
  if (n === undefined) {
    n = 0;
    for (const f of t.fields) n += f.kind === 'union' ? 2 : 1;
    slotCounts.set(t, n);
  }
  return n;
}

// ---- inferred value types ----------------------------------------------

type ScalarValue<S extends ScalarKind> = [S] extends ['bool'] ? boolean : number;
type VectorValue<E> = E extends 'int8'
  ? Int8Array
  : E extends 'uint8'
    ? Uint8Array
    : E extends 'bool'
      ? boolean[]
      : E extends ScalarKind
        ? number[]
        : E extends 'string'
          ? string[]
          : E extends TableDef
            ? TableValue<E>[]
            : never;

/** A decoded union: the member's tag and its table (null when the tag is NONE). */
export interface UnionValue<T = Record<string, unknown>> {
  type: number;
  value: T;
}
type UnionMembers<M> = M extends readonly (infer T)[] ? (T extends TableDef ? TableValue<T> : never) : never;

type FieldValue<F> =
  F extends ScalarField<string, infer S>
    ? ScalarValue<S>
    : F extends StringField
      ? string | null
      : F extends TableField<string, infer T>
        ? TableValue<T> | null
        : F extends UnionField<string, infer U>
          ? UnionValue<UnionMembers<U['members']>> | null
          : F extends VectorField<string, infer E>
            ? VectorValue<E> | null
            : never;

/** The plain object a table decodes to: one key per field, absent fields at their default or null. */
export type TableValue<T extends TableDef> = {
  -readonly [F in T['fields'][number] as F['name']]: FieldValue<F>;
};

/** A complete value of table `def`: every field at its default (null for non-scalars), then `value` on top. */
export function withDefaults<T extends TableDef>(def: T, value: Partial<TableValue<T>> | Record<string, unknown>): TableValue<T> {
  const out: Record<string, unknown> = {};
  for (const f of def.fields) out[f.name] = f.kind === 'scalar' ? f.default : null;
  for (const [k, v] of Object.entries(value)) {
    if (!(k in out)) throw new Error(`${def.name} has no field '${k}'`);
    out[k] = v;
  }
  return out as TableValue<T>;
}
