/* Reset handler for the Cortex-M4F boards: set up C memory, enable the FPU, run main(). */
#include <string.h>
#include "cortexm_startup.h"

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss;
int main(void);

/* Faults and unexpected interrupts park the core asleep; the host reports a board that stopped answering. */
void Default_Handler(void) {
  for (;;) __asm volatile("wfi");
}

void Reset_Handler(void) {
  memcpy(&_sdata, &_sidata, (size_t)((uint8_t *)&_edata - (uint8_t *)&_sdata));
  memset(&_sbss, 0, (size_t)((uint8_t *)&_ebss - (uint8_t *)&_sbss));
  /* CPACR: full access to CP10/CP11, so a model with float32 stages can use the FPU (built with -mfpu=fpv4-sp-d16). */
  *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;
  __asm volatile("dsb\n isb");
  main();
  for (;;) __asm volatile("wfi");
}
