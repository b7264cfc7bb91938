/* Reset handler and vector table for the Nucleo F4 chips (Cortex-M4F): C memory, FPU, then main(). */
#include <stdint.h>
#include <string.h>
#include "chip.h"

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
int main(void);

void Reset_Handler(void);
void Default_Handler(void);

void Reset_Handler(void) {
  memcpy(&_sdata, &_sidata, (size_t)((uint8_t *)&_edata - (uint8_t *)&_sdata));
  memset(&_sbss, 0, (size_t)((uint8_t *)&_ebss - (uint8_t *)&_sbss));
  /* CPACR: full access to CP10/CP11 for float32 stages (built with -mfpu=fpv4-sp-d16). */
  *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;
  __asm volatile("dsb\n isb");
  main();
  for (;;) __asm volatile("wfi");
}

/* Faults and unexpected interrupts park the core; the host reports a board that stopped answering. */
void Default_Handler(void) {
  for (;;) __asm volatile("wfi");
}

#define VECTORS (16u + CHIP_IRQS)

__attribute__((section(".isr_vector"), used)) void (*const vector_table[VECTORS])(void) = {
  [0] = (void (*)(void))(&_estack),
  [1] = Reset_Handler,
  [2 ... VECTORS - 1] = Default_Handler,
};
