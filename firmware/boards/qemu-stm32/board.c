/*
 * The emulated board: QEMU's netduinoplus2 (STM32F405). USART1 is the serial port, TIM2 the tick source.
 * Under `-icount shift=0` QEMU's timers run on virtual time that advances exactly 1 ns per executed instruction, and
 * TIM2 counts at 1 GHz with prescaler 0, so one tick is one instruction — deterministic run to run, and not a
 * measure of microseconds on any real chip. QEMU emulates neither the DWT cycle counter (reads 0) nor the clock tree.
 *
 * Interrupts stay masked (PRIMASK) for the whole run: the USART RX interrupt only wakes WFI and is never taken, so no
 * handler can add instructions to a timed inference and an idle board sleeps instead of spinning a host core.
 */
#include "bnn_board.h"

#define REG(addr) (*(volatile uint32_t *)(addr))

#define RCC_BASE 0x40023800u
#define RCC_AHB1ENR REG(RCC_BASE + 0x30u)
#define RCC_APB1ENR REG(RCC_BASE + 0x40u)
#define RCC_APB2ENR REG(RCC_BASE + 0x44u)

#define GPIOA_BASE 0x40020000u
#define GPIOA_MODER REG(GPIOA_BASE + 0x00u)
#define GPIOA_AFRH REG(GPIOA_BASE + 0x24u)

#define USART1_BASE 0x40011000u
#define USART_SR REG(USART1_BASE + 0x00u)
#define USART_DR REG(USART1_BASE + 0x04u)
#define USART_BRR REG(USART1_BASE + 0x08u)
#define USART_CR1 REG(USART1_BASE + 0x0Cu)
#define USART_SR_RXNE (1u << 5)
#define USART_SR_TXE (1u << 7)
#define USART_CR1_UE (1u << 13)
#define USART_CR1_TE (1u << 3)
#define USART_CR1_RE (1u << 2)
#define USART_CR1_RXNEIE (1u << 5)
#define USART1_IRQ 37u

#define TIM2_BASE 0x40000000u
#define TIM2_CR1 REG(TIM2_BASE + 0x00u)
#define TIM2_EGR REG(TIM2_BASE + 0x14u)
#define TIM2_CNT REG(TIM2_BASE + 0x24u)
#define TIM2_PSC REG(TIM2_BASE + 0x28u)
#define TIM2_ARR REG(TIM2_BASE + 0x2Cu)

#define NVIC_ISER(n) REG(0xE000E100u + 4u * (n))
#define NVIC_ICPR(n) REG(0xE000E280u + 4u * (n))

const char board_name[] = "qemu-stm32";
const char board_tick_source[] = "TIM2 (instructions, emulated)";
const uint32_t board_clock_hz = 168000000u;
/* While the core sleeps QEMU's virtual clock follows host time, 1 tick per ns. */
const uint32_t board_idle_ticks_per_ms = 1000000u;

void board_init(void) {
  __asm volatile("cpsid i" ::: "memory");
  RCC_AHB1ENR |= 1u << 0;  /* GPIOA */
  RCC_APB1ENR |= 1u << 0;  /* TIM2 */
  RCC_APB2ENR |= 1u << 4;  /* USART1 */
  /* PA9/PA10 as AF7 (USART1): what a real F405 needs; QEMU ignores it. */
  GPIOA_MODER = (GPIOA_MODER & ~(0xFu << 18)) | (0xAu << 18);
  GPIOA_AFRH = (GPIOA_AFRH & ~(0xFFu << 4)) | (0x77u << 4);
  USART_BRR = 0x2D9u; /* 115200 baud at an 84 MHz APB2; QEMU ignores the baud rate. */
  USART_CR1 = USART_CR1_UE | USART_CR1_TE | USART_CR1_RE | USART_CR1_RXNEIE;
  NVIC_ISER(USART1_IRQ / 32u) = 1u << (USART1_IRQ % 32u);
  TIM2_PSC = 0;
  TIM2_ARR = 0xFFFFFFFFu;
  TIM2_EGR = 1u; /* load the prescaler now */
  TIM2_CR1 = 1u; /* CEN */
}

uint8_t board_read_byte(void) {
  /* Every access to the USART's registers costs QEMU an I/O-thread notification (and, under -icount, leaving the
   * translated block): while bytes stream in, the next one is usually there already, so look before arming WFI. */
  if (USART_SR & USART_SR_RXNE) return (uint8_t)USART_DR;
  for (;;) {
    /* Clear the pending wake-up before looking, so a byte that lands in between still ends the WFI. */
    NVIC_ICPR(USART1_IRQ / 32u) = 1u << (USART1_IRQ % 32u);
    if (USART_SR & USART_SR_RXNE) return (uint8_t)USART_DR;
    __asm volatile("wfi" ::: "memory");
  }
}

void board_write(const uint8_t *data, size_t len) {
  /* QEMU's USART transmits synchronously inside the write to DR and keeps TXE set (hw/char/stm32f2xx_usart.c), so
   * polling TXE would only cost a register read per byte. */
  while (len--) USART_DR = *data++;
}

uint32_t board_ticks(void) {
  return TIM2_CNT;
}
