/* Private helpers of the design module. */
#ifndef SSB_DESIGN_IMPL_H
#define SSB_DESIGN_IMPL_H

/* The stack pressures the evaluation's mechanics is meaningful for [Pa]: 0 to 100 MPa, the baseline's and a
   variant's (baseline + pressure.added_pressure_MPa) alike. */
#define SSBI_DESIGN_P_MAX 1e8

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
/* 1 (and why, n bytes) when the strategy's only effect is on a figure the evaluated variant m cannot give (a
   Li-metal anode's CCS or effective plating CCD in a cell with a composite anode): compare reports it as not
   applicable instead of a number equal to the baseline's. */
int ssbi_design_not_applicable(int strategy, const ssb_design_metrics *m, char *why, size_t n);
/* 1 for a strategy that acts only on a Li-metal anode (pressure, alloy_anode, gb_insulation). */
int ssbi_design_li_anode_only(int strategy);
int ssbi_design_closest(ssb_ctx *ctx, const char *what, const char *name, int n, const char *(*name_at)(int));

/* How a comparison shares its variants between processes (src/dist supplies it over MPI; the design module itself
   knows no MPI). size processes, this one is rank; bcast copies root's bytes into buf on every process (collective,
   returns SSB_OK or SSB_ERR_BACKEND); agree makes every process return the same rc with the failing process's
   message (ssbi_dist_agree). */
typedef struct {
    int size, rank;
    int (*bcast)(void *buf, size_t bytes, int root, void *user);
    int (*agree)(ssb_ctx *ctx, int rc, void *user);
    void *user;
} ssbi_design_comm;

/* The comparison behind ssb_design_compare_on (comm NULL, nshards 1), ssb_design_compare_shard (comm NULL: only
   share `shard`'s variants evaluated) and ssb_dist_design_compare (comm: shard = comm->rank of comm->size; the
   baseline's structure measured on rank 0 and handed to the others, every variant gathered on every rank, ranked). */
int ssbi_design_compare(ssb_ctx *ctx, const ssb_materials *db, const ssb_cell_params *cell,
                        const ssb_run_result *measured, const ssb_run_params *rp, const ssb_design_eval_params *ep,
                        int nchoices, const ssb_design_choice *choices, int shard, int nshards,
                        const ssbi_design_comm *comm, ssb_design_comparison *out);

#endif
