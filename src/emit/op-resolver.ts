// <name>_resolver.h: a tflite::MicroMutableOpResolver<N> with exactly the
// operators the model uses, and tinyseg_tflm_kernels.h declaring the
// registrations of TinySeg's custom operators. N counts registrations, as
// MicroMutableOpResolver does: every distinct builtin plus every distinct
// custom operator.

import { TinysegError } from '../errors.js';
import type { Graph } from '../graph/graph.js';
import type { KernelSet } from '../ops/kernel-sets.js';
import { TINYSEG_OPS } from '../ops/tinyseg/custom-ops.js';
import type { CustomOps } from '../ops/custom-op-declaration.js';
import { cComment, cString } from './c-text.js';
import { renderTemplateFile } from './template.js';

/**
 * Builtin operator -> MicroMutableOpResolver method, as TFLM 90b983c
 * (tensorflow/lite/micro/micro_mutable_op_resolver.h) names them.
 */
export const TFLM_BUILTIN_METHODS: ReadonlyMap<string, string> = new Map([
  ['ABS', 'AddAbs'], ['ADD', 'AddAdd'], ['ADD_N', 'AddAddN'], ['ARG_MAX', 'AddArgMax'], ['ARG_MIN', 'AddArgMin'],
  ['ASSIGN_VARIABLE', 'AddAssignVariable'], ['AVERAGE_POOL_2D', 'AddAveragePool2D'], ['BATCH_MATMUL', 'AddBatchMatMul'],
  ['BATCH_TO_SPACE_ND', 'AddBatchToSpaceNd'], ['BROADCAST_ARGS', 'AddBroadcastArgs'], ['BROADCAST_TO', 'AddBroadcastTo'],
  ['CALL_ONCE', 'AddCallOnce'], ['CAST', 'AddCast'], ['CEIL', 'AddCeil'], ['CONCATENATION', 'AddConcatenation'],
  ['CONV_2D', 'AddConv2D'], ['COS', 'AddCos'], ['CUMSUM', 'AddCumSum'], ['DEPTH_TO_SPACE', 'AddDepthToSpace'],
  ['DEPTHWISE_CONV_2D', 'AddDepthwiseConv2D'], ['DEQUANTIZE', 'AddDequantize'], ['DIV', 'AddDiv'],
  ['DYNAMIC_UPDATE_SLICE', 'AddDynamicUpdateSlice'], ['EMBEDDING_LOOKUP', 'AddEmbeddingLookup'], ['ELU', 'AddElu'],
  ['EQUAL', 'AddEqual'], ['EXP', 'AddExp'], ['EXPAND_DIMS', 'AddExpandDims'], ['FILL', 'AddFill'], ['FLOOR', 'AddFloor'],
  ['FLOOR_DIV', 'AddFloorDiv'], ['FLOOR_MOD', 'AddFloorMod'], ['FULLY_CONNECTED', 'AddFullyConnected'],
  ['GATHER', 'AddGather'], ['GATHER_ND', 'AddGatherNd'], ['GREATER', 'AddGreater'], ['GREATER_EQUAL', 'AddGreaterEqual'],
  ['HARD_SWISH', 'AddHardSwish'], ['IF', 'AddIf'], ['L2_NORMALIZATION', 'AddL2Normalization'], ['L2_POOL_2D', 'AddL2Pool2D'],
  ['LEAKY_RELU', 'AddLeakyRelu'], ['LESS', 'AddLess'], ['LESS_EQUAL', 'AddLessEqual'], ['LOG', 'AddLog'],
  ['LOGICAL_AND', 'AddLogicalAnd'], ['LOGICAL_NOT', 'AddLogicalNot'], ['LOGICAL_OR', 'AddLogicalOr'],
  ['LOGISTIC', 'AddLogistic'], ['LOG_SOFTMAX', 'AddLogSoftmax'], ['MAXIMUM', 'AddMaximum'], ['MAX_POOL_2D', 'AddMaxPool2D'],
  ['MIRROR_PAD', 'AddMirrorPad'], ['MEAN', 'AddMean'], ['MINIMUM', 'AddMinimum'], ['MUL', 'AddMul'], ['NEG', 'AddNeg'],
  ['NOT_EQUAL', 'AddNotEqual'], ['PACK', 'AddPack'], ['PAD', 'AddPad'], ['PADV2', 'AddPadV2'], ['PRELU', 'AddPrelu'],
  ['QUANTIZE', 'AddQuantize'], ['READ_VARIABLE', 'AddReadVariable'], ['REDUCE_ALL', 'AddReduceAll'],
  ['REDUCE_MAX', 'AddReduceMax'], ['REDUCE_MIN', 'AddReduceMin'], ['RELU', 'AddRelu'], ['RELU6', 'AddRelu6'],
  ['RESHAPE', 'AddReshape'], ['RESIZE_BILINEAR', 'AddResizeBilinear'], ['RESIZE_NEAREST_NEIGHBOR', 'AddResizeNearestNeighbor'],
  ['REVERSE_V2', 'AddReverseV2'], ['ROUND', 'AddRound'], ['RSQRT', 'AddRsqrt'], ['SELECT_V2', 'AddSelectV2'],
  ['SHAPE', 'AddShape'], ['SIN', 'AddSin'], ['SLICE', 'AddSlice'], ['SOFTMAX', 'AddSoftmax'],
  ['SPACE_TO_BATCH_ND', 'AddSpaceToBatchNd'], ['SPACE_TO_DEPTH', 'AddSpaceToDepth'], ['SPLIT', 'AddSplit'],
  ['SPLIT_V', 'AddSplitV'], ['SQUEEZE', 'AddSqueeze'], ['SQRT', 'AddSqrt'], ['SQUARE', 'AddSquare'],
  ['SQUARED_DIFFERENCE', 'AddSquaredDifference'], ['STRIDED_SLICE', 'AddStridedSlice'], ['SUB', 'AddSub'], ['SUM', 'AddSum'],
  ['SVDF', 'AddSvdf'], ['TANH', 'AddTanh'], ['TRANSPOSE_CONV', 'AddTransposeConv'], ['TRANSPOSE', 'AddTranspose'],
  ['UNPACK', 'AddUnpack'], ['UNIDIRECTIONAL_SEQUENCE_LSTM', 'AddUnidirectionalSequenceLSTM'], ['VAR_HANDLE', 'AddVarHandle'],
  ['WHILE', 'AddWhile'], ['ZEROS_LIKE', 'AddZerosLike'],
]);

/** Custom operators TFLM itself ships, by custom code, with the method that registers each. */
export const TFLM_CUSTOM_METHODS: ReadonlyMap<string, string> = new Map([
  ['TFLite_Detection_PostProcess', 'AddDetectionPostprocess'],
  ['CIRCULAR_BUFFER', 'AddCircularBuffer'],
]);

/**
 * TinySeg's operators and the registration functions tinyseg_tflm_kernels.h
 * declares for them: Register_<name without the TinySeg prefix>, derived so a
 * new operator cannot be left out.
 */
export const TINYSEG_REGISTRATIONS: ReadonlyMap<string, string> = new Map(TINYSEG_OPS.map((code) => [code, `Register_${code.replace(/^TinySeg/, '')}`]));

export interface ResolverOps {
  /** Distinct builtins, sorted: [builtin, method]. */
  builtins: [string, string][];
  /** Distinct custom operators, sorted: [custom code, the C++ statement's call]; `declared`: the user's registration function. */
  customs: { code: string; call: string; tinyseg: boolean; declared?: string }[];
  count: number;
}

/** The operators a resolver must register for every subgraph of `graph`; `declared`: custom operators of other projects the firmware defines. */
export function resolverOps(graph: Graph, file: string, declared: CustomOps = new Map()): ResolverOps {
  const builtins = new Map<string, string>();
  const customs = new Map<string, ResolverOps['customs'][number]>();
  for (const sg of graph.subgraphs) {
    for (const op of sg.ops) {
      if (op.opcode !== 'CUSTOM') {
        const method = TFLM_BUILTIN_METHODS.get(op.opcode);
        if (method === undefined) {
          throw new TinysegError('E_UNSUPPORTED', `TFLM has no kernel for builtin operator ${op.opcode}, so no op resolver can be generated`, {
            file,
            hint: 'TFLM 90b983c registers the builtins of micro_mutable_op_resolver.h',
          });
        }
        builtins.set(op.opcode, method);
        continue;
      }
      const code = op.customCode ?? '';
      if (customs.has(code)) continue;
      const register = TINYSEG_REGISTRATIONS.get(code);
      const shipped = TFLM_CUSTOM_METHODS.get(code);
      const user = declared.get(code);
      if (register !== undefined) customs.set(code, { code, call: `AddCustom(${cString(code)}, tinyseg::${register}())`, tinyseg: true });
      else if (shipped !== undefined) customs.set(code, { code, call: `${shipped}()`, tinyseg: false });
      // The declaration checked the function name is a C identifier; the code is a C string literal here.
      else if (user !== undefined) customs.set(code, { code, call: `AddCustom(${cString(code)}, ${user.register}())`, tinyseg: false, declared: user.register });
      else {
        throw new TinysegError('E_UNSUPPORTED', `custom operator '${cComment(code)}' is neither TinySeg's nor shipped with TFLM, so no op resolver can be generated`, {
          file,
          hint: 'declare it with --custom-op NAME (plugin: customOps, CMake: CUSTOM_OPS) and define its Register_ function in the firmware',
        });
      }
    }
  }
  const sorted = <T>(m: Map<string, T>): [string, T][] => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    builtins: sorted(builtins),
    customs: sorted(customs).map(([, c]) => c),
    count: builtins.size + customs.size,
  };
}

export function resolverHeader(o: { id: string; macro: string; source: string; ops: ResolverOps }): string {
  const calls = [...o.ops.builtins.map(([, method]) => `${method}()`), ...o.ops.customs.map((c) => c.call)];
  return renderTemplateFile('resolver.h.tpl', {
    source: cComment(o.source),
    id: o.id,
    MACRO: o.macro,
    customs: o.ops.customs.some((c) => c.tinyseg),
    opCount: String(o.ops.count),
    builtinCount: String(o.ops.builtins.length),
    customCount: String(o.ops.customs.length),
    declared: o.ops.customs.some((c) => c.declared !== undefined),
    declarations: o.ops.customs
      .filter((c) => c.declared !== undefined)
      .map((c) => `// ${cComment(c.code)}: defined by the firmware (declared with --custom-op)\nTFLMRegistration* ${c.declared}();`)
      .join('\n'),
    registrations: calls.map((c) => `  if (resolver.${c} != kTfLiteOk) return kTfLiteError;`).join('\n'),
  });
}

/**
 * tinyseg_tflm_kernels.h for a model optimized for kernel set `set`: the
 * registrations, and TINYSEG_KERNELS_CMSIS_NN, which selects the kernels'
 * CMSIS-NN code and fails the compile when the build contradicts it.
 */
export function tflmKernelsHeader(set: KernelSet): string {
  const declarations = [...TINYSEG_REGISTRATIONS].map(([code, fn]) => `// AddCustom("${code}", tinyseg::${fn}())\nTFLMRegistration* ${fn}();`);
  return renderTemplateFile('tinyseg_tflm_kernels.h.tpl', {
    declarations: declarations.join('\n\n'),
    label: `--kernels ${set}`,
    cmsisNn: set === 'cmsis-nn' ? '1' : '0',
  });
}
