// Loading a model file for the commands: every failure names the file.

import { inFile } from '../../errors.js';
import { loadGraph, type Graph } from '../../graph/graph.js';
import { readModelBytes } from './model-bytes.js';

export interface LoadedModel {
  file: string;
  bytes: Uint8Array;
  graph: Graph;
}

export function readModelFile(file: string): LoadedModel {
  const bytes = readModelBytes(file);
  return { file, bytes, graph: inFile(file, () => loadGraph(bytes)) };
}
