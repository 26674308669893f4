// What the proof runs in place of a declared custom operator of another
// project, whose kernel TinySeg does not have. Its outputs are a function of
// its inputs and options only: seeded random values of the output types,
// the seed a digest of the operator's custom code, options and input bytes
// (shapes and quantization included). So the operators after it are proved
// bit-exact on the values it hands them, as for any other input, and every
// digest is logged: the proof compares the original's and the optimized
// model's, which shows each custom operator received exactly the same inputs
// in both. What stays unproved is only the custom kernel itself: that it is
// a function of its inputs and options (it keeps no state between runs), and
// what it computes.

import type { Kernel, KernelCall } from '../ops/kernel.js';
import { randomInput } from './oracle-input.js';
import { Digest } from '../graph/digest.js';

const signature = (d: KernelCall['outputs'][number]): string =>
  `${d.tensor.dtype}[${d.tensor.shape.join('x')}]q${d.tensor.quantization?.scale.join(',') ?? ''}/${d.tensor.quantization?.zeroPoint.join(',') ?? ''}`;

/** The stand-in kernel; every invocation appends `<custom code> <digest of its inputs>` to `log`. */
export function standInKernel(log: string[]): Kernel {
  return {
    prepare: () => undefined,
    invoke(call: KernelCall) {
      const code = call.op.customCode ?? '';
      const d = new Digest().text(code).bytes(call.op.customOptions ?? new Uint8Array(0));
      for (const input of call.inputs) {
        if (input === null) d.text('omitted');
        else d.text(signature(input)).bytes(input.bytes);
      }
      for (const output of call.outputs) d.text(signature(output));
      log.push(`${code} ${d.hex}`);
      call.outputs.forEach((out, j) => out.bytes.set(randomInput(out.tensor, (d.seed ^ Math.imul(j + 1, 0x9e3779b9)) >>> 0)));
      // A real kernel may leave anything in its scratch: so does this one.
      for (const s of call.scratch) s.fill(d.seed & 0xff);
    },
  };
}
