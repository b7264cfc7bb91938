/* BNN Studio runtime: float32 kernels on 8-bit pixels over a float band (plan.ts convFloatBandScratch). */
#ifndef BNN_FLOAT_H
#define BNN_FLOAT_H

#include "bnn_config.h"

/* Input rows iy0 .. iy0 + rows - 1 as float32 v = 2*u8 - 255 in a band of `cols` columns (input column 0 at
 * pad_left); rows and columns outside the input hold 0, training's zero padding. */
static inline void bnn_f32_band(float *band, const uint8_t *in, int32_t ih, int32_t iw, int32_t cin, int32_t cols, int32_t pad_left, int32_t iy0, int32_t rows)
{
  for (int32_t r = 0; r < rows; r++) {
    const int32_t iy = iy0 + r;
    float *b = band + r * cols * cin;
    for (int32_t c = 0; c < cols; c++) {
      const int32_t ix = c - pad_left;
      const int32_t inside = iy >= 0 && iy < ih && ix >= 0 && ix < iw;
      for (int32_t ch = 0; ch < cin; ch++) b[c * cin + ch] = inside ? (float)(2 * (int32_t)in[(iy * iw + ix) * cin + ch] - 255) : 0.0f;
    }
  }
}

/* acc + x·w with the product rounded and then the sum, as the host reference computes it. On an Arm FPU that is one
 * VMLA (not fused: it rounds after the multiply, unlike VFMA), which GCC does not emit for Cortex-M by itself;
 * elsewhere plain C, which this runtime compiles without FMA contraction. */
#if defined(__GNUC__) && defined(__thumb2__) && defined(__ARM_FP) && (__ARM_FP & 4) && !defined(BNN_PORTABLE_C)
static BNN_INLINE float bnn_fmac(float acc, float x, float w)
{
  __asm__("vmla.f32 %0, %1, %2" : "+t"(acc) : "t"(x), "t"(w));
  return acc;
}
#else
static BNN_INLINE float bnn_fmac(float acc, float x, float w)
{
  return acc + x * w;
}
#endif

#endif /* BNN_FLOAT_H */
