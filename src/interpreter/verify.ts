// Proof that two models compute the same bytes: run both on the oracle input
// and on seeded random inputs and compare every output byte.

import { inFile, TinysegError } from '../errors.js';
import type { Graph } from '../graph/graph.js';
import type { GraphTensor } from '../graph/types.js';
import { Interpreter, type StepHook } from './interpreter.js';
import { deterministicInput, randomInput } from './oracle-input.js';
import { DEFAULT_PROOF_INPUTS, DEFAULT_PROOF_SEED } from '../defaults.js';
import type { CustomOps } from '../ops/custom-op-declaration.js';
import { declaredOp, REFERENCE_KERNELS } from '../ops/registry.js';
import { recordingHook, reusableOps, reusedTensors, reusingHook } from './op-reuse.js';

export interface ProofInputs {
  /** Random inputs besides the oracle input (default 3). */
  inputs?: number;
  seed?: number;
}

export interface VerifyOptions extends ProofInputs {
  /** File names for error messages: [original, optimized]. */
  files?: [string, string];
  /**
   * The original model's outputs on proofCases(original, these options),
   * computed elsewhere (a worker thread, while the optimizer ran); null or
   * absent: run the original here.
   */
  reference?: () => ProofRun | null;
  /** The original model's outputs on proofCases(original, these options), known already (a cache); wins over `reference`. */
  referenceRun?: ProofRun;
  /** Receives the original's outputs the proof compared against (for a cache to keep). */
  keepReference?: (run: ProofRun) => void;
  /** The optimized model's cases shared with another thread (reference-outputs.ts startSharedCases); absent: all run here. */
  optimizedShare?: SharedCases;
  /**
   * Stop running cases at the first input whose outputs differ (a proof that fails is not worth finishing; the
   * result then counts the cases compared so far). Only where the original's outputs are known before the
   * optimized model runs (`referenceRun`, or no `reference`), and not where it reuses them (`reuseOriginal`): the
   * original's outputs on every case are then kept for the cache. Default: every case.
   */
  stopAtFirstDifference?: boolean;
  /** Declared custom operators of other projects: run as stand-ins (custom-op-stand-in.ts), their inputs compared. */
  customOps?: CustomOps;
  /**
   * Run the original case by case before the optimized model, and take the results of the operators the rewrite
   * left alone from it (op-reuse.ts): in this thread, and in the other one when `optimizedShare` was started with the
   * original's bytes. Only without `reference` or `referenceRun`; ignored for models op-reuse.ts does not shortcut.
   */
  reuseOriginal?: boolean;
}

/** One case of one model's run. */
export interface CaseRun {
  outputs: Uint8Array[];
  customInputs: string[];
}

/** One case of both models' runs, the optimized one reusing the original's (reuseOriginal). */
export interface CasePair {
  original: CaseRun;
  optimized: CaseRun;
}

/**
 * Cases of a run shared with another thread: each side claims the next one; the other side's arrive by collect().
 * With the original's bytes too (reuseOriginal), the other side runs both models and its answers carry `original`.
 */
export interface SharedCases {
  /** The next case to run here, or -1 when every case is claimed (or the run stopped). */
  claim(): number;
  /** Once claim() returned -1: the cases the other side ran, by index; null where it failed (run it here). */
  collect(): Map<number, (CaseRun & { original?: CaseRun }) | null>;
  /** No more claims: the proof stopped. */
  stop(): void;
}

/** One model's side of the proof: its outputs per case, and per case what each declared custom operator received. */
export interface ProofRun {
  outputs: Uint8Array[][];
  customInputs: string[][];
}

/** One input set of the proof: the oracle input, then seeded random ones. */
export interface ProofCase {
  name: string;
  inputs: Uint8Array[];
}

export function proofCases(g: Graph, opts: ProofInputs = {}): ProofCase[] {
  const sg = g.main;
  const seed = opts.seed ?? DEFAULT_PROOF_SEED;
  const cases: ProofCase[] = [{ name: 'oracle', inputs: sg.inputs.map((t) => deterministicInput(sg.tensors[t]!)) }];
  for (let k = 0; k < (opts.inputs ?? DEFAULT_PROOF_INPUTS); k++) {
    cases.push({ name: `random #${k + 1} of seed ${seed}`, inputs: sg.inputs.map((t, i) => randomInput(sg.tensors[t]!, seed * 1000003 + k * 101 + i)) });
  }
  return cases;
}

/** The outputs of `g` on every case, in one interpreter. */
export function runProofCases(g: Graph, cases: readonly ProofCase[], file = 'model', customOps?: CustomOps): ProofRun {
  const it = inFile(file, () => new Interpreter(g, customOps ? { customOps } : {}));
  const customInputs: string[][] = [];
  const outputs = cases.map((c) => {
    c.inputs.forEach((bytes, i) => it.setInput(i, bytes));
    it.invoke();
    customInputs.push(it.customInputs.splice(0).sort());
    return it.outputs();
  });
  return { outputs, customInputs };
}

/** The declared custom operators of `g`'s main subgraph, by operator index: what the proof cannot compute. */
export function standInOps(g: Graph, customOps: CustomOps | undefined): { op: number; name: string }[] {
  if (!customOps) return [];
  const kernels = { ...REFERENCE_KERNELS, customOps };
  return g.main.ops.flatMap((op, i) => (declaredOp(op, kernels) ? [{ op: i, name: op.customCode ?? '' }] : []));
}

export interface VerifyCase {
  input: string;
  differingBytes: number;
  /** Largest absolute difference between corresponding output elements (in their dtype). */
  maxDiff: number;
}

export interface VerifyResult {
  equal: boolean;
  cases: VerifyCase[];
  differingBytes: number;
  maxDiff: number;
  outputBytes: number;
  /**
   * Peak signal-to-noise ratio in dB when outputs differ (a lossy spill): the
   * widest value range of an original output that differs, over the mean
   * squared difference of every output element (in the outputs' own units:
   * float values, or integer codes). null when no value differs.
   */
  psnr: number | null;
  /**
   * Proof cases in which the declared custom operators of the two models did
   * not receive the same inputs (0 without any): a rewrite reached one of them.
   */
  customInputMismatches: number;
  /** The original's declared custom operators, run as stand-ins: their own outputs are not proved. */
  standIns: { op: number; name: string }[];
}

function signature(g: Graph, which: 'inputs' | 'outputs'): string {
  return g.main[which].map((t) => `${g.main.tensors[t]!.dtype}[${g.main.tensors[t]!.shape.join('x')}]`).join(', ');
}

export interface OutputComparison {
  differingBytes: number;
  maxDiff: number;
  elements: number;
  /** Sum of squared element differences, and the range of `a`'s values (both 0 when equal). */
  squaredError: number;
  range: number;
}

/** Element-wise comparison of two outputs of the same tensor type. */
export function compareOutputs(t: GraphTensor, a: Uint8Array, b: Uint8Array): OutputComparison {
  let differingBytes = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) differingBytes++;
  const elements = t.shape.reduce((n, d) => n * d, 1);
  if (differingBytes === 0) return { differingBytes, maxDiff: 0, elements, squaredError: 0, range: 0 };
  const read = (bytes: Uint8Array) => {
    const buf = bytes.slice().buffer;
    switch (t.dtype) {
      case 'int8':
        return new Int8Array(buf);
      case 'int16':
        return new Int16Array(buf);
      case 'int32':
        return new Int32Array(buf);
      case 'float32':
        return new Float32Array(buf);
      default:
        return new Uint8Array(buf);
    }
  };
  const x = read(a);
  const y = read(b);
  let maxDiff = 0;
  let squaredError = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < x.length; i++) {
    const d = Math.abs(x[i]! - y[i]!);
    if (d > maxDiff || Number.isNaN(d)) maxDiff = Number.isNaN(d) ? Infinity : d;
    squaredError += Number.isNaN(d) ? Infinity : d * d;
    if (x[i]! < lo) lo = x[i]!;
    if (x[i]! > hi) hi = x[i]!;
  }
  return { differingBytes, maxDiff, elements, squaredError, range: hi - lo };
}

export function verifyModels(original: Graph, optimized: Graph, opts: VerifyOptions = {}): VerifyResult {
  for (const which of ['inputs', 'outputs'] as const) {
    if (signature(original, which) !== signature(optimized, which)) {
      throw new TinysegError('E_USAGE', `the models' ${which} differ: ${signature(original, which)} vs ${signature(optimized, which)}`);
    }
  }
  const [fa, fb] = opts.files ?? ['original model', 'optimized model'];
  const sg = original.main;
  const inputCases = proofCases(original, opts);
  const reuse = opts.reuseOriginal === true && !opts.referenceRun && !opts.reference ? reusableOps(original, optimized) : null;
  let got: (CaseRun | undefined)[];
  let originalRun: ProofRun;
  if (reuse) {
    const runCase = reusingCaseRunner(original, optimized, reuse, [fa, fb], opts.customOps);
    ({ original: originalRun, optimized: got } = runReusing(inputCases, runCase, opts.optimizedShare));
  } else {
    // Without a reference the original runs first, so a kernel it lacks is reported against its own file.
    const local = opts.referenceRun ?? (opts.reference ? null : runProofCases(original, inputCases, fa, opts.customOps));
    got = runOptimized(optimized, inputCases, fb, opts, local);
    originalRun = local ?? opts.reference?.() ?? runProofCases(original, inputCases, fa, opts.customOps);
  }
  opts.keepReference?.(originalRun);
  const want = originalRun.outputs;
  const compared = inputCases.flatMap((c, k) => (got[k] ? [{ c, k, run: got[k] }] : []));
  const customInputMismatches = compared.filter(({ k, run }) => originalRun.customInputs[k]!.join('\n') !== run.customInputs.join('\n')).length;
  let elements = 0;
  let squaredError = 0;
  let range = 0;
  const cases: VerifyCase[] = compared.map(({ c, k, run }) => {
    let differingBytes = 0;
    let maxDiff = 0;
    sg.outputs.forEach((t, i) => {
      const d = compareOutputs(sg.tensors[t]!, want[k]![i]!, run.outputs[i]!);
      differingBytes += d.differingBytes;
      maxDiff = Math.max(maxDiff, d.maxDiff);
      elements += d.elements;
      squaredError += d.squaredError;
      range = Math.max(range, d.range);
    });
    return { input: c.name, differingBytes, maxDiff };
  });
  const differingBytes = cases.reduce((n, c) => n + c.differingBytes, 0);
  return {
    equal: differingBytes === 0 && customInputMismatches === 0,
    cases,
    differingBytes,
    maxDiff: Math.max(0, ...cases.map((c) => c.maxDiff)),
    outputBytes: sg.outputs.reduce((n, t) => n + sg.tensors[t]!.byteSize, 0) * cases.length,
    psnr: psnrDb(range, squaredError / elements),
    customInputMismatches,
    standIns: standInOps(original, opts.customOps),
  };
}

/**
 * The optimized model's outputs per case: the cases this thread claims (all of them without a share), then the
 * other thread's. With `known` outputs and stopAtFirstDifference, the first case that differs ends the run: the
 * cases never run are absent.
 */
function runOptimized(g: Graph, cases: readonly ProofCase[], file: string, opts: VerifyOptions, known: ProofRun | null): (CaseRun | undefined)[] {
  let it: Interpreter | null = null;
  const runHere = (k: number): CaseRun => {
    it ??= inFile(file, () => new Interpreter(g, opts.customOps ? { customOps: opts.customOps } : {}));
    cases[k]!.inputs.forEach((bytes, i) => it!.setInput(i, bytes));
    it.invoke();
    return { outputs: it.outputs(), customInputs: it.customInputs.splice(0).sort() };
  };
  const share = opts.optimizedShare;
  const stopEarly = opts.stopAtFirstDifference === true && known !== null;
  const runs: (CaseRun | undefined)[] = new Array(cases.length);
  for (let k = share ? share.claim() : 0; k >= 0 && k < cases.length; k = share ? share.claim() : k + 1) {
    runs[k] = runHere(k);
    if (stopEarly && runs[k]!.outputs.some((o, i) => !sameBytes(o, known.outputs[k]![i]!))) {
      share?.stop();
      return runs;
    }
  }
  if (share) for (const [k, r] of share.collect()) runs[k] = r ?? runHere(k);
  // A case the other thread claimed but never answered (it died) runs here.
  for (let k = 0; k < cases.length; k++) runs[k] ??= runHere(k);
  return runs;
}

/**
 * Runs one case of both models: the original keeping its operators' outputs, then the optimized model reusing them
 * (op-reuse.ts). The interpreters are built on the first call.
 */
export function reusingCaseRunner(
  original: Graph,
  optimized: Graph,
  candidates: readonly (readonly number[])[],
  [fa, fb]: [string, string] = ['original model', 'optimized model'],
  customOps?: CustomOps,
): (c: ProofCase) => CasePair {
  const opts = customOps ? { customOps } : {};
  let models: [Interpreter, Interpreter] | null = null;
  let values: (Uint8Array | undefined)[] | undefined;
  const keep = reusedTensors(original.main, candidates);
  const run = (it: Interpreter, c: ProofCase, hook: StepHook): CaseRun => {
    c.inputs.forEach((bytes, i) => it.setInput(i, bytes));
    it.invoke(hook);
    return { outputs: it.outputs(), customInputs: it.customInputs.splice(0).sort() };
  };
  return (c) => {
    models ??= [inFile(fa, () => new Interpreter(original, opts)), inFile(fb, () => new Interpreter(optimized, opts))];
    const recorded = recordingHook(original.main, c.inputs, values, keep);
    values = recorded.values;
    const first = run(models[0], c, recorded.hook);
    return { original: first, optimized: run(models[1], c, reusingHook(original.main, candidates, recorded.values)) };
  };
}

/** Every case through `runCase`: those this thread claims (all without a share), then the other thread's answers. */
function runReusing(
  cases: readonly ProofCase[],
  runCase: (c: ProofCase) => CasePair,
  share: SharedCases | undefined,
): { original: ProofRun; optimized: CaseRun[] } {
  const pairs: (CasePair | undefined)[] = new Array(cases.length);
  for (let k = share ? share.claim() : 0; k >= 0 && k < cases.length; k = share ? share.claim() : k + 1) pairs[k] = runCase(cases[k]!);
  for (const [k, r] of share?.collect() ?? []) {
    if (r?.original) pairs[k] = { original: r.original, optimized: { outputs: r.outputs, customInputs: r.customInputs } };
  }
  // A case the other thread failed, or never answered, runs here (and reports its error against its file).
  const all = cases.map((c, k) => pairs[k] ?? runCase(c));
  return {
    original: { outputs: all.map((p) => p.original.outputs), customInputs: all.map((p) => p.original.customInputs) },
    optimized: all.map((p) => p.optimized),
  };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** 10 log10(peak^2 / mse) in dB, to 0.01; null without a value error (bytes of equal values, -0 and 0), 0 when it cannot be measured. */
function psnrDb(peak: number, mse: number): number | null {
  if (mse === 0) return null;
  if (!Number.isFinite(mse) || !(peak > 0)) return 0;
  return Math.round(1000 * Math.log10((peak * peak) / mse)) / 100;
}
