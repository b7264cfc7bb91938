/* BNN Studio runtime: XNOR-popcount. Cortex-M4 has no popcount instruction and GCC's __builtin_popcount becomes a
 * call into libgcc. The loops use SWAR bit-slicing (Hacker's Delight 5-1) two words at a time with the masks in
 * registers, and add byte lanes over up to 30 words before folding them: 13.6 instructions per word on QEMU's
 * Cortex-M4 against 17.0 for the textbook SWAR, 17.0 for a byte table and 20.0 for __builtin_popcount
 * (scripts/bench/cm4, docs/compiler.md). `-DBNN_USE_BUILTIN_POPCOUNT` switches to the builtin for targets that have
 * the instruction (x86 -mpopcnt). */
#ifndef BNN_POPCOUNT_H
#define BNN_POPCOUNT_H

#include "bnn_config.h"

static inline uint32_t bnn_popcount(uint32_t v)
{
#if defined(BNN_USE_BUILTIN_POPCOUNT)
  return (uint32_t)__builtin_popcount(v);
#else
  v = v - ((v >> 1) & 0x55555555u);
  v = (v & 0x33333333u) + ((v >> 2) & 0x33333333u);
  v = (v + (v >> 4)) & 0x0F0F0F0Fu;
  return (v * 0x01010101u) >> 24;
#endif
}

/* Number of differing bits between n words of a and b: the mismatches of an XNOR-popcount. */
static inline uint32_t bnn_xorpop(const uint32_t *a, const uint32_t *b, int32_t n)
{
  uint32_t total = 0;
#if defined(BNN_USE_BUILTIN_POPCOUNT)
  for (int32_t i = 0; i < n; i++) total += (uint32_t)__builtin_popcount(a[i] ^ b[i]);
#else
  /* The masks live in registers so Thumb-2 ANDs them with a shifted operand in one instruction (GCC would otherwise
   * rematerialise them as immediates, which cannot take a shifted operand). */
  uint32_t m1 = 0x55555555u, m2 = 0x33333333u, m4 = 0x0F0F0F0Fu;
#if defined(__GNUC__)
  __asm__("" : "+r"(m1), "+r"(m2), "+r"(m4));
#endif
  while (n > 0) {
    /* Two words' 2-bit sums are added before the nibble step (nibbles <= 8); a byte lane gains at most 16 per pair,
     * so 15 pairs stay below 256 before the lanes are folded. */
    int32_t chunk = n < 30 ? n : 30;
    uint32_t lanes = 0;
    const uint32_t *pairs_end = a + (chunk & ~1);
    n -= chunk;
    while (a != pairs_end) {
      uint32_t v = *a++ ^ *b++;
      uint32_t w = *a++ ^ *b++;
      v = v - (m1 & (v >> 1));
      w = w - (m1 & (w >> 1));
      v = (v & m2) + (m2 & (v >> 2));
      w = (w & m2) + (m2 & (w >> 2));
      v += w;
      lanes += (v & m4) + (m4 & (v >> 4)); /* a byte can reach 16: add the nibbles after masking */
    }
    if (chunk & 1) {
      uint32_t v = *a++ ^ *b++;
      v = v - (m1 & (v >> 1));
      v = (v & m2) + (m2 & (v >> 2));
      lanes += m4 & (v + (v >> 4));
    }
    lanes = (lanes & 0x00FF00FFu) + ((lanes >> 8) & 0x00FF00FFu);
    total += (lanes & 0xFFFFu) + (lanes >> 16);
  }
#endif
  return total;
}

/* Per-byte bit counts of one word (each byte <= 8), the masks passed in registers. */
static BNN_INLINE uint32_t bnn_pop_bytes(uint32_t v, uint32_t m1, uint32_t m2, uint32_t m4)
{
  v = v - (m1 & (v >> 1));
  v = (v & m2) + (m2 & (v >> 2));
  return m4 & (v + (v >> 4));
}

static BNN_INLINE uint32_t bnn_fold_lanes(uint32_t lanes)
{
  lanes = (lanes & 0x00FF00FFu) + ((lanes >> 8) & 0x00FF00FFu);
  return (lanes & 0xFFFFu) + (lanes >> 16);
}

/* Mismatches of one kernel row against a window that lies inside the input, x its first word: row ky of the window
 * is kw·cw contiguous words at x + ky·iw·cw. Windows of up to 31 words are counted two words at a time into one set
 * of byte lanes (15 pairs · 16 + 8 < 256) folded once, so a 3x3 window costs one fold, not three. */
static BNN_INLINE uint32_t bnn_xnor_inside(const uint32_t *x, const uint32_t *row, int32_t iw, int32_t cw, int32_t kh, int32_t kw)
{
  const int32_t n = kw * cw;
  uint32_t mis = 0;
#if !defined(BNN_USE_BUILTIN_POPCOUNT)
  const int32_t total = kh * n;
  if (total <= 31) {
    uint32_t lanes = 0;
    uint32_t m1 = 0x55555555u, m2 = 0x33333333u, m4 = 0x0F0F0F0Fu;
#if defined(__GNUC__)
    /* A barrier per window: GCC would otherwise hoist a pooled window's input words out of the filter loop and
     * interleave the cells until it spills to the stack; loading them per window is what the bound assumes. */
    __asm__ volatile("" : "+r"(x) : : "memory");
    __asm__("" : "+r"(m1), "+r"(m2), "+r"(m4));
#endif
    BNN_UNROLL
    for (int32_t i = 0; i + 1 < total; i += 2) {
#if defined(__GNUC__)
      /* Pair by pair: unconstrained, GCC's scheduler issues all the window's loads first and spills them. */
      __asm__ volatile("" : : : "memory");
#endif
      uint32_t v = x[(i / n) * iw * cw + i % n] ^ row[i];
      uint32_t w = x[((i + 1) / n) * iw * cw + (i + 1) % n] ^ row[i + 1];
      v = v - (m1 & (v >> 1));
      w = w - (m1 & (w >> 1));
      v = (v & m2) + (m2 & (v >> 2));
      w = (w & m2) + (m2 & (w >> 2));
      v += w;
      lanes += (v & m4) + (m4 & (v >> 4));
    }
    if (total & 1) lanes += bnn_pop_bytes(x[((total - 1) / n) * iw * cw + (total - 1) % n] ^ row[total - 1], m1, m2, m4);
    return bnn_fold_lanes(lanes);
  }
#endif
  for (int32_t ky = 0; ky < kh; ky++) mis += bnn_xorpop(x + ky * iw * cw, row + ky * n, n);
  return mis;
}

#endif /* BNN_POPCOUNT_H */
