/* Private helpers of the run module. */
#ifndef SSB_RUN_IMPL_H
#define SSB_RUN_IMPL_H

#include <ssbnet/ssb_run.h>

#include "core_impl.h"

/* A stage of the chain: while it runs, the context's progress callback sees stage names prefixed with the run
 * stage ("structure: electrode") and params->cancel is polled. begin installs the wrapper, end restores the
 * caller's callback. */
typedef struct {
    ssb_progress_fn fn;
    void *user;
    const char *prefix;
    volatile const int *cancel;
} ssbi_run_stage;

void ssbi_run_stage_begin(ssb_ctx *ctx, ssbi_run_stage *st, const ssb_run_params *rp, const char *prefix);
void ssbi_run_stage_end(ssb_ctx *ctx, ssbi_run_stage *st);

/* Ranges of the electrode-architecture fields of the params (run_structure.c; issue 12). */
int ssbi_run_check_arch(ssb_ctx *ctx, const ssb_run_params *rp);

#endif
