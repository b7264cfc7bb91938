/**
 * The fixed part of bnn_model.c: the inner loops every stage calls with constant arguments (GCC inlines and
 * specialises them). Only the helpers a model uses are emitted, so every build is -Wunused clean.
 *
 * Popcount: Cortex-M4 has no popcount instruction and GCC's __builtin_popcount becomes a call into libgcc. The XNOR
 * loops use SWAR bit-slicing (Hacker's Delight 5-1) two words at a time with the masks in registers, and add byte
 * lanes over up to 30 words before folding them: 13.6 instructions per word on QEMU's Cortex-M4 against 17.0 for the
 * textbook SWAR, 17.0 for a byte table and 20.0 for __builtin_popcount (scripts/bench/cm4, docs/compiler.md).
 * `-DBNN_USE_BUILTIN_POPCOUNT` switches to the builtin for targets that have the instruction (x86 -mpopcnt).
 */

export type Helper =
  | 'popcount' | 'xorpop' | 'xnor_inside'
  | 'pm_u8' | 'pm_i32' | 'pm_f32' | 'dot_u8' | 'dot_i32' | 'dot_f32'
  | 'win_binary_u8' | 'win_binary_i32' | 'win_binary_f32' | 'win_float_u8' | 'win_float_i32' | 'win_float_f32'
  | 'thr_i32' | 'thr_f32' | 'affine' | 'u16_pair' | 'u8_tables' | 'u8_lookup' | 'u8_planes' | 'plane_rows' | 'pad_bits'
  | 'f32_band' | 'fmac';

const DEPENDS: Partial<Record<Helper, Helper[]>> = {
  xnor_inside: ['xorpop'],
  win_binary_u8: ['pm_u8'], pm_u8: ['popcount'], win_binary_i32: ['pm_i32'], win_binary_f32: ['pm_f32'],
  win_float_u8: ['dot_u8'], win_float_i32: ['dot_i32'], win_float_f32: ['dot_f32'],
  u8_tables: ['u16_pair'], plane_rows: ['u16_pair'],
};

const XT = { u8: 'uint8_t', i32: 'int32_t', f32: 'float' } as const;
type RealT = keyof typeof XT;

/**
 * ±v over 8-bit pixels (v = 2·u8 − 255): Σ w·v = 4·Σ_{bit=1} u − 2·Σ u − 510·(bits set) + 255·n, so a pixel costs a
 * load, a bit extract, an AND and two adds; a whole aligned kernel word is unrolled so every shift is a constant.
 */
const PM_U8 = `#define BNN_U8_STEP(j) do { uint32_t u_ = x[j]; s += u_ & (0u - ((w >> (j)) & 1u)); t += u_; } while (0)
#define BNN_U8_STEP4(j) BNN_U8_STEP(j); BNN_U8_STEP(j + 1); BNN_U8_STEP(j + 2); BNN_U8_STEP(j + 3)
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
`;

/** ±x summation against kernel bits (bit 1 = +1) from bit index `bi` on: integer inputs branch-free, floats in order. */
function pm(t: RealT): string {
  if (t === 'u8') return PM_U8;
  const acc = t === 'f32' ? 'float' : 'int32_t';
  const body = t === 'f32'
    ? '      acc += (word & 1u) ? *x : -*x;\n      x++;'
    : `      int32_t m = (int32_t)(word & 1u) - 1; /* 0 keeps v, -1 negates it */\n      int32_t v = *x++;\n      acc += (v ^ m) - m;`;
  return `static inline ${acc} bnn_pm_${t}(${acc} acc, const ${XT[t]} *x, const uint32_t *row, uint32_t bi, int32_t n)
{
  while (n > 0) {
    uint32_t word = row[bi >> 5] >> (bi & 31u);
    int32_t take = 32 - (int32_t)(bi & 31u);
    if (take > n) take = n;
    n -= take;
    bi += (uint32_t)take;
    while (take-- > 0) {
${body}
      word >>= 1;
    }
  }
  return acc;
}
`;
}

function dot(t: RealT): string {
  const x = t === 'u8' ? '(float)(2 * (int32_t)x[i] - 255)' : t === 'i32' ? '(float)x[i]' : 'x[i]';
  return `static inline float bnn_dot_${t}(float acc, const ${XT[t]} *x, const float *w, int32_t n)
{
  for (int32_t i = 0; i < n; i++) acc += ${x} * w[i];
  return acc;
}
`;
}

/** A window of a real-valued input; padded positions hold 0 and add nothing. */
function win(mode: 'binary' | 'float', t: RealT): string {
  const acc = mode === 'float' || t === 'f32' ? 'float' : 'int32_t';
  const w = mode === 'binary' ? 'const uint32_t *row' : 'const float *row';
  const run = (off: string, n: string): string => mode === 'binary'
    ? `bnn_pm_${t}(acc, in + ${off}, row, (uint32_t)(${n}), `
    : `bnn_dot_${t}(acc, in + ${off}, row + ${n}, `;
  // A first-layer window whose whole kernel row is one word (kh·kw·cin ≤ 32, e.g. 3×3×3): one popcount per window and
  // constant bit positions once the loops are unrolled.
  const oneWord = mode === 'binary' && t === 'u8' ? `  if (kh * kw * cin <= 32 && iy0 >= 0 && ix0 >= 0 && iy0 + kh <= ih && ix0 + kw <= iw) {
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
` : '';
  return `static inline ${acc} bnn_win_${mode}_${t}(const ${XT[t]} *in, ${w}, int32_t ih, int32_t iw, int32_t cin, int32_t kh, int32_t kw, int32_t iy0, int32_t ix0)
{
${oneWord}  ${acc} acc = 0;
  for (int32_t ky = 0; ky < kh; ky++) {
    int32_t iy = iy0 + ky;
    if (iy < 0 || iy >= ih) continue;
    if (ix0 >= 0 && ix0 + kw <= iw) {
      acc = ${run('(iy * iw + ix0) * cin', 'ky * kw * cin')}kw * cin);
      continue;
    }
    for (int32_t kx = 0; kx < kw; kx++) {
      int32_t ix = ix0 + kx;
      if (ix < 0 || ix >= iw) continue;
      acc = ${run('(iy * iw + ix) * cin', '(ky * kw + kx) * cin')}cin);
    }
  }
  return acc;
}
`;
}

/**
 * The table kernel of a ±1 dense layer on 8-bit pixels (plan.ts firstLayerScratch). With v = 2·u8 − 255, the 256
 * entries of group g are T[k] = Σ_i (bit i of k ? v_i : −v_i) + 2040, all in [0, 4080]: T[0] = 2040 − Σv and
 * T[k | 2^i] = T[k] + 2·v_i. A kernel byte then selects its group's ±-sum with one load.
 *
 * Why biased uint16: two entries fit one 32-bit word and, as every entry and every sum stays in [0, 65535], a plain
 * 32-bit ADD of 2·v_i·0x10001 updates both halves without carries between them (SADD16 without the DSP extension),
 * so the table is built two entries per add. The GNU path writes the pairs through a may_alias word type; any other
 * compiler (or -DBNN_PORTABLE_C, which the host tests build too) gets the entry-by-entry loop, with identical tables.
 */
const U16_PAIR = `#if defined(__GNUC__) && !defined(BNN_PORTABLE_C)
typedef uint32_t __attribute__((may_alias)) bnn_u16_pair;
#endif
`;

const U8_TABLES = `/* One group's table from its m <= 8 inputs (missing inputs add 0); m is a constant at every call, so the levels
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
        "1:\\n\\t"
        "ldmia %[s]!, {r4, r5, r6, r8}\\n\\t"
        "add r4, r4, %[a]\\n\\t"
        "add r5, r5, %[a]\\n\\t"
        "add r6, r6, %[a]\\n\\t"
        "add r8, r8, %[a]\\n\\t"
        "stmia %[d]!, {r4, r5, r6, r8}\\n\\t"
        "subs %[n], %[n], #1\\n\\t"
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
`;

/** The sum of a kernel row's table entries over `groups` groups (4 per kernel word), bias not removed; `groups` is a
 * constant at every call, so the words unroll and each table's offset is a constant. */
const U8_LOOKUP = `static BNN_INLINE int32_t bnn_u8_lookup(const uint16_t *tab, const uint32_t *row, const int32_t groups)
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
      "ldr %[x], [%[r]], #4\\n\\t"
      "uxtb %[i], %[x]\\n\\t"
      "uxtab %[j], %[c1], %[x], ror #8\\n\\t"
      "ldrh %[i], [%[t], %[i], lsl #1]\\n\\t"
      "ldrh %[j], [%[t], %[j], lsl #1]\\n\\t"
      "add %[acc], %[acc], %[i]\\n\\t"
      "uxtab %[i], %[c2], %[x], ror #16\\n\\t"
      "add %[acc], %[acc], %[j]\\n\\t"
      "add %[j], %[c3], %[x], lsr #24\\n\\t"
      "ldrh %[i], [%[t], %[i], lsl #1]\\n\\t"
      "ldrh %[j], [%[t], %[j], lsl #1]\\n\\t"
      "add %[acc], %[acc], %[i]\\n\\t"
      "add %[acc], %[acc], %[j]\\n\\t"
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
`;

/**
 * Code planes of a conv on 8-bit pixels with short kernel rows (plan.ts convPlaneScratch): for input row iy and output
 * column ox, entry P[k][iy][ox] is Σ_j (bit j of k ? v_j : −v_j) over the n = kw·cin values a kernel row covers
 * there (v = 2·u8 − 255; taps outside the input are 0, training's zero padding), built as P[0] = −Σv,
 * P[k | 2^j] = P[k] + 2·v_j, and stored + 255·n as uint16 (so pairs of them add as one word, bnn_plane_pair).
 */
const U8_PLANES = `static inline void bnn_u8_planes(uint16_t *P, const uint8_t *in, int32_t ih, int32_t iw, int32_t cin, int32_t sw, int32_t pad_left, int32_t ow, int32_t n, int32_t rows, int32_t pad_top)
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
      int32_t v[8];
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
`;

const PLANE_ROWS = `/* Filter by filter: a filter's kernel rows select kh plane rows once
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
  __asm__("usub16 %0, %1, %2\\n\\tsel %0, %1, %2" : "=&r"(r) : "r"(a), "r"(b));
  return r;
#else
  const uint32_t lo = (a & 0xFFFFu) > (b & 0xFFFFu) ? a & 0xFFFFu : b & 0xFFFFu;
  const uint32_t hi = (a >> 16) > (b >> 16) ? a >> 16 : b >> 16;
  return lo | (hi << 16);
#endif
}
`;

/** The float band of a float32-kernel conv on 8-bit pixels (plan.ts convFloatBandScratch). */
const F32_BAND = `/* Input rows iy0 .. iy0 + rows - 1 as float32 v = 2*u8 - 255 in a band of \`cols\` columns (input column 0 at
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
`;

/**
 * acc + x·w with the product rounded and then the sum, as the host reference computes it. On an Arm FPU that is one
 * VMLA (not fused: it rounds after the multiply, unlike VFMA), which GCC does not emit for Cortex-M by itself; elsewhere
 * plain C, which this file compiles without FMA contraction.
 */
const FMAC = `#if defined(__GNUC__) && defined(__thumb2__) && defined(__ARM_FP) && (__ARM_FP & 4) && !defined(BNN_PORTABLE_C)
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
`;

const FIXED: Partial<Record<Helper, string>> = {
  f32_band: F32_BAND,
  fmac: FMAC,
  u16_pair: U16_PAIR,
  u8_planes: U8_PLANES,
  plane_rows: PLANE_ROWS,
  u8_tables: U8_TABLES,
  u8_lookup: U8_LOOKUP,
  popcount: `static inline uint32_t bnn_popcount(uint32_t v)
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
`,
  xorpop: `/* Number of differing bits between n words of a and b: the mismatches of an XNOR-popcount. */
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
`,
  xnor_inside: `/* Per-byte bit counts of one word (each byte <= 8), the masks passed in registers. */
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
`,
  pad_bits: `/* Padding positions: +1 in every channel, as in training ('same' padding of a binarized input) and the reference
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
static void bnn_pad_rows(uint32_t *dst, const uint32_t *src, int32_t ih, int32_t iw, int32_t cw, uint32_t lastmask, int32_t cols, int32_t left, int32_t iy0, int32_t n)
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
`,
  thr_i32: `static inline uint32_t bnn_thr_i32(int32_t acc, int32_t t, uint32_t flip)
{
  return flip ? (uint32_t)(acc <= t) : (uint32_t)(acc >= t);
}
`,
  thr_f32: `static inline uint32_t bnn_thr_f32(float acc, float t, uint32_t flip)
{
  return flip ? (uint32_t)(acc <= t) : (uint32_t)(acc >= t);
}
`,
  affine: `static inline float bnn_affine(float acc, float scale, float offset)
{
  float p = acc * scale;
  return p + offset;
}
`,
};

const ORDER: Helper[] = [
  'popcount', 'xorpop', 'xnor_inside', 'pm_u8', 'pm_i32', 'pm_f32', 'dot_u8', 'dot_i32', 'dot_f32',
  'win_binary_u8', 'win_binary_i32', 'win_binary_f32', 'win_float_u8', 'win_float_i32', 'win_float_f32',
  'thr_i32', 'thr_f32', 'affine', 'u16_pair', 'u8_tables', 'u8_lookup', 'u8_planes', 'plane_rows', 'pad_bits',
  'f32_band', 'fmac',
];

export function helperSource(used: Set<Helper>): string {
  const all = new Set<Helper>();
  const add = (h: Helper): void => { if (all.has(h)) return; all.add(h); for (const d of DEPENDS[h] ?? []) add(d); };
  used.forEach(add);
  let out = '';
  for (const h of ORDER) {
    if (!all.has(h)) continue;
    if (FIXED[h]) out += FIXED[h] + '\n';
    else if (h.startsWith('pm_')) out += pm(h.slice(3) as RealT) + '\n';
    else if (h.startsWith('dot_')) out += dot(h.slice(4) as RealT) + '\n';
    else { const [, mode, t] = h.split('_'); out += win(mode as 'binary' | 'float', t as RealT) + '\n'; }
  }
  return out;
}
