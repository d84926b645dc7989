/* The P2D model: creation (grid, regions, functions), destruction and the initial state. */
#include "cell_model_inl.h"

#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- create */

/* A cell away from its reference temperature whose particle diffusivity or kinetics carry no activation energy (0,
 * the default: the database gives none for most active materials) keeps them at their reference values while the
 * electrolyte follows the temperature: say so once per cell instead of presenting the result as the cell at T. */
static void warn_no_activation(ssb_ctx *ctx, const ssb_cell_values *v)
{
    const double T = v->cell.T, Tr = v->cell.T_ref;
    if (!(fabs(T - Tr) > 5.0))
        return;
    char miss[400] = "";
    size_t n = 0;
    const ssb_cell_electrode *e[2] = {&v->pos, &v->neg};
    const char *name[2] = {"positive", "negative"};
    for (int i = 0; i < 2; i++) {
        if (i == 1 && v->anode == SSB_CELL_ANODE_LI_METAL) {
            if (v->li.Ea_kinetics == 0 && n < sizeof miss)
                n += (size_t)snprintf(miss + n, sizeof miss - n, "%snegative.activation_energy_kinetics_kJ_per_mol",
                                      n ? ", " : "");
            continue;
        }
        if (e[i]->Ea_diffusion == 0 && n < sizeof miss)
            n += (size_t)snprintf(miss + n, sizeof miss - n, "%s%s.activation_energy_diffusion_kJ_per_mol",
                                  n ? ", " : "", name[i]);
        if (e[i]->Ea_kinetics == 0 && n < sizeof miss)
            n += (size_t)snprintf(miss + n, sizeof miss - n, "%s%s.activation_energy_kinetics_kJ_per_mol",
                                  n ? ", " : "", name[i]);
    }
    if (n > 0)
        ssbi_log(ctx, SSB_LOG_WARN, "cell",
                 "the cell is at %.2f K, %.0f K from its reference %.2f K, but %s %s 0 (not given): those particle "
                 "diffusivities / exchange currents stay at their %.2f K values, only the electrolyte's "
                 "conductivity follows the temperature",
                 T, fabs(T - Tr), Tr, miss, strchr(miss, ',') ? "are" : "is", Tr);
}

/* A single-ion conductivity above any known solid electrolyte's is most likely a unit mix-up (mS/cm typed as S/m:
 * 10 x; S/cm as S/m: 100 x): the best reported, Li9.54Si1.74P1.44S11.7Cl0.3, conducts 25 mS/cm at 25 C (Kato et al.,
 * Nat. Energy 1, 16030 (2016)); 'ionic_conductivity_S_per_m': 12 (LGPS in mS/cm) ran as 120 mS/cm without a word. */
static void warn_sigma_units(ssb_ctx *ctx, const ssb_cell_values *v)
{
    if (v->el.kind == SSB_CELL_LIQUID)
        return;
    static const double lim = 10.0; /* S/m = 100 mS/cm, four times the best */
    const char *name[3] = {"positive", "separator", "negative"};
    double s[3] = {v->pos.sigma_i, v->sep.sigma_i, v->anode == SSB_CELL_ANODE_COMPOSITE ? v->neg.sigma_i : NAN};
    double se[3] = {v->pos.sigma_i_eff, v->sep.sigma_i_eff,
                    v->anode == SSB_CELL_ANODE_COMPOSITE ? v->neg.sigma_i_eff : NAN};
    for (int i = 0; i < 3; i++) {
        const char *key = s[i] > lim ? "ionic_conductivity" : se[i] > lim ? "effective_ionic_conductivity" : NULL;
        if (key)
            ssbi_log(ctx, SSB_LOG_WARN, "cell",
                     "%s.%s = %g S/m (%g mS/cm) is above any known solid electrolyte's (the best, "
                     "Li9.54Si1.74P1.44S11.7Cl0.3, 25 mS/cm: Kato et al., Nat. Energy 1, 16030 (2016)): a unit "
                     "mix-up? (1 mS/cm = 0.1 S/m: keys _S_per_m and _mS_per_cm)",
                     name[i], key, s[i] > lim ? s[i] : se[i], 10.0 * (s[i] > lim ? s[i] : se[i]));
    }
}

/* A composite negative that holds less cyclable Li (its initial stoichiometry down to its discharged one, the
 * OCV's lower end unless given) than the positive's nominal window: the cell is negative-limited, a discharge ends
 * on the negative before the positive's window is used, and "1C" (the positive's nominal capacity per hour) is
 * more than the cell can deliver in an hour. Said once, with the numbers (an NCM622 | graphite cell at an initial
 * graphite stoichiometry of 0.85 delivered 168 instead of 187 mAh/g at C/10 without a word). */
static void warn_li_inventory(ssb_ctx *ctx, const ssb_cell_values *v, const ssb_cell_derived *d)
{
    if (v->anode != SSB_CELL_ANODE_COMPOSITE)
        return;
    const ssb_cell_electrode *n = &v->neg;
    double q_neg = d->capacity_neg * (n->sto_init - n->sto_discharged);
    if (!(q_neg < 0.99 * d->nominal_capacity))
        return;
    ssbi_log(ctx, SSB_LOG_WARN, "cell",
             "the negative electrode holds %.4g mAh/cm2 of cyclable Li (stoichiometry %.4g down to %.4g of its %.4g "
             "mAh/cm2), less than the positive's nominal %.4g mAh/cm2 that defines 1C (N/P %.3g, its capacity over the "
             "positive's nominal): the cell is "
             "negative-limited, a discharge ends on the negative (raise negative.initial_stoichiometry or "
             "negative.thickness_um)",
             q_neg / 36000.0, n->sto_init, n->sto_discharged, d->capacity_neg / 36000.0, d->nominal_capacity / 36000.0,
             d->capacity_neg / d->nominal_capacity);
}

/* Long (about 160 lines) on purpose: lays out the grid, the regions and their material functions in the order the
 * unknown layout needs them; every allocation is undone on one error path at the end. */
int ssbi_model_create(ssb_ctx *ctx, const ssb_cell_params *p, ssbi_model **out)
{
    *out = NULL;
    ssbi_model *m = calloc(1, sizeof *m);
    if (!m)
        return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory (cell model)");
    int rc = ssb_cell_params_copy(ctx, p, &m->par);
    if (rc == SSB_OK)
        rc = ssbi_params_resolve(ctx, m->par, &m->v, &m->der);
    if (rc != SSB_OK) {
        ssbi_model_destroy(&m);
        return rc;
    }
    const ssb_cell_values *v = &m->v;
    warn_no_activation(ctx, v);
    warn_li_inventory(ctx, v, &m->der);
    warn_sigma_units(ctx, v);
    m->liquid = v->el.kind == SSB_CELL_LIQUID;
    m->limetal = v->anode == SSB_CELL_ANODE_LI_METAL;
    m->T = v->cell.T;
    m->f = F_ / (RG_ * m->T);
    m->nr = v->num.n_r;
    int nn = m->limetal ? 0 : v->num.n_neg, ns = v->num.n_sep, np = v->num.n_pos;
    m->ncv = nn + ns + np;
    double T = m->T, Tr = v->cell.T_ref;
    /* regions */
    for (int r = 0; r < 3; r++) {
        ssbi_region *g = &m->reg[r];
        memset(g, 0, sizeof *g);
        if (r == SSBI_REG_SEP) {
            g->present = 1;
            g->n = ns;
            g->first = nn;
            g->dx = v->sep.thickness / ns;
            g->eps_e = v->sep.eps_electrolyte;
            g->te = v->sep.transport_eff;
            /* a single-ion conductor's conductivity follows its Arrhenius law like a liquid's kappa (it was held at
               its reference value whatever the temperature: DUALFOIL case F at 318 K, 81 mV RMS) */
            g->sigma_i = m->liquid ? NAN : v->sep.sigma_i_eff * ssb_cell_sigma_factor(v, SSB_CELL_REGION_SEP);
            continue;
        }
        const ssb_cell_electrode *e = r == SSBI_REG_POS ? &v->pos : &v->neg;
        if (r == SSBI_REG_NEG && m->limetal)
            continue;
        g->present = 1;
        g->n = r == SSBI_REG_POS ? np : nn;
        g->first = r == SSBI_REG_POS ? nn + ns : 0;
        g->dx = e->thickness / g->n;
        g->a = e->area_per_volume;
        g->jscale = e->area_per_volume * e->particle_radius / (3.0 * e->eps_active);
        g->sigma_e = e->sigma_e_eff;
        g->sigma_i = m->liquid ? NAN
                               : e->sigma_i_eff * ssb_cell_sigma_factor(v, r == SSBI_REG_POS ? SSB_CELL_REGION_POS
                                                                                              : SSB_CELL_REGION_NEG);
        g->te = e->transport_eff;
        g->eps_e = e->eps_electrolyte;
        g->eps_s = e->eps_active;
        g->R = e->particle_radius;
        g->c_max = e->c_max;
        g->darr = ssbi_arrh(e->Ea_diffusion, T, Tr);
        g->D_ref = e->D_s * g->darr;
        g->i0_ref = r == SSBI_REG_POS ? m->der.i0_ref_pos : m->der.i0_ref_neg;
        g->alpha = e->alpha;
        g->R_film = e->R_interface;
        g->ocv = &m->par->fn[r == SSBI_REG_POS ? SSB_CELL_FN_OCV_POS : SSB_CELL_FN_OCV_NEG];
        const ssbi_fn *ds = &m->par->fn[r == SSBI_REG_POS ? SSB_CELL_FN_DS_POS : SSB_CELL_FN_DS_NEG];
        g->ds = ssbi_fn_set(ds) ? ds : NULL;
        for (int k = 0; g->ds && k <= SSBI_DGRID; k++) {
            double dd;
            g->dgrid[k] = dsol(g, (double)k / SSBI_DGRID, &dd);
        }
        const ssbi_fn *sf = &m->par->fn[r == SSBI_REG_POS ? SSB_CELL_FN_SIGE_POS : SSB_CELL_FN_SIGE_NEG];
        g->sige = ssbi_fn_set(sf) ? sf : NULL;
        g->sige_fac = g->sige ? e->sigma_e_eff / ssbi_fn_eval(sf, e->sto_init, NULL) : 1.0;
    }
    m->t_plus = m->liquid ? v->el.t_plus : 1.0;
    m->c_ref = v->el.c_ref;
    m->kap_arr = ssbi_arrh(v->el.Ea_kappa, T, Tr);
    m->dif_arr = ssbi_arrh(v->el.Ea_D, T, Tr);
    m->kappa = ssbi_fn_set(&m->par->fn[SSB_CELL_FN_KAPPA]) ? &m->par->fn[SSB_CELL_FN_KAPPA] : NULL;
    m->diff = ssbi_fn_set(&m->par->fn[SSB_CELL_FN_DIFF]) ? &m->par->fn[SSB_CELL_FN_DIFF] : NULL;
    m->tdf = ssbi_fn_set(&m->par->fn[SSB_CELL_FN_TDF]) ? &m->par->fn[SSB_CELL_FN_TDF] : NULL;
    m->tplus = ssbi_fn_set(&m->par->fn[SSB_CELL_FN_TPLUS]) ? &m->par->fn[SSB_CELL_FN_TPLUS] : NULL;
    m->i0_li = m->der.i0_li;
    m->R_li = m->limetal ? v->li.R_interface / v->li.contact_fraction : 0;
    m->alpha_li = v->li.alpha;
    m->R_contact = v->cell.R_contact;
    /* unknowns */
    m->cv_reg = malloc((size_t)m->ncv * sizeof *m->cv_reg);
    m->cv_off = malloc((size_t)m->ncv * sizeof *m->cv_off);
    m->rvol = malloc((size_t)m->nr * sizeof *m->rvol);
    m->rface = malloc((size_t)m->nr * sizeof *m->rface);
    if (!m->cv_reg || !m->cv_off || !m->rvol || !m->rface) {
        ssbi_model_destroy(&m);
        return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory (cell model)");
    }
    long off = 0;
    int nel = m->liquid ? 1 : 0;
    for (int i = 0; i < m->ncv; i++) {
        int r = i < nn ? SSBI_REG_NEG : (i < nn + ns ? SSBI_REG_SEP : SSBI_REG_POS);
        m->cv_reg[i] = r;
        m->cv_off[i] = off;
        off += r == SSBI_REG_SEP ? 1 + nel : m->nr + 3 + nel;
    }
    m->i_phie0 = m->limetal ? off++ : -1;
    m->i_I = off++;
    m->i_Q = off++;
    m->i_E = off++;
    m->N = off;
    /* radial shells on the unit sphere: geometric widths w_k = w_0 q^k (k = 0 innermost), q^(n-1) = 1 / ratio,
       so that the outermost shell is `ratio` times thinner than the innermost (ratio 1: uniform) */
    {
        int n = m->nr;
        double ratio = v->num.particle_grid_ratio > 0 ? v->num.particle_grid_ratio : 1.0;
        double q = n > 1 ? pow(1.0 / ratio, 1.0 / (n - 1)) : 1.0, w = 0, rf = 0, rcp = 0;
        for (int k = 0; k < n; k++)
            w += pow(q, k);
        double w0 = 1.0 / w;
        for (int k = 0; k < n; k++) {
            double a = rf, b = k == n - 1 ? 1.0 : rf + w0 * pow(q, k);
            double rc = 0.5 * (a + b);
            m->rvol[k] = (b * b * b - a * a * a) / 3.0;
            if (k > 0)
                m->rface[k - 1] = a * a / (rc - rcp); /* face area / centre distance */
            rcp = rc;
            rf = b;
        }
        m->rsurf = 1.0 - rcp; /* outermost centre to the surface */
        for (int r = 0; r < 3; r++) {
            ssbi_region *g = &m->reg[r];
            if (!g->present || r == SSBI_REG_SEP)
                continue;
            g->ivol = malloc(2 * (size_t)n * sizeof *g->ivol);
            if (!g->ivol) {
                ssbi_model_destroy(&m);
                return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory (cell model)");
            }
            g->garea = g->ivol + n;
            for (int k = 0; k < n; k++) {
                g->ivol[k] = 1.0 / (g->R * g->R * g->R * m->rvol[k]);
                g->garea[k] = k < n - 1 ? g->R * m->rface[k] : 0.0;
            }
        }
    }
    /* variable scales (absolute tolerances) */
    m->scale = malloc((size_t)m->N * sizeof *m->scale);
    if (!m->scale) {
        ssbi_model_destroy(&m);
        return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory (cell model)");
    }
    double I1 = m->der.nominal_capacity / 3600.0;
    for (int i = 0; i < m->ncv; i++) {
        const ssbi_region *g = REG(m, i);
        if (is_elec(m, i)) {
            for (int k = 0; k < m->nr; k++)
                m->scale[I_CS(m, i, k)] = g->c_max;
            m->scale[I_PS(m, i)] = 1.0;
            m->scale[I_J(m, i)] = fmax(I1 / (g->a * g->dx * g->n), 1e-12);
        }
        m->scale[I_PE(m, i)] = 1.0;
        if (m->liquid)
            m->scale[I_CE(m, i)] = m->c_ref;
    }
    if (m->limetal)
        m->scale[m->i_phie0] = 1.0;
    m->scale[m->i_I] = I1;
    m->scale[m->i_Q] = m->der.nominal_capacity;
    m->scale[m->i_E] = m->der.nominal_capacity * 4.0;
    m->mode.kind = SSB_CELL_STEP_REST;
    m->mode.value = 0;
    *out = m;
    return SSB_OK;
}

void ssbi_model_destroy(ssbi_model **pm)
{
    if (!pm || !*pm)
        return;
    ssbi_model *m = *pm;
    ssb_cell_params_destroy(&m->par);
    free(m->cv_reg);
    free(m->cv_off);
    free(m->rvol);
    free(m->rface);
    for (int r = 0; r < 3; r++)
        free(m->reg[r].ivol);
    free(m->colptr);
    free(m->rowind);
    free(m->pat);
    free(m->jseq);
    free(m->scale);
    free(m);
    *pm = NULL;
}

void ssbi_model_initial(const ssbi_model *m, double *y, double *yp, double *id)
{
    const ssb_cell_values *v = &m->v;
    double Un = 0.0;
    if (!m->limetal)
        Un = ocv(&m->reg[SSBI_REG_NEG], v->neg.sto_init, NULL);
    double Up = ocv(&m->reg[SSBI_REG_POS], v->pos.sto_init, NULL);
    for (long k = 0; k < m->N; k++) {
        y[k] = 0;
        yp[k] = 0;
        id[k] = 0;
    }
    for (int i = 0; i < m->ncv; i++) {
        int r = m->cv_reg[i];
        if (is_elec(m, i)) {
            const ssbi_region *g = &m->reg[r];
            double th0 = r == SSBI_REG_POS ? v->pos.sto_init : v->neg.sto_init;
            for (int k = 0; k < m->nr; k++) {
                y[I_CS(m, i, k)] = th0 * g->c_max;
                id[I_CS(m, i, k)] = 1;
            }
            y[I_PS(m, i)] = r == SSBI_REG_POS ? Up - Un : 0.0;
            y[I_J(m, i)] = 0;
        }
        y[I_PE(m, i)] = -Un;
        if (m->liquid) {
            y[I_CE(m, i)] = m->c_ref;
            id[I_CE(m, i)] = 1;
        }
    }
    if (m->limetal)
        y[m->i_phie0] = 0;
    y[m->i_I] = 0;
    id[m->i_Q] = 1;
    id[m->i_E] = 1;
}

