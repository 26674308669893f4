// Builtin operator options, typed by the schema description: the options table
// of an operator is named by its `optionsType` (e.g. 'Conv2DOptions'), and its
// decoded value has exactly that table's fields (absent ones at the schema's
// default). `builtinOptions(op, 'Conv2DOptions').strideH` is a number, checked
// by the compiler, instead of `Number(op.options['strideH'] ?? 1)`.

import { TinysegError } from '../errors.js';
import type { TableDef, TableValue } from '../tflite/describe.js';
import { withDefaults } from '../tflite/describe.js';
import { BuiltinOptions, BuiltinOptions2 } from '../tflite/schema.js';
import type { GraphOp } from './types.js';

type Members<M> = M extends readonly (infer T)[] ? (T extends TableDef ? T : never) : never;
type OptionDefs = Members<(typeof BuiltinOptions)['members']> | Members<(typeof BuiltinOptions2)['members']>;

/** Every builtin options table by name, with its decoded value type. */
export type OptionTables = { [D in OptionDefs as D['name']]: TableValue<D> };
export type OptionsName = keyof OptionTables;

const DEFS: ReadonlyMap<string, TableDef> = new Map(
  [...BuiltinOptions.members, ...BuiltinOptions2.members].filter((m): m is NonNullable<typeof m> => m !== null).map((m) => [m.name, m]),
);

/**
 * The options of `op` as table `type`. An operator stored without options
 * reads as the table's defaults (TFLM's parser leaves its zero-initialized
 * params then); options of another table are a model error.
 */
export function builtinOptions<K extends OptionsName>(op: Pick<GraphOp, 'opcode' | 'options' | 'optionsType'>, type: K): OptionTables[K] {
  if (op.options === null || op.optionsType === null) return withDefaults(DEFS.get(type)!, {}) as OptionTables[K];
  if (op.optionsType !== type) throw new TinysegError('E_MODEL', `operator ${op.opcode} has ${op.optionsType}, expected ${type}`);
  return op.options as OptionTables[K];
}
