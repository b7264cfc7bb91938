/* BNN Studio runtime: what follows a stage's accumulation — BatchNorm + sign folded into a threshold (the flip bit
 * for a negative scale), or a float32 BatchNorm that stays real. */
#ifndef BNN_EPILOGUE_H
#define BNN_EPILOGUE_H

#include "bnn_config.h"

static inline uint32_t bnn_thr_i32(int32_t acc, int32_t t, uint32_t flip)
{
  return flip ? (uint32_t)(acc <= t) : (uint32_t)(acc >= t);
}

static inline uint32_t bnn_thr_f32(float acc, float t, uint32_t flip)
{
  return flip ? (uint32_t)(acc <= t) : (uint32_t)(acc >= t);
}

/* Rounded after the multiply and after the add, as the host reference. */
static inline float bnn_affine(float acc, float scale, float offset)
{
  float p = acc * scale;
  return p + offset;
}

#endif /* BNN_EPILOGUE_H */
