// `tinyseg emit-info [--name N] [--json]`: the names `optimize --emit` would
// use, for build systems that declare the generated files before they exist
// (CMake's tinyseg_optimize, docs/cmake.md). Asking the CLI keeps one home for
// the C identifier rules (emit/c-text.ts) and the built-in targets
// (memory/target-profile.ts) instead of a copy in each build system, and a
// public command instead of paths into dist/ that move with the code.

import { BUILTIN_TARGET_NAMES } from '../../memory/target-profile.js';
import type { CliIO } from '../cli.js';
import { parseCommandArgs, usageError } from './usage.js';

export interface EmitInfo {
  /** The C identifier of --name (a model file or a name): the prefix of every emitted file and symbol. */
  name?: string;
  /** The same in capitals: the prefix of the emitted macros (and of CMake's TINYSEG_<macro>_* variables). */
  macro?: string;
  /** The targets --target takes by name; anything else is a profile file. */
  builtinTargets: string[];
}

export async function runEmitInfo(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('emit-info', args);
  if (positionals.length > 0) throw usageError(`emit-info takes no file, got '${positionals.join(' ')}' (use --name <model file or name>)`);
  let info: EmitInfo = { builtinTargets: [...BUILTIN_TARGET_NAMES] };
  if (values.name !== undefined) {
    const [{ embeddedName }, { cMacroName }] = await Promise.all([import('../../emit/emit-embedded.js'), import('../../emit/c-text.js')]);
    const name = embeddedName(values.name);
    info = { name, macro: cMacroName(name), ...info };
  }
  if (values.json) io.stdout(`${JSON.stringify(info, null, 2)}\n`);
  else {
    const rows: [string, string | undefined][] = [['name', info.name], ['macro', info.macro], ['targets', info.builtinTargets.join(', ')]];
    io.stdout(rows.filter(([, v]) => v !== undefined).map(([k, v]) => `${k.padEnd(9)}${v}\n`).join(''));
  }
  return 0;
}
