// One Node host of the tfjs-tflite comparison in a process of its own, for a
// Node whose V8 flags differ from the bench's: bench/tfjs-tflite.js runs it
// with --experimental-wasm-relaxed-simd on Node 20, where TinySeg's SIMD
// module then takes its relaxed-SIMD build (Node 22 on has relaxed SIMD by
// default). `node [flags] bench/tfjs-tflite-node.js <budget ms> <sample ms>
// <model>...` prints one JSON line per model: the times, the samples and the
// module build that ran.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeHost } from './tfjs-tflite-hosts.js';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const [budgetMs, sampleMs, ...models] = process.argv.slice(2);
const host = await nodeHost(root);
const keep = console.log;
for (const path of models) {
  // TFLite writes to the console (its XNNPACK notice): only the results go to standard output.
  console.log = () => {};
  const r = await host.measure(new Uint8Array(readFileSync(path)), Number(budgetMs), Number(sampleMs));
  console.log = keep;
  process.stdout.write(`${JSON.stringify({ path, oursMs: r.oursMs, theirsMs: r.theirsMs, samples: r.samples, build: host.build() })}\n`);
}
await host.close();
