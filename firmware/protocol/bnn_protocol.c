/*
 * Board-independent protocol core: parses request frames byte by byte, runs the model, streams the reply.
 * Replies are written while they are computed (CRC updated on the fly), so no reply buffer is needed and a batch
 * costs RAM only for its requests.
 */
#include <string.h>

#include "bnn_board.h"
#include "bnn_model.h"
#include "bnn_protocol.h"

#if BNN_MAX_PAYLOAD < BNN_INPUT_SIZE + 2
#undef BNN_MAX_PAYLOAD
#define BNN_MAX_PAYLOAD (BNN_INPUT_SIZE + 2)
#endif

/* A frame whose bytes stop arriving for this long is abandoned, so a host that died mid-frame cannot make the
 * firmware swallow the next requests as payload. */
#define BNN_GAP_MS 250u

#define SAMPLE_REPLY_BYTES (2u + 4u + 4u * (uint32_t)BNN_NUM_CLASSES)

enum parse_state { WAIT_SYNC0, WAIT_SYNC1, HEADER, PAYLOAD, TRAILER };

static uint8_t rx_payload[BNN_MAX_PAYLOAD] __attribute__((aligned(4)));
static uint8_t input[BNN_INPUT_SIZE] __attribute__((aligned(4)));
static bnn_score_t scores[BNN_NUM_CLASSES];

static enum parse_state state;
static uint8_t header[5]; /* type, seq, len lo, len hi, crc8 */
static uint32_t got;
static uint32_t length;
static uint32_t last_byte_ticks;
static uint32_t tick_overhead;
static uint32_t tx_crc;

/* ---- CRCs (nibble tables: small flash, fast enough for a serial line) ---- */

uint8_t bnn_crc8(uint8_t crc, const uint8_t *data, uint32_t len) {
  while (len--) {
    crc ^= *data++;
    for (int i = 0; i < 8; i++) crc = (uint8_t)((crc & 0x80u) ? (uint8_t)(crc << 1) ^ 0x07u : (uint8_t)(crc << 1));
  }
  return crc;
}

static const uint32_t crc32_nibble[16] = {
  0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu, 0x76DC4190u, 0x6B6B51F4u, 0x4DB26158u, 0x5005713Cu,
  0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu, 0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu,
};

/* Running CRC-32 without the final XOR: start with 0xFFFFFFFF, finish with ~crc. */
uint32_t bnn_crc32_update(uint32_t crc, const uint8_t *data, uint32_t len) {
  while (len--) {
    crc ^= *data++;
    crc = (crc >> 4) ^ crc32_nibble[crc & 15u];
    crc = (crc >> 4) ^ crc32_nibble[crc & 15u];
  }
  return crc;
}

/* ---- reply framing ---- */

static void tx_begin(uint8_t type, uint8_t seq, uint32_t len) {
  uint8_t h[BNN_HEADER_BYTES] = { BNN_SYNC0, BNN_SYNC1, type, seq, (uint8_t)len, (uint8_t)(len >> 8), 0 };
  h[6] = bnn_crc8(0, &h[2], 4);
  tx_crc = bnn_crc32_update(0xFFFFFFFFu, &h[2], 4);
  board_write(h, sizeof h);
}

static void tx_bytes(const uint8_t *data, uint32_t len) {
  tx_crc = bnn_crc32_update(tx_crc, data, len);
  board_write(data, len);
}

static void tx_u8(uint8_t v) { tx_bytes(&v, 1); }

static void tx_u16(uint32_t v) {
  uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
  tx_bytes(b, 2);
}

static void tx_u32(uint32_t v) {
  uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
  tx_bytes(b, 4);
}

static void tx_str(const char *s) {
  uint32_t n = (uint32_t)strlen(s);
  if (n > 255u) n = 255u;
  tx_u8((uint8_t)n);
  tx_bytes((const uint8_t *)s, n);
}

static void tx_end(void) {
  uint32_t c = ~tx_crc;
  uint8_t b[4] = { (uint8_t)c, (uint8_t)(c >> 8), (uint8_t)(c >> 16), (uint8_t)(c >> 24) };
  board_write(b, 4);
}

static uint32_t str_field(const char *s) {
  uint32_t n = (uint32_t)strlen(s);
  return 1u + (n > 255u ? 255u : n);
}

static void send_error(uint8_t seq, uint8_t code, const char *message) {
  tx_begin(BNN_MSG_ERROR, seq, 1u + str_field(message));
  tx_u8(code);
  tx_str(message);
  tx_end();
}

/* HELLO reply: protocol u8, scoresAreFloat u8, classes u16, inputSize u32, maxPayload u32, clockHz u32,
 * modelFlashBytes u32, modelRamBytes u32, then strings (u8 length + bytes): firmware version, model hash, board,
 * tick source. */
static void send_hello(uint8_t seq) {
  uint32_t len = 1u + 1u + 2u + 4u * 5u + str_field(BNN_FIRMWARE_VERSION) + str_field(BNN_MODEL_HASH) +
                 str_field(board_name) + str_field(board_tick_source);
  tx_begin(BNN_MSG_HELLO_REPLY, seq, len);
  tx_u8(BNN_PROTOCOL_VERSION);
  tx_u8(BNN_SCORES_ARE_FLOAT ? 1u : 0u);
  tx_u16(BNN_NUM_CLASSES);
  tx_u32(BNN_INPUT_SIZE);
  tx_u32(BNN_MAX_PAYLOAD);
  tx_u32(board_clock_hz);
  tx_u32(BNN_FLASH_BYTES);
  tx_u32(BNN_RAM_BYTES);
  tx_str(BNN_FIRMWARE_VERSION);
  tx_str(BNN_MODEL_HASH);
  tx_str(board_name);
  tx_str(board_tick_source);
  tx_end();
}

/* Runs one inference on `in` and streams its class, ticks and scores. The timed window is exactly the bnn_infer()
 * call; the cost of reading the tick source is measured at start-up and subtracted. */
static void infer_and_send(const uint8_t *in) {
  if (in != input) memcpy(input, in, BNN_INPUT_SIZE);
  uint32_t t0 = board_ticks();
  int cls = bnn_infer(input, scores);
  uint32_t t1 = board_ticks();
  tx_u16((uint32_t)cls);
  tx_u32(t1 - t0 - tick_overhead);
  for (uint32_t i = 0; i < BNN_NUM_CLASSES; i++) {
    uint32_t bits;
    memcpy(&bits, &scores[i], 4);
    tx_u32(bits);
  }
}

/* PackBits (as in TIFF/MacPaint): header h < 128 copies h+1 literal bytes, h > 128 repeats the next byte 257-h
 * times, 128 is a no-op. Inputs travel packed because the serial line is the bottleneck (115200 baud on real boards,
 * one byte per register read on QEMU's USART), and images have long runs (Fashion-MNIST's background). Returns 1 when `src` decodes to exactly BNN_INPUT_SIZE bytes. */
static int unpack_input(const uint8_t *src, uint32_t len, uint8_t *dst) {
  uint32_t i = 0, o = 0;
  while (i < len) {
    uint32_t h = src[i++];
    if (h < 128u) {
      uint32_t n = h + 1u;
      if (i + n > len || o + n > BNN_INPUT_SIZE) return 0;
      memcpy(&dst[o], &src[i], n);
      i += n;
      o += n;
    } else if (h > 128u) {
      uint32_t n = 257u - h;
      if (i >= len || o + n > BNN_INPUT_SIZE) return 0;
      memset(&dst[o], src[i++], n);
      o += n;
    }
  }
  return o == BNN_INPUT_SIZE;
}

/* Checks a BATCH_PACKED payload completely before any reply byte goes out. */
static uint32_t packed_batch_count(void) {
  if (length < 2u) return 0;
  uint32_t count = (uint32_t)rx_payload[0] | ((uint32_t)rx_payload[1] << 8);
  uint32_t at = 2u;
  for (uint32_t k = 0; k < count; k++) {
    if (at + 2u > length) return 0;
    uint32_t n = (uint32_t)rx_payload[at] | ((uint32_t)rx_payload[at + 1u] << 8);
    at += 2u;
    if (at + n > length || !unpack_input(&rx_payload[at], n, input)) return 0;
    at += n;
  }
  return at == length ? count : 0u;
}

static void handle_frame(void) {
  uint8_t type = header[0];
  uint8_t seq = header[1];
  switch (type) {
    case BNN_MSG_HELLO:
      send_hello(seq);
      return;
    case BNN_MSG_INFER:
      if (length != BNN_INPUT_SIZE) {
        send_error(seq, BNN_ERR_BAD_LENGTH, "INFER payload must be exactly the model's input size");
        return;
      }
      tx_begin(BNN_MSG_INFER_REPLY, seq, SAMPLE_REPLY_BYTES);
      infer_and_send(rx_payload);
      tx_end();
      return;
    case BNN_MSG_BATCH: {
      uint32_t count = length >= 2u ? (uint32_t)rx_payload[0] | ((uint32_t)rx_payload[1] << 8) : 0u;
      if (count == 0u || length != 2u + count * (uint32_t)BNN_INPUT_SIZE) {
        send_error(seq, BNN_ERR_BAD_LENGTH, "BATCH payload must be count u16 followed by count inputs");
        return;
      }
      tx_begin(BNN_MSG_BATCH_REPLY, seq, 2u + count * SAMPLE_REPLY_BYTES);
      tx_u16(count);
      for (uint32_t i = 0; i < count; i++) infer_and_send(&rx_payload[2u + i * (uint32_t)BNN_INPUT_SIZE]);
      tx_end();
      return;
    }
    case BNN_MSG_BATCH_PACKED: {
      uint32_t count = packed_batch_count();
      if (count == 0u) {
        send_error(seq, BNN_ERR_BAD_LENGTH, "BATCH_PACKED payload must be count u16 followed by count packed inputs");
        return;
      }
      tx_begin(BNN_MSG_BATCH_REPLY, seq, 2u + count * SAMPLE_REPLY_BYTES);
      tx_u16(count);
      uint32_t at = 2u;
      for (uint32_t k = 0; k < count; k++) {
        uint32_t n = (uint32_t)rx_payload[at] | ((uint32_t)rx_payload[at + 1u] << 8);
        (void)unpack_input(&rx_payload[at + 2u], n, input);
        at += 2u + n;
        infer_and_send(input);
      }
      tx_end();
      return;
    }
    default:
      send_error(seq, BNN_ERR_UNKNOWN_TYPE, "unknown request type");
      return;
  }
}

void bnn_protocol_init(void) {
  state = WAIT_SYNC0;
  uint32_t t0 = board_ticks();
  uint32_t t1 = board_ticks();
  tick_overhead = t1 - t0;
  last_byte_ticks = t1;
}

void bnn_protocol_feed(uint8_t byte) {
  uint32_t now = board_ticks();
  if (state != WAIT_SYNC0 && now - last_byte_ticks > BNN_GAP_MS * board_idle_ticks_per_ms) state = WAIT_SYNC0;
  last_byte_ticks = now;
  switch (state) {
    case WAIT_SYNC0:
      if (byte == BNN_SYNC0) state = WAIT_SYNC1;
      return;
    case WAIT_SYNC1:
      state = byte == BNN_SYNC1 ? HEADER : (byte == BNN_SYNC0 ? WAIT_SYNC1 : WAIT_SYNC0);
      got = 0;
      return;
    case HEADER:
      header[got++] = byte;
      if (got < sizeof header) return;
      if (bnn_crc8(0, header, 4) != header[4]) {
        /* Not a header: most likely garbage that happened to contain the sync bytes. */
        state = WAIT_SYNC0;
        return;
      }
      length = (uint32_t)header[2] | ((uint32_t)header[3] << 8);
      if (length > BNN_MAX_PAYLOAD) {
        send_error(header[1], BNN_ERR_TOO_LARGE, "request payload larger than the firmware's buffer (see HELLO)");
        state = WAIT_SYNC0;
        return;
      }
      got = 0;
      state = length ? PAYLOAD : TRAILER;
      return;
    case PAYLOAD:
      rx_payload[got++] = byte;
      if (got == length) {
        got = 0;
        state = TRAILER;
      }
      return;
    case TRAILER: {
      static uint8_t trailer[4];
      trailer[got++] = byte;
      if (got < 4) return;
      state = WAIT_SYNC0;
      uint32_t crc = bnn_crc32_update(0xFFFFFFFFu, header, 4);
      crc = ~bnn_crc32_update(crc, rx_payload, length);
      uint32_t sent = (uint32_t)trailer[0] | ((uint32_t)trailer[1] << 8) | ((uint32_t)trailer[2] << 16) |
                      ((uint32_t)trailer[3] << 24);
      if (crc != sent) {
        send_error(header[1], BNN_ERR_BAD_CRC, "request CRC mismatch");
        return;
      }
      handle_frame();
      return;
    }
  }
}
