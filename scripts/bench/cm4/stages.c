/* Instructions per stage of a compiled model on QEMU netduinoplus2 with -icount shift=0 (TIM2 advances once per
 * executed instruction). scripts/bench/compiler.mjs wraps each bnn_stageK call in bnn_model.c with bnn_bench_begin/end
 * and prints the counts over semihosting. */
#include <stdint.h>
#include "bnn_model.h"

extern uint32_t _estack, __bss_start, __bss_end;
void reset_handler(void);
__attribute__((section(".vectors"), used)) static const void *const vectors[2] = { &_estack, (const void *)reset_handler };

#define TIM2 ((volatile uint32_t *)0x40000000u)

static void semihost(uint32_t op, const void *arg)
{
  register uint32_t r0 __asm__("r0") = op;
  register const void *r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
}

static void put(const char *s) { semihost(0x04, s); }

static void put_u32(uint32_t v)
{
  char buf[12];
  int i = 11;
  buf[i] = 0;
  do { buf[--i] = (char)('0' + v % 10); v /= 10; } while (v);
  put(&buf[i]);
}

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
  for (uint32_t *p = &__bss_start; p < &__bss_end; p++) *p = 0;
  uint32_t s = 12345u;
  for (int i = 0; i < BNN_INPUT_SIZE; i++) { s = s * 1664525u + 1013904223u; input[i] = (uint8_t)(s >> 24); }
  *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20; /* CPACR: FPU on (built -mfloat-abi=hard like the firmware) */
  __asm__ volatile("dsb\n\tisb");
  *(volatile uint32_t *)0x40023840u |= 1u; /* RCC APB1ENR: TIM2 */
  TIM2[10] = 0;
  TIM2[11] = 0xFFFFFFFFu;
  TIM2[5] = 1u;
  TIM2[0] = 1u;
  uint32_t t0 = TIM2[9];
  bnn_infer(input, scores);
  uint32_t t1 = TIM2[9];
  put("total ");
  put_u32(t1 - t0);
  put("\n");
  semihost(0x18, (const void *)0x20026u);
  for (;;) {}
}
