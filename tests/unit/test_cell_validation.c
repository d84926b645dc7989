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
 *  [N] H.-J. Noh et al., J. Power Sources 233, 121 (2013): NCM622 in a Li half cell, about 187 mAh/g at 0.1C
 *      between 3.0 and 4.3 V: the capacity basis of the NCM622 MSMR OCV (database note, test_ncm622_halfcell).
 * The NCM OCVs are expressed vs the Li fraction on the crystallographic c_max (database); the first discharge
 * ends at the kinetic limit of nearly lithiated NCM, the state-dependent diffusivity D(x) of the database
 * ("trend-Kasnatscheew2016", status L: the trend reported by Kasnatscheew et al., PCCP 18, 3956 (2016), Amin &
 * Chiang, JES 163, A1512 (2016), Ruess et al., JES 167, 020533 (2020); not digitised data). */
#include "cell_validation_util.h"

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

/* The database D(x) handed to the cell: the positive D_s(x) slot equals the database curve at its sample points
 * (every 1/400 in x), including the kinetic end x -> 1. */
static void check_dx_handoff(ssb_ctx *ctx, const ssb_cell_params *p, const char *mat)
{
    ssb_materials *db = NULL;
    TU_OK(ctx, ssb_materials_create(ctx, &db));
    TU_OK(ctx, ssb_materials_load_builtin(ctx, db));
    const ssb_material *m = NULL;
    TU_OK(ctx, ssb_materials_find(ctx, db, mat, &m));
    static const double xs[] = {0.1, 0.5, 0.8, 0.9, 0.95, 0.9975, 1.0};
    for (size_t k = 0; k < sizeof xs / sizeof xs[0]; k++) {
        double dc, dm;
        TU_OK(ctx, ssb_cell_params_eval_fn(ctx, p, SSB_CELL_FN_DS_POS, xs[k], &dc, NULL));
        TU_OK(ctx, ssb_materials_diffusivity_eval(ctx, m, 0, xs[k], &dm));
        TU_ASSERT_REL(dc, dm, 1e-9);
    }
    ssb_materials_destroy(&db);
}

/* [S], composite S: C/20 (the stated first discharge, 198 +- 18 mAh/g) and C/10 (about 179 mAh/g, read from
 * Fig. 4c) to the paper's 2.62 V vs Li, both within 10 %. The start is the OCV's 4.32 V; with a constant D the
 * discharge drains the whole OCV window to full lithiation, (1 - x(4.32 V)) Q_theor, and the D(x) of nearly
 * lithiated NCM ends it earlier: the first-discharge loss comes from the kinetic limit, not from a fitted window. */
static void test_schlautmann_S(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_cell_params *p = NULL;
    ssb_cell *cell = load(ctx, "schlautmann2023_ncm811_S.json", &p);
    check_dx_handoff(ctx, p, "NCM811");
    double q20 = discharge(ctx, cell, 0.05, 2.62), q10 = discharge(ctx, cell, 0.1, 2.62);
    print_message("Schlautmann 2023 S, to 2.62 V: C/20 ssbnet %.1f mAh/g, measured 198 +- 18 (%+.1f %%); C/10 %.1f, "
                  "measured ~179 (Fig. 4c; %+.1f %%)\n",
                  q20, 100.0 * (q20 / 198.0 - 1.0), q10, 100.0 * (q10 / 179.0 - 1.0));
    assert_true(fabs(q20 / 198.0 - 1.0) <= 0.10);
    assert_true(fabs(q10 / 179.0 - 1.0) <= 0.10);
    assert_true(q10 < q20);
    /* the same cell with the constant D_Li of the database (4e-11 cm2/s) */
    ssb_cell_params_clear_fn(p, SSB_CELL_FN_DS_POS);
    TU_OK(ctx, ssb_cell_params_set(ctx, p, "positive.diffusivity_cm2_per_s", 4e-11));
    ssb_cell *cc = NULL;
    TU_OK(ctx, ssb_cell_create(ctx, p, &cc));
    double qc = discharge(ctx, cc, 0.05, 2.62);
    ssb_materials *db = NULL;
    TU_OK(ctx, ssb_materials_create(ctx, &db));
    TU_OK(ctx, ssb_materials_load_builtin(ctx, db));
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
    assert_true(q20 < 0.98 * qc);
    ssb_materials_destroy(&db);
    ssb_cell_destroy(&cc);
    ssb_cell_destroy(&cell);
    ssb_cell_params_destroy(&p);
    ssb_ctx_destroy(&ctx);
}


/* [S], composite XL (SE D50 40 um): NOT reproduced. Its measured sigma_ion,eff (0.165 mS/cm) and 24 % porosity
 * leave the model's C/20 capacity within 0.5 % of composite S's: the model holds no mechanism for the 23 % lower
 * capacity measured with the coarse SE (CAM|SE contact and utilisation, not given by the paper; README). This test
 * pins that state: when a contact model makes XL differ from S, the README table must be updated. */
static void test_schlautmann_XL(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_cell_params *ps = NULL, *px = NULL;
    ssb_cell *cs = load(ctx, "schlautmann2023_ncm811_S.json", &ps);
    ssb_cell *cx = load(ctx, "schlautmann2023_ncm811_XL.json", &px);
    double qs = discharge(ctx, cs, 0.05, 2.62), qx = discharge(ctx, cx, 0.05, 2.62);
    print_message("Schlautmann 2023 XL, C/20 to 2.62 V: ssbnet %.1f mAh/g, measured 152 +- 3 (%+.1f %%); S %.1f\n", qx,
                  100.0 * (qx / 152.0 - 1.0), qs);
    assert_true(fabs(qx / qs - 1.0) < 5e-3);
    ssb_cell_destroy(&cs);
    ssb_cell_destroy(&cx);
    ssb_cell_params_destroy(&ps);
    ssb_cell_params_destroy(&px);
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

/* [M], 42 vol% NCM622 at 0.1C to 2.6 V: NOT reproduced (+18 %). The NCM622 OCV (Verbrugge 2017 MSMR) is read
 * on its capacity basis (database note: the galleries' X_j sum to the capacity of the fit's window, anchored on
 * Noh et al. 2013's 187 mAh/g for 3.0-4.3 V at 0.1C in a liquid half cell), so its window 4.3 -> 2.6 V holds
 * 187 mAh/g, not the 241 mAh/g the curve gave on the crystallographic c_max; the cell delivers a few % less (the
 * D(x) limit of nearly lithiated NCM), still about 18 % above the measured 154 mAh/g: the paper's cathode uses
 * less of its CAM than a liquid half cell does, which neither its measured conductivities nor the model hold. */
static void test_minnmann_c10(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_cell_params *p = NULL;
    ssb_cell *cell = load(ctx, "minnmann2021_ncm622_42vol.json", &p);
    check_dx_handoff(ctx, p, "NCM622");
    double q = discharge(ctx, cell, 0.1, 2.6);
    ssb_materials *db = NULL;
    TU_OK(ctx, ssb_materials_create(ctx, &db));
    TU_OK(ctx, ssb_materials_load_builtin(ctx, db));
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
    assert_true(q <= window && q >= 0.95 * window);
    assert_true(q > 1.10 * 154.0); /* not reproduced: pinned so that a change shows in the README table */
    /* with a constant D (1e-10 cm2/s, the D(x) curve's plateau) the discharge drains the whole window */
    ssb_cell_params_clear_fn(p, SSB_CELL_FN_DS_POS);
    TU_OK(ctx, ssb_cell_params_set(ctx, p, "positive.diffusivity_cm2_per_s", 1e-10));
    ssb_cell *cc = NULL;
    TU_OK(ctx, ssb_cell_create(ctx, p, &cc));
    const double qc = discharge(ctx, cc, 0.1, 2.6);
    print_message("  constant D: %.1f mAh/g (%+.1f %%)\n", qc, 100.0 * (qc / 154.0 - 1.0));
    TU_ASSERT_REL(qc, window, 5e-3);
    ssb_cell_destroy(&cc);
    /* sensitivity to the D(x) trend over the range of the README (onset 0.7-0.9, depth 1e-2-1e-3): only the steepest
     * corner comes within 10 % of 154, and there composite S of [S] stays within 10 % at both its rates: one D(x)
     * inside the range would put both papers within 10 % (a fit if chosen after seeing the answer: README) */
    const double q_steep = discharge_dx(ctx, "minnmann2021_ncm622_42vol.json", 1e-14, 0.7, 1e-3, 0.1, 2.6);
    const double q_mild = discharge_dx(ctx, "minnmann2021_ncm622_42vol.json", 1e-14, 0.9, 1e-2, 0.1, 2.6);
    const double s20 = discharge_dx(ctx, "schlautmann2023_ncm811_S.json", 4e-15, 0.7, 1e-3, 0.05, 2.62);
    const double s10 = discharge_dx(ctx, "schlautmann2023_ncm811_S.json", 4e-15, 0.7, 1e-3, 0.1, 2.62);
    print_message("  D(x) onset 0.7 / depth 1e-3: %.1f mAh/g (%+.1f %%), S %.1f / %.1f at C/20 / C/10 (%+.1f / %+.1f "
                  "%%); onset 0.9 / depth 1e-2: %.1f (%+.1f %%)\n",
                  q_steep, 100.0 * (q_steep / 154.0 - 1.0), s20, s10, 100.0 * (s20 / 198.0 - 1.0),
                  100.0 * (s10 / 179.0 - 1.0), q_mild, 100.0 * (q_mild / 154.0 - 1.0));
    assert_true(q_steep < q && q < q_mild);
    assert_true(q_steep <= 1.10 * 154.0 && q_mild > 1.10 * 154.0);
    assert_true(fabs(s20 / 198.0 - 1.0) <= 0.10 && fabs(s10 / 179.0 - 1.0) <= 0.10);
    ssb_materials_destroy(&db);
    ssb_cell_destroy(&cell);
    ssb_cell_params_destroy(&p);
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
    ssb_materials *db = NULL;
    TU_OK(ctx, ssb_materials_create(ctx, &db));
    TU_OK(ctx, ssb_materials_load_builtin(ctx, db));
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
 * The test pins both bounds and that the measured value lies between them, outside 10 % of each. */
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
    assert_true(q_all > 1.10 * 152.0 && q_touch < 0.90 * 152.0);
    TU_ASSERT_REL(q_touch, cx * q_all, 0.05); /* the capacity follows the active share handed over */
    ssb_ctx_destroy(&ctx);
}

/* [S], composites M (SE D50vol 11 um) and L (20 um), the paper's intermediate SE sizes (p. 2, Table S2), each with
 * its own porosity (18.1 / 21.4 %, Table S1) and measured sigma_ion,eff / sigma_el,eff (0.199 / 0.257 and
 * 0.153 / 0.311 mS/cm, Table S4): measured first discharge at C/20 165 +- 3 mAh/g for both (p. 4; first charge
 * 212 +- 4), about 160 / 157 at C/10 (Fig. 4c, read from the figure). NOT reproduced: with the measured
 * conductivities the model's capacity stays within 0.5 % of composite S's at both rates (+19 % at C/20), like XL:
 * what makes the coarser composites hold less is not in their measured transport (README). */
static void test_schlautmann_M_L(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    static const char *const names[2] = {"schlautmann2023_ncm811_M.json", "schlautmann2023_ncm811_L.json"};
    static const double c10[2] = {160.0, 157.0}; /* Fig. 4c, cycle 1, read from the figure */
    ssb_cell_params *ps = NULL;
    ssb_cell *cs = load(ctx, "schlautmann2023_ncm811_S.json", &ps);
    const double s20 = discharge(ctx, cs, 0.05, 2.62), s10 = discharge(ctx, cs, 0.1, 2.62);
    for (int k = 0; k < 2; k++) {
        ssb_cell_params *p = NULL;
        ssb_cell *cell = load(ctx, names[k], &p);
        const double q20 = discharge(ctx, cell, 0.05, 2.62), q10 = discharge(ctx, cell, 0.1, 2.62);
        print_message("Schlautmann 2023 %s, to 2.62 V: C/20 ssbnet %.1f mAh/g, measured 165 +- 3 (%+.1f %%); C/10 "
                      "%.1f, measured ~%.0f (Fig. 4c; %+.1f %%); S %.1f / %.1f\n",
                      k ? "L" : "M", q20, 100.0 * (q20 / 165.0 - 1.0), q10, c10[k], 100.0 * (q10 / c10[k] - 1.0), s20,
                      s10);
        assert_true(fabs(q20 / s20 - 1.0) < 5e-3 && fabs(q10 / s10 - 1.0) < 5e-3);
        assert_true(q20 > 1.10 * 165.0 && q10 > 1.10 * c10[k]);
        ssb_cell_destroy(&cell);
        ssb_cell_params_destroy(&p);
    }
    ssb_cell_destroy(&cs);
    ssb_cell_params_destroy(&ps);
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
 * (test_schlautmann_M_L, test_schlautmann_XL_psd, README). The charge ratio carries S's +- 24 (10 %). */
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
        TU_ASSERT_REL(q20, share * q20_all, 5e-3); /* the capacity follows the share handed over */
        assert_true(fabs(q20 / q20_meas[k] - 1.0) <= 0.10);
        assert_true(fabs(q10 / q10_meas[k] - 1.0) <= 0.10);
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
    ssb_materials *db = NULL;
    TU_OK(ctx, ssb_materials_create(ctx, &db));
    TU_OK(ctx, ssb_materials_load_builtin(ctx, db));
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
        cmocka_unit_test(test_schlautmann_S),
        cmocka_unit_test(test_schlautmann_XL),
        cmocka_unit_test(test_minnmann_c10),
        cmocka_unit_test(test_ncm622_halfcell),
        cmocka_unit_test(test_ocv_range),
        cmocka_unit_test(test_schlautmann_se_size),
        cmocka_unit_test(test_schlautmann_M_L),
        cmocka_unit_test(test_schlautmann_XL_psd),
        cmocka_unit_test(test_schlautmann_charge_share),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
