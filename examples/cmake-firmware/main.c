/*
 * What a firmware gets from tinyseg_optimize(), without TFLM: the model array
 * (placed in external flash by tiny_unet_sections.ld), the arena size to
 * allocate, and TinySeg's C runtime moving a tensor slice into the spill
 * region in PSRAM and back, as the model's TinySegSpill / TinySegFetch
 * operators do at inference time, after tiny_unet_tinyseg_init(), the one call
 * a firmware makes before AllocateTensors(). Output goes through semihosting; the exit
 * code is 0 only if every check passed.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tiny_unet_arena.h"
#include "tiny_unet_model.h"
#include "tiny_unet_tinyseg.h"
#include "tinyseg_runtime.h"

/* The arena a TFLM interpreter would be given; its size comes from the generated header. */
static uint8_t arena[TINY_UNET_ARENA_SIZE] __attribute__((aligned(16)));

static int failures;

static void check(int ok, const char *what) {
  if (!ok) {
    printf("FAIL %s\n", what);
    failures++;
  }
}

#if TINY_UNET_SPILL_REGION_SIZE > 0
/* __tinyseg_tiny_unet_spill_start/_end (tiny_unet_tinyseg.h): placed by the
 * linker fragment in PSRAM; NOLOAD, so its content is undefined at reset. */

#define BLOCK 512u
#define ROWS TINY_UNET_SPILL_REGION_SIZE
#define CHANNELS 2u
#define SECTIONS ((ROWS + BLOCK - 1u) / BLOCK)

/* A tensor of ROWS x 2 int8 channels; channel 1 (ROWS bytes) fills the region exactly. */
static uint8_t x[ROWS * CHANNELS];
static uint8_t y[ROWS * CHANNELS];
static uint8_t resident[ROWS];
static uint8_t work[3u * BLOCK]; /* three blocks: compression, which the init's runtime does not do */
static uint16_t sections[SECTIONS];

static void spill_round_trip(void) {
  uint8_t *region = __tinyseg_tiny_unet_spill_start;
  uint32_t region_bytes = (uint32_t)(__tinyseg_tiny_unet_spill_end - __tinyseg_tiny_unet_spill_start);
  printf("TINYSEG spill_region=%lu spill_addr=0x%08lx\n", (unsigned long)region_bytes, (unsigned long)(uintptr_t)region);
  check(region_bytes == TINY_UNET_SPILL_REGION_SIZE, "the linker fragment's region has the header's size");

  /* ReLU-like data: mostly the zero point, so compression has something to drop. */
  for (uint32_t i = 0; i < ROWS * CHANNELS; i++) x[i] = (i % 7u == 0u) ? (uint8_t)(i * 31u) : 0x80u;
  for (uint32_t r = 0; r < ROWS; r++) resident[r] = x[r * CHANNELS];

  static ts_ram ram;
  static ts_driver driver;
  static ts_runtime rt;
  ram.base = region;
  ram.size = region_bytes;
  ts_ram_driver(&driver, &ram);
  check(ts_runtime_init(&rt, &driver, work, sizeof work, BLOCK) == TS_OK, "ts_runtime_init");
  const ts_shape shape = {ROWS, CHANNELS, 1u};

  /* Plain, through the runtime tiny_unet_tinyseg_init() set up (the one the TFLM kernels use):
   * channel 1 of every row, packed, lands in PSRAM; the fetch puts it back beside the resident channel 0. */
  ts_runtime *init_rt = tiny_unet_tinyseg_runtime();
  ts_status s = ts_spill(init_rt, x, sizeof x, &shape, 1u, 1u, 0u, ROWS, 0u, NULL);
  check(s == TS_OK, ts_last_error(init_rt));
  int packed = 1;
  for (uint32_t r = 0; r < ROWS; r++) packed &= region[r] == x[r * CHANNELS + 1u];
  check(packed, "the region holds channel 1, packed");
  memset(y, 0, sizeof y);
  s = ts_fetch(init_rt, y, sizeof y, &shape, resident, sizeof resident, 1u, 1u, 0u, ROWS, 0u, NULL);
  check(s == TS_OK, ts_last_error(init_rt));
  check(memcmp(x, y, sizeof x) == 0, "plain fetch gives the tensor back");

  /* Compressed and CRC-checked: the slot keeps the section table from the spill to its fetch. */
  static ts_slot slot;
  ts_slot_init(&slot, sections, SECTIONS);
  s = ts_spill(&rt, x, sizeof x, &shape, 1u, 1u, 0u, ROWS, TS_SPILL_COMPRESS | TS_SPILL_CRC, &slot);
  check(s == TS_OK, ts_last_error(&rt));
  memset(y, 0, sizeof y);
  s = ts_fetch(&rt, y, sizeof y, &shape, resident, sizeof resident, 1u, 1u, 0u, ROWS, 0u, &slot);
  check(s == TS_OK, ts_last_error(&rt));
  check(memcmp(x, y, sizeof x) == 0, "compressed fetch gives the tensor back");
  printf("TINYSEG spilled=%lu stored=%lu crc=0x%08lx\n", (unsigned long)ROWS, (unsigned long)slot.stored, (unsigned long)slot.crc);
}
#endif

int main(void) {
  printf("TINYSEG model=tiny_unet model_len=%u model_addr=0x%08lx arena_size=%lu\n", tiny_unet_model_len,
         (unsigned long)(uintptr_t)tiny_unet_model, (unsigned long)sizeof arena);
  check(tiny_unet_model_len > 8u && memcmp(tiny_unet_model + 4, "TFL3", 4) == 0, "the model array is a TFLite flatbuffer");
  check(((uintptr_t)arena & 15u) == 0u, "the arena is 16-byte aligned");
  /* The one call a firmware makes before AllocateTensors(), whatever the model contains. */
  ts_status init = tiny_unet_tinyseg_init(NULL);
  check(init == TS_OK, ts_last_error(tiny_unet_tinyseg_runtime()));
  check(ts_runtime_default() == tiny_unet_tinyseg_runtime(), "the init registered its runtime for the kernels");
#if TINY_UNET_SPILL_REGION_SIZE > 0
  spill_round_trip();
#else
  printf("TINYSEG spill_region=0\n");
#endif
  printf("TINYSEG result=%s failures=%d\n", failures == 0 ? "ok" : "FAIL", failures);
  return failures == 0 ? 0 : 1;
}
