/* What the QEMU benchmark programs (popbench.c, stages.c) share: the two-entry vector table, TIM2 as the instruction
 * counter (under -icount shift=0 it advances once per executed instruction), and output over semihosting, which QEMU
 * writes to its console. qemu-m4.ld provides _estack and the .bss bounds. */
#ifndef CM4_HARNESS_H
#define CM4_HARNESS_H

#include <stdint.h>

extern uint32_t _estack, __bss_start, __bss_end;
void reset_handler(void);
__attribute__((section(".vectors"), used)) static const void *const vectors[2] = { &_estack, (const void *)reset_handler };

/* TIM2[9] is CNT. */
#define TIM2 ((volatile uint32_t *)0x40000000u)

static inline void semihost(uint32_t op, const void *arg)
{
  register uint32_t r0 __asm__("r0") = op;
  register const void *r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
}

static inline void put(const char *s) { semihost(0x04, s); }

static inline void put_u32(uint32_t v)
{
  char buf[12];
  int i = 11;
  buf[i] = 0;
  do { buf[--i] = (char)('0' + v % 10); v /= 10; } while (v);
  put(&buf[i]);
}

static inline void clear_bss(void)
{
  for (uint32_t *p = &__bss_start; p < &__bss_end; p++) *p = 0;
}

/* TIM2 free-running from 0 to 2^32 − 1 with prescaler 0: one count per instruction. */
static inline void start_tim2(void)
{
  *(volatile uint32_t *)0x40023840u |= 1u; /* RCC APB1ENR: TIM2 */
  TIM2[10] = 0;           /* PSC */
  TIM2[11] = 0xFFFFFFFFu; /* ARR */
  TIM2[5] = 1u;           /* EGR: load the prescaler */
  TIM2[0] = 1u;           /* CR1: CEN */
}

/* SYS_EXIT with ADP_Stopped_ApplicationExit (AArch32: the code itself): QEMU exits with status 0. */
static inline void exit_qemu(void)
{
  semihost(0x18, (const void *)0x20026u);
  for (;;) {}
}

#endif
