// TinySeg's custom operators (docs/custom-ops.md) as TFLM kernels, for TFLM at
// commit 90b983c2b3f1480642e040bbd2ddb37b998f3424. Thin adapters: the spill
// operators call the C runtime (tinyseg_runtime.h) on the runtime the
// application registered with ts_runtime_set_default(); the fused operators
// read their region operands through it and compute with TFLM's own reference
// arithmetic, so their bytes equal the builtins' (TinySegConcatConv's int8
// conv and TinySegConvInPlace's row calls are CMSIS-NN's when the model was
// optimized for TFLM's CMSIS-NN kernels: bit-exact with the reference).
// Each kernel allocates exactly the op
// data, persistent buffers and scratch of its "TFLM kernel contract", which
// TinySeg's arena figures assume. docs/runtime.md ("TFLM kernels") says how it
// was checked; CI cannot compile it (no TFLM there).

// Every TFLM target build defines TF_LITE_MCU_DEBUG_LOG, so a failed DCHECK in
// TFLM's own kernels halts in a loop; without it, it calls abort(), and the
// reference kernels' inner loops compiled here then keep their bounds on the
// stack: a float32 conv band took ~35% more instructions per MAC than TFLM's
// CONV_2D on a Cortex-M4. Defined here, the bands compile as TFLM's kernels do
// whatever flags the application builds this file with.
#ifndef TF_LITE_MCU_DEBUG_LOG
#define TF_LITE_MCU_DEBUG_LOG
#endif
#include "tinyseg_tflm_kernels.h"

// The generated tinyseg_tflm_kernels.h says which of TFLM's kernel sets the
// model was optimized for (--kernels); the arena figures hold for that set
// only, so a build that links the other one must not compile. TFLM's CMSIS-NN
// build (OPTIMIZED_KERNEL_DIR=cmsis_nn) defines CMSIS_NN.
#if !defined(TINYSEG_KERNELS_CMSIS_NN)
#error "tinyseg_tflm_kernels.h does not say the kernel set: emit it again with this TinySeg (tinyseg optimize --emit)"
#elif TINYSEG_KERNELS_CMSIS_NN && !defined(CMSIS_NN)
#error "the model was optimized for TFLM's CMSIS-NN kernels (--kernels cmsis-nn), but CMSIS_NN is not defined: build with -DCMSIS_NN and CMSIS-NN's include dirs, as TFLM's CMSIS-NN build does, or optimize with --kernels reference for a reference-kernel TFLM"
#elif !TINYSEG_KERNELS_CMSIS_NN && defined(CMSIS_NN)
#error "the model was optimized for TFLM's reference kernels (--kernels reference), but this build defines CMSIS_NN (TFLM's CMSIS-NN kernels): optimize with --kernels cmsis-nn, or build without CMSIS_NN against a reference-kernel TFLM"
#elif TINYSEG_KERNELS_CMSIS_NN
#if __has_include("arm_nnfunctions.h")
#include "arm_nnfunctions.h"
#define TINYSEG_CMSIS_NN_CONV 1
#elif __has_include("Include/arm_nnfunctions.h")
#include "Include/arm_nnfunctions.h"
#define TINYSEG_CMSIS_NN_CONV 1
#else
#error "CMSIS_NN is defined but arm_nnfunctions.h is not found: add CMSIS-NN's Include directory (or its root) to the include path"
#endif
#endif
// 1: TinySegConcatConv's int8 conv is CMSIS-NN's (only past the checks above).
#ifndef TINYSEG_CMSIS_NN_CONV
#define TINYSEG_CMSIS_NN_CONV 0
#endif

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#include <arm_acle.h>  // TinySegTransposeConv's dot products
#endif

// TFLM's headers (and the templates they instantiate here) warn under -Wextra
// when they are included with -I instead of -isystem: unused parameters in
// TFLM 90b983c. Silenced for these includes only; this file's own code is
// compiled with every warning.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "flatbuffers/flexbuffers.h"
#include "tensorflow/lite/c/builtin_op_data.h"
#include "tensorflow/lite/c/common.h"
#include "tensorflow/lite/kernels/internal/common.h"
#include "tensorflow/lite/kernels/internal/reference/add.h"
#include "tensorflow/lite/kernels/internal/reference/conv.h"
#include "tensorflow/lite/kernels/internal/reference/depthwiseconv_float.h"
#include "tensorflow/lite/kernels/internal/reference/integer_ops/add.h"
#include "tensorflow/lite/kernels/internal/reference/integer_ops/conv.h"
#include "tensorflow/lite/kernels/internal/reference/integer_ops/depthwise_conv.h"
#include "tensorflow/lite/kernels/internal/reference/resize_bilinear.h"
#include "tensorflow/lite/kernels/internal/types.h"
#include "tensorflow/lite/kernels/kernel_util.h"
#include "tensorflow/lite/kernels/padding.h"
#include "tensorflow/lite/micro/kernels/add.h"
#include "tensorflow/lite/micro/kernels/kernel_util.h"
#include "tensorflow/lite/micro/micro_context.h"
#include "tensorflow/lite/micro/micro_log.h"
#pragma GCC diagnostic pop
#include "tinyseg_runtime.h"

namespace tinyseg {
namespace {

constexpr char kSpill[] = "TinySegSpill";
constexpr char kFetch[] = "TinySegFetch";
constexpr char kConcatFetch[] = "TinySegConcatFetch";
constexpr char kAddFetch[] = "TinySegAddFetch";
constexpr char kConcatConv[] = "TinySegConcatConv";
constexpr char kTransposeConv[] = "TinySegTransposeConv";
constexpr char kConvInPlace[] = "TinySegConvInPlace";
constexpr char kResizeBand[] = "TinySegResizeBand";

constexpr uint64_t kMaxU32 = 0xffffffffu;

// ------------------------------------------------------------------ options

// The operator's FlexBuffers map. Every accessor prints what is wrong and
// returns false; Init then allocates nothing and returns nullptr, which
// Prepare reports, so a malformed model fails in AllocateTensors().
class Options {
 public:
  Options(const char* op, const void* buffer, size_t length) : op_(op), map_(flexbuffers::Map::EmptyMap()) {
    const uint8_t* bytes = static_cast<const uint8_t*>(buffer);
    if (bytes == nullptr || length < 3 || !flexbuffers::VerifyBuffer(bytes, length)) {
      MicroPrintf("%s: custom options are not a valid FlexBuffer", op);
      return;
    }
    flexbuffers::Reference root = flexbuffers::GetRoot(bytes, length);
    if (!root.IsMap()) {
      MicroPrintf("%s: custom options are not a FlexBuffers map", op);
      return;
    }
    map_ = root.AsMap();
    ok_ = true;
  }

  bool Uint(const char* key, uint32_t* out) {
    int64_t v = 0;
    if (!ok_ || !AsInteger(map_[key], &v) || v < 0 || static_cast<uint64_t>(v) > kMaxU32) {
      return Bad(key, "an integer in 0..4294967295");
    }
    *out = static_cast<uint32_t>(v);
    return true;
  }

  bool Int(const char* key, int32_t* out) {
    int64_t v = 0;
    if (!ok_ || !AsInteger(map_[key], &v) || v < INT32_MIN || v > INT32_MAX) return Bad(key, "a 32-bit integer");
    *out = static_cast<int32_t>(v);
    return true;
  }

  // A 0/1 option the encoder writes only when it is 1 (docs/custom-ops.md: absent means 0).
  bool Flag(const char* key, uint32_t* out) {
    int64_t v = 0;
    if (ok_ && map_[key].IsNull()) {
      *out = 0;
      return true;
    }
    if (!ok_ || !AsInteger(map_[key], &v) || (v != 0 && v != 1)) return Bad(key, "0 or 1");
    *out = static_cast<uint32_t>(v);
    return true;
  }

  bool Has(const char* key) const { return ok_ && !map_[key].IsNull(); }

  // Scales: the JavaScript encoder writes integral numbers as integers.
  bool Scale(const char* key, float* out) {
    flexbuffers::Reference r = map_[key];
    const double v = ok_ && r.IsNumeric() ? r.AsDouble() : -1.0;
    if (!(v >= 0.0) || !std::isfinite(v)) return Bad(key, "a finite non-negative number");
    *out = static_cast<float>(v);
    return true;
  }

  bool VectorLength(const char* key, uint32_t* length) {
    flexbuffers::Reference r = map_[key];
    if (!ok_ || !r.IsAnyVector()) return Bad(key, "a vector of integers");
    Element(r, 0, length);
    return true;
  }

  bool VectorInt(const char* key, uint32_t index, int64_t* out) {
    uint32_t length = 0;
    flexbuffers::Reference r = map_[key];
    if (!ok_ || !r.IsAnyVector()) return Bad(key, "a vector of integers");
    flexbuffers::Reference e = Element(r, index, &length);
    if (index >= length || !AsInteger(e, out)) return Bad(key, "a vector of integers");
    return true;
  }

  bool Fail(const char* what) {
    if (ok_) MicroPrintf("%s options: %s", op_, what);
    ok_ = false;
    return false;
  }

  // An option of a TinySegConcatConv band only (with first_row), in lo..hi; absent, *out is left as it is.
  bool BandUint(const char* key, bool band, uint32_t lo, uint32_t hi, uint32_t* out) {
    if (!Has(key)) return ok_;
    uint32_t v = 0;
    if (!band || !Uint(key, &v) || v < lo || v > hi) {
      if (ok_) MicroPrintf("%s options: '%s' is a band's (with first_row), in %u..%u", op_, key, static_cast<unsigned>(lo),
                           static_cast<unsigned>(hi));
      ok_ = false;
      return false;
    }
    *out = v;
    return true;
  }

 private:
  static bool AsInteger(const flexbuffers::Reference& r, int64_t* out) {
    if (r.IsUInt()) {
      const uint64_t u = r.AsUInt64();
      if (u > static_cast<uint64_t>(INT64_MAX)) return false;
      *out = static_cast<int64_t>(u);
      return true;
    }
    if (r.IsInt()) {
      *out = r.AsInt64();
      return true;
    }
    return false;
  }

  // Element `index` of any kind of vector, and the vector's length.
  static flexbuffers::Reference Element(const flexbuffers::Reference& r, uint32_t index, uint32_t* length) {
    if (r.IsTypedVector()) {
      flexbuffers::TypedVector v = r.AsTypedVector();
      *length = static_cast<uint32_t>(v.size());
      return v[index < *length ? index : 0];
    }
    if (r.IsFixedTypedVector()) {
      flexbuffers::FixedTypedVector v = r.AsFixedTypedVector();
      *length = static_cast<uint32_t>(v.size());
      return v[index < *length ? index : 0];
    }
    flexbuffers::Vector v = r.AsVector();
    *length = static_cast<uint32_t>(v.size());
    return v[index < *length ? index : 0];
  }

  bool Bad(const char* key, const char* want) {
    if (ok_) MicroPrintf("%s options: '%s' is missing or not %s", op_, key, want);
    ok_ = false;
    return false;
  }

  const char* op_;
  flexbuffers::Map map_;
  bool ok_ = false;
};

// One part of a fused concatenation: op input `input`, or `channels` channels
// packed in the region at `offset` (input kRegionPart, or kQuantizedPart for a
// quantized slot: part_quantized[j] is 1). docs/custom-ops.md.
struct Part {
  int32_t input;
  uint32_t channels;
  uint32_t offset;
};
static_assert(sizeof(Part) == 12, "the arena figures count 12 bytes per part");

// The quantized flag rides in `input` so a part stays 12 bytes.
constexpr int32_t kRegionPart = -1;
constexpr int32_t kQuantizedPart = -2;

uint32_t PartFlags(const Part& p) { return p.input == kQuantizedPart ? TS_SPILL_QUANTIZE : 0u; }

// Reads and checks the part vectors; with `parts` null only counts them.
bool ReadParts(Options& o, int32_t first_input, Part* parts, uint32_t* count) {
  uint32_t n = 0, channels = 0, offsets = 0;
  if (!o.VectorLength("part_input", &n) || !o.VectorLength("part_channels", &channels) ||
      !o.VectorLength("part_offset", &offsets)) {
    return false;
  }
  if (n == 0 || channels != n || offsets != n) return o.Fail("part vectors are empty or differ in length");
  // part_quantized is optional (absent: no part is quantized).
  const bool has_quantized = o.Has("part_quantized");
  uint32_t quantized_n = n;
  if (has_quantized && !o.VectorLength("part_quantized", &quantized_n)) return false;
  if (quantized_n != n) return o.Fail("part vectors are empty or differ in length");
  for (uint32_t j = 0; j < n; j++) {
    int64_t input = 0, c = 0, offset = 0, quantized = 0;
    if (!o.VectorInt("part_input", j, &input) || !o.VectorInt("part_channels", j, &c) ||
        !o.VectorInt("part_offset", j, &offset) || (has_quantized && !o.VectorInt("part_quantized", j, &quantized))) {
      return false;
    }
    const bool resident = input >= 0;
    if ((resident && (input < first_input || input > INT32_MAX)) || input < kRegionPart) {
      return o.Fail("a part names an input that is not a resident part");
    }
    if (!resident && (c <= 0 || c > static_cast<int64_t>(kMaxU32) || offset < 0 ||
                      offset > static_cast<int64_t>(kMaxU32))) {
      return o.Fail("a region part has no channels or an offset outside 32 bits");
    }
    if (quantized != 0 && (quantized != 1 || resident)) return o.Fail("part_quantized is 1 for a part that is not a region part, or not 0 or 1");
    if (parts != nullptr) {
      parts[j].input = quantized == 1 ? kQuantizedPart : static_cast<int32_t>(input);
      parts[j].channels = resident ? 0 : static_cast<uint32_t>(c);
      parts[j].offset = resident ? 0 : static_cast<uint32_t>(offset);
    }
  }
  *count = n;
  return true;
}

// ------------------------------------------------------------------ tensors

uint32_t ElementSize(TfLiteType type) {
  switch (type) {
    case kTfLiteInt8:
    case kTfLiteUInt8:
      return 1;
    case kTfLiteInt16:
      return 2;
    case kTfLiteInt32:
    case kTfLiteFloat32:
      return 4;
    default:
      return 0;
  }
}

// A tensor as the runtime sees it: rows of `channels` (the last axis) elements.
bool ShapeOf(const TfLiteIntArray* dims, TfLiteType type, ts_shape* shape) {
  uint64_t rows = 1;
  uint64_t channels = 1;
  shape->elem_size = ElementSize(type);
  if (dims == nullptr || shape->elem_size == 0) return false;
  for (int i = 0; i < dims->size; i++) {
    if (dims->data[i] < 0) return false;
    if (i + 1 < dims->size) rows *= static_cast<uint64_t>(dims->data[i]);
    else channels = static_cast<uint64_t>(dims->data[i]);
    if (rows * channels * shape->elem_size > kMaxU32) return false;
  }
  shape->rows = static_cast<uint32_t>(rows);
  shape->channels = static_cast<uint32_t>(channels);
  return channels > 0;
}

uint32_t ShapeBytes(const ts_shape& s) { return s.rows * s.channels * s.elem_size; }

// Same dims except possibly the last.
bool SameRows(const TfLiteIntArray* a, const TfLiteIntArray* b) {
  if (a->size != b->size) return false;
  for (int i = 0; i + 1 < a->size; i++) {
    if (a->data[i] != b->data[i]) return false;
  }
  return true;
}

bool SameDims(const TfLiteIntArray* a, const TfLiteIntArray* b) {
  return SameRows(a, b) && (a->size == 0 || a->data[a->size - 1] == b->data[b->size - 1]);
}

// Temporary TfLiteTensor of Prepare, released on every path.
class TempTensor {
 public:
  TempTensor(tflite::MicroContext* context, TfLiteTensor* tensor) : context_(context), tensor_(tensor) {}
  ~TempTensor() {
    if (tensor_ != nullptr) context_->DeallocateTempTfLiteTensor(tensor_);
  }
  TempTensor(const TempTensor&) = delete;
  TempTensor& operator=(const TempTensor&) = delete;
  TfLiteTensor* get() const { return tensor_; }
  TfLiteTensor* operator->() const { return tensor_; }

 private:
  tflite::MicroContext* context_;
  TfLiteTensor* tensor_;
};

// Whether the node has input `index` (an optional input may be absent: -1, or past the list).
bool HasInput(const TfLiteNode* node, int index) {
  return index >= 0 && index < node->inputs->size && node->inputs->data[index] >= 0;
}

TempTensor InputTensor(TfLiteContext* context, TfLiteNode* node, int index) {
  tflite::MicroContext* mc = tflite::GetMicroContext(context);
  return TempTensor(mc, HasInput(node, index) ? mc->AllocateTempInputTensor(node, index) : nullptr);
}

TempTensor OutputTensor(TfLiteContext* context, TfLiteNode* node, int index) {
  tflite::MicroContext* mc = tflite::GetMicroContext(context);
  return TempTensor(mc, index < node->outputs->size ? mc->AllocateTempOutputTensor(node, index) : nullptr);
}

uint32_t EvalBytes(const TfLiteEvalTensor* t) {
  ts_shape s;
  return ShapeOf(t->dims, t->type, &s) ? ShapeBytes(s) : 0;
}

// ------------------------------------------------------------------ runtime

ts_runtime* Runtime(const char* op) {
  ts_runtime* rt = ts_runtime_default();
  if (rt == nullptr || rt->driver == nullptr) {
    MicroPrintf("%s: no TinySeg runtime: call ts_runtime_set_default() with an initialised ts_runtime before AllocateTensors()", op);
    return nullptr;
  }
  return rt;
}

TfLiteStatus RuntimeFailure(const char* op, const ts_runtime* rt) {
  const char* message = ts_last_error(rt);
  if (std::strncmp(message, op, std::strlen(op)) == 0) MicroPrintf("%s", message);
  else MicroPrintf("%s: %s", op, message);
  return kTfLiteError;
}

TfLiteStatus CheckRegion(const char* op, const ts_runtime* rt, uint64_t offset, uint64_t bytes) {
  if (offset + bytes > rt->driver->size) {
    MicroPrintf("%s: spill region is %u bytes, the op reaches %u", op, static_cast<unsigned>(rt->driver->size),
                static_cast<unsigned>(std::min<uint64_t>(offset + bytes, kMaxU32)));
    return kTfLiteError;
  }
  return kTfLiteOk;
}

TfLiteStatus MalformedOptions(const char* op) {
  MicroPrintf("%s: the custom options are malformed (see above)", op);
  return kTfLiteError;
}

// Copies `count` elements per row from `src` (rows x count) into channels
// [begin, begin + count) of `dst` (rows x channels).
void CopyIntoChannels(uint8_t* dst, const uint8_t* src, const ts_shape& dst_shape, uint32_t begin, uint32_t count) {
  const uint32_t e = dst_shape.elem_size, run = count * e, stride = dst_shape.channels * e;
  for (uint32_t r = 0; r < dst_shape.rows; r++) std::memcpy(dst + static_cast<size_t>(r) * stride + begin * e, src + static_cast<size_t>(r) * run, run);
}

// ----------------------------------------------------- TinySegSpill / Fetch

// Op data of TinySegSpill and TinySegFetch: their options.
struct SliceOptions {
  uint32_t offset;
  uint32_t bytes;
  uint32_t begin;
  uint32_t count;
};
static_assert(sizeof(SliceOptions) == 16, "docs/custom-ops.md: 16 bytes of op data");

void* SliceInit(const char* op, TfLiteContext* context, const char* buffer, size_t length) {
  Options o(op, buffer, length);
  SliceOptions v{};
  if (!o.Uint("offset", &v.offset) || !o.Uint("bytes", &v.bytes) || !o.Uint("begin", &v.begin) ||
      !o.Uint("count", &v.count)) {
    return nullptr;
  }
  void* data = context->AllocatePersistentBuffer(context, sizeof v);
  if (data != nullptr) std::memcpy(data, &v, sizeof v);
  return data;
}

// The `quantized` option of TinySegSpill, TinySegFetch and TinySegAddFetch as
// runtime flags. Not kept in op data (the arena figures count its bytes
// without it): Prepare and Eval read it from the options again.
TfLiteStatus QuantizedFlags(const char* op, const TfLiteNode* node, uint32_t* flags) {
  Options o(op, node->custom_initial_data, static_cast<size_t>(node->custom_initial_data_size));
  uint32_t quantized = 0;
  if (!o.Flag("quantized", &quantized)) return MalformedOptions(op);
  *flags = quantized ? TS_SPILL_QUANTIZE : 0u;
  return kTfLiteOk;
}

TfLiteStatus CheckSlice(const char* op, const ts_runtime* rt, const TfLiteTensor* t, const SliceOptions& o, uint32_t flags) {
  ts_shape s;
  if (t == nullptr || !ShapeOf(t->dims, t->type, &s)) {
    MicroPrintf("%s: the tensor is missing, empty, over 4 GiB or of type %s (int8, uint8, int16, int32, float32)", op,
                t == nullptr ? "none" : TfLiteTypeGetName(t->type));
    return kTfLiteError;
  }
  if (o.count == 0 || static_cast<uint64_t>(o.begin) + o.count > s.channels) {
    MicroPrintf("%s: channels [%u, %u) are outside the %u of the tensor", op, static_cast<unsigned>(o.begin),
                static_cast<unsigned>(std::min<uint64_t>(static_cast<uint64_t>(o.begin) + o.count, kMaxU32)),
                static_cast<unsigned>(s.channels));
    return kTfLiteError;
  }
  const bool quantized = (flags & TS_SPILL_QUANTIZE) != 0;
  if (quantized && t->type != kTfLiteFloat32) {
    MicroPrintf("%s: a quantized slot holds float32, the tensor is %s", op, TfLiteTypeGetName(t->type));
    return kTfLiteError;
  }
  const uint64_t want = quantized ? TS_QUANT_HEADER + static_cast<uint64_t>(s.rows) * o.count
                                  : static_cast<uint64_t>(s.rows) * o.count * s.elem_size;
  if (want != o.bytes) {
    MicroPrintf("%s: options say %u bytes, the %sslice has %u", op, static_cast<unsigned>(o.bytes), quantized ? "quantized " : "",
                static_cast<unsigned>(want));
    return kTfLiteError;
  }
  return CheckRegion(op, rt, o.offset, o.bytes);
}

void* SpillInit(TfLiteContext* context, const char* buffer, size_t length) {
  return SliceInit(kSpill, context, buffer, length);
}

TfLiteStatus SpillPrepare(TfLiteContext* context, TfLiteNode* node) {
  if (node->user_data == nullptr) return MalformedOptions(kSpill);
  const ts_runtime* rt = Runtime(kSpill);
  if (rt == nullptr) return kTfLiteError;
  if (node->inputs->size != 1 || node->outputs->size != 0) {
    MicroPrintf("%s: needs 1 input and no output, has %d and %d", kSpill, node->inputs->size, node->outputs->size);
    return kTfLiteError;
  }
  uint32_t flags = 0;
  TF_LITE_ENSURE_OK(context, QuantizedFlags(kSpill, node, &flags));
  TempTensor x = InputTensor(context, node, 0);
  return CheckSlice(kSpill, rt, x.get(), *static_cast<const SliceOptions*>(node->user_data), flags);
}

TfLiteStatus SpillEval(TfLiteContext* context, TfLiteNode* node) {
  const SliceOptions& o = *static_cast<const SliceOptions*>(node->user_data);
  ts_runtime* rt = Runtime(kSpill);
  if (rt == nullptr) return kTfLiteError;
  uint32_t flags = 0;
  TF_LITE_ENSURE_OK(context, QuantizedFlags(kSpill, node, &flags));
  const TfLiteEvalTensor* x = tflite::micro::GetEvalInput(context, node, 0);
  ts_shape s;
  ShapeOf(x->dims, x->type, &s);
  if (ts_spill(rt, x->data.raw_const, ShapeBytes(s), &s, o.begin, o.count, o.offset, o.bytes, flags, nullptr) != TS_OK) {
    return RuntimeFailure(kSpill, rt);
  }
  return kTfLiteOk;
}

void* FetchInit(TfLiteContext* context, const char* buffer, size_t length) {
  return SliceInit(kFetch, context, buffer, length);
}

// A padded fetch's frame (docs/custom-ops.md): rows and columns of `value`
// around the rows it reads. Not kept in op data (the arena figures count 16
// bytes): Prepare and Eval read it from the options again.
struct FetchPad {
  uint32_t top = 0, bottom = 0, left = 0, right = 0;
  int32_t value = 0;
  bool Any() const { return top + bottom + left + right > 0; }
};

TfLiteStatus ReadFetchPad(const TfLiteNode* node, FetchPad* pad) {
  Options o(kFetch, node->custom_initial_data, static_cast<size_t>(node->custom_initial_data_size));
  if (!o.Has("pad_top")) return kTfLiteOk;
  if (!o.Uint("pad_top", &pad->top) || !o.Uint("pad_bottom", &pad->bottom) || !o.Uint("pad_left", &pad->left) ||
      !o.Uint("pad_right", &pad->right) || !o.Int("pad_value", &pad->value)) {
    return MalformedOptions(kFetch);
  }
  return kTfLiteOk;
}

// A float32 frame is 0.0f (what PAD writes); an integer one holds the value.
bool PadValueFits(int32_t v, TfLiteType type) {
  switch (type) {
    case kTfLiteFloat32: return v == 0;
    case kTfLiteInt8: return v >= -128 && v <= 127;
    case kTfLiteUInt8: return v >= 0 && v <= 255;
    case kTfLiteInt16: return v >= -32768 && v <= 32767;
    default: return true;
  }
}

// The inside of a padded fetch's output: a 4-D tensor of batch 1 whose rows
// and columns within the frame hold whole rows of the slot.
TfLiteStatus CheckPadded(const TfLiteTensor* y, const SliceOptions& o, uint32_t flags, const FetchPad& pad, ts_shape* inside) {
  const TfLiteIntArray* d = y->dims;
  if (d->size != 4 || d->data[0] != 1 || static_cast<int64_t>(d->data[1]) <= static_cast<int64_t>(pad.top) + pad.bottom ||
      static_cast<int64_t>(d->data[2]) <= static_cast<int64_t>(pad.left) + pad.right) {
    MicroPrintf("%s: pads %u, %u, %u, %u do not frame a 4-D output of batch 1", kFetch, static_cast<unsigned>(pad.top),
                static_cast<unsigned>(pad.bottom), static_cast<unsigned>(pad.left), static_cast<unsigned>(pad.right));
    return kTfLiteError;
  }
  if (!ShapeOf(d, y->type, inside) || o.begin != 0 || o.count != inside->channels || flags != 0) {
    MicroPrintf("%s: a padded fetch reads every channel of a plain slot", kFetch);
    return kTfLiteError;
  }
  if (!PadValueFits(pad.value, y->type)) {
    MicroPrintf("%s: pad value %d is not one of %s", kFetch, static_cast<int>(pad.value), TfLiteTypeGetName(y->type));
    return kTfLiteError;
  }
  // One slot row per image row inside the frame.
  const uint32_t width = static_cast<uint32_t>(d->data[2]) - pad.left - pad.right;
  inside->rows = (static_cast<uint32_t>(d->data[1]) - pad.top - pad.bottom) * width;
  const uint64_t want = static_cast<uint64_t>(inside->rows) * inside->channels * inside->elem_size;
  if (want != o.bytes) {
    MicroPrintf("%s: options say %u bytes, the padded fetch's inside has %u", kFetch, static_cast<unsigned>(o.bytes),
                static_cast<unsigned>(want));
    return kTfLiteError;
  }
  return kTfLiteOk;
}

// Fills `count` elements of `elem_size` bytes at `dst` with `element`: one
// memset where its bytes are all alike (0.0f, a zero point of 0 or -1...).
void FillElements(uint8_t* dst, uint32_t count, const uint8_t* element, uint32_t elem_size) {
  bool alike = true;
  for (uint32_t b = 1; b < elem_size; b++) alike = alike && element[b] == element[0];
  if (alike) {
    std::memset(dst, element[0], static_cast<size_t>(count) * elem_size);
    return;
  }
  for (uint32_t i = 0; i < count; i++) std::memcpy(dst + static_cast<size_t>(i) * elem_size, element, elem_size);
}

// Writes y's frame (its first and last rows, and the sides of the rows
// between) with the pad value, and fetches the rows inside it one by one.
TfLiteStatus FetchPadded(ts_runtime* rt, TfLiteEvalTensor* y, const SliceOptions& o, const FetchPad& pad) {
  ts_shape s;
  ShapeOf(y->dims, y->type, &s);
  const uint32_t height = static_cast<uint32_t>(y->dims->data[1]);
  const uint32_t width = static_cast<uint32_t>(y->dims->data[2]);
  const uint32_t pixel = s.channels * s.elem_size;
  uint8_t* out = static_cast<uint8_t*>(y->data.data);
  uint8_t element[4];
  if (y->type == kTfLiteFloat32) {
    const float zero = 0.0f;
    std::memcpy(element, &zero, sizeof zero);
  } else {
    const int32_t v = pad.value;
    std::memcpy(element, &v, sizeof v);  // little-endian: the low bytes are the narrower type's value
  }
  const uint32_t inner = width - pad.left - pad.right;
  const uint32_t rows = height - pad.top - pad.bottom;
  FillElements(out, pad.top * width * s.channels, element, s.elem_size);
  FillElements(out + static_cast<size_t>(pad.top + rows) * width * pixel, pad.bottom * width * s.channels, element, s.elem_size);
  const ts_shape row{inner, s.channels, s.elem_size};
  const uint32_t row_bytes = inner * pixel;
  for (uint32_t r = 0; r < rows; r++) {
    uint8_t* line = out + static_cast<size_t>(pad.top + r) * width * pixel;
    FillElements(line, pad.left * s.channels, element, s.elem_size);
    FillElements(line + static_cast<size_t>(pad.left + inner) * pixel, pad.right * s.channels, element, s.elem_size);
    if (ts_fetch(rt, line + static_cast<size_t>(pad.left) * pixel, row_bytes, &row, nullptr, 0, 0, s.channels, o.offset + r * row_bytes,
                 row_bytes, 0, nullptr) != TS_OK) {
      return RuntimeFailure(kFetch, rt);
    }
  }
  return kTfLiteOk;
}

TfLiteStatus FetchPrepare(TfLiteContext* context, TfLiteNode* node) {
  if (node->user_data == nullptr) return MalformedOptions(kFetch);
  const SliceOptions& o = *static_cast<const SliceOptions*>(node->user_data);
  const ts_runtime* rt = Runtime(kFetch);
  if (rt == nullptr) return kTfLiteError;
  if (node->inputs->size > 1 || node->outputs->size != 1) {
    MicroPrintf("%s: needs at most 1 input and 1 output, has %d and %d", kFetch, node->inputs->size, node->outputs->size);
    return kTfLiteError;
  }
  uint32_t flags = 0;
  TF_LITE_ENSURE_OK(context, QuantizedFlags(kFetch, node, &flags));
  FetchPad pad;
  TF_LITE_ENSURE_OK(context, ReadFetchPad(node, &pad));
  TempTensor y = OutputTensor(context, node, 0);
  if (pad.Any()) {
    if (y.get() == nullptr || node->inputs->size != 0) {
      MicroPrintf("%s: a padded fetch has no resident input", kFetch);
      return kTfLiteError;
    }
    ts_shape inside;
    TF_LITE_ENSURE_OK(context, CheckPadded(y.get(), o, flags, pad, &inside));
    return CheckRegion(kFetch, rt, o.offset, o.bytes);
  }
  TF_LITE_ENSURE_OK(context, CheckSlice(kFetch, rt, y.get(), o, flags));
  ts_shape s;
  ShapeOf(y->dims, y->type, &s);
  const bool partial = o.count < s.channels;
  TempTensor resident = InputTensor(context, node, 0);
  if (partial != (resident.get() != nullptr)) {
    MicroPrintf("%s: fetches %u of %u channels, so it needs %s resident input", kFetch, static_cast<unsigned>(o.count),
                static_cast<unsigned>(s.channels), partial ? "a" : "no");
    return kTfLiteError;
  }
  if (partial && (resident->type != y->type || !SameRows(resident->dims, y->dims) ||
                  static_cast<uint32_t>(resident->dims->data[resident->dims->size - 1]) != s.channels - o.count)) {
    MicroPrintf("%s: the resident input is not the output's other %u channels", kFetch,
                static_cast<unsigned>(s.channels - o.count));
    return kTfLiteError;
  }
  return kTfLiteOk;
}

TfLiteStatus FetchEval(TfLiteContext* context, TfLiteNode* node) {
  const SliceOptions& o = *static_cast<const SliceOptions*>(node->user_data);
  ts_runtime* rt = Runtime(kFetch);
  if (rt == nullptr) return kTfLiteError;
  uint32_t flags = 0;
  TF_LITE_ENSURE_OK(context, QuantizedFlags(kFetch, node, &flags));
  FetchPad pad;
  TF_LITE_ENSURE_OK(context, ReadFetchPad(node, &pad));
  TfLiteEvalTensor* y = tflite::micro::GetEvalOutput(context, node, 0);
  if (pad.Any()) return FetchPadded(rt, y, o, pad);
  const TfLiteEvalTensor* resident = node->inputs->size == 1 ? tflite::micro::GetEvalInput(context, node, 0) : nullptr;
  ts_shape s;
  ShapeOf(y->dims, y->type, &s);
  if (ts_fetch(rt, y->data.raw, ShapeBytes(s), &s, resident ? resident->data.raw_const : nullptr,
               resident ? EvalBytes(resident) : 0, o.begin, o.count, o.offset, o.bytes, flags, nullptr) != TS_OK) {
    return RuntimeFailure(kFetch, rt);
  }
  return kTfLiteOk;
}

// ------------------------------------------------------ TinySegConcatFetch

// Op data: the part count, then the parts (4 + 12 x parts bytes).
Part* PartsAfter(void* data, size_t header) { return reinterpret_cast<Part*>(static_cast<uint8_t*>(data) + header); }

void* ConcatFetchInit(TfLiteContext* context, const char* buffer, size_t length) {
  Options o(kConcatFetch, buffer, length);
  uint32_t n = 0;
  if (!ReadParts(o, 0, nullptr, &n)) return nullptr;
  void* data = context->AllocatePersistentBuffer(context, sizeof(uint32_t) + n * sizeof(Part));
  if (data == nullptr) return nullptr;
  std::memcpy(data, &n, sizeof n);
  ReadParts(o, 0, PartsAfter(data, sizeof(uint32_t)), &n);
  return data;
}

// Checks the parts against the tensors `y` (ConcatFetch) or `x` (ConcatConv)
// has: rows and type from the resident parts, channels adding up to
// `channels`. Fills in the resident parts' channel counts.
TfLiteStatus CheckParts(const char* op, TfLiteContext* context, TfLiteNode* node, const ts_runtime* rt,
                        const TfLiteIntArray* rows_dims, TfLiteType type, uint32_t rows, uint32_t channels, Part* parts,
                        uint32_t count) {
  uint64_t sum = 0;
  for (uint32_t j = 0; j < count; j++) {
    Part& p = parts[j];
    if (p.input >= 0) {
      TempTensor t = InputTensor(context, node, p.input);
      if (t.get() == nullptr || t->type != type || !SameRows(t->dims, rows_dims) || t->dims->size == 0 ||
          t->dims->data[t->dims->size - 1] <= 0) {
        MicroPrintf("%s: part %u (input %d) is missing or does not match the other parts' rows and type", op,
                    static_cast<unsigned>(j), static_cast<int>(p.input));
        return kTfLiteError;
      }
      p.channels = static_cast<uint32_t>(t->dims->data[t->dims->size - 1]);
    } else if (p.input == kQuantizedPart) {
      if (type != kTfLiteFloat32) {
        MicroPrintf("%s: part %u is a quantized slot, which holds float32, the parts are %s", op, static_cast<unsigned>(j),
                    TfLiteTypeGetName(type));
        return kTfLiteError;
      }
      TF_LITE_ENSURE_OK(context, CheckRegion(op, rt, p.offset, TS_QUANT_HEADER + static_cast<uint64_t>(rows) * p.channels));
    } else {
      TF_LITE_ENSURE_OK(context, CheckRegion(op, rt, p.offset, static_cast<uint64_t>(rows) * p.channels * ElementSize(type)));
    }
    sum += p.channels;
  }
  if (sum != channels) {
    MicroPrintf("%s: parts add up to %u channels, the op needs %u", op, static_cast<unsigned>(std::min<uint64_t>(sum, kMaxU32)),
                static_cast<unsigned>(channels));
    return kTfLiteError;
  }
  return kTfLiteOk;
}

TfLiteStatus ConcatFetchPrepare(TfLiteContext* context, TfLiteNode* node) {
  if (node->user_data == nullptr) return MalformedOptions(kConcatFetch);
  const ts_runtime* rt = Runtime(kConcatFetch);
  if (rt == nullptr) return kTfLiteError;
  uint32_t count;
  std::memcpy(&count, node->user_data, sizeof count);
  TempTensor y = OutputTensor(context, node, 0);
  ts_shape s;
  if (node->outputs->size != 1 || y.get() == nullptr || !ShapeOf(y->dims, y->type, &s)) {
    MicroPrintf("%s: needs 1 output of type int8, uint8, int16, int32 or float32", kConcatFetch);
    return kTfLiteError;
  }
  Part* parts = PartsAfter(node->user_data, sizeof(uint32_t));
  for (uint32_t j = 0; j < count; j++) {
    if (parts[j].input >= node->inputs->size) {
      MicroPrintf("%s: part %u reads input %d, the op has %d", kConcatFetch, static_cast<unsigned>(j),
                  static_cast<int>(parts[j].input), node->inputs->size);
      return kTfLiteError;
    }
  }
  return CheckParts(kConcatFetch, context, node, rt, y->dims, y->type, s.rows, s.channels, parts, count);
}

TfLiteStatus ConcatFetchEval(TfLiteContext* context, TfLiteNode* node) {
  uint32_t count;
  std::memcpy(&count, node->user_data, sizeof count);
  const Part* parts = PartsAfter(node->user_data, sizeof(uint32_t));
  ts_runtime* rt = Runtime(kConcatFetch);
  if (rt == nullptr) return kTfLiteError;
  TfLiteEvalTensor* y = tflite::micro::GetEvalOutput(context, node, 0);
  ts_shape s;
  ShapeOf(y->dims, y->type, &s);
  uint8_t* out = reinterpret_cast<uint8_t*>(y->data.raw);
  uint32_t begin = 0;
  // Part by part in channel order, as ts_concat_fetch does (Prepare checked
  // what it checks up front), so no ts_part array of the parts' count is needed.
  for (uint32_t j = 0; j < count; j++) {
    const Part& p = parts[j];
    if (p.input >= 0) {
      const TfLiteEvalTensor* x = tflite::micro::GetEvalInput(context, node, p.input);
      CopyIntoChannels(out, reinterpret_cast<const uint8_t*>(x->data.raw_const), s, begin, p.channels);
    } else if (ts_region_read_slice(rt, out, ShapeBytes(s), &s, begin, p.channels, p.offset, PartFlags(p)) != TS_OK) {
      return RuntimeFailure(kConcatFetch, rt);
    }
    begin += p.channels;
  }
  return kTfLiteOk;
}

// --------------------------------------------------------- TinySegAddFetch

// ADD's own op data, computed by ADD's own CalculateOpDataAdd, plus the
// operand's region offset: 64 bytes on a 32-bit target.
struct AddFetchData {
  tflite::OpDataAdd add;
  uint32_t offset;
};
static_assert(sizeof(void*) != 4 || sizeof(AddFetchData) == 64, "docs/custom-ops.md: 64 bytes of op data");

struct AddFetchOptions {
  uint32_t offset, bytes, region_input, activation, quantized;
  float scale;
  int32_t zero_point;
};

bool ReadAddFetchOptions(const void* buffer, size_t length, AddFetchOptions* v) {
  Options o(kAddFetch, buffer, length);
  if (!o.Uint("offset", &v->offset) || !o.Uint("bytes", &v->bytes) || !o.Uint("region_input", &v->region_input) ||
      !o.Uint("activation", &v->activation) || !o.Scale("scale", &v->scale) || !o.Int("zero_point", &v->zero_point) ||
      !o.Flag("quantized", &v->quantized)) {
    return false;
  }
  if (v->region_input > 1 || v->activation > 3) return o.Fail("region_input or activation out of range");
  return true;
}

void* AddFetchInit(TfLiteContext* context, const char* buffer, size_t length) {
  AddFetchOptions v;
  if (!ReadAddFetchOptions(buffer, length, &v)) return nullptr;
  auto* data = static_cast<AddFetchData*>(context->AllocatePersistentBuffer(context, sizeof(AddFetchData)));
  if (data != nullptr) data->offset = v.offset;
  return data;
}

TfLiteStatus AddFetchPrepare(TfLiteContext* context, TfLiteNode* node) {
  if (node->user_data == nullptr) return MalformedOptions(kAddFetch);
  auto* data = static_cast<AddFetchData*>(node->user_data);
  AddFetchOptions v;
  if (!ReadAddFetchOptions(node->custom_initial_data, static_cast<size_t>(node->custom_initial_data_size), &v)) {
    return MalformedOptions(kAddFetch);
  }
  const ts_runtime* rt = Runtime(kAddFetch);
  if (rt == nullptr) return kTfLiteError;
  if (node->inputs->size != 1 || node->outputs->size != 1) {
    MicroPrintf("%s: needs 1 input and 1 output, has %d and %d", kAddFetch, node->inputs->size, node->outputs->size);
    return kTfLiteError;
  }
  TempTensor a = InputTensor(context, node, 0);
  TempTensor y = OutputTensor(context, node, 0);
  ts_shape s;
  if (a.get() == nullptr || y.get() == nullptr || !ShapeOf(y->dims, y->type, &s) ||
      !(y->type == kTfLiteInt8 || y->type == kTfLiteInt16 || y->type == kTfLiteFloat32)) {
    MicroPrintf("%s: needs an int8, int16 or float32 input and output", kAddFetch);
    return kTfLiteError;
  }
  if (a->type != y->type || !SameDims(a->dims, y->dims)) {
    MicroPrintf("%s: the operand does not have the output's type and shape (no broadcasting)", kAddFetch);
    return kTfLiteError;
  }
  if (v.quantized && y->type != kTfLiteFloat32) {
    MicroPrintf("%s: a quantized region operand is float32, the output is %s", kAddFetch, TfLiteTypeGetName(y->type));
    return kTfLiteError;
  }
  // A quantized operand: the header, then one int8 code per element.
  const uint64_t operand_bytes = v.quantized ? TS_QUANT_HEADER + static_cast<uint64_t>(s.rows) * s.channels : ShapeBytes(s);
  if (v.bytes != operand_bytes) {
    MicroPrintf("%s: options say %u bytes, the %soperand has %u", kAddFetch, static_cast<unsigned>(v.bytes),
                v.quantized ? "quantized " : "", static_cast<unsigned>(operand_bytes));
    return kTfLiteError;
  }
  TF_LITE_ENSURE_OK(context, CheckRegion(kAddFetch, rt, v.offset, v.bytes));
  const bool quantized = y->type != kTfLiteFloat32;
  if (quantized && (y->quantization.type == kTfLiteNoQuantization || a->quantization.type == kTfLiteNoQuantization)) {
    MicroPrintf("%s: the operand and output need quantization parameters", kAddFetch);
    return kTfLiteError;
  }
  // The region operand as ADD would have seen its tensor: y's type and
  // shape, the quantization the options carry.
  TfLiteTensor region;
  std::memset(&region, 0, sizeof region);
  region.type = y->type;
  region.dims = y->dims;
  region.params.scale = v.scale;
  region.params.zero_point = v.zero_point;
  region.quantization.type = quantized ? kTfLiteAffineQuantization : kTfLiteNoQuantization;
  TfLiteAddParams params;
  params.activation = static_cast<TfLiteFusedActivation>(v.activation);
  params.pot_scale_int16 = false;
  TfLiteTensor* input1 = v.region_input == 0 ? &region : a.get();
  TfLiteTensor* input2 = v.region_input == 0 ? a.get() : &region;
  TF_LITE_ENSURE_OK(context, tflite::CalculateOpDataAdd(context, &params, input1, input2, y.get(), &data->add));
  // Eval always passes the region operand first. The per-input parameters
  // move with it; the sum of the two scaled inputs is commutative (int32, and
  // float32 too), so the bytes are those of ADD(a, r).
  if (v.region_input == 1) {
    std::swap(data->add.input1_offset, data->add.input2_offset);
    std::swap(data->add.input1_multiplier, data->add.input2_multiplier);
    std::swap(data->add.input1_shift, data->add.input2_shift);
  }
  data->offset = v.offset;
  return kTfLiteOk;
}

// Region operand bytes staged on the stack at a time (a multiple of 4).
#ifndef TINYSEG_ADD_FETCH_CHUNK
#define TINYSEG_ADD_FETCH_CHUNK 256
#endif
static_assert(TINYSEG_ADD_FETCH_CHUNK >= 4 && TINYSEG_ADD_FETCH_CHUNK % 4 == 0, "TINYSEG_ADD_FETCH_CHUNK: a multiple of 4");

TfLiteStatus AddFetchEval(TfLiteContext* context, TfLiteNode* node) {
  const auto* data = static_cast<const AddFetchData*>(node->user_data);
  const tflite::OpDataAdd& d = data->add;
  ts_runtime* rt = Runtime(kAddFetch);
  if (rt == nullptr) return kTfLiteError;
  uint32_t flags = 0;
  TF_LITE_ENSURE_OK(context, QuantizedFlags(kAddFetch, node, &flags));
  const TfLiteEvalTensor* a = tflite::micro::GetEvalInput(context, node, 0);
  TfLiteEvalTensor* y = tflite::micro::GetEvalOutput(context, node, 0);
  tflite::ArithmeticParams op_params = {};
  if (y->type == kTfLiteFloat32) {
    tflite::SetActivationParams(d.output_activation_min_f32, d.output_activation_max_f32, &op_params);
  } else {
    op_params.left_shift = d.left_shift;
    op_params.input1_offset = d.input1_offset;
    op_params.input1_multiplier = d.input1_multiplier;
    op_params.input1_shift = d.input1_shift;
    op_params.input2_offset = d.input2_offset;
    op_params.input2_multiplier = d.input2_multiplier;
    op_params.input2_shift = d.input2_shift;
    op_params.output_offset = d.output_offset;
    op_params.output_multiplier = d.output_multiplier;
    op_params.output_shift = d.output_shift;
    tflite::SetActivationParams(d.output_activation_min, d.output_activation_max, &op_params);
  }
  // The region operand comes through a stack buffer, a chunk at a time: the
  // planner may give y the buffer of `a` (in-place reuse, elementwise ops),
  // so y cannot hold it. ADD is elementwise, so chunks compute the same
  // bytes as one call, and element i of `a` is read before y's element i is
  // written. A quantized operand is dequantized into the same buffer, as
  // float32, a chunk of elements at a time (rows of one channel).
  union {
    float f[TINYSEG_ADD_FETCH_CHUNK / 4];
    int16_t s[TINYSEG_ADD_FETCH_CHUNK / 2];
    int8_t b[TINYSEG_ADD_FETCH_CHUNK];
  } stage;
  const uint32_t total = EvalBytes(y), elem = ElementSize(y->type);
  for (uint32_t at = 0; at < total; at += TINYSEG_ADD_FETCH_CHUNK) {
    const uint32_t n = std::min<uint32_t>(TINYSEG_ADD_FETCH_CHUNK, total - at);
    if (flags != 0) {
      const ts_shape chunk = {n / elem, 1, elem};
      if (ts_region_read_rows(rt, stage.f, n, &chunk, 0, 1, data->offset, total / elem, at / elem, flags) != TS_OK) {
        return RuntimeFailure(kAddFetch, rt);
      }
    } else if (ts_region_read(rt, data->offset + at, stage.b, n) != TS_OK) {
      return RuntimeFailure(kAddFetch, rt);
    }
    const tflite::RuntimeShape shape(1, static_cast<int32_t>(n / elem));
    const size_t first = at / elem;
    if (y->type == kTfLiteFloat32) {
      tflite::reference_ops::Add(op_params, shape, stage.f, shape, tflite::micro::GetTensorData<float>(a) + first, shape,
                                 tflite::micro::GetTensorData<float>(y) + first);
    } else if (y->type == kTfLiteInt8) {
      tflite::reference_integer_ops::Add(op_params, shape, stage.b, shape, tflite::micro::GetTensorData<int8_t>(a) + first,
                                         shape, tflite::micro::GetTensorData<int8_t>(y) + first);
    } else {
      tflite::reference_ops::Add(op_params, shape, stage.s, shape, tflite::micro::GetTensorData<int16_t>(a) + first, shape,
                                 tflite::micro::GetTensorData<int16_t>(y) + first, false);
    }
  }
  return kTfLiteOk;
}

// ------------------------------------------------------- TinySegConcatConv

// Conv parameters (56 bytes on a 32-bit target, OpDataConv's size), the part
// count, then the parts: 56 + 4 + 12 x parts bytes.
struct ConcatConvData {
  int32_t pad_h, pad_w, stride_h, stride_w, dilation_h, dilation_w;
  int32_t input_offset, output_offset, activation_min, activation_max;
  int32_t* multiplier;
  int32_t* shift;
  int scratch_index;
  uint8_t padding, activation;
  // CMSIS-NN's conv context (TINYSEG_KERNELS_CMSIS_NN, int8): its scratch
  // buffer, or -1 when the conv needs none.
  int16_t context_index;
  // The parts, with kConcatConvBand set when a band's ConcatConvBand follows them.
  uint32_t part_count;
};
static_assert(sizeof(void*) != 4 || sizeof(ConcatConvData) == 56 + 4, "docs/custom-ops.md: 56 + 4 + 12 x parts bytes");

// A band (option first_row): y holds output rows [first_row, first_row + y's
// rows); the input's rows and columns where no part is resident (else 0), the
// depth multiplier of a depthwise band (0: a conv), and the op input that
// holds an int8 band's multipliers and shifts (-1: Prepare computes them).
// That input is a constant int32 [2, output channels] in the model, shared by
// the layer's bands: kept in each band's op data, they would cost 8 bytes per
// output channel per band for the whole run.
struct ConcatConvBand {
  uint16_t height, width, first_row, depth_multiplier;
  int32_t multipliers;
  int32_t reserved;
};
static_assert(sizeof(ConcatConvBand) == 16, "docs/custom-ops.md: a band adds 16 bytes");
constexpr uint32_t kConcatConvBand = 0x80000000u;

// A band that writes its rows to the spill region (option out_offset; the op
// has no output): output row first_row + r goes to offset + r x a row's bytes,
// `chunk` rows at a time computed into the scratch buffer `scratch_index`.
// After the band's 16 bytes.
struct ConcatConvOut {
  uint32_t offset;
  uint16_t rows, chunk;
  int16_t scratch_index, reserved;
};
static_assert(sizeof(ConcatConvOut) == 12, "docs/custom-ops.md: rows to the region add 12 bytes");
constexpr uint32_t kConcatConvOut = 0x40000000u;

uint32_t PartCount(const ConcatConvData& data) { return data.part_count & ~(kConcatConvBand | kConcatConvOut); }

ConcatConvBand* BandOf(const ConcatConvData& data) {
  if ((data.part_count & kConcatConvBand) == 0) return nullptr;
  return reinterpret_cast<ConcatConvBand*>(PartsAfter(const_cast<ConcatConvData*>(&data), sizeof(ConcatConvData)) + PartCount(data));
}

ConcatConvOut* RegionOutOf(const ConcatConvData& data) {
  if ((data.part_count & kConcatConvOut) == 0) return nullptr;
  return reinterpret_cast<ConcatConvOut*>(BandOf(data) + 1);
}

// A band's per-channel multipliers and shifts as op input `index`: what
// PopulateConvolutionQuantizationParams computes, in the model as a constant
// int32 [2, out_channels] tensor its layer's bands share.
TfLiteStatus CheckLayerMultipliers(TfLiteContext* context, TfLiteNode* node, const char* op, int index, int out_channels) {
  if (index >= node->inputs->size) {
    MicroPrintf("%s: its multipliers are input %d, the op has %d", op, index, node->inputs->size);
    return kTfLiteError;
  }
  TempTensor m = InputTensor(context, node, index);
  if (m.get() == nullptr || m->type != kTfLiteInt32 || m->allocation_type != kTfLiteMmapRo || m->dims->size != 2 ||
      m->dims->data[0] != 2 || m->dims->data[1] != out_channels) {
    MicroPrintf("%s: its multipliers (input %d) must be a constant int32 [2, %d] tensor", op, index, out_channels);
    return kTfLiteError;
  }
  return kTfLiteOk;
}

constexpr int kConcatConvFilter = 0;
constexpr int kConcatConvBias = 1;
constexpr int kConcatConvFirstPart = 2;

TfLitePadding PaddingOf(uint8_t padding) { return padding == 0 ? kTfLitePaddingSame : kTfLitePaddingValid; }

// The window parameters of TFLM's reference conv or depthwise conv (ConvParams,
// DepthwiseParams) from a TinySeg conv's op data: the height padding is set per
// call (the rows staged), the depth multiplier by the caller.
template <typename Params, typename Data>
Params WindowParams(const Data& d) {
  Params p = {};
  p.padding_type = d.padding == 0 ? tflite::PaddingType::kSame : tflite::PaddingType::kValid;
  p.padding_values.width = static_cast<int16_t>(d.pad_w);
  p.stride_width = static_cast<int16_t>(d.stride_w);
  p.stride_height = static_cast<int16_t>(d.stride_h);
  p.dilation_width_factor = static_cast<int16_t>(d.dilation_w);
  p.dilation_height_factor = static_cast<int16_t>(d.dilation_h);
  p.input_offset = d.input_offset;
  p.output_offset = d.output_offset;
  p.quantized_activation_min = d.activation_min;
  p.quantized_activation_max = d.activation_max;
  return p;
}

// Output rows [oy, oy + rows) read input rows [origin, origin + (rows - 1) x
// stride + span): those inside the image, [from, to), are staged in the window
// (or read in place).
struct RowSpan {
  int origin, from, to;
};

// `Data`: a TinySeg conv's op data (ConcatConvData, ConvInPlaceData), whose
// window fields have the same names.
template <typename Data>
RowSpan RowsOf(const Data& data, int height, int span, int oy, int rows = 1) {
  const int origin = oy * data.stride_h - data.pad_h;
  const int from = std::max(0, origin);
  return {origin, from, std::max(from, std::min(height, static_cast<int>(origin + (rows - 1) * data.stride_h + span)))};
}

// A band that reads its rows in place: its one part is resident, so its input
// rows lie whole and in order in that tensor, and one conv call on them
// computes all its output rows. Nothing is staged; no window is requested.
bool ReadsInPlace(const ConcatConvData& data, const Part* parts) {
  return BandOf(data) != nullptr && PartCount(data) == 1 && parts[0].input >= 0;
}

#if TINYSEG_CMSIS_NN_CONV
// One CMSIS-NN conv call: output rows [oy, oy + rows) over the staged (or
// resident) rows, the top padding putting input row `from` at the first row.
// CMSIS-NN's conv fills taps outside its input with the input zero point (no
// contribution), as the reference conv skips them.
struct CmsisConvRow {
  cmsis_nn_conv_params params;
  cmsis_nn_dims input, filter, output;
};

template <typename Data>
CmsisConvRow CmsisRow(const Data& data, const TfLiteIntArray* x_dims, const TfLiteIntArray* filter_dims, int out_w, int oy, int rows) {
  const int kh = filter_dims->data[1];
  const RowSpan r = RowsOf(data, x_dims->data[1], (kh - 1) * data.dilation_h + 1, oy, rows);
  CmsisConvRow c;
  std::memset(&c, 0, sizeof c);
  c.params.input_offset = data.input_offset;
  c.params.output_offset = data.output_offset;
  c.params.stride = {data.stride_w, data.stride_h};
  c.params.padding = {data.pad_w, r.from - r.origin};
  c.params.dilation = {data.dilation_w, data.dilation_h};
  c.params.activation = {data.activation_min, data.activation_max};
  c.input = {1, r.to - r.from, x_dims->data[2], filter_dims->data[3]};
  c.filter = {filter_dims->data[0], kh, filter_dims->data[2], filter_dims->data[3]};
  c.output = {1, rows, out_w, filter_dims->data[0]};
  return c;
}

// The same for output row `oy` of an int8 depthwise band of depth multiplier
// `multiplier` (filter [1, kH, kW, C x multiplier]), as TFLM's CMSIS-NN
// depthwise conv passes its dims.
struct CmsisDepthwiseRow {
  cmsis_nn_dw_conv_params params;
  cmsis_nn_dims input, filter, output;
};

template <typename Data>
CmsisDepthwiseRow CmsisDwRow(const Data& data, const TfLiteIntArray* x_dims, const TfLiteIntArray* filter_dims, int out_w,
                             int multiplier, int oy, int rows) {
  const int kh = filter_dims->data[1], out_c = filter_dims->data[3];
  const RowSpan r = RowsOf(data, x_dims->data[1], (kh - 1) * data.dilation_h + 1, oy, rows);
  CmsisDepthwiseRow c;
  std::memset(&c, 0, sizeof c);
  c.params.input_offset = data.input_offset;
  c.params.output_offset = data.output_offset;
  c.params.ch_mult = multiplier;
  c.params.stride = {data.stride_w, data.stride_h};
  c.params.padding = {data.pad_w, r.from - r.origin};
  c.params.dilation = {data.dilation_w, data.dilation_h};
  c.params.activation = {data.activation_min, data.activation_max};
  c.input = {1, r.to - r.from, x_dims->data[2], out_c / multiplier};
  c.filter = {1, kh, filter_dims->data[2], out_c};
  c.output = {1, rows, out_w, out_c};
  return c;
}
#endif

void* ConcatConvInit(TfLiteContext* context, const char* buffer, size_t length) {
  Options o(kConcatConv, buffer, length);
  uint32_t n = 0, padding = 0, activation = 0, sh = 0, sw = 0, dh = 0, dw = 0;
  int32_t zero_point = 0;
  float scale = 0;
  if (!ReadParts(o, kConcatConvFirstPart, nullptr, &n) || !o.Uint("padding", &padding) || !o.Uint("stride_h", &sh) ||
      !o.Uint("stride_w", &sw) || !o.Uint("dilation_h", &dh) || !o.Uint("dilation_w", &dw) ||
      !o.Uint("activation", &activation) || !o.Scale("input_scale", &scale) || !o.Int("input_zero_point", &zero_point)) {
    return nullptr;
  }
  if (padding > 1 || activation > 3 || std::min(std::min(sh, sw), std::min(dh, dw)) < 1 ||
      std::max(std::max(sh, sw), std::max(dh, dw)) > 0x7fffu) {
    o.Fail("padding, strides, dilations or activation out of range");
    return nullptr;
  }
  // A band: its first output row, and the input's height and width where no part is resident (0: from the parts).
  const bool band = o.Has("first_row");
  uint32_t first_row = 0, height = 0, width = 0;
  if (band && !o.Uint("first_row", &first_row)) return nullptr;
  if (o.Has("height") || o.Has("width")) {
    if (!band) {
      o.Fail("height and width are a band's (with first_row)");
      return nullptr;
    }
    if (!o.Uint("height", &height) || !o.Uint("width", &width)) return nullptr;
    if (height < 1 || width < 1 || height > 0xffffu || width > 0xffffu) {
      o.Fail("height and width must be in 1..65535");
      return nullptr;
    }
  }
  // A depthwise band's depth multiplier (0: a conv), and the op input of an int8 band's multipliers (0: none).
  uint32_t multiplier = 0, multipliers = 0;
  if (!o.BandUint("depth_multiplier", band, 1, 0x7fffu, &multiplier) || !o.BandUint("multipliers", band, 2, 0x7fffu, &multipliers)) {
    return nullptr;
  }
  // A band's rows to the region: their offset (their bytes, and the output's quantization, Prepare reads).
  const bool region = o.Has("out_offset");
  uint32_t out_offset = 0, out_chunk = 0;
  if (region && (!band || !o.Uint("out_offset", &out_offset) || !o.Uint("out_chunk", &out_chunk))) {
    if (!band) o.Fail("out_offset is a band's (with first_row)");
    return nullptr;
  }
  if (region && (out_chunk < 1 || out_chunk > 0xffffu)) {
    o.Fail("out_chunk must be in 1..65535");
    return nullptr;
  }
  if (n >= kConcatConvOut || first_row > 0xffffu) {
    o.Fail("too many parts, or first_row over 65535");
    return nullptr;
  }
  const size_t bytes = sizeof(ConcatConvData) + n * sizeof(Part) + (band ? sizeof(ConcatConvBand) : 0) + (region ? sizeof(ConcatConvOut) : 0);
  auto* data = static_cast<ConcatConvData*>(context->AllocatePersistentBuffer(context, bytes));
  if (data == nullptr) return nullptr;
  std::memset(data, 0, sizeof *data);
  data->stride_h = static_cast<int32_t>(sh);
  data->stride_w = static_cast<int32_t>(sw);
  data->dilation_h = static_cast<int32_t>(dh);
  data->dilation_w = static_cast<int32_t>(dw);
  data->padding = static_cast<uint8_t>(padding);
  data->activation = static_cast<uint8_t>(activation);
  data->input_offset = -zero_point;
  data->context_index = -1;
  data->part_count = n | (band ? kConcatConvBand : 0) | (region ? kConcatConvOut : 0);
  ReadParts(o, kConcatConvFirstPart, PartsAfter(data, sizeof(ConcatConvData)), &n);
  if (band) {
    ConcatConvBand* b = BandOf(*data);
    b->height = static_cast<uint16_t>(height);
    b->width = static_cast<uint16_t>(width);
    b->first_row = static_cast<uint16_t>(first_row);
    b->depth_multiplier = static_cast<uint16_t>(multiplier);
    b->multipliers = multipliers > 0 ? static_cast<int32_t>(multipliers) : -1;
    b->reserved = 0;
  }
  if (region) *RegionOutOf(*data) = {out_offset, 0, static_cast<uint16_t>(out_chunk), -1, 0};
  return data;
}

TfLiteStatus ConcatConvPrepare(TfLiteContext* context, TfLiteNode* node) {
  if (node->user_data == nullptr) return MalformedOptions(kConcatConv);
  auto* data = static_cast<ConcatConvData*>(node->user_data);
  Part* parts = PartsAfter(data, sizeof(ConcatConvData));
  const ts_runtime* rt = Runtime(kConcatConv);
  if (rt == nullptr) return kTfLiteError;
  ConcatConvOut* region = RegionOutOf(*data);
  float input_scale = 0, out_scale = 0;
  uint32_t out_bytes = 0;
  int32_t out_zero_point = 0;
  {
    Options o(kConcatConv, node->custom_initial_data, static_cast<size_t>(node->custom_initial_data_size));
    if (!o.Scale("input_scale", &input_scale)) return MalformedOptions(kConcatConv);
    if (region != nullptr && (!o.Uint("out_bytes", &out_bytes) || !o.Scale("out_scale", &out_scale) ||
                              !o.Int("out_zero_point", &out_zero_point))) {
      return MalformedOptions(kConcatConv);
    }
  }
  const ConcatConvBand* band = BandOf(*data);
  const uint32_t part_count = PartCount(*data);
  int first = -1;
  for (uint32_t j = 0; j < part_count; j++) {
    if (parts[j].input >= node->inputs->size) {
      MicroPrintf("%s: part %u reads input %d, the op has %d", kConcatConv, static_cast<unsigned>(j),
                  static_cast<int>(parts[j].input), node->inputs->size);
      return kTfLiteError;
    }
    if (parts[j].input >= 0 && first < 0) first = parts[j].input;
  }
  TempTensor filter = InputTensor(context, node, kConcatConvFilter);
  TempTensor bias = InputTensor(context, node, kConcatConvBias);
  TempTensor y = OutputTensor(context, node, 0);
  TempTensor x = InputTensor(context, node, first);
  // The input's dims come from a resident part, or from a band's options (batch 1) where no part is resident.
  const bool own_dims = band != nullptr && band->height > 0;
  // A band that writes its rows to the region has no output.
  if (node->outputs->size != (region != nullptr ? 0 : 1) || filter.get() == nullptr || (y.get() == nullptr) != (region != nullptr) ||
      filter->dims->size != 4 || (y.get() != nullptr && y->dims->size != 4) || (x.get() == nullptr) != own_dims ||
      (x.get() != nullptr && x->dims->size != 4)) {
    MicroPrintf("%s: needs a 4-D filter, a 4-D output (none where it writes its rows to the region) and a 4-D resident part, "
                "or a band's height and width and none", kConcatConv);
    return kTfLiteError;
  }
  // A depthwise band: filter [1, kH, kW, C x multiplier].
  const int multiplier = band != nullptr ? band->depth_multiplier : 0;
  if (multiplier > 0 && (filter->dims->data[0] != 1 || filter->dims->data[3] % multiplier != 0)) {
    MicroPrintf("%s: a depthwise band needs a [1, kH, kW, C x %d] filter", kConcatConv, multiplier);
    return kTfLiteError;
  }
  const int in_channels = multiplier > 0 ? filter->dims->data[3] / multiplier : filter->dims->data[3];
  const int own[5] = {4, 1, own_dims ? band->height : 0, own_dims ? band->width : 0, in_channels};
  const TfLiteIntArray* x_dims = own_dims ? reinterpret_cast<const TfLiteIntArray*>(own) : x->dims;
  // A bias whose temporary tensor did not fit in the arena is not an absent bias: the arena is too small.
  if (HasInput(node, kConcatConvBias) && bias.get() == nullptr) {
    MicroPrintf("%s: its bias does not fit in the arena", kConcatConv);
    return kTfLiteError;
  }
  const TfLiteType type = own_dims ? filter->type : x->type;
  const bool int8 = type == kTfLiteInt8;
  const int batches = x_dims->data[0], height = x_dims->data[1], width = x_dims->data[2];
  const int out_channels = multiplier > 0 ? filter->dims->data[3] : filter->dims->data[0];
  const int kh = filter->dims->data[1], kw = filter->dims->data[2];
  int out_h = 0, out_w = 0;
  const TfLitePaddingValues pad =
      tflite::ComputePaddingHeightWidth(data->stride_h, data->stride_w, data->dilation_h, data->dilation_w, height, width, kh,
                                        kw, PaddingOf(data->padding), &out_h, &out_w);
  // The rows to the region as a tensor of their own: [1, rows, out_w, out_channels] of the options' quantization.
  TfLiteTensor region_rows;
  int region_dims[5] = {4, 1, 0, out_w, out_channels};
  if (region != nullptr) {
    const uint64_t row_bytes = static_cast<uint64_t>(std::max(out_w, 0)) * std::max(out_channels, 0) * ElementSize(type);
    if (row_bytes == 0 || out_bytes % row_bytes != 0 || out_bytes / row_bytes > 0xffffu) {
      MicroPrintf("%s: out_bytes %u is not a whole number (up to 65535) of %u-byte output rows", kConcatConv,
                  static_cast<unsigned>(out_bytes), static_cast<unsigned>(std::min<uint64_t>(row_bytes, kMaxU32)));
      return kTfLiteError;
    }
    region->rows = static_cast<uint16_t>(out_bytes / row_bytes);
    region_dims[2] = region->rows;
    TF_LITE_ENSURE_OK(context, CheckRegion(kConcatConv, rt, region->offset, out_bytes));
    std::memset(&region_rows, 0, sizeof region_rows);
    region_rows.type = type;
    region_rows.dims = reinterpret_cast<TfLiteIntArray*>(region_dims);
    region_rows.params.scale = out_scale;
    region_rows.params.zero_point = out_zero_point;
  }
  TfLiteTensor* out = region != nullptr ? &region_rows : y.get();
  if (!(int8 || type == kTfLiteFloat32) || out->type != type || filter->type != type ||
      (bias.get() != nullptr && bias->type != (int8 ? kTfLiteInt32 : kTfLiteFloat32))) {
    MicroPrintf("%s: needs int8 (int32 bias) or float32 parts, filter and output, got %s", kConcatConv, TfLiteTypeGetName(type));
    return kTfLiteError;
  }
  if (out->dims->data[0] != batches || out->dims->data[3] != out_channels || out_channels <= 0 || in_channels <= 0 ||
      (bias.get() != nullptr && tflite::NumElements(bias.get()) != out_channels)) {
    MicroPrintf("%s: filter, bias, parts and output do not fit together", kConcatConv);
    return kTfLiteError;
  }
  ts_shape rows;
  if (!ShapeOf(x_dims, type, &rows)) {
    MicroPrintf("%s: the input is empty or over 4 GiB", kConcatConv);
    return kTfLiteError;
  }
  TF_LITE_ENSURE_OK(context, CheckParts(kConcatConv, context, node, rt, x_dims, type, rows.rows,
                                        static_cast<uint32_t>(in_channels), parts, part_count));

  // Per-channel multipliers and shifts of an int8 conv (float32 has none to keep:
  // its bands would pay them per band), unless a band reads them from its input.
  const bool input_multipliers = band != nullptr && band->multipliers >= 0;
  if (input_multipliers && !int8) {
    MicroPrintf("%s: multipliers are an int8 band's", kConcatConv);
    return kTfLiteError;
  }
  if (int8 && !input_multipliers) {
    data->multiplier = static_cast<int32_t*>(context->AllocatePersistentBuffer(context, out_channels * sizeof(int32_t)));
    data->shift = static_cast<int32_t*>(context->AllocatePersistentBuffer(context, out_channels * sizeof(int32_t)));
    TF_LITE_ENSURE(context, data->multiplier != nullptr && data->shift != nullptr);
  }
  data->pad_h = pad.height;
  data->pad_w = pad.width;
  if (band != nullptr && (batches != 1 || band->first_row + out->dims->data[1] > out_h || out->dims->data[2] != out_w)) {
    MicroPrintf("%s: output rows [%d, %d) x %d are not a band of the %d x %d output of a batch-1 input", kConcatConv,
                static_cast<int>(band->first_row), static_cast<int>(band->first_row + out->dims->data[1]),
                static_cast<int>(out->dims->data[2]), out_h, out_w);
    return kTfLiteError;
  }
  if (int8) {
    TF_LITE_ENSURE_EQ(context, filter->quantization.type, kTfLiteAffineQuantization);
    const auto* q = static_cast<const TfLiteAffineQuantization*>(filter->quantization.params);
    TF_LITE_ENSURE(context, q != nullptr && q->scale != nullptr && q->zero_point != nullptr);
    TF_LITE_ENSURE(context, q->scale->size == 1 || q->scale->size == out_channels);
    TF_LITE_ENSURE(context, q->scale->size == 1 || (q->quantized_dimension >= 0 && q->quantized_dimension < 4 &&
                                                    filter->dims->data[q->quantized_dimension] == out_channels));
    if (input_multipliers) {
      TF_LITE_ENSURE_OK(context, CheckLayerMultipliers(context, node, kConcatConv, band->multipliers, out_channels));
      TF_LITE_ENSURE_STATUS(tflite::CalculateActivationRangeQuantized(
          context, static_cast<TfLiteFusedActivation>(data->activation), out, &data->activation_min, &data->activation_max));
    } else {
      // The concatenation's tensor is gone; its quantization is in the options.
      TfLiteTensor input;
      std::memset(&input, 0, sizeof input);
      input.type = type;
      input.dims = const_cast<TfLiteIntArray*>(x_dims);
      input.params.scale = input_scale;
      input.params.zero_point = -data->input_offset;
      input.quantization.type = kTfLiteAffineQuantization;
      int32_t multiplier = 0;
      int shift = 0;
      TF_LITE_ENSURE_STATUS(tflite::PopulateConvolutionQuantizationParams(
          context, &input, filter.get(), bias.get(), out, static_cast<TfLiteFusedActivation>(data->activation), &multiplier,
          &shift, &data->activation_min, &data->activation_max, data->multiplier, data->shift, out_channels));
    }
    data->output_offset = out->params.zero_point;
  }
  TF_LITE_ENSURE(context, kh > 0);
  // A band that reads its rows in place stages none: no window.
  const bool in_place = ReadsInPlace(*data, parts);
  data->scratch_index = -1;
  // Rows to the region: a chunk of output rows per conv call, staged (or read in place) together.
  const int chunk = region != nullptr ? std::min<int>(region->chunk, region->rows) : 0;
  if (!in_place) {
    uint64_t rows = static_cast<uint64_t>(kh - 1) * data->dilation_h + 1;
    if (region != nullptr) {
      rows = 0;
      for (int c0 = 0; c0 < region->rows; c0 += chunk) {
        const RowSpan r = RowsOf(*data, height, static_cast<int>((kh - 1) * data->dilation_h + 1), band->first_row + c0,
                                 std::min(chunk, region->rows - c0));
        rows = std::max<uint64_t>(rows, static_cast<uint64_t>(r.to - r.from));
      }
    }
    const uint64_t window = rows * static_cast<uint64_t>(width) * in_channels * ElementSize(type);
    TF_LITE_ENSURE(context, window <= static_cast<uint64_t>(INT32_MAX));
    TF_LITE_ENSURE_OK(context, context->RequestScratchBufferInArena(context, static_cast<size_t>(window), &data->scratch_index));
  }
#if TINYSEG_CMSIS_NN_CONV
  // An int8 conv, or depthwise band, calls CMSIS-NN's kernel once per output
  // row on the staged rows, or once on a band's rows in place: its buffer is
  // the largest any call asks for (the dims ConcatConvEval passes).
  if (int8) {
    TF_LITE_ENSURE(context, multiplier > 0 || (std::max(std::max(width, in_channels), std::max(out_w, out_channels)) <= 0xffff &&
                                               std::max(kh, static_cast<int>(filter->dims->data[2])) <= 0xffff));
    // One call per chunk of the rows it writes to the region, one on a band's rows in place, else one per row.
    const int band_rows = out->dims->data[1];
    const bool by_rows = region != nullptr || in_place;
    const int step = region != nullptr ? chunk : band_rows;
    const int calls = by_rows ? (band_rows + step - 1) / step : out_h;
    int32_t context_bytes = 0;
    for (int k = 0; k < calls; k++) {
      const int oy = by_rows ? band->first_row + k * step : k;
      const int rows = by_rows ? std::min(step, band_rows - k * step) : 1;
      if (multiplier > 0) {
        const CmsisDepthwiseRow c = CmsisDwRow(*data, x_dims, filter->dims, out_w, multiplier, oy, rows);
        context_bytes = std::max(context_bytes, arm_depthwise_conv_wrapper_s8_get_buffer_size(&c.params, &c.input, &c.filter, &c.output));
      } else {
        const CmsisConvRow c = CmsisRow(*data, x_dims, filter->dims, out_w, oy, rows);
        context_bytes = std::max(context_bytes, arm_convolve_wrapper_s8_get_buffer_size(&c.params, &c.input, &c.filter, &c.output));
      }
    }
    if (context_bytes > 0) {
      int index = -1;
      TF_LITE_ENSURE_OK(context, context->RequestScratchBufferInArena(context, static_cast<size_t>(context_bytes), &index));
      TF_LITE_ENSURE(context, index >= 0 && index <= INT16_MAX);
      data->context_index = static_cast<int16_t>(index);
    }
  }
#endif
  // The chunk of output rows a band computes before it writes them to the region: after the window and CMSIS-NN's
  // buffer.
  if (region != nullptr) {
    int index = -1;
    const size_t rows = static_cast<size_t>(std::min<int>(region->chunk, region->rows)) * out_w * out_channels * ElementSize(type);
    TF_LITE_ENSURE_OK(context, context->RequestScratchBufferInArena(context, rows, &index));
    TF_LITE_ENSURE(context, index >= 0 && index <= INT16_MAX);
    region->scratch_index = static_cast<int16_t>(index);
  }
  return kTfLiteOk;
}

// Stages input rows [from, to) of image n, every part, into `window` (rows of
// W x C elements). A quantized part is dequantized into the window as float32.
TfLiteStatus StageRows(TfLiteContext* context, TfLiteNode* node, ts_runtime* rt, const ConcatConvData& data, int batches, int n,
                       int height, int width, int channels, uint32_t elem, int from, int to, uint8_t* window) {
  const Part* parts = PartsAfter(const_cast<ConcatConvData*>(&data), sizeof(ConcatConvData));
  const uint32_t pixels = static_cast<uint32_t>((to - from) * width);
  const ts_shape s = {pixels, static_cast<uint32_t>(channels), elem};
  const uint64_t first_pixel = (static_cast<uint64_t>(n) * height + from) * width;
  const uint64_t all_pixels = static_cast<uint64_t>(batches) * height * width;
  uint32_t begin = 0;
  for (uint32_t j = 0; j < PartCount(data); j++) {
    const Part& p = parts[j];
    if (p.input >= 0) {
      const uint64_t skip = first_pixel * p.channels * elem;
      const TfLiteEvalTensor* t = tflite::micro::GetEvalInput(context, node, p.input);
      CopyIntoChannels(window, reinterpret_cast<const uint8_t*>(t->data.raw_const) + skip, s, begin, p.channels);
    } else if (ts_region_read_rows(rt, window, ShapeBytes(s), &s, begin, p.channels, p.offset, static_cast<uint32_t>(all_pixels),
                                   static_cast<uint32_t>(first_pixel), PartFlags(p)) != TS_OK) {
      return RuntimeFailure(kConcatConv, rt);
    }
    begin += p.channels;
  }
  return kTfLiteOk;
}

// Output rows of a depthwise band (one on the staged rows, or all of them in
// place), with the reference kernel (float32, or int8 per channel where
// CMSIS-NN's is not built).
void DepthwiseRow(const tflite::DepthwiseParams& params, const int32_t* multiplier, const int32_t* shift, const tflite::RuntimeShape& in_shape,
                  const uint8_t* window, const TfLiteEvalTensor* filter, const TfLiteEvalTensor* bias,
                  const tflite::RuntimeShape& out_shape, uint8_t* out) {
  const tflite::RuntimeShape filter_shape = tflite::micro::GetTensorShape(filter);
  const tflite::RuntimeShape bias_shape = tflite::micro::GetTensorShape(bias);
  if (filter->type == kTfLiteInt8) {
    tflite::reference_integer_ops::DepthwiseConvPerChannel(
        params, multiplier, shift, in_shape, reinterpret_cast<const int8_t*>(window), filter_shape,
        tflite::micro::GetTensorData<int8_t>(filter), bias_shape, tflite::micro::GetOptionalTensorData<int32_t>(bias), out_shape,
        reinterpret_cast<int8_t*>(out));
  } else {
    tflite::reference_ops::DepthwiseConv(params, in_shape, reinterpret_cast<const float*>(window), filter_shape,
                                         tflite::micro::GetTensorData<float>(filter), bias_shape,
                                         tflite::micro::GetOptionalTensorData<float>(bias), out_shape, reinterpret_cast<float*>(out));
  }
}

TfLiteStatus ConcatConvEval(TfLiteContext* context, TfLiteNode* node) {
  const auto& data = *static_cast<const ConcatConvData*>(node->user_data);
  const Part* parts = PartsAfter(const_cast<ConcatConvData*>(&data), sizeof(ConcatConvData));
  ts_runtime* rt = Runtime(kConcatConv);
  if (rt == nullptr) return kTfLiteError;
  const ConcatConvBand* band = BandOf(data);
  int first = -1;
  for (uint32_t j = 0; j < PartCount(data); j++) {
    if (parts[j].input >= 0) {
      first = parts[j].input;
      break;
    }
  }
  const TfLiteEvalTensor* filter = tflite::micro::GetEvalInput(context, node, kConcatConvFilter);
  const TfLiteEvalTensor* bias = tflite::micro::GetEvalInput(context, node, kConcatConvBias);
  const ConcatConvOut* region = RegionOutOf(data);
  TfLiteEvalTensor* y = region != nullptr ? nullptr : tflite::micro::GetEvalOutput(context, node, 0);
  // Prepare checked: a resident part gives the dims, or the band's options do.
  const int multiplier = band != nullptr ? band->depth_multiplier : 0;
  const int channels = multiplier > 0 ? filter->dims->data[3] / multiplier : filter->dims->data[3];
  const int own[5] = {4, 1, band != nullptr ? band->height : 0, band != nullptr ? band->width : 0, channels};
  const TfLiteIntArray* x_dims =
      first >= 0 ? tflite::micro::GetEvalInput(context, node, first)->dims : reinterpret_cast<const TfLiteIntArray*>(own);
  const int first_row = band != nullptr ? band->first_row : 0;
  const int batches = x_dims->data[0], height = x_dims->data[1], width = x_dims->data[2];
  const int kh = filter->dims->data[1];
  const int out_c = multiplier > 0 ? filter->dims->data[3] : filter->dims->data[0];
  int out_h = region != nullptr ? region->rows : y->dims->data[1], out_w = 0;
  if (region != nullptr) {
    int whole_h = 0;
    tflite::ComputePaddingHeightWidth(data.stride_h, data.stride_w, data.dilation_h, data.dilation_w, height, width, kh,
                                      filter->dims->data[2], PaddingOf(data.padding), &whole_h, &out_w);
  } else {
    out_w = y->dims->data[2];
  }
  const uint32_t elem = ElementSize(filter->type);
  const size_t row_bytes = static_cast<size_t>(width) * channels * elem;
  const int span = (kh - 1) * data.dilation_h + 1;
  // An int8 band's multipliers and shifts: its constant input's rows, else Prepare's.
  int32_t* multipliers = data.multiplier;
  int32_t* shifts = data.shift;
  if (band != nullptr && band->multipliers >= 0) {
    // CMSIS-NN's quant params take them non-const; no kernel writes them.
    multipliers = const_cast<int32_t*>(tflite::micro::GetEvalInput(context, node, band->multipliers)->data.i32);
    shifts = multipliers + out_c;
  }

  auto params = WindowParams<tflite::ConvParams>(data);
  tflite::CalculateActivationRange(static_cast<TfLiteFusedActivation>(data.activation), &params.float_activation_min,
                                   &params.float_activation_max);
  auto depthwise = WindowParams<tflite::DepthwiseParams>(data);
  depthwise.depth_multiplier = static_cast<int16_t>(multiplier);
  depthwise.float_activation_min = params.float_activation_min;
  depthwise.float_activation_max = params.float_activation_max;
  const tflite::RuntimeShape filter_shape = tflite::micro::GetTensorShape(filter);
  const tflite::RuntimeShape bias_shape = tflite::micro::GetTensorShape(bias);

  // The conv on input rows `r` at `in` (staged or in place): output rows
  // [oy, oy + rows) of the conv, at `out`, the top padding putting input row
  // r.from at the first row.
  auto conv = [&](const uint8_t* in, const RowSpan& r, int oy, int rows, uint8_t* out) -> TfLiteStatus {
    static_cast<void>(oy);  // CMSIS-NN's dims only
    params.padding_values.height = static_cast<int16_t>(r.from - r.origin);
    depthwise.padding_values.height = params.padding_values.height;
    const int32_t in_dims[4] = {1, r.to - r.from, width, channels};
    const tflite::RuntimeShape in_shape(4, in_dims);
    const int32_t out_dims[4] = {1, rows, out_w, out_c};
    const tflite::RuntimeShape out_shape(4, out_dims);
    if (filter->type == kTfLiteInt8 && TINYSEG_CMSIS_NN_CONV) {
#if TINYSEG_CMSIS_NN_CONV
      // CMSIS-NN's int8 conv or depthwise conv.
      const cmsis_nn_context ctx = {data.context_index < 0 ? nullptr : context->GetScratchBuffer(context, data.context_index), 0};
      const cmsis_nn_per_channel_quant_params quant = {multipliers, shifts};
      const cmsis_nn_dims bias_dims = {1, 1, 1, out_c};
      const int8_t* x = reinterpret_cast<const int8_t*>(in);
      const int8_t* w = tflite::micro::GetTensorData<int8_t>(filter);
      const int32_t* b = tflite::micro::GetOptionalTensorData<int32_t>(bias);
      int8_t* o = reinterpret_cast<int8_t*>(out);
      arm_cmsis_nn_status status;
      if (multiplier > 0) {
        const CmsisDepthwiseRow c = CmsisDwRow(data, x_dims, filter->dims, out_w, multiplier, oy, rows);
        status = arm_depthwise_conv_wrapper_s8(&ctx, &c.params, &quant, &c.input, x, &c.filter, w, &bias_dims, b, &c.output, o);
      } else {
        const CmsisConvRow c = CmsisRow(data, x_dims, filter->dims, out_w, oy, rows);
        status = arm_convolve_wrapper_s8(&ctx, &c.params, &quant, &c.input, x, &c.filter, w, &bias_dims, b, &c.output, o);
      }
      if (status != ARM_CMSIS_NN_SUCCESS) {
        MicroPrintf("%s: CMSIS-NN's %s failed on output row %d", kConcatConv, multiplier > 0 ? "depthwise conv" : "conv", oy);
        return kTfLiteError;
      }
#endif
    } else if (multiplier > 0) {
      DepthwiseRow(depthwise, multipliers, shifts, in_shape, in, filter, bias, out_shape, out);
    } else if (filter->type == kTfLiteInt8) {
      tflite::reference_integer_ops::ConvPerChannel(
          params, multipliers, shifts, in_shape, reinterpret_cast<const int8_t*>(in), filter_shape,
          tflite::micro::GetTensorData<int8_t>(filter), bias_shape, tflite::micro::GetOptionalTensorData<int32_t>(bias), out_shape,
          reinterpret_cast<int8_t*>(out));
    } else {
      tflite::reference_ops::Conv(params, in_shape, reinterpret_cast<const float*>(in), filter_shape,
                                  tflite::micro::GetTensorData<float>(filter), bias_shape,
                                  tflite::micro::GetOptionalTensorData<float>(bias), out_shape, reinterpret_cast<float*>(out),
                                  tflite::RuntimeShape(), nullptr);
    }
    return kTfLiteOk;
  };

  const size_t out_row_bytes = static_cast<size_t>(out_w) * out_c * elem;
  if (region != nullptr) {
    // Batch 1 (Prepare checked): each chunk of output rows in one call into the scratch buffer, on its input rows in
    // place or staged together, then to its place in the region.
    uint8_t* rows = static_cast<uint8_t*>(context->GetScratchBuffer(context, region->scratch_index));
    const bool in_place = ReadsInPlace(data, parts);
    const auto* x = in_place ? reinterpret_cast<const uint8_t*>(tflite::micro::GetEvalInput(context, node, first)->data.raw_const) : nullptr;
    uint8_t* window = in_place ? nullptr : static_cast<uint8_t*>(context->GetScratchBuffer(context, data.scratch_index));
    int staged_from = 0, staged_to = 0;  // input rows the window holds, from its top
    for (int c0 = 0; c0 < out_h; c0 += region->chunk) {
      const int n = std::min<int>(region->chunk, out_h - c0);
      const RowSpan r = RowsOf(data, height, span, first_row + c0, n);
      if (x == nullptr) {
        // Consecutive chunks share input rows when the chunk's stride is below its span: moved up, not read again.
        int ready = r.from;
        if (r.from >= staged_from && r.from < staged_to) {
          ready = std::min(staged_to, r.to);
          if (r.from > staged_from) std::memmove(window, window + (r.from - staged_from) * row_bytes, (ready - r.from) * row_bytes);
        }
        if (ready < r.to) {
          TF_LITE_ENSURE_OK(context, StageRows(context, node, rt, data, 1, 0, height, width, channels, elem, ready, r.to,
                                               window + (ready - r.from) * row_bytes));
        }
        staged_from = r.from;
        staged_to = r.to;
      }
      const uint8_t* in = x != nullptr ? x + static_cast<size_t>(r.from) * row_bytes : window;
      TF_LITE_ENSURE_OK(context, conv(in, r, first_row + c0, n, rows));
      const ts_shape shape = {static_cast<uint32_t>(n * out_w), static_cast<uint32_t>(out_c), elem};
      const uint32_t bytes = static_cast<uint32_t>(n * out_row_bytes);
      if (ts_spill(rt, rows, bytes, &shape, 0, static_cast<uint32_t>(out_c), region->offset + static_cast<uint32_t>(c0 * out_row_bytes),
                   bytes, 0, nullptr) != TS_OK) {
        return RuntimeFailure(kConcatConv, rt);
      }
    }
    return kTfLiteOk;
  }
  if (ReadsInPlace(data, parts)) {
    // Batch 1 (Prepare checked): every output row in one call on the part's rows.
    const RowSpan r = RowsOf(data, height, span, first_row, out_h);
    const auto* x = reinterpret_cast<const uint8_t*>(tflite::micro::GetEvalInput(context, node, first)->data.raw_const);
    return conv(x + static_cast<size_t>(r.from) * row_bytes, r, first_row, out_h, static_cast<uint8_t*>(y->data.data));
  }
  uint8_t* window = static_cast<uint8_t*>(context->GetScratchBuffer(context, data.scratch_index));
  for (int n = 0; n < batches; n++) {
    int staged_from = 0, staged_to = 0;  // input rows the window holds, from its top
    for (int oy = 0; oy < out_h; oy++) {
      // y's row oy is the conv's output row first_row + oy.
      const RowSpan r = RowsOf(data, height, span, first_row + oy);
      // Consecutive output rows share input rows when stride < span: move
      // them up instead of reading them again.
      int ready = r.from;
      if (r.from >= staged_from && r.from < staged_to) {
        ready = std::min(staged_to, r.to);
        if (r.from > staged_from) {
          std::memmove(window, window + (r.from - staged_from) * row_bytes, (ready - r.from) * row_bytes);
        }
      }
      if (ready < r.to) {
        TF_LITE_ENSURE_OK(context, StageRows(context, node, rt, data, batches, n, height, width, channels, elem, ready, r.to,
                                             window + (ready - r.from) * row_bytes));
      }
      staged_from = r.from;
      staged_to = r.to;
      TF_LITE_ENSURE_OK(context, conv(window, r, first_row + oy, 1,
                                      static_cast<uint8_t*>(y->data.data) + (static_cast<size_t>(n) * out_h + oy) * out_row_bytes));
    }
  }
  return kTfLiteOk;
}

// ---------------------------------------------------- TinySegTransposeConv

// 48 bytes on a 32-bit target; a band's TransposeConvBand follows (16 more).
struct TransposeConvData {
  int32_t pad_h, pad_w, stride_h, stride_w;
  int32_t input_offset, output_offset, activation_min, activation_max;
  int32_t* multiplier;
  int32_t* shift;
  int32_t first_in_row;  // a band's: the whole input's row its x starts at
  uint8_t padding, activation, band, reserved;
};
static_assert(sizeof(void*) != 4 || sizeof(TransposeConvData) == 48, "docs/custom-ops.md: 48 bytes of op data");

// A band: output rows [first_out_row, first_out_row + rows(y)) of an output of
// out_height rows (its padding is the whole output's) from an input of
// in_height rows, x holding them from first_in_row on; its multipliers and
// shifts from a constant input, or (-1) its own.
struct TransposeConvBand {
  int32_t out_height, in_height, first_out_row, multipliers;
};

TransposeConvBand* BandOf(TransposeConvData* data) {
  return data->band ? reinterpret_cast<TransposeConvBand*>(reinterpret_cast<uint8_t*>(data) + sizeof(TransposeConvData)) : nullptr;
}

constexpr int kTransposeConvFilter = 1;
constexpr int kTransposeConvMaxTaps = 64;
constexpr int kTransposeConvInput = 2;
constexpr int kTransposeConvBias = 3;

void* TransposeConvInit(TfLiteContext* context, const char* buffer, size_t length) {
  Options o(kTransposeConv, buffer, length);
  uint32_t padding = 0, sh = 0, sw = 0, activation = 0, out_h = 0, in_h = 0, r0 = 0, s0 = 0, multipliers = 0;
  if (!o.Uint("padding", &padding) || !o.Uint("stride_h", &sh) || !o.Uint("stride_w", &sw) || !o.Uint("activation", &activation)) {
    return nullptr;
  }
  if (padding > 1 || sh < 1 || sw < 1 || sh > 0x7fffu || sw > 0x7fffu || activation > 3) {
    o.Fail("padding, strides or activation out of range");
    return nullptr;
  }
  const bool band = o.Has("out_height");
  if (band && (!o.Uint("out_height", &out_h) || !o.Uint("in_height", &in_h) || !o.Uint("first_out_row", &r0) ||
               !o.Uint("first_in_row", &s0))) {
    return nullptr;
  }
  if (band && o.Has("multipliers") && !o.Uint("multipliers", &multipliers)) return nullptr;
  if (band && (out_h < 1 || out_h > 0x7fffffffu || in_h < 1 || in_h > 0x7fffffffu || r0 >= out_h || s0 >= in_h ||
               (o.Has("multipliers") && (multipliers < 4 || multipliers > 15)))) {
    o.Fail("a band's out_height, first rows or multipliers input out of range");
    return nullptr;
  }
  const size_t bytes = sizeof(TransposeConvData) + (band ? sizeof(TransposeConvBand) : 0);
  auto* data = static_cast<TransposeConvData*>(context->AllocatePersistentBuffer(context, bytes));
  if (data == nullptr) return nullptr;
  std::memset(data, 0, bytes);
  data->stride_h = static_cast<int32_t>(sh);
  data->stride_w = static_cast<int32_t>(sw);
  data->padding = static_cast<uint8_t>(padding);
  data->activation = static_cast<uint8_t>(activation);
  data->band = band ? 1 : 0;
  data->first_in_row = static_cast<int32_t>(s0);
  if (TransposeConvBand* b = BandOf(data)) {
    b->out_height = static_cast<int32_t>(out_h);
    b->in_height = static_cast<int32_t>(in_h);
    b->first_out_row = static_cast<int32_t>(r0);
    b->multipliers = o.Has("multipliers") ? static_cast<int32_t>(multipliers) : -1;
  }
  return data;
}

TfLiteStatus TransposeConvPrepare(TfLiteContext* context, TfLiteNode* node) {
  if (node->user_data == nullptr) return MalformedOptions(kTransposeConv);
  auto* data = static_cast<TransposeConvData*>(node->user_data);
  const TransposeConvBand* band = BandOf(data);
  const int inputs = band != nullptr && band->multipliers >= 0 ? band->multipliers + 1 : 4;
  if ((node->inputs->size != 3 && node->inputs->size != inputs) || node->outputs->size != 1) {
    MicroPrintf("%s: needs 3 to %d inputs and 1 output, has %d and %d", kTransposeConv, inputs, node->inputs->size, node->outputs->size);
    return kTfLiteError;
  }
  TempTensor filter = InputTensor(context, node, kTransposeConvFilter);
  TempTensor x = InputTensor(context, node, kTransposeConvInput);
  TempTensor bias = InputTensor(context, node, kTransposeConvBias);
  TempTensor y = OutputTensor(context, node, 0);
  if (filter.get() == nullptr || x.get() == nullptr || y.get() == nullptr || filter->dims->size != 4 || x->dims->size != 4 ||
      y->dims->size != 4) {
    MicroPrintf("%s: needs a 4-D filter, input and output", kTransposeConv);
    return kTfLiteError;
  }
  // A bias whose temporary tensor did not fit in the arena is not an absent bias: the arena is too small.
  if (HasInput(node, kTransposeConvBias) && bias.get() == nullptr) {
    MicroPrintf("%s: its bias does not fit in the arena", kTransposeConv);
    return kTfLiteError;
  }
  if (x->type != kTfLiteInt8 || filter->type != kTfLiteInt8 || y->type != kTfLiteInt8 ||
      (bias.get() != nullptr && bias->type != kTfLiteInt32)) {
    MicroPrintf("%s: int8 only (int8 input, filter and output, int32 bias), got %s", kTransposeConv, TfLiteTypeGetName(x->type));
    return kTfLiteError;
  }
  const int out_channels = filter->dims->data[0];
  if (x->dims->data[0] != y->dims->data[0] || x->dims->data[3] != filter->dims->data[3] || y->dims->data[3] != out_channels ||
      out_channels <= 0 || (bias.get() != nullptr && tflite::NumElements(bias.get()) != out_channels)) {
    MicroPrintf("%s: filter, bias, input and output do not fit together", kTransposeConv);
    return kTfLiteError;
  }
  // Eval lists the taps that land on a pixel on its stack: at most kTransposeConvMaxTaps (docs/custom-ops.md).
  if (filter->dims->data[1] * filter->dims->data[2] > kTransposeConvMaxTaps) {
    MicroPrintf("%s: a %dx%d filter has more than %d taps", kTransposeConv, filter->dims->data[1], filter->dims->data[2],
                kTransposeConvMaxTaps);
    return kTfLiteError;
  }
  if (band != nullptr && (x->dims->data[0] != 1 || band->first_out_row + y->dims->data[1] > band->out_height ||
                          data->first_in_row + x->dims->data[1] > band->in_height)) {
    MicroPrintf("%s: a band of %d rows from row %d (input rows from %d) does not fit its %d x %d rows, or its batch is not 1",
                kTransposeConv, y->dims->data[1], band->first_out_row, data->first_in_row, band->out_height, band->in_height);
    return kTfLiteError;
  }
  TF_LITE_ENSURE_EQ(context, filter->quantization.type, kTfLiteAffineQuantization);
  const auto* q = static_cast<const TfLiteAffineQuantization*>(filter->quantization.params);
  TF_LITE_ENSURE(context, q != nullptr && q->scale != nullptr && q->zero_point != nullptr);
  TF_LITE_ENSURE(context, q->scale->size == 1 || q->scale->size == out_channels);
  TF_LITE_ENSURE_EQ(context, q->scale->size, q->zero_point->size);
  // transpose_conv.cc: the padding of a conv whose input has the output's size (a band's: the whole output's).
  int unused_h = 0, unused_w = 0;
  const TfLitePaddingValues pad = tflite::ComputePaddingHeightWidth(
      data->stride_h, data->stride_w, 1, 1, band != nullptr ? band->out_height : y->dims->data[1], y->dims->data[2],
      filter->dims->data[1], filter->dims->data[2], PaddingOf(data->padding), &unused_h, &unused_w);
  data->pad_h = pad.height;
  data->pad_w = pad.width;
  if (band != nullptr && band->multipliers >= 0) {
    // A band whose multipliers and shifts are a constant input keeps none of its own.
    TF_LITE_ENSURE_OK(context, CheckLayerMultipliers(context, node, kTransposeConv, band->multipliers, out_channels));
    TF_LITE_ENSURE_STATUS(tflite::CalculateActivationRangeQuantized(
        context, static_cast<TfLiteFusedActivation>(data->activation), y.get(), &data->activation_min, &data->activation_max));
  } else {
    data->multiplier = static_cast<int32_t*>(context->AllocatePersistentBuffer(context, out_channels * sizeof(int32_t)));
    data->shift = static_cast<int32_t*>(context->AllocatePersistentBuffer(context, out_channels * sizeof(int32_t)));
    TF_LITE_ENSURE(context, data->multiplier != nullptr && data->shift != nullptr);
    int32_t multiplier = 0;
    int shift = 0;
    TF_LITE_ENSURE_STATUS(tflite::PopulateConvolutionQuantizationParams(
        context, x.get(), filter.get(), bias.get(), y.get(), static_cast<TfLiteFusedActivation>(data->activation), &multiplier,
        &shift, &data->activation_min, &data->activation_max, data->multiplier, data->shift, out_channels));
  }
  data->input_offset = -x->params.zero_point;
  data->output_offset = y->params.zero_point;
  return kTfLiteOk;
}

// sum + (x[i] + offset) * w[i] over i < n, wrapping as int32 (the reference's
// int32 sums, any order: integer addition wraps alike). Four at a time with
// the DSP extension: x + offset fits int16 for int8 x and offset.
inline int32_t DotOffset(const int8_t* x, const int8_t* w, int n, int32_t offset, int32_t sum) {
  int i = 0;
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
  const uint32_t offsets = (static_cast<uint32_t>(offset) & 0xffffu) | (static_cast<uint32_t>(offset) << 16);
  for (; i + 4 <= n; i += 4) {
    uint32_t xs, ws;
    std::memcpy(&xs, x + i, 4);
    std::memcpy(&ws, w + i, 4);
    // Bytes 1 and 3 rotated into 0 and 2 (GCC folds the rotate into SXTAB16 / SXTB16).
    const uint32_t xr = (xs >> 8) | (xs << 24), wr = (ws >> 8) | (ws << 24);
    const uint32_t x02 = __sxtab16(offsets, xs), x13 = __sxtab16(offsets, xr);
    const uint32_t w02 = __sxtb16(ws), w13 = __sxtb16(wr);
    sum = __smlad(x02, w02, sum);
    sum = __smlad(x13, w13, sum);
  }
#endif
  uint32_t u = static_cast<uint32_t>(sum);
  for (; i < n; i++) u += static_cast<uint32_t>((x[i] + offset) * w[i]);
  return static_cast<int32_t>(u);
}

TfLiteStatus TransposeConvEval(TfLiteContext* context, TfLiteNode* node) {
  const auto& d = *static_cast<const TransposeConvData*>(node->user_data);
  const TransposeConvBand* band = BandOf(const_cast<TransposeConvData*>(&d));
  const TfLiteEvalTensor* filter = tflite::micro::GetEvalInput(context, node, kTransposeConvFilter);
  const TfLiteEvalTensor* input = tflite::micro::GetEvalInput(context, node, kTransposeConvInput);
  const TfLiteEvalTensor* bias = node->inputs->size >= 4 ? tflite::micro::GetEvalInput(context, node, kTransposeConvBias) : nullptr;
  TfLiteEvalTensor* output = tflite::micro::GetEvalOutput(context, node, 0);
  const int batches = input->dims->data[0], in_h = input->dims->data[1], in_w = input->dims->data[2], in_c = input->dims->data[3];
  const int out_c = filter->dims->data[0], kh = filter->dims->data[1], kw = filter->dims->data[2];
  const int out_h = output->dims->data[1], out_w = output->dims->data[2];
  const int8_t* x = tflite::micro::GetTensorData<int8_t>(input);
  const int8_t* w = tflite::micro::GetTensorData<int8_t>(filter);
  const int32_t* b = bias != nullptr ? tflite::micro::GetTensorData<int32_t>(bias) : nullptr;
  int8_t* out = tflite::micro::GetTensorData<int8_t>(output);
  const int32_t* multiplier = d.multiplier;
  const int32_t* shift = d.shift;
  if (band != nullptr && band->multipliers >= 0) {
    multiplier = tflite::micro::GetEvalInput(context, node, band->multipliers)->data.i32;
    shift = multiplier + out_c;
  }
  // Output row oy is the whole output's row first_out + oy; input row iy of
  // the whole input is x's row iy - first_in.
  const int first_out = band != nullptr ? band->first_out_row : 0, first_in = d.first_in_row;
  const int whole_in_h = band != nullptr ? band->in_height : in_h;
  const size_t w_stride = static_cast<size_t>(kh) * kw * in_c;
  // The taps that land on one output pixel (Prepare checked kH x kW): input pixel and filter tap.
  const int8_t* xs[kTransposeConvMaxTaps];
  size_t ws[kTransposeConvMaxTaps];
  for (int n = 0; n < batches; n++) {
    for (int oy = 0; oy < out_h; oy++) {
      for (int ox = 0; ox < out_w; ox++) {
        // The reference kernel scatters input (iy, ix) to output
        // (iy * stride - pad + ky, ...); gather the taps that land here.
        int taps = 0;
        for (int ky = 0; ky < kh; ky++) {
          const int ty = first_out + oy + d.pad_h - ky;
          if (ty < 0 || ty % d.stride_h != 0) continue;
          if (ty / d.stride_h >= whole_in_h) continue;
          const int iy = ty / d.stride_h - first_in;
          if (iy < 0 || iy >= in_h) {
            MicroPrintf("%s: output row %d reads input row %d, outside the band's", kTransposeConv, first_out + oy, iy + first_in);
            return kTfLiteError;
          }
          for (int kx = 0; kx < kw; kx++) {
            const int tx = ox + d.pad_w - kx;
            if (tx < 0 || tx % d.stride_w != 0 || tx / d.stride_w >= in_w) continue;
            xs[taps] = x + ((static_cast<size_t>(n) * in_h + iy) * in_w + tx / d.stride_w) * in_c;
            ws[taps++] = (static_cast<size_t>(ky) * kw + kx) * in_c;
          }
        }
        // reference_integer_ops::TransposeConv's second loop on each sum.
        int8_t* o = out + ((static_cast<size_t>(n) * out_h + oy) * out_w + ox) * out_c;
        for (int oc = 0; oc < out_c; oc++) {
          const int8_t* wo = w + oc * w_stride;
          int32_t a = 0;
          for (int t = 0; t < taps; t++) a = DotOffset(xs[t], wo + ws[t], in_c, d.input_offset, a);
          if (b) a += b[oc];
          a = tflite::MultiplyByQuantizedMultiplier(a, multiplier[oc], shift[oc]);
          a += d.output_offset;
          a = std::max(a, d.activation_min);
          a = std::min(a, d.activation_max);
          o[oc] = static_cast<int8_t>(a);
        }
      }
    }
  }
  return kTfLiteOk;
}

// ------------------------------------------------------ TinySegConvInPlace

// 64 bytes on a 32-bit target.
struct ConvInPlaceData {
  int32_t pad_h, pad_w, stride_h, stride_w, dilation_h, dilation_w;
  int32_t input_offset, output_offset, activation_min, activation_max;
  int32_t* multiplier;
  int32_t* shift;
  // The ring's scratch buffer, and CMSIS-NN's (-1: none).
  int16_t scratch_index, context_index;
  int32_t depth_multiplier;
  // Ring slots in the scratch: what the schedule needs for the optimizer's
  // placement, so any other placement that needs more fails in Eval.
  int32_t queue_rows;
  uint8_t depthwise, padding, activation, reserved;
};
static_assert(sizeof(void*) != 4 || sizeof(ConvInPlaceData) == 64, "docs/custom-ops.md: 64 bytes of op data");

constexpr int kConvInPlaceInput = 0;
constexpr int kConvInPlaceFilter = 1;
constexpr int kConvInPlaceBias = 2;

// The rule of src/ops/tinyseg/conv-in-place-rows.ts. Byte positions are
// relative to the input's start and 64-bit, so that any distance between the
// two tensors (the output may lie before, over or after the input) fits.
struct RowQueue {
  int64_t in_h, out_h, in_row, out_row, stride_h, pad_h;

  // The first input row that output rows `y` and later read (in_h when none is left).
  int64_t First(int64_t y) const {
    return y >= out_h ? in_h : std::min(in_h, std::max<int64_t>(0, y * stride_h - pad_h));
  }

  // Whether queued output row `q` may be written once the output rows before
  // `next` are computed; `delta` is the input's address minus the output's.
  bool Writable(int64_t q, int64_t next, int64_t delta) const {
    const int64_t lo = First(next);
    if (lo >= in_h) return true;
    const int64_t start = q * out_row - delta;
    return start + out_row <= lo * in_row || start >= in_h * in_row;
  }
};

void* ConvInPlaceInit(TfLiteContext* context, const char* buffer, size_t length) {
  Options o(kConvInPlace, buffer, length);
  uint32_t depthwise = 0, padding = 0, sh = 0, sw = 0, dh = 0, dw = 0, dm = 0, activation = 0;
  if (!o.Uint("depthwise", &depthwise) || !o.Uint("padding", &padding) || !o.Uint("stride_h", &sh) ||
      !o.Uint("stride_w", &sw) || !o.Uint("dilation_h", &dh) || !o.Uint("dilation_w", &dw) ||
      !o.Uint("depth_multiplier", &dm) || !o.Uint("activation", &activation)) {
    return nullptr;
  }
  // The reference kernels take strides, dilations and the multiplier as int16.
  if (depthwise > 1 || padding > 1 || activation > 3 || std::min(std::min(sh, sw), std::min(std::min(dh, dw), dm)) < 1 ||
      std::max(std::max(sh, sw), std::max(std::max(dh, dw), dm)) > 0x7fffu || (depthwise == 0 && dm != 1)) {
    o.Fail("depthwise, padding, strides, dilations, depth multiplier (1 for a conv) or activation out of range");
    return nullptr;
  }
  auto* data = static_cast<ConvInPlaceData*>(context->AllocatePersistentBuffer(context, sizeof(ConvInPlaceData)));
  if (data == nullptr) return nullptr;
  std::memset(data, 0, sizeof *data);
  data->stride_h = static_cast<int32_t>(sh);
  data->stride_w = static_cast<int32_t>(sw);
  data->dilation_h = static_cast<int32_t>(dh);
  data->dilation_w = static_cast<int32_t>(dw);
  data->depth_multiplier = static_cast<int32_t>(dm);
  data->depthwise = static_cast<uint8_t>(depthwise);
  data->padding = static_cast<uint8_t>(padding);
  data->activation = static_cast<uint8_t>(activation);
  return data;
}

TfLiteStatus ConvInPlacePrepare(TfLiteContext* context, TfLiteNode* node) {
  if (node->user_data == nullptr) return MalformedOptions(kConvInPlace);
  auto* data = static_cast<ConvInPlaceData*>(node->user_data);
  if ((node->inputs->size != 2 && node->inputs->size != 3) || node->outputs->size != 1) {
    MicroPrintf("%s: needs 2 or 3 inputs and 1 output, has %d and %d", kConvInPlace, node->inputs->size, node->outputs->size);
    return kTfLiteError;
  }
  TempTensor x = InputTensor(context, node, kConvInPlaceInput);
  TempTensor filter = InputTensor(context, node, kConvInPlaceFilter);
  TempTensor bias = InputTensor(context, node, kConvInPlaceBias);
  TempTensor y = OutputTensor(context, node, 0);
  // A bias whose temporary tensor did not fit in the arena is not an absent
  // bias: the arena is too small (a smaller-arena probe), and so is this Prepare.
  if (x.get() == nullptr || filter.get() == nullptr || y.get() == nullptr ||
      (HasInput(node, kConvInPlaceBias) && bias.get() == nullptr)) {
    MicroPrintf("%s: its input, filter, bias or output is missing or does not fit in the arena", kConvInPlace);
    return kTfLiteError;
  }
  if (x->dims->size != 4 || filter->dims->size != 4 || y->dims->size != 4) {
    MicroPrintf("%s: needs a 4-D input, filter and output", kConvInPlace);
    return kTfLiteError;
  }
  if (x->type != kTfLiteInt8 || filter->type != kTfLiteInt8 || y->type != kTfLiteInt8 ||
      (bias.get() != nullptr && bias->type != kTfLiteInt32)) {
    MicroPrintf("%s: int8 only (int8 input, filter and output, int32 bias), got %s", kConvInPlace, TfLiteTypeGetName(x->type));
    return kTfLiteError;
  }
  const int height = x->dims->data[1], width = x->dims->data[2], in_channels = x->dims->data[3];
  const int kh = filter->dims->data[1], kw = filter->dims->data[2];
  const int out_channels = y->dims->data[3];
  // A conv's filter is [O, kH, kW, I], a depthwise conv's [1, kH, kW, I x multiplier].
  const bool filter_fits = data->depthwise
                               ? filter->dims->data[0] == 1 && filter->dims->data[3] == out_channels &&
                                     static_cast<int64_t>(in_channels) * data->depth_multiplier == out_channels
                               : filter->dims->data[0] == out_channels && filter->dims->data[3] == in_channels;
  if (x->dims->data[0] != 1 || y->dims->data[0] != 1 || !filter_fits || height <= 0 || width <= 0 || in_channels <= 0 ||
      out_channels <= 0 || kh <= 0 || kw <= 0 || (bias.get() != nullptr && tflite::NumElements(bias.get()) != out_channels)) {
    MicroPrintf("%s: input, filter, bias and output do not fit together (batch 1)", kConvInPlace);
    return kTfLiteError;
  }
  int out_h = 0, out_w = 0;
  const TfLitePaddingValues pad =
      tflite::ComputePaddingHeightWidth(data->stride_h, data->stride_w, data->dilation_h, data->dilation_w, height, width, kh, kw,
                                        PaddingOf(data->padding), &out_h, &out_w);
  // The row queue places rows by the output's shape: it must be the conv's.
  if (out_h != y->dims->data[1] || out_w != y->dims->data[2] || out_h <= 0 || out_w <= 0) {
    MicroPrintf("%s: the output is %dx%d, the conv makes %dx%d", kConvInPlace, y->dims->data[1], y->dims->data[2], out_h, out_w);
    return kTfLiteError;
  }
  data->pad_h = pad.height;
  data->pad_w = pad.width;
  const RowQueue rows = {height, out_h, static_cast<int64_t>(width) * in_channels, static_cast<int64_t>(out_w) * out_channels,
                         data->stride_h, data->pad_h};
  if (rows.in_h * rows.in_row > INT32_MAX || rows.out_h * rows.out_row > INT32_MAX) {
    MicroPrintf("%s: input or output over 2 GiB", kConvInPlace);
    return kTfLiteError;
  }

  // As conv.cc and depthwise_conv.cc: per-channel multipliers and shifts.
  data->multiplier = static_cast<int32_t*>(context->AllocatePersistentBuffer(context, out_channels * sizeof(int32_t)));
  data->shift = static_cast<int32_t*>(context->AllocatePersistentBuffer(context, out_channels * sizeof(int32_t)));
  TF_LITE_ENSURE(context, data->multiplier != nullptr && data->shift != nullptr);
  TF_LITE_ENSURE_EQ(context, filter->quantization.type, kTfLiteAffineQuantization);
  const auto* q = static_cast<const TfLiteAffineQuantization*>(filter->quantization.params);
  TF_LITE_ENSURE(context, q != nullptr && q->scale != nullptr && q->zero_point != nullptr);
  TF_LITE_ENSURE(context, q->scale->size == 1 || q->scale->size == out_channels);
  TF_LITE_ENSURE_EQ(context, q->scale->size, q->zero_point->size);
  int32_t multiplier = 0;
  int shift = 0;
  TF_LITE_ENSURE_STATUS(tflite::PopulateConvolutionQuantizationParams(
      context, x.get(), filter.get(), bias.get(), y.get(), static_cast<TfLiteFusedActivation>(data->activation), &multiplier,
      &shift, &data->activation_min, &data->activation_max, data->multiplier, data->shift, out_channels));
  data->input_offset = -x->params.zero_point;
  data->output_offset = y->params.zero_point;

  // The ring holds the most rows the schedule queues at once with the output
  // where the optimizer puts it: over the input, earlier by what it has more.
  const int64_t delta = std::max<int64_t>(0, rows.out_h * rows.out_row - rows.in_h * rows.in_row);
  int64_t done = 0, most = 1;
  for (int64_t oy = 0; oy < rows.out_h; oy++) {
    most = std::max(most, oy + 1 - done);
    while (done <= oy && rows.Writable(done, oy + 1, delta)) done++;
  }
  data->queue_rows = static_cast<int32_t>(most);
  const int64_t ring = most * rows.out_row;
  TF_LITE_ENSURE(context, ring <= INT32_MAX);
  int index = -1;
  TF_LITE_ENSURE_OK(context, context->RequestScratchBufferInArena(context, static_cast<size_t>(ring), &index));
  TF_LITE_ENSURE(context, index >= 0 && index <= INT16_MAX);
  data->scratch_index = static_cast<int16_t>(index);
  data->context_index = -1;
#if TINYSEG_CMSIS_NN_CONV
  // Each output row is one call of CMSIS-NN's conv or depthwise conv on the
  // input rows its window reaches (the dims ConvInPlaceEval passes): its buffer
  // is the largest any row asks for, after the ring.
  TF_LITE_ENSURE(context, std::max(std::max(width, in_channels), std::max(out_w, out_channels)) <= 0xffff &&
                              std::max(kh, kw) <= 0xffff);
  int32_t context_bytes = 0;
  for (int oy = 0; oy < out_h; oy++) {
    if (data->depthwise) {
      const CmsisDepthwiseRow c = CmsisDwRow(*data, x->dims, filter->dims, out_w, data->depth_multiplier, oy, 1);
      context_bytes = std::max(context_bytes, arm_depthwise_conv_wrapper_s8_get_buffer_size(&c.params, &c.input, &c.filter, &c.output));
    } else {
      const CmsisConvRow c = CmsisRow(*data, x->dims, filter->dims, out_w, oy, 1);
      context_bytes = std::max(context_bytes, arm_convolve_wrapper_s8_get_buffer_size(&c.params, &c.input, &c.filter, &c.output));
    }
  }
  if (context_bytes > 0) {
    TF_LITE_ENSURE_OK(context, context->RequestScratchBufferInArena(context, static_cast<size_t>(context_bytes), &index));
    TF_LITE_ENSURE(context, index >= 0 && index <= INT16_MAX);
    data->context_index = static_cast<int16_t>(index);
  }
#endif
  return kTfLiteOk;
}


TfLiteStatus ConvInPlaceEval(TfLiteContext* context, TfLiteNode* node) {
  const auto& d = *static_cast<const ConvInPlaceData*>(node->user_data);
  const TfLiteEvalTensor* input = tflite::micro::GetEvalInput(context, node, kConvInPlaceInput);
  const TfLiteEvalTensor* filter = tflite::micro::GetEvalInput(context, node, kConvInPlaceFilter);
  const TfLiteEvalTensor* bias =
      node->inputs->size > kConvInPlaceBias ? tflite::micro::GetEvalInput(context, node, kConvInPlaceBias) : nullptr;
  TfLiteEvalTensor* output = tflite::micro::GetEvalOutput(context, node, 0);
  const int height = input->dims->data[1], width = input->dims->data[2], in_c = input->dims->data[3];
  const int out_h = output->dims->data[1], out_w = output->dims->data[2], out_c = output->dims->data[3];
  const RowQueue rows = {height, out_h, static_cast<int64_t>(width) * in_c, static_cast<int64_t>(out_w) * out_c, d.stride_h, d.pad_h};
  const size_t in_row = static_cast<size_t>(rows.in_row), out_row = static_cast<size_t>(rows.out_row);
  const int8_t* x = tflite::micro::GetTensorData<int8_t>(input);
  int8_t* y = tflite::micro::GetTensorData<int8_t>(output);
  int8_t* ring = static_cast<int8_t*>(context->GetScratchBuffer(context, d.scratch_index));
  const int64_t delta = static_cast<int64_t>(reinterpret_cast<uintptr_t>(x)) - static_cast<int64_t>(reinterpret_cast<uintptr_t>(y));

  const int8_t* weights = tflite::micro::GetTensorData<int8_t>(filter);
  const int32_t* bias_data = tflite::micro::GetOptionalTensorData<int32_t>(bias);
#if TINYSEG_CMSIS_NN_CONV
  const cmsis_nn_context ctx = {d.context_index < 0 ? nullptr : context->GetScratchBuffer(context, d.context_index), 0};
  const cmsis_nn_per_channel_quant_params quant = {d.multiplier, d.shift};
  const cmsis_nn_dims bias_cmsis = {1, 1, 1, out_c};
#else
  const int span = (filter->dims->data[1] - 1) * d.dilation_h + 1;
  const tflite::RuntimeShape filter_shape = tflite::micro::GetTensorShape(filter);
  // The reference kernels check the bias shape whether or not there is a bias.
  const int32_t bias_dims[1] = {out_c};
  const tflite::RuntimeShape bias_shape(1, bias_dims);
  const int32_t out_dims[4] = {1, 1, out_w, out_c};
  const tflite::RuntimeShape out_shape(4, out_dims);
  auto conv = WindowParams<tflite::ConvParams>(d);
  auto depthwise = WindowParams<tflite::DepthwiseParams>(d);
  depthwise.depth_multiplier = static_cast<int16_t>(d.depth_multiplier);
#endif

  int done = 0;  // output rows before it are in place
  for (int oy = 0; oy < out_h; oy++) {
    if (oy - done >= d.queue_rows) {
      MicroPrintf("%s: output row %d needs a slot while all %d are queued: the output is not where the optimizer placed it",
                  kConvInPlace, oy, static_cast<int>(d.queue_rows));
      return kTfLiteError;
    }
    // The builtin's row oy: the set's kernel on the input rows its window
    // reaches, the window's top padding putting row `from` first.
    const int origin = oy * d.stride_h - d.pad_h;
    const int from = std::min(height, std::max(0, origin));
    int8_t* slot = ring + static_cast<size_t>(oy % d.queue_rows) * out_row;
#if TINYSEG_CMSIS_NN_CONV
    // CMSIS-NN's kernel (CmsisRow and CmsisDwRow give the same rows and padding).
    arm_cmsis_nn_status status;
    if (d.depthwise) {
      const CmsisDepthwiseRow c = CmsisDwRow(d, input->dims, filter->dims, out_w, d.depth_multiplier, oy, 1);
      status = arm_depthwise_conv_wrapper_s8(&ctx, &c.params, &quant, &c.input, x + from * in_row, &c.filter, weights, &bias_cmsis,
                                             bias_data, &c.output, slot);
    } else {
      const CmsisConvRow c = CmsisRow(d, input->dims, filter->dims, out_w, oy, 1);
      status = arm_convolve_wrapper_s8(&ctx, &c.params, &quant, &c.input, x + from * in_row, &c.filter, weights, &bias_cmsis,
                                       bias_data, &c.output, slot);
    }
    if (status != ARM_CMSIS_NN_SUCCESS) {
      MicroPrintf("%s: CMSIS-NN's %s failed on output row %d", kConvInPlace, d.depthwise ? "depthwise conv" : "conv", oy);
      return kTfLiteError;
    }
#else
    const int to = std::max(from, std::min(height, origin + span));
    const int32_t in_dims[4] = {1, to - from, width, in_c};
    const tflite::RuntimeShape in_shape(4, in_dims);
    if (d.depthwise) {
      depthwise.padding_values.height = static_cast<int16_t>(from - origin);
      tflite::reference_integer_ops::DepthwiseConvPerChannel(depthwise, d.multiplier, d.shift, in_shape, x + from * in_row,
                                                             filter_shape, weights, bias_shape, bias_data, out_shape, slot);
    } else {
      conv.padding_values.height = static_cast<int16_t>(from - origin);
      tflite::reference_integer_ops::ConvPerChannel(conv, d.multiplier, d.shift, in_shape, x + from * in_row, filter_shape,
                                                    weights, bias_shape, bias_data, out_shape, slot);
    }
#endif
    // Past the last row every queued row is writable.
    while (done <= oy && rows.Writable(done, oy + 1, delta)) {
      std::memcpy(y + static_cast<size_t>(done) * out_row, ring + static_cast<size_t>(done % d.queue_rows) * out_row, out_row);
      done++;
    }
  }
  return kTfLiteOk;
}

// ------------------------------------------------------------------ TinySegResizeBand

// Output rows [first_out_row, first_out_row + rows) of an int8 RESIZE_BILINEAR
// from in_height to out_height rows, the input holding rows from first_in_row
// on. Each row is mapped to its source rows by TFLM's own interpolation
// function on the whole tensor's scale, and each element is computed by the
// reference kernel's integer expression, so the bytes are the whole resize's.
struct ResizeBandData {
  int32_t in_height;
  int32_t out_height;
  int32_t first_in_row;
  int32_t first_out_row;
  uint8_t align_corners;
  uint8_t half_pixel_centers;
};
// The op data docs/custom-ops.md states (TinySeg's arena figures count it).
static_assert(sizeof(ResizeBandData) == 20, "TinySegResizeBand's op data is 20 bytes");

void* ResizeBandInit(TfLiteContext* context, const char* buffer, size_t length) {
  Options o(kResizeBand, buffer, length);
  uint32_t in_h = 0, out_h = 0, s0 = 0, r0 = 0, align = 0, half = 0;
  if (!o.Uint("in_height", &in_h) || !o.Uint("out_height", &out_h) || !o.Uint("first_in_row", &s0) || !o.Uint("first_out_row", &r0) ||
      !o.Flag("align_corners", &align) || !o.Flag("half_pixel_centers", &half)) {
    return nullptr;
  }
  // Heights up to 2^20 keep TFLM's 10-bit positions (1024 x a height) inside int32.
  if (in_h < 1 || out_h < 1 || in_h > (1u << 20) || out_h > (1u << 20) || s0 >= in_h || r0 >= out_h || (align != 0 && half != 0)) {
    o.Fail("heights must be 1 to 2^20 and the first rows inside them; align_corners and half_pixel_centers are exclusive");
    return nullptr;
  }
  auto* data = static_cast<ResizeBandData*>(context->AllocatePersistentBuffer(context, sizeof(ResizeBandData)));
  if (data == nullptr) return nullptr;
  data->in_height = static_cast<int32_t>(in_h);
  data->out_height = static_cast<int32_t>(out_h);
  data->first_in_row = static_cast<int32_t>(s0);
  data->first_out_row = static_cast<int32_t>(r0);
  data->align_corners = static_cast<uint8_t>(align);
  data->half_pixel_centers = static_cast<uint8_t>(half);
  return data;
}

// ResizeBilinearInteger's 10-bit scale of one axis.
int32_t ResizeScale10(int32_t in, int32_t out, bool align) {
  if (align && out > 1) return ((1 << 10) * (in - 1) + (out - 1) / 2) / (out - 1);
  return ((1 << 10) * in + out / 2) / out;
}

// The whole tensor's source rows y0 and y1 of output row `row`.
void ResizeSourceRows(const ResizeBandData& d, int32_t row, int32_t* y0, int32_t* y1) {
  int32_t input_y = 0;
  tflite::reference_ops::ComputeInterpolationValuesInteger(row, ResizeScale10(d.in_height, d.out_height, d.align_corners != 0),
                                                           d.half_pixel_centers != 0, d.in_height, &input_y, y0, y1);
}

TfLiteStatus ResizeBandPrepare(TfLiteContext* context, TfLiteNode* node) {
  if (node->user_data == nullptr) return MalformedOptions(kResizeBand);
  const auto& d = *static_cast<const ResizeBandData*>(node->user_data);
  if (node->inputs->size != 1 || node->outputs->size != 1) {
    MicroPrintf("%s: needs 1 input and 1 output, has %d and %d", kResizeBand, node->inputs->size, node->outputs->size);
    return kTfLiteError;
  }
  TempTensor x = InputTensor(context, node, 0);
  TempTensor y = OutputTensor(context, node, 0);
  if (x.get() == nullptr || y.get() == nullptr || x->dims->size != 4 || y->dims->size != 4) {
    MicroPrintf("%s: needs a 4-D input and output", kResizeBand);
    return kTfLiteError;
  }
  // int8 only: integer arithmetic gives the same bytes however it is compiled. A float32 resize's bytes depend on how
  // the compiler contracts its multiply-adds, which only TFLM's own compiled kernel reproduces.
  if (x->type != kTfLiteInt8 || y->type != kTfLiteInt8) {
    MicroPrintf("%s: int8 input and output only, got %s and %s", kResizeBand, TfLiteTypeGetName(x->type), TfLiteTypeGetName(y->type));
    return kTfLiteError;
  }
  const int32_t in_rows = x->dims->data[1], out_rows = y->dims->data[1];
  if (x->dims->data[0] != 1 || y->dims->data[0] != 1 || x->dims->data[3] != y->dims->data[3] || x->dims->data[2] < 1 ||
      y->dims->data[2] < 1 || static_cast<int64_t>(d.first_in_row) + in_rows > d.in_height ||
      static_cast<int64_t>(d.first_out_row) + out_rows > d.out_height) {
    MicroPrintf("%s: input and output must be of batch 1 and the same depth, their rows inside the heights of its options", kResizeBand);
    return kTfLiteError;
  }
  // Every output row reads input rows the band holds.
  for (int32_t r = 0; r < out_rows; r++) {
    int32_t y0 = 0, y1 = 0;
    ResizeSourceRows(d, d.first_out_row + r, &y0, &y1);
    if (y0 < d.first_in_row || y1 >= d.first_in_row + in_rows) {
      MicroPrintf("%s: output row %d reads input rows %d..%d, the input holds %d..%d", kResizeBand, static_cast<int>(d.first_out_row + r),
                  static_cast<int>(y0), static_cast<int>(y1), static_cast<int>(d.first_in_row), static_cast<int>(d.first_in_row + in_rows - 1));
      return kTfLiteError;
    }
  }
  return kTfLiteOk;
}

// reference_ops::ResizeBilinearInteger's arithmetic, on the band's rows.
void ResizeBandInt8(const ResizeBandData& d, const int8_t* x, int32_t in_w, int32_t depth, int8_t* out, int32_t out_rows, int32_t out_w) {
  const bool align = d.align_corners != 0, half = d.half_pixel_centers != 0;
  const int32_t height_scale_10 = ResizeScale10(d.in_height, d.out_height, align);
  const int32_t width_scale_10 = ResizeScale10(in_w, out_w, align);
  for (int32_t r = 0; r < out_rows; ++r) {
    int32_t input_y, y0, y1;
    tflite::reference_ops::ComputeInterpolationValuesInteger(d.first_out_row + r, height_scale_10, half, d.in_height, &input_y, &y0, &y1);
    const int8_t* row0 = x + static_cast<size_t>(y0 - d.first_in_row) * in_w * depth;
    const int8_t* row1 = x + static_cast<size_t>(y1 - d.first_in_row) * in_w * depth;
    for (int32_t ox = 0; ox < out_w; ++ox) {
      int32_t input_x, x0, x1;
      tflite::reference_ops::ComputeInterpolationValuesInteger(ox, width_scale_10, half, in_w, &input_x, &x0, &x1);
      int8_t* o = out + (static_cast<size_t>(r) * out_w + ox) * depth;
      for (int32_t c = 0; c < depth; ++c) {
        const int64_t output_20_ll =
            static_cast<int64_t>(row0[x0 * depth + c]) * ((1 << 10) - (input_y - (1 << 10) * y0)) * ((1 << 10) - (input_x - (1 << 10) * x0));
        const int64_t output_20_lu =
            static_cast<int64_t>(row1[x0 * depth + c]) * (input_y - (1 << 10) * y0) * ((1 << 10) - (input_x - (1 << 10) * x0));
        const int64_t output_20_rl =
            static_cast<int64_t>(row0[x1 * depth + c]) * ((1 << 10) - (input_y - (1 << 10) * y0)) * (input_x - (1 << 10) * x0);
        const int64_t output_20_ru = static_cast<int64_t>(row1[x1 * depth + c]) * (input_y - (1 << 10) * y0) * (input_x - (1 << 10) * x0);
        const int64_t output_20 = output_20_ll + output_20_lu + output_20_rl + output_20_ru;
#if TFLITE_SINGLE_ROUNDING
        const int64_t round = 1 << 19;
        o[c] = static_cast<int8_t>((output_20 + round) >> 20);
#else
        const int64_t round = (output_20 > 0) ? (1 << 19) : -(1 << 19);
        o[c] = static_cast<int8_t>((output_20 + round) / (1 << 20));
#endif
      }
    }
  }
}

TfLiteStatus ResizeBandEval(TfLiteContext* context, TfLiteNode* node) {
  const auto& d = *static_cast<const ResizeBandData*>(node->user_data);
  const TfLiteEvalTensor* input = tflite::micro::GetEvalInput(context, node, 0);
  TfLiteEvalTensor* output = tflite::micro::GetEvalOutput(context, node, 0);
  const int32_t in_w = input->dims->data[2], depth = input->dims->data[3];
  const int32_t out_rows = output->dims->data[1], out_w = output->dims->data[2];
  ResizeBandInt8(d, tflite::micro::GetTensorData<int8_t>(input), in_w, depth, tflite::micro::GetTensorData<int8_t>(output), out_rows, out_w);
  return kTfLiteOk;
}

}  // namespace

TFLMRegistration* Register_Spill() {
  static TFLMRegistration r = tflite::micro::RegisterOp(SpillInit, SpillPrepare, SpillEval);
  return &r;
}

TFLMRegistration* Register_Fetch() {
  static TFLMRegistration r = tflite::micro::RegisterOp(FetchInit, FetchPrepare, FetchEval);
  return &r;
}

TFLMRegistration* Register_ConcatFetch() {
  static TFLMRegistration r = tflite::micro::RegisterOp(ConcatFetchInit, ConcatFetchPrepare, ConcatFetchEval);
  return &r;
}

TFLMRegistration* Register_AddFetch() {
  static TFLMRegistration r = tflite::micro::RegisterOp(AddFetchInit, AddFetchPrepare, AddFetchEval);
  return &r;
}

TFLMRegistration* Register_ConcatConv() {
  static TFLMRegistration r = tflite::micro::RegisterOp(ConcatConvInit, ConcatConvPrepare, ConcatConvEval);
  return &r;
}

TFLMRegistration* Register_TransposeConv() {
  static TFLMRegistration r = tflite::micro::RegisterOp(TransposeConvInit, TransposeConvPrepare, TransposeConvEval);
  return &r;
}

TFLMRegistration* Register_ConvInPlace() {
  static TFLMRegistration r = tflite::micro::RegisterOp(ConvInPlaceInit, ConvInPlacePrepare, ConvInPlaceEval);
  return &r;
}

TFLMRegistration* Register_ResizeBand() {
  static TFLMRegistration r = tflite::micro::RegisterOp(ResizeBandInit, ResizeBandPrepare, ResizeBandEval);
  return &r;
}

}  // namespace tinyseg
