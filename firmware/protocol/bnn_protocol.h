/*
 * The BNN Studio serial protocol, board-independent. Every board (emulated STM32, Nucleo, Arduino sketch) feeds the
 * received bytes to bnn_protocol_feed() and the core answers through board_write().
 *
 * Frame:  0xB5 0x4E | type u8 | seq u8 | length u16 LE | header CRC-8 | payload[length] | CRC-32 LE
 *   header CRC-8: polynomial 0x07, init 0, over type..length (4 bytes) — a corrupt length is rejected at once.
 *   CRC-32: IEEE 802.3 (zlib's crc32) over type..payload.
 * Requests and responses carry the same seq, so the host can drop late duplicates of a resent request.
 * The host-side twin of this file is src/core/device/protocol.ts; keep them in step (BNN_PROTOCOL_VERSION).
 */
#ifndef BNN_PROTOCOL_H
#define BNN_PROTOCOL_H

#include <stdint.h>

#define BNN_PROTOCOL_VERSION 1
#define BNN_FIRMWARE_VERSION "bnn-fw 0.1.0"

#define BNN_SYNC0 0xB5u
#define BNN_SYNC1 0x4Eu
#define BNN_HEADER_BYTES 7u
#define BNN_TRAILER_BYTES 4u

enum bnn_msg_type {
  BNN_MSG_HELLO = 0x01,       /* empty payload */
  BNN_MSG_INFER = 0x02,       /* payload: input[BNN_INPUT_SIZE] */
  BNN_MSG_BATCH = 0x03,       /* payload: count u16, count × input */
  BNN_MSG_BATCH_PACKED = 0x04, /* payload: count u16, count × (length u16, input PackBits-encoded); reply as BATCH */
  BNN_MSG_HELLO_REPLY = 0x81, /* see bnn_protocol.c: send_hello() */
  BNN_MSG_INFER_REPLY = 0x82, /* class u16, ticks u32, scores[classes] (int32 or float32 bits, LE) */
  BNN_MSG_BATCH_REPLY = 0x83, /* count u16, then count × (class u16, ticks u32, scores[classes]) */
  BNN_MSG_ERROR = 0x7F        /* code u8, message length u8, message */
};

enum bnn_error_code {
  BNN_ERR_BAD_CRC = 1,
  BNN_ERR_UNKNOWN_TYPE = 2,
  BNN_ERR_BAD_LENGTH = 3,
  BNN_ERR_TOO_LARGE = 4
};

/* Largest request payload the firmware accepts (the receive buffer); reported in HELLO. */
#ifndef BNN_MAX_PAYLOAD
#define BNN_MAX_PAYLOAD 8192u
#endif

void bnn_protocol_init(void);
void bnn_protocol_feed(uint8_t byte);

uint8_t bnn_crc8(uint8_t crc, const uint8_t *data, uint32_t len);
uint32_t bnn_crc32_update(uint32_t crc, const uint8_t *data, uint32_t len);

#endif
