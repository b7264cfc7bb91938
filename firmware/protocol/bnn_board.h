/*
 * What a board gives the protocol core. One implementation per board (boards/<id>/board.c); the protocol core,
 * the model and this interface are shared by every board, emulated or real.
 */
#ifndef BNN_BOARD_H
#define BNN_BOARD_H

#include <stddef.h>
#include <stdint.h>

/* Clocks, UART and the tick source. Called once before anything else. */
void board_init(void);

/* Blocks until a byte arrives on the serial port, sleeping (not spinning) while idle. */
uint8_t board_read_byte(void);

/* Writes bytes to the serial port, returning when they are handed to the hardware. */
void board_write(const uint8_t *data, size_t len);

/* The latency tick source: free-running, wraps at 2^32. */
uint32_t board_ticks(void);

/* Board facts reported in HELLO (e.g. "qemu-stm32", 168000000, "TIM2 (instructions, emulated)"). */
extern const char board_name[];
extern const char board_tick_source[];
extern const uint32_t board_clock_hz;

/* Ticks per millisecond while the board sleeps, for the inter-byte gap that abandons a half-received frame. */
extern const uint32_t board_idle_ticks_per_ms;

#endif
