/* Instructions per 32-bit word of XNOR-popcount on Cortex-M4, four ways, measured on QEMU netduinoplus2 with
 * -icount shift=0, where TIM2 advances exactly once per executed instruction. Results go out via semihosting. */
#include "harness.h"

#define WORDS 512
#define REPS 4

static uint32_t a[WORDS], b[WORDS];

/* 1. SWAR to per-byte counts, one word per step, byte lanes summed over up to 31 words, then folded. */
__attribute__((noinline)) static uint32_t pop_swar_lanes(const uint32_t *x, const uint32_t *y, int32_t n)
{
  uint32_t total = 0;
  while (n > 0) {
    int32_t chunk = n < 31 ? n : 31;
    uint32_t lanes = 0;
    n -= chunk;
    while (chunk-- > 0) {
      uint32_t v = *x++ ^ *y++;
      v = v - ((v >> 1) & 0x55555555u);
      v = (v & 0x33333333u) + ((v >> 2) & 0x33333333u);
      lanes += (v + (v >> 4)) & 0x0F0F0F0Fu;
    }
    lanes = (lanes & 0x00FF00FFu) + ((lanes >> 8) & 0x00FF00FFu);
    total += (lanes & 0xFFFFu) + (lanes >> 16);
  }
  return total;
}

/* 1b. The compiler's choice: bnn_xorpop exactly as bnn_model.c gets it (SWAR on two words at a time, the masks in
 * registers, byte lanes summed over 30 words), from the runtime in firmware/runtime/. */
#include "bnn_popcount.h"
__attribute__((noinline)) static uint32_t pop_swar_pairs(const uint32_t *x, const uint32_t *y, int32_t n)
{
  return bnn_xorpop(x, y, n);
}

/* 2. Textbook SWAR with the multiply per word. */
__attribute__((noinline)) static uint32_t pop_swar_mul(const uint32_t *x, const uint32_t *y, int32_t n)
{
  uint32_t total = 0;
  for (int32_t i = 0; i < n; i++) {
    uint32_t v = x[i] ^ y[i];
    v = v - ((v >> 1) & 0x55555555u);
    v = (v & 0x33333333u) + ((v >> 2) & 0x33333333u);
    v = (v + (v >> 4)) & 0x0F0F0F0Fu;
    total += (v * 0x01010101u) >> 24;
  }
  return total;
}

/* 3. A 256-entry byte table (flash), four lookups per word. */
static const uint8_t table[256] = {
#define B2(n) n, n + 1, n + 1, n + 2
#define B4(n) B2(n), B2(n + 1), B2(n + 1), B2(n + 2)
#define B6(n) B4(n), B4(n + 1), B4(n + 1), B4(n + 2)
  B6(0), B6(1), B6(1), B6(2)
};
__attribute__((noinline)) static uint32_t pop_table(const uint32_t *x, const uint32_t *y, int32_t n)
{
  uint32_t total = 0;
  for (int32_t i = 0; i < n; i++) {
    uint32_t v = x[i] ^ y[i];
    total += (uint32_t)table[v & 0xFF] + table[(v >> 8) & 0xFF] + table[(v >> 16) & 0xFF] + table[v >> 24];
  }
  return total;
}

/* 4. GCC's builtin: a call into libgcc's __popcountsi2 on Cortex-M4. */
__attribute__((noinline)) static uint32_t pop_builtin(const uint32_t *x, const uint32_t *y, int32_t n)
{
  uint32_t total = 0;
  for (int32_t i = 0; i < n; i++) total += (uint32_t)__builtin_popcount(x[i] ^ y[i]);
  return total;
}

typedef uint32_t (*pop_fn)(const uint32_t *, const uint32_t *, int32_t);

static void measure(const char *name, pop_fn f, uint32_t expect)
{
  volatile uint32_t sink = 0;
  uint32_t t0 = TIM2[9];
  for (int r = 0; r < REPS; r++) sink += f(a, b, WORDS);
  uint32_t t1 = TIM2[9];
  /* The same loop with n = 0 costs the call and loop overhead, which we subtract. */
  for (int r = 0; r < REPS; r++) sink += f(a, b, 0);
  uint32_t t2 = TIM2[9];
  uint32_t per = ((t1 - t0) - (t2 - t1)) * 100u / (REPS * WORDS);
  put(name);
  put(" ");
  put_u32(per / 100);
  put(".");
  put_u32((per / 10) % 10);
  put_u32(per % 10);
  put(sink == expect * REPS ? " instructions/word\n" : " instructions/word (WRONG COUNT)\n");
}

void reset_handler(void)
{
  clear_bss();
  uint32_t s = 12345u, expect = 0;
  for (int i = 0; i < WORDS; i++) {
    s = s * 1664525u + 1013904223u; a[i] = s;
    s = s * 1664525u + 1013904223u; b[i] = (i % 8) < 2 ? ~a[i] : s; /* some all-mismatch pairs: lanes at their bound */
    for (uint32_t v = a[i] ^ b[i]; v; v &= v - 1) expect++;
  }
  start_tim2();
  measure("swar-1-word-lanes        ", pop_swar_lanes, expect);
  measure("swar-pairs (bnn_model.c)", pop_swar_pairs, expect);
  measure("swar-multiply           ", pop_swar_mul, expect);
  measure("byte-table              ", pop_table, expect);
  measure("__builtin_popcount      ", pop_builtin, expect);
  exit_qemu();
}
