// --target: a built-in profile name or a JSON profile file, every failure
// naming the file.

import { readFileSync } from 'node:fs';
import { TinysegError } from '../../errors.js';
import { BUILTIN_TARGET_NAMES, builtinTargetProfile, parseTargetProfileJson, type TargetProfile } from '../../memory/target-profile.js';

export function readTargetProfile(nameOrFile: string): TargetProfile {
  const builtin = builtinTargetProfile(nameOrFile);
  if (builtin) return builtin;
  let text: string;
  try {
    text = readFileSync(nameOrFile, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? `no such file, and not a built-in target (${BUILTIN_TARGET_NAMES.join(', ')})` : err.message;
    throw new TinysegError('E_USAGE', `cannot read target profile: ${why}`, { file: nameOrFile, cause: e });
  }
  return parseTargetProfileJson(text, nameOrFile);
}
