/* BNN Studio runtime: code planes of a conv on 8-bit pixels with short kernel rows (plan.ts convPlaneScratch): for
 * input row iy and output column ox, entry P[k][iy][ox] is Σ_j (bit j of k ? v_j : −v_j) over the n = kw·cin values
 * a kernel row covers there (v = 2·u8 − 255; taps outside the input are 0, training's zero padding), built as
 * P[0] = −Σv, P[k | 2^j] = P[k] + 2·v_j, and stored + 255·n as uint16 (so pairs of them add as one word,
 * bnn_plane_pair). */
#ifndef BNN_U8_PLANES_H
#define BNN_U8_PLANES_H

#include "bnn_config.h"

static inline void bnn_u8_planes(uint16_t *P, const uint8_t *in, int32_t ih, int32_t iw, int32_t cin, int32_t sw, int32_t pad_left, int32_t ow, int32_t n, int32_t rows, int32_t pad_top)
{
  /* Plane k (all rows and columns of code k) is contiguous, so a filter's kernel row picks its plane once per
   * window and the window's cells are constant offsets in it. Plane row r holds input row r - pad_top; the padding
   * rows above and below the input hold 0 (training's zero padding), so windows need no row test. */
  const int32_t size = rows * ow;
  for (int32_t r = 0; r < rows; r++) {
    const int32_t iy = r - pad_top;
    const int32_t inside = iy >= 0 && iy < ih;
    for (int32_t ox = 0; ox < ow; ox++) {
      uint16_t *p = P + r * ow + ox;
      const int32_t ix0 = ox * sw - pad_left;
      int32_t v[8] = { 0 }; /* all set below for j < n; zeroed for GCC's -Wmaybe-uninitialized on some unrolled shapes */
      int32_t e[16];
      int32_t sum = 0;
      BNN_UNROLL
      for (int32_t j = 0; j < n; j++) {
        const int32_t ix = ix0 + j / cin;
        v[j] = inside && ix >= 0 && ix < iw ? 2 * (int32_t)in[(iy * iw + ix) * cin + j % cin] - 255 : 0;
        sum += v[j];
      }
      e[0] = -sum;
      BNN_UNROLL
      for (int32_t j = 0; j < n; j++) {
        BNN_UNROLL
        for (int32_t k = 0; k < (1 << j); k++) e[(1 << j) + k] = e[k] + 2 * v[j];
      }
      BNN_UNROLL
      for (int32_t k = 0; k < (1 << n); k++) p[k * size] = (uint16_t)(e[k] + 255 * n);
    }
  }
}

/* Filter by filter: a filter's kernel rows select kh plane rows once
 * (q[ky] = its plane at row ky), and each window is then kh loads at one offset. */
static BNN_INLINE void bnn_plane_rows(const uint16_t **q, const uint16_t *P, const uint32_t *row, int32_t size, int32_t ow, int32_t kh, int32_t n)
{
  BNN_UNROLL
  for (int32_t ky = 0; ky < kh; ky++) {
    const int32_t bit = ky * n;
    uint32_t code = row[bit >> 5] >> (bit & 31);
    if ((bit & 31) + n > 32) code |= row[(bit >> 5) + 1] << (32 - (bit & 31));
    q[ky] = P + (int32_t)(code & ((1u << n) - 1u)) * size + ky * ow;
  }
}

static BNN_INLINE int32_t bnn_plane_cell(const uint16_t *const *q, int32_t at, int32_t kh, int32_t n)
{
  int32_t acc = 0;
  BNN_UNROLL
  for (int32_t ky = 0; ky < kh; ky++) acc += q[ky][at];
  return acc - kh * 255 * n;
}

/* Two horizontally adjacent windows (at even, so the pair is one aligned word) summed at once: the biased entries
 * and their sums stay below 65536, so one 32-bit ADD adds both halves without carries. */
static BNN_INLINE uint32_t bnn_plane_pair(const uint16_t *const *q, int32_t at, int32_t kh)
{
  uint32_t acc = 0;
  BNN_UNROLL
  for (int32_t ky = 0; ky < kh; ky++) {
#if defined(__GNUC__) && !defined(BNN_PORTABLE_C)
    acc += *(const bnn_u16_pair *)(q[ky] + at);
#else
    acc += (uint32_t)q[ky][at] | ((uint32_t)q[ky][at + 1] << 16);
#endif
  }
  return acc;
}

/* Lane-wise maximum of two pairs of uint16 (USUB16 sets a GE flag per lane, SEL picks by them). */
static BNN_INLINE uint32_t bnn_max_u16x2(uint32_t a, uint32_t b)
{
#if defined(BNN_ARM_SIMD)
  uint32_t r;
  __asm__("usub16 %0, %1, %2\n\tsel %0, %1, %2" : "=&r"(r) : "r"(a), "r"(b));
  return r;
#else
  const uint32_t lo = (a & 0xFFFFu) > (b & 0xFFFFu) ? a & 0xFFFFu : b & 0xFFFFu;
  const uint32_t hi = (a >> 16) > (b >> 16) ? a >> 16 : b >> 16;
  return lo | (hi << 16);
#endif
}

#endif /* BNN_U8_PLANES_H */
