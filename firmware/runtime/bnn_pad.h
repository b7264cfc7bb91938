/* BNN Studio runtime: the padded band of input rows a 'same' XNOR conv reads (plan.ts paddedInput). */
#ifndef BNN_PAD_H
#define BNN_PAD_H

#include "bnn_config.h"

/* Padding positions: +1 in every channel, as in training ('same' padding of a binarized input) and the reference
 * forward; the last word's bits past the channels stay 0 like those of the packed input and kernel. */
static inline void bnn_pad_cells(uint32_t *d, int32_t cells, int32_t cw, uint32_t lastmask)
{
  for (int32_t c = 0; c < cells; c++, d += cw) {
    for (int32_t w = 0; w < cw - 1; w++) d[w] = 0xFFFFFFFFu;
    d[cw - 1] = lastmask;
  }
}

/* Input rows iy0 .. iy0 + n - 1 (ih x iw positions of cw words) padded to cols positions with the input at column
 * left, one after another in dst; rows outside the input are all padding. Input rows are contiguous: one memcpy. */
static BNN_MAYBE_UNUSED void bnn_pad_rows(uint32_t *dst, const uint32_t *src, int32_t ih, int32_t iw, int32_t cw, uint32_t lastmask, int32_t cols, int32_t left, int32_t iy0, int32_t n)
{
  for (int32_t r = 0; r < n; r++, dst += cols * cw) {
    const int32_t iy = iy0 + r;
    if (iy < 0 || iy >= ih) {
      bnn_pad_cells(dst, cols, cw, lastmask);
      continue;
    }
    bnn_pad_cells(dst, left, cw, lastmask);
    memcpy(dst + left * cw, src + iy * iw * cw, sizeof(uint32_t) * (size_t)(iw * cw));
    bnn_pad_cells(dst + (left + iw) * cw, cols - left - iw, cw, lastmask);
  }
}

#endif /* BNN_PAD_H */
