// The kernel registry: builtin operator name -> kernel. One file per family.

import type { Kernel } from './kernel.js';
import { kernels as conv } from './conv/kernel.js';
import { kernels as depthwiseConv } from './depthwise-conv/kernel.js';
import { kernels as elementwise } from './elementwise/kernel.js';
import { kernels as fullyConnected } from './fully-connected/kernel.js';
import { kernels as pooling } from './pooling/kernel.js';
import { kernels as reduce } from './reduce/kernel.js';
import { kernels as resize } from './resize/kernel.js';
import { kernels as shape } from './shape/kernel.js';
import { kernels as softmax } from './softmax/kernel.js';
import { kernels as tinyseg } from './tinyseg/spill-kernels.js';
import { kernels as tinysegAddFetch } from './tinyseg/add-fetch-kernel.js';
import { kernels as tinysegConcatConv } from './tinyseg/concat-conv-kernel.js';
import { kernels as tinysegTransposeConv } from './tinyseg/transpose-conv-kernel.js';
import { kernels as transposeConv } from './transpose-conv/kernel.js';

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
