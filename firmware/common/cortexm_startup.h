/*
 * The Cortex-M4F startup every bare-metal board shares (cortexm_startup.c: reset handler, default handler). A board's
 * vectors.c only sizes its vector table with CORTEXM_VECTOR_TABLE(its IRQ count): that count is all that differs.
 * The linker script (cortexm_sections.ld) provides _estack and the .isr_vector section at the start of flash.
 */
#ifndef CORTEXM_STARTUP_H
#define CORTEXM_STARTUP_H

#include <stdint.h>

extern uint32_t _estack;

void Reset_Handler(void);
void Default_Handler(void);

/* Every vector but the initial SP and reset points at Default_Handler: the firmware takes no interrupts. */
#define CORTEXM_VECTOR_TABLE(irqs)                                                                 \
  __attribute__((section(".isr_vector"), used)) void (*const vector_table[16u + (irqs)])(void) = { \
    [0] = (void (*)(void))(&_estack),                                                              \
    [1] = Reset_Handler,                                                                           \
    [2 ... 16u + (irqs) - 1u] = Default_Handler,                                                   \
  }

#endif
