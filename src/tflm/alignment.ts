// TFLM's one alignment: MicroArenaBufferAlignment(). The planner rounds every
// buffer up to it, kernels' persistent data is aligned to it, and TinySeg's
// spill region lays its slots out in the same units.

/** MicroArenaBufferAlignment(): every planned size is rounded up to this. */
export const ARENA_ALIGNMENT = 16;

/** `n` rounded up to a whole number of ARENA_ALIGNMENT units. */
export const alignArena = (n: number): number => Math.ceil(n / ARENA_ALIGNMENT) * ARENA_ALIGNMENT;
