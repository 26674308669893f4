// The C library's float functions TFLM's float kernels call (std::log,
// std::sin, std::cos, std::expm1, std::tanh on float), computed as glibc 2.36
// computes them on x86-64 (the host the float oracle runs on), so the
// interpreter's float outputs are bit-exact with it. expf is in fixed-point.ts.
//
// logf, sinf and cosf are glibc's double-evaluated algorithms (a 16-entry table
// and a cubic for logf; a quadrant reduction and even/odd polynomials for
// sinf/cosf). x86-64 glibc picks builds of those compiled with FMA contraction
// on FMA-capable CPUs: `fma` below stands for each contracted a*b+c. expm1f and
// tanhf are the fdlibm float algorithms, every step a float operation.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const asuint = (x: number): number => {
  f32[0] = x;
  return u32[0]!;
};
const asfloat = (u: number): number => {
  u32[0] = u >>> 0;
  return f32[0]!;
};
const fr = Math.fround;

// ---- fused multiply-add (double) ---------------------------------------------------

const SPLIT = 134217729; // 2^27 + 1 (Veltkamp)

/** a*b+c with one rounding (Dekker's exact product, then an error-free sum). */
export function fma(a: number, b: number, c: number): number {
  const p = a * b;
  if (!Number.isFinite(p) || p === 0 || !Number.isFinite(c)) return p + c;
  const as = SPLIT * a;
  const ah = as - (as - a);
  const al = a - ah;
  const bs = SPLIT * b;
  const bh = bs - (bs - b);
  const bl = b - bh;
  const e = ah * bh - p + ah * bl + al * bh + al * bl; // a*b = p + e exactly
  const s = p + c;
  const bb = s - p;
  const t = p - (s - bb) + (c - bb); // p + c = s + t exactly
  return s + (t + e);
}

// ---- logf ---------------------------------------------------------------------------

const hex = (s: string): number => {
  // C hex float literal, e.g. -0x1.57bf7808caadep-2
  const m = /^(-?)0x([0-9a-f]+)(?:\.([0-9a-f]*))?p([+-]?\d+)$/i.exec(s)!;
  const frac = m[3] ?? '';
  const mant = parseInt(m[2]! + frac, 16);
  return (m[1] ? -1 : 1) * mant * 2 ** (Number(m[4]) - 4 * frac.length);
};

const LOGF_INVC = [
  '0x1.661ec79f8f3bep+0', '0x1.571ed4aaf883dp+0', '0x1.49539f0f010bp+0', '0x1.3c995b0b80385p+0',
  '0x1.30d190c8864a5p+0', '0x1.25e227b0b8eap+0', '0x1.1bb4a4a1a343fp+0', '0x1.12358f08ae5bap+0',
  '0x1.0953f419900a7p+0', '0x1p+0', '0x1.e608cfd9a47acp-1', '0x1.ca4b31f026aap-1',
  '0x1.b2036576afce6p-1', '0x1.9c2d163a1aa2dp-1', '0x1.886e6037841edp-1', '0x1.767dcf5534862p-1',
].map(hex);
const LOGF_LOGC = [
  '-0x1.57bf7808caadep-2', '-0x1.2bef0a7c06ddbp-2', '-0x1.01eae7f513a67p-2', '-0x1.b31d8a68224e9p-3',
  '-0x1.6574f0ac07758p-3', '-0x1.1aa2bc79c81p-3', '-0x1.a4e76ce8c0e5ep-4', '-0x1.1973c5a611cccp-4',
  '-0x1.252f438e10c1ep-5', '0x0p+0', '0x1.aa5aa5df25984p-5', '0x1.c5e53aa362eb4p-4',
  '0x1.526e57720db08p-3', '0x1.bc2860d22477p-3', '0x1.1058bc8a07ee1p-2', '0x1.4043057b6ee09p-2',
].map(hex);
const LOGF_LN2 = hex('0x1.62e42fefa39efp-1');
const LOGF_A0 = hex('-0x1.00ea348b88334p-2');
const LOGF_A1 = hex('0x1.5575b0be00b6ap-2');
const LOGF_A2 = hex('-0x1.ffffef20a4123p-2');

/** C logf (glibc), float32 in, float32 out. */
export function logf(x: number): number {
  let ix = asuint(x);
  if (ix === 0x3f800000) return 0;
  if (ix - 0x00800000 >= 0x7f800000 - 0x00800000 || ix < 0x00800000) {
    if ((ix & 0x7fffffff) === 0) return -Infinity;
    if (ix === 0x7f800000) return x;
    if (ix & 0x80000000 || ix >= 0x7f800000) return NaN;
    // subnormal: normalize
    ix = asuint(fr(x * 8388608)) - (23 << 23);
  }
  const tmp = (ix - 0x3f330000) | 0;
  const i = (tmp >>> 19) & 15;
  const k = tmp >> 23;
  const iz = (ix - (tmp & (0x1ff << 23))) >>> 0;
  const invc = LOGF_INVC[i]!;
  const logc = LOGF_LOGC[i]!;
  const z = asfloat(iz);
  const r = fma(z, invc, -1);
  const y0 = fma(k, LOGF_LN2, logc);
  const r2 = r * r;
  let y = fma(LOGF_A1, r, LOGF_A2);
  y = fma(LOGF_A0, r2, y);
  y = fma(y, r2, y0 + r);
  return fr(y);
}

// ---- sinf / cosf ----------------------------------------------------------------------

interface SinCos {
  hpiInv: number;
  hpi: number;
  c0: number;
  c1: number;
  c2: number;
  c3: number;
  c4: number;
  s1: number;
  s2: number;
  s3: number;
}
const SIGN = [1, -1, -1, 1];
const SC0: SinCos = {
  hpiInv: hex('0x1.45F306DC9C883p+23'),
  hpi: hex('0x1.921FB54442D18p0'),
  c0: 1,
  c1: hex('-0x1.ffffffd0c621cp-2'),
  c2: hex('0x1.55553e1068f19p-5'),
  c3: hex('-0x1.6c087e89a359dp-10'),
  c4: hex('0x1.99343027bf8c3p-16'),
  s1: hex('-0x1.555545995a603p-3'),
  s2: hex('0x1.1107605230bc4p-7'),
  s3: hex('-0x1.994eb3774cf24p-13'),
};
// The second entry computes -cos.
const SC1: SinCos = { ...SC0, c0: -SC0.c0, c1: -SC0.c1, c2: -SC0.c2, c3: -SC0.c3, c4: -SC0.c4 };
const PI63 = hex('0x1.921FB54442D18p-62');
const INV_PIO4 = [
  0xa2, 0xa2f9, 0xa2f983, 0xa2f9836e, 0xf9836e4e, 0x836e4e44, 0x6e4e4415, 0x4e441529, 0x441529fc, 0x1529fc27, 0x29fc2757, 0xfc2757d1,
  0x2757d1f5, 0x57d1f534, 0xd1f534dd, 0xf534ddc0, 0x34ddc0db, 0xddc0db62, 0xc0db6295, 0xdb629599, 0x6295993c, 0x95993c43, 0x993c4390,
  0x3c439041,
].map(BigInt);

const abstop12 = (x: number): number => (asuint(x) >>> 20) & 0x7ff;
const TOP_PIO4 = 0x3f4;
const TOP_2M12 = 0x398;
const TOP_120 = 0x42f;
const TOP_INF = 0x7f8;

function sinfPoly(x: number, x2: number, p: SinCos, n: number): number {
  if ((n & 1) === 0) {
    const x3 = x * x2;
    const s1 = fma(x2, p.s3, p.s2);
    const x7 = x3 * x2;
    const s = fma(x3, p.s1, x);
    return fr(fma(x7, s1, s));
  }
  const x4 = x2 * x2;
  const c2 = fma(x2, p.c4, p.c3);
  const c1 = fma(x2, p.c1, p.c0);
  const x6 = x4 * x2;
  const c = fma(x4, p.c2, c1);
  return fr(fma(x6, c2, c));
}

/** [reduced x, quadrant] for |x| < 120. */
function reduceFast(x: number, p: SinCos): [number, number] {
  const r = x * p.hpiInv;
  const n = ((Math.trunc(r) | 0) + 0x800000) >> 24;
  return [fma(-n, p.hpi, x), n];
}

/** [reduced x, quadrant] for large |x| (xi: the float's bits). */
function reduceLarge(xi: number): [number, number] {
  const a = (xi >>> 26) & 15;
  const shift = (xi >>> 23) & 7;
  const m = BigInt((((xi & 0xffffff) | 0x800000) << shift) >>> 0);
  const M64 = (1n << 64n) - 1n;
  let res0 = (m * INV_PIO4[a]!) & 0xffffffffn;
  const res1 = m * INV_PIO4[a + 4]!;
  const res2 = m * INV_PIO4[a + 8]!;
  res0 = ((res2 >> 32n) | (res0 << 32n)) & M64;
  res0 = (res0 + res1) & M64;
  const n = ((res0 + (1n << 61n)) & M64) >> 62n;
  res0 = (res0 - (n << 62n)) & M64;
  return [Number(BigInt.asIntN(64, res0)) * PI63, Number(n)];
}

function sinCosf(y: number, cos: boolean): number {
  let x = y;
  const top = abstop12(y);
  if (top < TOP_PIO4) {
    if (top < TOP_2M12) return cos ? 1 : y;
    return sinfPoly(x, x * x, SC0, cos ? 1 : 0);
  }
  if (top < TOP_120) {
    const [r, n] = reduceFast(x, SC0);
    x = r;
    const p = n & 2 ? SC1 : SC0;
    return sinfPoly(x * SIGN[n & 3]!, x * x, p, cos ? n ^ 1 : n);
  }
  if (top < TOP_INF) {
    const xi = asuint(y);
    const sign = xi >>> 31;
    const [r, n] = reduceLarge(xi);
    x = r;
    const p = (n + sign) & 2 ? SC1 : SC0;
    return sinfPoly(x * SIGN[(n + sign) & 3]!, x * x, p, cos ? n ^ 1 : n);
  }
  return NaN;
}

/** C sinf (glibc). */
export const sinf = (x: number): number => sinCosf(x, false);
/** C cosf (glibc). */
export const cosf = (x: number): number => sinCosf(x, true);

// ---- expm1f / tanhf (fdlibm, float arithmetic) ----------------------------------------

const LN2_HI = fr(6.9313812256e-1);
const LN2_LO = fr(9.0580006145e-6);
const INVLN2 = fr(1.4426950216);
const Q1 = fr(-3.3333335072e-2);
const Q2 = fr(1.5873016091e-3);
const Q3 = fr(-7.9365076090e-5);
const Q4 = fr(4.0082177293e-6);
const Q5 = fr(-2.0109921195e-7);
const O_THRESHOLD = fr(8.8721679688e1);

/** Adds k to the exponent of float y (SET_FLOAT_WORD(y, GET_FLOAT_WORD(y) + (k << 23))). */
const addExponent = (y: number, k: number): number => asfloat((asuint(y) + (k << 23)) | 0);

/** C expm1f (glibc, fdlibm). */
export function expm1f(xIn: number): number {
  let x = xIn;
  let hx = asuint(x);
  const negative = (hx & 0x80000000) !== 0;
  hx &= 0x7fffffff;
  if (hx >= 0x4195b844) {
    if (hx >= 0x42b17218) {
      if (hx > 0x7f800000) return x + x;
      if (hx === 0x7f800000) return negative ? -1 : x;
      if (x > O_THRESHOLD) return Infinity;
    }
    if (negative) return -1;
  }
  let k: number;
  let c = 0;
  if (hx > 0x3eb17218) {
    let hi: number;
    let lo: number;
    if (hx < 0x3f851592) {
      if (!negative) {
        hi = fr(x - LN2_HI);
        lo = LN2_LO;
        k = 1;
      } else {
        hi = fr(x + LN2_HI);
        lo = -LN2_LO;
        k = -1;
      }
    } else {
      k = Math.trunc(fr(fr(INVLN2 * x) + (negative ? -0.5 : 0.5)));
      const t = k;
      hi = fr(x - fr(t * LN2_HI));
      lo = fr(t * LN2_LO);
    }
    x = fr(hi - lo);
    c = fr(fr(hi - x) - lo);
  } else if (hx < 0x33000000) {
    return x;
  } else {
    k = 0;
  }
  const hfx = fr(0.5 * x);
  const hxs = fr(x * hfx);
  const r1 = fr(1 + fr(hxs * fr(Q1 + fr(hxs * fr(Q2 + fr(hxs * fr(Q3 + fr(hxs * fr(Q4 + fr(hxs * Q5))))))))));
  let t = fr(3 - fr(r1 * hfx));
  let e = fr(hxs * fr(fr(r1 - t) / fr(6 - fr(x * t))));
  if (k === 0) return fr(x - fr(fr(x * e) - hxs));
  e = fr(fr(x * fr(e - c)) - c);
  e = fr(e - hxs);
  if (k === -1) return fr(fr(0.5 * fr(x - e)) - 0.5);
  if (k === 1) {
    if (x < -0.25) return fr(-2 * fr(e - fr(x + 0.5)));
    return fr(1 + fr(2 * fr(x - e)));
  }
  let y: number;
  if (k <= -2 || k > 56) {
    y = fr(1 - fr(e - x));
    y = addExponent(y, k);
    return fr(y - 1);
  }
  if (k < 23) {
    t = asfloat(0x3f800000 - (0x1000000 >> k));
    y = fr(t - fr(e - x));
    y = addExponent(y, k);
  } else {
    t = asfloat((0x7f - k) << 23);
    y = fr(x - fr(e + t));
    y = fr(y + 1);
    y = addExponent(y, k);
  }
  return y;
}

/** C tanhf (glibc 2.36, fdlibm). */
export function tanhf(x: number): number {
  const jx = asuint(x) | 0;
  const ix = jx & 0x7fffffff;
  if (ix >= 0x7f800000) return jx >= 0 ? fr(fr(1 / x) + 1) : fr(fr(1 / x) - 1);
  let z: number;
  if (ix < 0x41b00000) {
    if (ix === 0) return x;
    if (ix < 0x24000000) return fr(x * fr(1 + x));
    if (ix >= 0x3f800000) {
      const t = expm1f(fr(2 * Math.abs(x)));
      z = fr(1 - fr(2 / fr(t + 2)));
    } else {
      const t = expm1f(fr(-2 * Math.abs(x)));
      z = fr(-t / fr(t + 2));
    }
  } else {
    z = 1;
  }
  return jx >= 0 ? z : -z;
}
