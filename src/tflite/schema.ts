// The TensorFlow Lite FlatBuffers schema, version 3 (file identifier "TFL3"),
// as read by TFLM at commit 90b983c, written in TinySeg's description language
// (describe.ts). Field order is slot order; defaults and force_align are as the
// upstream schema declares them; deprecated fields and tables stay listed so
// their slots and values survive a round trip. Decoded value types are inferred
// from these descriptions (`<Name>T`).
//
// The upstream schema.fbs was transcribed into this form once; this file is
// now maintained by hand. When the upstream schema grows, add the new fields
// at the end of their tables (FlatBuffers only ever appends) and new union
// members at the end of their unions.

import { enumType, field, table, union, type TableValue } from './describe.js';

export const TensorType = enumType('TensorType', 'int8', {
  FLOAT32: 0,
  FLOAT16: 1,
  INT32: 2,
  UINT8: 3,
  INT64: 4,
  STRING: 5,
  BOOL: 6,
  INT16: 7,
  COMPLEX64: 8,
  INT8: 9,
  FLOAT64: 10,
  COMPLEX128: 11,
  UINT64: 12,
  RESOURCE: 13,
  VARIANT: 14,
  UINT32: 15,
  UINT16: 16,
  INT4: 17,
  BFLOAT16: 18,
  INT2: 19,
  UINT4: 20,
  FLOAT8_E4M3FN: 21,
  FLOAT8_E5M2: 22,
});

export const CustomQuantization = table('CustomQuantization', [
  field.vector('custom', 'uint8', 16),
]);
export type CustomQuantizationT = TableValue<typeof CustomQuantization>;

export const BlockwiseQuantization = table('BlockwiseQuantization', [
  field.scalar('scales', 'int32'),
  field.scalar('zeroPoints', 'int32'),
  field.scalar('blockSize', 'int32'),
]);
export type BlockwiseQuantizationT = TableValue<typeof BlockwiseQuantization>;

export const MultiAxisQuantization = table('MultiAxisQuantization', [
  field.scalar('scales', 'int32'),
  field.scalar('zeroPoints', 'int32'),
  field.scalar('blockSize', 'int32'),
  field.vector('quantizedDimensions', 'int32'),
]);
export type MultiAxisQuantizationT = TableValue<typeof MultiAxisQuantization>;

export const QuantizationDetails = union('QuantizationDetails', [
  null,
  CustomQuantization,
  BlockwiseQuantization,
  MultiAxisQuantization,
]);

export const QuantizationParameters = table('QuantizationParameters', [
  field.vector('min', 'float32'),
  field.vector('max', 'float32'),
  field.vector('scale', 'float32'),
  field.vector('zeroPoint', 'int64'),
  field.union('details', QuantizationDetails),
  field.scalar('quantizedDimension', 'int32'),
]);
export type QuantizationParametersT = TableValue<typeof QuantizationParameters>;

export const DimensionType = enumType('DimensionType', 'int8', {
  DENSE: 0,
  SPARSE_CSR: 1,
});

export const Int32Vector = table('Int32Vector', [
  field.vector('values', 'int32'),
]);
export type Int32VectorT = TableValue<typeof Int32Vector>;

export const Uint16Vector = table('Uint16Vector', [
  field.vector('values', 'uint16', 4),
]);
export type Uint16VectorT = TableValue<typeof Uint16Vector>;

export const Uint8Vector = table('Uint8Vector', [
  field.vector('values', 'uint8', 4),
]);
export type Uint8VectorT = TableValue<typeof Uint8Vector>;

export const SparseIndexVector = union('SparseIndexVector', [
  null,
  Int32Vector,
  Uint16Vector,
  Uint8Vector,
]);

export const DimensionMetadata = table('DimensionMetadata', [
  field.enum('format', DimensionType),
  field.scalar('denseSize', 'int32'),
  field.union('arraySegments', SparseIndexVector),
  field.union('arrayIndices', SparseIndexVector),
]);
export type DimensionMetadataT = TableValue<typeof DimensionMetadata>;

export const SparsityParameters = table('SparsityParameters', [
  field.vector('traversalOrder', 'int32'),
  field.vector('blockMap', 'int32'),
  field.vector('dimMetadata', DimensionMetadata),
]);
export type SparsityParametersT = TableValue<typeof SparsityParameters>;

export const VariantSubType = table('VariantSubType', [
  field.vector('shape', 'int32'),
  field.enum('type', TensorType),
  field.bool('hasRank'),
]);
export type VariantSubTypeT = TableValue<typeof VariantSubType>;

export const Tensor = table('Tensor', [
  field.vector('shape', 'int32'),
  field.enum('type', TensorType),
  field.scalar('buffer', 'uint32'),
  field.string('name'),
  field.table('quantization', QuantizationParameters),
  field.bool('isVariable'),
  field.table('sparsity', SparsityParameters),
  field.vector('shapeSignature', 'int32'),
  field.bool('hasRank'),
  field.vector('variantTensors', VariantSubType),
  field.scalar('externalBuffer', 'uint32'),
]);
export type TensorT = TableValue<typeof Tensor>;

export const BuiltinOperator = enumType('BuiltinOperator', 'int32', {
  ADD: 0,
  AVERAGE_POOL_2D: 1,
  CONCATENATION: 2,
  CONV_2D: 3,
  DEPTHWISE_CONV_2D: 4,
  DEPTH_TO_SPACE: 5,
  DEQUANTIZE: 6,
  EMBEDDING_LOOKUP: 7,
  FLOOR: 8,
  FULLY_CONNECTED: 9,
  HASHTABLE_LOOKUP: 10,
  L2_NORMALIZATION: 11,
  L2_POOL_2D: 12,
  LOCAL_RESPONSE_NORMALIZATION: 13,
  LOGISTIC: 14,
  LSH_PROJECTION: 15,
  LSTM: 16,
  MAX_POOL_2D: 17,
  MUL: 18,
  RELU: 19,
  RELU_N1_TO_1: 20,
  RELU6: 21,
  RESHAPE: 22,
  RESIZE_BILINEAR: 23,
  RNN: 24,
  SOFTMAX: 25,
  SPACE_TO_DEPTH: 26,
  SVDF: 27,
  TANH: 28,
  CONCAT_EMBEDDINGS: 29,
  SKIP_GRAM: 30,
  CALL: 31,
  CUSTOM: 32,
  EMBEDDING_LOOKUP_SPARSE: 33,
  PAD: 34,
  UNIDIRECTIONAL_SEQUENCE_RNN: 35,
  GATHER: 36,
  BATCH_TO_SPACE_ND: 37,
  SPACE_TO_BATCH_ND: 38,
  TRANSPOSE: 39,
  MEAN: 40,
  SUB: 41,
  DIV: 42,
  SQUEEZE: 43,
  UNIDIRECTIONAL_SEQUENCE_LSTM: 44,
  STRIDED_SLICE: 45,
  BIDIRECTIONAL_SEQUENCE_RNN: 46,
  EXP: 47,
  TOPK_V2: 48,
  SPLIT: 49,
  LOG_SOFTMAX: 50,
  DELEGATE: 51,
  BIDIRECTIONAL_SEQUENCE_LSTM: 52,
  CAST: 53,
  PRELU: 54,
  MAXIMUM: 55,
  ARG_MAX: 56,
  MINIMUM: 57,
  LESS: 58,
  NEG: 59,
  PADV2: 60,
  GREATER: 61,
  GREATER_EQUAL: 62,
  LESS_EQUAL: 63,
  SELECT: 64,
  SLICE: 65,
  SIN: 66,
  TRANSPOSE_CONV: 67,
  SPARSE_TO_DENSE: 68,
  TILE: 69,
  EXPAND_DIMS: 70,
  EQUAL: 71,
  NOT_EQUAL: 72,
  LOG: 73,
  SUM: 74,
  SQRT: 75,
  RSQRT: 76,
  SHAPE: 77,
  POW: 78,
  ARG_MIN: 79,
  FAKE_QUANT: 80,
  REDUCE_PROD: 81,
  REDUCE_MAX: 82,
  PACK: 83,
  LOGICAL_OR: 84,
  ONE_HOT: 85,
  LOGICAL_AND: 86,
  LOGICAL_NOT: 87,
  UNPACK: 88,
  REDUCE_MIN: 89,
  FLOOR_DIV: 90,
  REDUCE_ANY: 91,
  SQUARE: 92,
  ZEROS_LIKE: 93,
  FILL: 94,
  FLOOR_MOD: 95,
  RANGE: 96,
  RESIZE_NEAREST_NEIGHBOR: 97,
  LEAKY_RELU: 98,
  SQUARED_DIFFERENCE: 99,
  MIRROR_PAD: 100,
  ABS: 101,
  SPLIT_V: 102,
  UNIQUE: 103,
  CEIL: 104,
  REVERSE_V2: 105,
  ADD_N: 106,
  GATHER_ND: 107,
  COS: 108,
  WHERE: 109,
  RANK: 110,
  ELU: 111,
  REVERSE_SEQUENCE: 112,
  MATRIX_DIAG: 113,
  QUANTIZE: 114,
  MATRIX_SET_DIAG: 115,
  ROUND: 116,
  HARD_SWISH: 117,
  IF: 118,
  WHILE: 119,
  NON_MAX_SUPPRESSION_V4: 120,
  NON_MAX_SUPPRESSION_V5: 121,
  SCATTER_ND: 122,
  SELECT_V2: 123,
  DENSIFY: 124,
  SEGMENT_SUM: 125,
  BATCH_MATMUL: 126,
  PLACEHOLDER_FOR_GREATER_OP_CODES: 127,
  CUMSUM: 128,
  CALL_ONCE: 129,
  BROADCAST_TO: 130,
  RFFT2D: 131,
  CONV_3D: 132,
  IMAG: 133,
  REAL: 134,
  COMPLEX_ABS: 135,
  HASHTABLE: 136,
  HASHTABLE_FIND: 137,
  HASHTABLE_IMPORT: 138,
  HASHTABLE_SIZE: 139,
  REDUCE_ALL: 140,
  CONV_3D_TRANSPOSE: 141,
  VAR_HANDLE: 142,
  READ_VARIABLE: 143,
  ASSIGN_VARIABLE: 144,
  BROADCAST_ARGS: 145,
  RANDOM_STANDARD_NORMAL: 146,
  BUCKETIZE: 147,
  RANDOM_UNIFORM: 148,
  MULTINOMIAL: 149,
  GELU: 150,
  DYNAMIC_UPDATE_SLICE: 151,
  RELU_0_TO_1: 152,
  UNSORTED_SEGMENT_PROD: 153,
  UNSORTED_SEGMENT_MAX: 154,
  UNSORTED_SEGMENT_SUM: 155,
  ATAN2: 156,
  UNSORTED_SEGMENT_MIN: 157,
  SIGN: 158,
  BITCAST: 159,
  BITWISE_XOR: 160,
  RIGHT_SHIFT: 161,
  STABLEHLO_LOGISTIC: 162,
  STABLEHLO_ADD: 163,
  STABLEHLO_DIVIDE: 164,
  STABLEHLO_MULTIPLY: 165,
  STABLEHLO_MAXIMUM: 166,
  STABLEHLO_RESHAPE: 167,
  STABLEHLO_CLAMP: 168,
  STABLEHLO_CONCATENATE: 169,
  STABLEHLO_BROADCAST_IN_DIM: 170,
  STABLEHLO_CONVOLUTION: 171,
  STABLEHLO_SLICE: 172,
  STABLEHLO_CUSTOM_CALL: 173,
  STABLEHLO_REDUCE: 174,
  STABLEHLO_ABS: 175,
  STABLEHLO_AND: 176,
  STABLEHLO_COSINE: 177,
  STABLEHLO_EXPONENTIAL: 178,
  STABLEHLO_FLOOR: 179,
  STABLEHLO_LOG: 180,
  STABLEHLO_MINIMUM: 181,
  STABLEHLO_NEGATE: 182,
  STABLEHLO_OR: 183,
  STABLEHLO_POWER: 184,
  STABLEHLO_REMAINDER: 185,
  STABLEHLO_RSQRT: 186,
  STABLEHLO_SELECT: 187,
  STABLEHLO_SUBTRACT: 188,
  STABLEHLO_TANH: 189,
  STABLEHLO_SCATTER: 190,
  STABLEHLO_COMPARE: 191,
  STABLEHLO_CONVERT: 192,
  STABLEHLO_DYNAMIC_SLICE: 193,
  STABLEHLO_DYNAMIC_UPDATE_SLICE: 194,
  STABLEHLO_PAD: 195,
  STABLEHLO_IOTA: 196,
  STABLEHLO_DOT_GENERAL: 197,
  STABLEHLO_REDUCE_WINDOW: 198,
  STABLEHLO_SORT: 199,
  STABLEHLO_WHILE: 200,
  STABLEHLO_GATHER: 201,
  STABLEHLO_TRANSPOSE: 202,
  DILATE: 203,
  STABLEHLO_RNG_BIT_GENERATOR: 204,
  REDUCE_WINDOW: 205,
  STABLEHLO_COMPOSITE: 206,
  STABLEHLO_SHIFT_LEFT: 207,
  STABLEHLO_CBRT: 208,
  STABLEHLO_CASE: 209,
});

export const Padding = enumType('Padding', 'int8', {
  SAME: 0,
  VALID: 1,
});

export const ActivationFunctionType = enumType('ActivationFunctionType', 'int8', {
  NONE: 0,
  RELU: 1,
  RELU_N1_TO_1: 2,
  RELU6: 3,
  TANH: 4,
  SIGN_BIT: 5,
});

export const Conv2DOptions = table('Conv2DOptions', [
  field.enum('padding', Padding),
  field.scalar('strideW', 'int32'),
  field.scalar('strideH', 'int32'),
  field.enum('fusedActivationFunction', ActivationFunctionType),
  field.scalar('dilationWFactor', 'int32', 1),
  field.scalar('dilationHFactor', 'int32', 1),
  field.enum('quantizedBiasType', TensorType),
]);
export type Conv2DOptionsT = TableValue<typeof Conv2DOptions>;

export const DepthwiseConv2DOptions = table('DepthwiseConv2DOptions', [
  field.enum('padding', Padding),
  field.scalar('strideW', 'int32'),
  field.scalar('strideH', 'int32'),
  field.scalar('depthMultiplier', 'int32'),
  field.enum('fusedActivationFunction', ActivationFunctionType),
  field.scalar('dilationWFactor', 'int32', 1),
  field.scalar('dilationHFactor', 'int32', 1),
]);
export type DepthwiseConv2DOptionsT = TableValue<typeof DepthwiseConv2DOptions>;

export const ConcatEmbeddingsOptions = table('ConcatEmbeddingsOptions', [
  field.scalar('numChannels', 'int32'),
  field.vector('numColumnsPerChannel', 'int32'),
  field.vector('embeddingDimPerChannel', 'int32'),
]);
export type ConcatEmbeddingsOptionsT = TableValue<typeof ConcatEmbeddingsOptions>;

export const LSHProjectionType = enumType('LSHProjectionType', 'int8', {
  UNKNOWN: 0,
  SPARSE: 1,
  DENSE: 2,
});

export const LSHProjectionOptions = table('LSHProjectionOptions', [
  field.enum('type', LSHProjectionType),
]);
export type LSHProjectionOptionsT = TableValue<typeof LSHProjectionOptions>;

export const Pool2DOptions = table('Pool2DOptions', [
  field.enum('padding', Padding),
  field.scalar('strideW', 'int32'),
  field.scalar('strideH', 'int32'),
  field.scalar('filterWidth', 'int32'),
  field.scalar('filterHeight', 'int32'),
  field.enum('fusedActivationFunction', ActivationFunctionType),
]);
export type Pool2DOptionsT = TableValue<typeof Pool2DOptions>;

export const SVDFOptions = table('SVDFOptions', [
  field.scalar('rank', 'int32'),
  field.enum('fusedActivationFunction', ActivationFunctionType),
  field.bool('asymmetricQuantizeInputs'),
]);
export type SVDFOptionsT = TableValue<typeof SVDFOptions>;

export const RNNOptions = table('RNNOptions', [
  field.enum('fusedActivationFunction', ActivationFunctionType),
  field.bool('asymmetricQuantizeInputs'),
]);
export type RNNOptionsT = TableValue<typeof RNNOptions>;

export const FullyConnectedOptionsWeightsFormat = enumType('FullyConnectedOptionsWeightsFormat', 'int8', {
  DEFAULT: 0,
  SHUFFLED4x16INT8: 1,
});

export const FullyConnectedOptions = table('FullyConnectedOptions', [
  field.enum('fusedActivationFunction', ActivationFunctionType),
  field.enum('weightsFormat', FullyConnectedOptionsWeightsFormat),
  field.bool('keepNumDims'),
  field.bool('asymmetricQuantizeInputs'),
  field.enum('quantizedBiasType', TensorType),
]);
export type FullyConnectedOptionsT = TableValue<typeof FullyConnectedOptions>;

export const SoftmaxOptions = table('SoftmaxOptions', [
  field.scalar('beta', 'float32'),
]);
export type SoftmaxOptionsT = TableValue<typeof SoftmaxOptions>;

export const ConcatenationOptions = table('ConcatenationOptions', [
  field.scalar('axis', 'int32'),
  field.enum('fusedActivationFunction', ActivationFunctionType),
]);
export type ConcatenationOptionsT = TableValue<typeof ConcatenationOptions>;

export const AddOptions = table('AddOptions', [
  field.enum('fusedActivationFunction', ActivationFunctionType),
  field.bool('potScaleInt16', true),
]);
export type AddOptionsT = TableValue<typeof AddOptions>;

export const L2NormOptions = table('L2NormOptions', [
  field.enum('fusedActivationFunction', ActivationFunctionType),
]);
export type L2NormOptionsT = TableValue<typeof L2NormOptions>;

export const LocalResponseNormalizationOptions = table('LocalResponseNormalizationOptions', [
  field.scalar('radius', 'int32'),
  field.scalar('bias', 'float32'),
  field.scalar('alpha', 'float32'),
  field.scalar('beta', 'float32'),
]);
export type LocalResponseNormalizationOptionsT = TableValue<typeof LocalResponseNormalizationOptions>;

export const LSTMKernelType = enumType('LSTMKernelType', 'int8', {
  FULL: 0,
  BASIC: 1,
});

export const LSTMOptions = table('LSTMOptions', [
  field.enum('fusedActivationFunction', ActivationFunctionType),
  field.scalar('cellClip', 'float32'),
  field.scalar('projClip', 'float32'),
  field.enum('kernelType', LSTMKernelType),
  field.bool('asymmetricQuantizeInputs'),
]);
export type LSTMOptionsT = TableValue<typeof LSTMOptions>;

export const ResizeBilinearOptions = table('ResizeBilinearOptions', [
  field.scalar('newHeight', 'int32'),
  field.scalar('newWidth', 'int32'),
  field.bool('alignCorners'),
  field.bool('halfPixelCenters'),
]);
export type ResizeBilinearOptionsT = TableValue<typeof ResizeBilinearOptions>;

export const CallOptions = table('CallOptions', [
  field.scalar('subgraph', 'uint32'),
]);
export type CallOptionsT = TableValue<typeof CallOptions>;

export const ReshapeOptions = table('ReshapeOptions', [
  field.vector('newShape', 'int32'),
]);
export type ReshapeOptionsT = TableValue<typeof ReshapeOptions>;

export const SkipGramOptions = table('SkipGramOptions', [
  field.scalar('ngramSize', 'int32'),
  field.scalar('maxSkipSize', 'int32'),
  field.bool('includeAllNgrams'),
]);
export type SkipGramOptionsT = TableValue<typeof SkipGramOptions>;

export const SpaceToDepthOptions = table('SpaceToDepthOptions', [
  field.scalar('blockSize', 'int32'),
]);
export type SpaceToDepthOptionsT = TableValue<typeof SpaceToDepthOptions>;

export const CombinerType = enumType('CombinerType', 'int8', {
  SUM: 0,
  MEAN: 1,
  SQRTN: 2,
});

export const EmbeddingLookupSparseOptions = table('EmbeddingLookupSparseOptions', [
  field.enum('combiner', CombinerType),
]);
export type EmbeddingLookupSparseOptionsT = TableValue<typeof EmbeddingLookupSparseOptions>;

export const MulOptions = table('MulOptions', [
  field.enum('fusedActivationFunction', ActivationFunctionType),
]);
export type MulOptionsT = TableValue<typeof MulOptions>;

export const PadOptions = table('PadOptions', [
]);
export type PadOptionsT = TableValue<typeof PadOptions>;

export const GatherOptions = table('GatherOptions', [
  field.scalar('axis', 'int32'),
  field.scalar('batchDims', 'int32'),
]);
export type GatherOptionsT = TableValue<typeof GatherOptions>;

export const BatchToSpaceNDOptions = table('BatchToSpaceNDOptions', [
]);
export type BatchToSpaceNDOptionsT = TableValue<typeof BatchToSpaceNDOptions>;

export const SpaceToBatchNDOptions = table('SpaceToBatchNDOptions', [
]);
export type SpaceToBatchNDOptionsT = TableValue<typeof SpaceToBatchNDOptions>;

export const TransposeOptions = table('TransposeOptions', [
]);
export type TransposeOptionsT = TableValue<typeof TransposeOptions>;

export const ReducerOptions = table('ReducerOptions', [
  field.bool('keepDims'),
]);
export type ReducerOptionsT = TableValue<typeof ReducerOptions>;

export const SubOptions = table('SubOptions', [
  field.enum('fusedActivationFunction', ActivationFunctionType),
  field.bool('potScaleInt16', true),
]);
export type SubOptionsT = TableValue<typeof SubOptions>;

export const DivOptions = table('DivOptions', [
  field.enum('fusedActivationFunction', ActivationFunctionType),
]);
export type DivOptionsT = TableValue<typeof DivOptions>;

export const SqueezeOptions = table('SqueezeOptions', [
  field.vector('squeezeDims', 'int32'),
]);
export type SqueezeOptionsT = TableValue<typeof SqueezeOptions>;

export const SequenceRNNOptions = table('SequenceRNNOptions', [
  field.bool('timeMajor'),
  field.enum('fusedActivationFunction', ActivationFunctionType),
  field.bool('asymmetricQuantizeInputs'),
]);
export type SequenceRNNOptionsT = TableValue<typeof SequenceRNNOptions>;

export const StridedSliceOptions = table('StridedSliceOptions', [
  field.scalar('beginMask', 'int32'),
  field.scalar('endMask', 'int32'),
  field.scalar('ellipsisMask', 'int32'),
  field.scalar('newAxisMask', 'int32'),
  field.scalar('shrinkAxisMask', 'int32'),
  field.bool('offset'),
]);
export type StridedSliceOptionsT = TableValue<typeof StridedSliceOptions>;

export const ExpOptions = table('ExpOptions', [
]);
export type ExpOptionsT = TableValue<typeof ExpOptions>;

export const TopKV2Options = table('TopKV2Options', [
]);
export type TopKV2OptionsT = TableValue<typeof TopKV2Options>;

export const SplitOptions = table('SplitOptions', [
  field.scalar('numSplits', 'int32'),
]);
export type SplitOptionsT = TableValue<typeof SplitOptions>;

export const LogSoftmaxOptions = table('LogSoftmaxOptions', [
]);
export type LogSoftmaxOptionsT = TableValue<typeof LogSoftmaxOptions>;

export const CastOptions = table('CastOptions', [
  field.enum('inDataType', TensorType),
  field.enum('outDataType', TensorType),
]);
export type CastOptionsT = TableValue<typeof CastOptions>;

export const DequantizeOptions = table('DequantizeOptions', [
]);
export type DequantizeOptionsT = TableValue<typeof DequantizeOptions>;

export const MaximumMinimumOptions = table('MaximumMinimumOptions', [
]);
export type MaximumMinimumOptionsT = TableValue<typeof MaximumMinimumOptions>;

export const ArgMaxOptions = table('ArgMaxOptions', [
  field.enum('outputType', TensorType),
]);
export type ArgMaxOptionsT = TableValue<typeof ArgMaxOptions>;

export const LessOptions = table('LessOptions', [
]);
export type LessOptionsT = TableValue<typeof LessOptions>;

export const NegOptions = table('NegOptions', [
]);
export type NegOptionsT = TableValue<typeof NegOptions>;

export const PadV2Options = table('PadV2Options', [
]);
export type PadV2OptionsT = TableValue<typeof PadV2Options>;

export const GreaterOptions = table('GreaterOptions', [
]);
export type GreaterOptionsT = TableValue<typeof GreaterOptions>;

export const GreaterEqualOptions = table('GreaterEqualOptions', [
]);
export type GreaterEqualOptionsT = TableValue<typeof GreaterEqualOptions>;

export const LessEqualOptions = table('LessEqualOptions', [
]);
export type LessEqualOptionsT = TableValue<typeof LessEqualOptions>;

export const SelectOptions = table('SelectOptions', [
]);
export type SelectOptionsT = TableValue<typeof SelectOptions>;

export const SliceOptions = table('SliceOptions', [
]);
export type SliceOptionsT = TableValue<typeof SliceOptions>;

export const TransposeConvOptions = table('TransposeConvOptions', [
  field.enum('padding', Padding),
  field.scalar('strideW', 'int32'),
  field.scalar('strideH', 'int32'),
  field.enum('fusedActivationFunction', ActivationFunctionType),
  field.enum('quantizedBiasType', TensorType),
]);
export type TransposeConvOptionsT = TableValue<typeof TransposeConvOptions>;

export const SparseToDenseOptions = table('SparseToDenseOptions', [
  field.bool('validateIndices'),
]);
export type SparseToDenseOptionsT = TableValue<typeof SparseToDenseOptions>;

export const TileOptions = table('TileOptions', [
]);
export type TileOptionsT = TableValue<typeof TileOptions>;

export const ExpandDimsOptions = table('ExpandDimsOptions', [
]);
export type ExpandDimsOptionsT = TableValue<typeof ExpandDimsOptions>;

export const EqualOptions = table('EqualOptions', [
]);
export type EqualOptionsT = TableValue<typeof EqualOptions>;

export const NotEqualOptions = table('NotEqualOptions', [
]);
export type NotEqualOptionsT = TableValue<typeof NotEqualOptions>;

export const ShapeOptions = table('ShapeOptions', [
  field.enum('outType', TensorType),
]);
export type ShapeOptionsT = TableValue<typeof ShapeOptions>;

export const PowOptions = table('PowOptions', [
]);
export type PowOptionsT = TableValue<typeof PowOptions>;

export const ArgMinOptions = table('ArgMinOptions', [
  field.enum('outputType', TensorType),
]);
export type ArgMinOptionsT = TableValue<typeof ArgMinOptions>;

export const FakeQuantOptions = table('FakeQuantOptions', [
  field.scalar('min', 'float32'),
  field.scalar('max', 'float32'),
  field.scalar('numBits', 'int32'),
  field.bool('narrowRange'),
]);
export type FakeQuantOptionsT = TableValue<typeof FakeQuantOptions>;

export const PackOptions = table('PackOptions', [
  field.scalar('valuesCount', 'int32'),
  field.scalar('axis', 'int32'),
]);
export type PackOptionsT = TableValue<typeof PackOptions>;

export const LogicalOrOptions = table('LogicalOrOptions', [
]);
export type LogicalOrOptionsT = TableValue<typeof LogicalOrOptions>;

export const OneHotOptions = table('OneHotOptions', [
  field.scalar('axis', 'int32'),
]);
export type OneHotOptionsT = TableValue<typeof OneHotOptions>;

export const LogicalAndOptions = table('LogicalAndOptions', [
]);
export type LogicalAndOptionsT = TableValue<typeof LogicalAndOptions>;

export const LogicalNotOptions = table('LogicalNotOptions', [
]);
export type LogicalNotOptionsT = TableValue<typeof LogicalNotOptions>;

export const UnpackOptions = table('UnpackOptions', [
  field.scalar('num', 'int32'),
  field.scalar('axis', 'int32'),
]);
export type UnpackOptionsT = TableValue<typeof UnpackOptions>;

export const FloorDivOptions = table('FloorDivOptions', [
]);
export type FloorDivOptionsT = TableValue<typeof FloorDivOptions>;

export const SquareOptions = table('SquareOptions', [
]);
export type SquareOptionsT = TableValue<typeof SquareOptions>;

export const ZerosLikeOptions = table('ZerosLikeOptions', [
]);
export type ZerosLikeOptionsT = TableValue<typeof ZerosLikeOptions>;

export const FillOptions = table('FillOptions', [
]);
export type FillOptionsT = TableValue<typeof FillOptions>;

export const BidirectionalSequenceLSTMOptions = table('BidirectionalSequenceLSTMOptions', [
  field.enum('fusedActivationFunction', ActivationFunctionType),
  field.scalar('cellClip', 'float32'),
  field.scalar('projClip', 'float32'),
  field.bool('mergeOutputs'),
  field.bool('timeMajor', true),
  field.bool('asymmetricQuantizeInputs'),
]);
export type BidirectionalSequenceLSTMOptionsT = TableValue<typeof BidirectionalSequenceLSTMOptions>;

export const BidirectionalSequenceRNNOptions = table('BidirectionalSequenceRNNOptions', [
  field.bool('timeMajor'),
  field.enum('fusedActivationFunction', ActivationFunctionType),
  field.bool('mergeOutputs'),
  field.bool('asymmetricQuantizeInputs'),
]);
export type BidirectionalSequenceRNNOptionsT = TableValue<typeof BidirectionalSequenceRNNOptions>;

export const UnidirectionalSequenceLSTMOptions = table('UnidirectionalSequenceLSTMOptions', [
  field.enum('fusedActivationFunction', ActivationFunctionType),
  field.scalar('cellClip', 'float32'),
  field.scalar('projClip', 'float32'),
  field.bool('timeMajor'),
  field.bool('asymmetricQuantizeInputs'),
  field.bool('diagonalRecurrentTensors'),
]);
export type UnidirectionalSequenceLSTMOptionsT = TableValue<typeof UnidirectionalSequenceLSTMOptions>;

export const FloorModOptions = table('FloorModOptions', [
]);
export type FloorModOptionsT = TableValue<typeof FloorModOptions>;

export const RangeOptions = table('RangeOptions', [
]);
export type RangeOptionsT = TableValue<typeof RangeOptions>;

export const ResizeNearestNeighborOptions = table('ResizeNearestNeighborOptions', [
  field.bool('alignCorners'),
  field.bool('halfPixelCenters'),
]);
export type ResizeNearestNeighborOptionsT = TableValue<typeof ResizeNearestNeighborOptions>;

export const LeakyReluOptions = table('LeakyReluOptions', [
  field.scalar('alpha', 'float32'),
]);
export type LeakyReluOptionsT = TableValue<typeof LeakyReluOptions>;

export const SquaredDifferenceOptions = table('SquaredDifferenceOptions', [
]);
export type SquaredDifferenceOptionsT = TableValue<typeof SquaredDifferenceOptions>;

export const MirrorPadMode = enumType('MirrorPadMode', 'int8', {
  REFLECT: 0,
  SYMMETRIC: 1,
});

export const MirrorPadOptions = table('MirrorPadOptions', [
  field.enum('mode', MirrorPadMode),
]);
export type MirrorPadOptionsT = TableValue<typeof MirrorPadOptions>;

export const AbsOptions = table('AbsOptions', [
]);
export type AbsOptionsT = TableValue<typeof AbsOptions>;

export const SplitVOptions = table('SplitVOptions', [
  field.scalar('numSplits', 'int32'),
]);
export type SplitVOptionsT = TableValue<typeof SplitVOptions>;

export const UniqueOptions = table('UniqueOptions', [
  field.enum('idxOutType', TensorType, 2),
]);
export type UniqueOptionsT = TableValue<typeof UniqueOptions>;

export const ReverseV2Options = table('ReverseV2Options', [
]);
export type ReverseV2OptionsT = TableValue<typeof ReverseV2Options>;

export const AddNOptions = table('AddNOptions', [
]);
export type AddNOptionsT = TableValue<typeof AddNOptions>;

export const GatherNdOptions = table('GatherNdOptions', [
]);
export type GatherNdOptionsT = TableValue<typeof GatherNdOptions>;

export const CosOptions = table('CosOptions', [
]);
export type CosOptionsT = TableValue<typeof CosOptions>;

export const WhereOptions = table('WhereOptions', [
]);
export type WhereOptionsT = TableValue<typeof WhereOptions>;

export const RankOptions = table('RankOptions', [
]);
export type RankOptionsT = TableValue<typeof RankOptions>;

export const ReverseSequenceOptions = table('ReverseSequenceOptions', [
  field.scalar('seqDim', 'int32'),
  field.scalar('batchDim', 'int32'),
]);
export type ReverseSequenceOptionsT = TableValue<typeof ReverseSequenceOptions>;

export const MatrixDiagOptions = table('MatrixDiagOptions', [
]);
export type MatrixDiagOptionsT = TableValue<typeof MatrixDiagOptions>;

export const QuantizeOptions = table('QuantizeOptions', [
]);
export type QuantizeOptionsT = TableValue<typeof QuantizeOptions>;

export const MatrixSetDiagOptions = table('MatrixSetDiagOptions', [
]);
export type MatrixSetDiagOptionsT = TableValue<typeof MatrixSetDiagOptions>;

export const HardSwishOptions = table('HardSwishOptions', [
]);
export type HardSwishOptionsT = TableValue<typeof HardSwishOptions>;

export const IfOptions = table('IfOptions', [
  field.scalar('thenSubgraphIndex', 'int32'),
  field.scalar('elseSubgraphIndex', 'int32'),
]);
export type IfOptionsT = TableValue<typeof IfOptions>;

export const WhileOptions = table('WhileOptions', [
  field.scalar('condSubgraphIndex', 'int32'),
  field.scalar('bodySubgraphIndex', 'int32'),
]);
export type WhileOptionsT = TableValue<typeof WhileOptions>;

export const DepthToSpaceOptions = table('DepthToSpaceOptions', [
  field.scalar('blockSize', 'int32'),
]);
export type DepthToSpaceOptionsT = TableValue<typeof DepthToSpaceOptions>;

export const NonMaxSuppressionV4Options = table('NonMaxSuppressionV4Options', [
]);
export type NonMaxSuppressionV4OptionsT = TableValue<typeof NonMaxSuppressionV4Options>;

export const NonMaxSuppressionV5Options = table('NonMaxSuppressionV5Options', [
]);
export type NonMaxSuppressionV5OptionsT = TableValue<typeof NonMaxSuppressionV5Options>;

export const ScatterNdOptions = table('ScatterNdOptions', [
]);
export type ScatterNdOptionsT = TableValue<typeof ScatterNdOptions>;

export const SelectV2Options = table('SelectV2Options', [
]);
export type SelectV2OptionsT = TableValue<typeof SelectV2Options>;

export const DensifyOptions = table('DensifyOptions', [
]);
export type DensifyOptionsT = TableValue<typeof DensifyOptions>;

export const SegmentSumOptions = table('SegmentSumOptions', [
]);
export type SegmentSumOptionsT = TableValue<typeof SegmentSumOptions>;

export const BatchMatMulOptions = table('BatchMatMulOptions', [
  field.bool('adjX'),
  field.bool('adjY'),
  field.bool('asymmetricQuantizeInputs'),
]);
export type BatchMatMulOptionsT = TableValue<typeof BatchMatMulOptions>;

export const CumsumOptions = table('CumsumOptions', [
  field.bool('exclusive'),
  field.bool('reverse'),
]);
export type CumsumOptionsT = TableValue<typeof CumsumOptions>;

export const CallOnceOptions = table('CallOnceOptions', [
  field.scalar('initSubgraphIndex', 'int32'),
]);
export type CallOnceOptionsT = TableValue<typeof CallOnceOptions>;

export const BroadcastToOptions = table('BroadcastToOptions', [
]);
export type BroadcastToOptionsT = TableValue<typeof BroadcastToOptions>;

export const Rfft2dOptions = table('Rfft2dOptions', [
]);
export type Rfft2dOptionsT = TableValue<typeof Rfft2dOptions>;

export const Conv3DOptions = table('Conv3DOptions', [
  field.enum('padding', Padding),
  field.scalar('strideD', 'int32'),
  field.scalar('strideW', 'int32'),
  field.scalar('strideH', 'int32'),
  field.enum('fusedActivationFunction', ActivationFunctionType),
  field.scalar('dilationDFactor', 'int32', 1),
  field.scalar('dilationWFactor', 'int32', 1),
  field.scalar('dilationHFactor', 'int32', 1),
]);
export type Conv3DOptionsT = TableValue<typeof Conv3DOptions>;

export const HashtableOptions = table('HashtableOptions', [
  field.scalar('tableId', 'int32'),
  field.enum('keyDtype', TensorType),
  field.enum('valueDtype', TensorType),
]);
export type HashtableOptionsT = TableValue<typeof HashtableOptions>;

export const HashtableFindOptions = table('HashtableFindOptions', [
]);
export type HashtableFindOptionsT = TableValue<typeof HashtableFindOptions>;

export const HashtableImportOptions = table('HashtableImportOptions', [
]);
export type HashtableImportOptionsT = TableValue<typeof HashtableImportOptions>;

export const HashtableSizeOptions = table('HashtableSizeOptions', [
]);
export type HashtableSizeOptionsT = TableValue<typeof HashtableSizeOptions>;

export const VarHandleOptions = table('VarHandleOptions', [
  field.string('container'),
  field.string('sharedName'),
]);
export type VarHandleOptionsT = TableValue<typeof VarHandleOptions>;

export const ReadVariableOptions = table('ReadVariableOptions', [
]);
export type ReadVariableOptionsT = TableValue<typeof ReadVariableOptions>;

export const AssignVariableOptions = table('AssignVariableOptions', [
]);
export type AssignVariableOptionsT = TableValue<typeof AssignVariableOptions>;

export const RandomOptions = table('RandomOptions', [
  field.scalar('seed', 'int64'),
  field.scalar('seed2', 'int64'),
]);
export type RandomOptionsT = TableValue<typeof RandomOptions>;

export const BucketizeOptions = table('BucketizeOptions', [
  field.vector('boundaries', 'float32'),
]);
export type BucketizeOptionsT = TableValue<typeof BucketizeOptions>;

export const GeluOptions = table('GeluOptions', [
  field.bool('approximate'),
]);
export type GeluOptionsT = TableValue<typeof GeluOptions>;

export const DynamicUpdateSliceOptions = table('DynamicUpdateSliceOptions', [
]);
export type DynamicUpdateSliceOptionsT = TableValue<typeof DynamicUpdateSliceOptions>;

export const UnsortedSegmentProdOptions = table('UnsortedSegmentProdOptions', [
]);
export type UnsortedSegmentProdOptionsT = TableValue<typeof UnsortedSegmentProdOptions>;

export const UnsortedSegmentMaxOptions = table('UnsortedSegmentMaxOptions', [
]);
export type UnsortedSegmentMaxOptionsT = TableValue<typeof UnsortedSegmentMaxOptions>;

export const UnsortedSegmentMinOptions = table('UnsortedSegmentMinOptions', [
]);
export type UnsortedSegmentMinOptionsT = TableValue<typeof UnsortedSegmentMinOptions>;

export const UnsortedSegmentSumOptions = table('UnsortedSegmentSumOptions', [
]);
export type UnsortedSegmentSumOptionsT = TableValue<typeof UnsortedSegmentSumOptions>;

export const ATan2Options = table('ATan2Options', [
]);
export type ATan2OptionsT = TableValue<typeof ATan2Options>;

export const SignOptions = table('SignOptions', [
]);
export type SignOptionsT = TableValue<typeof SignOptions>;

export const BitcastOptions = table('BitcastOptions', [
]);
export type BitcastOptionsT = TableValue<typeof BitcastOptions>;

export const BitwiseXorOptions = table('BitwiseXorOptions', [
]);
export type BitwiseXorOptionsT = TableValue<typeof BitwiseXorOptions>;

export const RightShiftOptions = table('RightShiftOptions', [
]);
export type RightShiftOptionsT = TableValue<typeof RightShiftOptions>;

export const BuiltinOptions = union('BuiltinOptions', [
  null,
  Conv2DOptions,
  DepthwiseConv2DOptions,
  ConcatEmbeddingsOptions,
  LSHProjectionOptions,
  Pool2DOptions,
  SVDFOptions,
  RNNOptions,
  FullyConnectedOptions,
  SoftmaxOptions,
  ConcatenationOptions,
  AddOptions,
  L2NormOptions,
  LocalResponseNormalizationOptions,
  LSTMOptions,
  ResizeBilinearOptions,
  CallOptions,
  ReshapeOptions,
  SkipGramOptions,
  SpaceToDepthOptions,
  EmbeddingLookupSparseOptions,
  MulOptions,
  PadOptions,
  GatherOptions,
  BatchToSpaceNDOptions,
  SpaceToBatchNDOptions,
  TransposeOptions,
  ReducerOptions,
  SubOptions,
  DivOptions,
  SqueezeOptions,
  SequenceRNNOptions,
  StridedSliceOptions,
  ExpOptions,
  TopKV2Options,
  SplitOptions,
  LogSoftmaxOptions,
  CastOptions,
  DequantizeOptions,
  MaximumMinimumOptions,
  ArgMaxOptions,
  LessOptions,
  NegOptions,
  PadV2Options,
  GreaterOptions,
  GreaterEqualOptions,
  LessEqualOptions,
  SelectOptions,
  SliceOptions,
  TransposeConvOptions,
  SparseToDenseOptions,
  TileOptions,
  ExpandDimsOptions,
  EqualOptions,
  NotEqualOptions,
  ShapeOptions,
  PowOptions,
  ArgMinOptions,
  FakeQuantOptions,
  PackOptions,
  LogicalOrOptions,
  OneHotOptions,
  LogicalAndOptions,
  LogicalNotOptions,
  UnpackOptions,
  FloorDivOptions,
  SquareOptions,
  ZerosLikeOptions,
  FillOptions,
  BidirectionalSequenceLSTMOptions,
  BidirectionalSequenceRNNOptions,
  UnidirectionalSequenceLSTMOptions,
  FloorModOptions,
  RangeOptions,
  ResizeNearestNeighborOptions,
  LeakyReluOptions,
  SquaredDifferenceOptions,
  MirrorPadOptions,
  AbsOptions,
  SplitVOptions,
  UniqueOptions,
  ReverseV2Options,
  AddNOptions,
  GatherNdOptions,
  CosOptions,
  WhereOptions,
  RankOptions,
  ReverseSequenceOptions,
  MatrixDiagOptions,
  QuantizeOptions,
  MatrixSetDiagOptions,
  HardSwishOptions,
  IfOptions,
  WhileOptions,
  DepthToSpaceOptions,
  NonMaxSuppressionV4Options,
  NonMaxSuppressionV5Options,
  ScatterNdOptions,
  SelectV2Options,
  DensifyOptions,
  SegmentSumOptions,
  BatchMatMulOptions,
  CumsumOptions,
  CallOnceOptions,
  BroadcastToOptions,
  Rfft2dOptions,
  Conv3DOptions,
  HashtableOptions,
  HashtableFindOptions,
  HashtableImportOptions,
  HashtableSizeOptions,
  VarHandleOptions,
  ReadVariableOptions,
  AssignVariableOptions,
  RandomOptions,
  BucketizeOptions,
  GeluOptions,
  DynamicUpdateSliceOptions,
  UnsortedSegmentProdOptions,
  UnsortedSegmentMaxOptions,
  UnsortedSegmentMinOptions,
  UnsortedSegmentSumOptions,
  ATan2Options,
  SignOptions,
  BitcastOptions,
  BitwiseXorOptions,
  RightShiftOptions,
]);

export const StablehloConcatenateOptions = table('StablehloConcatenateOptions', [
  field.scalar('dimension', 'int64'),
]);
export type StablehloConcatenateOptionsT = TableValue<typeof StablehloConcatenateOptions>;

export const StablehloBroadcastInDimOptions = table('StablehloBroadcastInDimOptions', [
  field.vector('broadcastDimensions', 'int64'),
]);
export type StablehloBroadcastInDimOptionsT = TableValue<typeof StablehloBroadcastInDimOptions>;

export const StablehloSliceOptions = table('StablehloSliceOptions', [
  field.vector('startIndices', 'int64'),
  field.vector('limitIndices', 'int64'),
  field.vector('strides', 'int64'),
]);
export type StablehloSliceOptionsT = TableValue<typeof StablehloSliceOptions>;

export const StablehloPrecisionConfig = enumType('StablehloPrecisionConfig', 'uint32', {
  DEFAULT: 0,
  HIGH: 1,
  HIGHEST: 2,
});

export const StablehloConvolutionOptions = table('StablehloConvolutionOptions', [
  field.vector('windowStrides', 'int64'),
  field.vector('padding', 'int64'),
  field.vector('lhsDilation', 'int64'),
  field.vector('rhsDilation', 'int64'),
  field.vector('windowReversal', 'bool'),
  field.scalar('inputBatchDimension', 'int64'),
  field.scalar('inputFeatureDimension', 'int64'),
  field.vector('inputSpatialDimensions', 'int64'),
  field.scalar('kernelInputFeatureDimension', 'int64'),
  field.scalar('kernelOutputFeatureDimension', 'int64'),
  field.vector('kernelSpatialDimensions', 'int64'),
  field.scalar('outputBatchDimension', 'int64'),
  field.scalar('outputFeatureDimension', 'int64'),
  field.vector('outputSpatialDimensions', 'int64'),
  field.scalar('featureGroupCount', 'int64'),
  field.scalar('batchGroupCount', 'int64'),
  field.vector('precisionConfig', 'uint32'),
]);
export type StablehloConvolutionOptionsT = TableValue<typeof StablehloConvolutionOptions>;

export const StablehloCustomCallOptions = table('StablehloCustomCallOptions', [
  field.string('callTargetName'),
  field.bool('hasSideEffect'),
  field.string('backendConfig'),
  field.scalar('apiVersion', 'int32'),
  field.vector('calledComputations', 'int32'),
  field.vector('customAttributes', 'uint8'),
]);
export type StablehloCustomCallOptionsT = TableValue<typeof StablehloCustomCallOptions>;

export const StablehloReduceOptions = table('StablehloReduceOptions', [
  field.vector('dimensions', 'int64'),
  field.scalar('bodySubgraphIndex', 'int32'),
]);
export type StablehloReduceOptionsT = TableValue<typeof StablehloReduceOptions>;

export const StablehloScatterOptions = table('StablehloScatterOptions', [
  field.bool('indicesAreSorted'),
  field.vector('updateWindowDims', 'int64'),
  field.vector('insertedWindowDims', 'int64'),
  field.vector('scatterDimsToOperandDims', 'int64'),
  field.scalar('indexVectorDim', 'int64'),
  field.bool('uniqueIndices'),
  field.scalar('updateComputationSubgraphIndex', 'int32'),
]);
export type StablehloScatterOptionsT = TableValue<typeof StablehloScatterOptions>;

export const StablehloComparisonDirection = enumType('StablehloComparisonDirection', 'uint32', {
  STABLEHLO_COMPARISON_DIRECTION_EQ: 0,
  STABLEHLO_COMPARISON_DIRECTION_NE: 1,
  STABLEHLO_COMPARISON_DIRECTION_GE: 2,
  STABLEHLO_COMPARISON_DIRECTION_GT: 3,
  STABLEHLO_COMPARISON_DIRECTION_LE: 4,
  STABLEHLO_COMPARISON_DIRECTION_LT: 5,
});

export const StablehloComparisonType = enumType('StablehloComparisonType', 'uint32', {
  STABLEHLO_COMPARISON_TYPE_NOTYPE: 0,
  STABLEHLO_COMPARISON_TYPE_FLOAT: 1,
  STABLEHLO_COMPARISON_TYPE_FLOAT_TOTAL_ORDER: 2,
  STABLEHLO_COMPARISON_TYPE_SIGNED: 3,
  STABLEHLO_COMPARISON_TYPE_UNSIGNED: 4,
});

export const StablehloCompareOptions = table('StablehloCompareOptions', [
  field.enum('comparisonDirection', StablehloComparisonDirection),
  field.enum('compareType', StablehloComparisonType),
]);
export type StablehloCompareOptionsT = TableValue<typeof StablehloCompareOptions>;

export const StablehloDynamicSliceOptions = table('StablehloDynamicSliceOptions', [
  field.vector('sliceSizes', 'int64'),
]);
export type StablehloDynamicSliceOptionsT = TableValue<typeof StablehloDynamicSliceOptions>;

export const StablehloPadOptions = table('StablehloPadOptions', [
  field.vector('edgePaddingLow', 'int64'),
  field.vector('edgePaddingHigh', 'int64'),
  field.vector('interiorPadding', 'int64'),
]);
export type StablehloPadOptionsT = TableValue<typeof StablehloPadOptions>;

export const StablehloIotaOptions = table('StablehloIotaOptions', [
  field.scalar('iotaDimension', 'int64'),
]);
export type StablehloIotaOptionsT = TableValue<typeof StablehloIotaOptions>;

export const StablehloDotGeneralOptions = table('StablehloDotGeneralOptions', [
  field.vector('lhsBatchingDimensions', 'int64'),
  field.vector('rhsBatchingDimensions', 'int64'),
  field.vector('lhsContractingDimensions', 'int64'),
  field.vector('rhsContractingDimensions', 'int64'),
  field.vector('precisionConfig', 'uint32'),
]);
export type StablehloDotGeneralOptionsT = TableValue<typeof StablehloDotGeneralOptions>;

export const StablehloReduceWindowOptions = table('StablehloReduceWindowOptions', [
  field.vector('windowDimensions', 'int64'),
  field.vector('windowStrides', 'int64'),
  field.vector('baseDilations', 'int64'),
  field.vector('windowDilations', 'int64'),
  field.vector('padding', 'int64'),
  field.scalar('bodySubgraphIndex', 'int32'),
]);
export type StablehloReduceWindowOptionsT = TableValue<typeof StablehloReduceWindowOptions>;

export const StablehloSortOptions = table('StablehloSortOptions', [
  field.scalar('dimension', 'int64'),
  field.bool('isStable'),
  field.scalar('comparatorSubgraphIndex', 'int32'),
]);
export type StablehloSortOptionsT = TableValue<typeof StablehloSortOptions>;

export const StablehloWhileOptions = table('StablehloWhileOptions', [
  field.scalar('condSubgraphIndex', 'int32'),
  field.scalar('bodySubgraphIndex', 'int32'),
]);
export type StablehloWhileOptionsT = TableValue<typeof StablehloWhileOptions>;

export const StablehloGatherOptions = table('StablehloGatherOptions', [
  field.vector('offsetDims', 'int64'),
  field.vector('collapsedSliceDims', 'int64'),
  field.vector('startIndexMap', 'int64'),
  field.scalar('indexVectorDim', 'int64'),
  field.vector('sliceSizes', 'int64'),
  field.bool('indicesAreSorted'),
]);
export type StablehloGatherOptionsT = TableValue<typeof StablehloGatherOptions>;

export const StablehloTransposeOptions = table('StablehloTransposeOptions', [
  field.vector('permutation', 'int64'),
]);
export type StablehloTransposeOptionsT = TableValue<typeof StablehloTransposeOptions>;

export const DilateOptions = table('DilateOptions', [
]);
export type DilateOptionsT = TableValue<typeof DilateOptions>;

export const RngAlgorithm = enumType('RngAlgorithm', 'int8', {
  DEFAULT: 0,
  PHILOX: 1,
  THREEFRY: 2,
});

export const StablehloRngBitGeneratorOptions = table('StablehloRngBitGeneratorOptions', [
  field.enum('algorithm', RngAlgorithm),
]);
export type StablehloRngBitGeneratorOptionsT = TableValue<typeof StablehloRngBitGeneratorOptions>;

export const ReduceWindowFunction = enumType('ReduceWindowFunction', 'int32', {
  UNSUPPORTED: 0,
  ADD: 1,
  MUL: 2,
  MINIMUM: 3,
  MAXIMUM: 4,
  ALL: 5,
  ANY: 6,
});

export const ReduceWindowOptions = table('ReduceWindowOptions', [
  field.enum('reduceFunction', ReduceWindowFunction),
]);
export type ReduceWindowOptionsT = TableValue<typeof ReduceWindowOptions>;

export const CustomOptionsFormat = enumType('CustomOptionsFormat', 'int8', {
  FLEXBUFFERS: 0,
});

export const StableHLOCompositeOptions = table('StableHLOCompositeOptions', [
  field.string('name'),
  field.scalar('decompositionSubgraphIndex', 'int32'),
  field.vector('compositeAttributes', 'uint8'),
  field.enum('compositeAttributesFormat', CustomOptionsFormat),
  field.scalar('version', 'int32'),
]);
export type StableHLOCompositeOptionsT = TableValue<typeof StableHLOCompositeOptions>;

export const StablehloShiftLeftOptions = table('StablehloShiftLeftOptions', [
]);
export type StablehloShiftLeftOptionsT = TableValue<typeof StablehloShiftLeftOptions>;

export const StablehloCaseOptions = table('StablehloCaseOptions', [
  field.vector('branchSubgraphIndices', 'int32'),
]);
export type StablehloCaseOptionsT = TableValue<typeof StablehloCaseOptions>;

export const BuiltinOptions2 = union('BuiltinOptions2', [
  null,
  StablehloConcatenateOptions,
  StablehloBroadcastInDimOptions,
  StablehloSliceOptions,
  StablehloConvolutionOptions,
  StablehloCustomCallOptions,
  StablehloReduceOptions,
  StablehloScatterOptions,
  StablehloCompareOptions,
  StablehloDynamicSliceOptions,
  StablehloPadOptions,
  StablehloIotaOptions,
  StablehloDotGeneralOptions,
  StablehloReduceWindowOptions,
  StablehloSortOptions,
  StablehloWhileOptions,
  StablehloGatherOptions,
  StablehloTransposeOptions,
  DilateOptions,
  StablehloRngBitGeneratorOptions,
  ReduceWindowOptions,
  StableHLOCompositeOptions,
  StablehloShiftLeftOptions,
  StablehloCaseOptions,
]);

export const OperatorCode = table('OperatorCode', [
  field.scalar('deprecatedBuiltinCode', 'int8'),
  field.string('customCode'),
  field.scalar('version', 'int32', 1),
  field.enum('builtinCode', BuiltinOperator),
]);
export type OperatorCodeT = TableValue<typeof OperatorCode>;

export const Operator = table('Operator', [
  field.scalar('opcodeIndex', 'uint32'),
  field.vector('inputs', 'int32'),
  field.vector('outputs', 'int32'),
  field.union('builtinOptions', BuiltinOptions),
  field.vector('customOptions', 'uint8'),
  field.enum('customOptionsFormat', CustomOptionsFormat),
  field.vector('mutatingVariableInputs', 'bool'),
  field.vector('intermediates', 'int32'),
  field.scalar('largeCustomOptionsOffset', 'uint64'),
  field.scalar('largeCustomOptionsSize', 'uint64'),
  field.union('builtinOptions2', BuiltinOptions2),
  field.scalar('debugMetadataIndex', 'int32', -1),
]);
export type OperatorT = TableValue<typeof Operator>;

export const SubGraph = table('SubGraph', [
  field.vector('tensors', Tensor),
  field.vector('inputs', 'int32'),
  field.vector('outputs', 'int32'),
  field.vector('operators', Operator),
  field.string('name'),
  field.scalar('debugMetadataIndex', 'int32', -1),
]);
export type SubGraphT = TableValue<typeof SubGraph>;

export const Buffer = table('Buffer', [
  field.vector('data', 'uint8', 16),
  field.scalar('offset', 'uint64'),
  field.scalar('size', 'uint64'),
]);
export type BufferT = TableValue<typeof Buffer>;

export const ExternalBufferGroup = table('ExternalBufferGroup', [
  field.string('name'),
]);
export type ExternalBufferGroupT = TableValue<typeof ExternalBufferGroup>;

export const ExternalBuffer = table('ExternalBuffer', [
  field.scalar('id', 'uint32'),
  field.scalar('group', 'uint32'),
  field.scalar('offset', 'uint64'),
  field.scalar('length', 'uint64'),
  field.string('packing'),
]);
export type ExternalBufferT = TableValue<typeof ExternalBuffer>;

export const Metadata = table('Metadata', [
  field.string('name'),
  field.scalar('buffer', 'uint32'),
]);
export type MetadataT = TableValue<typeof Metadata>;

export const TensorMap = table('TensorMap', [
  field.string('name'),
  field.scalar('tensorIndex', 'uint32'),
]);
export type TensorMapT = TableValue<typeof TensorMap>;

export const SignatureDef = table('SignatureDef', [
  field.vector('inputs', TensorMap),
  field.vector('outputs', TensorMap),
  field.string('signatureKey'),
  field.string('deprecatedTag'),
  field.scalar('subgraphIndex', 'uint32'),
]);
export type SignatureDefT = TableValue<typeof SignatureDef>;

export const Model = table('Model', [
  field.scalar('version', 'uint32'),
  field.vector('operatorCodes', OperatorCode),
  field.vector('subgraphs', SubGraph),
  field.string('description'),
  field.vector('buffers', Buffer),
  field.vector('metadataBuffer', 'int32'),
  field.vector('metadata', Metadata),
  field.vector('signatureDefs', SignatureDef),
  field.vector('externalBufferGroups', ExternalBufferGroup),
  field.vector('externalBuffers', ExternalBuffer),
]);
export type ModelT = TableValue<typeof Model>;

