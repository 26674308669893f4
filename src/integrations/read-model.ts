// Loading a model file for the commands: every failure names the file.

import { readFileSync } from 'node:fs';
import { inFile, TinysegError } from '../errors.js';
import { loadGraph, type Graph } from '../graph/graph.js';

export interface LoadedModel {
  file: string;
  bytes: Uint8Array;
  graph: Graph;
}

export function readModelFile(file: string): LoadedModel {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(file));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory' : err.message;
    throw new TinysegError('E_IO', `cannot read model: ${why}`, { file, cause: e });
  }
  return { file, bytes, graph: inFile(file, () => loadGraph(bytes)) };
}
