/* Results of a cell run: time series, steps, profiles, breakdown, CSV output. */
#include "cell_impl.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int ssbi_result_create(ssb_ctx *ctx, int ncv, ssb_cell_result **out)
{
    *out = NULL;
    ssb_cell_result *r = calloc(1, sizeof *r);
    if (!r)
        return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory (cell result)");
    r->ncv = ncv;
    *out = r;
    return SSB_OK;
}

static void free_profile(ssbi_profile *p)
{
    free(p->x);
    free(p->region);
}

void ssb_cell_result_destroy(ssb_cell_result **pr)
{
    if (!pr || !*pr)
        return;
    ssb_cell_result *r = *pr;
    for (int k = 0; k < SSB_CELL_SERIES_COUNT; k++)
        free(r->ser[k]);
    free(r->loss);
    free(r->resid);
    free(r->nli_pos);
    free(r->nli_neg);
    for (int i = 0; i < r->nsteps; i++)
        free(r->step_texts[i]);
    free(r->step_texts);
    free(r->steps);
    for (int i = 0; i < r->nprof; i++)
        free_profile(&r->prof[i]);
    free(r->prof);
    free(r);
    *pr = NULL;
}

int ssbi_result_push(ssb_ctx *ctx, ssb_cell_result *r, const double *vals, const ssb_cell_breakdown *b, double nlp,
                     double nln)
{
    if (r->n == r->cap) {
        int nc = r->cap ? 2 * r->cap : 256;
        for (int k = 0; k < SSB_CELL_SERIES_COUNT; k++) {
            double *s = realloc(r->ser[k], (size_t)nc * sizeof *s);
            if (!s)
                return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory (cell result, %d points)", nc);
            r->ser[k] = s;
        }
        double *l = realloc(r->loss, (size_t)nc * SSB_CELL_LOSS_COUNT * sizeof *l);
        if (!l)
            return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory (cell result)");
        r->loss = l;
        double *q = realloc(r->resid, (size_t)nc * sizeof *q);
        if (!q)
            return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory (cell result)");
        r->resid = q;
        q = realloc(r->nli_pos, (size_t)nc * sizeof *q);
        if (!q)
            return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory (cell result)");
        r->nli_pos = q;
        q = realloc(r->nli_neg, (size_t)nc * sizeof *q);
        if (!q)
            return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory (cell result)");
        r->nli_neg = q;
        r->cap = nc;
    }
    for (int k = 0; k < SSB_CELL_SERIES_COUNT; k++)
        r->ser[k][r->n] = vals[k];
    for (int k = 0; k < SSB_CELL_LOSS_COUNT; k++)
        r->loss[(size_t)r->n * SSB_CELL_LOSS_COUNT + k] = b ? b->loss[k] : NAN;
    r->resid[r->n] = b ? b->residual : NAN;
    r->nli_pos[r->n] = nlp;
    r->nli_neg[r->n] = nln;
    r->n++;
    return SSB_OK;
}

int ssbi_result_add_profile(ssb_ctx *ctx, ssb_cell_result *r, const ssbi_model *m, const double *y, double t)
{
    if (r->nprof == r->capprof) {
        int nc = r->capprof ? 2 * r->capprof : 8;
        ssbi_profile *p = realloc(r->prof, (size_t)nc * sizeof *p);
        if (!p)
            return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory (profiles)");
        r->prof = p;
        r->capprof = nc;
    }
    ssbi_profile *p = &r->prof[r->nprof];
    memset(p, 0, sizeof *p);
    int n = m->ncv;
    p->x = malloc((size_t)n * 8 * sizeof(double));
    p->region = malloc((size_t)n * sizeof(int));
    if (!p->x || !p->region) {
        free(p->x);
        free(p->region);
        return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory (profiles)");
    }
    p->csurf = p->x + n;
    p->cavg = p->x + 2 * n;
    p->phis = p->x + 3 * n;
    p->phie = p->x + 4 * n;
    p->j = p->x + 5 * n;
    p->ce = p->x + 6 * n;
    p->ie = p->x + 7 * n;
    p->t = t;
    ssbi_model_profile(m, y, p->x, p->region, p->csurf, p->cavg, p->phis, p->phie, p->j, p->ce, p->ie);
    r->nprof++;
    return SSB_OK;
}

int ssbi_result_add_step(ssb_ctx *ctx, ssb_cell_result *r, const ssb_cell_step_result *s)
{
    if (r->nsteps == r->capsteps) {
        int nc = r->capsteps ? 2 * r->capsteps : 8;
        ssb_cell_step_result *p = realloc(r->steps, (size_t)nc * sizeof *p);
        if (!p)
            return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory (steps)");
        r->steps = p;
        char **t = realloc(r->step_texts, (size_t)nc * sizeof *t);
        if (!t)
            return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory (steps)");
        r->step_texts = t;
        r->capsteps = nc;
    }
    char *txt = strdup(s->text ? s->text : "");
    if (!txt)
        return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory (steps)");
    r->steps[r->nsteps] = *s;
    r->steps[r->nsteps].text = txt;
    r->step_texts[r->nsteps] = txt;
    r->nsteps++;
    return SSB_OK;
}

int ssb_cell_result_npoints(const ssb_cell_result *r)
{
    return r ? r->n : 0;
}

const double *ssb_cell_result_series(const ssb_cell_result *r, ssb_cell_series s)
{
    if (!r || (int)s < 0 || s >= SSB_CELL_SERIES_COUNT)
        return NULL;
    return r->ser[s];
}

static const struct {
    const char *name, *label;
} loss_names[SSB_CELL_LOSS_COUNT] = {{"ionic_separator", "ionic ohmic, separator"},
                                     {"ionic_positive", "ionic ohmic, positive composite"},
                                     {"ionic_negative", "ionic ohmic, negative composite"},
                                     {"electronic_positive", "electronic ohmic, positive"},
                                     {"electronic_negative", "electronic ohmic, negative"},
                                     {"charge_transfer_positive", "charge transfer, positive"},
                                     {"charge_transfer_negative", "charge transfer, negative"},
                                     {"interface_positive", "interface resistance, positive"},
                                     {"interface_negative", "interface resistance, negative"},
                                     {"solid_diffusion_positive", "solid diffusion, positive"},
                                     {"solid_diffusion_negative", "solid diffusion, negative"},
                                     {"electrolyte_concentration", "electrolyte concentration (liquid)"},
                                     {"contact", "contact resistance"}};

const char *ssb_cell_loss_name(ssb_cell_loss k)
{
    return (int)k >= 0 && k < SSB_CELL_LOSS_COUNT ? loss_names[k].name : "?";
}

const char *ssb_cell_loss_label(ssb_cell_loss k)
{
    return (int)k >= 0 && k < SSB_CELL_LOSS_COUNT ? loss_names[k].label : "?";
}

int ssb_cell_result_breakdown_at(ssb_ctx *ctx, const ssb_cell_result *r, int i, ssb_cell_breakdown *b)
{
    SSB_REQUIRE(ctx, r && b, SSB_ERR_ARG, "ssb_cell_result_breakdown_at: NULL argument");
    SSB_REQUIRE(ctx, i >= 0 && i < r->n, SSB_ERR_RANGE, "point %d out of range (0 to %d)", i, r->n - 1);
    SSB_REQUIRE(ctx, r->has_breakdown, SSB_ERR_UNSUPPORTED, "the run was made without the breakdown");
    b->ocv = r->ser[SSB_CELL_OCV][i];
    b->voltage = r->ser[SSB_CELL_V][i];
    for (int k = 0; k < SSB_CELL_LOSS_COUNT; k++)
        b->loss[k] = r->loss[(size_t)i * SSB_CELL_LOSS_COUNT + k];
    b->residual = r->resid[i];
    return SSB_OK;
}

int ssb_cell_result_nsteps(const ssb_cell_result *r)
{
    return r ? r->nsteps : 0;
}

int ssb_cell_result_step(ssb_ctx *ctx, const ssb_cell_result *r, int i, ssb_cell_step_result *s)
{
    SSB_REQUIRE(ctx, r && s, SSB_ERR_ARG, "ssb_cell_result_step: NULL argument");
    SSB_REQUIRE(ctx, i >= 0 && i < r->nsteps, SSB_ERR_RANGE, "step %d out of range (0 to %d)", i, r->nsteps - 1);
    *s = r->steps[i];
    return SSB_OK;
}

int ssb_cell_result_bottleneck(ssb_ctx *ctx, const ssb_cell_result *r, int i, ssb_cell_loss *k, double *value)
{
    ssb_cell_step_result s;
    SSB_CHECK(ctx, ssb_cell_result_step(ctx, r, i, &s));
    SSB_REQUIRE(ctx, r->has_breakdown, SSB_ERR_UNSUPPORTED, "the run was made without the breakdown");
    int best = 0;
    for (int q = 1; q < SSB_CELL_LOSS_COUNT; q++)
        if (fabs(s.mean.loss[q]) > fabs(s.mean.loss[best]))
            best = q;
    if (k)
        *k = (ssb_cell_loss)best;
    if (value)
        *value = s.mean.loss[best];
    return SSB_OK;
}

int ssb_cell_result_nprofiles(const ssb_cell_result *r)
{
    return r ? r->nprof : 0;
}

int ssb_cell_result_profile(ssb_ctx *ctx, const ssb_cell_result *r, int i, ssb_cell_profile *p)
{
    SSB_REQUIRE(ctx, r && p, SSB_ERR_ARG, "ssb_cell_result_profile: NULL argument");
    SSB_REQUIRE(ctx, i >= 0 && i < r->nprof, SSB_ERR_RANGE, "profile %d out of range (0 to %d)", i, r->nprof - 1);
    const ssbi_profile *q = &r->prof[i];
    p->t = q->t;
    p->n = r->ncv;
    p->x = q->x;
    p->region = q->region;
    p->c_surf = q->csurf;
    p->c_avg = q->cavg;
    p->phi_s = q->phis;
    p->phi_e = q->phie;
    p->j = q->j;
    p->c_e = q->ce;
    p->i_e = q->ie;
    return SSB_OK;
}

int ssb_cell_result_lithium(ssb_ctx *ctx, const ssb_cell_result *r, int i, double *n_pos, double *n_neg, double *Q)
{
    SSB_REQUIRE(ctx, r, SSB_ERR_ARG, "ssb_cell_result_lithium: NULL argument");
    SSB_REQUIRE(ctx, i >= 0 && i < r->n, SSB_ERR_RANGE, "point %d out of range (0 to %d)", i, r->n - 1);
    if (n_pos)
        *n_pos = r->nli_pos[i];
    if (n_neg)
        *n_neg = r->nli_neg[i];
    if (Q)
        *Q = r->ser[SSB_CELL_Q][i];
    return SSB_OK;
}

void ssb_cell_result_stats(const ssb_cell_result *r, ssb_cell_stats *s)
{
    if (r && s)
        *s = r->stats;
}

int ssb_cell_result_energy_density(ssb_ctx *ctx, const ssb_cell_result *r, int step, double *wh_per_kg,
                                   double *wh_per_l)
{
    ssb_cell_step_result s;
    SSB_CHECK(ctx, ssb_cell_result_step(ctx, r, step, &s));
    double wh = s.energy / 3600.0; /* Wh/m2 */
    if (wh_per_kg)
        *wh_per_kg = wh / r->mass;
    if (wh_per_l)
        *wh_per_l = wh / (r->volume * 1000.0);
    return SSB_OK;
}

/* ---------------------------------------------------------------- atomic output */

int ssb_cell_result_write_csv(ssb_ctx *ctx, const ssb_cell_result *r, const char *path)
{
    SSB_REQUIRE(ctx, r && path, SSB_ERR_ARG, "ssb_cell_result_write_csv: NULL argument");
    ssbi_atomic of;
    SSB_CHECK(ctx, ssbi_atomic_open(ctx, &of, path, 1));
    FILE *fp = of.fp;
    fprintf(fp, "t_s,V_V,I_A_per_m2,Q_Ah_per_m2,E_Wh_per_m2,OCV_V,step");
    if (r->has_breakdown)
        for (int k = 0; k < SSB_CELL_LOSS_COUNT; k++)
            fprintf(fp, ",%s_V", ssb_cell_loss_name((ssb_cell_loss)k));
    fprintf(fp, "\n");
    for (int i = 0; i < r->n; i++) {
        fprintf(fp, "%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%d", r->ser[SSB_CELL_T][i], r->ser[SSB_CELL_V][i],
                r->ser[SSB_CELL_I][i], r->ser[SSB_CELL_Q][i] / 3600.0, r->ser[SSB_CELL_E][i] / 3600.0,
                r->ser[SSB_CELL_OCV][i], (int)r->ser[SSB_CELL_STEP][i]);
        if (r->has_breakdown)
            for (int k = 0; k < SSB_CELL_LOSS_COUNT; k++)
                fprintf(fp, ",%.6g", r->loss[(size_t)i * SSB_CELL_LOSS_COUNT + k]);
        fprintf(fp, "\n");
    }
    return ssbi_atomic_commit(ctx, &of);
}

int ssb_cell_result_write_profiles_csv(ssb_ctx *ctx, const ssb_cell_result *r, const char *path)
{
    SSB_REQUIRE(ctx, r && path, SSB_ERR_ARG, "ssb_cell_result_write_profiles_csv: NULL argument");
    ssbi_atomic of;
    SSB_CHECK(ctx, ssbi_atomic_open(ctx, &of, path, 1));
    FILE *fp = of.fp;
    fprintf(fp, "profile,t_s,x_um,region,c_surf_mol_per_m3,c_avg_mol_per_m3,phi_s_V,phi_e_V,j_A_per_m2,"
                "c_e_mol_per_m3,i_e_A_per_m2\n");
    static const char *reg[] = {"negative", "separator", "positive"};
    for (int p = 0; p < r->nprof; p++) {
        const ssbi_profile *q = &r->prof[p];
        for (int i = 0; i < r->ncv; i++)
            fprintf(fp, "%d,%.9g,%.6g,%s,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g\n", p, q->t, q->x[i] * 1e6,
                    reg[q->region[i]], q->csurf[i], q->cavg[i], q->phis[i], q->phie[i], q->j[i], q->ce[i], q->ie[i]);
    }
    return ssbi_atomic_commit(ctx, &of);
}
