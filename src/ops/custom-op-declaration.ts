// Custom operators from other projects (MediaPipe's Convolution2DTransposeBias,
// ...): TinySeg has no kernel for them and cannot know what their kernel
// allocates, so the user declares it: the scratch it requests in Prepare
// (RequestScratchBufferInArena), the persistent buffers it allocates
// (AllocatePersistentBuffer), and the function that registers it in the
// firmware. One parser and one check for every way in: the CLI's
// `--custom-op`, the bundler plugin's and optimize()'s `customOps`, CMake's
// CUSTOM_OPS (which passes `--custom-op` on). docs/custom-ops.md, "Your own
// custom operators".

import { TinysegError } from '../errors.js';

/** One declared custom operator, checked. */
export interface CustomOpDeclaration {
  /** The model's custom code. */
  readonly name: string;
  /** Prepare's scratch requests in bytes, in request order (each a RequestScratchBufferInArena). */
  readonly scratchBytes: readonly number[];
  /** Persistent buffers in bytes (each an AllocatePersistentBuffer, 16-byte aligned in the tail). */
  readonly persistentBytes: readonly number[];
  /** The C++ function the firmware defines that returns the operator's TFLMRegistration*. */
  readonly register: string;
  /**
   * Output row r depends on input row r alone (the user's word): the streaming
   * floor (analysis/streaming-floor.ts) then does not need its operands whole.
   * Row bands still never run through it: a band would hand the kernel a slice
   * the proof cannot show it computes alike.
   */
  readonly rowLocal: boolean;
}

/** A declaration as the plugin and optimize() take it: a number or a list per size. */
export interface CustomOpInput {
  name: string;
  scratchBytes?: number | readonly number[];
  persistentBytes?: number | readonly number[];
  register?: string;
  rowLocal?: boolean;
}

/** The declared custom operators of a build, by custom code. */
export type CustomOps = ReadonlyMap<string, CustomOpDeclaration>;

/** Custom operators TFLM 90b983c ships (its resolver's AddDetectionPostprocess, AddCircularBuffer): not declarable. */
export const TFLM_CUSTOM_OPS: readonly string[] = ['TFLite_Detection_PostProcess', 'CIRCULAR_BUFFER'];

/** TinySeg's own operators' names begin with this (ops/tinyseg/custom-ops.ts; a unit test holds it); not imported, to keep option checks light. */
export const TINYSEG_PREFIX = 'TinySeg';

const CLI_KEYS = ['scratch', 'persistent', 'register'] as const;
/** The CLI's flags: keys without a value. */
const CLI_FLAGS = ['row-local'] as const;
const OBJECT_KEYS = ['name', 'scratchBytes', 'persistentBytes', 'register', 'rowLocal'];
const C_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * TFLM's convention for a registration function (Register_DETECTION_POSTPROCESS):
 * Register_ and the custom code upper-cased, every other character than
 * [A-Z0-9] an underscore.
 */
export const defaultRegistration = (name: string): string => `Register_${name.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_|_$/g, '')}`;

const bad = (message: string, hint: string): TinysegError => new TinysegError('E_USAGE', message, { hint });

/** Bytes from the CLI (`1024`, `1024+512`: two requests) or the plugin (a number or a list). */
function sizes(value: unknown, what: string, name: string): number[] {
  const text = typeof value === 'string';
  const list = text ? value.split('+') : Array.isArray(value) ? value : [value];
  return list.map((v) => {
    const n = text && /^\s*\d+\s*$/.test(v as string) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
      throw bad(`custom operator '${name}': ${what} must be a non-negative whole number of bytes, got ${JSON.stringify(v)}`, 'e.g. scratch=1024 or scratch=1024+512 (two requests)');
    }
    return n;
  });
}

/** Checks one declaration from the plugin or optimize(). */
export function checkCustomOp(input: CustomOpInput): CustomOpDeclaration {
  if (typeof input !== 'object' || input === null) throw bad(`a custom operator declaration must be an object, got ${String(input)}`, 'e.g. { name: "MyOp", scratchBytes: 1024 }');
  const { name } = input;
  if (typeof name !== 'string' || name === '') throw bad(`a custom operator declaration needs a name (the model's custom code), got ${JSON.stringify(name)}`, 'e.g. { name: "MyOp" }');
  const unknown = Object.keys(input).filter((k) => !OBJECT_KEYS.includes(k));
  if (unknown.length > 0) throw bad(`custom operator '${name}': unknown key '${unknown[0]}'`, `the keys are ${OBJECT_KEYS.join(', ')}`);
  if (name.startsWith(TINYSEG_PREFIX)) throw bad(`custom operator '${name}' is TinySeg's (its names begin with ${TINYSEG_PREFIX}) and cannot be declared`, 'TinySeg knows its memory and ships its kernel');
  if (TFLM_CUSTOM_OPS.includes(name)) throw bad(`custom operator '${name}' ships with TFLM and cannot be declared`, 'TinySeg registers it with TFLM\'s own method');
  const register = input.register ?? defaultRegistration(name);
  if (register === 'Register_') throw bad(`custom operator '${name}': its name has no letter or digit to name a registration function after`, 'give one with register=<function>');
  // A double underscore is reserved to the C++ implementation.
  if (typeof register !== 'string' || !C_NAME.test(register) || register.includes('__')) {
    throw bad(`custom operator '${name}': register must be a C++ function name, got ${JSON.stringify(register)}`, 'e.g. register=Register_MY_OP');
  }
  if (input.rowLocal !== undefined && typeof input.rowLocal !== 'boolean') {
    throw bad(`custom operator '${name}': rowLocal must be true or false, got ${JSON.stringify(input.rowLocal)}`, 'e.g. { name: "MyOp", rowLocal: true }');
  }
  return {
    name,
    // Text is the CLI's (parseCustomOp reads it): here a string is a mistake.
    scratchBytes: input.scratchBytes === undefined ? [] : sizes([input.scratchBytes].flat(), 'scratch', name),
    persistentBytes: input.persistentBytes === undefined ? [] : sizes([input.persistentBytes].flat(), 'persistent', name),
    register,
    rowLocal: input.rowLocal === true,
  };
}

/**
 * Parses the CLI's `NAME[:key=value,...]`, keys `scratch`, `persistent` (bytes;
 * `a+b` for several buffers) and `register` (the function name), and the flag
 * `row-local`, e.g.
 * `Convolution2DTransposeBias:scratch=0,persistent=64`. The name ends at the
 * first colon.
 */
export function parseCustomOp(text: string): CustomOpDeclaration {
  const colon = text.indexOf(':');
  const name = colon < 0 ? text : text.slice(0, colon);
  const input: CustomOpInput = { name };
  const pairs = colon < 0 ? [] : text.slice(colon + 1).split(',');
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const key = (eq < 0 ? pair : pair.slice(0, eq)).trim();
    if (eq < 0 && (CLI_FLAGS as readonly string[]).includes(key)) {
      input.rowLocal = true;
      continue;
    }
    if (!(CLI_KEYS as readonly string[]).includes(key) || eq < 0) {
      throw bad(
        eq < 0 ? `--custom-op ${JSON.stringify(text)}: '${key}' has no value` : `--custom-op ${JSON.stringify(text)}: unknown key '${key}'`,
        `write NAME:scratch=BYTES,persistent=BYTES,register=FUNCTION,row-local (keys: ${[...CLI_KEYS, ...CLI_FLAGS].join(', ')})`,
      );
    }
    const value = pair.slice(eq + 1).trim();
    if (key === 'scratch') input.scratchBytes = sizes(value, 'scratch', name);
    else if (key === 'persistent') input.persistentBytes = sizes(value, 'persistent', name);
    else input.register = value;
  }
  return checkCustomOp(input);
}

/** The declarations as a map by name; a name declared twice, or two names one function, is an error. */
export function customOpMap(declarations: readonly (CustomOpInput | CustomOpDeclaration)[]): CustomOps {
  const map = new Map<string, CustomOpDeclaration>();
  const functions = new Map<string, string>();
  for (const d of declarations.map((x) => checkCustomOp(x as CustomOpInput))) {
    if (map.has(d.name)) throw bad(`custom operator '${d.name}' is declared twice`, 'declare each custom operator once');
    const other = functions.get(d.register);
    if (other !== undefined) throw bad(`custom operators '${other}' and '${d.name}' would both register with ${d.register}()`, `give one of them register=<another function>`);
    map.set(d.name, d);
    functions.set(d.register, d.name);
  }
  return map;
}

/** The declarations in a canonical order (by name), for cache keys and messages. */
export const customOpList = (ops: CustomOps | undefined): CustomOpDeclaration[] =>
  [...(ops?.values() ?? [])].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
