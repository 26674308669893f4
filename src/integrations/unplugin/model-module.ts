// The JavaScript module an imported model becomes: which ids are models and
// which variant (`?url`, `?original`, `?timeline`, `?meta`) is asked for, and
// the module text for the inlined ones (`?meta`: meta-module.ts). Plain ES module text, so every bundler, browsers
// and Node read it the same; `?url` assets differ per bundler (assets.ts).

import type { ImportedModel } from './model-import.js';
import { beforeAfterTimelineSvg } from './timeline.js';

/** `/abs/seg.tflite?url` -> the file and what is asked of it. */
export const MODEL_ID = /\.tflite(?:\?(?:url|original|timeline|meta))?$/;
type Variant = 'model' | 'url' | 'original' | 'timeline' | 'meta';

export function splitId(id: string): { path: string; variant: Variant } {
  const q = id.indexOf('?');
  if (q < 0) return { path: id, variant: 'model' };
  return { path: id.slice(0, q), variant: id.slice(q + 1) as Variant };
}

/**
 * Base64 in the bundle, decoded once at startup: the same code in every bundler, browsers and Node. The decoding
 * call is marked pure, so a bundle that imports only the figures (`{ arenaSize }`) drops the bytes.
 */
export function bytesModule(bytes: Uint8Array, rest = ''): string {
  const b64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  return [
    'function decode(b64) {',
    '  const data = atob(b64);',
    '  const bytes = new Uint8Array(data.length);',
    '  for (let i = 0; i < data.length; i++) bytes[i] = data.charCodeAt(i);',
    '  return bytes;',
    '}',
    `const bytes = /* @__PURE__ */ decode(${JSON.stringify(b64)});`,
    'export default bytes;',
    rest,
  ].join('\n');
}

export function modelModule(model: ImportedModel): string {
  return bytesModule(
    model.bytes,
    [
      `export const arenaSize = ${model.report.after.arenaSize};`,
      `export const report = ${JSON.stringify(model.report)};`,
      `export const customOps = ${JSON.stringify(model.customOps)};`,
      '',
    ].join('\n'),
  );
}

/** `?timeline`: the before/after chart of the optimized model and the bytes it was optimized from. */
export function timelineModule(model: ImportedModel & { original: Uint8Array }): string {
  return `export default ${JSON.stringify(beforeAfterTimelineSvg(model.original, model.bytes, model.report.model))};\n`;
}
