#!/usr/bin/env node
// Regenerates examples/models/tiny-unet-80x120.tflite (deterministic).
// Run: npm run example:tiny-unet
import { writeFileSync } from 'node:fs';
import { buildTinyUnet, saveGraph } from '../dist/index.js';

const out = new URL('./models/tiny-unet-80x120.tflite', import.meta.url);
const bytes = saveGraph(buildTinyUnet({ height: 80, width: 120, classes: 2, seed: 2024 }));
writeFileSync(out, bytes);
console.log(`wrote ${out.pathname} (${bytes.length} bytes)`);
