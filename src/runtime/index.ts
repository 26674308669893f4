// tinyseg/runtime: run a model where it is imported, browser-safe (no Node
// built-ins, no templates: only the format, graph, operators, TFLM's planning
// and the interpreter). docs/edge-runtime.md.

export { TinysegError, type ErrorCode } from '../errors.js';
export { EdgeModel, loadModel, type EdgePlan, type InputValues } from './edge-model.js';
export type { EdgeTensor, TensorArray } from './tensor-view.js';
export { quantize, dequantize, type QuantizedArray } from './quantization.js';
export { imageInput, type ImageInputOptions, type RgbaImage } from './image-input.js';
