// The kernel registry: builtin operator name -> kernel. One file per family.

import type { Kernel } from '../kernel.js';
import { kernels as conv } from './conv.js';
import { kernels as depthwiseConv } from './depthwise-conv.js';
import { kernels as elementwise } from './elementwise.js';
import { kernels as fullyConnected } from './fully-connected.js';
import { kernels as pooling } from './pooling.js';
import { kernels as reduce } from './reduce.js';
import { kernels as resize } from './resize.js';
import { kernels as shape } from './shape.js';
import { kernels as softmax } from './softmax.js';
import { kernels as tinyseg } from './tinyseg.js';
import { kernels as tinysegAddFetch } from './tinyseg-add-fetch.js';
import { kernels as tinysegConcatConv } from './tinyseg-concat-conv.js';
import { kernels as tinysegTransposeConv } from './tinyseg-transpose-conv.js';
import { kernels as transposeConv } from './transpose-conv.js';

export const KERNELS: ReadonlyMap<string, Kernel> = new Map<string, Kernel>(
  Object.entries({
    ...conv,
    ...depthwiseConv,
    ...fullyConnected,
    ...transposeConv,
    ...elementwise,
    ...pooling,
    ...reduce,
    ...softmax,
    ...shape,
    ...resize,
    ...tinyseg,
    ...tinysegAddFetch,
    ...tinysegConcatConv,
    ...tinysegTransposeConv,
  }) as [string, Kernel][],
);
