/* BNN Studio runtime: MACs on a real-valued input (the first layer, or a layer after a BatchNorm that stays real):
 * a ±1 kernel ("binary": bit 1 = +1) or a float32 kernel ("float") over 8-bit pixels (v = 2·u8 − 255), int32 or
 * float32 values. Real-valued inputs are padded with 0, so padded taps are skipped. */
#ifndef BNN_REAL_INPUT_H
#define BNN_REAL_INPUT_H

#include "bnn_config.h"
#include "bnn_popcount.h"

/* ±v over 8-bit pixels: Σ w·v = 4·Σ_{bit=1} u − 2·Σ u − 510·(bits set) + 255·n, so a pixel costs a load, a bit
 * extract, an AND and two adds; a whole aligned kernel word is unrolled so every shift is a constant. */
#define BNN_U8_STEP(j) do { uint32_t u_ = x[j]; s += u_ & (0u - ((w >> (j)) & 1u)); t += u_; } while (0)
#define BNN_U8_STEP4(j) BNN_U8_STEP(j); BNN_U8_STEP(j + 1); BNN_U8_STEP(j + 2); BNN_U8_STEP(j + 3)

/* acc + Σ ±x over n inputs against the kernel bits from bit index bi on. */
static inline int32_t bnn_pm_u8(int32_t acc, const uint8_t *x, const uint32_t *row, uint32_t bi, int32_t n)
{
  uint32_t s = 0, t = 0, p = 0;
  const int32_t count = n;
  while (n > 0) {
    uint32_t w = row[bi >> 5] >> (bi & 31u);
    int32_t take = 32 - (int32_t)(bi & 31u);
    if (take > n) take = n;
    if (take == 32) {
      BNN_U8_STEP4(0); BNN_U8_STEP4(4); BNN_U8_STEP4(8); BNN_U8_STEP4(12);
      BNN_U8_STEP4(16); BNN_U8_STEP4(20); BNN_U8_STEP4(24); BNN_U8_STEP4(28);
    } else {
      w &= (1u << take) - 1u;
      for (int32_t j = 0; j < take; j++) BNN_U8_STEP(j);
    }
    p += bnn_popcount(w);
    x += take;
    bi += (uint32_t)take;
    n -= take;
  }
  return acc + 4 * (int32_t)s - 2 * (int32_t)t - 510 * (int32_t)p + 255 * count;
}

/* Integer inputs branch-free: m = 0 keeps v, m = -1 negates it. */
static inline int32_t bnn_pm_i32(int32_t acc, const int32_t *x, const uint32_t *row, uint32_t bi, int32_t n)
{
  while (n > 0) {
    uint32_t word = row[bi >> 5] >> (bi & 31u);
    int32_t take = 32 - (int32_t)(bi & 31u);
    if (take > n) take = n;
    n -= take;
    bi += (uint32_t)take;
    while (take-- > 0) {
      int32_t m = (int32_t)(word & 1u) - 1;
      int32_t v = *x++;
      acc += (v ^ m) - m;
      word >>= 1;
    }
  }
  return acc;
}

/* Floats in order, rounded after every add as the reference. */
static inline float bnn_pm_f32(float acc, const float *x, const uint32_t *row, uint32_t bi, int32_t n)
{
  while (n > 0) {
    uint32_t word = row[bi >> 5] >> (bi & 31u);
    int32_t take = 32 - (int32_t)(bi & 31u);
    if (take > n) take = n;
    n -= take;
    bi += (uint32_t)take;
    while (take-- > 0) {
      acc += (word & 1u) ? *x : -*x;
      x++;
      word >>= 1;
    }
  }
  return acc;
}

static inline float bnn_dot_u8(float acc, const uint8_t *x, const float *w, int32_t n)
{
  for (int32_t i = 0; i < n; i++) acc += (float)(2 * (int32_t)x[i] - 255) * w[i];
  return acc;
}

static inline float bnn_dot_i32(float acc, const int32_t *x, const float *w, int32_t n)
{
  for (int32_t i = 0; i < n; i++) acc += (float)x[i] * w[i];
  return acc;
}

static inline float bnn_dot_f32(float acc, const float *x, const float *w, int32_t n)
{
  for (int32_t i = 0; i < n; i++) acc += x[i] * w[i];
  return acc;
}

/* The float kernels' runs with the ±1 kernels' signature (weights from index `at` on), so one window loop serves
 * both. */
static inline float bnn_dot_at_u8(float acc, const uint8_t *x, const float *w, uint32_t at, int32_t n) { return bnn_dot_u8(acc, x, w + at, n); }
static inline float bnn_dot_at_i32(float acc, const int32_t *x, const float *w, uint32_t at, int32_t n) { return bnn_dot_i32(acc, x, w + at, n); }
static inline float bnn_dot_at_f32(float acc, const float *x, const float *w, uint32_t at, int32_t n) { return bnn_dot_f32(acc, x, w + at, n); }

/* A first-layer window whose whole kernel row is one word (kh·kw·cin ≤ 32, e.g. 3×3×3) and lies inside the input:
 * one popcount per window and constant bit positions once the loops are unrolled. */
static BNN_INLINE int32_t bnn_win_u8_one_word(const uint8_t *in, const uint32_t *row, int32_t iw, int32_t cin, int32_t kh, int32_t kw, int32_t iy0, int32_t ix0)
{
  const uint32_t w = row[0];
  uint32_t s = 0, t = 0;
  BNN_UNROLL
  for (int32_t ky = 0; ky < kh; ky++) {
    const uint8_t *x = in + ((iy0 + ky) * iw + ix0) * cin - ky * kw * cin;
    BNN_UNROLL
    for (int32_t j = ky * kw * cin; j < (ky + 1) * kw * cin; j++) BNN_U8_STEP(j);
  }
  return 4 * (int32_t)s - 2 * (int32_t)t - 510 * (int32_t)bnn_popcount(w) + 255 * kh * kw * cin;
}

/* One kh x kw window at (iy0, ix0) of an ih x iw x cin input: a kernel row at once where the window's row lies
 * inside, tap by tap at the borders. RUN(acc, x, row, first kernel index, count) is a pm or dot_at kernel above. */
#define BNN_WINDOW_BODY(ACCT, RUN) \
  ACCT acc = 0; \
  for (int32_t ky = 0; ky < kh; ky++) { \
    int32_t iy = iy0 + ky; \
    if (iy < 0 || iy >= ih) continue; \
    if (ix0 >= 0 && ix0 + kw <= iw) { \
      acc = RUN(acc, in + (iy * iw + ix0) * cin, row, (uint32_t)(ky * kw * cin), kw * cin); \
      continue; \
    } \
    for (int32_t kx = 0; kx < kw; kx++) { \
      int32_t ix = ix0 + kx; \
      if (ix < 0 || ix >= iw) continue; \
      acc = RUN(acc, in + (iy * iw + ix) * cin, row, (uint32_t)((ky * kw + kx) * cin), cin); \
    } \
  } \
  return acc

static inline int32_t bnn_win_binary_u8(const uint8_t *in, const uint32_t *row, int32_t ih, int32_t iw, int32_t cin, int32_t kh, int32_t kw, int32_t iy0, int32_t ix0)
{
  if (kh * kw * cin <= 32 && iy0 >= 0 && ix0 >= 0 && iy0 + kh <= ih && ix0 + kw <= iw) return bnn_win_u8_one_word(in, row, iw, cin, kh, kw, iy0, ix0);
  BNN_WINDOW_BODY(int32_t, bnn_pm_u8);
}

static inline int32_t bnn_win_binary_i32(const int32_t *in, const uint32_t *row, int32_t ih, int32_t iw, int32_t cin, int32_t kh, int32_t kw, int32_t iy0, int32_t ix0)
{
  BNN_WINDOW_BODY(int32_t, bnn_pm_i32);
}

static inline float bnn_win_binary_f32(const float *in, const uint32_t *row, int32_t ih, int32_t iw, int32_t cin, int32_t kh, int32_t kw, int32_t iy0, int32_t ix0)
{
  BNN_WINDOW_BODY(float, bnn_pm_f32);
}

static inline float bnn_win_float_u8(const uint8_t *in, const float *row, int32_t ih, int32_t iw, int32_t cin, int32_t kh, int32_t kw, int32_t iy0, int32_t ix0)
{
  BNN_WINDOW_BODY(float, bnn_dot_at_u8);
}

static inline float bnn_win_float_i32(const int32_t *in, const float *row, int32_t ih, int32_t iw, int32_t cin, int32_t kh, int32_t kw, int32_t iy0, int32_t ix0)
{
  BNN_WINDOW_BODY(float, bnn_dot_at_i32);
}

static inline float bnn_win_float_f32(const float *in, const float *row, int32_t ih, int32_t iw, int32_t cin, int32_t kh, int32_t kw, int32_t iy0, int32_t ix0)
{
  BNN_WINDOW_BODY(float, bnn_dot_at_f32);
}

#endif /* BNN_REAL_INPUT_H */
