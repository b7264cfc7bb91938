/* The STM32F405's vector table: 82 IRQs past the 16 system exceptions. */
#include "cortexm_startup.h"

CORTEXM_VECTOR_TABLE(82u);
