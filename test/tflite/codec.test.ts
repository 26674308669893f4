// Schema features the corpus models do not exercise, built by hand and round-tripped.

import { Builder } from 'flatbuffers';
import { describe, expect, it } from 'vitest';
import { encodeTable } from '../../src/tflite/encode.js';
import { TinysegError } from '../../src/errors.js';
import { graphToModel } from '../../src/graph/graph.js';
import { buildTinyUnet } from '../../src/graph/tiny-unet.js';
import { withDefaults } from '../../src/tflite/describe.js';
import { readModel, writeModel } from '../../src/tflite/model-file.js';
import * as S from '../../src/tflite/schema.js';

/** The flatbuffer exactly as described, without writeModel's data layout. */
function rawFlatbuffer(model: S.ModelT): Uint8Array {
  const b = new Builder(1024);
  b.finish(encodeTable(b, S.Model, model), 'TFL3');
  return b.asUint8Array();
}

function richModel(): S.ModelT {
  const model = graphToModel(buildTinyUnet({ height: 16, width: 24 }));
  const sg = model.subgraphs![0]!;
  const bufferIndex = model.buffers!.length;
  model.buffers!.push(withDefaults(S.Buffer, { data: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) }));
  // Sparsity with every SparseIndexVector member.
  sg.tensors![1]!.sparsity = withDefaults(S.SparsityParameters, {
    traversalOrder: [0, 1, 2, 3],
    blockMap: [0],
    dimMetadata: [
      withDefaults(S.DimensionMetadata, { format: 0, denseSize: 8 }),
      withDefaults(S.DimensionMetadata, {
        format: 1,
        arraySegments: { type: 1, value: withDefaults(S.Int32Vector, { values: [0, 2, 4] }) },
        arrayIndices: { type: 2, value: withDefaults(S.Uint16Vector, { values: [1, 3, 65535] }) },
      }),
      withDefaults(S.DimensionMetadata, {
        format: 1,
        arraySegments: { type: 3, value: withDefaults(S.Uint8Vector, { values: new Uint8Array([0, 1, 2]) }) },
        arrayIndices: { type: 1, value: withDefaults(S.Int32Vector, { values: [-1, 7] }) },
      }),
    ],
  });
  // Per-channel quantization with min/max and custom quantization details.
  sg.tensors![2]!.quantization = withDefaults(S.QuantizationParameters, {
    min: [-1.5, -2.25],
    max: [1.5, 2.25],
    scale: [Math.fround(1.5 / 127), Math.fround(2.25 / 127)],
    zeroPoint: [0, -3],
    details: { type: 1, value: withDefaults(S.CustomQuantization, { custom: new Uint8Array([9, 8, 7]) }) },
    quantizedDimension: 3,
  });
  sg.tensors![3]!.shapeSignature = [-1, 16, 24, 3];
  sg.tensors![3]!.hasRank = true;
  // A builtin whose code only fits builtin_code (> 127), with options in the second union.
  const highCode = Object.entries(S.BuiltinOperator.values).find(([, v]) => v > 200)!;
  model.operatorCodes!.push(withDefaults(S.OperatorCode, { deprecatedBuiltinCode: 127, builtinCode: highCode[1], version: 2 }));
  model.operatorCodes!.push(withDefaults(S.OperatorCode, { deprecatedBuiltinCode: 32, customCode: 'TinySegTest', version: 1 }));
  const second = S.BuiltinOptions2.members.findIndex((m, i) => i > 0 && m !== null);
  sg.operators!.push(
    withDefaults(S.Operator, {
      opcodeIndex: model.operatorCodes!.length - 2,
      inputs: [0, -1],
      outputs: [1],
      builtinOptions2: { type: second, value: withDefaults(S.BuiltinOptions2.members[second]!, {}) },
      mutatingVariableInputs: [false, true],
      intermediates: [],
    }),
    withDefaults(S.Operator, {
      opcodeIndex: model.operatorCodes!.length - 1,
      inputs: [1],
      outputs: [2],
      customOptions: new Uint8Array(300).map((_, i) => i & 0xff),
      customOptionsFormat: 0,
    }),
  );
  model.subgraphs!.push(withDefaults(S.SubGraph, { tensors: [], inputs: [], outputs: [], operators: [], name: 'second' }));
  model.signatureDefs = [
    withDefaults(S.SignatureDef, {
      inputs: [withDefaults(S.TensorMap, { name: 'image', tensorIndex: 0 })],
      outputs: [withDefaults(S.TensorMap, { name: 'mask', tensorIndex: 5 })],
      signatureKey: 'serving_default',
      subgraphIndex: 0,
    }),
  ];
  model.metadata = [withDefaults(S.Metadata, { name: 'min_runtime_version', buffer: bufferIndex })];
  model.metadataBuffer = [bufferIndex];
  return model;
}

describe('reader and writer', () => {
  it('round-trip sparsity, per-channel and custom quantization, signatures, metadata, subgraphs, high builtin codes', () => {
    const model = richModel();
    const again = readModel(writeModel(model));
    expect(again).toEqual(model);
    // Builtin codes above 127 survive in builtin_code while the deprecated byte stays 127.
    const codes = again.operatorCodes!.slice(-2);
    expect(codes[0]!.builtinCode).toBeGreaterThan(127);
    expect(codes[0]!.deprecatedBuiltinCode).toBe(127);
  });

  it('resolves and rewrites large custom options stored after the flatbuffer', () => {
    const model = richModel();
    const ops = model.subgraphs![0]!.operators!;
    const big = ops[ops.length - 1]!;
    // Move the custom options behind the flatbuffer by hand, as the converter does for >2 GB models.
    const payload = big.customOptions!;
    big.customOptions = null;
    big.largeCustomOptionsOffset = 0xdead; // placeholder of fixed width, fixed below
    big.largeCustomOptionsSize = payload.length;
    const draft = rawFlatbuffer(model);
    const at = Math.ceil(draft.length / 16) * 16;
    big.largeCustomOptionsOffset = at;
    const fb = rawFlatbuffer(model);
    expect(fb.length).toBe(draft.length);
    const file = new Uint8Array(at + payload.length);
    file.set(fb);
    file.set(payload, at);
    const read = readModel(file);
    const readOp = read.subgraphs![0]!.operators!.at(-1)!;
    expect(Array.from(readOp.customOptions!)).toEqual(Array.from(payload));
    expect(readOp.largeCustomOptionsOffset).toBe(at);
    // Written again, the options go inline.
    const rewritten = readModel(writeModel(read)).subgraphs![0]!.operators!.at(-1)!;
    expect(rewritten.largeCustomOptionsOffset).toBe(0);
    expect(Array.from(rewritten.customOptions!)).toEqual(Array.from(payload));
  });

  it('aligns every buffer to 16 bytes', () => {
    const out = writeModel(richModel());
    for (const b of readModel(out).buffers!) if (b.data && b.data.length) expect(b.data.byteOffset % 16).toBe(0);
  });

  it.each([
    ['empty', new Uint8Array(0)],
    ['too short', new Uint8Array([1, 2, 3])],
    ['wrong identifier', new Uint8Array([8, 0, 0, 0, 0x54, 0x46, 0x4c, 0x32, 0, 0, 0, 0])],
    ['root past the end', new Uint8Array([0xff, 0xff, 0, 0, 0x54, 0x46, 0x4c, 0x33])],
  ])('rejects %s input with TinysegError', (_, bytes) => {
    expect(() => readModel(bytes)).toThrow(TinysegError);
  });
});
