/*
 * Checks ts_region_read_slice / ts_region_read / the default runtime (the
 * primitives TinySeg's fused TFLM kernels stage region operands with) against
 * element-by-element expectations. Prints one line per failure and "checks=N
 * failures=M"; exits 1 on any failure. Built and run by region-read.test.ts.
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
  expect(ts_region_read_slice(&rt, y, sizeof y, &shape, begin, count, offset) == TS_OK, "read slice");
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
  expect(ts_region_read_slice(&rt, y, sizeof y, &shape, 5, 3, 0) == TS_E_SLICE, "slice outside the tensor fails");
  expect(ts_region_read_slice(&rt, y, sizeof y - 1, &shape, 0, 1, 0) == TS_E_SIZE, "buffer size mismatch fails");
  expect(ts_region_read_slice(&rt, y, sizeof y, &shape, 0, C, REGION - 10) == TS_E_RANGE, "whole tensor past the end fails");
  same = 1;
  for (i = 0; i < sizeof y; i++)
    if (y[i] != 0xee) same = 0;
  expect(same, "nothing written on a rejected slice");
  expect(ts_region_read(NULL, 0, dst, 1) == TS_E_ARG, "no runtime");

  printf("checks=%d failures=%d\n", checks, failures);
  return failures ? 1 : 0;
}
