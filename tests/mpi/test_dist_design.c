/* The design comparison shared between MPI ranks (ssb_dist_design_compare) against the one-process comparison
 * (ssb_design_compare), run by ctest under mpiexec with 1, 2 and 3 ranks:
 * - every rank holds every variant, and each variant's figures equal the one-process figures bit for bit (each
 *   variant is an independent evaluation from the same inputs; OMP_NUM_THREADS=1 in both, the evaluation's wall
 *   time left out), with the same names, reused flags, ok flags and ranks;
 * - the variant on the baseline's structure that runs on a rank other than 0 gets the structure's figures from
 *   rank 0 (active fraction, ionic tau, handed conductivities equal to the baseline's);
 * - an unavailable strategy is refused on every rank with the same code and message before anything runs;
 * - the optimiser with its grid and sensitivity batches shared between the ranks (ssb_dist_design_optimise) gives
 *   the one-process result: every evaluated design bit for bit in the same order, the optimum, the sensitivities.
 * A small structure (32 x 32 voxels in-plane, a 30 um cathode), a power ladder of 0.5 and 2C, and three strategies:
 * one measures its own structure (sintering), two reuse the baseline's (thin_separator, coating).
 * Plain C with MPI (no cmocka): each failure printed with its rank, the test exits non-zero on every rank. */
#include <ssbnet/ssb_design.h>
#include <ssbnet/ssb_design_opt.h>
#include <ssbnet/ssb_dist.h>

#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpi_test.h"

static int choice(ssb_ctx *ctx, const char *name, ssb_design_choice *c)
{
    if (ssb_design_strategy_find(ctx, name, &c->strategy) != SSB_OK)
        return -1;
    for (int k = 0; k < SSB_DESIGN_MAX_PARAMS; k++)
        c->values[k] = NAN;
    return 0;
}

/* The figures of two evaluations, bit for bit, but for the wall time. */
static int same_metrics(const ssb_design_metrics *a, const ssb_design_metrics *b)
{
    ssb_design_metrics x = *a, y = *b;
    x.time_s = y.time_s = 0;
    return memcmp(&x, &y, sizeof x) == 0;
}

/* Cathode and separator thickness for the stack energy at 1C (the cell's Bruggeman relations), under a CCS
   constraint: a 4 x 4 grid (16 designs over the ranks), COBYLA, 4 sensitivity designs. */
static void check_optimise(ssb_ctx *ctx, const ssb_materials *db, const ssb_cell_params *cell)
{
    ssb_design_opt_params prm = ssb_design_opt_params_default();
    prm.nvars = 2;
    snprintf(prm.vars[0].name, sizeof prm.vars[0].name, "positive.thickness_um");
    prm.vars[0].lo = 40, prm.vars[0].hi = 200;
    snprintf(prm.vars[1].name, sizeof prm.vars[1].name, "separator.thickness_um");
    prm.vars[1].lo = 10, prm.vars[1].hi = 60;
    prm.grid_points = 4;
    if (ssb_design_constraint_parse(ctx, "critical_stripping_current_mA_per_cm2>=0.01", &prm.cons[0]) != SSB_OK) {
        CHECK(0, "constraint: %s", ssb_ctx_get_error(ctx));
        return;
    }
    prm.ncons = 1;
    ssb_design_opt_result d, s;
    memset(&s, 0, sizeof s);
    int rc = ssb_dist_design_optimise(ctx, db, cell, &prm, &d);
    CHECK(rc == SSB_OK, "ssb_dist_design_optimise: %d %s", rc, ssb_ctx_get_error(ctx));
    int rs = SSB_OK;
    if (rank == 0)
        rs = ssb_design_optimise(ctx, db, cell, &prm, &s);
    MPI_Bcast(&rs, 1, MPI_INT, 0, MPI_COMM_WORLD);
    CHECK(rs == SSB_OK, "ssb_design_optimise on rank 0: %d", rs);
    if (rc == SSB_OK && rs == SSB_OK) {
        int head[3] = {s.nevals, s.ngrid, s.nlocal};
        MPI_Bcast(head, 3, MPI_INT, 0, MPI_COMM_WORLD);
        if (rank != 0) {
            s.nevals = head[0], s.ngrid = head[1], s.nlocal = head[2];
            s.evals = calloc((size_t)s.nevals, sizeof *s.evals);
        }
        MPI_Bcast(s.evals, (int)((size_t)s.nevals * sizeof *s.evals), MPI_BYTE, 0, MPI_COMM_WORLD);
        MPI_Bcast(s.x, SSB_DESIGN_MAX_VARS, MPI_DOUBLE, 0, MPI_COMM_WORLD);
        MPI_Bcast(&s.objective, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
        MPI_Bcast(s.sensitivity, SSB_DESIGN_MAX_VARS, MPI_DOUBLE, 0, MPI_COMM_WORLD);
        CHECK(d.nevals == s.nevals && d.ngrid == s.ngrid && d.nlocal == s.nlocal && d.ngrid == 16,
              "evaluations %d (grid %d, local %d) vs %d (%d, %d)", d.nevals, d.ngrid, d.nlocal, s.nevals, s.ngrid,
              s.nlocal);
        for (int i = 0; i < d.nevals && i < s.nevals; i++)
            CHECK(memcmp(&d.evals[i], &s.evals[i], sizeof d.evals[i]) == 0, "design %d (stage %d) differs", i,
                  d.evals[i].stage);
        CHECK(memcmp(d.x, s.x, sizeof d.x) == 0 && d.objective == s.objective, "optimum %.17g %.17g -> %.17g vs "
              "%.17g %.17g -> %.17g", d.x[0], d.x[1], d.objective, s.x[0], s.x[1], s.objective);
        CHECK(memcmp(d.sensitivity, s.sensitivity, sizeof d.sensitivity) == 0, "sensitivities differ");
        CHECK(isfinite(d.objective) && d.objective > 100, "objective %g Wh/kg", d.objective);
    }
    ssb_design_opt_result_destroy(&d);
    ssb_design_opt_result_destroy(&s);
}

int main(int argc, char **argv)
{
    if (ssb_dist_init(&argc, &argv) != SSB_OK) {
        fprintf(stderr, "MPI could not be initialised\n");
        return 1;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    ssb_ctx *ctx = NULL;
    ssb_materials *db = NULL;
    ssb_cell_params *cell = NULL;
    if (ssb_ctx_create(&ctx) != SSB_OK || ssb_materials_create(ctx, &db) != SSB_OK ||
        ssb_materials_load_builtin(ctx, db) != SSB_OK || ssb_cell_params_default(ctx, db, &cell) != SSB_OK ||
        ssb_cell_params_set(ctx, cell, "positive.thickness_um", 30) != SSB_OK) {
        fprintf(stderr, "rank %d: set-up failed: %s\n", rank, ssb_ctx_get_error(ctx));
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    ssb_run_params rp = ssb_run_params_default();
    rp.cross_section = 32;
    ssb_design_eval_params ep = ssb_design_eval_params_default();
    ep.npower = 2; /* a short power ladder keeps the test in seconds */
    ep.power_rates[0] = 0.5;
    ep.power_rates[1] = 2;
    ssb_design_choice ch[3];
    if (choice(ctx, "thin_separator", &ch[0]) || choice(ctx, "sintering", &ch[1]) || choice(ctx, "coating", &ch[2])) {
        fprintf(stderr, "rank %d: strategies not found\n", rank);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }

    /* distributed on every rank */
    ssb_design_comparison d = {0};
    int rc = ssb_dist_design_compare(ctx, db, cell, &rp, &ep, 3, ch, &d);
    CHECK(rc == SSB_OK, "ssb_dist_design_compare: %d %s", rc, ssb_ctx_get_error(ctx));
    CHECK(d.n == 4 && d.nshards == 1, "n %d, nshards %d", d.n, d.nshards);

    /* the one-process comparison on rank 0, sent to every rank */
    ssb_design_comparison s = {0};
    int rs = SSB_OK;
    if (rank == 0)
        rs = ssb_design_compare(ctx, db, cell, &rp, &ep, 3, ch, &s);
    MPI_Bcast(&rs, 1, MPI_INT, 0, MPI_COMM_WORLD);
    CHECK(rs == SSB_OK, "ssb_design_compare on rank 0: %d", rs);
    if (rs == SSB_OK && rc == SSB_OK && d.n == 4) {
        if (rank != 0) {
            s.n = 4;
            s.v = calloc(4, sizeof *s.v);
        }
        MPI_Bcast(s.v, (int)(4 * sizeof *s.v), MPI_BYTE, 0, MPI_COMM_WORLD);
        int owners_seen[3] = {0, 0, 0};
        for (int i = 0; i < 4; i++) {
            const ssb_design_variant *a = &d.v[i], *b = &s.v[i];
            CHECK(strcmp(a->name, b->name) == 0 && a->strategy == b->strategy, "variant %d: %s vs %s", i, a->name,
                  b->name);
            CHECK(a->ok && b->ok, "variant %s failed: %s / %s", a->name, a->error, b->error);
            CHECK(a->evaluated, "variant %s not evaluated", a->name);
            CHECK(a->reused == b->reused, "variant %s reused %d vs %d", a->name, a->reused, b->reused);
            CHECK(a->rank == b->rank, "variant %s ranked %d vs %d", a->name, a->rank, b->rank);
            for (int c = 0; c < SSB_DESIGN_NCRITERIA; c++)
                CHECK(a->rank_by[c] == b->rank_by[c], "variant %s rank_by[%d] %d vs %d", a->name, c, a->rank_by[c],
                      b->rank_by[c]);
            CHECK(same_metrics(&a->m, &b->m), "variant %s: figures differ (Wh/kg %.17g vs %.17g, tau %.17g vs %.17g)",
                  a->name, a->m.wh_per_kg, b->m.wh_per_kg, a->m.tau_ion, b->m.tau_ion);
            CHECK(a->owner >= 0 && a->owner < size, "variant %s on rank %d of %d", a->name, a->owner, size);
            if (a->owner >= 0 && a->owner < 3)
                owners_seen[a->owner] = 1;
        }
        /* every rank but 0 (busy measuring the baseline's structure) has work, and a variant on the baseline's
           structure ran away from rank 0 with the structure handed over: its structure figures are the baseline's */
        for (int r = 1; r < size && r < 3; r++)
            CHECK(owners_seen[r], "rank %d of %d evaluated no variant", r, size);
        CHECK(size > 1 || owners_seen[0], "one rank evaluated nothing");
        int away = 0;
        for (int i = 0; i < 4; i++)
            if ((i == 0 || d.v[i].reused) && d.v[i].owner != 0) {
                away++;
                CHECK(d.v[i].m.tau_ion == d.v[0].m.tau_ion && d.v[i].m.active_fraction == d.v[0].m.active_fraction &&
                          d.v[i].m.sigma_i_eff == d.v[0].m.sigma_i_eff && d.v[i].m.micro == 1,
                      "variant %s on rank %d: structure %g %g vs the baseline's %g %g", d.v[i].name, d.v[i].owner,
                      d.v[i].m.tau_ion, d.v[i].m.active_fraction, d.v[0].m.tau_ion, d.v[0].m.active_fraction);
            }
        CHECK(size == 1 || away > 0, "no variant on the baseline's structure ran on a rank other than 0");
        /* the measured structure is real: the sintered variant has its own */
        CHECK(!d.v[2].reused && d.v[2].m.tau_ion != d.v[0].m.tau_ion, "sintering reused the structure");
    }
    ssb_design_comparison_destroy(&s);
    ssb_design_comparison_destroy(&d);

    /* an unavailable strategy: the same refusal on every rank, nothing run */
    ssb_design_choice bad;
    if (choice(ctx, "void_filling", &bad) == 0) {
        ssb_ctx_clear_error(ctx);
        ssb_design_comparison e = {0};
        rc = ssb_dist_design_compare(ctx, db, cell, &rp, &ep, 1, &bad, &e);
        CHECK(rc == SSB_ERR_UNSUPPORTED, "void_filling: rc %d (%s)", rc, ssb_ctx_get_error(ctx));
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", ssb_ctx_get_error(ctx));
        MPI_Bcast(msg, sizeof msg, MPI_CHAR, 0, MPI_COMM_WORLD);
        CHECK(msg[0] && strcmp(msg, ssb_ctx_get_error(ctx)) == 0, "message '%s' vs rank 0's '%s'",
              ssb_ctx_get_error(ctx), msg);
        CHECK(e.n == 0 && e.v == NULL, "a refused comparison holds variants");
        int codes[2] = {rc, -rc}, lo[2];
        MPI_Allreduce(codes, lo, 2, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
        CHECK(lo[0] == rc && -lo[1] == rc, "ranks disagree on the code");
    }

    check_optimise(ctx, db, cell);

    ssb_cell_params_destroy(&cell);
    ssb_materials_destroy(&db);
    ssb_ctx_destroy(&ctx);
    const int exit_code = mpi_test_finish();
    ssb_dist_finalize();
    return exit_code;
}
