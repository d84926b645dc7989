/* design: one cell through the chain and the figures designs are ranked on (ssb_design.h). */
#include "design_impl.h"

#include <ssbnet/ssb_mech.h>

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

ssb_design_eval_params ssb_design_eval_params_default(void)
{
    ssb_design_eval_params p;
    memset(&p, 0, sizeof p);
    p.rate = 1.0;
    p.ref_rate = 0.1;
    p.power_retention = 0.8;
    static const double ladder[] = {0.2, 0.5, 1, 2, 3, 5, 10};
    p.npower = (int)(sizeof ladder / sizeof ladder[0]);
    memcpy(p.power_rates, ladder, sizeof ladder);
    p.stack_pressure = 1e6;
    snprintf(p.anode_mech, sizeof p.anode_mech, "Li");
    p.li_hours = 1.0;
    p.se_sigma_e_factor = 1.0;
    p.coating = ssb_iface_coating_default();
    p.aged_discharge = 1;
    return p;
}

int ssb_design_eval_params_check(ssb_ctx *ctx, const ssb_design_eval_params *ep)
{
    SSB_REQUIRE(ctx, ep, SSB_ERR_ARG, "ssb_design_eval_params_check: NULL params");
    SSB_REQUIRE(ctx, ep->rate > 0 && ep->rate <= 100, SSB_ERR_RANGE,
                "design rate = %g C is out of range (valid: (0, 100])", ep->rate);
    SSB_REQUIRE(ctx, ep->ref_rate > 0 && ep->ref_rate <= ep->rate, SSB_ERR_RANGE,
                "design reference rate = %g C is out of range (valid: (0, %g], the target rate)", ep->ref_rate,
                ep->rate);
    SSB_REQUIRE(ctx, ep->power_retention > 0 && ep->power_retention < 1, SSB_ERR_RANGE,
                "design power retention = %g is out of range (valid: (0, 1))", ep->power_retention);
    SSB_REQUIRE(ctx, ep->npower >= 0 && ep->npower <= SSB_DESIGN_MAX_POWER_RATES, SSB_ERR_RANGE,
                "design power ladder: %d rates (valid: 0 to %d)", ep->npower, SSB_DESIGN_MAX_POWER_RATES);
    for (int i = 0; i < ep->npower; i++)
        SSB_REQUIRE(ctx, ep->power_rates[i] > 0 && ep->power_rates[i] <= 100 && (i == 0 || ep->power_rates[i] >
                                                                                                 ep->power_rates[i - 1]),
                    SSB_ERR_RANGE, "design power ladder rate %d = %g C (valid: ascending, in (0, 100])", i,
                    ep->power_rates[i]);
    SSB_REQUIRE(ctx, ep->stack_pressure >= 0 && ep->stack_pressure <= SSBI_DESIGN_P_MAX, SSB_ERR_RANGE,
                "stack pressure = %g MPa is out of range (valid: 0 to %g)", ep->stack_pressure * 1e-6,
                SSBI_DESIGN_P_MAX * 1e-6);
    SSB_REQUIRE(ctx, ep->li_hours > 0 && ep->li_hours <= 1e4, SSB_ERR_RANGE,
                "design stripping horizon = %g h is out of range (valid: (0, 1e4])", ep->li_hours);
    SSB_REQUIRE(ctx, ep->se_sigma_e_factor >= 1 && ep->se_sigma_e_factor <= 1e8, SSB_ERR_RANGE,
                "SE electronic conductivity factor = %g is out of range (valid: 1 to 1e8)", ep->se_sigma_e_factor);
    SSB_CHECK(ctx, ssb_iface_coating_check(ctx, &ep->coating));
    return SSB_OK;
}

/* --------------------------------------------------------------------------------------- cathode coating */

int ssb_design_coated_resistance(ssb_ctx *ctx, const ssb_materials *mdb, const ssb_iface_db *idb,
                                 const ssb_cell_params *cell, const ssb_iface_coating *c, double hours, double *R0,
                                 double *R_aged)
{
    SSB_REQUIRE(ctx, mdb && idb && cell && R0 && R_aged, SSB_ERR_ARG, "ssb_design_coated_resistance: NULL argument");
    SSB_REQUIRE(ctx, isfinite(hours) && hours >= 0, SSB_ERR_RANGE, "ageing time %g h, must be >= 0", hours);
    ssb_iface_coating cc = c ? *c : ssb_iface_coating_default();
    SSB_CHECK(ctx, ssb_iface_coating_check(ctx, &cc));
    ssb_cell_values v;
    ssb_cell_params_get_values(cell, &v);
    ssb_cell_derived d;
    SSB_CHECK(ctx, ssb_cell_params_derive(ctx, cell, &d));
    const char *se_pos = v.pos.electrolyte[0] ? v.pos.electrolyte : v.el.material;
    SSB_REQUIRE(ctx, v.pos.active_material[0] && se_pos[0], SSB_ERR_NOTFOUND,
                "the cell names no cathode active material or electrolyte: the interface data need names");
    *R0 = *R_aged = v.pos.R_interface;
    const ssb_iface_record *rec = NULL;
    if (ssb_iface_db_find(ctx, idb, mdb, v.pos.active_material, se_pos, &rec) != SSB_OK) {
        /* a pair without a record does not age; a full coating still adds its series resistance */
        ssb_ctx_clear_error(ctx);
        double add = cc.thickness > 0 && cc.coverage >= 1 ? cc.thickness / cc.sigma_ion : 0.0;
        *R0 += add;
        *R_aged += add;
        return SSB_OK;
    }
    /* the SE window and the negative's potential as stage 5 takes them (ssb_iface_assess_cell) */
    ssb_iface_stability st;
    SSB_CHECK(ctx, ssb_iface_stability_assess(ctx, mdb, idb, v.pos.active_material, se_pos, NULL,
                                              v.cell.V_min > 0 ? v.cell.V_min : NAN, NAN, &st));
    double U_neg = 0.0;
    if (v.anode == SSB_CELL_ANODE_COMPOSITE) {
        const char *se_sep = v.sep.electrolyte[0] ? v.sep.electrolyte : v.el.material;
        ssb_iface_stability sn;
        SSB_CHECK(ctx, ssb_iface_stability_assess(ctx, mdb, idb, v.neg.active_material, se_sep, NULL, NAN, NAN, &sn));
        U_neg = sn.U_lo;
    }
    ssb_iface_growth g = rec->growth;
    g.E_red = st.E_red;
    g.E_ox = st.E_ox;
    const double dtau = ssb_iface_rate_factor(&g, d.ocv_init + U_neg, v.cell.T) * hours * 3600.0;
    const ssb_iface_coating bare = ssb_iface_coating_default();
    ssb_iface_state s0 = ssb_iface_state_initial(&g), sc = s0;
    const double fresh_bare = ssb_iface_state_resistance(&g, &bare, &s0);
    const double fresh_coated = ssb_iface_state_resistance(&g, &cc, &s0);
    ssb_iface_state_advance(&g, &cc, &sc, dtau);
    /* stage 5 books the bare layer's L0 / sigma as part of the cell's R_interface: only the coating's excess over
       it is added to the fresh value */
    *R0 += fresh_coated > fresh_bare ? fresh_coated - fresh_bare : 0.0;
    *R_aged += ssb_iface_state_resistance(&g, &cc, &sc);
    return SSB_OK;
}

/* ------------------------------------------------------------------------------------------- evaluation */

int ssbi_design_db(ssb_ctx *ctx, const ssb_materials **db, ssb_materials **own)
{
    *own = NULL;
    if (*db)
        return SSB_OK;
    SSB_CHECK(ctx, ssb_materials_create(ctx, own));
    int rc = ssb_materials_load_builtin(ctx, *own);
    if (rc != SSB_OK) {
        ssb_materials_destroy(own);
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    }
    *db = *own;
    return SSB_OK;
}

int ssbi_design_closest(ssb_ctx *ctx, const char *what, const char *name, int n, const char *(*name_at)(int))
{
    int best = 0, dbest = 1 << 30;
    for (int i = 0; i < n; i++) {
        int d = ssb_materials_name_distance(name_at(i), name);
        if (d < dbest) {
            dbest = d;
            best = i;
        }
    }
    return SSB_ERROR(ctx, SSB_ERR_NOTFOUND, "unknown %s '%s' (closest: %s; 'ssbnet design list' lists them)", what,
                     name, n > 0 ? name_at(best) : "-");
}

static void metrics_init(ssb_design_metrics *m, const ssb_design_eval_params *ep)
{
    memset(m, 0, sizeof *m);
    m->rate = ep->rate;
    m->capacity = m->specific_capacity = m->energy = m->v_mean = NAN;
    m->wh_per_kg = m->wh_per_l = m->bottleneck_loss = NAN;
    m->ref_capacity = m->power_rate = NAN;
    m->pressure = ep->stack_pressure;
    m->ccs = m->li_contact_fraction = m->ccd_effective = m->current = NAN;
    m->hours = NAN;
    m->R_pos_initial = m->R_pos_aged = m->R_neg_initial = m->R_neg_aged = NAN;
    m->capacity_aged = m->retention_aged = NAN;
    m->active_fraction = m->tau_ion = m->sigma_i_eff = m->sigma_e_eff = m->area_per_volume = NAN;
}

/* One discharge of a cell at each of n rates; pts[n]. */
static int sweep(ssb_ctx *ctx, const ssb_cell_params *cell, int n, const double *rates, double cutoff,
                 ssb_cell_rate_point *pts)
{
    ssb_cell *model = NULL;
    SSB_CHECK(ctx, ssb_cell_create(ctx, cell, &model));
    int rc = ssb_cell_rate_sweep(ctx, model, n, rates, cutoff, pts, NULL);
    ssb_cell_destroy(&model);
    if (rc != SSB_OK)
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    return SSB_OK;
}

/* Power capability: the ladder upwards from the first rung above the reference, stopping at the first rung that
   keeps less than the retention. */
static int power_capability(ssb_ctx *ctx, const ssb_cell_params *cell, const ssb_design_eval_params *ep, double cutoff,
                            ssb_design_metrics *m)
{
    m->power_rate = 0.0;
    if (!(m->ref_capacity > 0))
        return SSB_OK;
    for (int i = 0; i < ep->npower; i++) {
        double r = ep->power_rates[i];
        if (r <= ep->ref_rate)
            continue;
        double cap = NAN;
        if (r == ep->rate) {
            cap = m->sustained ? m->capacity : 0.0;
        } else {
            ssb_cell_rate_point pt;
            SSB_CHECK(ctx, sweep(ctx, cell, 1, &r, cutoff, &pt));
            cap = pt.sustained ? pt.capacity : 0.0;
        }
        if (cap < ep->power_retention * m->ref_capacity)
            break;
        m->power_rate = r;
    }
    return SSB_OK;
}

/* Li-metal anode under the stack pressure (ssb_mech): CCS, contact after stripping at the target current, and the
   effective plating CCD of the separator's SE with its electronic conductivity divided by se_sigma_e_factor. */
static void anode_mechanics(ssb_ctx *ctx, const ssb_materials *db, const ssb_cell_values *v,
                            const ssb_design_eval_params *ep, ssb_design_metrics *m)
{
    if (v->anode != SSB_CELL_ANODE_LI_METAL) {
        snprintf(m->ccs_note, sizeof m->ccs_note,
                 "composite anode: the stripping model (ssb_mech) describes a Li-metal anode only");
        return;
    }
    ssb_mech_db *mdb = NULL;
    const ssb_mech_anode *a = NULL;
    const ssb_mech_solid *se = NULL;
    int rc = ssb_mech_db_load(ctx, NULL, &mdb);
    if (rc == SSB_OK)
        rc = ssb_mech_db_anode(ctx, mdb, db, ep->anode_mech, &a);
    if (rc == SSB_OK)
        rc = ssb_mech_li_ccs(ctx, a, ep->stack_pressure, v->cell.T, &m->ccs);
    if (rc != SSB_OK) {
        snprintf(m->ccs_note, sizeof m->ccs_note, "%s", ssb_ctx_get_error(ctx));
        ssb_ctx_clear_error(ctx);
        ssb_mech_db_destroy(&mdb);
        return;
    }
    m->ccs_available = 1;
    if (m->ccs > SSB_MECH_J_MAX) {
        /* as `iface lithium` (ccs_beyond_model_range): beyond 100 mA/cm2 the Li supply no longer limits, and the
           p^6.6 creep law that gives such figures overstates the CCS above ~5 MPa (Li creep into the SE is not
           modelled): not a figure to rank or optimise on, so it counts as the model's limit */
        snprintf(m->ccs_note, sizeof m->ccs_note,
                 "critical stripping current %.3g mA/cm2 at %g MPa is beyond the model's range (100 mA/cm2; the "
                 "p^6.6 creep law overstates it above ~5 MPa, where Li creep into the SE limits): counted as 100",
                 m->ccs * 0.1, ep->stack_pressure * 1e-6);
        m->ccs = SSB_MECH_J_MAX;
    }
    const char *se_name = v->sep.electrolyte[0] ? v->sep.electrolyte : v->el.material;
    if (ssb_mech_db_solid(ctx, mdb, db, se_name, &se) != SSB_OK) {
        snprintf(m->ccs_note, sizeof m->ccs_note, "plating criterion not available: %s", ssb_ctx_get_error(ctx));
        ssb_ctx_clear_error(ctx);
        ssb_mech_db_destroy(&mdb);
        return;
    }
    ssb_mech_solid sec = *se;
    if (isfinite(sec.sigma_e))
        sec.sigma_e /= ep->se_sigma_e_factor;
    ssb_mech_li_params lp = ssb_mech_li_params_default();
    lp.pressure = ep->stack_pressure;
    lp.T = v->cell.T;
    lp.hours = ep->li_hours;
    lp.separator = v->sep.thickness;
    const double t[2] = {0.0, ep->li_hours * 3600.0};
    double j = m->current < SSB_MECH_J_MAX ? m->current : SSB_MECH_J_MAX;
    ssb_mech_li_point pt;
    if (ssb_mech_li_evaluate(ctx, a, &sec, &lp, j, 2, t, NULL, &pt) == SSB_OK) {
        m->li_contact_fraction = pt.phi_end;
        m->ccd_effective = pt.ccd_effective;
    } else {
        snprintf(m->ccs_note, sizeof m->ccs_note, "stripping run not available: %s", ssb_ctx_get_error(ctx));
        ssb_ctx_clear_error(ctx);
    }
    ssb_mech_db_destroy(&mdb);
}

/* Interfaces: stage 5 of the chain (bare) or the coating model, and the aged cell's capacity at the target rate.
   uncoated: the cell before apply_coating (res->params already holds the coating's fresh resistance, which the
   coating model adds itself). */
static int ageing(ssb_ctx *ctx, const ssb_materials *db, const ssb_cell_params *uncoated, const ssb_run_result *res,
                  const ssb_run_params *rp, const ssb_design_eval_params *ep, ssb_design_metrics *m)
{
    if (!res->iface) {
        snprintf(m->aged_note, sizeof m->aged_note, "%s",
                 res->iface_note[0] ? res->iface_note : "interface ageing not run (run.interface_ageing_h = 0)");
        return SSB_OK;
    }
    m->aged_available = 1;
    m->hours = res->interfaces.hours;
    m->R_pos_initial = res->interfaces.R_pos_initial;
    m->R_pos_aged = res->interfaces.R_pos_aged;
    m->R_neg_initial = res->interfaces.R_neg_initial;
    m->R_neg_aged = res->interfaces.R_neg_aged;
    /* a pair that decomposes (or may) without growth data keeps its fresh resistance: say so, per side */
    const ssb_iface_stability *side[2] = {&res->interfaces.pos, &res->interfaces.neg};
    size_t len = 0;
    for (int k = 0; k < 2; k++) {
        const ssb_iface_stability *sp = side[k];
        char note[sizeof m->aged_note];
        if (ssb_iface_no_growth_note(sp, note, sizeof note) > 0 && len < sizeof m->aged_note)
            len += (size_t)snprintf(m->aged_note + len, sizeof m->aged_note - len, "%s%s", len ? "; " : "", note);
    }
    if (ep->coating.thickness > 0) {
        /* the run's cell with the cathode interface resistance it had before the coating */
        ssb_iface_db *idb = NULL;
        ssb_cell_params *bare = NULL;
        ssb_cell_values v, u;
        ssb_cell_params_get_values(uncoated, &u);
        int rc = ssb_cell_params_copy(ctx, res->params, &bare);
        if (rc == SSB_OK) {
            ssb_cell_params_get_values(bare, &v);
            v.pos.R_interface = u.pos.R_interface;
            rc = ssb_cell_params_set_values(ctx, bare, &v);
        }
        if (rc == SSB_OK)
            rc = ssb_iface_db_load(ctx, NULL, &idb);
        if (rc == SSB_OK)
            rc = ssb_design_coated_resistance(ctx, db, idb, bare, &ep->coating, m->hours, &m->R_pos_initial,
                                              &m->R_pos_aged);
        ssb_iface_db_destroy(&idb);
        ssb_cell_params_destroy(&bare);
        SSB_CHECK(ctx, rc);
    }
    if (!ep->aged_discharge || !(m->capacity > 0))
        return SSB_OK;
    ssb_cell_params *aged = NULL;
    SSB_CHECK(ctx, ssb_cell_params_copy(ctx, res->params, &aged));
    ssb_cell_values v;
    ssb_cell_params_get_values(aged, &v);
    v.pos.R_interface = m->R_pos_aged;
    if (v.anode == SSB_CELL_ANODE_LI_METAL)
        v.li.R_interface = m->R_neg_aged;
    else
        v.neg.R_interface = m->R_neg_aged;
    int rc = ssb_cell_params_set_values(ctx, aged, &v);
    ssb_cell_rate_point pt;
    if (rc == SSB_OK)
        rc = sweep(ctx, aged, 1, &ep->rate, rp->cutoff, &pt);
    ssb_cell_params_destroy(&aged);
    SSB_CHECK(ctx, rc);
    m->capacity_aged = pt.sustained ? pt.capacity : 0.0;
    m->retention_aged = m->capacity_aged / m->capacity;
    return SSB_OK;
}

/* A coating adds its fresh series resistance to the cell's cathode interface before the discharges. */
static int apply_coating(ssb_ctx *ctx, const ssb_materials *db, ssb_cell_params *cell, const ssb_design_eval_params *ep)
{
    if (!(ep->coating.thickness > 0))
        return SSB_OK;
    ssb_iface_db *idb = NULL;
    double R0 = NAN, Ra = NAN;
    int rc = ssb_iface_db_load(ctx, NULL, &idb);
    if (rc == SSB_OK)
        rc = ssb_design_coated_resistance(ctx, db, idb, cell, &ep->coating, 0.0, &R0, &Ra);
    ssb_iface_db_destroy(&idb);
    SSB_CHECK(ctx, rc);
    ssb_cell_values v;
    ssb_cell_params_get_values(cell, &v);
    v.pos.R_interface = R0;
    SSB_CHECK(ctx, ssb_cell_params_set_values(ctx, cell, &v));
    return SSB_OK;
}

/* The cell's figures from the cell stage on: `handed` is the cell with the measured properties handed over. */
static int evaluate_cell(ssb_ctx *ctx, const ssb_materials *db, const ssb_cell_params *handed,
                         const ssb_run_params *rp, const ssb_design_eval_params *ep, ssb_design_metrics *m)
{
    ssb_run_params r2 = *rp;
    r2.micro = 0;
    r2.image = NULL;
    /* the reference rate only for the power capability */
    const int iref = ep->npower > 0 ? 0 : -1, it = ep->npower > 0 ? 1 : 0;
    r2.nrates = it + 1;
    r2.rates[0] = ep->ref_rate;
    r2.rates[it] = ep->rate;
    ssb_cell_params *cell = NULL;
    SSB_CHECK(ctx, ssb_cell_params_copy(ctx, handed, &cell));
    int rc = apply_coating(ctx, db, cell, ep);
    ssb_run_result res;
    memset(&res, 0, sizeof res);
    if (rc == SSB_OK)
        rc = ssb_run_init(ctx, cell, &r2, &res);
    if (rc == SSB_OK)
        rc = ssb_run_cell(ctx, &r2, &res);
    if (rc == SSB_OK)
        rc = ssb_run_interfaces(ctx, db, &r2, &res);
    if (rc == SSB_OK) {
        const ssb_cell_rate_point *pt = &res.points[it];
        m->sustained = pt->sustained;
        m->capacity = pt->capacity;
        m->specific_capacity = pt->specific_capacity;
        m->energy = pt->energy;
        m->v_mean = pt->v_mean;
        m->wh_per_kg = pt->wh_per_kg;
        m->wh_per_l = pt->wh_per_l;
        m->bottleneck = pt->bottleneck;
        m->breakdown = pt->mean;
        m->bottleneck_loss = pt->mean.loss[pt->bottleneck];
        m->current = pt->current;
        if (iref >= 0)
            m->ref_capacity = res.points[iref].sustained ? res.points[iref].capacity : 0.0;
        char missing[256];
        if (ssb_run_missing_densities(&res.values, missing, sizeof missing))
            m->wh_per_kg = NAN; /* a missing mass density; Wh/L needs the thicknesses alone (as `cell rates`) */
        if (iref >= 0)
            rc = power_capability(ctx, res.params, ep, rp->cutoff, m);
    }
    if (rc == SSB_OK)
        rc = ageing(ctx, db, handed, &res, rp, ep, m);
    if (rc == SSB_OK)
        anode_mechanics(ctx, db, &res.values, ep, m);
    ssb_run_result_destroy(&res);
    ssb_cell_params_destroy(&cell);
    if (rc != SSB_OK)
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    return SSB_OK;
}

/* The hand-over values of a measured structure on top of a (modified) cell: exactly the fields ssb_run_effective
   sets, taken from base->values; every other key stays the cell's own. */
int ssbi_design_handover(ssb_ctx *ctx, const ssb_cell_params *cell, const ssb_run_result *base, ssb_cell_params **out)
{
    SSB_CHECK(ctx, ssb_cell_params_copy(ctx, cell, out));
    if (!base || !base->micro || base->stage < 3)
        return SSB_OK;
    ssb_cell_values v, b = base->values;
    ssb_cell_params_get_values(*out, &v);
    v.pos.eps_active = b.pos.eps_active;
    v.pos.eps_active_dead = b.pos.eps_active_dead;
    v.pos.eps_electrolyte = b.pos.eps_electrolyte;
    v.pos.eps_inert = b.pos.eps_inert;
    v.pos.porosity = b.pos.porosity;
    v.pos.sigma_i_eff = b.pos.sigma_i_eff;
    v.pos.sigma_e_eff = b.pos.sigma_e_eff;
    v.pos.area_per_volume = b.pos.area_per_volume;
    int rc = ssb_cell_params_set_values(ctx, *out, &v);
    if (rc != SSB_OK) {
        ssb_cell_params_destroy(out);
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    }
    return SSB_OK;
}

static void structure_metrics(const ssb_run_result *base, ssb_design_metrics *m)
{
    if (!base || !base->micro || base->stage < 3)
        return;
    m->micro = 1;
    m->active_fraction = base->cam.active_fraction;
    m->tau_ion = base->ion.tau;
    m->sigma_i_eff = base->values.pos.sigma_i_eff;
    m->sigma_e_eff = base->values.pos.sigma_e_eff;
    m->area_per_volume = base->values.pos.area_per_volume;
}

int ssb_design_evaluate_on(ssb_ctx *ctx, const ssb_materials *db, const ssb_cell_params *cell,
                           const ssb_run_result *base, const ssb_run_params *rp, const ssb_design_eval_params *ep,
                           ssb_design_metrics *m)
{
    SSB_REQUIRE(ctx, cell && rp && ep && m, SSB_ERR_ARG, "ssb_design_evaluate_on: NULL argument");
    SSB_CHECK(ctx, ssb_design_eval_params_check(ctx, ep));
    const double t0 = now_s();
    metrics_init(m, ep);
    ssb_materials *own = NULL;
    SSB_CHECK(ctx, ssbi_design_db(ctx, &db, &own));
    ssb_cell_params *handed = NULL;
    int rc = ssbi_design_handover(ctx, cell, base, &handed);
    if (rc == SSB_OK)
        rc = evaluate_cell(ctx, db, handed, rp, ep, m);
    structure_metrics(base, m);
    ssb_cell_params_destroy(&handed);
    ssb_materials_destroy(&own);
    m->time_s = now_s() - t0;
    if (rc != SSB_OK)
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    return SSB_OK;
}

int ssbi_design_structure(ssb_ctx *ctx, const ssb_materials *db, const ssb_cell_params *cell,
                          const ssb_run_params *rp, ssb_run_result *res)
{
    memset(res, 0, sizeof *res);
    ssb_run_params r = *rp;
    r.iface_hours = 0; /* stage 5 runs on the handed cell in evaluate_cell */
    SSB_CHECK(ctx, ssb_run_init(ctx, cell, &r, res));
    if (!r.micro)
        return SSB_OK;
    SSB_CHECK(ctx, ssb_run_structure(ctx, db, &r, res));
    SSB_CHECK(ctx, ssb_run_networks(ctx, &r, res));
    SSB_CHECK(ctx, ssb_run_effective(ctx, &r, res));
    return SSB_OK;
}

int ssb_design_evaluate(ssb_ctx *ctx, const ssb_materials *db, const ssb_cell_params *cell, const ssb_run_params *rp,
                        const ssb_design_eval_params *ep, ssb_design_metrics *m)
{
    SSB_REQUIRE(ctx, cell && m, SSB_ERR_ARG, "ssb_design_evaluate: NULL argument");
    ssb_run_params drp = ssb_run_params_default();
    ssb_design_eval_params dep = ssb_design_eval_params_default();
    if (!rp)
        rp = &drp;
    if (!ep)
        ep = &dep;
    SSB_CHECK(ctx, ssb_design_eval_params_check(ctx, ep));
    const double t0 = now_s();
    ssb_materials *own = NULL;
    SSB_CHECK(ctx, ssbi_design_db(ctx, &db, &own));
    ssb_run_result base;
    int rc = ssbi_design_structure(ctx, db, cell, rp, &base);
    if (rc == SSB_OK)
        rc = ssb_design_evaluate_on(ctx, db, cell, &base, rp, ep, m);
    ssb_run_result_destroy(&base);
    ssb_materials_destroy(&own);
    if (rc != SSB_OK)
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    m->time_s = now_s() - t0;
    return SSB_OK;
}
