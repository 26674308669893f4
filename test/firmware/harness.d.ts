// Types of harness.js (plain JavaScript so bench/qemu.js can run it from dist/).

export type Machine = 'mps2-an386' | 'mps2-an500';
export const MACHINES: Record<Machine, { cpu: string; script: string }>;
export const NS_PER_TICK: number;
export const REPLAY_BLOCK: number;

/** The parts of a graph tensor the harness reads (src/graph Tensor fits). */
export interface ReplayTensor {
  index: number;
  name: string;
  shape: readonly number[];
  byteSize: number;
}

export interface ReplayDecision {
  begin: number;
  count: number;
  bytes: number;
  offset: number;
  spillOp: number;
  fetchOp: number;
  /** "rows": fetched back band by band, each a fetch of rows from inside the slot. */
  fused: string | null;
  /** "rows": written band by band, each band's rows a spill into the slot (from spillOp on). */
  spilled?: string;
}

export type ReplayStep =
  | { kind: 'spill'; tensor: ReplayTensor; data: Uint8Array; begin: number; count: number; offset: number; bytes: number; spill: number; plain: boolean }
  | { kind: 'fetch'; tensor: ReplayTensor; data: Uint8Array; resident: Uint8Array | null; begin: number; count: number; offset: number; bytes: number; spill: number; plain?: boolean }
  | { kind: 'concat'; tensor: ReplayTensor; data: Uint8Array; parts: ({ input: Uint8Array; channels: number } | { channels: number; offset: number; spill: number })[] };

export function requireTools(): void;
export function insideFrame<T extends ReplayTensor>(tensor: T, bytes: Uint8Array, pad: readonly number[]): { tensor: T; bytes: Uint8Array };
export function packedSlice(bytes: Uint8Array, tensor: ReplayTensor, begin: number, count: number): Uint8Array;
export function replaySchedule(args: {
  graph: { main: { tensors: readonly ReplayTensor[]; ops: readonly { opcode: string; customCode?: string | null; customOptions?: Uint8Array | null; inputs: readonly number[]; outputs: readonly number[] }[] } };
  decisions: readonly ReplayDecision[];
  activations: Map<number, Uint8Array>;
  concatFetchCode: string;
  decodeConcatFetchOptions: (bytes: Uint8Array | null) => { parts: ({ input: number } | { offset: number; channels: number })[] };
  fetchCode: string;
  decodeFetchOptions: (bytes: Uint8Array | null) => { offset: number; bytes: number; begin: number; count: number };
  /** TinySegSpill's code: the spills of a slot written in rows. */
  spillCode: string;
  /** The region rows a fused reader (a TinySegConcatConv band) reads, or null for an operator that is none. */
  fusedRowReads?: (op: { customCode?: string | null; customOptions?: Uint8Array | null; inputs: readonly number[]; outputs: readonly number[] }) => { offset: number; bytes: number }[] | null;
  /** The rows an operator at position k writes to the region itself (a TinySegConcatConv's), or null. */
  rowWriter?: (op: { customCode?: string | null; customOptions?: Uint8Array | null }, k: number) => { tensor: ReplayTensor; data: Uint8Array; offset: number; bytes: number } | null;
}): ReplayStep[];
type ReplayArgs = Parameters<typeof replaySchedule>[0];
/** TinySeg's operator codes and readers replayOf takes, from the sources or from dist/. */
export interface ReplayLib {
  captureActivations: (graph: never) => Map<number, Uint8Array>;
  CONCAT_FETCH: string;
  decodeConcatFetchOptions: ReplayArgs['decodeConcatFetchOptions'];
  FETCH: string;
  decodeFetchOptions: ReplayArgs['decodeFetchOptions'];
  SPILL: string;
  CONCAT_CONV: string;
  concatConvBandReads: (op: never, tensors: never) => { offset: number; bytes: number }[];
  decodeConcatConvOptions: (bytes: Uint8Array | null) => { out?: { offset: number; bytes: number } };
  concatConvOutput: (op: never, tensors: never) => ReplayTensor | null;
  captureRegionWrites: (graph: never) => Map<number, Uint8Array>;
}
export function replayOf(optimized: { graph: ReplayArgs['graph']; report: { spill: { decisions: readonly ReplayDecision[] } } }, lib: ReplayLib): ReplayStep[];
export function replayHeader(steps: ReplayStep[], regionBytes: number): string;
export function buildFirmware(args: { machine: Machine; headerDir: string; outDir: string }): string;
export function runFirmware(elf: string, machine: Machine, timeoutSeconds?: number): { status: number | null; stdout: string; stderr: string };
export type ResultLine = Record<string, string | number>;
export function parseResults(stdout: string): ResultLine[];
export function instructionsPerKiB(ticks: number, bytes: number): number;
export function replayOnQemu(args: { machine: Machine; steps: ReplayStep[]; regionBytes: number; dir: string }): {
  status: number | null;
  stdout: string;
  stderr: string;
  results: ResultLine[];
};
