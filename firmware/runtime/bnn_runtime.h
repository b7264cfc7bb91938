/* BNN Studio runtime: the fixed kernels every generated bnn_model.c calls with constant arguments. All of them are
 * static inline (the hot ones forced inline), so each stage gets its own specialised, unrolled copy and a kernel a
 * model does not call costs nothing. Each header includes what it needs; this one includes them all, so no list of
 * which kernel needs which is kept anywhere else. `bnn compile` copies these files next to bnn_model.c. */
#ifndef BNN_RUNTIME_H
#define BNN_RUNTIME_H

#include "bnn_config.h"
#include "bnn_popcount.h"
#include "bnn_xnor_sliced.h"
#include "bnn_pad.h"
#include "bnn_real_input.h"
#include "bnn_u8_tables.h"
#include "bnn_u8_planes.h"
#include "bnn_float.h"
#include "bnn_epilogue.h"

#endif /* BNN_RUNTIME_H */
