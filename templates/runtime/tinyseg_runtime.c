/*
 * TinySeg spill runtime (see tinyseg_runtime.h and docs/runtime.md).
 * Portable C99, no allocation: every buffer comes from the caller.
 */
#include "tinyseg_runtime.h"

#include <string.h>

/* ------------------------------------------------------------ messages */

/* Numbers substituted for '%' in a message template, in order. */
#define TS_N(...) ((const uint64_t[]){__VA_ARGS__})

static uint32_t msg_put(char *m, uint32_t at, const char *s) {
  while (*s && at + 1 < TS_MESSAGE_MAX) m[at++] = *s++;
  m[at] = '\0';
  return at;
}

static uint32_t msg_num(char *m, uint32_t at, uint64_t v) {
  char digits[21];
  uint32_t n = 0;
  do {
    digits[n++] = (char)('0' + (int)(v % 10u));
    v /= 10u;
  } while (v && n < sizeof digits);
  while (n && at + 1 < TS_MESSAGE_MAX) m[at++] = digits[--n];
  m[at] = '\0';
  return at;
}

/* Writes `text` into m with each '%' replaced by the next number; returns st. */
static ts_status msg_format(char *m, ts_status st, const char *text, const uint64_t *nums) {
  uint32_t at = 0;
  m[0] = '\0';
  for (; *text && at + 1 < TS_MESSAGE_MAX; text++) {
    if (*text == '%' && nums) {
      at = msg_num(m, at, *nums++);
    } else {
      m[at++] = *text;
      m[at] = '\0';
    }
  }
  return st;
}

static ts_status fail(ts_runtime *rt, ts_status st, const char *text, const uint64_t *nums) {
  rt->status = st;
  return msg_format(rt->message, st, text, nums);
}

const char *ts_status_name(ts_status status) {
  switch (status) {
    case TS_OK: return "TS_OK";
    case TS_E_ARG: return "TS_E_ARG";
    case TS_E_SLICE: return "TS_E_SLICE";
    case TS_E_SIZE: return "TS_E_SIZE";
    case TS_E_RANGE: return "TS_E_RANGE";
    case TS_E_IO: return "TS_E_IO";
    case TS_E_CRC: return "TS_E_CRC";
    case TS_E_CORRUPT: return "TS_E_CORRUPT";
    case TS_E_STATE: return "TS_E_STATE";
    case TS_E_SPACE: return "TS_E_SPACE";
  }
  return "TS_E_UNKNOWN";
}

const char *ts_last_error(const ts_runtime *rt) { return rt ? rt->message : "no runtime"; }

/* --------------------------------------------------------- little-endian */

/* Byte by byte: the remote protocol and the quantized slot header are little-endian on any host,
 * and the header may sit at any alignment in a staging block. */
static void put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

static uint32_t get32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

/* --------------------------------------------------------------- CRC-32 */

uint32_t ts_crc32(uint32_t crc, const void *data, uint32_t n) {
  /* Nibble table: 64 bytes of constants, two lookups per byte. */
  static const uint32_t table[16] = {0x00000000u, 0x1db71064u, 0x3b6e20c8u, 0x26d930acu, 0x76dc4190u, 0x6b6b51f4u,
                                     0x4db26158u, 0x5005713cu, 0xedb88320u, 0xf00f9344u, 0xd6d6a3e8u, 0xcb61b38cu,
                                     0x9b64c2b0u, 0x86d3d2d4u, 0xa00ae278u, 0xbdbdf21cu};
  const uint8_t *p = (const uint8_t *)data;
  crc = ~crc;
  while (n--) {
    crc ^= *p++;
    crc = (crc >> 4) ^ table[crc & 15u];
    crc = (crc >> 4) ^ table[crc & 15u];
  }
  return ~crc;
}

/* ---------------------------------------------------------- compression */

/*
 * Mode suppression: the section's most frequent byte value m (smallest value
 * on ties) is not stored. Encoded section: m, then for each group of 8 bytes
 * (the last may be shorter) a mask byte (bit i set: byte i of the group is
 * stored, i.e. differs from m) followed by the stored bytes in order. A
 * section that would not shrink is stored raw.
 */
uint32_t ts_section_encode(const uint8_t *in, uint32_t n, uint8_t *out, bool *raw) {
  uint16_t counts[256];
  uint32_t i, mode = 0, at = 1;
  memset(counts, 0, sizeof counts);
  for (i = 0; i < n; i++) counts[in[i]]++;
  for (i = 1; i < 256; i++)
    if (counts[i] > counts[mode]) mode = i;
  /* Encoded length: 1 + groups + stored bytes; keep it only when shorter than n. */
  if (n == 0 || 1u + (n + 7u) / 8u + (n - counts[mode]) >= n) {
    memcpy(out, in, n);
    *raw = true;
    return n;
  }
  out[0] = (uint8_t)mode;
  for (i = 0; i < n; i += 8) {
    uint32_t g = n - i < 8 ? n - i : 8, j;
    uint32_t mask_at = at++;
    uint8_t mask = 0;
    for (j = 0; j < g; j++) {
      if (in[i + j] != mode) {
        mask |= (uint8_t)(1u << j);
        out[at++] = in[i + j];
      }
    }
    out[mask_at] = mask;
  }
  *raw = false;
  return at;
}

ts_status ts_section_decode(const uint8_t *in, uint32_t stored, bool raw, uint8_t *out, uint32_t n) {
  uint32_t i, at = 1;
  uint8_t mode;
  if (raw) {
    if (stored != n) return TS_E_CORRUPT;
    memcpy(out, in, n);
    return TS_OK;
  }
  if (stored == 0 || stored >= n) return TS_E_CORRUPT;
  mode = in[0];
  for (i = 0; i < n; i += 8) {
    uint32_t g = n - i < 8 ? n - i : 8, j;
    uint8_t mask;
    if (at >= stored) return TS_E_CORRUPT;
    mask = in[at++];
    if (g < 8 && (mask >> g) != 0) return TS_E_CORRUPT;
    for (j = 0; j < g; j++) {
      if (mask & (1u << j)) {
        if (at >= stored) return TS_E_CORRUPT;
        out[i + j] = in[at++];
      } else {
        out[i + j] = mode;
      }
    }
  }
  return at == stored ? TS_OK : TS_E_CORRUPT;
}

ts_status ts_compress(const uint8_t *in, uint32_t n, uint32_t block, uint8_t *out, uint32_t out_cap, uint16_t *table,
                      uint32_t table_cap, uint32_t *stored) {
  uint32_t k, pos, at = 0;
  if (!in || !out || !table || !stored || block == 0 || block > TS_BLOCK_MAX) return TS_E_ARG;
  if ((n + block - 1) / block > table_cap || out_cap < n) return TS_E_SPACE;
  for (k = 0, pos = 0; pos < n; k++, pos += block) {
    uint32_t len = n - pos < block ? n - pos : block;
    bool raw;
    /* Encoding never grows a section, so it fits in place of the raw bytes. */
    uint32_t s = ts_section_encode(in + pos, len, out + at, &raw);
    table[k] = (uint16_t)(s | (raw ? TS_SECTION_RAW : 0u));
    at += s;
  }
  *stored = at;
  return TS_OK;
}

ts_status ts_decompress(const uint8_t *in, uint32_t stored, uint32_t block, const uint16_t *table, uint32_t sections,
                        uint8_t *out, uint32_t n) {
  uint32_t k, pos = 0, at = 0;
  if (!in || !out || !table || block == 0 || block > TS_BLOCK_MAX) return TS_E_ARG;
  if ((n + block - 1) / block != sections) return TS_E_CORRUPT;
  for (k = 0; k < sections; k++, pos += block) {
    uint32_t len = n - pos < block ? n - pos : block;
    uint32_t s = TS_SECTION_LEN(table[k]);
    ts_status st;
    if (s > stored - at) return TS_E_CORRUPT;
    st = ts_section_decode(in + at, s, (table[k] & TS_SECTION_RAW) != 0, out + pos, len);
    if (st != TS_OK) return st;
    at += s;
  }
  return at == stored ? TS_OK : TS_E_CORRUPT;
}

/* -------------------------------------------------------------- runtime */

ts_status ts_runtime_init(ts_runtime *rt, const ts_driver *driver, void *work, uint32_t work_bytes, uint32_t block) {
  if (!rt) return TS_E_ARG;
  memset(rt, 0, sizeof *rt);
  if (!driver || !driver->read || !driver->write) return fail(rt, TS_E_ARG, "runtime: driver has no read or write function", NULL);
  if (!work) return fail(rt, TS_E_ARG, "runtime: no work buffer", NULL);
  if (block == 0 || block > TS_BLOCK_MAX) return fail(rt, TS_E_ARG, "runtime: block size % is not in 1..%", TS_N(block, TS_BLOCK_MAX));
  if ((uint64_t)work_bytes < 2u * (uint64_t)block)
    return fail(rt, TS_E_SPACE, "runtime: work buffer of % bytes is smaller than two blocks of %", TS_N(work_bytes, block));
  rt->driver = driver;
  rt->block = block;
  rt->stage[0] = (uint8_t *)work;
  rt->stage[1] = (uint8_t *)work + block;
  rt->scratch = (uint64_t)work_bytes >= 3u * (uint64_t)block ? (uint8_t *)work + 2u * block : NULL;
  return TS_OK;
}

void ts_slot_init(ts_slot *slot, uint16_t *sections, uint32_t section_cap) {
  memset(slot, 0, sizeof *slot);
  slot->sections = sections;
  slot->section_cap = section_cap;
}

/* Channel slice geometry: the packed slice is `rows` runs of `run` bytes, run r at r * stride + skip. */
typedef struct slice {
  uint32_t rows, run, stride, skip;
} slice;

static slice make_slice(const ts_shape *s, uint32_t begin, uint32_t count) {
  slice g;
  g.stride = s->channels * s->elem_size;
  g.run = count * s->elem_size;
  g.skip = begin * s->elem_size;
  g.rows = s->rows;
  if (count == s->channels) {
    /* Whole rows are one contiguous run. */
    g.run = g.stride * s->rows;
    g.stride = g.run;
    g.rows = s->rows ? 1 : 0;
  }
  return g;
}

/*
 * Quantized slots (docs/custom-ops.md, "Quantized slots"). Every float
 * operation is its own statement on float variables, so compilers that keep
 * wider intermediates (x87) still round each result to float32 as the spec
 * (and the TypeScript interpreter) does; none of them is a multiply-add that
 * could be fused. No libm: rounding and the finite test are done by hand.
 */
typedef struct quant {
  uint8_t header[TS_QUANT_HEADER]; /* as stored: scale, zero point */
  float scale;
  int32_t zero_point;
} quant;

/* Half away from zero, then toward zero. |t| stays below 512 (|v| <= hi - lo), so the cast is defined. */
static int32_t quant_round(float t) {
  float u = t >= 0.0f ? t + 0.5f : t - 0.5f;
  return (int32_t)u;
}

static int32_t clamp_i8(int32_t v) { return v < -128 ? -128 : v > 127 ? 127 : v; }

static void quant_put_header(quant *q) {
  uint32_t bits;
  memcpy(&bits, &q->scale, 4);
  put32(q->header, bits);
  put32(q->header + 4, (uint32_t)q->zero_point);
}

static void quant_parse_header(quant *q) {
  uint32_t bits = get32(q->header), zp = get32(q->header + 4);
  memcpy(&q->scale, &bits, 4);
  /* Two's complement by hand: converting an out-of-range uint32_t to int32_t is implementation-defined. */
  q->zero_point = zp & 0x80000000u ? -(int32_t)(~zp) - 1 : (int32_t)zp;
}

/* Scale and zero point from the slice's finite values (NaN and infinities do not widen the range). */
static void quant_measure(quant *q, const uint8_t *x, const slice *g) {
  float lo = 0.0f, hi = 0.0f, range, d_range, scale, t;
  uint32_t r, i, n = g->run / 4u;
  for (r = 0; r < g->rows; r++) {
    const uint8_t *p = x + (size_t)r * g->stride + g->skip;
    for (i = 0; i < n; i++) {
      float v, d;
      memcpy(&v, p + 4u * i, 4);
      d = v - v;
      if (d != 0.0f) continue; /* NaN - NaN and inf - inf are NaN */
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  range = hi - lo;
  d_range = range - range;
  if (d_range == 0.0f) {
    scale = range / 255.0f;
  } else {
    /* The range itself overflows float32 (values near FLT_MAX): scale each end first. */
    float hs = hi / 255.0f, ls = lo / 255.0f;
    scale = hs - ls;
  }
  if (scale == 0.0f) scale = 1.0f;
  t = lo / scale;
  q->scale = scale;
  q->zero_point = clamp_i8(-128 - quant_round(t));
  quant_put_header(q);
}

static void quantize_run(const quant *q, const uint8_t *t, uint8_t *codes, uint32_t n) {
  uint32_t i;
  for (i = 0; i < n; i++) {
    float v, d, u;
    int32_t code = q->zero_point;
    memcpy(&v, t + 4u * i, 4);
    d = v - v;
    if (d == 0.0f) {
      u = v / q->scale;
      code = clamp_i8(quant_round(u) + q->zero_point);
    }
    codes[i] = (uint8_t)(code & 0xff);
  }
}

static void dequantize_run(const quant *q, const uint8_t *codes, uint8_t *t, uint32_t n) {
  uint32_t i;
  for (i = 0; i < n; i++) {
    int32_t code = (int32_t)codes[i] - (codes[i] & 0x80u ? 256 : 0);
    float steps = (float)(code - q->zero_point);
    float v = steps * q->scale;
    memcpy(t + 4u * i, &v, 4);
  }
}

/*
 * Copies packed bytes [pos, pos+n) of the slice between `tensor` and `packed`.
 * With q (a quantized slot) the packed stream is q's header, then one int8
 * code per float32 element: codes are made or read back here, a block at a
 * time, so the whole slice is never held as codes. Reading, the header bytes
 * land in q as they stream past and are decoded before the first code.
 */
static void copy_packed(const slice *g, quant *q, uint8_t *tensor, uint8_t *packed, uint32_t pos, uint32_t n, bool to_packed) {
  uint32_t unit = 1; /* tensor bytes per packed byte */
  if (q) {
    for (; n && pos < TS_QUANT_HEADER; pos++, n--, packed++) {
      if (to_packed) {
        *packed = q->header[pos];
      } else {
        q->header[pos] = *packed;
        if (pos + 1 == TS_QUANT_HEADER) quant_parse_header(q);
      }
    }
    pos -= TS_QUANT_HEADER; /* element index from here on (unsigned wrap is harmless when n is 0) */
    unit = 4;
  }
  while (n) {
    uint32_t at = pos * unit, row = at / g->run, within = at % g->run;
    uint32_t len = (g->run - within) / unit < n ? (g->run - within) / unit : n;
    uint8_t *t = tensor + (size_t)row * g->stride + g->skip + within;
    if (q) {
      if (to_packed) quantize_run(q, t, packed, len);
      else dequantize_run(q, packed, t, len);
    } else if (to_packed) {
      memcpy(packed, t, len);
    } else {
      memcpy(t, packed, len);
    }
    packed += len;
    pos += len;
    n -= len;
  }
}

static void on_done(void *ctx, ts_status status) {
  ts_transfer *t = (ts_transfer *)ctx;
  t->status = status;
  t->busy = false;
}

static ts_status io_error(ts_runtime *rt, ts_status st, const char *what, uint32_t len, uint32_t offset) {
  const char *driver_msg = rt->driver->last_error ? rt->driver->last_error(rt->driver->ctx) : NULL;
  uint32_t at;
  if (st == TS_OK) st = TS_E_IO;
  fail(rt, st, what, TS_N(len, offset));
  if (driver_msg && *driver_msg) {
    at = msg_put(rt->message, (uint32_t)strlen(rt->message), ": ");
    msg_put(rt->message, at, driver_msg);
  }
  return st;
}

/* Starts a transfer on staging buffer b (completes at once on a synchronous driver). */
static ts_status start(ts_runtime *rt, uint32_t b, bool write, uint32_t offset, uint8_t *buf, uint32_t len) {
  const ts_driver *d = rt->driver;
  ts_status st;
  if (!(d->flags & TS_DRIVER_ASYNC)) {
    st = write ? d->write(d->ctx, offset, buf, len, NULL, NULL) : d->read(d->ctx, offset, buf, len, NULL, NULL);
  } else {
    rt->xfer[b].status = TS_OK;
    rt->xfer[b].busy = true;
    st = write ? d->write(d->ctx, offset, buf, len, on_done, &rt->xfer[b]) : d->read(d->ctx, offset, buf, len, on_done, &rt->xfer[b]);
    if (st != TS_OK) rt->xfer[b].busy = false;
  }
  if (st != TS_OK) return io_error(rt, st, write ? "storage write of % bytes at region offset % failed" : "storage read of % bytes at region offset % failed", len, offset);
  return TS_OK;
}

/* Waits until staging buffer b is free again; returns its transfer's status. */
static ts_status await(ts_runtime *rt, uint32_t b) {
  const ts_driver *d = rt->driver;
  ts_status st;
  while (rt->xfer[b].busy) {
    if (d->poll) d->poll(d->ctx);
  }
  st = rt->xfer[b].status;
  rt->xfer[b].status = TS_OK;
  return st;
}

/* Waits for both buffers (every exit path: the driver must not own a buffer after we return). */
static ts_status drain(ts_runtime *rt, ts_status st) {
  ts_status a = await(rt, 0), b = await(rt, 1);
  if (st != TS_OK) return st;
  if (a != TS_OK || b != TS_OK) return io_error(rt, a != TS_OK ? a : b, "an asynchronous storage transfer failed", 0, 0);
  return TS_OK;
}

static ts_status check_shape(ts_runtime *rt, const char *op, const ts_shape *s, uint32_t buffer_bytes) {
  uint64_t total;
  if (!s || s->channels == 0 || !(s->elem_size == 1 || s->elem_size == 2 || s->elem_size == 4)) {
    fail(rt, TS_E_ARG, "", NULL);
    msg_put(rt->message, msg_put(rt->message, 0, op), ": shape needs channels > 0 and an element size of 1, 2 or 4");
    return TS_E_ARG;
  }
  total = (uint64_t)s->rows * s->channels * s->elem_size;
  if (total != buffer_bytes) {
    uint32_t at = msg_put(rt->message, 0, op);
    char tail[TS_MESSAGE_MAX];
    msg_format(tail, TS_E_SIZE, ": tensor of % x % x % bytes does not match its buffer of % bytes", TS_N(s->rows, s->channels, s->elem_size, buffer_bytes));
    msg_put(rt->message, at, tail);
    rt->status = TS_E_SIZE;
    return TS_E_SIZE;
  }
  return TS_OK;
}

/* Prefixes rt->message with "op: ". */
static ts_status opfail(ts_runtime *rt, const char *op, ts_status st, const char *text, const uint64_t *nums) {
  char tail[TS_MESSAGE_MAX];
  msg_format(tail, st, text, nums);
  msg_put(rt->message, msg_put(rt->message, 0, op), tail);
  rt->status = st;
  return st;
}

static ts_status check_channels(ts_runtime *rt, const char *op, const ts_shape *s, uint32_t begin, uint32_t count) {
  if (count == 0 || (uint64_t)begin + count > s->channels)
    return opfail(rt, op, TS_E_SLICE, ": channels [%, %) are outside the % of the tensor", TS_N(begin, (uint64_t)begin + count, s->channels));
  return TS_OK;
}

/* A quantized slot holds float32 elements; TS_E_SIZE otherwise. */
static ts_status check_quantizable(ts_runtime *rt, const char *op, const ts_shape *s, uint32_t flags) {
  if ((flags & TS_SPILL_QUANTIZE) && s->elem_size != 4)
    return opfail(rt, op, TS_E_SIZE, ": a quantized slot stores float32 (4-byte) elements, the tensor's are % bytes", TS_N(s->elem_size));
  return TS_OK;
}

/* Checks a region slice [offset, offset + rows*count*elem) (quantized: 8 + rows*count) against bytes and the region. */
static ts_status check_region(ts_runtime *rt, const char *op, const ts_shape *s, uint32_t begin, uint32_t count, uint32_t offset,
                              uint32_t bytes, uint32_t flags) {
  uint64_t want;
  ts_status st;
  if ((st = check_channels(rt, op, s, begin, count)) != TS_OK) return st;
  if ((st = check_quantizable(rt, op, s, flags)) != TS_OK) return st;
  if (flags & TS_SPILL_QUANTIZE) {
    want = TS_QUANT_HEADER + (uint64_t)s->rows * count;
    if (want != bytes)
      return opfail(rt, op, TS_E_SIZE, ": options say % bytes, the quantized slice has % (8 + % rows x % channels)", TS_N(bytes, want, s->rows, count));
  } else {
    want = (uint64_t)s->rows * count * s->elem_size;
    if (want != bytes) return opfail(rt, op, TS_E_SIZE, ": options say % bytes, the slice has %", TS_N(bytes, want));
  }
  if ((uint64_t)offset + bytes > rt->driver->size)
    return opfail(rt, op, TS_E_RANGE, ": spill region is % bytes, the op reaches %", TS_N(rt->driver->size, (uint64_t)offset + bytes));
  return TS_OK;
}

static ts_status check_runtime(ts_runtime *rt) {
  if (!rt) return TS_E_ARG;
  if (!rt->driver) return fail(rt, TS_E_STATE, "runtime was not initialised", NULL);
  rt->status = TS_OK;
  rt->message[0] = '\0';
  return TS_OK;
}

/*
 * Whether a slice's packed bytes are the tensor's own, in order: whole rows (one run), not quantized, not
 * compressed. The driver then moves them straight between the tensor and the region, block by block, with no
 * copy through a staging buffer (the buffer is the driver's until the transfer completes, as a staging one is).
 */
static bool direct(const slice *g, const quant *q, bool compressed) { return !q && !compressed && g->rows <= 1 && g->skip == 0; }

/* Writes the packed slice of x (quantized when q is set) at offset, block by block, two blocks in flight. */
static ts_status write_slice(ts_runtime *rt, const uint8_t *x, const slice *g, quant *q, uint32_t offset, uint32_t bytes,
                             uint32_t flags, ts_slot *slot) {
  uint32_t k, pos, at = 0, crc = 0;
  ts_status st = TS_OK;
  const bool straight = direct(g, q, (flags & TS_SPILL_COMPRESS) != 0);
  for (k = 0, pos = 0; pos < bytes; k++, pos += rt->block) {
    uint32_t b = k & 1u, len = bytes - pos < rt->block ? bytes - pos : rt->block, stored = len;
    st = await(rt, b);
    if (st != TS_OK) {
      io_error(rt, st, "storage write of % bytes before region offset % failed", rt->block, offset + at);
      break;
    }
    if (straight) {
      if (flags & TS_SPILL_CRC) crc = ts_crc32(crc, x + pos, len);
      st = start(rt, b, true, offset + at, (uint8_t *)(uintptr_t)(x + pos), len);
      if (st != TS_OK) break;
      at += len;
      continue;
    }
    if (flags & TS_SPILL_COMPRESS) {
      bool raw;
      copy_packed(g, q, (uint8_t *)(uintptr_t)x, rt->scratch, pos, len, true);
      if (flags & TS_SPILL_CRC) crc = ts_crc32(crc, rt->scratch, len);
      stored = ts_section_encode(rt->scratch, len, rt->stage[b], &raw);
      slot->sections[k] = (uint16_t)(stored | (raw ? TS_SECTION_RAW : 0u));
    } else {
      copy_packed(g, q, (uint8_t *)(uintptr_t)x, rt->stage[b], pos, len, true);
      if (flags & TS_SPILL_CRC) crc = ts_crc32(crc, rt->stage[b], len);
    }
    st = start(rt, b, true, offset + at, rt->stage[b], stored);
    if (st != TS_OK) break;
    at += stored;
  }
  st = drain(rt, st);
  if (st != TS_OK) return st;
  if (slot) {
    slot->stored = at;
    slot->crc = crc;
    slot->section_count = (flags & TS_SPILL_COMPRESS) ? k : 0;
  }
  return TS_OK;
}

ts_status ts_spill(ts_runtime *rt, const void *x, uint32_t x_bytes, const ts_shape *shape, uint32_t begin, uint32_t count,
                   uint32_t offset, uint32_t bytes, uint32_t flags, ts_slot *slot) {
  static const char op[] = "TinySegSpill";
  slice g;
  quant q;
  ts_status st = check_runtime(rt);
  if (st != TS_OK) return st;
  if (!x) return opfail(rt, op, TS_E_ARG, ": no input tensor", NULL);
  if ((st = check_shape(rt, op, shape, x_bytes)) != TS_OK) return st;
  if (flags & ~(TS_SPILL_COMPRESS | TS_SPILL_CRC | TS_SPILL_QUANTIZE)) return opfail(rt, op, TS_E_ARG, ": unknown flags %", TS_N(flags));
  if ((st = check_region(rt, op, shape, begin, count, offset, bytes, flags)) != TS_OK) return st;
  if ((flags & (TS_SPILL_COMPRESS | TS_SPILL_CRC)) && !slot) return opfail(rt, op, TS_E_STATE, ": compression and CRC need a slot state", NULL);
  if (flags & TS_SPILL_COMPRESS) {
    uint32_t sections = (uint32_t)(((uint64_t)bytes + rt->block - 1) / rt->block);
    if (!rt->scratch) return opfail(rt, op, TS_E_SPACE, ": compression needs a work buffer of three blocks (% bytes)", TS_N(3ull * rt->block));
    if (!slot->sections || slot->section_cap < sections)
      return opfail(rt, op, TS_E_SPACE, ": slot section table holds % entries, the spill needs %", TS_N(slot->section_cap, sections));
  }
  if (slot) slot->flags = 0; /* invalid until the spill completes */
  if (rt->driver->erase) {
    st = rt->driver->erase(rt->driver->ctx, offset, bytes, NULL, NULL);
    if (st != TS_OK) return io_error(rt, st, "storage erase of % bytes at region offset % failed", bytes, offset);
  }
  g = make_slice(shape, begin, count);
  /* The range comes from the whole slice before the first block is written. */
  if (flags & TS_SPILL_QUANTIZE) quant_measure(&q, (const uint8_t *)x, &g);
  st = write_slice(rt, (const uint8_t *)x, &g, (flags & TS_SPILL_QUANTIZE) ? &q : NULL, offset, bytes, flags, slot);
  if (st != TS_OK) return st;
  if (slot) {
    slot->offset = offset;
    slot->bytes = bytes;
    slot->block = rt->block;
    slot->flags = flags | TS_SLOT_VALID;
  }
  return TS_OK;
}

/* Checks the slot state of a fetch from [offset, offset+bytes) (quantized when flags say so). */
static ts_status check_slot(ts_runtime *rt, const char *op, const ts_slot *slot, uint32_t offset, uint32_t bytes, uint32_t flags) {
  if (!slot) return TS_OK;
  if (!(slot->flags & TS_SLOT_VALID)) return opfail(rt, op, TS_E_STATE, ": slot at region offset % holds no completed spill", TS_N(offset));
  if (slot->offset != offset || slot->bytes != bytes)
    return opfail(rt, op, TS_E_STATE, ": slot holds % bytes at offset %, the fetch wants % at %", TS_N(slot->bytes, slot->offset, bytes, offset));
  if ((slot->flags ^ flags) & TS_SPILL_QUANTIZE)
    return opfail(rt, op, TS_E_STATE, (slot->flags & TS_SPILL_QUANTIZE) ? ": slot at region offset % is quantized, the fetch reads it as plain"
                                                                         : ": slot at region offset % is plain, the fetch reads it as quantized", TS_N(offset));
  if (slot->flags & TS_SPILL_COMPRESS) {
    if (slot->block != rt->block) return opfail(rt, op, TS_E_STATE, ": slot was compressed in sections of %, the runtime uses %", TS_N(slot->block, rt->block));
    if (!rt->scratch) return opfail(rt, op, TS_E_SPACE, ": decompression needs a work buffer of three blocks (% bytes)", TS_N(3ull * rt->block));
    if (slot->stored > slot->bytes || slot->section_count != (uint32_t)(((uint64_t)bytes + rt->block - 1) / rt->block))
      return opfail(rt, op, TS_E_STATE, ": slot bookkeeping is inconsistent", NULL);
  }
  return TS_OK;
}

/* Block k of a stored slot: region offset and stored length. */
static void block_at(const ts_runtime *rt, const ts_slot *slot, uint32_t offset, uint32_t bytes, uint32_t k, uint32_t *at, uint32_t *len) {
  if (slot && (slot->flags & TS_SPILL_COMPRESS)) {
    *len = TS_SECTION_LEN(slot->sections[k]);
  } else {
    uint32_t pos = k * rt->block;
    *at = offset + pos;
    *len = bytes - pos < rt->block ? bytes - pos : rt->block;
  }
}

/* Reads `bytes` of a packed slice from the region into y, one block ahead of the unpacking. The region
 * byte at `offset` is byte `from` of the packed stream (of a quantized slot when q is set). */
static ts_status read_slice(ts_runtime *rt, const char *op, uint8_t *y, const slice *g, quant *q, uint32_t offset, uint32_t bytes,
                            uint32_t from, const ts_slot *slot) {
  bool compressed = slot && (slot->flags & TS_SPILL_COMPRESS);
  uint32_t blocks = (uint32_t)(((uint64_t)bytes + rt->block - 1) / rt->block);
  uint32_t k, next_at = offset, at_k[2] = {0, 0}, len_k[2] = {0, 0}, crc = 0, total = 0;
  ts_status st = TS_OK;
  if (direct(g, q, compressed)) {
    /* Block by block into the tensor itself, two transfers in flight. */
    for (k = 0; k < blocks && st == TS_OK; k++) {
      uint32_t b = k & 1u, pos = k * rt->block, len = bytes - pos < rt->block ? bytes - pos : rt->block;
      st = await(rt, b);
      if (st != TS_OK) {
        io_error(rt, st, "storage read of % bytes at region offset % failed", len_k[b], at_k[b]);
        break;
      }
      at_k[b] = offset + pos;
      len_k[b] = len;
      st = start(rt, b, false, at_k[b], y + from + pos, len);
    }
    st = drain(rt, st);
    if (st != TS_OK) return st;
    if (slot && (slot->flags & TS_SPILL_CRC)) crc = ts_crc32(0, y + from, bytes);
    if (slot && (slot->flags & TS_SPILL_CRC) && crc != slot->crc)
      return opfail(rt, op, TS_E_CRC, ": CRC-32 of the % bytes at region offset % is %, the spill wrote %", TS_N(bytes, offset, crc, slot->crc));
    return TS_OK;
  }
  if (compressed) {
    for (k = 0; k < blocks; k++) total += TS_SECTION_LEN(slot->sections[k]);
    if (total != slot->stored) return opfail(rt, op, TS_E_STATE, ": slot section table adds up to % bytes, the slot stored %", TS_N(total, slot->stored));
  }
  for (k = 0; k <= blocks && st == TS_OK; k++) {
    /* Start block k (if any), then unpack block k-1 while it runs. */
    if (k < blocks) {
      uint32_t b = k & 1u;
      block_at(rt, slot, offset, bytes, k, &at_k[b], &len_k[b]);
      if (compressed) {
        at_k[b] = next_at;
        next_at += len_k[b];
      }
      st = start(rt, b, false, at_k[b], rt->stage[b], len_k[b]);
      if (st != TS_OK) break;
    }
    if (k > 0) {
      uint32_t p = (k - 1) & 1u, pos = (k - 1) * rt->block;
      uint32_t len = bytes - pos < rt->block ? bytes - pos : rt->block;
      const uint8_t *data = rt->stage[p];
      st = await(rt, p);
      if (st != TS_OK) {
        io_error(rt, st, "storage read of % bytes at region offset % failed", len_k[p], at_k[p]);
        break;
      }
      if (compressed) {
        uint16_t e = slot->sections[k - 1];
        if (ts_section_decode(rt->stage[p], TS_SECTION_LEN(e), (e & TS_SECTION_RAW) != 0, rt->scratch, len) != TS_OK) {
          st = opfail(rt, op, TS_E_CORRUPT, ": compressed section % at region offset % does not decode", TS_N(k - 1, at_k[p]));
          break;
        }
        data = rt->scratch;
      }
      if (slot && (slot->flags & TS_SPILL_CRC)) crc = ts_crc32(crc, data, len);
      copy_packed(g, q, y, (uint8_t *)(uintptr_t)data, from + pos, len, false);
    }
  }
  st = drain(rt, st);
  if (st != TS_OK) return st;
  if (slot && (slot->flags & TS_SPILL_CRC) && crc != slot->crc)
    return opfail(rt, op, TS_E_CRC, ": CRC-32 of the % bytes at region offset % is %, the spill wrote %", TS_N(bytes, offset, crc, slot->crc));
  return TS_OK;
}

ts_status ts_fetch(ts_runtime *rt, void *y, uint32_t y_bytes, const ts_shape *shape, const void *resident,
                   uint32_t resident_bytes, uint32_t begin, uint32_t count, uint32_t offset, uint32_t bytes,
                   uint32_t flags, const ts_slot *slot) {
  static const char op[] = "TinySegFetch";
  slice g;
  quant q;
  ts_status st = check_runtime(rt);
  if (st != TS_OK) return st;
  if (!y) return opfail(rt, op, TS_E_ARG, ": no output tensor", NULL);
  if ((st = check_shape(rt, op, shape, y_bytes)) != TS_OK) return st;
  if (flags & ~(TS_SPILL_COMPRESS | TS_SPILL_CRC | TS_SPILL_QUANTIZE)) return opfail(rt, op, TS_E_ARG, ": unknown flags %", TS_N(flags));
  flags &= TS_SPILL_QUANTIZE;
  if ((st = check_region(rt, op, shape, begin, count, offset, bytes, flags)) != TS_OK) return st;
  if ((st = check_slot(rt, op, slot, offset, bytes, flags)) != TS_OK) return st;
  if (count < shape->channels) {
    uint64_t want = (uint64_t)shape->rows * (shape->channels - count) * shape->elem_size;
    if (!resident) return opfail(rt, op, TS_E_ARG, ": fetches % of % channels but has no resident input", TS_N(count, shape->channels));
    if (resident_bytes != want) return opfail(rt, op, TS_E_SIZE, ": resident input has % bytes, the other channels need %", TS_N(resident_bytes, want));
    {
      /* Resident channels in order around the fetched slice. */
      uint32_t r, e = shape->elem_size, row_y = shape->channels * e, row_r = (shape->channels - count) * e, head = begin * e;
      const uint8_t *src = (const uint8_t *)resident;
      uint8_t *dst = (uint8_t *)y;
      for (r = 0; r < shape->rows; r++) {
        memcpy(dst + (size_t)r * row_y, src + (size_t)r * row_r, head);
        memcpy(dst + (size_t)r * row_y + head + count * e, src + (size_t)r * row_r + head, row_r - head);
      }
    }
  }
  g = make_slice(shape, begin, count);
  return read_slice(rt, op, (uint8_t *)y, &g, flags ? &q : NULL, offset, bytes, 0, slot);
}

ts_status ts_concat_fetch(ts_runtime *rt, void *y, uint32_t y_bytes, const ts_shape *shape, const ts_part *parts,
                          uint32_t part_count) {
  static const char op[] = "TinySegConcatFetch";
  uint64_t sum = 0;
  uint32_t j, begin = 0;
  ts_status st = check_runtime(rt);
  if (st != TS_OK) return st;
  if (!y) return opfail(rt, op, TS_E_ARG, ": no output tensor", NULL);
  if (!parts || part_count == 0) return opfail(rt, op, TS_E_ARG, ": no parts", NULL);
  if ((st = check_shape(rt, op, shape, y_bytes)) != TS_OK) return st;
  /* Check every part before writing anything. */
  for (j = 0; j < part_count; j++) {
    const ts_part *p = &parts[j];
    const bool quantized = (p->flags & TS_SPILL_QUANTIZE) != 0;
    uint64_t part_bytes;
    if (p->channels == 0 || sum + p->channels > shape->channels)
      return opfail(rt, op, TS_E_SLICE, ": part % (% channels) does not fit the % channels of the output", TS_N(j, p->channels, shape->channels));
    if (p->flags & ~TS_SPILL_QUANTIZE) return opfail(rt, op, TS_E_ARG, ": part % has unknown flags %", TS_N(j, p->flags));
    if (p->input) {
      part_bytes = (uint64_t)shape->rows * p->channels * shape->elem_size;
      if (quantized) return opfail(rt, op, TS_E_ARG, ": part % is resident, only region parts are quantized", TS_N(j));
      if (p->input_bytes != part_bytes) return opfail(rt, op, TS_E_SIZE, ": part % has % bytes, % rows of % channels need %", TS_N(j, p->input_bytes, shape->rows, p->channels, part_bytes));
    } else {
      if ((st = check_quantizable(rt, op, shape, p->flags)) != TS_OK) return st;
      part_bytes = quantized ? TS_QUANT_HEADER + (uint64_t)shape->rows * p->channels : (uint64_t)shape->rows * p->channels * shape->elem_size;
      if (p->offset + part_bytes > rt->driver->size)
        return opfail(rt, op, TS_E_RANGE, ": part % reaches % past the spill region of % bytes", TS_N(j, p->offset + part_bytes, rt->driver->size));
      if ((st = check_slot(rt, op, p->slot, p->offset, (uint32_t)part_bytes, p->flags)) != TS_OK) return st;
    }
    sum += p->channels;
  }
  if (sum != shape->channels) return opfail(rt, op, TS_E_SLICE, ": parts add up to % channels, the output has %", TS_N(sum, shape->channels));
  for (j = 0; j < part_count; j++) {
    const ts_part *p = &parts[j];
    slice g = make_slice(shape, begin, p->channels);
    uint32_t part_bytes = shape->rows * p->channels * shape->elem_size;
    if (p->input) {
      copy_packed(&g, NULL, (uint8_t *)y, (uint8_t *)(uintptr_t)p->input, 0, part_bytes, false);
    } else if (p->flags & TS_SPILL_QUANTIZE) {
      quant q;
      st = read_slice(rt, op, (uint8_t *)y, &g, &q, p->offset, TS_QUANT_HEADER + shape->rows * p->channels, 0, p->slot);
      if (st != TS_OK) return st;
    } else {
      st = read_slice(rt, op, (uint8_t *)y, &g, NULL, p->offset, part_bytes, 0, p->slot);
      if (st != TS_OK) return st;
    }
    begin += p->channels;
  }
  return TS_OK;
}

ts_status ts_region_read_rows(ts_runtime *rt, void *y, uint32_t y_bytes, const ts_shape *shape, uint32_t begin,
                              uint32_t count, uint32_t offset, uint32_t slot_rows, uint32_t first_row, uint32_t flags) {
  static const char op[] = "region read";
  const bool quantized = (flags & TS_SPILL_QUANTIZE) != 0;
  uint64_t row_bytes, slot_bytes, skip;
  uint32_t bytes;
  slice g;
  quant q;
  ts_status st = check_runtime(rt);
  if (st != TS_OK) return st;
  if (!y) return opfail(rt, op, TS_E_ARG, ": no destination", NULL);
  if ((st = check_shape(rt, op, shape, y_bytes)) != TS_OK) return st;
  if (flags & ~TS_SPILL_QUANTIZE) return opfail(rt, op, TS_E_ARG, ": unknown flags %", TS_N(flags));
  if ((st = check_channels(rt, op, shape, begin, count)) != TS_OK) return st;
  if ((uint64_t)first_row + shape->rows > slot_rows)
    return opfail(rt, op, TS_E_SLICE, ": rows [%, %) are outside the % of the slot", TS_N(first_row, (uint64_t)first_row + shape->rows, slot_rows));
  if ((st = check_quantizable(rt, op, shape, flags)) != TS_OK) return st;
  row_bytes = quantized ? count : (uint64_t)count * shape->elem_size;
  /* A slot over 4 GiB is past any region; capping it keeps the product from overflowing 64 bits. */
  slot_bytes = row_bytes != 0 && slot_rows > 0xffffffffu / row_bytes ? 0x100000000ull
                                                                      : (quantized ? TS_QUANT_HEADER : 0u) + (uint64_t)slot_rows * row_bytes;
  if ((uint64_t)offset + slot_bytes > rt->driver->size)
    return opfail(rt, op, TS_E_RANGE, ": spill region is % bytes, the op reaches %", TS_N(rt->driver->size, (uint64_t)offset + slot_bytes));
  g = make_slice(shape, begin, count);
  skip = (uint64_t)first_row * row_bytes;
  bytes = (uint32_t)(shape->rows * row_bytes);
  if (!quantized) return read_slice(rt, op, (uint8_t *)y, &g, NULL, offset + (uint32_t)skip, bytes, 0, NULL);
  if (skip == 0) return read_slice(rt, op, (uint8_t *)y, &g, &q, offset, TS_QUANT_HEADER + bytes, 0, NULL);
  /* The header, then the codes of the wanted rows further on: two reads of the same stream. */
  st = read_slice(rt, op, (uint8_t *)y, &g, &q, offset, TS_QUANT_HEADER, 0, NULL);
  if (st != TS_OK) return st;
  return read_slice(rt, op, (uint8_t *)y, &g, &q, offset + TS_QUANT_HEADER + (uint32_t)skip, bytes, TS_QUANT_HEADER, NULL);
}

ts_status ts_region_read_slice(ts_runtime *rt, void *y, uint32_t y_bytes, const ts_shape *shape, uint32_t begin,
                               uint32_t count, uint32_t offset, uint32_t flags) {
  return ts_region_read_rows(rt, y, y_bytes, shape, begin, count, offset, shape ? shape->rows : 0, 0, flags);
}

ts_status ts_region_read(ts_runtime *rt, uint32_t offset, void *dst, uint32_t len) {
  ts_shape shape;
  ts_status st = check_runtime(rt);
  if (st != TS_OK || len == 0) return st;
  shape.rows = 1;
  shape.channels = len;
  shape.elem_size = 1;
  return ts_region_read_slice(rt, dst, len, &shape, 0, len, offset, 0);
}

/* One pointer of state: TFLM kernels get no user context, so the application registers the runtime here. */
static ts_runtime *default_runtime;

void ts_runtime_set_default(ts_runtime *rt) { default_runtime = rt; }

ts_runtime *ts_runtime_default(void) { return default_runtime; }

/* ------------------------------------------------------------ RAM driver */

static ts_status ram_read(void *ctx, uint32_t offset, void *dst, uint32_t len, ts_done_fn done, void *done_ctx) {
  ts_ram *ram = (ts_ram *)ctx;
  (void)done;
  (void)done_ctx;
  if ((uint64_t)offset + len > ram->size) return TS_E_RANGE;
  memcpy(dst, ram->base + offset, len);
  return TS_OK;
}

static ts_status ram_write(void *ctx, uint32_t offset, const void *src, uint32_t len, ts_done_fn done, void *done_ctx) {
  ts_ram *ram = (ts_ram *)ctx;
  (void)done;
  (void)done_ctx;
  if ((uint64_t)offset + len > ram->size) return TS_E_RANGE;
  memcpy(ram->base + offset, src, len);
  return TS_OK;
}

void ts_ram_driver(ts_driver *driver, ts_ram *ram) {
  memset(driver, 0, sizeof *driver);
  driver->ctx = ram;
  driver->size = ram->size;
  driver->read = ram_read;
  driver->write = ram_write;
}

/* ---------------------------------------------------------- flash driver */

static uint32_t flash_area(const ts_flash *f) { return f->part.sectors * f->part.sector_size; }

static ts_status flash_fail(ts_flash *f, ts_status st, const char *text, const uint64_t *nums) {
  f->status = st;
  return msg_format(f->message, st, text, nums);
}

ts_status ts_flash_init(ts_flash *flash, const ts_flash_part *part, uint32_t region_bytes, ts_flash_extent *extents,
                        uint32_t extent_cap) {
  if (!flash) return TS_E_ARG;
  memset(flash, 0, sizeof *flash);
  if (!part || !part->program || !part->erase_sector || !part->read) return flash_fail(flash, TS_E_ARG, "flash: part lacks program, erase or read", NULL);
  if (part->page_size == 0 || part->sector_size == 0 || part->sector_size % part->page_size != 0 || part->sectors == 0 ||
      (uint64_t)part->sectors * part->sector_size > 0xffffffffu || part->base % part->sector_size != 0)
    return flash_fail(flash, TS_E_ARG, "flash: page % and sector % sizes, % sectors, base % do not fit together",
                      TS_N(part->page_size, part->sector_size, part->sectors, part->base));
  if (!extents || extent_cap == 0) return flash_fail(flash, TS_E_ARG, "flash: no extent table", NULL);
  flash->part = *part;
  flash->region_bytes = region_bytes;
  flash->extents = extents;
  flash->extent_cap = extent_cap;
  flash->fresh = true;
  return TS_OK;
}

void ts_flash_begin_inference(ts_flash *f) {
  uint64_t page = f->part.page_size;
  f->extent_count = 0;
  f->head = (f->head + page - 1) / page * page;
  f->start = f->head;
  f->fresh = true;
}

/* Drops extents overlapping [offset, offset+len): the optimizer only reuses a slot once its data was fetched. */
static void flash_forget(ts_flash *f, uint32_t offset, uint32_t len) {
  uint32_t i, n = 0;
  for (i = 0; i < f->extent_count; i++) {
    const ts_flash_extent *e = &f->extents[i];
    bool overlaps = (uint64_t)e->offset < (uint64_t)offset + len && (uint64_t)offset < (uint64_t)e->offset + e->length;
    if (!overlaps) f->extents[n++] = *e;
  }
  f->extent_count = n;
}

/* Erases sectors ahead of the log until [head, end) is erased; never one holding this inference's data. */
static ts_status flash_make_room(ts_flash *f, uint64_t end) {
  uint32_t area = flash_area(f);
  while (f->erased < end) {
    uint32_t addr = f->part.base + (uint32_t)(f->erased % area);
    if (f->erased + f->part.sector_size > f->start + area)
      return flash_fail(f, TS_E_SPACE, "flash: one inference's spills (% bytes) overflow the %-byte area", TS_N(end - f->start, area));
    if (f->part.erase_sector(f->part.ctx, addr) != 0) return flash_fail(f, TS_E_IO, "flash: erasing the sector at address % failed", TS_N(addr));
    f->erased += f->part.sector_size;
  }
  return TS_OK;
}

static ts_status flash_erase(void *ctx, uint32_t offset, uint32_t len, ts_done_fn done, void *done_ctx) {
  ts_flash *f = (ts_flash *)ctx;
  uint64_t page = f->part.page_size;
  (void)done;
  (void)done_ctx;
  if ((uint64_t)offset + len > f->region_bytes) return flash_fail(f, TS_E_RANGE, "flash: erase reaches % past the % byte region", TS_N((uint64_t)offset + len, f->region_bytes));
  flash_forget(f, offset, len);
  /* A new spill starts on a page boundary. */
  f->head = (f->head + page - 1) / page * page;
  f->fresh = true;
  return TS_OK;
}

static ts_status flash_write(void *ctx, uint32_t offset, const void *src, uint32_t len, ts_done_fn done, void *done_ctx) {
  ts_flash *f = (ts_flash *)ctx;
  uint32_t area = flash_area(f);
  const uint8_t *p = (const uint8_t *)src;
  ts_flash_extent *e = f->extent_count ? &f->extents[f->extent_count - 1] : NULL;
  ts_status st;
  (void)done;
  (void)done_ctx;
  if ((uint64_t)offset + len > f->region_bytes) return flash_fail(f, TS_E_RANGE, "flash: write reaches % past the % byte region", TS_N((uint64_t)offset + len, f->region_bytes));
  if (len == 0) return TS_OK;
  /* Continue the last extent when this write follows it in the region and in the log. */
  if (f->fresh || !e || (uint64_t)e->offset + e->length != offset || ((uint64_t)e->addr + e->length) % area != f->head % area) {
    flash_forget(f, offset, len);
    if (f->extent_count == f->extent_cap) return flash_fail(f, TS_E_SPACE, "flash: extent table of % entries is full", TS_N(f->extent_cap));
    e = &f->extents[f->extent_count++];
    e->offset = offset;
    e->length = 0;
    e->addr = (uint32_t)(f->head % area);
    f->fresh = false;
  }
  if ((st = flash_make_room(f, f->head + len)) != TS_OK) {
    if (e->length == 0) f->extent_count--;
    return st;
  }
  while (len) {
    uint32_t pos = (uint32_t)(f->head % area);
    uint32_t n = f->part.page_size - pos % f->part.page_size; /* pages never cross the area's end (area is whole sectors) */
    if (n > len) n = len;
    if (f->part.program(f->part.ctx, f->part.base + pos, p, n) != 0) return flash_fail(f, TS_E_IO, "flash: programming % bytes at address % failed", TS_N(n, f->part.base + pos));
    f->head += n;
    e->length += n;
    p += n;
    len -= n;
  }
  return TS_OK;
}

static const ts_flash_extent *flash_find(const ts_flash *f, uint32_t offset) {
  uint32_t i;
  /* Latest extent first: it supersedes older ones. */
  for (i = f->extent_count; i-- > 0;) {
    const ts_flash_extent *e = &f->extents[i];
    if (offset >= e->offset && offset - e->offset < e->length) return e;
  }
  return NULL;
}

bool ts_flash_locate(const ts_flash *flash, uint32_t offset, uint32_t *addr) {
  const ts_flash_extent *e = flash_find(flash, offset);
  if (!e) return false;
  if (addr) *addr = flash->part.base + (uint32_t)(((uint64_t)e->addr + (offset - e->offset)) % flash_area(flash));
  return true;
}

static ts_status flash_read(void *ctx, uint32_t offset, void *dst, uint32_t len, ts_done_fn done, void *done_ctx) {
  ts_flash *f = (ts_flash *)ctx;
  uint32_t area = flash_area(f);
  uint8_t *p = (uint8_t *)dst;
  (void)done;
  (void)done_ctx;
  if ((uint64_t)offset + len > f->region_bytes) return flash_fail(f, TS_E_RANGE, "flash: read reaches % past the % byte region", TS_N((uint64_t)offset + len, f->region_bytes));
  while (len) {
    const ts_flash_extent *e = flash_find(f, offset);
    uint32_t pos, n;
    if (!e) return flash_fail(f, TS_E_STATE, "flash: region byte % was not written in this inference", TS_N(offset));
    pos = (uint32_t)(((uint64_t)e->addr + (offset - e->offset)) % area);
    n = e->length - (offset - e->offset);
    if (n > len) n = len;
    if (n > area - pos) n = area - pos; /* the extent wraps round the area's end */
    if (f->part.read(f->part.ctx, f->part.base + pos, p, n) != 0) return flash_fail(f, TS_E_IO, "flash: reading % bytes at address % failed", TS_N(n, f->part.base + pos));
    offset += n;
    p += n;
    len -= n;
  }
  return TS_OK;
}

static const char *flash_last_error(void *ctx) { return ((ts_flash *)ctx)->message; }

void ts_flash_driver(ts_driver *driver, ts_flash *flash) {
  memset(driver, 0, sizeof *driver);
  driver->ctx = flash;
  driver->size = flash->region_bytes;
  driver->read = flash_read;
  driver->write = flash_write;
  driver->erase = flash_erase;
  driver->last_error = flash_last_error;
}

/* --------------------------------------------------------- remote driver */

static void frame_header(uint8_t *h, uint8_t op, uint8_t seq, uint32_t offset, uint32_t length, uint8_t status) {
  h[0] = 'T';
  h[1] = 'S';
  h[2] = op;
  h[3] = seq;
  put32(h + 4, offset);
  put32(h + 8, length);
  h[12] = status;
  h[13] = h[14] = h[15] = 0;
}

/* One request/response exchange for at most one frame's payload. */
static ts_status remote_exchange(ts_remote *r, uint8_t op, uint32_t offset, uint32_t len, const uint8_t *src, uint8_t *dst) {
  uint8_t resp[TS_REMOTE_HEADER], trailer[4];
  uint32_t n = TS_REMOTE_HEADER, crc;
  uint8_t seq = ++r->seq;
  frame_header(r->frame, (uint8_t)op, seq, offset, len, 0);
  if (op == TS_REMOTE_WRITE) {
    memcpy(r->frame + n, src, len);
    n += len;
  }
  put32(r->frame + n, ts_crc32(0, r->frame, n));
  if (r->send(r->ctx, r->frame, n + 4) != 0) return TS_E_IO;
  if (r->recv(r->ctx, resp, TS_REMOTE_HEADER) != 0) return TS_E_IO;
  if (resp[0] != 'T' || resp[1] != 'S' || resp[2] != (uint8_t)(op | 0x80u) || resp[3] != seq || get32(resp + 4) != offset || get32(resp + 8) != len)
    return TS_E_CORRUPT;
  crc = ts_crc32(0, resp, TS_REMOTE_HEADER);
  if (op == TS_REMOTE_READ && resp[12] == 0) {
    if (r->recv(r->ctx, dst, len) != 0) return TS_E_IO;
    crc = ts_crc32(crc, dst, len);
  }
  if (r->recv(r->ctx, trailer, 4) != 0) return TS_E_IO;
  if (get32(trailer) != crc) return TS_E_CORRUPT;
  return resp[12] == 0 ? TS_OK : (ts_status)(-(int)resp[12]);
}

static ts_status remote_io(ts_remote *r, uint8_t op, uint32_t offset, uint32_t len, const uint8_t *src, uint8_t *dst) {
  uint32_t chunk = r->frame_bytes - TS_REMOTE_OVERHEAD;
  if ((uint64_t)offset + len > r->region_bytes) return TS_E_RANGE;
  do {
    uint32_t n = len < chunk ? len : chunk;
    ts_status st = remote_exchange(r, op, offset, n, src, dst);
    if (st != TS_OK) return st;
    offset += n;
    len -= n;
    if (src) src += n;
    if (dst) dst += n;
  } while (len);
  return TS_OK;
}

static ts_status remote_read(void *ctx, uint32_t offset, void *dst, uint32_t len, ts_done_fn done, void *done_ctx) {
  (void)done;
  (void)done_ctx;
  return remote_io((ts_remote *)ctx, TS_REMOTE_READ, offset, len, NULL, (uint8_t *)dst);
}

static ts_status remote_write(void *ctx, uint32_t offset, const void *src, uint32_t len, ts_done_fn done, void *done_ctx) {
  (void)done;
  (void)done_ctx;
  return remote_io((ts_remote *)ctx, TS_REMOTE_WRITE, offset, len, (const uint8_t *)src, NULL);
}

void ts_remote_driver(ts_driver *driver, ts_remote *remote) {
  memset(driver, 0, sizeof *driver);
  driver->ctx = remote;
  driver->size = remote->region_bytes;
  driver->read = remote_read;
  driver->write = remote_write;
}

uint32_t ts_remote_serve(uint8_t *region, uint32_t region_bytes, const uint8_t *req, uint32_t req_len, uint8_t *resp,
                         uint32_t resp_cap) {
  uint8_t op, status = 0;
  uint32_t offset, len, n = TS_REMOTE_HEADER;
  if (req_len < TS_REMOTE_OVERHEAD || req[0] != 'T' || req[1] != 'S' || resp_cap < TS_REMOTE_OVERHEAD) return 0;
  op = req[2];
  offset = get32(req + 4);
  len = get32(req + 8);
  if (get32(req + req_len - 4) != ts_crc32(0, req, req_len - 4)) status = (uint8_t)-TS_E_CORRUPT;
  else if (op != TS_REMOTE_READ && op != TS_REMOTE_WRITE) status = (uint8_t)-TS_E_ARG;
  else if ((uint64_t)offset + len > region_bytes) status = (uint8_t)-TS_E_RANGE;
  else if (op == TS_REMOTE_WRITE && req_len != TS_REMOTE_OVERHEAD + len) status = (uint8_t)-TS_E_CORRUPT;
  else if (op == TS_REMOTE_READ && resp_cap < TS_REMOTE_OVERHEAD + len) status = (uint8_t)-TS_E_SPACE;
  frame_header(resp, (uint8_t)(op | 0x80u), req[3], offset, len, status);
  if (status == 0) {
    if (op == TS_REMOTE_WRITE) memcpy(region + offset, req + TS_REMOTE_HEADER, len);
    else if (op == TS_REMOTE_READ) {
      memcpy(resp + n, region + offset, len);
      n += len;
    }
  }
  put32(resp + n, ts_crc32(0, resp, n));
  return n + 4;
}
