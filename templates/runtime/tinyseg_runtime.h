/*
 * TinySeg spill runtime: the C semantics of TinySeg's custom operators
 * (TinySegSpill, TinySegFetch, TinySegConcatFetch; docs/custom-ops.md) for
 * firmware. Portable C99: no allocation, no OS, no libc beyond memcpy/memset.
 * The TFLM kernel adapters call these functions; docs/runtime.md documents the
 * API, the storage driver contract, the compressed format and the error codes.
 */
#ifndef TINYSEG_RUNTIME_H
#define TINYSEG_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- status */

typedef enum ts_status {
  TS_OK = 0,
  TS_E_ARG = -1,     /* a required pointer is NULL or a size is zero/invalid */
  TS_E_SLICE = -2,   /* channel slice outside the tensor */
  TS_E_SIZE = -3,    /* byte count does not match the shapes / buffer sizes */
  TS_E_RANGE = -4,   /* region access past the end of the spill region */
  TS_E_IO = -5,      /* the storage driver (or flash part / transport) failed */
  TS_E_CRC = -6,     /* fetched data does not match the CRC-32 taken at spill */
  TS_E_CORRUPT = -7, /* compressed data or a remote frame is malformed */
  TS_E_STATE = -8,   /* slot state missing or does not match, or data never written */
  TS_E_SPACE = -9    /* work buffer, section table, extent table or flash area too small */
} ts_status;

/* Longest message (including the terminating NUL) the runtime keeps. */
#define TS_MESSAGE_MAX 160

/* Short upper-case name of a status ("TS_E_RANGE"). */
const char *ts_status_name(ts_status status);

/* ---------------------------------------------------------------- driver */

/* Completion callback of an asynchronous driver operation. */
typedef void (*ts_done_fn)(void *done_ctx, ts_status status);

/* Driver flags. */
#define TS_DRIVER_ASYNC 1u /* read/write/erase start a transfer and complete through `done` */

/*
 * A storage driver: the spill region as `size` bytes addressed by offset.
 * Synchronous drivers complete every call before returning and ignore `done`.
 * Asynchronous drivers return TS_OK when the transfer started (or an error if
 * it did not; then `done` is never called) and later call
 * done(done_ctx, status) exactly once, possibly from an interrupt; the buffer
 * belongs to the driver until then. While waiting, the runtime calls
 * poll(ctx) in a loop (sleep there, or advance a polled transfer); poll may be
 * NULL. At most two transfers are in flight at a time.
 */
typedef struct ts_driver {
  void *ctx;
  uint32_t size;  /* region bytes */
  uint32_t flags; /* TS_DRIVER_ASYNC */
  ts_status (*read)(void *ctx, uint32_t offset, void *dst, uint32_t len, ts_done_fn done, void *done_ctx);
  ts_status (*write)(void *ctx, uint32_t offset, const void *src, uint32_t len, ts_done_fn done, void *done_ctx);
  /* Optional (NULL): declares [offset, offset+len) free; drivers that need no erase leave it NULL. */
  ts_status (*erase)(void *ctx, uint32_t offset, uint32_t len, ts_done_fn done, void *done_ctx);
  void (*poll)(void *ctx);
  /* Optional (NULL): the driver's own message for its last failure, added to the runtime's. */
  const char *(*last_error)(void *ctx);
} ts_driver;

/* ------------------------------------------------------------ runtime */

/*
 * Runtime context: the driver, the caller's work buffer and the last error.
 * The work buffer holds two staging blocks (double buffering) and, for
 * compressed spills, a third block to pack into: 2 * block or 3 * block bytes.
 */
typedef struct ts_transfer {
  volatile bool busy;
  volatile ts_status status;
} ts_transfer;

typedef struct ts_runtime {
  const ts_driver *driver;
  uint8_t *stage[2];
  uint8_t *scratch; /* NULL when the work buffer has no room for compression */
  uint32_t block;   /* transfer block = compression section, bytes */
  ts_transfer xfer[2];
  ts_status status;
  char message[TS_MESSAGE_MAX];
} ts_runtime;

/* Largest block (= compression section) size, so section table entries fit 15 bits. */
#define TS_BLOCK_MAX 16384u

ts_status ts_runtime_init(ts_runtime *rt, const ts_driver *driver, void *work, uint32_t work_bytes, uint32_t block);

/* Message of the last failed call ("" after success). */
const char *ts_last_error(const ts_runtime *rt);

/* --------------------------------------------------------------- slots */

/* Per-spill options. */
#define TS_SPILL_COMPRESS 1u /* mode suppression, per section */
#define TS_SPILL_CRC 2u      /* CRC-32 of the packed slice, checked on fetch */
/* A float32 slice stored lossily as int8 codes after a header (docs/custom-ops.md, "Quantized slots"):
 * the slot holds TS_QUANT_HEADER + rows x count bytes. Compression and CRC apply to those stored bytes. */
#define TS_SPILL_QUANTIZE 4u

/* Quantized slot header: scale (float32) then zero point (int32), both little-endian. */
#define TS_QUANT_HEADER 8u

/* Section table entry: stored length in bits 0..14, bit 15 set = section stored raw. */
#define TS_SECTION_RAW 0x8000u
#define TS_SECTION_LEN(e) ((uint32_t)((e)&0x7fffu))

/*
 * Bookkeeping of one spilled slot, kept by the caller (not in the region, so
 * the optimizer's uncompressed region layout stays valid). `sections` and
 * `section_cap` are set by the caller (ts_slot_init) and are only needed for
 * compressed spills: ceil(bytes / block) entries.
 */
typedef struct ts_slot {
  uint32_t offset; /* region offset of the slot */
  uint32_t bytes;  /* planned (uncompressed) bytes */
  uint32_t stored; /* bytes actually in the region (<= bytes) */
  uint32_t crc;
  uint32_t flags;  /* TS_SPILL_* used by the spill, plus TS_SLOT_VALID */
  uint32_t block;  /* section size used by the spill */
  uint16_t *sections;
  uint32_t section_cap;
  uint32_t section_count;
} ts_slot;

#define TS_SLOT_VALID 0x100u

void ts_slot_init(ts_slot *slot, uint16_t *sections, uint32_t section_cap);

/* ------------------------------------------------------------- tensors */

/* A tensor as the ops see it: rows x channels elements of elem_size bytes (1, 2 or 4). */
typedef struct ts_shape {
  uint32_t rows;
  uint32_t channels;
  uint32_t elem_size;
} ts_shape;

/* TinySegSpill: channels [begin, begin+count) of x to the region at offset (packed). slot may be NULL
 * unless flags has TS_SPILL_COMPRESS or TS_SPILL_CRC. x_bytes is the size of x's buffer. With
 * TS_SPILL_QUANTIZE x is float32 and bytes is TS_QUANT_HEADER + rows x count. */
ts_status ts_spill(ts_runtime *rt, const void *x, uint32_t x_bytes, const ts_shape *shape, uint32_t begin, uint32_t count,
                   uint32_t offset, uint32_t bytes, uint32_t flags, ts_slot *slot);

/* TinySegFetch: y's channels [begin, begin+count) from the region, the others in order from resident
 * (NULL when count == channels). flags: TS_SPILL_QUANTIZE when the slot is quantized (the spill's other
 * TS_SPILL_* bits may be passed too; the slot records them). slot: the state of the matching spill, or
 * NULL for a spill without compression or CRC. */
ts_status ts_fetch(ts_runtime *rt, void *y, uint32_t y_bytes, const ts_shape *shape, const void *resident,
                   uint32_t resident_bytes, uint32_t begin, uint32_t count, uint32_t offset, uint32_t bytes,
                   uint32_t flags, const ts_slot *slot);

/* One part of a TinySegConcatFetch, in channel order of y. */
typedef struct ts_part {
  const void *input;     /* resident part (rows x channels), or NULL: read from the region */
  uint32_t input_bytes;  /* size of input's buffer */
  uint32_t channels;
  uint32_t offset;       /* region offset (region parts) */
  const ts_slot *slot;   /* region parts: spill state, or NULL for a plain spill */
  uint32_t flags;        /* region parts: TS_SPILL_QUANTIZE for a quantized slot, else 0 */
} ts_part;

ts_status ts_concat_fetch(ts_runtime *rt, void *y, uint32_t y_bytes, const ts_shape *shape, const ts_part *parts,
                          uint32_t part_count);

/* Reads the packed slice at `offset` (shape->rows x count elements, as a spill of channels
 * [begin, begin+count) wrote it) into those channels of y; y's other channels are left as they are.
 * The fused TFLM kernels stage region operands with it. No slot state (no compression or CRC).
 * flags: 0, or TS_SPILL_QUANTIZE: the slot holds TS_QUANT_HEADER + rows x count bytes and y is float32. */
ts_status ts_region_read_slice(ts_runtime *rt, void *y, uint32_t y_bytes, const ts_shape *shape, uint32_t begin,
                               uint32_t count, uint32_t offset, uint32_t flags);

/* As ts_region_read_slice, for part of the slot: the slot at `offset` holds slot_rows rows of the slice,
 * and y's shape->rows rows get the slot's rows [first_row, first_row + shape->rows). With
 * TS_SPILL_QUANTIZE the header is still read from `offset`. The fused kernels that stage a few rows
 * at a time (TinySegConcatConv, TinySegAddFetch) use it. */
ts_status ts_region_read_rows(ts_runtime *rt, void *y, uint32_t y_bytes, const ts_shape *shape, uint32_t begin,
                              uint32_t count, uint32_t offset, uint32_t slot_rows, uint32_t first_row, uint32_t flags);

/* Reads region bytes [offset, offset+len) into dst (len may be 0). */
ts_status ts_region_read(ts_runtime *rt, uint32_t offset, void *dst, uint32_t len);

/* ------------------------------------------------------ default runtime */

/* The runtime TinySeg's TFLM kernels use (tinyseg_tflm_kernels.cc): register it before
 * AllocateTensors(); NULL unregisters. The kernels check region ranges against its driver. */
void ts_runtime_set_default(ts_runtime *rt);
ts_runtime *ts_runtime_default(void);

/* --------------------------------------------------------- compression */

/* Worst-case encoded size of one section of n bytes when compressed (raw sections take n). */
#define TS_SECTION_ENCODED_MAX(n) (1u + (n) + ((n) + 7u) / 8u)

/* Encodes one section (mode suppression). Returns the stored length and sets *raw; the output is
 * the section itself when it would not shrink. out must hold n bytes. */
uint32_t ts_section_encode(const uint8_t *in, uint32_t n, uint8_t *out, bool *raw);

/* Decodes one stored section of `stored` bytes into n bytes. TS_E_CORRUPT when malformed. */
ts_status ts_section_decode(const uint8_t *in, uint32_t stored, bool raw, uint8_t *out, uint32_t n);

/* Whole-buffer codec (host tools, tests): sections of `block` bytes, table of ceil(n/block) entries. */
ts_status ts_compress(const uint8_t *in, uint32_t n, uint32_t block, uint8_t *out, uint32_t out_cap, uint16_t *table,
                      uint32_t table_cap, uint32_t *stored);
ts_status ts_decompress(const uint8_t *in, uint32_t stored, uint32_t block, const uint16_t *table, uint32_t sections,
                        uint8_t *out, uint32_t n);

/* CRC-32 (IEEE 802.3, reflected, as zlib): crc = ts_crc32(crc, data, n), starting from 0. */
uint32_t ts_crc32(uint32_t crc, const void *data, uint32_t n);

/* ---------------------------------------------------- built-in drivers */

/* (a) Memory-mapped RAM (PSRAM, SDRAM): the region is `size` bytes at `base`. Synchronous. */
typedef struct ts_ram {
  uint8_t *base;
  uint32_t size;
} ts_ram;

void ts_ram_driver(ts_driver *driver, ts_ram *ram);

/*
 * (b) NOR flash, log-structured with wear levelling (docs/runtime.md): spills
 * are appended to a ring of `sectors` sectors at flash address `base`; each
 * sector is erased just before the log reaches it, so erases go round the ring
 * and no two sectors' erase counts differ by more than one. The region offset
 * of every write is mapped through `extents` (caller-provided, one per spill
 * of an inference). Call ts_flash_begin_inference before each inference.
 */
typedef struct ts_flash_part {
  void *ctx;
  /* Programs len bytes at addr (never across a page boundary; target bytes are erased). 0 = success. */
  int (*program)(void *ctx, uint32_t addr, const uint8_t *src, uint32_t len);
  /* Erases the sector starting at addr. 0 = success. */
  int (*erase_sector)(void *ctx, uint32_t addr);
  int (*read)(void *ctx, uint32_t addr, uint8_t *dst, uint32_t len);
  uint32_t base; /* sector-aligned flash address of the area */
  uint32_t sectors;
  uint32_t sector_size; /* multiple of page_size */
  uint32_t page_size;
} ts_flash_part;

typedef struct ts_flash_extent {
  uint32_t offset; /* region offset */
  uint32_t length;
  uint32_t addr;   /* area-relative position of the first byte */
} ts_flash_extent;

typedef struct ts_flash {
  ts_flash_part part;
  uint32_t region_bytes;
  ts_flash_extent *extents;
  uint32_t extent_cap;
  uint32_t extent_count;
  uint64_t head;       /* log position (bytes, never wraps) of the next write */
  uint64_t erased;     /* log positions [head, erased) are erased */
  uint64_t start;      /* log position where this inference's data begins */
  bool fresh;          /* the next write starts a new extent (a spill began) */
  ts_status status;    /* last failure and its message (driver last_error) */
  char message[TS_MESSAGE_MAX];
} ts_flash;

ts_status ts_flash_init(ts_flash *flash, const ts_flash_part *part, uint32_t region_bytes, ts_flash_extent *extents,
                        uint32_t extent_cap);
void ts_flash_driver(ts_driver *driver, ts_flash *flash);
/* Every region byte becomes dead: the next spills continue the log after the current position. */
void ts_flash_begin_inference(ts_flash *flash);
/* Flash address currently holding region byte `offset`; false when the byte was not written. */
bool ts_flash_locate(const ts_flash *flash, uint32_t offset, uint32_t *addr);

/*
 * (c) Remote store over a byte transport (UART, SPI link, socket): framed
 * requests, one response each (format in docs/runtime.md). Synchronous.
 */
typedef struct ts_remote {
  void *ctx;
  /* Sends len bytes; 0 = success. */
  int (*send)(void *ctx, const uint8_t *data, uint32_t len);
  /* Receives exactly len bytes; 0 = success. */
  int (*recv)(void *ctx, uint8_t *data, uint32_t len);
  uint8_t *frame;       /* caller buffer for one frame */
  uint32_t frame_bytes; /* > TS_REMOTE_OVERHEAD */
  uint32_t region_bytes;
  uint8_t seq;
} ts_remote;

#define TS_REMOTE_HEADER 16u
#define TS_REMOTE_OVERHEAD (TS_REMOTE_HEADER + 4u)
#define TS_REMOTE_READ 1u
#define TS_REMOTE_WRITE 2u

void ts_remote_driver(ts_driver *driver, ts_remote *remote);

/* Server side of the protocol over a RAM region: handles one request frame, writes the response
 * frame into resp (capacity resp_cap) and returns its length (0 when the request is unusable). */
uint32_t ts_remote_serve(uint8_t *region, uint32_t region_bytes, const uint8_t *req, uint32_t req_len, uint8_t *resp,
                         uint32_t resp_cap);

#ifdef __cplusplus
}
#endif

#endif /* TINYSEG_RUNTIME_H */
