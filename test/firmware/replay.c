/*
 * Replays a model's spill/fetch schedule on real activations through the C
 * spill runtime (templates/runtime) on a bare-metal Cortex-M under QEMU: the
 * RAM driver spills into a PSRAM region, fetches back and the outputs must
 * equal the captured activations byte for byte, once plain and once
 * compressed with CRC. The codec also runs on its own on every spilled slice.
 * Prints machine-readable "RESULT key=value ..." lines; exits 0 only if every
 * byte matched and every call succeeded.
 *
 * Timing: the mps2 FPGAIO COUNTER (25 MHz, 40 ns per tick). Under
 * `-icount shift=0` one instruction takes 1 ns of virtual time, so a tick is
 * 40 instructions (the DWT cycle counter reads 0 under QEMU).
 */
#include <stdio.h>
#include <string.h>

#include "replay.h"
#include "replay_data.h"
#include "tinyseg_runtime.h"

#define FPGAIO_COUNTER (*(volatile const uint32_t *)0x40028018u)

static uint32_t ticks(void) { return FPGAIO_COUNTER; }

static uint8_t region[REPLAY_REGION_BYTES] __attribute__((section(".psram"), aligned(16)));
static uint8_t work[3 * REPLAY_BLOCK] __attribute__((aligned(8)));
static uint8_t output[REPLAY_OUTPUT_MAX];
static uint8_t packed[REPLAY_SPILL_MAX];
static uint8_t encoded[REPLAY_SPILL_MAX];
static uint8_t decoded[REPLAY_SPILL_MAX];
static uint16_t section_table[REPLAY_SECTIONS_MAX];
static uint16_t slot_tables[REPLAY_SPILLS][REPLAY_SECTIONS_MAX];
static ts_slot slots[REPLAY_SPILLS];
static uint32_t codec_stored[REPLAY_SPILLS];

static ts_ram ram = {region, sizeof region};
static ts_driver driver;
static ts_runtime rt;

typedef struct totals {
  uint32_t bytes, ticks, errors, mismatches;
  uint32_t spill_ticks, fetch_ticks, resident_bytes; /* fetch ticks include copying resident inputs */
  uint32_t codec_bytes, codec_stored, compress_ticks, decompress_ticks;
} totals;

static void report_error(const char *pass, uint32_t step, const char *what, ts_status st) {
  printf("ERROR pass=%s step=%lu %s: %s %s\n", pass, (unsigned long)step, what, ts_status_name(st), ts_last_error(&rt));
}

static void check_output(totals *t, const char *pass, uint32_t step, const replay_step *s) {
  uint32_t i;
  for (i = 0; i < s->data_bytes && output[i] == s->data[i]; i++) {
  }
  if (i < s->data_bytes) {
    printf("MISMATCH pass=%s step=%lu tensor=%s first_byte=%lu got=%u want=%u\n", pass, (unsigned long)step, s->tensor, (unsigned long)i,
           output[i], s->data[i]);
    t->mismatches++;
  }
}

/* The standalone codec on the packed slice a plain spill just wrote to the region. */
static void run_codec(totals *t, const replay_step *s) {
  uint32_t stored = 0, t0, t1, t2, crc;
  ts_status st;
  memcpy(packed, region + s->offset, s->bytes);
  crc = ts_crc32(0, packed, s->bytes);
  t0 = ticks();
  st = ts_compress(packed, s->bytes, REPLAY_BLOCK, encoded, sizeof encoded, section_table, REPLAY_SECTIONS_MAX, &stored);
  t1 = ticks();
  if (st != TS_OK) {
    printf("ERROR codec spill=%lu ts_compress: %s\n", (unsigned long)s->spill, ts_status_name(st));
    t->errors++;
    return;
  }
  st = ts_decompress(encoded, stored, REPLAY_BLOCK, section_table, (s->bytes + REPLAY_BLOCK - 1) / REPLAY_BLOCK, decoded, s->bytes);
  t2 = ticks();
  if (st != TS_OK) {
    printf("ERROR codec spill=%lu ts_decompress: %s\n", (unsigned long)s->spill, ts_status_name(st));
    t->errors++;
    return;
  }
  if (memcmp(decoded, packed, s->bytes) != 0) {
    printf("MISMATCH codec spill=%lu tensor=%s\n", (unsigned long)s->spill, s->tensor);
    t->mismatches++;
  }
  codec_stored[s->spill] = stored;
  t->codec_bytes += s->bytes;
  t->codec_stored += stored;
  t->compress_ticks += t1 - t0;
  t->decompress_ticks += t2 - t1;
  printf("RESULT spill=%lu tensor=%s bytes=%lu stored=%lu crc=%lu compress_ticks=%lu decompress_ticks=%lu\n", (unsigned long)s->spill,
         s->tensor, (unsigned long)s->bytes, (unsigned long)stored, (unsigned long)crc, (unsigned long)(t1 - t0),
         (unsigned long)(t2 - t1));
}

/* One pass over the schedule; flags 0 (plain, plus the codec on each slice) or compressed with CRC. */
static void run_pass(totals *t, uint32_t flags) {
  const char *pass = flags ? "compressed" : "plain";
  uint32_t i, j, t0, t1;
  ts_part parts[REPLAY_PARTS_MAX];
  /* Stale region bytes must not pass for fetched ones. */
  memset(region, 0xa5, sizeof region);
  for (i = 0; i < REPLAY_STEPS; i++) {
    const replay_step *s = &replay_steps[i];
    ts_shape shape = {s->rows, s->channels, s->elem_size};
    ts_slot *slot = flags && !s->plain ? &slots[s->spill] : NULL;
    ts_status st;
    if (s->kind == REPLAY_SPILL) {
      if (slot) ts_slot_init(slot, slot_tables[s->spill], REPLAY_SECTIONS_MAX);
      t0 = ticks();
      st = ts_spill(&rt, s->data, s->data_bytes, &shape, s->begin, s->count, s->offset, s->bytes, slot ? flags : 0u, slot);
      t1 = ticks();
      if (st != TS_OK) {
        report_error(pass, i, "ts_spill", st);
        t->errors++;
        continue;
      }
      t->ticks += t1 - t0;
      t->spill_ticks += t1 - t0;
      t->bytes += s->bytes;
      if (!flags) run_codec(t, s);
      else if (slot && slot->stored != codec_stored[s->spill]) {
        printf("MISMATCH pass=%s step=%lu stored=%lu codec=%lu\n", pass, (unsigned long)i, (unsigned long)slot->stored,
               (unsigned long)codec_stored[s->spill]);
        t->mismatches++;
      }
      continue;
    }
    memset(output, 0xee, s->data_bytes);
    if (s->kind == REPLAY_FETCH) {
      t0 = ticks();
      st = ts_fetch(&rt, output, s->data_bytes, &shape, s->resident, s->resident_bytes, s->begin, s->count, s->offset, s->bytes, 0, slot);
      t1 = ticks();
      t->bytes += s->bytes;
      t->resident_bytes += s->resident_bytes;
    } else {
      for (j = 0; j < s->part_count; j++) {
        const replay_part *p = &s->parts[j];
        parts[j].input = p->input;
        parts[j].input_bytes = p->input_bytes;
        parts[j].channels = p->channels;
        parts[j].offset = p->offset;
        parts[j].slot = (p->input || !flags) ? NULL : &slots[p->spill];
        parts[j].flags = 0;
        if (p->input) t->resident_bytes += p->input_bytes;
        else t->bytes += s->rows * p->channels * s->elem_size;
      }
      t0 = ticks();
      st = ts_concat_fetch(&rt, output, s->data_bytes, &shape, parts, s->part_count);
      t1 = ticks();
    }
    if (st != TS_OK) {
      report_error(pass, i, s->kind == REPLAY_FETCH ? "ts_fetch" : "ts_concat_fetch", st);
      t->errors++;
      continue;
    }
    t->ticks += t1 - t0;
    t->fetch_ticks += t1 - t0;
    check_output(t, pass, i, s);
  }
}

/* 2 instructions per iteration (subs, bne): the tick rate per instruction, measured. */
static uint32_t calibrate(uint32_t iterations) {
  uint32_t t0 = ticks();
  __asm__ volatile(
      "1: subs %0, %0, #1\n"
      "   bne 1b\n"
      : "+r"(iterations)
      :
      : "cc");
  return ticks() - t0;
}

int main(void) {
  totals plain, compressed;
  uint32_t calib;
  ts_status st;
  memset(&plain, 0, sizeof plain);
  memset(&compressed, 0, sizeof compressed);
  ts_ram_driver(&driver, &ram);
  st = ts_runtime_init(&rt, &driver, work, sizeof work, REPLAY_BLOCK);
  if (st != TS_OK) {
    printf("ERROR ts_runtime_init: %s %s\n", ts_status_name(st), ts_last_error(&rt));
    return 1;
  }
  calib = calibrate(1000000);
  printf("RESULT calibration_instructions=2000000 calibration_ticks=%lu\n", (unsigned long)calib);
  run_pass(&plain, 0);
  run_pass(&compressed, TS_SPILL_COMPRESS | TS_SPILL_CRC);
  printf("RESULT copy_bytes=%lu copy_ticks=%lu spill_ticks=%lu fetch_ticks=%lu resident_bytes=%lu compress_bytes=%lu stored_bytes=%lu compress_ticks=%lu decompress_ticks=%lu "
         "compressed_copy_bytes=%lu compressed_copy_ticks=%lu\n",
         (unsigned long)plain.bytes, (unsigned long)plain.ticks, (unsigned long)plain.spill_ticks,
         (unsigned long)plain.fetch_ticks, (unsigned long)plain.resident_bytes, (unsigned long)plain.codec_bytes, (unsigned long)plain.codec_stored,
         (unsigned long)plain.compress_ticks, (unsigned long)plain.decompress_ticks, (unsigned long)compressed.bytes,
         (unsigned long)compressed.ticks);
  {
    uint32_t errors = plain.errors + compressed.errors, mismatches = plain.mismatches + compressed.mismatches;
    bool ok = errors == 0 && mismatches == 0 && plain.bytes > 0;
    printf("RESULT round_trip=%s steps=%lu errors=%lu mismatches=%lu\n", ok ? "ok" : "failed", (unsigned long)REPLAY_STEPS,
           (unsigned long)errors, (unsigned long)mismatches);
    return ok ? 0 : 1;
  }
}
