/* BNN Studio runtime: the table kernel of a ±1 dense layer on 8-bit pixels (plan.ts firstLayerScratch). With
 * v = 2·u8 − 255, the 256 entries of group g are T[k] = Σ_i (bit i of k ? v_i : −v_i) + 2040, all in [0, 4080]:
 * T[0] = 2040 − Σv and T[k | 2^i] = T[k] + 2·v_i. A kernel byte then selects its group's ±-sum with one load.
 *
 * Why biased uint16: two entries fit one 32-bit word and, as every entry and every sum stays in [0, 65535], a plain
 * 32-bit ADD of 2·v_i·0x10001 updates both halves without carries between them (SADD16 without the DSP extension),
 * so the table is built two entries per add. The GNU path writes the pairs through a may_alias word type; any other
 * compiler (or -DBNN_PORTABLE_C, which the host tests build too) gets the entry-by-entry loop, with identical tables. */
#ifndef BNN_U8_TABLES_H
#define BNN_U8_TABLES_H

#include "bnn_config.h"

/* One group's table from its m <= 8 inputs (missing inputs add 0); m is a constant at every call, so the levels
 * unroll into constant-offset loads and stores. */
static inline void bnn_u8_table(uint16_t *tab, const uint8_t *x, const int32_t m)
{
  int32_t sum = 0;
  BNN_UNROLL
  for (int32_t i = 0; i < m; i++) sum += (int32_t)x[i];
  tab[0] = (uint16_t)(2040 + 255 * m - 2 * sum);
  tab[1] = (uint16_t)(tab[0] + 4 * (int32_t)x[0] - 510);
  BNN_UNROLL
  for (int32_t i = 1; i < 8; i++) {
    const int32_t d = i < m ? 4 * (int32_t)x[i] - 510 : 0;
    const int32_t half = 1 << i;
#if defined(__GNUC__) && !defined(BNN_PORTABLE_C)
    bnn_u16_pair *p = (bnn_u16_pair *)tab;
    const uint32_t add = (uint32_t)d * 0x10001u;
#if defined(BNN_ARM_SIMD)
    if (half >= 8) {
      /* Four pairs per LDM / 4 ADD / STM (GCC spills the unrolled C form): 2 instructions a pair with the loop. */
      bnn_u16_pair *src = p, *dst = p + half / 2;
      int32_t blocks = half / 8;
      __asm__ volatile(
        "1:\n\t"
        "ldmia %[s]!, {r4, r5, r6, r8}\n\t"
        "add r4, r4, %[a]\n\t"
        "add r5, r5, %[a]\n\t"
        "add r6, r6, %[a]\n\t"
        "add r8, r8, %[a]\n\t"
        "stmia %[d]!, {r4, r5, r6, r8}\n\t"
        "subs %[n], %[n], #1\n\t"
        "bne 1b"
        : [s] "+r"(src), [d] "+r"(dst), [n] "+r"(blocks)
        : [a] "r"(add)
        : "r4", "r5", "r6", "r8", "cc", "memory");
      continue;
    }
#endif
    BNN_UNROLL
    for (int32_t j = 0; j < half / 2; j++) p[half / 2 + j] = p[j] + add;
#else
    for (int32_t j = 0; j < half; j++) tab[half + j] = (uint16_t)(tab[j] + d);
#endif
  }
}

static inline void bnn_u8_tables(uint16_t *tab, const uint8_t *x, int32_t n)
{
  for (; n >= 8; n -= 8, x += 8, tab += 256) bnn_u8_table(tab, x, 8);
  if (n > 0) bnn_u8_table(tab, x, n);
}

/* The sum of a kernel row's table entries over `groups` groups (4 per kernel word), bias not removed; `groups` is a
 * constant at every call, so the words unroll and each table's offset is a constant. */
static BNN_INLINE int32_t bnn_u8_lookup(const uint16_t *tab, const uint32_t *row, const int32_t groups)
{
  int32_t acc = 0;
  const uint16_t *t = tab;
#if defined(BNN_ARM_SIMD)
  /* 14 instructions per kernel word (32 MACs): LDR, then per byte its table index (UXTB, UXTAB with the table's
   * offset in a register, ADD with a shifted operand), LDRH and ADD; one ADD moves to the next word's tables. Written
   * out because GCC's scheduler spills the unrolled C form. */
  uint32_t c1 = 256u, c2 = 512u, c3 = 768u;
  const uint32_t *r = row;
  BNN_UNROLL
  for (int32_t w = 0; w < groups / 4; w++) {
    uint32_t x, i, j;
    __asm__ volatile(
      "ldr %[x], [%[r]], #4\n\t"
      "uxtb %[i], %[x]\n\t"
      "uxtab %[j], %[c1], %[x], ror #8\n\t"
      "ldrh %[i], [%[t], %[i], lsl #1]\n\t"
      "ldrh %[j], [%[t], %[j], lsl #1]\n\t"
      "add %[acc], %[acc], %[i]\n\t"
      "uxtab %[i], %[c2], %[x], ror #16\n\t"
      "add %[acc], %[acc], %[j]\n\t"
      "add %[j], %[c3], %[x], lsr #24\n\t"
      "ldrh %[i], [%[t], %[i], lsl #1]\n\t"
      "ldrh %[j], [%[t], %[j], lsl #1]\n\t"
      "add %[acc], %[acc], %[i]\n\t"
      "add %[acc], %[acc], %[j]\n\t"
      "add %[t], %[t], #2048"
      : [acc] "+r"(acc), [r] "+r"(r), [t] "+r"(t), [x] "=&r"(x), [i] "=&r"(i), [j] "=&r"(j)
      : [c1] "r"(c1), [c2] "r"(c2), [c3] "r"(c3)
      : "memory");
  }
#else
  for (int32_t w = 0; w < groups / 4; w++, t += 1024) {
    const uint32_t x = row[w];
    acc += (int32_t)t[x & 255u] + (int32_t)t[256u + ((x >> 8) & 255u)] + (int32_t)t[512u + ((x >> 16) & 255u)] + (int32_t)t[768u + (x >> 24)];
  }
#endif
  if (groups % 4 != 0) {
    const uint32_t x = row[groups / 4];
    acc += (int32_t)t[x & 255u];
    if (groups % 4 > 1) acc += (int32_t)t[256u + ((x >> 8) & 255u)];
    if (groups % 4 > 2) acc += (int32_t)t[512u + ((x >> 16) & 255u)];
  }
  return acc;
}

#endif /* BNN_U8_TABLES_H */
