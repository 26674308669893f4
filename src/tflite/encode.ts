// Generic FlatBuffers encoder driven by the descriptions in schema.ts, on the
// flatbuffers runtime's Builder. Children are written before their parents
// (FlatBuffers builds back to front); fields equal to their default are left
// out, which a reader cannot tell from writing them.

import { Builder } from 'flatbuffers';
import { SCALAR_SIZE, slotCount, type ScalarField, type TableDef, type VectorElement } from './describe.js';

export function encodeTable(b: Builder, def: TableDef, value: Record<string, unknown>): number {
  // Pass 1: every offset-typed child, in slot order.
  const offsets = new Map<number, number>();
  let slot = 0;
  for (const f of def.fields) {
    const v = value[f.name];
    if (f.kind === 'union') {
      const u = v as { type: number; value: Record<string, unknown> } | null | undefined;
      if (u && u.type !== 0) {
        const member = f.union.members[u.type];
        if (!member) throw new Error(`${def.name}.${f.name}: union type ${u.type} is not in ${f.union.name}`);
        offsets.set(slot + 1, encodeTable(b, member, u.value));
      }
      slot += 2;
      continue;
    }
    if (v !== null && v !== undefined) {
      if (f.kind === 'string') offsets.set(slot, b.createString(v as string));
      else if (f.kind === 'table') offsets.set(slot, encodeTable(b, f.table, v as Record<string, unknown>));
      else if (f.kind === 'vector') offsets.set(slot, encodeVector(b, f.element, f.align, v as ArrayLike<unknown>));
    }
    slot++;
  }

  // Pass 2: the table itself.
  b.startObject(slotCount(def));
  slot = 0;
  for (const f of def.fields) {
    if (f.kind === 'union') {
      const u = value[f.name] as { type: number } | null | undefined;
      if (u && u.type !== 0) {
        b.addFieldInt8(slot, u.type, 0);
        b.addFieldOffset(slot + 1, offsets.get(slot + 1)!, 0);
      }
      slot += 2;
      continue;
    }
    if (f.kind === 'scalar') addScalarField(b, slot, f, value[f.name]);
    else {
      const off = offsets.get(slot);
      if (off !== undefined) b.addFieldOffset(slot, off, 0);
    }
    slot++;
  }
  return b.endObject();
}

function addScalarField(b: Builder, slot: number, f: ScalarField, raw: unknown): void {
  const v = raw === undefined || raw === null ? f.default : raw;
  if (v === f.default) return;
  const n = typeof v === 'boolean' ? Number(v) : (v as number);
  switch (f.scalar) {
    case 'bool':
    case 'int8':
    case 'uint8':
      return b.addFieldInt8(slot, n, Number(f.default));
    case 'int16':
    case 'uint16':
      return b.addFieldInt16(slot, n, Number(f.default));
    case 'int32':
    case 'uint32':
      return b.addFieldInt32(slot, n, Number(f.default));
    case 'int64':
    case 'uint64':
      return b.addFieldInt64(slot, BigInt.asIntN(64, BigInt(n)), null);
    case 'float32':
      return b.addFieldFloat32(slot, n, Number(f.default));
    case 'float64':
      return b.addFieldFloat64(slot, n, Number(f.default));
  }
}

function encodeVector(b: Builder, el: VectorElement, align: number, v: ArrayLike<unknown>): number {
  if (el === 'uint8' || el === 'int8') {
    const bytes = v instanceof Uint8Array ? v : new Uint8Array((v as Int8Array).buffer, (v as Int8Array).byteOffset, v.length);
    // Pad first so that the data, not the length prefix, lands on `align`.
    if (align > 1) b.prep(align, bytes.length);
    return b.createByteVector(bytes);
  }
  if (typeof el === 'object' || el === 'string') {
    const items = Array.from(v);
    const offs = items.map((item) =>
      el === 'string' ? b.createString(item as string) : encodeTable(b, el, item as Record<string, unknown>),
    );
    b.startVector(4, offs.length, 4);
    for (let i = offs.length - 1; i >= 0; i--) b.addOffset(offs[i]!);
    return b.endVector();
  }
  const size = SCALAR_SIZE[el];
  b.startVector(size, v.length, Math.max(size, align));
  for (let i = v.length - 1; i >= 0; i--) {
    const x = v[i] as number | boolean;
    const n = typeof x === 'boolean' ? Number(x) : x;
    switch (el) {
      case 'bool':
        b.addInt8(n);
        break;
      case 'int16':
      case 'uint16':
        b.addInt16(n);
        break;
      case 'int32':
      case 'uint32':
        b.addInt32(n);
        break;
      case 'int64':
      case 'uint64':
        b.addInt64(BigInt.asIntN(64, BigInt(n)));
        break;
      case 'float32':
        b.addFloat32(n);
        break;
      case 'float64':
        b.addFloat64(n);
        break;
    }
  }
  return b.endVector();
}
