// Assembles src/ops/simd/kernels.wat, with the module fields of the other
// .wat files there (packed.wat, resize.wat, lookup.wat, pool.wat, movement.wat) added to its module, into the base64 module that
// src/ops/simd/kernels-wasm.ts embeds (the interpreter instantiates it
// synchronously, in Node and in bundles, with no file to locate at run time).
// `npm run wasm` rewrites that file; test/ops/simd.test.ts fails when
// it is out of date with the .wat source.

import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';
import binaryen from 'binaryen';

export const WAT_FILE = fileURLToPath(new URL('../../src/ops/simd/kernels.wat', import.meta.url));
/** Files of module fields (no module of their own) that join kernels.wat's module, in this order. */
export const WAT_FRAGMENTS = ['packed.wat', 'resize.wat', 'lookup.wat', 'pool.wat', 'movement.wat'].map((f) => fileURLToPath(new URL(`../../src/ops/simd/${f}`, import.meta.url)));

/** kernels.wat with the fragments' fields before its module's closing parenthesis. */
function moduleSource() {
  const main = readFileSync(WAT_FILE, 'utf8');
  const close = main.lastIndexOf(')');
  return main.slice(0, close) + WAT_FRAGMENTS.map((f) => readFileSync(f, 'utf8')).join('\n') + main.slice(close);
}
export const GENERATED_FILE = fileURLToPath(new URL('../../src/ops/simd/kernels-wasm.ts', import.meta.url));

/** The generated TypeScript module for the current .wat source. */
export async function generatedKernelsModule() {
  const wabt = await wabtInit();
  const parsed = wabt.parseWat('kernels.wat', moduleSource(), { simd: true });
  try {
    parsed.validate();
    const buffer = optimized(parsed.toBinary({}).buffer);
    const base64 = Buffer.from(buffer).toString('base64');
    const lines = base64.match(/.{1,100}/g).map((l) => `  '${l}'`);
    return [
      '// Generated from kernels.wat by `npm run wasm` (test/helpers/assemble-wasm.mjs). Do not edit.',
      '',
      `/** The SIMD kernels module (${buffer.length} bytes), base64. */`,
      `export const KERNELS_WASM_BASE64 =\n${lines.join(' +\n')};`,
      '',
    ].join('\n');
  } finally {
    parsed.destroy();
  }
}

/**
 * The module after binaryen's -O3 with every helper inlined into its callers (functions with loops too, up to a few
 * hundred instructions): the .wat keeps its steps apart as functions, and Node 20's V8 calls them (no inlining of
 * wasm there), about 5 ns a call with its arguments, more than a small model's arithmetic around it (hello-world:
 * 0.84 of its time; vww 0.96, nano-u 0.94). binaryen keeps IEEE float semantics (no fast-math) and wrapping integers,
 * so the module computes the same bits. The version is pinned: its output is what the embed test compares.
 */
function optimized(bytes) {
  const module = binaryen.readBinary(bytes);
  try {
    module.setFeatures(binaryen.Features.MVP | binaryen.Features.SIMD128);
    binaryen.setOptimizeLevel(3);
    binaryen.setShrinkLevel(0);
    binaryen.setAlwaysInlineMaxSize(40);
    binaryen.setFlexibleInlineMaxSize(400);
    binaryen.setOneCallerInlineMaxSize(2000);
    binaryen.setAllowInliningFunctionsWithLoops(true);
    module.optimize();
    if (!module.validate()) throw new Error('binaryen produced an invalid module');
    return module.emitBinary();
  } finally {
    module.dispose();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(GENERATED_FILE, await generatedKernelsModule());
  console.log(`wrote ${GENERATED_FILE}`);
}
