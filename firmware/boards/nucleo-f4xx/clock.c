/*
 * Clock tree bring-up for the Nucleo F4 boards: HSI → PLL → SYSCLK at the chip's maximum, with the flash wait
 * states, voltage scale and (F446) over-drive that frequency needs, in the order the reference manuals require:
 * raise wait states before raising the clock.
 */
#include <stdint.h>
#include "chip.h"
#include "nucleo_regs.h"

void clock_init(void);

static uint32_t apb_bits(uint32_t div) {
  /* PPREx encoding: 0xx = /1, 100 = /2, 101 = /4, 110 = /8, 111 = /16. */
  switch (div) {
    case 2u: return 4u;
    case 4u: return 5u;
    case 8u: return 6u;
    case 16u: return 7u;
    default: return 0u;
  }
}

void clock_init(void) {
  RCC_CR |= RCC_CR_HSION;
  while (!(RCC_CR & RCC_CR_HSIRDY)) {
  }
  RCC_APB1ENR |= RCC_APB1ENR_PWREN;
  (void)RCC_APB1ENR; /* read back: the enable takes effect before PWR is touched */
  PWR_CR = (PWR_CR & ~(3u << 14)) | (CHIP_VOS << 14);

  RCC_CR &= ~RCC_CR_PLLON;
  while (RCC_CR & RCC_CR_PLLRDY) {
  }
  RCC_PLLCFGR = CHIP_PLLM | (CHIP_PLLN << 6) | (((CHIP_PLLP / 2u) - 1u) << 16) | (0u << 22) /* HSI */ | (CHIP_PLLQ << 24)
#if defined(NUCLEO_F446RE)
                | (2u << 28) /* PLLR = 2 (unused, but must not be 0 or 1) */
#endif
      ;
  RCC_CR |= RCC_CR_PLLON;
  while (!(RCC_CR & RCC_CR_PLLRDY)) {
  }

#if CHIP_OVERDRIVE
  PWR_CR |= PWR_CR_ODEN;
  while (!(PWR_CSR & PWR_CSR_ODRDY)) {
  }
  PWR_CR |= PWR_CR_ODSWEN;
  while (!(PWR_CSR & PWR_CSR_ODSWRDY)) {
  }
#endif

  FLASH_ACR = CHIP_FLASH_WS | FLASH_ACR_PRFTEN | FLASH_ACR_ICEN | FLASH_ACR_DCEN;
  while ((FLASH_ACR & 0xFu) != CHIP_FLASH_WS) {
  }

  RCC_CFGR = (RCC_CFGR & ~((0xFu << 4) | (7u << 10) | (7u << 13) | 3u))
           | (0u << 4) /* AHB /1 */ | (apb_bits(CHIP_APB1_DIV) << 10) | (apb_bits(CHIP_APB2_DIV) << 13) | RCC_CFGR_SW_PLL;
  while ((RCC_CFGR & (3u << 2)) != (RCC_CFGR_SW_PLL << 2)) {
  }
}
