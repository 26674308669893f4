// The oracle's deterministic input rule (../shared/oracle/README.md): element i
// of every input gets u = (i*37 + 11) mod 256, stored per type (bool, TinySeg's
// addition for control-flow conditions: u odd).

import { TinysegError } from '../errors.js';
import type { GraphTensor } from '../graph/types.js';

export function deterministicInput(t: GraphTensor): Uint8Array {
  const n = t.shape.reduce((a, b) => a * b, 1);
  const out = new Uint8Array(t.byteSize);
  const v = new DataView(out.buffer);
  for (let i = 0; i < n; i++) {
    const u = (i * 37 + 11) % 256;
    switch (t.dtype) {
      case 'int8':
        v.setInt8(i, u - 128);
        break;
      case 'uint8':
        v.setUint8(i, u);
        break;
      case 'bool':
        v.setUint8(i, u & 1);
        break;
      case 'int16':
        v.setInt16(2 * i, (u - 128) * 256, true);
        break;
      case 'int32':
        v.setInt32(4 * i, u - 128, true);
        break;
      case 'float32':
        v.setFloat32(4 * i, (u - 128) / 128, true);
        break;
      default:
        throw new TinysegError('E_UNSUPPORTED', `no deterministic input rule for ${t.dtype} tensor '${t.name}'`);
    }
  }
  return out;
}

/** Seeded random input bytes of the right size (for verify). */
export function randomInput(t: GraphTensor, seed: number): Uint8Array {
  let a = seed >>> 0;
  const out = new Uint8Array(t.byteSize);
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return (x ^ (x >>> 14)) >>> 0;
  };
  if (t.dtype === 'bool') {
    // A C++ bool holds 0 or 1 only.
    for (let i = 0; i < out.length; i++) out[i] = next() & 1;
  } else if (t.dtype === 'float32') {
    // Finite values in [-1, 1): random bit patterns would be mostly NaN/huge.
    const f = new Float32Array(out.buffer);
    for (let i = 0; i < f.length; i++) f[i] = next() / 2147483648 - 1;
  } else {
    // Byte i + k of word i / 4 is (r >>> 8k) & 0xff: a little-endian word store, the generator inlined (the proof
    // makes these before the JIT has warmed up, where a call per word costs).
    let i = 0;
    if (LITTLE_ENDIAN) {
      const words = new Uint32Array(out.buffer, 0, out.length >> 2);
      for (let w = 0; w < words.length; w++) {
        a = (a + 0x6d2b79f5) >>> 0;
        let x = Math.imul(a ^ (a >>> 15), a | 1);
        x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
        words[w] = x ^ (x >>> 14);
      }
      i = words.length * 4;
    }
    for (; i < out.length; i += 4) {
      const r = next();
      for (let k = 0; k < 4 && i + k < out.length; k++) out[i + k] = (r >>> (8 * k)) & 0xff;
    }
  }
  return out;
}

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
