/*
 * The firmware with a TFLM the user provides (TINYSEG_TFLM_LIBRARY or
 * TINYSEG_TFLM_TARGET, see CMakeLists.txt): one inference of the optimized
 * model in a tflite::MicroInterpreter, with the arena size from the generated
 * header and TinySeg's operators spilling into the PSRAM region the linker
 * fragment placed, set up by tiny_unet_tinyseg_init(). The input follows
 * TinySeg's deterministic input rule
 * (src/interpreter/oracle-input.ts), so `tinyseg run <original.tflite>
 * --oracle-input` computes the same outputs on the host; each output is
 * printed as its CRC-32 (zlib's), the figure README.md compares.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

// TFLM's headers warn under -Wextra when a TFLM target gives them as -I.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "tensorflow/lite/micro/micro_interpreter.h"
#include "tensorflow/lite/schema/schema_generated.h"
#pragma GCC diagnostic pop
#include "tiny_unet_arena.h"
#include "tiny_unet_model.h"
#include "tiny_unet_resolver.h"
#include "tiny_unet_tinyseg.h"
#include "tinyseg_runtime.h"
#include "oracle_input.h"

alignas(16) static uint8_t arena[TINY_UNET_ARENA_SIZE];


int main(void) {
  printf("TINYSEG model=tiny_unet model_len=%u arena_size=%lu spill_region=%lu\n", tiny_unet_model_len,
         (unsigned long)sizeof arena, (unsigned long)TINY_UNET_SPILL_REGION_SIZE);
  /* One call, whatever the model contains: TinySeg's runtime over the spill
   * region tiny_unet_sections.ld placed in PSRAM (or none), registered for the
   * kernels. It must come before AllocateTensors(). */
  if (tiny_unet_tinyseg_init(NULL) != TS_OK) {
    printf("FAIL tiny_unet_tinyseg_init: %s\n", ts_last_error(tiny_unet_tinyseg_runtime()));
    return 1;
  }
  const tflite::Model *model = tflite::GetModel(tiny_unet_model);
  tiny_unet_op_resolver resolver;
  if (tiny_unet_register_ops(resolver) != kTfLiteOk) {
    printf("FAIL tiny_unet_register_ops\n");
    return 1;
  }
  tflite::MicroInterpreter interpreter(model, resolver, arena, sizeof arena);
  if (interpreter.AllocateTensors() != kTfLiteOk) {
    printf("FAIL AllocateTensors: the arena of %lu bytes is too small or the model is not supported\n",
           (unsigned long)sizeof arena);
    return 1;
  }
  for (size_t i = 0; i < interpreter.inputs_size(); i++) {
    if (!tinyseg_fill_oracle_input(interpreter.input(i))) {
      printf("FAIL input type %d has no deterministic input rule\n", (int)interpreter.input(i)->type);
      return 1;
    }
  }
  if (interpreter.Invoke() != kTfLiteOk) {
    printf("FAIL Invoke\n");
    return 1;
  }
  for (size_t o = 0; o < interpreter.outputs_size(); o++) {
    const TfLiteTensor *out = interpreter.output(o);
    printf("TINYSEG output=%u bytes=%lu crc32=%08lx\n", (unsigned)o, (unsigned long)out->bytes,
           (unsigned long)ts_crc32(0u, out->data.raw, (uint32_t)out->bytes));
  }
  printf("TINYSEG arena_used_bytes=%lu\n", (unsigned long)interpreter.arena_used_bytes());
  printf("TINYSEG result=ok\n");
  return 0;
}
