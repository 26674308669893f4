// `tinyseg verify <a> <b>`: whether two models give the same output bytes on
// the oracle input and N seeded random ones; exit 1 on any difference.

import { DEFAULT_PROOF_INPUTS, DEFAULT_PROOF_SEED } from '../../defaults.js';
import type { CliIO } from '../cli.js';
import type { LoadedModel } from '../io/read-model.js';
import { integer, parseCommandArgs, usageError, wholeNumber } from './usage.js';

export async function runVerify(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('verify', args);
  if (positionals.length !== 2) throw usageError(`verify takes two model files, got ${positionals.length}`);
  const count = wholeNumber('--inputs', values.inputs) ?? DEFAULT_PROOF_INPUTS;
  const seed = integer('--seed', values.seed) ?? DEFAULT_PROOF_SEED;
  const [{ readModelFile }, { verifyModels }] = await Promise.all([import('../io/read-model.js'), import('../../interpreter/verify.js')]);
  const [a, b] = positionals.map(readModelFile) as [LoadedModel, LoadedModel];
  const r = verifyModels(a.graph, b.graph, { inputs: count, seed, files: [a.file, b.file] });
  for (const c of r.cases) io.stdout(`  ${c.input}: ${c.differingBytes === 0 ? 'identical' : `${c.differingBytes} bytes differ, max difference ${c.maxDiff}`}\n`);
  io.stdout(
    r.equal
      ? `verified: outputs are bit-identical on ${r.cases.length} inputs (${r.outputBytes} output bytes compared)\n`
      : `MISMATCH: ${r.differingBytes} of ${r.outputBytes} output bytes differ, max difference ${r.maxDiff}${r.psnr !== null ? `, PSNR ${r.psnr} dB` : ''}\n`,
  );
  return r.equal ? 0 : 1;
}
