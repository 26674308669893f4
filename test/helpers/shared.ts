// Access to ../shared: the real models and the figures real TFLM measured for them.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { repoRoot } from './paths.js';
export const sharedDir = resolve(process.env.TINYSEG_SHARED ?? join(repoRoot, '..', 'shared'));
export const modelsDir = join(sharedDir, 'models');
export const oracleDir = join(sharedDir, 'oracle');

if (!existsSync(modelsDir)) {
  throw new Error(`corpus not found at ${modelsDir}: put shared/ beside the repo or set TINYSEG_SHARED`);
}

/** File names of every corpus model, sorted. */
export const corpusModels: string[] = readdirSync(modelsDir)
  .filter((f) => f.endsWith('.tflite'))
  .sort();

export function readCorpusModel(file: string): Uint8Array {
  return new Uint8Array(readFileSync(join(modelsDir, file)));
}

export interface GoldenEntry {
  model_sha256: string;
  status: string;
  arena_used_bytes_cm4: number;
  head_bytes_cm4: number;
  tail_bytes_cm4: number;
  outputs: { index: number; tensor_index: number; dtype: string; shape: number[]; bytes: number; file?: string; file_host64?: string }[] | null;
  inputs: { index: number; tensor_index: number; dtype: string; bytes: number }[];
}

export const golden: Record<string, GoldenEntry> = JSON.parse(readFileSync(join(oracleDir, 'tflm-golden.json'), 'utf8'));

export interface OracleOffsets {
  head_bytes: number;
  offsets: Record<string, number>;
  bytes: Record<string, number>;
  scratch_buffer_offsets: number[];
  plan_buffers: {
    kind: 'tensor' | 'scratch';
    tensor_index?: number;
    scratch_index?: number;
    size: number;
    first_time_used: number;
    last_time_used: number;
    offset: number;
  }[];
}

export function oracleOffsets(file: string): OracleOffsets | null {
  const path = join(oracleDir, file.replace(/\.tflite$/, '.offsets.json'));
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : null;
}
