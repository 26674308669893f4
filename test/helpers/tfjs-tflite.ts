// A second opinion: real TFLite (XNNPACK, compiled to wasm) from the npm
// registry, run in Node with the few browser globals its loader expects.
// Bit-exact with TFLM on many small int8 models, not all (ecosystem.md), so it
// guards the interpreter from a second side; the reference stays ../shared/oracle.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { runInThisContext } from 'node:vm';

const require = createRequire(import.meta.url);

interface TfTensor {
  data(): Promise<ArrayLike<number>>;
  dispose(): void;
}
interface TfliteModel {
  inputs: { dtype: string; shape: number[] }[];
  predict(x: TfTensor): TfTensor | TfTensor[] | Record<string, TfTensor>;
}

let ready: Promise<{
  tf: { tensor(v: number[], shape: number[], dtype: string): TfTensor };
  tflite: { loadTFLiteModel(b: ArrayBuffer, o: object): Promise<TfliteModel> };
}> | null = null;

function load() {
  ready ??= (async () => {
    const wasmDir = join(dirname(require.resolve('@tensorflow/tfjs-tflite/package.json')), 'wasm') + '/';
    const g = globalThis as Record<string, unknown>;
    g.self = globalThis;
    g.location = { href: `file://${wasmDir}`, origin: 'file://' };
    g.importScripts = (url: string) => {
      const file = join(wasmDir, basename(String(url)));
      runInThisContext(readFileSync(file, 'utf8'), { filename: file });
    };
    g.fetch = async (url: string) => new Response(readFileSync(join(wasmDir, basename(String(url)))), { headers: { 'content-type': 'application/wasm' } });
    delete g.MessageChannel; // forces the single-threaded wasm build
    const tf = require('@tensorflow/tfjs-core');
    require('@tensorflow/tfjs-backend-cpu');
    const tflite = require('@tensorflow/tfjs-tflite');
    await tf.setBackend('cpu');
    tflite.setWasmPath(wasmDir);
    return { tf, tflite };
  })();
  return ready;
}

/** Runs a single-input integer model on `input` and returns the first output's values. */
async function runInteger(model: Uint8Array, input: ArrayLike<number>): Promise<ArrayLike<number>> {
  const { tf, tflite } = await load();
  const m = await tflite.loadTFLiteModel(model.slice().buffer, { numThreads: 1 });
  const out = m.predict(tf.tensor(Array.from(input), m.inputs[0]!.shape, 'int32'));
  const first = Array.isArray(out) ? out[0]! : 'data' in out ? (out as TfTensor) : Object.values(out)[0]!;
  return first.data();
}

/** Runs a single-input int8 model on `input` (int8 values) and returns the first output's int8 values. */
export async function tfliteRunInt8(model: Uint8Array, input: Int8Array): Promise<Int8Array> {
  return Int8Array.from(await runInteger(model, input));
}

/** The same for an int16 model (16x8 kernels). */
export async function tfliteRunInt16(model: Uint8Array, input: Int16Array): Promise<Int16Array> {
  return Int16Array.from(await runInteger(model, input));
}
