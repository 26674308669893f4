/*
 * Test-only Node-API binding of templates/runtime/tinyseg_runtime.c: spill,
 * fetch and concat-fetch over the RAM driver, an asynchronous RAM driver
 * (completions delivered from poll, like a polled DMA), the NOR flash driver
 * on a simulated part (counts erases per sector, refuses to program bytes
 * that are not erased) and the remote driver against ts_remote_serve.
 * Built by test/runtime/runtime.system.test.ts with cmake-js; never shipped.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdlib.h>
#include <string.h>

#include "tinyseg_runtime.h"

enum { KIND_RAM, KIND_RAM_ASYNC, KIND_FLASH, KIND_REMOTE };

typedef struct pending_op {
  int write;
  uint32_t offset, len;
  uint8_t *dst;
  const uint8_t *src;
  ts_done_fn done;
  void *done_ctx;
} pending_op;

typedef struct store {
  int kind;
  ts_driver driver;
  ts_runtime rt;
  uint8_t *work;
  uint8_t *region;
  uint32_t region_bytes;
  ts_ram ram;
  /* asynchronous RAM */
  pending_op queue[4];
  uint32_t queued, max_in_flight, transfers;
  /* flash part */
  ts_flash flash;
  ts_flash_extent *extents;
  uint8_t *flash_mem;
  uint32_t *erase_counts;
  uint32_t flash_bytes, bad_programs;
  /* remote */
  ts_remote remote;
  uint8_t *frame, *resp;
  uint32_t resp_cap, resp_len, resp_pos, frames;
  /* slots */
  ts_slot *slots;
  uint16_t *tables;
  uint32_t slot_count, section_cap;
} store;

/* ---------------------------------------------------------------- drivers */

static ts_status async_submit(store *s, int write, uint32_t offset, uint8_t *dst, const uint8_t *src, uint32_t len, ts_done_fn done,
                              void *done_ctx) {
  pending_op *op;
  if ((uint64_t)offset + len > s->region_bytes) return TS_E_RANGE;
  if (s->queued == 4 || !done) return TS_E_IO;
  op = &s->queue[s->queued++];
  op->write = write;
  op->offset = offset;
  op->len = len;
  op->dst = dst;
  op->src = src;
  op->done = done;
  op->done_ctx = done_ctx;
  if (s->queued > s->max_in_flight) s->max_in_flight = s->queued;
  s->transfers++;
  return TS_OK;
}

static ts_status async_read(void *ctx, uint32_t offset, void *dst, uint32_t len, ts_done_fn done, void *done_ctx) {
  return async_submit((store *)ctx, 0, offset, (uint8_t *)dst, NULL, len, done, done_ctx);
}

static ts_status async_write(void *ctx, uint32_t offset, const void *src, uint32_t len, ts_done_fn done, void *done_ctx) {
  return async_submit((store *)ctx, 1, offset, NULL, (const uint8_t *)src, len, done, done_ctx);
}

/* Completes the oldest transfer: the copy happens now, as a DMA would finish it. */
static void async_poll(void *ctx) {
  store *s = (store *)ctx;
  pending_op op;
  if (!s->queued) return;
  op = s->queue[0];
  memmove(&s->queue[0], &s->queue[1], (s->queued - 1) * sizeof(pending_op));
  s->queued--;
  if (op.write) memcpy(s->region + op.offset, op.src, op.len);
  else memcpy(op.dst, s->region + op.offset, op.len);
  op.done(op.done_ctx, TS_OK);
}

static int part_program(void *ctx, uint32_t addr, const uint8_t *src, uint32_t len) {
  store *s = (store *)ctx;
  uint32_t i;
  if ((uint64_t)addr + len > s->flash_bytes) return -1;
  if (addr / s->flash.part.page_size != (addr + len - 1) / s->flash.part.page_size) return -1;
  for (i = 0; i < len; i++) {
    /* NOR programming only clears bits: the byte must have been erased. */
    if (s->flash_mem[addr + i] != 0xff) s->bad_programs++;
    s->flash_mem[addr + i] &= src[i];
  }
  return 0;
}

static int part_erase(void *ctx, uint32_t addr) {
  store *s = (store *)ctx;
  uint32_t sector = s->flash.part.sector_size;
  if (addr % sector || addr >= s->flash_bytes) return -1;
  memset(s->flash_mem + addr, 0xff, sector);
  s->erase_counts[addr / sector]++;
  return 0;
}

static int part_read(void *ctx, uint32_t addr, uint8_t *dst, uint32_t len) {
  store *s = (store *)ctx;
  if ((uint64_t)addr + len > s->flash_bytes) return -1;
  memcpy(dst, s->flash_mem + addr, len);
  return 0;
}

static int link_send(void *ctx, const uint8_t *data, uint32_t len) {
  store *s = (store *)ctx;
  s->frames++;
  s->resp_len = ts_remote_serve(s->region, s->region_bytes, data, len, s->resp, s->resp_cap);
  s->resp_pos = 0;
  return s->resp_len ? 0 : -1;
}

static int link_recv(void *ctx, uint8_t *data, uint32_t len) {
  store *s = (store *)ctx;
  if (s->resp_len - s->resp_pos < len) return -1;
  memcpy(data, s->resp + s->resp_pos, len);
  s->resp_pos += len;
  return 0;
}

/* ------------------------------------------------------------- N-API glue */

#define CHECK(call)                                                   \
  do {                                                                \
    if ((call) != napi_ok) {                                          \
      napi_throw_error(env, "ADDON", "Node-API call failed: " #call); \
      return NULL;                                                    \
    }                                                                 \
  } while (0)

static napi_value throw_status(napi_env env, ts_status st, const char *message) {
  napi_throw_error(env, ts_status_name(st), message);
  return NULL;
}

static uint32_t u32(napi_env env, napi_value v) {
  uint32_t out = 0;
  napi_get_value_uint32(env, v, &out);
  return out;
}

static int32_t i32(napi_env env, napi_value v) {
  int32_t out = 0;
  napi_get_value_int32(env, v, &out);
  return out;
}

/* Bytes of a Uint8Array / Uint16Array argument (NULL for null/undefined). */
static void *bytes_of(napi_env env, napi_value v, uint32_t *len) {
  napi_valuetype t;
  bool is_ta = false;
  napi_typedarray_type type;
  size_t length, offset, elem = 1;
  void *data = NULL;
  napi_value ab;
  *len = 0;
  napi_typeof(env, v, &t);
  if (t == napi_null || t == napi_undefined) return NULL;
  napi_is_typedarray(env, v, &is_ta);
  if (!is_ta) return NULL;
  napi_get_typedarray_info(env, v, &type, &length, &data, &ab, &offset);
  if (type == napi_uint16_array) elem = 2;
  *len = (uint32_t)(length * elem);
  return data;
}

static store *store_of(napi_env env, napi_value v) {
  void *p = NULL;
  napi_get_value_external(env, v, &p);
  return (store *)p;
}

static uint32_t prop_u32(napi_env env, napi_value obj, const char *key, uint32_t fallback) {
  bool has = false;
  napi_value v;
  napi_has_named_property(env, obj, key, &has);
  if (!has) return fallback;
  napi_get_named_property(env, obj, key, &v);
  return u32(env, v);
}

static void store_free(napi_env env, void *data, void *hint) {
  store *s = (store *)data;
  (void)env;
  (void)hint;
  free(s->work);
  free(s->region);
  free(s->flash_mem);
  free(s->erase_counts);
  free(s->frame);
  free(s->resp);
  free(s->slots);
  free(s->extents);
  free(s->tables);
  free(s);
}

static ts_slot *slot_of(store *s, int32_t i) { return i >= 0 && (uint32_t)i < s->slot_count ? &s->slots[i] : NULL; }

/* createStore(kind, { regionBytes, block, workBytes?, slots?, sectionCap?, sectors?, sectorSize?, pageSize?, frameBytes? }) */
static napi_value create_store(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], out;
  char kind[16] = {0};
  size_t kind_len;
  store *s;
  uint32_t block, work_bytes, i;
  ts_status st;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  CHECK(napi_get_value_string_utf8(env, argv[0], kind, sizeof kind, &kind_len));
  s = (store *)calloc(1, sizeof *s);
  s->region_bytes = prop_u32(env, argv[1], "regionBytes", 0);
  block = prop_u32(env, argv[1], "block", 512);
  work_bytes = prop_u32(env, argv[1], "workBytes", 3 * block);
  s->slot_count = prop_u32(env, argv[1], "slots", 8);
  s->section_cap = prop_u32(env, argv[1], "sectionCap", 1024);
  s->work = (uint8_t *)malloc(work_bytes ? work_bytes : 1);
  s->slots = (ts_slot *)calloc(s->slot_count ? s->slot_count : 1, sizeof(ts_slot));
  s->tables = (uint16_t *)calloc((size_t)s->slot_count * s->section_cap + 1, sizeof(uint16_t));
  for (i = 0; i < s->slot_count; i++) ts_slot_init(&s->slots[i], s->tables + (size_t)i * s->section_cap, s->section_cap);
  if (!strcmp(kind, "ram") || !strcmp(kind, "ram-async") || !strcmp(kind, "remote")) {
    s->region = (uint8_t *)calloc(s->region_bytes + 1, 1);
  }
  if (!strcmp(kind, "ram")) {
    s->kind = KIND_RAM;
    s->ram.base = s->region;
    s->ram.size = s->region_bytes;
    ts_ram_driver(&s->driver, &s->ram);
  } else if (!strcmp(kind, "ram-async")) {
    s->kind = KIND_RAM_ASYNC;
    s->driver.ctx = s;
    s->driver.size = s->region_bytes;
    s->driver.flags = TS_DRIVER_ASYNC;
    s->driver.read = async_read;
    s->driver.write = async_write;
    s->driver.poll = async_poll;
  } else if (!strcmp(kind, "flash")) {
    ts_flash_part part;
    uint32_t extent_cap;
    s->kind = KIND_FLASH;
    part.ctx = s;
    part.program = part_program;
    part.erase_sector = part_erase;
    part.read = part_read;
    part.base = 0;
    part.sectors = prop_u32(env, argv[1], "sectors", 64);
    part.sector_size = prop_u32(env, argv[1], "sectorSize", 4096);
    part.page_size = prop_u32(env, argv[1], "pageSize", 256);
    s->flash_bytes = part.sectors * part.sector_size;
    s->flash_mem = (uint8_t *)malloc(s->flash_bytes ? s->flash_bytes : 1);
    memset(s->flash_mem, 0x5a, s->flash_bytes); /* not erased: the driver must erase before programming */
    s->erase_counts = (uint32_t *)calloc(part.sectors ? part.sectors : 1, sizeof(uint32_t));
    extent_cap = prop_u32(env, argv[1], "extents", 64);
    s->extents = (ts_flash_extent *)calloc(extent_cap ? extent_cap : 1, sizeof(ts_flash_extent));
    st = ts_flash_init(&s->flash, &part, s->region_bytes, s->extents, extent_cap);
    if (st != TS_OK) {
      napi_value r = throw_status(env, st, s->flash.message);
      store_free(env, s, NULL);
      return r;
    }
    ts_flash_driver(&s->driver, &s->flash);
  } else if (!strcmp(kind, "remote")) {
    uint32_t frame_bytes = prop_u32(env, argv[1], "frameBytes", 256 + TS_REMOTE_OVERHEAD);
    s->kind = KIND_REMOTE;
    s->frame = (uint8_t *)malloc(frame_bytes);
    s->resp_cap = frame_bytes;
    s->resp = (uint8_t *)malloc(frame_bytes);
    s->remote.ctx = s;
    s->remote.send = link_send;
    s->remote.recv = link_recv;
    s->remote.frame = s->frame;
    s->remote.frame_bytes = frame_bytes;
    s->remote.region_bytes = s->region_bytes;
    ts_remote_driver(&s->driver, &s->remote);
  } else {
    store_free(env, s, NULL);
    napi_throw_error(env, "ADDON", "unknown store kind");
    return NULL;
  }
  st = ts_runtime_init(&s->rt, &s->driver, s->work, work_bytes, block);
  if (st != TS_OK) {
    napi_value r = throw_status(env, st, s->rt.message);
    store_free(env, s, NULL);
    return r;
  }
  CHECK(napi_create_external(env, s, store_free, NULL, &out));
  return out;
}

/* spill(store, slot, x, rows, channels, elem, begin, count, offset, bytes, flags) */
static napi_value spill(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value argv[11];
  uint32_t x_len;
  const void *x;
  store *s;
  ts_shape shape;
  ts_status st;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  s = store_of(env, argv[0]);
  x = bytes_of(env, argv[2], &x_len);
  shape.rows = u32(env, argv[3]);
  shape.channels = u32(env, argv[4]);
  shape.elem_size = u32(env, argv[5]);
  st = ts_spill(&s->rt, x, x_len, &shape, u32(env, argv[6]), u32(env, argv[7]), u32(env, argv[8]), u32(env, argv[9]), u32(env, argv[10]),
                slot_of(s, i32(env, argv[1])));
  if (st != TS_OK) return throw_status(env, st, s->rt.message);
  return NULL;
}

/* fetch(store, slot, y, rows, channels, elem, resident, begin, count, offset, bytes, flags?) */
static napi_value fetch(napi_env env, napi_callback_info info) {
  size_t argc = 12;
  napi_value argv[12];
  uint32_t y_len, r_len;
  void *y;
  const void *r;
  store *s;
  ts_shape shape;
  ts_status st;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  s = store_of(env, argv[0]);
  y = bytes_of(env, argv[2], &y_len);
  r = bytes_of(env, argv[6], &r_len);
  shape.rows = u32(env, argv[3]);
  shape.channels = u32(env, argv[4]);
  shape.elem_size = u32(env, argv[5]);
  /* An absent flags argument is undefined, which u32 reads as 0. */
  st = ts_fetch(&s->rt, y, y_len, &shape, r, r_len, u32(env, argv[7]), u32(env, argv[8]), u32(env, argv[9]), u32(env, argv[10]),
                u32(env, argv[11]), slot_of(s, i32(env, argv[1])));
  if (st != TS_OK) return throw_status(env, st, s->rt.message);
  return NULL;
}

/* concatFetch(store, y, rows, channels, elem, parts: {input?, channels, offset, slot, flags?}[]) */
static napi_value concat_fetch(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  uint32_t y_len, n, j;
  void *y;
  store *s;
  ts_shape shape;
  ts_part parts[32];
  ts_status st;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  s = store_of(env, argv[0]);
  y = bytes_of(env, argv[1], &y_len);
  shape.rows = u32(env, argv[2]);
  shape.channels = u32(env, argv[3]);
  shape.elem_size = u32(env, argv[4]);
  CHECK(napi_get_array_length(env, argv[5], &n));
  if (n > 32) n = 32;
  for (j = 0; j < n; j++) {
    napi_value p, input;
    bool has_input = false;
    CHECK(napi_get_element(env, argv[5], j, &p));
    memset(&parts[j], 0, sizeof parts[j]);
    CHECK(napi_has_named_property(env, p, "input", &has_input));
    if (has_input) {
      CHECK(napi_get_named_property(env, p, "input", &input));
      parts[j].input = bytes_of(env, input, &parts[j].input_bytes);
    }
    parts[j].channels = prop_u32(env, p, "channels", 0);
    parts[j].offset = prop_u32(env, p, "offset", 0);
    parts[j].slot = slot_of(s, (int32_t)prop_u32(env, p, "slot", 0xffffffffu));
    parts[j].flags = prop_u32(env, p, "flags", 0);
  }
  st = ts_concat_fetch(&s->rt, y, y_len, &shape, parts, n);
  if (st != TS_OK) return throw_status(env, st, s->rt.message);
  return NULL;
}

static napi_value begin_inference(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  store *s;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  s = store_of(env, argv[0]);
  if (s->kind == KIND_FLASH) ts_flash_begin_inference(&s->flash);
  return NULL;
}

static napi_value copy_out(napi_env env, const void *data, size_t len) {
  napi_value ab, out;
  void *p;
  CHECK(napi_create_arraybuffer(env, len, &p, &ab));
  if (len) memcpy(p, data, len);
  CHECK(napi_create_typedarray(env, napi_uint8_array, len, ab, 0, &out));
  return out;
}

/* readRegion(store, offset, len): the region's bytes through the store's driver. */
static napi_value read_region(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], out;
  store *s;
  uint32_t off, len;
  uint8_t *buf;
  ts_status st;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  s = store_of(env, argv[0]);
  off = u32(env, argv[1]);
  len = u32(env, argv[2]);
  if (s->kind == KIND_RAM_ASYNC) {
    if ((uint64_t)off + len > s->region_bytes) return throw_status(env, TS_E_RANGE, "readRegion past the region");
    return copy_out(env, s->region + off, len);
  }
  buf = (uint8_t *)malloc(len ? len : 1);
  st = s->driver.read(s->driver.ctx, off, buf, len, NULL, NULL);
  if (st != TS_OK) {
    free(buf);
    return throw_status(env, st, s->kind == KIND_FLASH ? s->flash.message : "region read failed");
  }
  out = copy_out(env, buf, len);
  free(buf);
  return out;
}

/* slotInfo(store, slot): { stored, crc, flags, table } */
static napi_value slot_info(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], out, v, ab;
  store *s;
  ts_slot *slot;
  void *p;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  s = store_of(env, argv[0]);
  slot = slot_of(s, i32(env, argv[1]));
  if (!slot) return throw_status(env, TS_E_ARG, "no such slot");
  CHECK(napi_create_object(env, &out));
  CHECK(napi_create_uint32(env, slot->stored, &v));
  CHECK(napi_set_named_property(env, out, "stored", v));
  CHECK(napi_create_uint32(env, slot->crc, &v));
  CHECK(napi_set_named_property(env, out, "crc", v));
  CHECK(napi_create_uint32(env, slot->flags, &v));
  CHECK(napi_set_named_property(env, out, "flags", v));
  CHECK(napi_create_arraybuffer(env, slot->section_count * 2u, &p, &ab));
  if (slot->section_count) memcpy(p, slot->sections, slot->section_count * 2u);
  CHECK(napi_create_typedarray(env, napi_uint16_array, slot->section_count, ab, 0, &v));
  CHECK(napi_set_named_property(env, out, "table", v));
  return out;
}

/* stats(store): { eraseCounts, badPrograms, maxInFlight, transfers, frames } */
static napi_value stats(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out, v, ab;
  store *s;
  void *p;
  uint32_t sectors;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  s = store_of(env, argv[0]);
  sectors = s->kind == KIND_FLASH ? s->flash.part.sectors : 0;
  CHECK(napi_create_object(env, &out));
  CHECK(napi_create_arraybuffer(env, sectors * 4u, &p, &ab));
  if (sectors) memcpy(p, s->erase_counts, sectors * 4u);
  CHECK(napi_create_typedarray(env, napi_uint32_array, sectors, ab, 0, &v));
  CHECK(napi_set_named_property(env, out, "eraseCounts", v));
  CHECK(napi_create_uint32(env, s->bad_programs, &v));
  CHECK(napi_set_named_property(env, out, "badPrograms", v));
  CHECK(napi_create_uint32(env, s->max_in_flight, &v));
  CHECK(napi_set_named_property(env, out, "maxInFlight", v));
  CHECK(napi_create_uint32(env, s->transfers, &v));
  CHECK(napi_set_named_property(env, out, "transfers", v));
  CHECK(napi_create_uint32(env, s->frames, &v));
  CHECK(napi_set_named_property(env, out, "frames", v));
  return out;
}

/* flipBit(store, regionOffset, bit): corrupts the stored byte where the store keeps it. */
static napi_value flip_bit(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  store *s;
  uint32_t off, addr;
  uint8_t mask;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  s = store_of(env, argv[0]);
  off = u32(env, argv[1]);
  mask = (uint8_t)(1u << (u32(env, argv[2]) & 7u));
  if (s->kind == KIND_FLASH) {
    if (!ts_flash_locate(&s->flash, off, &addr)) return throw_status(env, TS_E_STATE, "region byte not in flash");
    s->flash_mem[addr] ^= mask;
  } else {
    if (off >= s->region_bytes) return throw_status(env, TS_E_RANGE, "flipBit past the region");
    s->region[off] ^= mask;
  }
  return NULL;
}

/* compress(bytes, block): { data, table } */
static napi_value compress(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], out, v, ab;
  uint32_t n, block, sections, stored = 0;
  const uint8_t *in;
  uint8_t *buf;
  uint16_t *table;
  void *p;
  ts_status st;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  in = (const uint8_t *)bytes_of(env, argv[0], &n);
  block = u32(env, argv[1]);
  sections = block ? (n + block - 1) / block : 0;
  buf = (uint8_t *)malloc(n ? n : 1);
  table = (uint16_t *)malloc((sections ? sections : 1) * sizeof(uint16_t));
  st = ts_compress(in ? in : buf, n, block, buf, n, table, sections, &stored);
  if (st != TS_OK) {
    free(buf);
    free(table);
    return throw_status(env, st, "ts_compress failed");
  }
  CHECK(napi_create_object(env, &out));
  CHECK(napi_set_named_property(env, out, "data", copy_out(env, buf, stored)));
  CHECK(napi_create_arraybuffer(env, sections * 2u, &p, &ab));
  if (sections) memcpy(p, table, sections * 2u);
  CHECK(napi_create_typedarray(env, napi_uint16_array, sections, ab, 0, &v));
  CHECK(napi_set_named_property(env, out, "table", v));
  free(buf);
  free(table);
  return out;
}

/* decompress(data, table, length, block): Uint8Array */
static napi_value decompress(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4], out;
  uint32_t stored, table_bytes, n, block;
  const uint8_t *in;
  const uint16_t *table;
  uint8_t *buf;
  uint8_t empty = 0;
  ts_status st;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  in = (const uint8_t *)bytes_of(env, argv[0], &stored);
  table = (const uint16_t *)bytes_of(env, argv[1], &table_bytes);
  n = u32(env, argv[2]);
  block = u32(env, argv[3]);
  buf = (uint8_t *)malloc(n ? n : 1);
  st = ts_decompress(in ? in : &empty, stored, block, table ? table : (const uint16_t *)(const void *)&empty, table_bytes / 2u, buf, n);
  if (st != TS_OK) {
    free(buf);
    return throw_status(env, st, "ts_decompress: data is corrupt");
  }
  out = copy_out(env, buf, n);
  free(buf);
  return out;
}

static napi_value crc32(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  uint32_t n;
  const void *in;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  in = bytes_of(env, argv[0], &n);
  CHECK(napi_create_uint32(env, ts_crc32(0, in, n), &out));
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"createStore", NULL, create_store, NULL, NULL, NULL, napi_default, NULL},
      {"spill", NULL, spill, NULL, NULL, NULL, napi_default, NULL},
      {"fetch", NULL, fetch, NULL, NULL, NULL, napi_default, NULL},
      {"concatFetch", NULL, concat_fetch, NULL, NULL, NULL, napi_default, NULL},
      {"beginInference", NULL, begin_inference, NULL, NULL, NULL, napi_default, NULL},
      {"readRegion", NULL, read_region, NULL, NULL, NULL, napi_default, NULL},
      {"slotInfo", NULL, slot_info, NULL, NULL, NULL, napi_default, NULL},
      {"stats", NULL, stats, NULL, NULL, NULL, napi_default, NULL},
      {"flipBit", NULL, flip_bit, NULL, NULL, NULL, napi_default, NULL},
      {"compress", NULL, compress, NULL, NULL, NULL, napi_default, NULL},
      {"decompress", NULL, decompress, NULL, NULL, NULL, napi_default, NULL},
      {"crc32", NULL, crc32, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
