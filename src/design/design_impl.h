/* Private helpers of the design module. */
#ifndef SSB_DESIGN_IMPL_H
#define SSB_DESIGN_IMPL_H

#include <ssbnet/ssb_design.h>

#include "core_impl.h"

/* Stages 1-3 of the chain on cell (stage 0 only with rp->micro = 0). Destroy res in every case. */
int ssbi_design_structure(ssb_ctx *ctx, const ssb_materials *db, const ssb_cell_params *cell,
                          const ssb_run_params *rp, ssb_run_result *res);
/* A copy of cell with the hand-over fields of base (the ones ssb_run_effective sets) when base completed stage 3. */
int ssbi_design_handover(ssb_ctx *ctx, const ssb_cell_params *cell, const ssb_run_result *base, ssb_cell_params **out);

/* *db, or the built-in database loaded into *own (then *db = *own; the caller destroys *own). */
int ssbi_design_db(ssb_ctx *ctx, const ssb_materials **db, ssb_materials **own);
/* SSB_ERR_NOTFOUND "unknown <what> '<name>' (closest: ...)" over the n names name_at(i). */
int ssbi_design_closest(ssb_ctx *ctx, const char *what, const char *name, int n, const char *(*name_at)(int));

#endif
