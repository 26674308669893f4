/*
 * The spill/fetch schedule the replay firmware runs. The test generates
 * replay_data.h (never committed) with real activations of a model and its
 * optimized schedule in these types; replay.c runs it through the runtime.
 */
#ifndef TINYSEG_REPLAY_H
#define TINYSEG_REPLAY_H

#include <stdint.h>

typedef enum replay_kind {
  REPLAY_SPILL = 1,  /* ts_spill of `data` (the whole tensor), channels [begin, begin+count) */
  REPLAY_FETCH = 2,  /* ts_fetch into a tensor that must equal `expect` */
  REPLAY_CONCAT = 3, /* ts_concat_fetch into a tensor that must equal `expect` */
} replay_kind;

typedef struct replay_part {
  const uint8_t *input; /* resident part, or NULL: read from the region */
  uint32_t input_bytes;
  uint32_t channels;
  uint32_t offset;
  uint32_t spill; /* region parts: index of the spill that wrote them */
} replay_part;

typedef struct replay_step {
  replay_kind kind;
  const char *tensor; /* for messages */
  uint32_t rows, channels, elem_size;
  /* spill: the tensor; fetch/concat: the expected output */
  const uint8_t *data;
  uint32_t data_bytes;
  uint32_t begin, count, offset, bytes;
  uint32_t spill; /* fetch: index of the matching spill; spill: its own index */
  const uint8_t *resident; /* fetch: the other channels, or NULL */
  uint32_t resident_bytes;
  const replay_part *parts; /* concat */
  uint32_t part_count;
  /* 1: a slot read in part (row bands fetching their rows of a skip): spilled plain and fetched without slot
   * state in every pass, as TinySeg's TFLM kernels do; compression and a CRC cover a whole slot. */
  uint32_t plain;
} replay_step;

#endif /* TINYSEG_REPLAY_H */
