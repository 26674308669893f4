// Reading and writing whole .tflite files.
//
// Buffers normally hold their bytes inside the flatbuffer. Models over 2 GB
// cannot (flatbuffer offsets are 32-bit), so the schema lets a Buffer point at
// bytes appended after the flatbuffer with offset/size, and likewise an
// Operator's large custom options. Reading resolves those into `data` /
// `customOptions` (views into the file) and keeps offset/size as found; writing
// lays them out again, inline unless asked for (or forced into) the external
// layout.

import { Builder } from 'flatbuffers';
import { TinysegError } from '../errors.js';
import { FlatReader } from './decode.js';
import { encodeTable } from './encode.js';
import { Model, type ModelT } from './schema.js';

export const FILE_IDENTIFIER = 'TFL3';
export const SCHEMA_VERSION = 3;
/** Where TFLite's converter switches to external buffers. */
const FLATBUFFER_LIMIT = 0x7fffffff;
const DATA_ALIGN = 16;

export function readModel(input: Uint8Array): ModelT {
  // Weights and options decode as views into the file. A Node Buffer's slice()
  // is a view too (not a copy, as Uint8Array's is), so code that copies a view
  // with slice() would read the whole file: decode from a plain Uint8Array.
  const bytes = input.constructor === Uint8Array ? input : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  const r = new FlatReader(bytes);
  const root = r.root();
  const id = r.identifier();
  if (id !== FILE_IDENTIFIER) {
    const shown = /^[\x20-\x7e]{4}$/.test(id) ? `'${id}'` : 'binary';
    r.fail(`not a TFLite model: file identifier is ${shown}, expected '${FILE_IDENTIFIER}'`);
  }
  if (root >= bytes.byteLength) r.fail(`root table offset ${root} is past the end of the ${bytes.byteLength}-byte file`);
  const model = r.table(root, Model) as ModelT;
  if (model.version !== SCHEMA_VERSION) {
    throw new TinysegError('E_UNSUPPORTED', `schema version ${model.version} is not supported (expected ${SCHEMA_VERSION})`);
  }
  resolveExternalData(model, bytes);
  return model;
}

function resolveExternalData(model: ModelT, bytes: Uint8Array): void {
  const slice = (offset: number, size: number, what: string): Uint8Array => {
    if (offset + size > bytes.byteLength) {
      throw new TinysegError('E_FORMAT', `${what} data at byte ${offset} (+${size}) is outside the ${bytes.byteLength}-byte file`);
    }
    return bytes.subarray(offset, offset + size);
  };
  // offset 1 is the converter's placeholder for "not yet placed"; only larger values point at data.
  model.buffers?.forEach((buf, i) => {
    if (buf.offset > 1) buf.data = slice(buf.offset, buf.size, `buffer ${i}`);
  });
  for (const sg of model.subgraphs ?? []) {
    sg.operators?.forEach((op, i) => {
      if (op.largeCustomOptionsOffset > 1) {
        op.customOptions = slice(op.largeCustomOptionsOffset, op.largeCustomOptionsSize, `operator ${i} custom options`);
      }
    });
  }
}

export interface WriteOptions {
  /** Put buffer data after the flatbuffer (offset/size). Forced for models over 2 GB. */
  externalData?: boolean;
}

export function writeModel(model: ModelT, opts: WriteOptions = {}): Uint8Array {
  const dataBytes = (model.buffers ?? []).reduce((n, b) => n + (b.data?.length ?? 0), 0);
  const external = opts.externalData === true || dataBytes > FLATBUFFER_LIMIT / 2;
  if (!external) return build(withInlineData(model), dataBytes);

  // Offsets are fixed-width fields, so a first build with placeholders has the
  // same size as the final one; the second build fills in the real positions.
  const blobs = (model.buffers ?? []).map((b) => b.data ?? new Uint8Array(0));
  const draft = build(withExternalData(withInlineData(model), blobs, () => 2), 0);
  const base = alignUp(draft.length, DATA_ALIGN);
  const positions: number[] = [];
  let end = base;
  for (const blob of blobs) {
    positions.push(end);
    end = alignUp(end + blob.length, DATA_ALIGN);
  }
  const fb = build(withExternalData(withInlineData(model), blobs, (i) => positions[i]!), 0);
  if (fb.length !== draft.length) throw new Error('external-data layout changed size between builds');
  const out = new Uint8Array(end);
  out.set(fb, 0);
  blobs.forEach((blob, i) => out.set(blob, positions[i]!));
  return out;
}

function build(model: ModelT, sizeHint: number): Uint8Array {
  const b = new Builder(Math.min(FLATBUFFER_LIMIT, sizeHint + 65536));
  b.finish(encodeTable(b, Model, model), FILE_IDENTIFIER);
  // Copy out of the builder so the result owns a tight buffer.
  return b.asUint8Array().slice();
}

function withInlineData(model: ModelT): ModelT {
  const needsRewrite =
    model.buffers?.some((b) => b.offset !== 0 || b.size !== 0) ||
    model.subgraphs?.some((sg) => sg.operators?.some((op) => op.largeCustomOptionsOffset !== 0));
  if (!needsRewrite) return model;
  return {
    ...model,
    buffers: model.buffers?.map((b) => ({ ...b, offset: 0, size: 0 })) ?? null,
    subgraphs:
      model.subgraphs?.map((sg) => ({
        ...sg,
        operators:
          sg.operators?.map((op) => ({ ...op, largeCustomOptionsOffset: 0, largeCustomOptionsSize: 0 })) ?? null,
      })) ?? null,
  };
}

function withExternalData(model: ModelT, blobs: Uint8Array[], position: (i: number) => number): ModelT {
  return {
    ...model,
    buffers:
      model.buffers?.map((b, i) =>
        blobs[i]!.length === 0 ? { ...b, offset: 0, size: 0 } : { ...b, data: null, offset: position(i), size: blobs[i]!.length },
      ) ?? null,
  };
}

function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}
