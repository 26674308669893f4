#!/usr/bin/env node
// Row bands through both branches of a fork (issue 16's multi-branch regions):
// synthetic stems built with the graph builder, a wide 3x3 conv whose output
// two branches of two operators each read ([depthwise 3x3, 1x1] and [3x3, 3x3],
// or both starting with a stride-2 conv) before they meet in an ADD or a
// CONCATENATION. `optimize()` with stock builtins only (no spill region, no
// TinySeg kernel) at the 5% default and at --max-overhead 50, the proof on:
// the head before and after, the streaming floor, the predicted overhead and
// the longest chain the bands ran through. bench/run.js appends forksSection()
// to bench/results.md; `node bench/forks.js` prints it. Needs `npm run build`.
import { fileURLToPath } from 'node:url';
import { GraphBuilder } from '../dist/graph/builder.js';
import { saveGraph } from '../dist/graph/graph.js';
import { optimize } from '../dist/optimize/optimize.js';

const n = (x) => Math.round(x).toLocaleString('en-US');

/** x [1, 128, 64, 4] -> 3x3 to 32 (r) -> [branch a] and [branch b] -> join -> 1x1 to 4. */
function forkModel(join, stride, dtype) {
  const b = new GraphBuilder();
  let seed = 21;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const q = dtype === 'int8' ? { scale: [0.06], zeroPoint: [-1], quantizedDimension: 0 } : null;
  const weights = (shape) => {
    const count = shape.reduce((a, c) => a * c, 1);
    const channels = shape[0] === 1 ? shape[3] : shape[0];
    const quantization = { scale: new Array(channels).fill(0.02), zeroPoint: new Array(channels).fill(0), quantizedDimension: shape[0] === 1 ? 3 : 0 };
    return dtype === 'int8'
      ? b.constant(`w${seed}`, { dtype, shape, quantization }, Int8Array.from({ length: count }, () => Math.round(rand() * 100)))
      : b.constant(`w${seed}`, { dtype, shape }, Float32Array.from({ length: count }, () => rand() * 0.3));
  };
  const act = (name, shape) => b.tensor(name, { dtype, shape, quantization: q });
  const conv = (x, y, shape, s = 1) =>
    b.op({ opcode: 'CONV_2D', inputs: [x, weights(shape), -1], outputs: [y], options: { type: 'Conv2DOptions', value: { padding: 0, strideH: s, strideW: s, dilationHFactor: 1, dilationWFactor: 1, fusedActivationFunction: 1 } } });
  const [H, W] = [128, 64];
  const [h, w] = [H / stride, W / stride];
  const x = b.input('x', { dtype, shape: [1, H, W, 4], quantization: q });
  const r = act('r', [1, H, W, 32]);
  conv(x, r, [32, 3, 3, 4]);
  const d = act('d', [1, h, w, 32]);
  if (stride === 1) {
    const options = { padding: 0, strideH: 1, strideW: 1, depthMultiplier: 1, dilationHFactor: 1, dilationWFactor: 1, fusedActivationFunction: 1 };
    b.op({ opcode: 'DEPTHWISE_CONV_2D', inputs: [r, weights([1, 3, 3, 32]), -1], outputs: [d], options: { type: 'DepthwiseConv2DOptions', value: options } });
  } else {
    conv(r, d, [32, 3, 3, 32], stride);
  }
  const p = act('p', [1, h, w, 8]);
  conv(d, p, [8, 1, 1, 32]);
  const e = act('e', [1, h, w, 8]);
  conv(r, e, [8, 3, 3, 32], stride);
  const f = act('f', [1, h, w, 8]);
  conv(e, f, [8, 3, 3, 8]);
  const channels = join === 'ADD' ? 8 : 16;
  const joined = act('joined', [1, h, w, channels]);
  const options = join === 'ADD' ? { type: 'AddOptions', value: {} } : { type: 'ConcatenationOptions', value: { axis: 3 } };
  b.op({ opcode: join, inputs: [p, f], outputs: [joined], options });
  const out = act('out', [1, h, w, 4]);
  conv(joined, out, [4, 1, 1, channels]);
  b.output(out);
  return saveGraph(b.build());
}

export function forksSection() {
  const rows = [];
  for (const [join, stride] of [['ADD', 1], ['CONCATENATION', 1], ['ADD', 2]]) {
    for (const dtype of ['int8', 'float32']) {
      const bytes = forkModel(join, stride, dtype);
      for (const maxOverhead of [5, 50]) {
        const r = optimize(bytes, { file: `fork-${join}-s${stride}-${dtype}.tflite`, builtinsOnly: true, maxOverhead, verify: { inputs: 1, seed: 3 } }).report;
        const chains = [...r.passes.splitRowBands.chains, ...r.passes.bandsAfterSpills.chains];
        const longest = chains.reduce((a, c) => (c.ops.length > a.ops.length ? c : a), { ops: [] });
        const through = longest.ops.length > 0 ? `${longest.ops.length} ops, ${longest.bands} bands${longest.carried ? ', carried' : ''}` : '–';
        rows.push(
          `| ${join} | ${stride} | ${dtype} | ${maxOverhead}% | ${n(r.before.head)} | ${n(r.after.head)} | ${n(r.streamingFloor)} | ` +
            `${(r.compute.invoke.reference.overhead * 100).toFixed(1)}% | ${through} | ${r.verified ? 'yes' : 'NO'} |`,
        );
      }
    }
  }
  return [
    '',
    '## Row bands through both branches of a fork (issue 16)',
    '',
    'Synthetic stems (graph builder, 128x64x4 input): a wide 3x3 conv (r, 32 channels) read by two branches of two',
    'operators each, [depthwise 3x3, 1x1] and [3x3, 3x3] (stride 2: both start with a stride-2 3x3 conv), which meet in',
    'the join; then a 1x1 conv. `optimize()` with stock builtins only (`builtinsOnly`: no spill region) at the 5% default',
    'and at `maxOverhead: 50`, the proof on: the TFLM head (reference kernels) before and after, the streaming floor, the',
    'predicted overhead and the longest chain the bands ran through (a chain through both branches has 7 operators; carried:',
    'the bands carry the rows the band before computed instead of computing them again).',
    '',
    '| join | stride | type | limit | head before | head after | streaming floor | overhead ref | longest chain | verified |',
    '|---|---:|---|---:|---:|---:|---:|---:|---|---|',
    ...rows,
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(forksSection());
