// An input tensor from a picture: RGBA pixels as a canvas gives them
// (ImageData, or any { data, width, height }) into the model's NHWC layout,
// resized to the input's height and width when they differ (bilinear, half-
// pixel centres as TFLite's RESIZE_BILINEAR with half_pixel_centers), each
// channel normalized as (value − mean) / std, then quantized with the input's
// scale and zero point when the input is quantized.

import { TinysegError } from '../errors.js';
import { quantize, type QuantizedArray } from './quantization.js';
import type { EdgeTensor } from './tensor-view.js';

/** RGBA pixels, 4 bytes a pixel, row by row: what ImageData holds. */
export interface RgbaImage {
  readonly data: ArrayLike<number>;
  readonly width: number;
  readonly height: number;
}

export interface ImageInputOptions {
  /** Subtracted from each channel's 0..255 value: one number for all channels, or one per channel (default 0). */
  mean?: number | readonly number[];
  /** The difference is divided by it: one number or one per channel (default 1; 255 maps 0..255 to 0..1). */
  std?: number | readonly number[];
}

type Input = Pick<EdgeTensor, 'name' | 'dtype' | 'shape' | 'scale' | 'zeroPoint'>;

const perChannel = (name: string, v: number | readonly number[] | undefined, fallback: number, channels: number): number[] => {
  const list = v === undefined ? [fallback] : typeof v === 'number' ? [v] : [...v];
  if (list.length === 1) return Array.from({ length: channels }, () => list[0]!);
  if (list.length !== channels) throw new TinysegError('E_USAGE', `${name} has ${list.length} values for ${channels} channels`);
  return list;
};

/** One channel of the image sampled at the output pixel's centre, bilinear. */
function sampler(image: RgbaImage, outH: number, outW: number): (y: number, x: number, c: number) => number {
  const { data, width, height } = image;
  if (width === outW && height === outH) return (y, x, c) => data[(y * width + x) * 4 + c]!;
  const sy = height / outH;
  const sx = width / outW;
  return (y, x, c) => {
    const fy = Math.max(0, (y + 0.5) * sy - 0.5);
    const fx = Math.max(0, (x + 0.5) * sx - 0.5);
    const y0 = Math.min(Math.floor(fy), height - 1);
    const x0 = Math.min(Math.floor(fx), width - 1);
    const y1 = Math.min(y0 + 1, height - 1);
    const x1 = Math.min(x0 + 1, width - 1);
    const dy = fy - y0;
    const dx = fx - x0;
    const at = (yy: number, xx: number) => data[(yy * width + xx) * 4 + c]!;
    const top = at(y0, x0) + (at(y0, x1) - at(y0, x0)) * dx;
    const bottom = at(y1, x0) + (at(y1, x1) - at(y1, x0)) * dx;
    return top + (bottom - top) * dy;
  };
}

/**
 * The values of `input` (shape [1, H, W, C], C 1, 3 or 4) for `image`: C 3 takes R, G, B; C 4 R, G, B, A; C 1 the
 * luma 0.299 R + 0.587 G + 0.114 B. A float32 input gets the normalized values, an int8, uint8 or int16 one
 * those values quantized. Write the result to the input with `model.run(result)` or `input.data.set(result)`.
 */
export function imageInput(input: Input, image: RgbaImage, options: ImageInputOptions = {}): Float32Array | QuantizedArray {
  const [n, h, w, c] = input.shape;
  if (input.shape.length !== 4 || n !== 1 || (c !== 1 && c !== 3 && c !== 4)) {
    throw new TinysegError('E_USAGE', `input '${input.name}' has shape [${input.shape.join(', ')}]: an image input is [1, height, width, 1 | 3 | 4]`);
  }
  if (!(image.width > 0 && image.height > 0) || image.data.length < image.width * image.height * 4) {
    throw new TinysegError('E_USAGE', `the image holds ${image.data.length} values, ${image.width} x ${image.height} RGBA pixels need ${image.width * image.height * 4}`);
  }
  const mean = perChannel('mean', options.mean, 0, c);
  const std = perChannel('std', options.std, 1, c);
  const sample = sampler(image, h!, w!);
  const values = new Float32Array(h! * w! * c);
  let i = 0;
  for (let y = 0; y < h!; y++) {
    for (let x = 0; x < w!; x++) {
      if (c === 1) values[i++] = (0.299 * sample(y, x, 0) + 0.587 * sample(y, x, 1) + 0.114 * sample(y, x, 2) - mean[0]!) / std[0]!;
      else for (let k = 0; k < c; k++) values[i++] = (sample(y, x, k) - mean[k]!) / std[k]!;
    }
  }
  if (input.dtype === 'float32') return values;
  return quantize(input, values);
}
