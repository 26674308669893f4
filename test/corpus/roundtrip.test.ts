// Lossless reading and writing of every real model in ../shared/models.

import { describe, expect, it } from 'vitest';
import { graphFromModel, graphToModel } from '../../src/graph/graph.js';
import { readModel, writeModel } from '../../src/tflite/model-file.js';
import type { ModelT } from '../../src/tflite/schema.js';
import { corpusModels, readCorpusModel } from '../helpers/shared.js';

/** The model with each buffer's bytes replaced by their length: deep equality on megabytes of weights is slow. */
const structure = (m: ModelT) => ({ ...m, buffers: m.buffers?.map((b) => ({ ...b, data: b.data?.length ?? null })) ?? null });
const sameBytes = (a: Uint8Array | null, b: Uint8Array | null) => Buffer.from(a ?? []).equals(Buffer.from(b ?? []));

describe.each(corpusModels)('%s', (file) => {
  const bytes = readCorpusModel(file);
  const model = readModel(bytes);

  it('reads, writes and reads back to a structurally equal model with identical constant data', () => {
    const written = writeModel(model);
    const again = readModel(written);
    expect(structure(again)).toEqual(structure(model));
    const before = model.buffers ?? [];
    const after = again.buffers ?? [];
    expect(after.length).toBe(before.length);
    before.forEach((b, i) => {
      expect(sameBytes(after[i]!.data, b.data)).toBe(true);
      const data = after[i]!.data;
      // The writer aligns buffer data to 16 bytes from the start of the file.
      if (data && data.length > 0) expect((data.byteOffset - written.byteOffset) % 16).toBe(0);
    });
  });

  it('writes the same model through the graph without losing anything', () => {
    expect(graphToModel(graphFromModel(model))).toEqual(model);
  });

  it('round-trips with buffers stored after the flatbuffer (the >2 GB layout)', () => {
    const written = writeModel(model, { externalData: true });
    const again = readModel(written);
    const before = model.buffers ?? [];
    again.buffers!.forEach((b, i) => {
      expect(sameBytes(b.data, before[i]!.data)).toBe(true);
      if ((b.data?.length ?? 0) > 0) {
        expect(b.offset % 16).toBe(0);
        expect(b.size).toBe(before[i]!.data!.length);
      }
    });
    expect({ ...again, buffers: null }).toEqual({ ...model, buffers: null });
    // Writing it back inline gives the inline file again.
    expect(Buffer.from(writeModel(again)).equals(Buffer.from(writeModel(model)))).toBe(true);
  });
});
