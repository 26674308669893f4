// The QEMU boards the Cortex-M firmware harness runs on: bench/tflm-m4.js and
// bench/calibrate-compute.js share them.

export const TICK_INSTRUCTIONS = 40; // 25 MHz FPGAIO counter, 1 instruction = 1 ns under -icount shift=0

/**
 * The boards the firmware runs on (bench/tflm-m4/CMakeLists.txt BENCH_BOARD): the QEMU
 * machine, the target profile `tinyseg optimize` plans for (its core decides CMSIS-NN's
 * buffers; none for an386, the default target), the core, and instructions per counter
 * tick (under -icount shift=0); `coreIsa` is the ISA TinySeg's rules and costs key on
 * (bench/calibrate-compute.js: the Cortex-M4's `dsp` tables are the base ones). Each has
 * 16 MB for model, arena and spill region.
 */
export const BOARDS = {
  an386: { machine: 'mps2-an386', target: undefined, core: 'Cortex-M4', isa: 'DSP', coreIsa: 'dsp', tick: TICK_INSTRUCTIONS },
  an385: { machine: 'mps2-an385', target: 'mps2-an385', core: 'Cortex-M3', isa: 'none', coreIsa: 'none', tick: TICK_INSTRUCTIONS },
  // The AN547's FPGAIO counter runs at 20 MHz under QEMU (measured: a 2,000,000-instruction loop reads 40,000 ticks).
  an547: { machine: 'mps3-an547', target: 'mps3-an547', core: 'Cortex-M55', isa: 'MVE', coreIsa: 'mve', tick: 50 },
};
