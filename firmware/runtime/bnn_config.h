/* BNN Studio runtime: the compiler settings every kernel and every generated stage relies on. Part of the runtime
 * that `bnn compile` copies next to bnn_model.c; the model hash covers these files. */
#ifndef BNN_CONFIG_H
#define BNN_CONFIG_H

#include <stdint.h>
#include <string.h>

/* Float epilogues must round exactly like the host reference: no fused multiply-add. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

/* Small fixed-trip loops (a kernel row of a window) unrolled, so bit positions become constants. */
#if defined(__GNUC__) && !defined(__clang__)
#define BNN_UNROLL _Pragma("GCC unroll 32")
#else
#define BNN_UNROLL
#endif

/* Kernels whose arguments are constants at every call: they must be inlined to unroll (GCC stops inlining one that
 * several stages call, and the loops then run with variable bounds). */
#if defined(__GNUC__)
#define BNN_INLINE inline __attribute__((always_inline))
#else
#define BNN_INLINE inline
#endif

/* A kernel left out of line on purpose (called once per output row, so inlining only costs flash): static, and not
 * an unused-function warning in a model that does not call it. */
#if defined(__GNUC__)
#define BNN_MAYBE_UNUSED __attribute__((unused))
#else
#define BNN_MAYBE_UNUSED
#endif

/* Thumb-2 with the DSP extension (Cortex-M4/M7/M33, Thumb-2 A-profile) instructions the kernels use through inline
 * assembly: UXTAB, USUB16/SEL (DSP/SIMD32 extension), LDM/STM. Elsewhere, or with -DBNN_PORTABLE_C, plain C gives
 * the same results. */
#if defined(__GNUC__) && defined(__thumb2__) && defined(__ARM_FEATURE_DSP) && defined(__ARM_FEATURE_SIMD32) && !defined(BNN_PORTABLE_C)
#define BNN_ARM_SIMD 1
#endif

/* Tables read two uint16 entries per 32-bit word (GNU paths only). */
#if defined(__GNUC__)
#define BNN_ALIGN4 __attribute__((aligned(4)))
#else
#define BNN_ALIGN4
#endif

/* Each stage compiled on its own: inlined into one function, GCC's register allocation of one stage's loops depends on
 * the others (measured: the same XNOR loop varies by 4% with its neighbours). */
#if defined(__GNUC__)
#define BNN_STAGE __attribute__((noinline))
#else
#define BNN_STAGE
#endif

/* Every parameter array stays in the image even when the optimiser folds a small one into the code: 'used' keeps it
 * in the object, and one shared section keeps it through the linker's --gc-sections (the kernels in the same section
 * are always referenced), so flash use equals the plan's numbers. */
#if defined(__GNUC__) && defined(__ELF__)
#define BNN_KEEP __attribute__((used, section(".rodata.bnn_model")))
#elif defined(__GNUC__)
#define BNN_KEEP __attribute__((used))
#else
#define BNN_KEEP
#endif

/* Two uint16 entries read or written as one 32-bit word (GNU paths; BNN_PORTABLE_C takes them one by one). */
#if defined(__GNUC__) && !defined(BNN_PORTABLE_C)
typedef uint32_t __attribute__((may_alias)) bnn_u16_pair;
#endif

#endif /* BNN_CONFIG_H */
