/*
 * STM32 Nucleo-64 F401RE / F411RE / F446RE: USART2 on PA2/PA3 is wired to the ST-Link's virtual COM port (the USB
 * serial port the host sees), 115200 8N1. Latency comes from the Cortex-M4 DWT cycle counter: core clock cycles,
 * converted to µs by the host with the clock reported in HELLO.
 *
 * Unlike the emulated board, the receive loop polls instead of sleeping in WFI: the DWT cycle counter stops while
 * the core sleeps, and the protocol's inter-byte gap timeout needs ticks that keep counting while idle. A real
 * board's idle power does not matter here, unlike QEMU's host core.
 */
#include "bnn_board.h"
#include "chip.h"
#include "nucleo_regs.h"

void clock_init(void);

#define BAUD 115200u

const char board_name[] = CHIP_NAME;
const char board_tick_source[] = "DWT cycle counter";
const uint32_t board_clock_hz = CHIP_SYSCLK_HZ;
const uint32_t board_idle_ticks_per_ms = CHIP_SYSCLK_HZ / 1000u;

void board_init(void) {
  clock_init();

  RCC_AHB1ENR |= 1u << 0; /* GPIOA */
  RCC_APB1ENR |= RCC_APB1ENR_USART2EN;
  (void)RCC_APB1ENR;
  /* PA2 (TX) and PA3 (RX): alternate function 7, high speed, pull-up on RX so a floating line reads idle. */
  GPIOA_MODER = (GPIOA_MODER & ~(0xFu << 4)) | (0xAu << 4);
  GPIOA_OSPEEDR |= 0xFu << 4;
  GPIOA_PUPDR = (GPIOA_PUPDR & ~(0xFu << 4)) | (0x1u << 6);
  GPIOA_AFRL = (GPIOA_AFRL & ~(0xFFu << 8)) | (0x77u << 8);
  /* Oversampling by 16: BRR = f_APB1 / baud, rounded (mantissa and fraction fall out of the same division). */
  USART2_BRR = (CHIP_APB1_HZ + BAUD / 2u) / BAUD;
  USART2_CR1 = USART_CR1_UE | USART_CR1_TE | USART_CR1_RE;

  DEMCR |= DEMCR_TRCENA;
  DWT_LAR = 0xC5ACCE55u; /* unlock (needed on some cores; ignored where there is no lock) */
  DWT_CYCCNT = 0u;
  DWT_CTRL |= DWT_CTRL_CYCCNTENA;
}

uint8_t board_read_byte(void) {
  for (;;) {
    uint32_t sr = USART2_SR;
    if (sr & USART_SR_RXNE) return (uint8_t)USART2_DR;
    /* An overrun (host sent while we computed) blocks reception until SR then DR are read; the protocol resyncs. */
    if (sr & USART_SR_ORE) (void)USART2_DR;
  }
}

void board_write(const uint8_t *data, size_t len) {
  while (len--) {
    while (!(USART2_SR & USART_SR_TXE)) {
    }
    USART2_DR = *data++;
  }
}

uint32_t board_ticks(void) {
  return DWT_CYCCNT;
}
