// Facts of the TFLite schema (v3, as TFLM 90b983c reads it) that the description must keep.

import { describe, expect, it } from 'vitest';
import { DTYPES } from '../../src/graph/types.js';
import { slotCount, type TableDef } from '../../src/tflite/describe.js';
import * as S from '../../src/tflite/schema.js';

const tables = (Object.values(S) as unknown[]).filter((v): v is TableDef => typeof v === 'object' && v !== null && 'fields' in v);

describe('TFLite schema description', () => {
  it('has the unions with their members at the right tags', () => {
    expect(S.BuiltinOptions.members.length).toBe(127);
    expect(S.BuiltinOptions.members[0]).toBeNull();
    const tag = (name: string) => S.BuiltinOptions.members.findIndex((m) => m?.name === name);
    expect(tag('Conv2DOptions')).toBe(1);
    expect(tag('DepthwiseConv2DOptions')).toBe(2);
    expect(tag('Pool2DOptions')).toBe(5);
    expect(tag('ReshapeOptions')).toBe(17);
    expect(tag('TransposeConvOptions')).toBe(49);
    expect(S.BuiltinOptions2.members.length).toBe(24);
    expect(S.SparseIndexVector.members.map((m) => m?.name ?? null)).toEqual([null, 'Int32Vector', 'Uint16Vector', 'Uint8Vector']);
    expect(S.QuantizationDetails.members[1]!.name).toBe('CustomQuantization');
  });

  it('has the builtin operator codes, including those above 127', () => {
    const ops = S.BuiltinOperator.values;
    expect([ops.ADD, ops.CONV_2D, ops.DEPTHWISE_CONV_2D, ops.CUSTOM, ops.TRANSPOSE_CONV]).toEqual([0, 3, 4, 32, 67]);
    expect(Math.max(...Object.values(ops))).toBeGreaterThan(127);
    expect(new Set(Object.values(ops)).size).toBe(Object.keys(ops).length);
    expect(S.BuiltinOperator.scalar).toBe('int32');
    expect(S.OperatorCode.fields.map((f) => f.name)).toEqual(['deprecatedBuiltinCode', 'customCode', 'version', 'builtinCode']);
  });

  it('names tensor types in the order the graph uses', () => {
    expect(Object.entries(S.TensorType.values).map(([k, v]) => [k.toLowerCase(), v])).toEqual(DTYPES.map((d, i) => [d, i]));
  });

  it('keeps slot counts, defaults and alignment', () => {
    expect(slotCount(S.Operator)).toBe(14); // two unions count twice
    expect(slotCount(S.Tensor)).toBe(11);
    expect(S.Buffer.fields[0]).toMatchObject({ name: 'data', kind: 'vector', element: 'uint8', align: 16 });
    expect(S.Conv2DOptions.fields.find((f) => f.name === 'dilationWFactor')).toMatchObject({ default: 1 });
    expect(S.SubGraph.fields.find((f) => f.name === 'debugMetadataIndex')).toMatchObject({ default: -1 });
    expect(S.OperatorCode.fields.find((f) => f.name === 'version')).toMatchObject({ default: 1 });
  });

  it('is internally consistent', () => {
    expect(tables.length).toBe(170);
    for (const t of tables) {
      const names = t.fields.map((f) => f.name);
      expect(new Set(names).size, t.name).toBe(names.length);
      for (const f of t.fields) expect(f.name, t.name).toMatch(/^[a-z][A-Za-z0-9]*$/);
    }
    for (const u of [S.BuiltinOptions, S.BuiltinOptions2, S.QuantizationDetails, S.SparseIndexVector]) {
      for (const m of u.members.slice(1)) expect((S as Record<string, unknown>)[m!.name]).toBe(m);
    }
  });
});
