// Public library API.
export { TinysegError, type ErrorCode } from './errors.js';
export { readModel, writeModel, type WriteOptions } from './tflite/model-file.js';
export { Graph, Subgraph, loadGraph, saveGraph, graphFromModel, graphToModel, type Tensor, type Op } from './graph/graph.js';
export type { DType, GraphTensor, GraphOp, Quantization, TensorKind } from './graph/types.js';
export { tflmLifetimes } from './analysis/lifetimes.js';
export { coldRanges, type ColdRange } from './analysis/cold-ranges.js';
export { lowerBound } from './analysis/lower-bound.js';
export { planGreedyTflm, type PlanBuffer, type Placement } from './memory/greedy-tflm.js';
export { planTflmArena, tflmPlanBuffers, type TflmArena } from './memory/tflm-arena.js';
export { memoryReport, type MemoryReport } from './report/memory-report.js';
export { renderReportText } from './report/text.js';
export { renderTimelineSvg } from './report/svg.js';
export { buildTinyUnet, type TinyUnetOptions } from './graph/tiny-unet.js';
export { GraphBuilder, optionsWithDefaults, type TensorSpec, type OpSpec } from './graph/builder.js';
export { Interpreter, runModel, runGuarded, validatePlan, type InterpreterOptions } from './interpreter/interpreter.js';
export { deterministicInput, randomInput } from './interpreter/oracle-input.js';
export { verifyModels, compareOutputs, type VerifyResult, type VerifyOptions } from './interpreter/verify.js';
