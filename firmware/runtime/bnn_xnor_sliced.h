/* BNN Studio runtime: the transposed, bit-sliced XNOR kernel. One 32-bit word of the transposed kernel holds one
 * input bit's weights for 32 output channels (lanes), so one input bit, broadcast to all lanes and XORed with that
 * word, gives the 32 lanes' mismatches at once. The mismatches are counted in bit planes by a Harley–Seal
 * carry-save tree (ones, twos, fours, eights; every 16 inputs a sixteens word rippled into the higher planes), and
 * the planes are compared lane-wise with the thresholds, also bit-sliced: a packed output word per 32 channels
 * without ever forming a count. Per XNOR word (32 input bits x 1 output) that is about 8 instructions against
 * 12-15 for the SWAR popcount of bnn_popcount.h (scripts/bench/cm4, docs/compiler.md). */
#ifndef BNN_XNOR_SLICED_H
#define BNN_XNOR_SLICED_H

#include "bnn_config.h"

/* Carry-save adder of three lane words: l = a ^ b ^ c, h = majority(a, b, c). */
#define BNN_CSA(h, l, a, b, c) do { const uint32_t u_ = (a) ^ (b); const uint32_t c_ = (c); (h) = ((a) & (b)) | (u_ & c_); (l) = u_ ^ c_; } while (0)

/* Bit b of x in every lane: 0 or 0xFFFFFFFF (one SBFX on Thumb-2). */
#define BNN_LANES(x, b) ((uint32_t)((int32_t)((x) << (31 - (b))) >> 31))

/* The mismatch of the input bits b, b + 1 of x with their weight words. */
#define BNN_MIS(x, w, b) ((w)[b] ^ BNN_LANES(x, b))

/* Lanes whose mismatch count over the window is below their limit L: x the window's first word, row ky of the
 * window is kw·cw contiguous words at x + ky·iw·cw; wt the window's kh·kw·cw·32 transposed weight words; lim the
 * limit's `planes` bit planes (plane p holds bit p of every lane's limit); `planes` bits hold any count of the window.
 * Every argument but x is a constant at each call, so the loops unroll and the planes live in registers. */
#if defined(BNN_ARM_SIMD)
/* The same tree in Thumb-2 assembly, 8 bits per block: 4 post-indexed LDRD of weight pairs, SBFX + EOR per bit, 7
 * carry-save adders of 5 instructions, in 4 scratch registers and ip: 56 instructions per 8 bits, where GCC's
 * schedule of the C form spills. (LDM would save one LDRD per block but needs fixed, ascending registers, and GCC
 * then finds no allocation at some call sites.) */
#define BNN_SBF(k, r) "sbfx ip, %[v], #(%c[bit] + " #k "), #1\n\teor %[" r "], %[" r "], ip\n\t"
#define BNN_CSA_ASM(x, l, y) "eor ip, %[" l "], %[" x "]\n\tand %[" x "], %[" x "], %[" l "]\n\teor %[" l "], ip, %[" y "]\n\tand ip, ip, %[" y "]\n\torr %[" x "], %[" x "], ip\n\t"
#define BNN_HS8(vin, w, at, s8) do { \
    const uint32_t *p_ = (w) + (at); \
    uint32_t b_, c_, d_; \
    __asm__ volatile( \
      "ldrd %[a], %[b], [%[p]], #8\n\t" BNN_SBF(0, "a") BNN_SBF(1, "b") BNN_CSA_ASM("a", "o", "b") \
      "ldrd %[b], %[c], [%[p]], #8\n\t" BNN_SBF(2, "b") BNN_SBF(3, "c") BNN_CSA_ASM("b", "o", "c") \
      BNN_CSA_ASM("a", "t", "b") \
      "ldrd %[b], %[c], [%[p]], #8\n\t" BNN_SBF(4, "b") BNN_SBF(5, "c") BNN_CSA_ASM("b", "o", "c") \
      "ldrd %[c], %[d], [%[p]], #8\n\t" BNN_SBF(6, "c") BNN_SBF(7, "d") BNN_CSA_ASM("c", "o", "d") \
      BNN_CSA_ASM("b", "t", "c") \
      BNN_CSA_ASM("a", "f", "b") \
      : [o] "+r"(ones), [t] "+r"(twos), [f] "+r"(fours), [p] "+r"(p_), [a] "=&r"(s8), [b] "=&r"(b_), [c] "=&r"(c_), [d] "=&r"(d_) \
      : [v] "r"(vin), [bit] "i"(at) \
      : "ip", "memory"); \
  } while (0)
#define BNN_HS16(v, w, at, s16) do { \
    uint32_t eightsA, eightsB; \
    BNN_HS8(v, w, (at), eightsA); \
    BNN_HS8(v, w, (at) + 8, eightsB); \
    BNN_CSA(s16, eights, eights, eightsA, eightsB); \
  } while (0)
#else
/* The carry-save tree of 16 input bits of v (from bit `at`) into ones, twos, fours and eights; returns the sixteens. */
#define BNN_HS16(v, w, at, s16) do { \
    uint32_t twosA, twosB, foursA, foursB, eightsA, eightsB; \
    BNN_CSA(twosA, ones, ones, BNN_MIS(v, w, (at) + 0), BNN_MIS(v, w, (at) + 1)); \
    BNN_CSA(twosB, ones, ones, BNN_MIS(v, w, (at) + 2), BNN_MIS(v, w, (at) + 3)); \
    BNN_CSA(foursA, twos, twos, twosA, twosB); \
    BNN_CSA(twosA, ones, ones, BNN_MIS(v, w, (at) + 4), BNN_MIS(v, w, (at) + 5)); \
    BNN_CSA(twosB, ones, ones, BNN_MIS(v, w, (at) + 6), BNN_MIS(v, w, (at) + 7)); \
    BNN_CSA(foursB, twos, twos, twosA, twosB); \
    BNN_CSA(eightsA, fours, fours, foursA, foursB); \
    BNN_CSA(twosA, ones, ones, BNN_MIS(v, w, (at) + 8), BNN_MIS(v, w, (at) + 9)); \
    BNN_CSA(twosB, ones, ones, BNN_MIS(v, w, (at) + 10), BNN_MIS(v, w, (at) + 11)); \
    BNN_CSA(foursA, twos, twos, twosA, twosB); \
    BNN_CSA(twosA, ones, ones, BNN_MIS(v, w, (at) + 12), BNN_MIS(v, w, (at) + 13)); \
    BNN_CSA(twosB, ones, ones, BNN_MIS(v, w, (at) + 14), BNN_MIS(v, w, (at) + 15)); \
    BNN_CSA(foursB, twos, twos, twosA, twosB); \
    BNN_CSA(eightsB, fours, fours, foursA, foursB); \
    BNN_CSA(s16, eights, eights, eightsA, eightsB); \
  } while (0)
#endif

/* Adds one lane word of weight 2^lo into planes lo.. of the counter (plane 5 is thirtytwos, 6 and up are hi[]). */
#define BNN_RIPPLE(lo, carry_in) do { \
    uint32_t carry_ = (carry_in); \
    BNN_UNROLL \
    for (int32_t p_ = (lo); p_ < planes; p_++) { \
      uint32_t *plane_ = p_ == 5 ? &thirtytwos : &hi[p_ - 6]; \
      const uint32_t t_ = *plane_ & carry_; \
      *plane_ ^= carry_; \
      if (p_ == planes - 1) break; /* the top plane cannot carry (planes hold every count) */ \
      carry_ = t_; \
    } \
  } while (0)

/* One input word's 32 bits into ones .. sixteens; returns the thirty-twos. */
#define BNN_WORD(word, w, c32) do { \
    const uint32_t v_ = (word); \
    uint32_t s16A_, s16B_; \
    BNN_HS16(v_, w, 0, s16A_); \
    BNN_HS16(v_, w, 16, s16B_); \
    BNN_CSA(c32, sixteens, sixteens, s16A_, s16B_); \
  } while (0)

/* Lanes whose mismatch count over the window is below their limit: x the window's first word, row ky of the window
 * is kw·cw contiguous words at x + ky·iw·cw; wt the window's kh·kw·cw·32 transposed weight words; lim the limit's
 * `planes` bit planes (plane p holds bit p of every lane's limit; planes >= 6, enough for any count of the window).
 * Every argument but x is a constant at each call, so the loops unroll and the planes live in registers. Per input
 * word: two 16-bit trees, their sixteens added into a sixteens plane; per pair of words their thirty-twos added into
 * a thirty-twos plane, the sixty-fours rippled into the planes above. */
static BNN_INLINE uint32_t bnn_xnor_sliced_lt(const uint32_t *x, const uint32_t *wt, int32_t iw, int32_t cw, int32_t kh, int32_t kw, int32_t planes, const uint32_t *lim)
{
  uint32_t ones = 0, twos = 0, fours = 0, eights = 0, sixteens = 0, thirtytwos = 0;
  uint32_t hi[10] = { 0 }; /* planes 6 and up */
  const int32_t n = kw * cw;
  const int32_t total = kh * n;
  /* Not unrolled (a window of a pooled stage is inlined per pool cell, and BinaryNet's are 144 words): the window's
   * words are walked with a pointer that skips to the next kernel row after n words. */
  const uint32_t *xp = x;
  int32_t col = 0;
#define BNN_NEXT_WORD(dst) do { (dst) = *xp; if (++col == n) { col = 0; xp += iw * cw - n + 1; } else { xp++; } } while (0)
  const uint32_t *w = wt;
  /* Words in pairs: their thirty-twos go through one more carry-save adder, so only the sixty-fours ripple. */
  for (int32_t j = 0; j + 1 < total; j += 2, w += 64) {
    uint32_t v0, v1, c32A, c32B, c64;
    BNN_NEXT_WORD(v0);
    BNN_NEXT_WORD(v1);
    BNN_WORD(v0, w, c32A);
#if defined(__GNUC__)
    /* Word by word: unconstrained, GCC's scheduler interleaves the trees until it spills. */
    __asm__ volatile("" : : : "memory");
#endif
    BNN_WORD(v1, w + 32, c32B);
    BNN_CSA(c64, thirtytwos, thirtytwos, c32A, c32B);
    BNN_RIPPLE(6, c64);
  }
  if (total & 1) {
    uint32_t c32;
    BNN_WORD(*xp, w, c32);
    BNN_RIPPLE(5, c32);
  }
#undef BNN_NEXT_WORD
  /* count < limit: the borrow out of count - limit, from the lowest plane up (4 instructions a plane). */
  uint32_t lt = 0;
  BNN_UNROLL
  for (int32_t p = 0; p < planes; p++) {
    const uint32_t a = p >= 6 ? hi[p - 6] : p == 5 ? thirtytwos : p == 4 ? sixteens : p == 3 ? eights : p == 2 ? fours : p == 1 ? twos : ones;
    const uint32_t l = lim[p];
    lt = (l & ~a) | (lt & ~(a ^ l));
  }
  return lt;
}

#endif /* BNN_XNOR_SLICED_H */
