/*
 * Checks ts_region_read_slice / ts_region_read_rows / ts_region_read / the
 * default runtime (the primitives TinySeg's fused TFLM kernels stage region
 * operands with) against element-by-element expectations, and quantized slots
 * (TS_SPILL_QUANTIZE) against bytes worked out by hand from docs/custom-ops.md.
 * Prints one line per failure and "checks=N failures=M"; exits 1 on any
 * failure. Built and run by region-read.system.test.ts.
 */
#include <stdio.h>
#include <string.h>

#include "tinyseg_runtime.h"

static int checks, failures;

static void expect(int ok, const char *what) {
  checks++;
  if (!ok) {
    failures++;
    printf("FAIL %s\n", what);
  }
}

static float from_bits(uint32_t b) {
  float f;
  memcpy(&f, &b, 4);
  return f;
}

/* True when the floats' bit patterns are `want` (so 0.0 is not -0.0 and NaN compares). */
static int same_bits(const float *got, const uint32_t *want, uint32_t n) {
  uint32_t i, b;
  for (i = 0; i < n; i++) {
    memcpy(&b, &got[i], 4);
    if (b != want[i]) return 0;
  }
  return 1;
}

static void fill_ee(void *p, size_t n) { memset(p, 0xee, n); }

/* Quantized slots: spill, fetch, concat-fetch and region reads of a 3 x 4 float32 tensor. */
static void check_quantized(uint8_t *region) {
  enum { QR = 3, QC = 4 };
  const uint32_t nan = 0x7fc00000u, inf = 0x7f800000u, ninf = 0xff800000u, e = 0xeeeeeeeeu;
  float x[QR * QC], y[QR * QC], head[QR * 2], two_rows[2 * QC], zero[4] = {0, 0, 0, 0}, z[4];
  /* Whole tensor: finite lo = -25.5, hi = 102, scale = 127.5 / 255 = 0.5 exactly (0x3f000000);
   * zero_point = -128 - round(-25.5 / 0.5 = -51) = -77 (0xffffffb3). Codes, round(v / 0.5) - 77:
   *   -25.5 -> -51 - 77 = -128 (0x80)   0.25 -> round(0.5) = 1 -> -76 (0xb4)
   *   102 -> 204 - 77 = 127 (0x7f)      1 -> round(2) = 2 -> -75 (0xb5)
   *   NaN -> zero_point (0xb3)          -0.25 -> round(-0.5) = -1 -> -78 (0xb2)
   *   0.7 -> round(1.4) = 1 -> 0xb4     +inf -> 0xb3
   *   3 -> 6 -> -71 (0xb9)              -3 -> -6 -> -83 (0xad)
   *   0 -> 0 -> -77 (0xb3)              -inf -> 0xb3
   * Read back, (q + 77) x 0.5: -25.5 0.5 102 1 / 0 -0.5 0.5 0 / 3 -3 0 0. */
  static const uint8_t whole_stored[8 + QR * QC] = {0x00, 0x00, 0x00, 0x3f, 0xb3, 0xff, 0xff, 0xff, 0x80, 0xb4, 0x7f, 0xb5,
                                                    0xb3, 0xb2, 0xb4, 0xb3, 0xb9, 0xad, 0xb3, 0xb3};
  static const uint32_t whole_back[QR * QC] = {0xc1cc0000u, 0x3f000000u, 0x42cc0000u, 0x3f800000u, 0, 0xbf000000u,
                                               0x3f000000u, 0,           0x40400000u, 0xc0400000u, 0, 0};
  /* Channels [2, 4): 102 1 / 0.7 +inf / 0 -inf. lo = 0, hi = 102, scale = 102 / 255 = float32(0.4) =
   * 0x3ecccccd; zero_point = -128 - round(0) = -128 (0xffffff80). Codes, round(v / scale) - 128:
   *   102 / 0.40000000596 = 254.9999962, float32 255 -> 255.5 -> 255 -> 127 (0x7f)
   *   1 / scale = 2.49999996, float32 2.5 -> 3.0 -> 3 -> -125 (0x83)
   *   0.7 / scale = 1.7499999, + 0.5 -> 2 -> -126 (0x82); 0, +inf, -inf -> -128 (0x80)
   * Read back: 255 x scale = 102 (0x42cc0000), 3 x scale = 1.2000000477 (0x3f99999a),
   * 2 x scale = 0.8000000119 (0x3f4ccccd), 0. */
  static const uint8_t slice_stored[8 + QR * 2] = {0xcd, 0xcc, 0xcc, 0x3e, 0x80, 0xff, 0xff, 0xff, 0x7f, 0x83, 0x82, 0x80, 0x80, 0x80};
  /* All zeros: hi - lo = 0, so scale = 1 (0x3f800000), zero_point = -128, every code -128. */
  static const uint8_t zero_stored[8 + 4] = {0x00, 0x00, 0x80, 0x3f, 0x80, 0xff, 0xff, 0xff, 0x80, 0x80, 0x80, 0x80};
  const uint32_t bits[QR * QC] = {0xc1cc0000u, 0x3e800000u, 0x42cc0000u, 0x3f800000u, nan, 0xbe800000u,
                                  0x3f333333u, inf,         0x40400000u, 0xc0400000u, 0, ninf};
  ts_shape shape = {QR, QC, 4}, rows2 = {2, QC, 4}, as_plain = {5, 1, 4}, zshape = {2, 2, 4}, int16 = {QR, QC, 2};
  static uint8_t work[2 * 64], tiny_work[3 * 5];
  static uint16_t table[8];
  ts_ram ram = {region, 4096};
  ts_driver driver;
  ts_runtime rt, tiny;
  ts_slot slot;
  ts_part parts[2];
  uint32_t i, r, want[QR * QC], stored = 0;
  uint8_t unpacked[8 + QR * QC];

  for (i = 0; i < QR * QC; i++) x[i] = from_bits(bits[i]);
  for (r = 0; r < QR; r++) {
    head[r * 2] = x[r * QC];
    head[r * 2 + 1] = x[r * QC + 1];
  }
  ts_ram_driver(&driver, &ram);
  expect(ts_runtime_init(&rt, &driver, work, sizeof work, 64) == TS_OK, "quantized: init");

  /* Whole tensor. */
  expect(ts_spill(&rt, x, sizeof x, &shape, 0, QC, 2000, 8 + QR * QC, TS_SPILL_QUANTIZE, NULL) == TS_OK, "quantized: spill whole");
  expect(memcmp(region + 2000, whole_stored, sizeof whole_stored) == 0, "quantized: whole slot header and codes");
  fill_ee(y, sizeof y);
  expect(ts_fetch(&rt, y, sizeof y, &shape, NULL, 0, 0, QC, 2000, 8 + QR * QC, TS_SPILL_QUANTIZE, NULL) == TS_OK, "quantized: fetch whole");
  expect(same_bits(y, whole_back, QR * QC), "quantized: fetched values");
  fill_ee(y, sizeof y);
  expect(ts_region_read_slice(&rt, y, sizeof y, &shape, 0, QC, 2000, TS_SPILL_QUANTIZE) == TS_OK && same_bits(y, whole_back, QR * QC),
         "quantized: region read of the whole slot");
  /* Rows [1, 3): the header from the slot's start, the codes from 8 + 4 bytes on. */
  fill_ee(two_rows, sizeof two_rows);
  expect(ts_region_read_rows(&rt, two_rows, sizeof two_rows, &rows2, 0, QC, 2000, QR, 1, TS_SPILL_QUANTIZE) == TS_OK &&
             same_bits(two_rows, whole_back + QC, 2 * QC),
         "quantized: region read of rows 1 and 2");

  /* Channels [2, 4), fetched beside the resident channels 0 and 1. */
  expect(ts_spill(&rt, x, sizeof x, &shape, 2, 2, 2100, 8 + QR * 2, TS_SPILL_QUANTIZE, NULL) == TS_OK, "quantized: spill channels 2..3");
  expect(memcmp(region + 2100, slice_stored, sizeof slice_stored) == 0, "quantized: channel slot header and codes");
  for (r = 0; r < QR; r++) {
    static const uint32_t back[QR * 2] = {0x42cc0000u, 0x3f99999au, 0x3f4ccccdu, 0, 0, 0};
    want[r * QC] = bits[r * QC];
    want[r * QC + 1] = bits[r * QC + 1];
    want[r * QC + 2] = back[r * 2];
    want[r * QC + 3] = back[r * 2 + 1];
  }
  fill_ee(y, sizeof y);
  expect(ts_fetch(&rt, y, sizeof y, &shape, head, sizeof head, 2, 2, 2100, 8 + QR * 2, TS_SPILL_QUANTIZE, NULL) == TS_OK &&
             same_bits(y, want, QR * QC),
         "quantized: partial fetch");
  parts[0].input = head;
  parts[0].input_bytes = sizeof head;
  parts[0].channels = 2;
  parts[0].offset = 0;
  parts[0].slot = NULL;
  parts[0].flags = 0;
  parts[1].input = NULL;
  parts[1].input_bytes = 0;
  parts[1].channels = 2;
  parts[1].offset = 2100;
  parts[1].slot = NULL;
  parts[1].flags = TS_SPILL_QUANTIZE;
  fill_ee(y, sizeof y);
  expect(ts_concat_fetch(&rt, y, sizeof y, &shape, parts, 2) == TS_OK && same_bits(y, want, QR * QC), "quantized: concat fetch part");
  for (r = 0; r < QR; r++) want[r * QC] = want[r * QC + 1] = e;
  fill_ee(y, sizeof y);
  expect(ts_region_read_slice(&rt, y, sizeof y, &shape, 2, 2, 2100, TS_SPILL_QUANTIZE) == TS_OK && same_bits(y, want, QR * QC),
         "quantized: region read of channels 2..3, channels 0..1 untouched");

  /* All zeros. */
  expect(ts_spill(&rt, zero, sizeof zero, &zshape, 0, 2, 2200, 12, TS_SPILL_QUANTIZE, NULL) == TS_OK &&
             memcmp(region + 2200, zero_stored, sizeof zero_stored) == 0,
         "quantized: all-zero slice has scale 1");
  fill_ee(z, sizeof z);
  expect(ts_fetch(&rt, z, sizeof z, &zshape, NULL, 0, 0, 2, 2200, 12, TS_SPILL_QUANTIZE, NULL) == TS_OK && memcmp(z, zero, sizeof z) == 0,
         "quantized: all-zero slice reads back as zeros");

  /* Compressed with CRC through 5-byte blocks: the header spans two blocks. */
  expect(ts_runtime_init(&tiny, &driver, tiny_work, sizeof tiny_work, 5) == TS_OK, "quantized: init with 5-byte blocks");
  ts_slot_init(&slot, table, 8);
  expect(ts_spill(&tiny, x, sizeof x, &shape, 0, QC, 2300, 8 + QR * QC, TS_SPILL_QUANTIZE | TS_SPILL_COMPRESS | TS_SPILL_CRC, &slot) == TS_OK,
         "quantized: compressed spill");
  stored = slot.stored;
  expect(ts_decompress(region + 2300, stored, 5, table, slot.section_count, unpacked, sizeof unpacked) == TS_OK &&
             memcmp(unpacked, whole_stored, sizeof whole_stored) == 0 && slot.crc == ts_crc32(0, whole_stored, sizeof whole_stored),
         "quantized: compression and CRC apply to the stored bytes");
  fill_ee(y, sizeof y);
  expect(ts_fetch(&tiny, y, sizeof y, &shape, NULL, 0, 0, QC, 2300, 8 + QR * QC, TS_SPILL_QUANTIZE, &slot) == TS_OK &&
             same_bits(y, whole_back, QR * QC),
         "quantized: compressed fetch");

  /* Errors. */
  expect(ts_spill(&rt, x, sizeof x, &shape, 0, QC, 2000, QR * QC * 4, TS_SPILL_QUANTIZE, NULL) == TS_E_SIZE &&
             strstr(ts_last_error(&rt), "options say 48 bytes, the quantized slice has 20 (8 + 3 rows x 4 channels)") != NULL,
         "quantized: plain byte count is TS_E_SIZE");
  expect(ts_spill(&rt, x, sizeof x / 2, &int16, 0, QC, 2000, 8 + QR * QC, TS_SPILL_QUANTIZE, NULL) == TS_E_SIZE &&
             strstr(ts_last_error(&rt), "float32") != NULL,
         "quantized: 2-byte elements are TS_E_SIZE");
  expect(ts_region_read_slice(&rt, x, sizeof x / 2, &int16, 0, QC, 2000, TS_SPILL_QUANTIZE) == TS_E_SIZE, "quantized: region read of 2-byte elements");
  expect(ts_region_read_rows(&rt, two_rows, sizeof two_rows, &rows2, 0, QC, 2000, QR, 2, TS_SPILL_QUANTIZE) == TS_E_SLICE,
         "quantized: rows past the slot");
  expect(ts_region_read_slice(&rt, y, sizeof y, &shape, 0, QC, 4096 - 19, TS_SPILL_QUANTIZE) == TS_E_RANGE, "quantized: slot past the region");
  /* The slot holds 20 quantized bytes; a plain fetch of 20 bytes must not take them for floats. */
  expect(ts_fetch(&tiny, y, 20, &as_plain, NULL, 0, 0, 1, 2300, 20, 0, &slot) == TS_E_STATE &&
             strstr(ts_last_error(&tiny), "is quantized, the fetch reads it as plain") != NULL,
         "quantized: slot and fetch flags disagree");
  parts[0].flags = TS_SPILL_QUANTIZE;
  expect(ts_concat_fetch(&rt, y, sizeof y, &shape, parts, 2) == TS_E_ARG, "quantized: a resident part cannot be quantized");
}

int main(void) {
  enum { ROWS = 37, C = 7, E = 2, REGION = 4096 };
  static uint8_t x[ROWS * C * E], y[ROWS * C * E], region[REGION], work[2 * 64], dst[600];
  ts_ram ram = {region, REGION};
  ts_driver driver;
  ts_runtime rt;
  ts_shape shape = {ROWS, C, E};
  uint32_t i, r, c, b, begin = 2, count = 3, offset = 100, bytes = ROWS * 3 * E;
  int same = 1;

  for (i = 0; i < sizeof x; i++) x[i] = (uint8_t)(i * 7 + 3);
  for (i = 0; i < REGION; i++) region[i] = (uint8_t)(i ^ 0x5a);
  ts_ram_driver(&driver, &ram);
  /* Blocks of 64 bytes: the slice (222 bytes) spans several, not a multiple of a row. */
  expect(ts_runtime_init(&rt, &driver, work, sizeof work, 64) == TS_OK, "init");

  expect(ts_runtime_default() == NULL, "no default runtime at start");
  ts_runtime_set_default(&rt);
  expect(ts_runtime_default() == &rt, "default runtime registered");
  ts_runtime_set_default(NULL);
  expect(ts_runtime_default() == NULL, "default runtime unregistered");

  /* A spilled channel slice read back into the same channels of another tensor. */
  expect(ts_spill(&rt, x, sizeof x, &shape, begin, count, offset, bytes, 0, NULL) == TS_OK, "spill");
  memset(y, 0xee, sizeof y);
  expect(ts_region_read_slice(&rt, y, sizeof y, &shape, begin, count, offset, 0) == TS_OK, "read slice");
  for (r = 0; r < ROWS; r++)
    for (c = 0; c < C; c++)
      for (b = 0; b < E; b++) {
        uint32_t at = (r * C + c) * E + b;
        uint8_t want = c >= begin && c < begin + count ? x[at] : 0xee;
        if (y[at] != want) same = 0;
      }
  expect(same, "slice channels from the region, other channels untouched");

  /* Raw byte ranges, including an empty one and one ending at the region's end. */
  expect(ts_region_read(&rt, 1000, dst, 600) == TS_OK && memcmp(dst, region + 1000, 600) == 0, "read 600 bytes");
  expect(ts_region_read(&rt, REGION - 5, dst, 5) == TS_OK && memcmp(dst, region + REGION - 5, 5) == 0, "read up to the end");
  expect(ts_region_read(&rt, 7, dst, 0) == TS_OK, "read nothing");

  /* Past the end: an error naming the problem, nothing written. */
  memset(dst, 0x11, sizeof dst);
  expect(ts_region_read(&rt, REGION - 4, dst, 5) == TS_E_RANGE, "read past the end fails");
  expect(strstr(ts_last_error(&rt), "region read: spill region is 4096 bytes, the op reaches 4097") != NULL, "range message");
  expect(dst[0] == 0x11 && dst[4] == 0x11, "nothing written on a range error");
  memset(y, 0xee, sizeof y);
  expect(ts_region_read_slice(&rt, y, sizeof y, &shape, 5, 3, 0, 0) == TS_E_SLICE, "slice outside the tensor fails");
  expect(ts_region_read_slice(&rt, y, sizeof y - 1, &shape, 0, 1, 0, 0) == TS_E_SIZE, "buffer size mismatch fails");
  expect(ts_region_read_slice(&rt, y, sizeof y, &shape, 0, C, REGION - 10, 0) == TS_E_RANGE, "whole tensor past the end fails");
  same = 1;
  for (i = 0; i < sizeof y; i++)
    if (y[i] != 0xee) same = 0;
  expect(same, "nothing written on a rejected slice");
  expect(ts_region_read(NULL, 0, dst, 1) == TS_E_ARG, "no runtime");

  check_quantized(region);

  printf("checks=%d failures=%d\n", checks, failures);
  return failures ? 1 : 0;
}
