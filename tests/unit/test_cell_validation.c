/* Validation of the cell model against published all-solid-state composite cathodes (issue 14): the cell files in
 * examples/validation/ rebuild each paper's cathode (composition, CAM loading, porosity, measured effective
 * conductivities, temperature, rate and voltage window; Li-In anodes as Li metal with the cut-offs shifted by
 * +0.62 V) and are discharged at the paper's rate to the paper's cut-off. The figures quoted here are the papers'
 * (stated in the text or the SI unless marked); the README table "Validation against published solid-state
 * cathodes" lists them with the model's values and the reasons where the two differ.
 *
 * Sources:
 *  [S] E. Schlautmann et al., Adv. Energy Mater. 13, 2302309 (2023), doi:10.1002/aenm.202302309: NCM811
 *      (LiNi0.83Co0.11Mn0.06O2, D50 3.4 um) : Li6PS5Cl 70:30 wt%, no carbon, 12 mg composite on 0.785 cm2
 *      (10.7 mg/cm2 NCM), 1C = 2.14 mA/cm2, 25 C, 2.0-3.7 V vs In/InLi (2.62-4.32 V vs Li); composite "S" (SE D50
 *      4 um): porosity 14.1 %, sigma_ion,eff 0.254 / sigma_el,eff 0.301 mS/cm; first discharge at C/20
 *      198 +- 18 mAh/g (p. 4), about 179 mAh/g at C/10 (Fig. 4c, read from the figure); composite "XL" (SE D50
 *      40 um): porosity 24.3 %, 0.165 / 0.406 mS/cm, 152 +- 3 mAh/g at C/20; the intermediate composites "M" and
 *      "L" (SE D50vol 11 / 20 um, Table S2): porosity 18.1 / 21.4 % (Table S1), 0.199 / 0.257 and 0.153 / 0.311 mS/cm
 *      (Table S4), 165 +- 3 mAh/g at C/20 for both (p. 4); first charge at C/20 S 247 +- 24, M and L 212 +- 4,
 *      XL 205 +- 4 mAh/g (p. 4); C/10 cycle 1 about 179 / 160 / 157 / 151 mAh/g (S/M/L/XL, Fig. 4c, read from
 *      the figure; numbers read in a public full-text digest of the open-access paper, README).
 *  [M] P. Minnmann et al., J. Electrochem. Soc. 168, 040537 (2021), doi:10.1149/1945-7111/abf8d7: NCM622 :
 *      Li6PS5Cl 70:30 wt% (42 vol% NCM at 14 % porosity), no carbon, 10.7 mg/cm2 NCM (2.14 mAh/cm2 at 200 mAh/g),
 *      sigma_ion,eff 0.166 / sigma_el,eff 0.556 mS/cm (SI Table S2), 25 C; 154 mAh/g at 0.1C (Fig. 3); window
 *      2.6-4.3 V vs Li as read from SI Fig. S2 (not stated in the text).
 *      The same paper's 32.2 and 61.0 vol% cells (60 and 86 wt%; pre-registered here as 33 and 61 vol%, README):
 *      137.2 and 132.3 mAh/g at 0.1C, 81.9 and 15.4 at 1C (Fig. 3), sigma_ion,eff 2.63e-4 / 3.04e-6 and
 *      sigma_el,eff 2.37e-4 / 1.44e-3 S/cm (Fig. 2); figures pixel-read in a public full-text digest
 *      (yonghoon7153-source/Yonghoon-DEM-DFT,
 *      wiki/raw/papers/minnmann2021_charge-transport-bottlenecks-tlm-ncm622-lpscl.md).
 *  [N] H.-J. Noh et al., J. Power Sources 233, 121 (2013): NCM622 in a Li half cell, about 187 mAh/g at 0.1C
 *      between 3.0 and 4.3 V: the capacity basis of the NCM622 MSMR OCV (database note, test_ncm622_halfcell).
 *  [R] R. Ruess et al., J. Electrochem. Soc. 167, 100532 (2020): chemical diffusivity of polycrystalline NCM811
 *      measured in NCM811 | Li6PS5Cl cells vs cell voltage (first charge), as re-plotted in Bielefeld et al.,
 *      J. Electrochem. Soc. 169, 020539 (2022), Fig. 7a: 0.07 / 3.8 / 3.45 / 6.85 / 3.5 / 0.17 x 1e-12 cm2/s at
 *      3.60 / 3.73 / 3.84 / 3.94 / 4.08 / 4.22 V (figure-read in the digest
 *      wiki/raw/papers/bielefeld2022_voids-kinetics-morphology-composite-cathode-fem.md of the same repository).
 * The NCM OCVs are expressed vs the Li fraction on the crystallographic c_max (database); the first discharge
 * ends at the kinetic limit of nearly lithiated NCM, the state-dependent diffusivity D(x) of the database curve
 * "Ruess2020-LPSCl" ([R] taken whole, placed on x through each material's OCV; status L). The earlier curve
 * "trend-Kasnatscheew2016" (a two-parameter reading of a reported trend, not data) is kept for comparison. */
#include "cell_validation_util.h"

/* The built-in materials database (the caller destroys it). */
static ssb_materials *builtin_db(ssb_ctx *ctx)
{
    ssb_materials *db = NULL;
    TU_OK(ctx, ssb_materials_create(ctx, &db));
    TU_OK(ctx, ssb_materials_load_builtin(ctx, db));
    return db;
}

/* Li fraction at which the database OCV curve of material `mat` equals U (bisection; the curve falls with x). */
static double x_at(ssb_ctx *ctx, const ssb_material *m, int ic, double U)
{
    ssb_ocv_info info;
    TU_OK(ctx, ssb_materials_ocv_info(ctx, m, ic, &info));
    double lo = info.x_min, hi = info.x_max;
    for (int it = 0; it < 200; it++) {
        double mid = 0.5 * (lo + hi), Um;
        TU_OK(ctx, ssb_materials_ocv_eval(ctx, m, ic, mid, &Um));
        if (Um > U)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

/* The database D(x) handed to the cell: the positive D_s(x) slot equals the database curve 'Ruess2020-LPSCl' at its
 * sample points (every 1/400 in x), including the kinetic end x -> 1. */
static void check_dx_handoff(ssb_ctx *ctx, const ssb_cell_params *p, const char *mat)
{
    ssb_materials *db = builtin_db(ctx);
    const ssb_material *m = NULL;
    TU_OK(ctx, ssb_materials_find(ctx, db, mat, &m));
    int ic = -1;
    TU_OK(ctx, ssb_materials_diffusivity_find(ctx, m, "Ruess2020-LPSCl", &ic));
    static const double xs[] = {0.1, 0.3, 0.5, 0.65, 0.8, 0.9, 0.95, 0.9975, 1.0};
    for (size_t k = 0; k < sizeof xs / sizeof xs[0]; k++) {
        double dc, dm;
        TU_OK(ctx, ssb_cell_params_eval_fn(ctx, p, SSB_CELL_FN_DS_POS, xs[k], &dc, NULL));
        TU_OK(ctx, ssb_materials_diffusivity_eval(ctx, m, ic, xs[k], &dm));
        TU_ASSERT_REL(dc, dm, 1e-9);
    }
    ssb_materials_destroy(&db);
}

/* [R] taken whole: each measured point (V, D) sits in the database curve 'Ruess2020-LPSCl' at the Li fraction where
 * the material's own OCV equals V (NCM811: Chen2020-halfcell; NCM622: the MSMR curve on its capacity basis) with
 * the measured D (the hand-over paper -> database: D to 1 % at the x where the OCV equals V), and the curve holds
 * the end values beyond the measured span (x -> 1: the 3.60 V value 7e-14 cm2/s, the lowest measured). */
static void test_ruess_dx_points(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_materials *db = builtin_db(ctx);
    static const double V[6] = {3.60, 3.73, 3.84, 3.94, 4.08, 4.22};
    static const double D[6] = {0.07e-16, 3.8e-16, 3.45e-16, 6.85e-16, 3.5e-16, 0.17e-16}; /* m2/s */
    static const char *const mat[2] = {"NCM811", "NCM622"}, *const ocv[2] = {"Chen2020-halfcell", "Verbrugge2017-MSMR"};
    for (int k = 0; k < 2; k++) {
        const ssb_material *m = NULL;
        TU_OK(ctx, ssb_materials_find(ctx, db, mat[k], &m));
        int io = -1, id = -1;
        TU_OK(ctx, ssb_materials_ocv_find(ctx, m, ocv[k], &io));
        TU_OK(ctx, ssb_materials_diffusivity_find(ctx, m, "Ruess2020-LPSCl", &id));
        ssb_diffusivity_info di;
        TU_OK(ctx, ssb_materials_diffusivity_info(ctx, m, id, &di));
        assert_true(di.status == SSB_MAT_STATUS_LITERATURE);
        assert_non_null(strstr(di.source, "100532"));
        assert_true(di.x_min == 0.0 && di.x_max == 1.0);
        for (int i = 0; i < 6; i++) {
            const double x = x_at(ctx, m, io, V[i]);
            double d;
            TU_OK(ctx, ssb_materials_diffusivity_eval(ctx, m, id, x, &d));
            TU_ASSERT_REL(d, D[i], 0.01);
        }
        double d1, d0;
        TU_OK(ctx, ssb_materials_diffusivity_eval(ctx, m, id, 1.0, &d1));
        TU_OK(ctx, ssb_materials_diffusivity_eval(ctx, m, id, 0.0, &d0));
        TU_ASSERT_REL(d1, D[0], 1e-9); /* held beyond the measured span */
        TU_ASSERT_REL(d0, D[5], 1e-9);
        print_message("%s 'Ruess2020-LPSCl': x(3.60 V) = %.4f, x(4.22 V) = %.4f on %s\n", mat[k],
                      x_at(ctx, m, io, 3.60), x_at(ctx, m, io, 4.22), ocv[k]);
    }
    ssb_materials_destroy(&db);
    ssb_ctx_destroy(&ctx);
}

/* [S], composite S: C/20 (the stated first discharge, 198 +- 18 mAh/g) and C/10 (about 179 mAh/g, read from
 * Fig. 4c) to the paper's 2.62 V vs Li from the OCV's 4.32 V, with the measured D(x) [R]: NOT reproduced, about
 * 18 % / 15 % low (the same cell gives S's coarser siblings M, L and XL within 10 %: test_schlautmann_M_L). With a
 * constant D the discharge drains the whole OCV window to full lithiation, (1 - x(4.32 V)) Q_theor; the measured
 * D(x) ends it at the kinetic limit of nearly lithiated NCM. */
static void test_schlautmann_S(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_cell_params *p = NULL;
    ssb_cell *cell = load(ctx, "schlautmann2023_ncm811_S.json", &p);
    ssb_cell_destroy(&cell);
    check_dx_handoff(ctx, p, "NCM811");
    double q20 = discharge_p(ctx, p, 0.05, 2.62, 1), q10 = discharge_p(ctx, p, 0.1, 2.62, 1);
    print_message("Schlautmann 2023 S, to 2.62 V: C/20 ssbnet %.1f mAh/g, measured 198 +- 18 (%+.1f %%); C/10 %.1f, "
                  "measured ~179 (Fig. 4c; %+.1f %%)\n",
                  q20, 100.0 * (q20 / 198.0 - 1.0), q10, 100.0 * (q10 / 179.0 - 1.0));
    assert_true(q20 < 0.90 * 198.0 && q10 < 0.90 * 179.0); /* not reproduced: pinned for the README table */
    assert_true(q20 > 0.80 * 198.0 && q10 > 0.80 * 179.0);
    assert_true(q10 < q20);
    /* the same cell with the constant D_Li of the database (4e-11 cm2/s) */
    ssb_cell_params_clear_fn(p, SSB_CELL_FN_DS_POS);
    TU_OK(ctx, ssb_cell_params_set(ctx, p, "positive.diffusivity_cm2_per_s", 4e-11));
    double qc = discharge_p(ctx, p, 0.05, 2.62, 1);
    ssb_materials *db = builtin_db(ctx);
    const ssb_material *m = NULL;
    TU_OK(ctx, ssb_materials_find(ctx, db, "NCM811", &m));
    int ic;
    TU_OK(ctx, ssb_materials_ocv_find(ctx, m, "Chen2020-halfcell", &ic));
    double x0 = x_at(ctx, m, ic, 4.32), Qth;
    TU_OK(ctx, ssb_materials_get_si(ctx, m, "Q_theor", &Qth));
    double window = (1.0 - x0) * MAH_PER_G(Qth);
    print_message("  constant D: %.1f mAh/g = OCV window (1 - x(4.32 V) = %.4f) x Q_theor = %.1f mAh/g; D(x): %.1f\n",
                  qc, 1.0 - x0, window, q20);
    TU_ASSERT_REL(qc, window, 5e-3);
    assert_true(q20 < 0.85 * qc);
    ssb_materials_destroy(&db);
    ssb_cell_params_destroy(&p);
    ssb_ctx_destroy(&ctx);
}

/* [S], composite XL (SE D50 40 um): its measured sigma_ion,eff (0.165 mS/cm) and 24 % porosity leave the model's
 * C/20 capacity within 0.5 % of composite S's (the model has no mechanism that makes the SE size matter at C/20);
 * with the measured D(x) [R] that capacity is within 10 % of XL's measured 152 +- 3 (C/20) and ~151 (C/10). */
static void test_schlautmann_XL(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    const double qs = discharge_file(ctx, "schlautmann2023_ncm811_S.json", 0.05, 2.62, 1);
    const double qx = discharge_file(ctx, "schlautmann2023_ncm811_XL.json", 0.05, 2.62, 1);
    const double qx10 = discharge_file(ctx, "schlautmann2023_ncm811_XL.json", 0.1, 2.62, 1);
    print_message("Schlautmann 2023 XL, to 2.62 V: C/20 ssbnet %.1f mAh/g, measured 152 +- 3 (%+.1f %%); C/10 %.1f, "
                  "measured ~151 (%+.1f %%); S %.1f\n",
                  qx, 100.0 * (qx / 152.0 - 1.0), qx10, 100.0 * (qx10 / 151.0 - 1.0), qs);
    assert_true(fabs(qx / qs - 1.0) < 5e-3);
    assert_true(fabs(qx / 152.0 - 1.0) <= 0.10 && fabs(qx10 / 151.0 - 1.0) <= 0.10);
    ssb_ctx_destroy(&ctx);
}

/* Specific capacity [mAh/g] of cell file `name` at crate to v_cut with the D(x) trend given as a table: d_mid up to
 * the onset x_a, falling log-linearly (20 steps) by the factor `depth` to x = 1 (the README's sensitivity study). */
static double discharge_dx(ssb_ctx *ctx, const char *name, double d_mid, double x_a, double depth, double crate,
                           double v_cut)
{
    double x[22], y[22];
    x[0] = 0.0;
    y[0] = y[1] = d_mid;
    x[1] = x_a;
    for (int k = 1; k <= 20; k++) {
        x[k + 1] = x_a + (1.0 - x_a) * k / 20.0;
        y[k + 1] = d_mid * pow(depth, k / 20.0);
    }
    ssb_cell_params *p = NULL;
    ssb_cell *cell = load(ctx, name, &p);
    ssb_cell_destroy(&cell);
    TU_OK(ctx, ssb_cell_params_set_fn_table(ctx, p, SSB_CELL_FN_DS_POS, 22, x, y));
    TU_OK(ctx, ssb_cell_create(ctx, p, &cell));
    const double q = discharge(ctx, cell, crate, v_cut);
    ssb_cell_destroy(&cell);
    ssb_cell_params_destroy(&p);
    return q;
}

/* [M], 42 vol% NCM622 at 0.1C to 2.6 V: within 10 % of the measured 154 mAh/g with the measured D(x) [R]. The
 * NCM622 OCV (Verbrugge 2017 MSMR) is read on its capacity basis (database note: the galleries' X_j sum to the
 * capacity of the fit's window, anchored on Noh et al. 2013's 187 mAh/g for 3.0-4.3 V at 0.1C in a liquid half
 * cell), so its window 4.3 -> 2.6 V holds 187 mAh/g; a constant D drains it, the measured D(x) of NCM in a sulfide
 * cell (apparent diffusivity of the secondary particles, whose cracks the SE does not fill) ends the discharge
 * about 35 mAh/g earlier. The earlier D(x) (the two-parameter trend 'trend-Kasnatscheew2016', D_mid 1e-10 cm2/s)
 * left the cell 18 % high. */
static void test_minnmann_c10(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_cell_params *p = NULL;
    ssb_cell *cell = load(ctx, "minnmann2021_ncm622_42vol.json", &p);
    ssb_cell_destroy(&cell);
    check_dx_handoff(ctx, p, "NCM622");
    const double q = discharge_p(ctx, p, 0.1, 2.6, 1);
    ssb_materials *db = builtin_db(ctx);
    const ssb_material *m = NULL;
    TU_OK(ctx, ssb_materials_find(ctx, db, "NCM622", &m));
    double x0 = x_at(ctx, m, 0, 4.3), x1 = x_at(ctx, m, 0, 2.6), Qth;
    TU_OK(ctx, ssb_materials_get_si(ctx, m, "Q_theor", &Qth));
    double window = (x1 - x0) * MAH_PER_G(Qth);
    const double x3 = x_at(ctx, m, 0, 3.0);
    print_message("Minnmann 2021 42 vol%%, 0.1C to 2.6 V: ssbnet %.1f mAh/g, measured 154 (%+.1f %%); OCV window "
                  "%.4f Li = %.1f mAh/g (4.3 -> 3.0 V: %.4f Li = %.1f mAh/g)\n",
                  q, 100.0 * (q / 154.0 - 1.0), x1 - x0, window, x3 - x0, (x3 - x0) * MAH_PER_G(Qth));
    TU_ASSERT_REL((x3 - x0) * MAH_PER_G(Qth), 187.0, 2e-3); /* the record's capacity basis (Noh 2013) */
    TU_ASSERT_REL(window, 187.0, 2e-3);                     /* 3.0 -> 2.6 V adds nothing: fully lithiated */
    assert_true(fabs(q / 154.0 - 1.0) <= 0.10);
    assert_true(q < 0.90 * window);
    /* with a constant D (1e-10 cm2/s, the trend's plateau) the discharge drains the whole window */
    ssb_cell_params_clear_fn(p, SSB_CELL_FN_DS_POS);
    TU_OK(ctx, ssb_cell_params_set(ctx, p, "positive.diffusivity_cm2_per_s", 1e-10));
    const double qc = discharge_p(ctx, p, 0.1, 2.6, 1);
    TU_ASSERT_REL(qc, window, 5e-3);
    /* the earlier two-parameter trend (D_mid 1e-10 cm2/s to x = 0.8, two decades lower at x = 1) */
    const double qt = discharge_dx(ctx, "minnmann2021_ncm622_42vol.json", 1e-14, 0.8, 1e-2, 0.1, 2.6);
    print_message("  constant D: %.1f mAh/g (%+.1f %%); earlier trend D(x): %.1f (%+.1f %%)\n", qc,
                  100.0 * (qc / 154.0 - 1.0), qt, 100.0 * (qt / 154.0 - 1.0));
    assert_true(qt > 1.10 * 154.0);
    ssb_materials_destroy(&db);
    ssb_cell_params_destroy(&p);
    ssb_ctx_destroy(&ctx);
}

/* How much the end of discharge rests on the lowest measured point of [R] (7e-14 cm2/s at 3.60 V, held beyond it):
 * the same cells with the measured points placed on x as in the database but the 3.60 V point left out (3.8e-12 at
 * 3.73 V held beyond) lose far less to the kinetic limit (Minnmann 42 vol% 184.8 mAh/g at 0.1C, +20 %; S at C/20
 * 201.9, +2 %): which cells agree (M/L/XL and Minnmann 42 vol% with the point, S without it) rests on that one
 * figure-read point, which the README states. The table is rebuilt here from (V, D) through the material's OCV
 * (log-linear, sampled every 1/400 as the database curve is handed over), so this also checks the curve's x. */
static double discharge_points(ssb_ctx *ctx, const char *name, const char *mat, const char *ocv, int first, double crate,
                               double v_cut)
{
    static const double V[6] = {3.60, 3.73, 3.84, 3.94, 4.08, 4.22};
    static const double D[6] = {0.07e-16, 3.8e-16, 3.45e-16, 6.85e-16, 3.5e-16, 0.17e-16}; /* m2/s */
    ssb_materials *db = builtin_db(ctx);
    const ssb_material *m = NULL;
    TU_OK(ctx, ssb_materials_find(ctx, db, mat, &m));
    int io = -1;
    TU_OK(ctx, ssb_materials_ocv_find(ctx, m, ocv, &io));
    double xp[8], lp[8];
    int np = 0;
    xp[np] = 0.0;
    lp[np++] = log(D[5]);
    for (int i = 5; i >= first; i--) { /* increasing x: from 4.22 V down to V[first] */
        xp[np] = x_at(ctx, m, io, V[i]);
        lp[np++] = log(D[i]);
    }
    xp[np] = 1.0;
    lp[np++] = log(D[first]);
    ssb_materials_destroy(&db);
    /* log-linear between the points, as the database interpolates; sampled every 1/400 in x as the database curve
     * is handed to the cell (a D(x) table is interpolated in log D, PCHIP through ln D) */
    enum { NS = 401 };
    double x[NS], y[NS];
    for (int k = 0, j = 0; k < NS; k++) {
        x[k] = (double)k / (NS - 1);
        while (j < np - 2 && x[k] > xp[j + 1])
            j++;
        const double t = (x[k] - xp[j]) / (xp[j + 1] - xp[j]);
        y[k] = exp(lp[j] + t * (lp[j + 1] - lp[j]));
    }
    ssb_cell_params *p = NULL;
    ssb_cell *cell = load(ctx, name, &p);
    ssb_cell_destroy(&cell);
    TU_OK(ctx, ssb_cell_params_set_fn_table(ctx, p, SSB_CELL_FN_DS_POS, NS, x, y));
    const double q = discharge_p(ctx, p, crate, v_cut, 1);
    ssb_cell_params_destroy(&p);
    return q;
}

static void test_ruess_lowest_point(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    const char *mi = "minnmann2021_ncm622_42vol.json", *sc = "schlautmann2023_ncm811_S.json";
    const double m_all = discharge_points(ctx, mi, "NCM622", "Verbrugge2017-MSMR", 0, 0.1, 2.6);
    const double m_file = discharge_file(ctx, mi, 0.1, 2.6, 1);
    const double m_no360 = discharge_points(ctx, mi, "NCM622", "Verbrugge2017-MSMR", 1, 0.1, 2.6);
    const double s_no360 = discharge_points(ctx, sc, "NCM811", "Chen2020-halfcell", 1, 0.05, 2.62);
    print_message("'Ruess2020-LPSCl' without its 3.60 V point: Minnmann 42 vol%% 0.1C %.1f mAh/g (all points %.1f, the "
                  "database curve %.1f; measured 154); Schlautmann S C/20 %.1f (measured 198)\n",
                  m_no360, m_all, m_file, s_no360);
    TU_ASSERT_REL(m_all, m_file, 1e-2); /* the rebuilt table is the database curve (up to the x rounding) */
    assert_true(m_no360 > 1.10 * 154.0);
    assert_true(m_no360 > 1.10 * m_all);
    ssb_ctx_destroy(&ctx);
}

/* [M], the pre-registered 33 and 61 vol% cells (files and measured values committed before the model ran on them,
 * README): the hand-over of the paper's build (12 mg composite on 0.785 cm2 at the composition's NCM mass fraction;
 * 1C on 200 mAh/g), then 0.1C to 2.6 V. NOT reproduced: the model's 0.1C capacity is the 42 vol% cell's within
 * 0.5 % (+11 % and +15 % above 137.2 and 132.3), while the measured one falls by 11-14 % on both sides of 42 vol%:
 * the composition-dependent CAM utilisation (electronically isolated CAM at 33 vol%, where carbon adds 14 %, and
 * ionically starved CAM at 61 vol%, Fig. 3/4 of [M]) is not in the model. With the paper's measured conductivities
 * of the 61 vol% composite (sigma_ion,eff 3.04e-6 S/cm, tau^2 = 130) the model shows the ionic bottleneck at 1C
 * (about a third of the 1C capacity with Bruggeman transport; measured 15.4), not at 0.1C. */
static void test_minnmann_composition(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    static const char *const names[2] = {"minnmann2021_ncm622_33vol.json", "minnmann2021_ncm622_61vol.json"};
    static const double w[2] = {0.6114, 0.8604}, meas[2] = {137.2, 132.3};
    const double q42 = discharge_file(ctx, "minnmann2021_ncm622_42vol.json", 0.1, 2.6, 1);
    double q1[2] = {0};
    for (int k = 0; k < 2; k++) {
        ssb_cell_params *p = NULL;
        ssb_cell *cell = load(ctx, names[k], &p);
        const ssb_cell_derived *d = ssb_cell_get_derived(cell);
        const double load_kg = 0.012e-3 / 0.785e-4 * w[k]; /* 12 mg composite on 0.785 cm2, NCM mass fraction */
        TU_ASSERT_REL(d->mass_am_pos, load_kg, 5e-3);
        TU_ASSERT_REL(d->nominal_capacity, load_kg * 200.0 * 3600.0, 1e-3); /* 200 mAh/g, C/m2 */
        ssb_cell_destroy(&cell);
        const double q = discharge_p(ctx, p, 0.1, 2.6, 0);
        q1[k] = discharge_p(ctx, p, 1.0, 2.6, 0);
        print_message("Minnmann 2021 %s (pre-registered), 0.1C to 2.6 V: ssbnet %.1f mAh/g, measured %.1f (%+.1f %%); "
                      "1C %.1f; 42 vol%% cell %.1f\n",
                      k ? "61 vol%" : "33 vol%", q, meas[k], 100.0 * (q / meas[k] - 1.0), q1[k], q42);
        assert_true(fabs(q / q42 - 1.0) < 5e-3);
        assert_true(q > 1.10 * meas[k]); /* not reproduced: pinned for the README table */
        ssb_cell_params_destroy(&p);
    }
    ssb_cell_params *p = NULL;
    ssb_cell *cell = load(ctx, names[1], &p);
    ssb_cell_destroy(&cell);
    TU_OK(ctx, ssb_cell_params_set(ctx, p, "positive.effective_ionic_conductivity_S_per_m", 3.04e-4));
    TU_OK(ctx, ssb_cell_params_set(ctx, p, "positive.effective_electronic_conductivity_S_per_m", 0.144));
    const double qm10 = discharge_p(ctx, p, 0.1, 2.6, 0), qm1 = discharge_p(ctx, p, 1.0, 2.6, 0);
    print_message("  61 vol%% with the measured sigma_eff (Fig. 2): 0.1C %.1f mAh/g (%+.1f %%), 1C %.1f (measured "
                  "15.4; Bruggeman %.1f)\n",
                  qm10, 100.0 * (qm10 / 132.3 - 1.0), qm1, q1[1]);
    assert_true(qm1 < 0.5 * q1[1]);
    assert_true(qm10 > 1.10 * 132.3);
    ssb_cell_params_destroy(&p);
    ssb_ctx_destroy(&ctx);
}

/* The first cycle as the papers run it: a charge from the pristine state (Li fraction 0.99) at the discharge's
 * rate to the upper cut-off, then the discharge, against the discharge from the charged state in equilibrium (the
 * OCV at the upper cut-off) that the rows above use. With the measured D(x), whose value near full lithiation
 * (7e-14 cm2/s, held beyond the 3.60 V point that the NCM811 OCV places at x = 0.86) also slows the start of the
 * charge, the charge leaves the particles' cores lithiated and the discharge after it is 10-15 % smaller: S at
 * C/20 charges about 185 mAh/g (measured 247 +- 24) and discharges about 147 (measured 198); the 42 vol% NCM622
 * cell at 0.1C about 165 / 133 (measured discharge 154). The README states both protocols. */
static double first_cycle(ssb_ctx *ctx, const char *name, const char *proto, double *q_charge)
{
    ssb_cell_params *p = NULL;
    ssb_cell *cell = load(ctx, name, &p);
    ssb_cell_destroy(&cell);
    TU_OK(ctx, ssb_cell_params_set(ctx, p, "positive.initial_stoichiometry", 0.99));
    TU_OK(ctx, ssb_cell_create(ctx, p, &cell));
    ssb_cell_result *res = NULL;
    ssb_cell_run_params rp = ssb_cell_run_params_default();
    rp.breakdown = 0;
    TU_OK(ctx, ssb_cell_run_protocol(ctx, cell, proto, &rp, &res));
    ssb_cell_step_result ch, dis;
    TU_OK(ctx, ssb_cell_result_step(ctx, res, 0, &ch));
    TU_OK(ctx, ssb_cell_result_step(ctx, res, 1, &dis));
    assert_int_equal(ch.end, SSB_CELL_END_VOLTAGE);
    assert_int_equal(dis.end, SSB_CELL_END_VOLTAGE);
    const double mam = ssb_cell_get_derived(cell)->mass_am_pos;
    *q_charge = MAH_PER_G(-ch.capacity / mam);
    const double q = MAH_PER_G(dis.capacity / mam);
    ssb_cell_result_destroy(&res);
    ssb_cell_destroy(&cell);
    ssb_cell_params_destroy(&p);
    return q;
}

static void test_first_cycle(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    double chs, chm;
    const double ds = first_cycle(ctx, "schlautmann2023_ncm811_S.json",
                                  "Charge at C/20 until 4.32 V; Discharge at C/20 until 2.62 V", &chs);
    const double dm = first_cycle(ctx, "minnmann2021_ncm622_42vol.json",
                                  "Charge at C/10 until 4.3 V; Discharge at C/10 until 2.6 V", &chm);
    const double es = discharge_file(ctx, "schlautmann2023_ncm811_S.json", 0.05, 2.62, 1);
    const double em = discharge_file(ctx, "minnmann2021_ncm622_42vol.json", 0.1, 2.6, 1);
    print_message("first cycle from the pristine state: Schlautmann S C/20 charge %.1f / discharge %.1f mAh/g "
                  "(measured 247 / 198; from the charged state %.1f); Minnmann 42 vol%% 0.1C %.1f / %.1f (measured "
                  "discharge 154; from the charged state %.1f)\n",
                  chs, ds, es, chm, dm, em);
    assert_true(ds < 0.95 * es && dm < 0.95 * em);
    assert_true(ds < chs && dm < chm);
    assert_true(chs < 247.0 - 24.0); /* the model's first charge stays below the measured one */
    ssb_ctx_destroy(&ctx);
}

/* NCM622 in a liquid-like half cell (thin electrode, fast transport, constant D, 0.02 mA/cm2 = about C/50): first
 * charge from the lithiated state (3.0 V) to 4.3 V and discharge back to 3.0 V. With no transport loss both are
 * the OCV window of the capacity basis: 187 mAh/g, Noh et al., J. Power Sources 233, 121 (2013) (0.1C,
 * 3.0-4.3 V), the anchor of the basis, so this checks the conversion through the cell, not the anchor; the
 * independent check is the database's practical capacity to 4.3 V, 175-185 mAh/g (de Biasi et al. 2017, Koerver
 * et al. 2018), which the window exceeds by about 1 % (and which the old basis on c_max, 241 mAh/g, exceeded by
 * 30 %). The first charge of a real half cell is larger than its discharge (first-cycle loss); the basis, anchored
 * on a discharge, leaves that loss to the D(x) kinetics. */
static void test_ncm622_halfcell(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_materials *db = builtin_db(ctx);
    static const char *const text =
        "{\"electrolyte\": {\"type\": \"single_ion\", \"material\": \"Li6PS5Cl\"}, \"positive\": {\"active_material\": "
        "\"NCM622\", \"thickness_um\": 20, \"active_volume_fraction\": 0.6, \"porosity\": 0.0, "
        "\"carbon_volume_fraction\": 0, \"particle_diameter_um\": 1.0, \"diffusivity_cm2_per_s\": 1e-10, "
        "\"initial_voltage_V\": 3.0, \"effective_ionic_conductivity_mS_per_cm\": 10, "
        "\"effective_electronic_conductivity_S_per_m\": 10, \"exchange_current_prefactor_A_m2.5_per_mol1.5\": 3.42e-5}, "
        "\"separator\": {\"thickness_um\": 20, \"ionic_conductivity_mS_per_cm\": 10}, \"negative\": {\"type\": "
        "\"lithium_metal\", \"thickness_um\": 100, \"exchange_current_density_mA_per_cm2\": 25.7}}";
    ssb_cell_params *p = NULL;
    TU_OK(ctx, ssb_cell_params_from_json_string(ctx, db, text, "ncm622_halfcell.json", &p));
    ssb_cell *cell = NULL;
    TU_OK(ctx, ssb_cell_create(ctx, p, &cell));
    ssb_cell_result *res = NULL;
    ssb_cell_run_params rp = ssb_cell_run_params_default();
    rp.breakdown = 0;
    TU_OK(ctx, ssb_cell_run_protocol(ctx, cell,
                                     "Charge at 0.02 mA/cm2 until 4.3 V; Discharge at 0.02 mA/cm2 until 3.0 V", &rp,
                                     &res));
    ssb_cell_step_result ch, dis;
    TU_OK(ctx, ssb_cell_result_step(ctx, res, 0, &ch));
    TU_OK(ctx, ssb_cell_result_step(ctx, res, 1, &dis));
    const double mam = ssb_cell_get_derived(cell)->mass_am_pos;
    const double qch = MAH_PER_G(-ch.capacity / mam), qdis = MAH_PER_G(dis.capacity / mam);
    print_message("NCM622 liquid-like half cell, ~C/50: first charge to 4.3 V %.1f mAh/g, discharge to 3.0 V %.1f "
                  "mAh/g; Noh 2013 (0.1C, 3.0-4.3 V) 187, database practical 175-185\n",
                  qch, qdis);
    assert_int_equal(ch.end, SSB_CELL_END_VOLTAGE);
    assert_int_equal(dis.end, SSB_CELL_END_VOLTAGE);
    TU_ASSERT_REL(qch, 187.0, 0.01);
    TU_ASSERT_REL(qdis, 187.0, 0.01);
    assert_true(qdis > 175.0 * 0.97 && qdis < 185.0 * 1.03); /* within 3 % of the database's practical range */
    ssb_cell_result_destroy(&res);
    ssb_cell_destroy(&cell);
    ssb_cell_params_destroy(&p);
    ssb_materials_destroy(&db);
    ssb_ctx_destroy(&ctx);
}

/* [S], XL vs S through the structure `ssbnet run` generates with SE as particles of their own size
 * (the files' microstructure.se_diameter_um): S with the paper's 4 um; XL with 31 um, the largest the 62 um thick
 * cathode admits (half its thickness; the paper's D50 is 40 um). Seeds 2 and 3 and a 1.7x wider box give XL
 * per-sphere shares of 0.24, 0.41 and 0.32 (seed 1: 0.37), S 0.99 in each. Two measures of the CAM that takes part bracket the
 * measured XL/S ratio 152/198 = 0.77 without reaching it within 10 %:
 *  - the run's active CAM fraction (ssb_micro_cam_compute) judges each cluster of touching CAM spheres as a whole:
 *    it stays above 0.99 for both, so the hand-over (CAM fraction x active fraction) cannot carry the difference,
 *    although the active CAM|SE area per volume falls about tenfold (0.287 vs 0.026 1/um, `ssbnet run`, README);
 *  - counting per sphere (cam_se_contact_share, Bielefeld et al.'s count) 0.99 of S's CAM touches separator-connected
 *    SE but only about 0.37 of XL's; handing that over as the active fraction (the rest kept as inactive mass)
 *    gives XL far below the measurement: the rigid spheres neither deform the soft SE into the voids (the paper's
 *    cathodes are cold-pressed) nor pass Li between touching CAM particles.
 * With the measured D(x) [R] the upper bound (every CAM active, as the file states it) lies within 10 % of the
 * measured 152 mAh/g; the per-sphere share leaves XL far below it. The test pins both. */
static void test_schlautmann_se_size(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    double run_s, run_x;
    const double cs = generated_contact_share(ctx, "schlautmann2023_ncm811_S.json", 4e-6, NULL, &run_s);
    const double cx = generated_contact_share(ctx, "schlautmann2023_ncm811_XL.json", 31e-6, NULL, &run_x);
    assert_true(run_s > 0.99 && run_x > 0.99); /* clusters: the run's measure sees no difference */
    assert_true(cs > 0.95);                    /* S: nearly every CAM particle touches the SE */
    assert_true(cx > 0.2 && cx < 0.6);         /* XL: most do not */
    /* upper bound: XL as the cell file states it (every CAM active); lower: only the SE-touching share active */
    const double q_all = discharge_active_share(ctx, "schlautmann2023_ncm811_XL.json", 1.0, 0.05);
    const double q_touch = discharge_active_share(ctx, "schlautmann2023_ncm811_XL.json", cx, 0.05);
    print_message("Schlautmann XL, C/20 to 2.62 V, SE 31 um vs S 4 um: CAM touching SE per particle %.3f (S %.3f), run "
                  "active fraction %.4f (S %.4f); ssbnet %.1f (all CAM) / %.1f (touching only) mAh/g, measured 152\n",
                  cx, cs, run_x, run_s, q_all, q_touch);
    assert_true(q_touch < 152.0 && 152.0 < q_all);
    assert_true(q_all <= 1.10 * 152.0 && q_touch < 0.90 * 152.0);
    /* the capacity follows the active share handed over, a little below it: the fewer active particles carry more
     * current each, which the measured D(x) penalises */
    assert_true(q_touch <= cx * q_all && q_touch > 0.85 * cx * q_all);
    ssb_ctx_destroy(&ctx);
}

/* [S], composites M (SE D50vol 11 um) and L (20 um), the paper's intermediate SE sizes (p. 2, Table S2), each with
 * its own porosity (18.1 / 21.4 %, Table S1) and measured sigma_ion,eff / sigma_el,eff (0.199 / 0.257 and
 * 0.153 / 0.311 mS/cm, Table S4): measured first discharge at C/20 165 +- 3 mAh/g for both (p. 4; first charge
 * 212 +- 4), about 160 / 157 at C/10 (Fig. 4c, read from the figure). With the measured conductivities the model's
 * capacity stays within 0.5 % of composite S's at both rates, like XL; with the measured D(x) [R] that capacity is
 * within 10 % of M's and L's at C/20 and C/10 (and S is the one left 15-18 % below its measurement, README). */
static void test_schlautmann_M_L(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    static const char *const names[2] = {"schlautmann2023_ncm811_M.json", "schlautmann2023_ncm811_L.json"};
    static const double c10[2] = {160.0, 157.0}; /* Fig. 4c, cycle 1, read from the figure */
    const double s20 = discharge_file(ctx, "schlautmann2023_ncm811_S.json", 0.05, 2.62, 1);
    const double s10 = discharge_file(ctx, "schlautmann2023_ncm811_S.json", 0.1, 2.62, 1);
    for (int k = 0; k < 2; k++) {
        const double q20 = discharge_file(ctx, names[k], 0.05, 2.62, 1);
        const double q10 = discharge_file(ctx, names[k], 0.1, 2.62, 1);
        print_message("Schlautmann 2023 %s, to 2.62 V: C/20 ssbnet %.1f mAh/g, measured 165 +- 3 (%+.1f %%); C/10 "
                      "%.1f, measured ~%.0f (Fig. 4c; %+.1f %%); S %.1f / %.1f\n",
                      k ? "L" : "M", q20, 100.0 * (q20 / 165.0 - 1.0), q10, c10[k], 100.0 * (q10 / c10[k] - 1.0), s20,
                      s10);
        /* 1 %: the same particles and D(x), the composites differ in porosity and conductivities (0.1 % here) */
        assert_true(fabs(q20 / s20 - 1.0) < 1e-2 && fabs(q10 / s10 - 1.0) < 1e-2);
        assert_true(fabs(q20 / 165.0 - 1.0) <= 0.10 && fabs(q10 / c10[k] - 1.0) <= 0.10);
    }
    ssb_ctx_destroy(&ctx);
}

/* [S], composite XL with the SE packed as the paper's measured volume PSD (Table S2: D10/D50/D90 by volume 8.12 /
 * 40 / 133.16 um; se_volume_psd: from 3 voxels (1.95 um) to 31 um, the volume above kept at 31 um) instead of
 * lognormal 31 um particles: the few fines (10 % of the SE volume below 8 um) do not reach the CAM the coarse
 * particles miss; the per-sphere SE-contact share stays far below the measured XL/S capacity ratio
 * 152/198 = 0.77 (0.27 for seed 1), so the paper's PSD does not bring the per-particle measure to the measurement. */
static void test_schlautmann_XL_psd(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    static const double dv[3] = {8.12e-6, 40e-6, 133.16e-6};
    double run_x;
    const double cx = generated_contact_share(ctx, "schlautmann2023_ncm811_XL.json", 31e-6, dv, &run_x);
    const double q = discharge_active_share(ctx, "schlautmann2023_ncm811_XL.json", cx, 0.05);
    print_message("Schlautmann XL, SE with the paper's volume PSD: CAM touching SE per particle %.3f, run active "
                  "fraction %.4f; C/20 to 2.62 V %.1f mAh/g (touching only), measured 152\n",
                  cx, run_x, q);
    assert_true(run_x > 0.99);
    assert_true(cx > 0.15 && cx < 0.45);
    assert_true(q < 0.90 * 152.0);
    ssb_ctx_destroy(&ctx);
}

/* [S], composites M, L and XL with their CAM utilisation taken from the paper's own first charge (p. 4, C/20:
 * S 247 +- 24, M and L 212 +- 4, XL 205 +- 4 mAh/g) relative to composite S, whose CAM the structures show in full
 * SE contact (per-particle share 0.99-1.00): active share 212/247 = 0.858 (M, L) and 205/247 = 0.830 (XL), handed
 * over as the active fraction with the rest kept as inactive mass. This is a measured input, not a prediction: it
 * checks the model's discharge (the kinetic limit of nearly lithiated NCM that ends it) given the CAM the charge
 * reached, not the utilisation itself, which neither the structure measures nor the measured conductivities give
 * (test_schlautmann_M_L, test_schlautmann_XL_psd, README). The charge ratio carries S's +- 24 (10 %).
 * With the earlier D(x) trend this hand-over brought M, L and XL within 10 %; with the measured D(x) [R] the model
 * with all CAM active already is (test_schlautmann_M_L, test_schlautmann_XL) and the hand-over puts them 12-18 % low:
 * the test now pins that the capacity follows the share handed over and that the share is no longer needed. */
static void test_schlautmann_charge_share(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    static const char *const names[3] = {"schlautmann2023_ncm811_M.json", "schlautmann2023_ncm811_L.json",
                                         "schlautmann2023_ncm811_XL.json"};
    static const char *const tag[3] = {"M", "L", "XL"};
    static const double q_ch[3] = {212.0, 212.0, 205.0}, q20_meas[3] = {165.0, 165.0, 152.0};
    static const double q10_meas[3] = {160.0, 157.0, 151.0}; /* Fig. 4c, cycle 1, read from the figure */
    for (int k = 0; k < 3; k++) {
        const double share = q_ch[k] / 247.0;
        const double q20 = discharge_active_share(ctx, names[k], share, 0.05);
        const double q10 = discharge_active_share(ctx, names[k], share, 0.1);
        const double q20_all = discharge_active_share(ctx, names[k], 1.0, 0.05);
        print_message("Schlautmann 2023 %s, CAM share from the first charge %.0f/247 = %.3f: C/20 ssbnet %.1f mAh/g, "
                      "measured %.0f (%+.1f %%); C/10 %.1f, measured ~%.0f (Fig. 4c; %+.1f %%)\n",
                      tag[k], q_ch[k], share, q20, q20_meas[k], 100.0 * (q20 / q20_meas[k] - 1.0), q10, q10_meas[k],
                      100.0 * (q10 / q10_meas[k] - 1.0));
        /* the capacity follows the share handed over, a little below (more current per active particle) */
        assert_true(q20 <= share * q20_all * 1.005 && q20 > 0.95 * share * q20_all);
        assert_true(q20 < 0.90 * q20_meas[k] && q10 < 0.90 * q10_meas[k]);
        assert_true(fabs(q20_all / q20_meas[k] - 1.0) <= 0.10);
    }
    ssb_ctx_destroy(&ctx);
}

typedef struct {
    int nwarn;
    char last[512];
} log_capture;

static void capture(void *user, ssb_log_level level, const char *object, const char *msg)
{
    log_capture *c = user;
    (void)object;
    if (level == SSB_LOG_WARN) {
        c->nwarn++;
        snprintf(c->last, sizeof c->last, "%s", msg);
    }
}

/* An OCV curve used beyond its stated range is refused or warned (issue 14): evaluation outside the range is
 * refused by the database, a start voltage the curve does not reach is refused by the cell, and a discharge whose
 * particle surfaces leave the range (Chen2020-fit, x in [0.25, 0.99], to 2.62 V) logs a warning naming the curve. */
static void test_ocv_range(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    log_capture lc = {0};
    ssb_ctx_set_log(ctx, capture, &lc, SSB_LOG_WARN);
    ssb_materials *db = builtin_db(ctx);
    const ssb_material *m = NULL;
    TU_OK(ctx, ssb_materials_find(ctx, db, "NCM811", &m));
    int ic;
    double U;
    TU_OK(ctx, ssb_materials_ocv_find(ctx, m, "Chen2020-fit", &ic));
    assert_int_equal(ssb_materials_ocv_eval(ctx, m, ic, 0.2, &U), SSB_ERR_RANGE);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "outside its validity range [0.25, 0.99]"));
    TU_OK(ctx, ssb_materials_ocv_find(ctx, m, "Chen2020-halfcell", &ic));
    TU_OK(ctx, ssb_materials_ocv_eval(ctx, m, ic, 1.0, &U));
    assert_true(U < 2.6); /* covers the half-cell window down to the 2.6 V cut-offs */
    static const char *const cell_fmt =
        "{\"electrolyte\": {\"type\": \"single_ion\", \"material\": \"Li6PS5Cl\"}, \"positive\": {\"active_material\": "
        "\"NCM811\", \"ocv_curve\": \"%s\", \"diffusivity_curve\": \"trend-Kasnatscheew2016\", \"thickness_um\": 55, "
        "\"active_volume_fraction\": 0.41, \"porosity\": 0.14, \"carbon_volume_fraction\": 0, "
        "\"particle_diameter_um\": 3.4, \"initial_voltage_V\": %g, \"effective_ionic_conductivity_mS_per_cm\": 0.254, "
        "\"effective_electronic_conductivity_S_per_m\": 0.0301, \"exchange_current_prefactor_A_m2.5_per_mol1.5\": "
        "3.42e-6}, \"separator\": {\"thickness_um\": 400, \"ionic_conductivity_mS_per_cm\": 8}, \"negative\": "
        "{\"type\": \"lithium_metal\", \"thickness_um\": 100, \"exchange_current_density_mA_per_cm2\": 25.7}}";
    char text[2048];
    ssb_cell_params *p = NULL;
    snprintf(text, sizeof text, cell_fmt, "Chen2020-halfcell", 4.5);
    TU_OK(ctx, ssb_cell_params_from_json_string(ctx, db, text, "above.json", &p));
    ssb_cell *cell = NULL;
    assert_int_equal(ssb_cell_create(ctx, p, &cell), SSB_ERR_RANGE);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "initial_voltage_V = 4.5 V lies outside the OCV's range"));
    assert_null(cell);
    ssb_cell_params_destroy(&p);
    snprintf(text, sizeof text, cell_fmt, "Chen2020-fit", 4.32);
    TU_OK(ctx, ssb_cell_params_from_json_string(ctx, db, text, "fit.json", &p));
    TU_OK(ctx, ssb_cell_create(ctx, p, &cell));
    double rate = 0.1;
    ssb_cell_rate_point pt;
    assert_int_equal(lc.nwarn, 0);
    int rc = ssb_cell_rate_sweep(ctx, cell, 1, &rate, 2.62, &pt, NULL);
    print_message("Chen2020-fit to 2.62 V: rc %d, %d warning(s): %s\n", rc, lc.nwarn, lc.last);
    assert_true(lc.nwarn >= 1);
    assert_non_null(strstr(lc.last, "positive OCV extrapolated"));
    assert_non_null(strstr(lc.last, "outside its validity range [0.25, 0.99]"));
    assert_non_null(strstr(lc.last, "Chen2020-fit"));
    ssb_cell_destroy(&cell);
    ssb_cell_params_destroy(&p);
    ssb_materials_destroy(&db);
    ssb_ctx_destroy(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ruess_dx_points),
        cmocka_unit_test(test_schlautmann_S),
        cmocka_unit_test(test_schlautmann_XL),
        cmocka_unit_test(test_minnmann_c10),
        cmocka_unit_test(test_minnmann_composition),
        cmocka_unit_test(test_first_cycle),
        cmocka_unit_test(test_ruess_lowest_point),
        cmocka_unit_test(test_ncm622_halfcell),
        cmocka_unit_test(test_ocv_range),
        cmocka_unit_test(test_schlautmann_se_size),
        cmocka_unit_test(test_schlautmann_M_L),
        cmocka_unit_test(test_schlautmann_XL_psd),
        cmocka_unit_test(test_schlautmann_charge_share),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
