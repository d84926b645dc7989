/* Distributed design comparison and optimisation (ssb_dist_design_compare, ssb_dist_design_optimise): the design
 * module's comparison with its variants, and the optimiser with its batches, shared between the MPI ranks. The design module knows no MPI; this file hands it the two collective operations it needs
 * (a broadcast and the agreement on errors) and compiles to the one-process comparison without MPI. */
#include "dist_impl.h"

#include "design/design_impl.h"
#include "design/design_opt_impl.h"

#include <limits.h>

#if SSB_HAVE_HYPRE
static int bcast_world(void *buf, size_t bytes, int root, void *user)
{
    (void)user;
    char *b = buf;
    while (bytes > 0) { /* MPI counts are int: large buffers in pieces */
        const int c = bytes > (size_t)INT_MAX ? INT_MAX : (int)bytes;
        if (MPI_Bcast(b, c, MPI_BYTE, root, MPI_COMM_WORLD) != MPI_SUCCESS)
            return SSB_ERR_BACKEND;
        b += c;
        bytes -= (size_t)c;
    }
    return SSB_OK;
}

static int agree_world(ssb_ctx *ctx, int rc, void *user)
{
    (void)user;
    return ssbi_dist_agree(ctx, rc);
}
#endif

int ssb_dist_design_compare(ssb_ctx *ctx, const ssb_materials *db, const ssb_cell_params *cell,
                            const ssb_run_params *rp, const ssb_design_eval_params *ep, int nchoices,
                            const ssb_design_choice *choices, ssb_design_comparison *out)
{
#if SSB_HAVE_HYPRE
    const int size = ssb_dist_size(), rank = ssb_dist_rank(); /* 1 and 0 before MPI_Init or after MPI_Finalize */
    if (size > 1) {
        const ssbi_design_comm comm = {size, rank, bcast_world, agree_world, NULL};
        return ssbi_design_compare(ctx, db, cell, NULL, rp, ep, nchoices, choices, rank, size, &comm, out);
    }
#endif
    return ssb_design_compare(ctx, db, cell, rp, ep, nchoices, choices, out);
}

int ssb_dist_design_optimise(ssb_ctx *ctx, const ssb_materials *db, const ssb_cell_params *base,
                             const ssb_design_opt_params *prm, ssb_design_opt_result *res)
{
#if SSB_HAVE_HYPRE
    const int size = ssb_dist_size(), rank = ssb_dist_rank(); /* 1 and 0 before MPI_Init or after MPI_Finalize */
    if (size > 1) {
        const ssbi_design_comm comm = {size, rank, bcast_world, agree_world, NULL};
        return ssbi_design_optimise(ctx, db, base, prm, &comm, res);
    }
#endif
    return ssb_design_optimise(ctx, db, base, prm, res);
}
