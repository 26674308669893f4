// `tinyseg run <model> --out <dir>`: the model's outputs from TinySeg's
// bit-exact interpreter, as raw files, for the user's given inputs or the
// oracle's deterministic one.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inFile, TinysegError } from '../../errors.js';
import type { CliIO } from '../cli.js';
import { writeOutputs } from '../io/write-files.js';
import { parseCommandArgs, usageError } from './usage.js';

export async function runRun(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('run', args);
  if (positionals.length !== 1) throw usageError(`run takes one model file, got ${positionals.length}`);
  if (values.out === undefined) throw usageError('run needs --out <dir>');
  const inputFiles = values.input ?? [];
  if ((inputFiles.length > 0) === (values['oracle-input'] === true)) throw usageError('run needs either --input <file> (one per model input) or --oracle-input');
  const [{ readModelFile }, { deterministicInput }, { runModel }] = await Promise.all([
    import('../io/read-model.js'),
    import('../../interpreter/oracle-input.js'),
    import('../../interpreter/interpreter.js'),
  ]);
  const model = readModelFile(positionals[0]!);
  const sg = model.graph.main;
  if (inputFiles.length > 0 && inputFiles.length !== sg.inputs.length) {
    throw usageError(`the model has ${sg.inputs.length} inputs, got ${inputFiles.length} --input files`);
  }
  const inputs = sg.inputs.map((t, i) => {
    const tensor = sg.tensors[t]!;
    if (values['oracle-input']) return deterministicInput(tensor);
    const bytes = readInputFile(inputFiles[i]!);
    if (bytes.length !== tensor.byteSize) {
      throw new TinysegError('E_USAGE', `input ${i} takes ${tensor.byteSize} bytes (${tensor.dtype} [${tensor.shape.join('x')}]), the file has ${bytes.length}`, { file: inputFiles[i] });
    }
    return bytes;
  });
  const outputs = inFile(model.file, () => runModel(model.graph, inputs));
  writeOutputs(
    outputs.map((bytes, i) => [join(values.out!, `out${i}.bin`), bytes] as const),
    'touch',
  );
  sg.outputs.forEach((t, i) => {
    const tensor = sg.tensors[t]!;
    io.stdout(`out${i}.bin  ${tensor.dtype} [${tensor.shape.join('x')}]  ${tensor.byteSize} bytes  '${printable(tensor.name)}'\n`);
  });
  return 0;
}

function readInputFile(file: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(file));
  } catch (e) {
    throw new TinysegError('E_IO', `cannot read input: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`, { file });
  }
}

/** Model strings reach the terminal without control characters. */
const printable = (s: string): string => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
