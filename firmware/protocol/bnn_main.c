/* main() for bare-metal boards (emulated STM32, Nucleo): everything board-specific lives behind bnn_board.h.
 * The Arduino sketch has its own setup()/loop() around the same bnn_protocol_feed(). */
#include "bnn_board.h"
#include "bnn_protocol.h"

int main(void) {
  board_init();
  bnn_protocol_init();
  for (;;) bnn_protocol_feed(board_read_byte());
}
