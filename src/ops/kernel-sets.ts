// The kernel libraries a TFLM build can link, as data. Their kernels request
// different scratch and op data for the same operator, so the registry's
// memory facts are per set (OpInfo.memory). Adding a set (ESP-NN, ...) is:
// a name in KERNEL_SETS, a spec here (its fallback for the operators it has no
// kernel of, and the cpus it is the default on), and `memory[<set>]` rules in
// the families it has kernels for. No code path changes.

import { DEFAULT_KERNEL_SET as DEFAULTS_KERNEL_SET } from '../defaults.js';
import type { CustomOps } from './custom-op-declaration.js';

/**
 * The core's SIMD extension, which some optimized kernels size their buffers
 * by: 'dsp' (Cortex-M4/M7/M33: the DSP extension), 'mve' (Cortex-M55/M85:
 * Helium), 'none' (Cortex-M0/M0+/M3/M23).
 */
export type CoreIsa = 'dsp' | 'mve' | 'none';
export const CORE_ISAS: readonly CoreIsa[] = ['dsp', 'mve', 'none'];

/** What a memory rule may ask of the build besides the operator: the core it targets. */
export interface KernelContext {
  readonly isa: CoreIsa;
}

/**
 * 'reference': TFLM's reference kernels at commit 90b983c (the oracle's).
 * 'cmsis-nn': TFLM's cmsis_nn kernels at the same commit over CMSIS-NN
 * 4ab83cc, built by GCC with KERNELS_OPTIMIZED_FOR_SPEED (TFLM's defaults).
 */
export type KernelSet = 'reference' | 'cmsis-nn';
export const KERNEL_SETS: readonly KernelSet[] = ['reference', 'cmsis-nn'];
export const DEFAULT_KERNEL_SET: KernelSet = DEFAULTS_KERNEL_SET;

/** The kernels a build links and the core they run on: all the memory rules depend on. */
export interface Kernels extends KernelContext {
  readonly set: KernelSet;
  /**
   * Custom operators of other projects the build links besides TFLM's kernels,
   * with the memory their declaration gives (custom-op-declaration.ts); their
   * figures come from the declaration, not from TinySeg's knowledge.
   */
  readonly customOps?: CustomOps;
  /**
   * No build runs the model: TFLM refuses some of its operators (a uint8 or hybrid model planned with
   * allowRefused), so its figures are memory planning only and a rewrite may use types TFLM's kernels refuse too.
   */
  readonly planOnly?: boolean;
}

export interface KernelSetSpec {
  /** How figures name the set ("TFLM arena (reference kernels)"). */
  readonly label: string;
  /** The set whose kernel an operator without an entry of its own uses in this build; null: none (unknown). */
  readonly fallback: KernelSet | null;
  /** The ISAs of cpus a target profile without `kernels` builds with this set. */
  readonly defaultFor: readonly CoreIsa[];
}

export const KERNEL_SET_SPECS: Readonly<Record<KernelSet, KernelSetSpec>> = {
  reference: { label: 'reference kernels', fallback: null, defaultFor: ['none'] },
  // TFLM's cmsis_nn directory replaces some kernels; every other operator is the reference kernel.
  'cmsis-nn': { label: 'CMSIS-NN kernels', fallback: 'reference', defaultFor: ['dsp', 'mve'] },
};

/** The ISA of a GCC -mcpu name; undefined for a cpu that is not a known Cortex-M. */
export function isaOfCpu(cpu: string): CoreIsa | undefined {
  const name = cpu.toLowerCase().split('+')[0]!;
  if (cpu.toLowerCase().includes('+nodsp')) return 'none';
  if (['cortex-m4', 'cortex-m7', 'cortex-m33', 'cortex-m35p'].includes(name)) return 'dsp';
  if (['cortex-m55', 'cortex-m85'].includes(name)) return 'mve';
  if (['cortex-m0', 'cortex-m0plus', 'cortex-m1', 'cortex-m3', 'cortex-m23'].includes(name)) return 'none';
  return undefined;
}

/** The Cortex-M4 the oracle measured: the ISA when no target says otherwise. */
export const DEFAULT_ISA: CoreIsa = 'dsp';

export const REFERENCE_KERNELS: Kernels = { set: 'reference', isa: DEFAULT_ISA };

/** `set` on the core `isa` (default: a DSP core such as the Cortex-M4). */
export const kernelsFor = (set: KernelSet, isa: CoreIsa = DEFAULT_ISA): Kernels => ({ set, isa });

/** The set a target with cpu `cpu` builds with when nothing names one: the first whose `defaultFor` holds its ISA. */
export function defaultKernelSetForCpu(cpu: string): KernelSet {
  const isa = isaOfCpu(cpu);
  if (isa === undefined) return DEFAULT_KERNEL_SET;
  return KERNEL_SETS.find((s) => s !== DEFAULT_KERNEL_SET && KERNEL_SET_SPECS[s].defaultFor.includes(isa)) ?? DEFAULT_KERNEL_SET;
}

/** "reference kernels", "CMSIS-NN kernels (mve)": how printed figures name the kernels they assume. */
export function kernelsLabel(k: Kernels): string {
  const spec = KERNEL_SET_SPECS[k.set];
  return k.set === DEFAULT_KERNEL_SET || k.isa === DEFAULT_ISA ? spec.label : `${spec.label}, ${k.isa}`;
}
