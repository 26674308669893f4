// Generic, verifying FlatBuffers decoder driven by the descriptions in schema.ts.
//
// The flatbuffers JS runtime trusts its input: an offset past the end reads
// undefined as 0 and a corrupt vector length can loop for billions of steps.
// This decoder checks every offset, vtable and length against the buffer before
// using it, and charges every decoded element to a work budget proportional to
// the file size, so any byte string either decodes or raises E_FORMAT quickly.

import { TinysegError } from '../errors.js';
import { SCALAR_SIZE, slotCount, type FieldDef, type ScalarKind, type TableDef, type VectorElement } from './describe.js';

const utf8 = new TextDecoder('utf-8');

/** Decoding charge per byte of input; honest files use well under 1. */
const WORK_PER_BYTE = 4;
const WORK_FLOOR = 1 << 16;

export class FlatReader {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  private work: number;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.work = WORK_FLOOR + WORK_PER_BYTE * bytes.byteLength;
  }

  fail(message: string): never {
    throw new TinysegError('E_FORMAT', message, { hint: 'the file is not a valid .tflite flatbuffer' });
  }

  private charge(n: number): void {
    this.work -= n;
    if (this.work < 0) this.fail('flatbuffer references overlap excessively (decoding would not terminate in time)');
  }

  private need(pos: number, size: number, what: string): void {
    if (pos < 0 || size < 0 || pos + size > this.bytes.byteLength) {
      this.fail(`${what} at byte ${pos} (+${size}) is outside the ${this.bytes.byteLength}-byte file`);
    }
  }

  u32(pos: number, what: string): number {
    this.need(pos, 4, what);
    return this.view.getUint32(pos, true);
  }

  /** Root table position, after checking the header. */
  root(): number {
    if (this.bytes.byteLength < 8) this.fail(`file is ${this.bytes.byteLength} bytes, too short for a flatbuffer`);
    return this.u32(0, 'root offset');
  }

  identifier(): string {
    if (this.bytes.byteLength < 8) return '';
    return String.fromCharCode(this.bytes[4]!, this.bytes[5]!, this.bytes[6]!, this.bytes[7]!);
  }

  scalar(pos: number, kind: ScalarKind, what: string): number | boolean {
    this.need(pos, SCALAR_SIZE[kind], what);
    const v = this.view;
    switch (kind) {
      case 'bool':
        return v.getUint8(pos) !== 0;
      case 'int8':
        return v.getInt8(pos);
      case 'uint8':
        return v.getUint8(pos);
      case 'int16':
        return v.getInt16(pos, true);
      case 'uint16':
        return v.getUint16(pos, true);
      case 'int32':
        return v.getInt32(pos, true);
      case 'uint32':
        return v.getUint32(pos, true);
      case 'float32':
        return v.getFloat32(pos, true);
      case 'float64':
        return v.getFloat64(pos, true);
      case 'int64':
      case 'uint64': {
        const big = kind === 'int64' ? v.getBigInt64(pos, true) : v.getBigUint64(pos, true);
        const n = Number(big);
        if (!Number.isSafeInteger(n)) this.fail(`${what}: 64-bit value ${big} is beyond 2^53`);
        return n;
      }
    }
  }

  /** Follows a uoffset stored at `pos`. */
  deref(pos: number, what: string): number {
    const target = pos + this.u32(pos, what);
    if (target >= this.bytes.byteLength) this.fail(`${what} points to byte ${target}, past the end of the file`);
    return target;
  }

  /** Absolute positions of a table's field slots (0 = absent). */
  slots(tablePos: number, count: number, what: string): Int32Array {
    this.need(tablePos, 4, `${what} table`);
    const vt = tablePos - this.view.getInt32(tablePos, true);
    this.need(vt, 4, `${what} vtable`);
    const vtSize = this.view.getUint16(vt, true);
    const objSize = this.view.getUint16(vt + 2, true);
    if (vtSize < 4 || vtSize % 2 !== 0) this.fail(`${what} vtable has invalid size ${vtSize}`);
    this.need(vt, vtSize, `${what} vtable`);
    this.need(tablePos, objSize, `${what} table`);
    const out = new Int32Array(count);
    const present = Math.min(count, (vtSize - 4) >> 1);
    for (let i = 0; i < present; i++) {
      const off = this.view.getUint16(vt + 4 + 2 * i, true);
      if (off === 0) continue;
      if (off >= objSize) this.fail(`${what} field ${i} lies outside its table`);
      out[i] = tablePos + off;
    }
    this.charge(1 + count);
    return out;
  }

  /** [start of elements, length] of the vector at `pos`, bounds-checked for `elemSize`. */
  vector(pos: number, elemSize: number, what: string): [number, number] {
    const start = this.deref(pos, what);
    const len = this.u32(start, `${what} length`);
    if (len > (this.bytes.byteLength - start - 4) / elemSize) {
      this.fail(`${what} claims ${len} elements, more than the file holds`);
    }
    return [start + 4, len];
  }

  string(pos: number, what: string): string {
    const [start, len] = this.vector(pos, 1, what);
    this.charge(1);
    return utf8.decode(this.bytes.subarray(start, start + len));
  }

  table(pos: number, def: TableDef): Record<string, unknown> {
    const slots = this.slots(pos, slotCount(def), def.name);
    const out: Record<string, unknown> = {};
    let s = 0;
    for (const f of def.fields) {
      if (f.kind === 'union') {
        const tagPos = slots[s]!;
        const valPos = slots[s + 1]!;
        s += 2;
        const tag = tagPos ? (this.scalar(tagPos, 'uint8', `${def.name}.${f.name} type`) as number) : 0;
        if (tag === 0) {
          out[f.name] = null;
          continue;
        }
        const member = f.union.members[tag];
        if (!member) this.fail(`${def.name}.${f.name} has unknown union type ${tag}`);
        if (!valPos) this.fail(`${def.name}.${f.name} has type ${member.name} but no value`);
        out[f.name] = { type: tag, value: this.table(this.deref(valPos, `${def.name}.${f.name}`), member) };
        continue;
      }
      out[f.name] = this.field(slots[s++]!, f, def.name);
    }
    return out;
  }

  private field(pos: number, f: Exclude<FieldDef, { kind: 'union' }>, owner: string): unknown {
    const what = `${owner}.${f.name}`;
    switch (f.kind) {
      case 'scalar':
        return pos ? this.scalar(pos, f.scalar, what) : f.default;
      case 'string':
        return pos ? this.string(pos, what) : null;
      case 'table':
        return pos ? this.table(this.deref(pos, what), f.table) : null;
      case 'vector':
        return pos ? this.vectorOf(pos, f.element, what) : null;
    }
  }

  private vectorOf(pos: number, el: VectorElement, what: string): unknown {
    if (typeof el === 'object') {
      const [start, len] = this.vector(pos, 4, what);
      this.charge(len);
      const out = new Array<Record<string, unknown>>(len);
      for (let i = 0; i < len; i++) out[i] = this.table(this.deref(start + 4 * i, `${what}[${i}]`), el);
      return out;
    }
    if (el === 'string') {
      const [start, len] = this.vector(pos, 4, what);
      this.charge(len);
      const out = new Array<string>(len);
      for (let i = 0; i < len; i++) out[i] = this.string(start + 4 * i, `${what}[${i}]`);
      return out;
    }
    const size = SCALAR_SIZE[el];
    const [start, len] = this.vector(pos, size, what);
    // Byte vectors are views into the file: weights are never copied on read.
    if (el === 'uint8') return this.bytes.subarray(start, start + len);
    if (el === 'int8') return new Int8Array(this.bytes.buffer, this.bytes.byteOffset + start, len);
    this.charge(len);
    const out = new Array<number | boolean>(len);
    for (let i = 0; i < len; i++) out[i] = this.scalar(start + size * i, el, what);
    return out;
  }
}

