// Assembles src/ops/simd/kernels.wat, with the module fields of the other
// .wat files there (packed.wat, resize.wat, lookup.wat, pool.wat, movement.wat) added to its module, into the base64 modules that
// src/ops/simd/kernels-wasm.ts embeds (the interpreter instantiates one
// synchronously, in Node and in bundles, with no file to locate at run time):
// the SIMD module, and its relaxed-SIMD build, which converts with
// relaxed_trunc where kernels.wat marks a conversion `(;in range;)` (the same
// result for inputs within int32, one x86 instruction for trunc_sat's five).
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

/** A conversion of float32 lanes that all lie within int32, which relaxed_trunc converts alike. */
const IN_RANGE_TRUNC = 'i32x4.trunc_sat_f32x4_s (;in range;)';

/** The module for `source`, assembled and optimized; `relaxed`: with the relaxed-SIMD proposal's instructions. */
async function assembled(source, relaxed) {
  const wabt = await wabtInit();
  const parsed = wabt.parseWat('kernels.wat', source, { simd: true, bulk_memory: true, relaxed_simd: relaxed });
  try {
    parsed.validate();
    return optimized(parsed.toBinary({}).buffer, relaxed);
  } finally {
    parsed.destroy();
  }
}

/** The generated TypeScript module for the current .wat source. */
export async function generatedKernelsModule() {
  const source = moduleSource();
  if (!source.includes(IN_RANGE_TRUNC)) throw new Error(`kernels.wat has no conversion marked ${IN_RANGE_TRUNC}: the relaxed build would be the same`);
  const plain = await assembled(source, false);
  const relaxed = await assembled(source.replaceAll(IN_RANGE_TRUNC, 'i32x4.relaxed_trunc_f32x4_s'), true);
  // Both opcodes take 3 bytes, so the relaxed build is the module with a few bytes changed: embedded as those.
  if (relaxed.length !== plain.length) throw new Error(`the relaxed build is ${relaxed.length} bytes, the module ${plain.length}: not a patch of it`);
  const patch = [];
  for (let i = 0; i < plain.length; i++) if (plain[i] !== relaxed[i]) patch.push(i, relaxed[i]);
  const base64 = Buffer.from(plain).toString('base64').match(/.{1,100}/g).map((l) => `  '${l}'`);
  return [
    '// Generated from kernels.wat by `npm run wasm` (test/helpers/assemble-wasm.mjs). Do not edit.',
    '',
    `/** The SIMD kernels module (${plain.length} bytes), base64. */`,
    `export const KERNELS_WASM_BASE64 =\n${base64.join(' +\n')};`,
    '',
    '/** Its relaxed-SIMD build (relaxed_trunc where every input lies within int32): byte offsets and the bytes there. */',
    'export const KERNELS_RELAXED_PATCH: readonly number[] = [',
    // 8 offset-byte pairs a line (the inlined float form repeats its conversions).
    ...Array.from({ length: Math.ceil(patch.length / 16) }, (_, i) => `  ${patch.slice(16 * i, 16 * i + 16).join(', ')},`),
    '];',
    '',
  ].join('\n');
}

/**
 * The module after binaryen's -O3 with every helper inlined into its callers (functions with loops too, up to a few
 * hundred instructions): the .wat keeps its steps apart as functions, and Node 20's V8 calls them (no inlining of
 * wasm there), about 5 ns a call with its arguments, more than a small model's arithmetic around it (hello-world:
 * 0.84 of its time; vww 0.96, nano-u 0.94). binaryen keeps IEEE float semantics (no fast-math) and wrapping integers,
 * so the module computes the same bits. The version is pinned: its output is what the embed test compares.
 */
function optimized(bytes, relaxed) {
  const module = binaryen.readBinary(bytes);
  try {
    const { MVP, SIMD128, BulkMemory, BulkMemoryOpt, RelaxedSIMD } = binaryen.Features;
    module.setFeatures(MVP | SIMD128 | BulkMemory | BulkMemoryOpt | (relaxed ? RelaxedSIMD : 0));
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
