// A fast digest of bytes and text: not cryptographic, for keys within one process (a custom operator's stand-in
// outputs, the spill pass's runs by their graph), where a caller that must not confuse two inputs compares them too.

/** Two 32-bit FNV-1a-style hashes with different primes and seeds: 64 bits against accidental equality. */
export class Digest {
  private a = 0x811c9dc5;
  private b = 0x01000193;
  bytes(x: Uint8Array): this {
    let { a, b } = this;
    for (let i = 0; i < x.length; i++) {
      a = Math.imul(a ^ x[i]!, 0x01000193);
      b = Math.imul(b ^ x[i]!, 0x5bd1e995) ^ (b >>> 15);
    }
    this.a = a >>> 0;
    this.b = b >>> 0;
    return this;
  }
  text(s: string): this {
    return this.bytes(new TextEncoder().encode(`${s}\u0000`));
  }
  get seed(): number {
    return this.a;
  }
  get hex(): string {
    return this.a.toString(16).padStart(8, '0') + this.b.toString(16).padStart(8, '0');
  }
}
