/*
 * The three Nucleo-64 F4 boards differ only in their clock tree and memory sizes; the build picks one with
 * -DNUCLEO_F401RE / -DNUCLEO_F411RE / -DNUCLEO_F446RE (src/core/device/build.ts does it per board id).
 *
 * Every clock starts from the 16 MHz HSI: the Nucleo's HSE input is fed from the ST-Link's MCO only on some board
 * revisions (solder bridges SB50/SB16), while the HSI is always there. PLL input = 16 MHz / PLLM = 1 or 2 MHz.
 */
#ifndef NUCLEO_CHIP_H
#define NUCLEO_CHIP_H

#if defined(NUCLEO_F401RE)
#define CHIP_NAME "nucleo-f401re"
#define CHIP_SYSCLK_HZ 84000000u
#define CHIP_PLLM 16u  /* 1 MHz VCO input */
#define CHIP_PLLN 336u /* 336 MHz VCO */
#define CHIP_PLLP 4u   /* 84 MHz SYSCLK */
#define CHIP_PLLQ 7u   /* 48 MHz for USB/SDIO */
#define CHIP_FLASH_WS 2u /* RM0368 table 6: 2 wait states at 64–84 MHz, 2.7–3.6 V */
#define CHIP_VOS 2u      /* scale 2 is enough up to 84 MHz */
#define CHIP_APB1_DIV 2u /* APB1 ≤ 42 MHz */
#define CHIP_APB2_DIV 1u
#define CHIP_OVERDRIVE 0
#define CHIP_IRQS 85u
#elif defined(NUCLEO_F411RE)
#define CHIP_NAME "nucleo-f411re"
#define CHIP_SYSCLK_HZ 100000000u
#define CHIP_PLLM 16u
#define CHIP_PLLN 400u /* 400 MHz VCO */
#define CHIP_PLLP 4u   /* 100 MHz SYSCLK */
#define CHIP_PLLQ 9u   /* 44.4 MHz: USB is not used */
#define CHIP_FLASH_WS 3u /* RM0383 table 5: 3 wait states at 90–100 MHz, 2.7–3.6 V */
#define CHIP_VOS 3u      /* scale 1 for 100 MHz */
#define CHIP_APB1_DIV 2u /* APB1 ≤ 50 MHz */
#define CHIP_APB2_DIV 1u
#define CHIP_OVERDRIVE 0
#define CHIP_IRQS 86u
#elif defined(NUCLEO_F446RE)
#define CHIP_NAME "nucleo-f446re"
#define CHIP_SYSCLK_HZ 180000000u
#define CHIP_PLLM 8u   /* 2 MHz VCO input */
#define CHIP_PLLN 180u /* 360 MHz VCO */
#define CHIP_PLLP 2u   /* 180 MHz SYSCLK */
#define CHIP_PLLQ 8u   /* 45 MHz: USB is not used */
#define CHIP_FLASH_WS 5u /* RM0390 table 5: 5 wait states at 150–180 MHz, 2.7–3.6 V */
#define CHIP_VOS 3u      /* scale 1, plus over-drive, for 180 MHz */
#define CHIP_APB1_DIV 4u /* APB1 ≤ 45 MHz */
#define CHIP_APB2_DIV 2u /* APB2 ≤ 90 MHz */
#define CHIP_OVERDRIVE 1
#define CHIP_IRQS 97u
#else
#error "define NUCLEO_F401RE, NUCLEO_F411RE or NUCLEO_F446RE"
#endif

#define CHIP_APB1_HZ (CHIP_SYSCLK_HZ / CHIP_APB1_DIV)

#endif
