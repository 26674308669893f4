// `tinyseg report <model>`: TFLM's memory report of a model as it is, as text
// or JSON, with an optional memory-timeline chart.

import { inFile } from '../../errors.js';
import type { CliIO } from '../cli.js';
import { writeOutputs } from '../io/write-files.js';
import { parseCommandArgs, usageError } from './usage.js';
import { customOpsFlag, kernelSetFlag } from './optimize-args.js';
import { customOpMap } from '../../ops/custom-op-declaration.js';
import { DEFAULT_KERNEL_SET, kernelsFor } from '../../ops/kernel-sets.js';

export async function runReport(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('report', args);
  if (positionals.length !== 1) throw usageError(`report takes one model file, got ${positionals.length}`);
  const [{ readModelFile }, { checkModel }, { memoryReport }, { renderTimelineSvg }, { renderReportText }] = await Promise.all([
    import('../io/read-model.js'),
    import('../../interpreter/interpreter.js'),
    import('../../report/memory-report.js'),
    import('../../report/svg.js'),
    import('../../report/text.js'),
  ]);
  const model = readModelFile(positionals[0]!);
  // TFLM's Prepare of every operator: a model TFLM refuses gets no figures; one it only refuses at Invoke gets them with a warning.
  const prepareWarnings = inFile(model.file, () => checkModel(model.graph, { allowRefused: values['allow-refused'] === true }));
  for (const w of prepareWarnings) io.stderr(`tinyseg: warning: ${model.file}: ${w}\n`);
  const set = kernelSetFlag(values.kernels);
  // A target names the core (CMSIS-NN's buffers differ between DSP, MVE and no-DSP cores) and the default set.
  const target = values.target === undefined ? undefined : (await import('../io/read-target.js')).readTargetProfile(values.target);
  const chosen = target ? (await import('../../memory/target-profile.js')).kernelsForTarget(target, set) : kernelsFor(set ?? DEFAULT_KERNEL_SET);
  const { customOps } = customOpsFlag(values['custom-op']);
  const kernels = customOps ? { ...chosen, customOps: customOpMap(customOps) } : chosen;
  const report = memoryReport({ ...model, kernels, prepareWarnings });
  if (values.svg !== undefined) writeOutputs([[values.svg, renderTimelineSvg(report, { title: `${model.file}: memory timeline`, graph: model.graph })]], 'touch');
  if (values.json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  else {
    const { arenaSize } = await import('../../tflm/arena-size.js');
    io.stdout(renderReportText(report, { allocate: arenaSize(model.graph, report.arena.head, report.arena.tail, kernels).bytes }));
  }
  return 0;
}
