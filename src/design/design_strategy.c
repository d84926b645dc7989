/* design: the strategies of the review's Table 1 as named, parameterised modifiers of a design case (ssb_design.h).
 * Each acts only through the library's setters (cell keys / values, run-params JSON, evaluation conditions), so a
 * strategy whose key the library lacks is refused by the setter and reported unavailable with that refusal. */
#include "design_impl.h"

#include <ssbnet/ssb_mech.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef int (*apply_fn)(ssb_ctx *ctx, const ssb_materials *db, const double *v, ssb_design_case *dc);

/* ------------------------------------------------------------------------------------------- setters */

/* One microstructure key through the run module's JSON reader; a key the reader does not know is a generator
   option this build lacks: SSB_ERR_UNSUPPORTED saying so. */
static int run_json(ssb_ctx *ctx, ssb_design_case *dc, const char *key, const char *json)
{
    int rc = ssb_run_params_from_json_string(ctx, json, "strategy", &dc->run);
    if (rc == SSB_ERR_FORMAT && strstr(ssb_ctx_get_error(ctx), "unknown key"))
        return SSB_ERROR(ctx, SSB_ERR_UNSUPPORTED,
                         "needs the generator option microstructure.%s, which this build does not have", key);
    return rc;
}

/* A generator option acts only where the structure is generated: on the Bruggeman cell (microstructure disabled) it
   would change nothing, and the variant would carry the baseline's numbers under the strategy's name. */
static int needs_micro(ssb_ctx *ctx, const ssb_design_case *dc, const char *key)
{
    SSB_REQUIRE(ctx, dc->run.micro, SSB_ERR_UNSUPPORTED,
                "its generator option microstructure.%s acts only on a generated structure, which this evaluation "
                "does not make: the cell runs on its Bruggeman values (microstructure disabled; 'design optimise' "
                "needs --micro)",
                key);
    return SSB_OK;
}

static int set_micro(ssb_ctx *ctx, ssb_design_case *dc, const char *key, double value)
{
    SSB_CHECK(ctx, needs_micro(ctx, dc, key));
    char json[256];
    snprintf(json, sizeof json, "{\"microstructure\": {\"%s\": %.17g}}", key, value);
    return run_json(ctx, dc, key, json);
}

static int set_micro_string(ssb_ctx *ctx, ssb_design_case *dc, const char *key, const char *value)
{
    SSB_CHECK(ctx, needs_micro(ctx, dc, key));
    char json[256];
    snprintf(json, sizeof json, "{\"microstructure\": {\"%s\": \"%s\"}}", key, value);
    return run_json(ctx, dc, key, json);
}

/* Move a volume fraction dv of the positive composite from one phase to another (dv may be clipped to what the
   source has); through set_values, which checks that the fractions still sum to 1. */
static int move_fraction(ssb_ctx *ctx, ssb_design_case *dc, double *(*field)(ssb_cell_electrode *, int), int from,
                         int to, double dv)
{
    ssb_cell_values v;
    ssb_cell_params_get_values(dc->cell, &v);
    double *src = field(&v.pos, from), *dst = field(&v.pos, to);
    if (dv > *src)
        dv = *src;
    *src -= dv;
    *dst += dv;
    return ssb_cell_params_set_values(ctx, dc->cell, &v);
}

enum { F_PORE, F_SE, F_INERT };
static double *pos_field(ssb_cell_electrode *e, int which)
{
    return which == F_PORE ? &e->porosity : which == F_SE ? &e->eps_electrolyte : &e->eps_inert;
}

/* ------------------------------------------------------------------------------------------- strategies */

static int a_gb_insulation(ssb_ctx *ctx, const ssb_materials *db, const double *v, ssb_design_case *dc)
{
    /* the SE's electronic conductivity is what the plating criterion reads: the strategy needs a record with it */
    ssb_mech_db *mdb = NULL;
    const ssb_mech_solid *se = NULL;
    ssb_cell_values cv;
    ssb_cell_params_get_values(dc->cell, &cv);
    const char *name = cv.sep.electrolyte[0] ? cv.sep.electrolyte : cv.el.material;
    int rc = ssb_mech_db_load(ctx, NULL, &mdb);
    if (rc == SSB_OK)
        rc = ssb_mech_db_solid(ctx, mdb, db, name, &se);
    if (rc == SSB_OK && !(isfinite(se->sigma_e) && isfinite(se->ccd_plating)))
        rc = SSB_ERROR(ctx, SSB_ERR_UNSUPPORTED,
                        "the mechanics record of %s has no electronic conductivity or plating CCD", name);
    ssb_mech_db_destroy(&mdb);
    SSB_CHECK(ctx, rc);
    dc->eval.se_sigma_e_factor *= v[0];
    return SSB_OK;
}

static int a_densification(ssb_ctx *ctx, const ssb_materials *db, const double *v, ssb_design_case *dc)
{
    (void)db;
    ssb_cell_values cv;
    ssb_cell_params_get_values(dc->cell, &cv);
    if (v[0] == 0)
        return SSB_OK;
    SSB_REQUIRE(ctx, cv.pos.porosity > 0, SSB_ERR_UNSUPPORTED,
                "the cathode has no voids to fill (positive.porosity %g)", cv.pos.porosity);
    return move_fraction(ctx, dc, pos_field, F_PORE, F_SE, v[0] * cv.pos.porosity);
}

static int a_sintering(ssb_ctx *ctx, const ssb_materials *db, const double *v, ssb_design_case *dc)
{
    (void)db;
    if (v[0] == 0)
        return SSB_OK;
    double o = dc->run.overlap + v[0];
    return set_micro(ctx, dc, "overlap", o > 0.9 ? 0.9 : o);
}

static int a_se_particles(ssb_ctx *ctx, const ssb_materials *db, const double *v, ssb_design_case *dc)
{
    (void)db;
    return v[0] == 0 ? SSB_OK : set_micro(ctx, dc, "se_diameter_um", v[0]);
}

static int a_channels(ssb_ctx *ctx, const ssb_materials *db, const double *v, ssb_design_case *dc)
{
    (void)db;
    if (v[0] == 0)
        return SSB_OK;
    SSB_CHECK(ctx, set_micro(ctx, dc, "channel_fraction", v[0]));
    return set_micro(ctx, dc, "channel_diameter_um", v[1]);
}

static int a_graded(ssb_ctx *ctx, const ssb_materials *db, const double *v, ssb_design_case *dc)
{
    (void)db;
    return v[0] == 0 ? SSB_OK : set_micro(ctx, dc, "cam_gradient", v[0]);
}

static int a_bimodal(ssb_ctx *ctx, const ssb_materials *db, const double *v, ssb_design_case *dc)
{
    (void)db;
    if (v[0] == 0)
        return SSB_OK;
    SSB_CHECK(ctx, set_micro(ctx, dc, "cam_small_fraction", v[0]));
    return set_micro(ctx, dc, "cam_small_diameter_um", v[1]);
}

static int a_fibres(ssb_ctx *ctx, const ssb_materials *db, const double *v, ssb_design_case *dc)
{
    (void)db;
    if (v[0] == 0)
        return SSB_OK;
    SSB_CHECK(ctx, set_micro_string(ctx, dc, "carbon_shape", "fibre"));
    return set_micro(ctx, dc, "fibre_length_um", v[0]);
}

static int a_conductive(ssb_ctx *ctx, const ssb_materials *db, const double *v, ssb_design_case *dc)
{
    (void)db;
    return v[0] == 0 ? SSB_OK : move_fraction(ctx, dc, pos_field, F_SE, F_INERT, v[0]);
}

static int a_thin_separator(ssb_ctx *ctx, const ssb_materials *db, const double *v, ssb_design_case *dc)
{
    (void)db;
    if (v[0] == 1)
        return SSB_OK;
    double t;
    SSB_CHECK(ctx, ssb_cell_params_get(ctx, dc->cell, "separator.thickness_um", &t));
    return ssb_cell_params_set(ctx, dc->cell, "separator.thickness_um", t * v[0]);
}

static int a_void_filling(ssb_ctx *ctx, const ssb_materials *db, const double *v, ssb_design_case *dc)
{
    (void)db;
    /* a hybrid cell needs an ion conductor in the composite's pores next to the SE: the cell key for it */
    int rc = ssb_cell_params_set(ctx, dc->cell, "positive.pore_filling_fraction", v[0]);
    if (rc == SSB_ERR_NOTFOUND)
        return SSB_ERROR(ctx, SSB_ERR_UNSUPPORTED,
                          "the cell model holds one electrolyte (a single-ion SE or a liquid), not a liquid or "
                          "polymer in the pores of an SE composite (no cell key positive.pore_filling_fraction)");
    return rc;
}

static int a_pressure(ssb_ctx *ctx, const ssb_materials *db, const double *v, ssb_design_case *dc)
{
    ssb_mech_db *mdb = NULL;
    const ssb_mech_anode *a = NULL;
    int rc = ssb_mech_db_load(ctx, NULL, &mdb);
    if (rc == SSB_OK)
        rc = ssb_mech_db_anode(ctx, mdb, db, dc->eval.anode_mech, &a);
    ssb_mech_db_destroy(&mdb);
    SSB_CHECK(ctx, rc);
    /* the variant's pressure must lie in the evaluation's range too: refused here, before anything is evaluated */
    double p = dc->eval.stack_pressure + v[0] * 1e6;
    SSB_REQUIRE(ctx, p <= SSBI_DESIGN_P_MAX, SSB_ERR_RANGE,
                "pressure.added_pressure_MPa = %g on the baseline stack pressure %g MPa (--pressure) gives %g MPa, "
                "out of range (valid: 0 to %g MPa in all, so at most %g MPa added to this baseline)",
                v[0], dc->eval.stack_pressure * 1e-6, p * 1e-6, SSBI_DESIGN_P_MAX * 1e-6,
                (SSBI_DESIGN_P_MAX - dc->eval.stack_pressure) * 1e-6);
    dc->eval.stack_pressure = p;
    return SSB_OK;
}

/* A nominal value, or the geometric mean of a range (the rule of ssb_run_assign_materials); NaN if neither. */
static double prop_value(ssb_ctx *ctx, const ssb_material *m, const char *key)
{
    ssb_mat_prop p;
    if (ssb_materials_get_prop(ctx, m, key, &p) != SSB_OK) {
        ssb_ctx_clear_error(ctx);
        return NAN;
    }
    if (p.has_value)
        return p.si_value;
    return isfinite(p.si_min) && isfinite(p.si_max) && p.si_min > 0 ? sqrt(p.si_min * p.si_max) : NAN;
}

static int a_coating(ssb_ctx *ctx, const ssb_materials *db, const double *v, ssb_design_case *dc)
{
    /* the coating must sit between this cell's CAM and SE in the interface data (stability ranking) */
    ssb_cell_values cv;
    ssb_cell_params_get_values(dc->cell, &cv);
    const char *se = cv.pos.electrolyte[0] ? cv.pos.electrolyte : cv.el.material;
    ssb_iface_db *idb = NULL;
    ssb_iface_stability st;
    const ssb_iface_record *rec = NULL;
    int rc = ssb_iface_db_load(ctx, NULL, &idb);
    if (rc == SSB_OK)
        rc = ssb_iface_stability_assess(ctx, db, idb, cv.pos.active_material, se, "LiNbO3", NAN, NAN, &st);
    if (rc == SSB_OK && ssb_iface_db_find(ctx, idb, db, st.electrode, st.electrolyte, &rec) != SSB_OK) {
        /* without growth data the interface does not age in the evaluation, so the coating could only cost: right
           for a pair that is (nearly) stable, a false "no benefit" for one that decomposes (NCM811 against LLZO,
           LGPS, Li3PS4) or whose window is unknown */
        ssb_ctx_clear_error(ctx);
        rec = NULL;
        if (!(st.stable == 1 || st.nearly_stable))
            rc = SSB_ERROR(ctx, SSB_ERR_UNSUPPORTED,
                           "%s|%s is %s over the cathode's window but has no interphase growth data "
                           "(data/iface/interfaces.json), so the coating's effect (suppressed growth against its "
                           "series resistance) cannot be computed",
                           st.electrode, st.electrolyte,
                           st.stable == 0 ? "unstable" : "of unknown stability (no SE window data)");
    }
    ssb_iface_db_destroy(&idb);
    SSB_CHECK(ctx, rc);
    const ssb_material *m = NULL;
    SSB_CHECK(ctx, ssb_materials_find(ctx, db, "LiNbO3", &m));
    ssb_iface_coating c = ssb_iface_coating_default();
    snprintf(c.material, sizeof c.material, "LiNbO3");
    c.sigma_ion = st.coating.sigma_ion;
    c.sigma_e = prop_value(ctx, m, "sigma_el");
    SSB_REQUIRE(ctx, c.sigma_ion > 0, SSB_ERR_UNSUPPORTED, "LiNbO3 has no ionic conductivity in the database");
    c.thickness = v[0] * 1e-9;
    c.coverage = v[1];
    SSB_CHECK(ctx, ssb_iface_coating_check(ctx, &c));
    if (v[0] > 0)
        dc->eval.coating = c;
    return SSB_OK;
}

static int a_polymer(ssb_ctx *ctx, const ssb_materials *db, const double *v, ssb_design_case *dc)
{
    (void)db;
    int rc = ssb_cell_params_set(ctx, dc->cell, "separator.polymer_volume_fraction", v[0]);
    if (rc == SSB_ERR_NOTFOUND)
        return SSB_ERROR(ctx, SSB_ERR_UNSUPPORTED,
                          "no model of a polymer-in-ceramic composite SE (its conductivity and its compliance at "
                          "the contacts); no cell key separator.polymer_volume_fraction");
    return rc;
}

static int a_impurity(ssb_ctx *ctx, const ssb_materials *db, const double *v, ssb_design_case *dc)
{
    const ssb_material *m = NULL;
    if (ssb_materials_find(ctx, db, "Li2CO3", &m) != SSB_OK)
        return SSB_ERROR(ctx, SSB_ERR_UNSUPPORTED,
                          "no Li2CO3 record in the materials database (its ionic conductivity sets the resistance "
                          "of the surface layer on LLZO that cleaning removes)");
    ssb_cell_values cv;
    ssb_cell_params_get_values(dc->cell, &cv);
    double s = NAN;
    SSB_CHECK(ctx, ssb_materials_sigma_ion(ctx, m, SSB_SIGMA_TOTAL, cv.cell.T, &s, NULL));
    double dR = v[0] * 1e-9 / s;
    double R = cv.li.R_interface > dR ? cv.li.R_interface - dR : 0.0;
    return ssb_cell_params_set(ctx, dc->cell, "negative.interface_resistance_ohm_m2", R);
}

static int a_alloy(ssb_ctx *ctx, const ssb_materials *db, const double *v, ssb_design_case *dc)
{
    if (v[0] < 0.5) /* a switch: 0 Li, 1 Li-Mg (values round) */
        return SSB_OK;
    ssb_mech_db *mdb = NULL;
    const ssb_mech_anode *a = NULL;
    int rc = ssb_mech_db_load(ctx, NULL, &mdb);
    if (rc == SSB_OK)
        rc = ssb_mech_db_anode(ctx, mdb, db, "Li-Mg", &a);
    ssb_mech_db_destroy(&mdb);
    SSB_CHECK(ctx, rc);
    snprintf(dc->eval.anode_mech, sizeof dc->eval.anode_mech, "Li-Mg");
    return SSB_OK;
}

static int a_small_cam(ssb_ctx *ctx, const ssb_materials *db, const double *v, ssb_design_case *dc)
{
    (void)db;
    if (v[0] == 1)
        return SSB_OK;
    double d;
    SSB_CHECK(ctx, ssb_cell_params_get(ctx, dc->cell, "positive.particle_diameter_um", &d));
    return ssb_cell_params_set(ctx, dc->cell, "positive.particle_diameter_um", d * v[0]);
}

/* ------------------------------------------------------------------------------------------- the table */

#define P(n, u, lo, hi, neu, def, mean) {n, u, lo, hi, neu, def, mean}
static const struct {
    ssb_design_strategy s;
    apply_fn apply;
} strategies[] = {
    {{"gb_insulation", "grain-boundary electronic insulation",
      "lowers the electronic conductivity of the separator SE (its grain boundaries): the electronic leakage "
      "sigma_e V / L falls and the effective plating CCD (plating CCD - leakage, ssb_mech / se Hebb-Wagner limit) "
      "rises",
      "Han et al., Nat. Energy 4, 187 (2019); Liu, Qi et al., Nat. Mater. 20, 1485 (2021)", 1, 1,
      {P("sigma_e_reduction", "-", 1, 1e6, 1, 100, "factor dividing the SE's electronic conductivity")}},
     a_gb_insulation},
    {{"densification", "SE densification (glass additions, heating)",
      "removes voids of the composite cathode, filling them with SE: a denser, better connected Li+ network "
      "(the generator's pore fraction); the structure is generated and measured again",
      "Sakuda, Hayashi, Tatsumisago, Sci. Rep. 3, 2261 (2013); Ning et al., Nat. Energy (2025), "
      "doi:10.1038/s41560-025-01847-0",
      0, 1, {P("pore_removal", "-", 0, 1, 0, 0.8, "fraction of the cathode's voids filled with SE")}},
     a_densification},
    {{"sintering", "thermal sintering (contact necks)",
      "raises the allowed particle overlap of the generated composite (sintering necks: larger CAM|SE and SE|SE "
      "contact area); the interdiffusion interphase that co-sintering forms is not modelled",
      "review Table 1 (issue 12); contact area from the generator (microstructure.overlap)", 0, 1,
      {P("overlap_increase", "-", 0, 0.6, 0, 0.2, "added sphere overlap fraction (total at most 0.9)")}},
     a_sintering},
    {{"se_particle_size", "SE particles smaller than the CAM",
      "generates the SE as particles of their own size instead of the matrix that fills the space between the "
      "CAM: smaller SE particles relative to the CAM raise the active CAM fraction and lower the ionic tortuosity",
      "Bielefeld, Weber, Janek, J. Phys. Chem. C 123, 1626 (2019)", 0, 1,
      {P("se_diameter_um", "um", 0, 20, 0, 1.5, "SE particle diameter (0: SE as matrix)")}},
     a_se_particles},
    {{"vertical_channels", "vertical SE channels through the thickness",
      "adds straight SE channels from the separator to the current collector: the ionic tortuosity of a thick "
      "electrode falls toward 1",
      "review outlook (thick electrodes with vertical channels; issue 12)", 0, 2,
      {P("channel_fraction", "-", 0, 0.5, 0, 0.1, "area fraction of the cross-section (SE taken from the composite)"),
       P("channel_diameter_um", "um", 1, 50, 10, 10, "channel diameter")}},
     a_channels},
    {{"graded_cathode", "graded CAM fraction through the thickness",
      "CAM fraction graded from the current collector to the separator (more SE near the separator, where the "
      "ionic current is largest)",
      "review outlook (graded composition; issue 12)", 0, 1,
      {P("cam_gradient", "-", -1, 1, 0, 0.2,
         "g: CAM fraction f (1 + g/2) at the current collector to f (1 - g/2) at the separator")}},
     a_graded},
    {{"bimodal_cam", "bimodal CAM particle sizes",
      "a share of small CAM particles fills the gaps between large ones (higher packing, more CAM|SE area)",
      "review outlook (matched particle sizes; issue 12)", 0, 2,
      {P("cam_small_fraction", "-", 0, 0.8, 0, 0.3, "volume share of the small CAM particles"),
       P("cam_small_diameter_um", "um", 0.3, 10, 1.5, 1.5, "diameter of the small CAM particles")}},
     a_bimodal},
    {{"carbon_fibres", "carbon fibres / tubes instead of carbon black",
      "multi-dimensional carbon (fibres) percolates at a low volume fraction: a better electronic network for the "
      "same carbon volume",
      "review outlook (multi-dimensional conductive additives; issue 12)", 0, 1,
      {P("fibre_length_um", "um", 0, 100, 0, 10, "fibre length (0: spheres)")}},
     a_fibres},
    {{"conductive_additive", "more conductive additive / conductive binder",
      "moves volume from the SE to the electronic conductor (carbon) of the composite: the electronic network "
      "against the ionic one (conductive binder modelled as carbon volume)",
      "review Table 1 (conductive binders; issue 12)", 0, 1,
      {P("carbon_added", "-", 0, 0.15, 0, 0.02, "volume fraction moved from SE to carbon")}},
     a_conductive},
    {{"thin_separator", "thin SE separator",
      "thinner SE layer: less ionic resistance of the separator and less stack mass and volume", "review outlook "
      "(thin SE layers; issue 12)", 1, 1,
      {P("thickness_factor", "-", 0.05, 1, 1, 0.5, "separator thickness relative to the baseline")}},
     a_thin_separator},
    {{"void_filling", "void filling with a liquid or polymer (hybrid cell)",
      "would fill the composite's voids with a liquid or polymer ion conductor next to the SE (hybrid cell)",
      "review Table 1 (issue 12)", 1, 1,
      {P("fill_fraction", "-", 0, 1, 0, 1, "fraction of the voids filled")}},
     a_void_filling},
    {{"pressure", "external stack pressure",
      "raises the stack pressure: Li creep feeds the Li|SE interface on stripping and the critical stripping "
      "current rises (ssb_mech: CCS = j_vac + j_creep(p))",
      "Kasemchainan et al., Nat. Mater. 18, 1105 (2019); Masias et al., J. Mater. Sci. 54, 2585 (2019); Doux et "
      "al., Adv. Energy Mater. 10, 1903253 (2020)",
      1, 1, {P("added_pressure_MPa", "MPa", 0, 50, 0, 4, "pressure added to the baseline's")}},
     a_pressure},
    {{"coating", "LiNbO3 coating of the CAM",
      "a thin ion-conducting, electron-blocking coating of the CAM: its series resistance d / sigma_ion against the "
      "suppressed growth of the cathode|SE interphase (iface coating model: tunnelling and electron-limited "
      "growth)",
      "Ohta et al., Electrochem. Commun. 9, 1486 (2007); Xiao et al., Nat. Rev. Mater. 5, 105 (2020)", 1, 2,
      {P("thickness_nm", "nm", 0, 100, 0, 10, "coating thickness"),
       P("coverage", "-", 0, 1, 0.95, 0.95, "covered fraction of the CAM surface")}},
     a_coating},
    {{"polymer_in_ceramic", "flexible composite SE (polymer-in-ceramic)",
      "would replace the separator by a polymer-in-ceramic composite (conductivity and compliant contacts)",
      "review Table 1 (issue 12)", 1, 1,
      {P("polymer_fraction", "-", 0, 1, 0, 0.3, "polymer volume fraction of the separator")}},
     a_polymer},
    {{"impurity_cleaning", "Li2CO3 removal from LLZO",
      "removes the Li2CO3 surface layer of LLZO: the anode|SE resistance falls by d / sigma_ion(Li2CO3)",
      "Sharafi et al., Chem. Mater. 29, 7961 (2017)", 1, 1,
      {P("removed_nm", "nm", 0, 100, 0, 10, "thickness of the Li2CO3 layer removed")}},
     a_impurity},
    {{"alloy_anode", "Li-Mg alloy anode",
      "a Li-Mg alloy anode instead of Li: its own vacancy diffusion and creep data set the critical stripping "
      "current (ssb_mech record Li-Mg); the alloy's potential shift and Li depletion are not modelled",
      "Krauskopf et al., Adv. Energy Mater. 9, 1902568 (2019)", 1, 1,
      {P("alloy", "-", 0, 1, 0, 1, "switch: 1 Li-Mg, 0 Li (rounded)")}},
     a_alloy},
    {{"small_cam", "smaller CAM particles",
      "smaller CAM particles: more CAM|SE area per volume and shorter solid diffusion; the structure is generated "
      "and measured again (voxel size follows the CAM diameter)",
      "Bielefeld, Weber, Janek, J. Phys. Chem. C 123, 1626 (2019)", 0, 1,
      {P("diameter_factor", "-", 0.2, 1, 1, 0.6, "CAM diameter relative to the baseline")}},
     a_small_cam},
};
#undef P
#define NSTRAT ((int)(sizeof strategies / sizeof strategies[0]))

int ssbi_design_li_anode_only(int strategy)
{
    if (strategy < 0 || strategy >= NSTRAT)
        return 0;
    const apply_fn f = strategies[strategy].apply;
    return f == a_pressure || f == a_alloy || f == a_gb_insulation;
}

int ssbi_design_not_applicable(int strategy, const ssb_design_metrics *m, char *why, size_t n)
{
    if (strategy < 0 || strategy >= NSTRAT)
        return 0;
    const apply_fn f = strategies[strategy].apply;
    if ((f == a_pressure || f == a_alloy) && !m->ccs_available) {
        snprintf(why, n, "not applicable to this cell: it acts only on the critical stripping current of a Li-metal "
                 "anode, which this cell does not give (%s)", m->ccs_note[0] ? m->ccs_note : "no stripping model");
        return 1;
    }
    if (f == a_gb_insulation && isnan(m->ccd_effective)) {
        snprintf(why, n, "not applicable to this cell: it acts only on the effective plating CCD of a Li-metal anode, "
                 "which this cell does not give (%s)", m->ccs_note[0] ? m->ccs_note : "no plating criterion");
        return 1;
    }
    return 0;
}

int ssb_design_strategy_count(void)
{
    return NSTRAT;
}

const ssb_design_strategy *ssb_design_strategy_at(int i)
{
    return i >= 0 && i < NSTRAT ? &strategies[i].s : NULL;
}

static const char *strategy_name(int i)
{
    return strategies[i].s.name;
}

int ssb_design_strategy_find(ssb_ctx *ctx, const char *name, int *index)
{
    SSB_REQUIRE(ctx, name && index, SSB_ERR_ARG, "ssb_design_strategy_find: NULL argument");
    for (int i = 0; i < NSTRAT; i++)
        if (strcmp(strategies[i].s.name, name) == 0) {
            *index = i;
            return SSB_OK;
        }
    return ssbi_design_closest(ctx, "strategy", name, NSTRAT, strategy_name);
}

/* ------------------------------------------------------------------------------------------- cases */

int ssb_design_case_create(ssb_ctx *ctx, const ssb_cell_params *cell, const ssb_run_params *rp,
                           const ssb_design_eval_params *ep, ssb_design_case *dc)
{
    SSB_REQUIRE(ctx, cell && dc, SSB_ERR_ARG, "ssb_design_case_create: NULL argument");
    memset(dc, 0, sizeof *dc);
    dc->run = rp ? *rp : ssb_run_params_default();
    dc->eval = ep ? *ep : ssb_design_eval_params_default();
    SSB_CHECK(ctx, ssb_cell_params_copy(ctx, cell, &dc->cell));
    return SSB_OK;
}

void ssb_design_case_destroy(ssb_design_case *dc)
{
    if (!dc)
        return;
    ssb_cell_params_destroy(&dc->cell);
    memset(dc, 0, sizeof *dc);
}

/* Parameter values with defaults and range checks. */
static int resolve_values(ssb_ctx *ctx, const ssb_design_strategy *s, const double *v, double *out)
{
    for (int i = 0; i < s->nparams; i++) {
        const ssb_design_param *p = &s->params[i];
        double x = v && !isnan(v[i]) ? v[i] : p->deflt;
        SSB_REQUIRE(ctx, isfinite(x) && x >= p->lo && x <= p->hi, SSB_ERR_RANGE,
                    "strategy %s: %s = %g is out of range (valid: %g to %g%s%s)", s->name, p->name, x, p->lo, p->hi,
                    strcmp(p->unit, "-") ? " " : "", strcmp(p->unit, "-") ? p->unit : "");
        out[i] = x;
    }
    return SSB_OK;
}

int ssb_design_strategy_apply(ssb_ctx *ctx, const ssb_materials *db, int index, const double *v, ssb_design_case *dc)
{
    SSB_REQUIRE(ctx, dc && dc->cell && index >= 0 && index < NSTRAT, SSB_ERR_ARG,
                "ssb_design_strategy_apply: bad argument (strategy index %d of %d)", index, NSTRAT);
    const ssb_design_strategy *s = &strategies[index].s;
    double x[SSB_DESIGN_MAX_PARAMS];
    SSB_CHECK(ctx, resolve_values(ctx, s, v, x));
    ssb_materials *own = NULL;
    SSB_CHECK(ctx, ssbi_design_db(ctx, &db, &own));
    /* on a copy: dc unchanged on error */
    ssb_design_case c;
    int rc = ssb_design_case_create(ctx, dc->cell, &dc->run, &dc->eval, &c);
    if (rc == SSB_OK)
        rc = strategies[index].apply(ctx, db, x, &c);
    ssb_materials_destroy(&own);
    if (rc != SSB_OK) {
        ssb_design_case_destroy(&c);
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    }
    ssb_design_case_destroy(dc);
    *dc = c;
    return SSB_OK;
}

int ssb_design_strategy_available(ssb_ctx *ctx, const ssb_materials *db, int index, char *reason, size_t n)
{
    if (reason && n)
        reason[0] = '\0';
    if (index < 0 || index >= NSTRAT)
        return 0;
    ssb_cell_params *cell = NULL;
    ssb_design_case dc;
    memset(&dc, 0, sizeof dc);
    int rc = ssb_cell_params_default(ctx, db, &cell);
    if (rc == SSB_OK)
        rc = ssb_design_case_create(ctx, cell, NULL, NULL, &dc);
    if (rc == SSB_OK)
        rc = ssb_design_strategy_apply(ctx, db, index, NULL, &dc);
    if (rc != SSB_OK && reason && n)
        snprintf(reason, n, "%s", ssb_ctx_get_error(ctx));
    ssb_ctx_clear_error(ctx);
    ssb_design_case_destroy(&dc);
    ssb_cell_params_destroy(&cell);
    return rc == SSB_OK;
}
