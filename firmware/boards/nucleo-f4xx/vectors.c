/* The Nucleo F4 chips' vector table: the chip's IRQ count (chip.h) past the 16 system exceptions. */
#include "chip.h"
#include "cortexm_startup.h"

CORTEXM_VECTOR_TABLE(CHIP_IRQS);
