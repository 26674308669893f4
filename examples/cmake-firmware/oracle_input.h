/*
 * The oracle input, in firmware: element i of every input tensor gets
 * u = (i*37 + 11) mod 256, stored per type (deterministicInput() of
 * src/interpreter/oracle-input.ts, ../shared/oracle/README.md), so a device run
 * can be compared byte for byte with `tinyseg run --oracle-input`.
 * Shared by main_tflm.cc and bench/tflm-m4/main.cc.
 */
#ifndef TINYSEG_ORACLE_INPUT_H_
#define TINYSEG_ORACLE_INPUT_H_

#include <stddef.h>
#include <stdint.h>

#include "tensorflow/lite/c/common.h"

/* Fills `t`; false (and `t` untouched) for a type the rule does not cover. */
static inline bool tinyseg_fill_oracle_input(TfLiteTensor *t) {
  size_t size;
  switch (t->type) {
    case kTfLiteInt8: case kTfLiteUInt8: case kTfLiteBool: size = 1; break;
    case kTfLiteInt16: size = 2; break;
    case kTfLiteInt32: case kTfLiteFloat32: size = 4; break;
    default: return false;
  }
  const size_t n = t->bytes / size;
  for (size_t i = 0; i < n; i++) {
    const int32_t u = (int32_t)((i * 37u + 11u) % 256u);
    switch (t->type) {
      case kTfLiteInt8: t->data.int8[i] = (int8_t)(u - 128); break;
      case kTfLiteUInt8: t->data.uint8[i] = (uint8_t)u; break;
      case kTfLiteBool: t->data.b[i] = (u & 1) != 0; break; /* TinySeg's rule for bool: u odd */
      case kTfLiteInt16: t->data.i16[i] = (int16_t)((u - 128) * 256); break;
      case kTfLiteInt32: t->data.i32[i] = u - 128; break;
      default: t->data.f[i] = (float)(u - 128) / 128.0f; break;
    }
  }
  return true;
}

#endif /* TINYSEG_ORACLE_INPUT_H_ */
