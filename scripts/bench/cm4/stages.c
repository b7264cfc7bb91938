/* Instructions per stage of a compiled model on QEMU netduinoplus2 with -icount shift=0 (TIM2 advances once per
 * executed instruction). scripts/bench/compiler.mjs wraps each bnn_stageK call in bnn_model.c with bnn_bench_begin/end
 * and prints the counts over semihosting. */
#include "harness.h"
#include "bnn_model.h"

static uint32_t started;
void bnn_bench_begin(void) { started = TIM2[9]; }
void bnn_bench_end(int stage)
{
  uint32_t n = TIM2[9] - started;
  put("stage ");
  put_u32((uint32_t)stage);
  put(" ");
  put_u32(n);
  put("\n");
}

static uint8_t input[BNN_INPUT_SIZE];
static bnn_score_t scores[BNN_NUM_CLASSES];

void reset_handler(void)
{
  clear_bss();
  uint32_t s = 12345u;
  for (int i = 0; i < BNN_INPUT_SIZE; i++) { s = s * 1664525u + 1013904223u; input[i] = (uint8_t)(s >> 24); }
  *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20; /* CPACR: FPU on (built -mfloat-abi=hard like the firmware) */
  __asm__ volatile("dsb\n\tisb");
  start_tim2();
  uint32_t t0 = TIM2[9];
  bnn_infer(input, scores);
  uint32_t t1 = TIM2[9];
  put("total ");
  put_u32(t1 - t0);
  put("\n");
  exit_qemu();
}
