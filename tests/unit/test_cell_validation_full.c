/* Validation against published solid-state cathodes, the slow part (label "full": packing the fine SE of the paper's
 * measured size distribution takes minutes). Source: E. Schlautmann et al., Adv. Energy Mater. 13, 2302309 (2023),
 * doi:10.1002/aenm.202302309; composites and figures as in test_cell_validation.c and the README table
 * "Validation against published solid-state cathodes". */
#include "cell_validation_util.h"

/* Composites M and L (SE D50vol 11 / 20 um) with the SE packed as the paper's measured volume PSD (Table S2: D10/D50/
 * D90 by volume 2.16 / 11 / 52.71 and 3.76 / 20 / 118.66 um; se_volume_psd from 3 voxels (1.8 / 1.9 um) to half the
 * 57.6 / 60.0 um box): their fines touch (nearly) every CAM sphere, so the per-particle SE contact leaves the capacity
 * at S's (about 163 mAh/g at C/20 with the measured D(x) 'Ruess2020-LPSCl'; 195.8 with the earlier trend), within
 * 10 % of the measured 165 +- 3 for both (p. 4), while S's own 198 is not reached (README): the SE size does not act
 * through missing SE contact per CAM particle. Seed 1: share 1.000 for both (run's cluster measure 0.963 / 0.947). */
static void test_schlautmann_M_L_psd(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    static const char *const names[2] = {"schlautmann2023_ncm811_M.json", "schlautmann2023_ncm811_L.json"};
    static const double dv[2][3] = {{2.16e-6, 11e-6, 52.71e-6}, {3.76e-6, 20e-6, 118.66e-6}}, d50[2] = {11e-6, 20e-6};
    for (int k = 0; k < 2; k++) {
        double run;
        const double share = generated_contact_share(ctx, names[k], d50[k], dv[k], &run);
        const double q = discharge_active_share(ctx, names[k], share, 0.05);
        print_message("Schlautmann %s, SE with the paper's volume PSD: CAM touching SE per particle %.3f, run active "
                      "fraction %.4f; C/20 to 2.62 V %.1f mAh/g (touching only), measured 165 +- 3 (%+.1f %%)\n",
                      k ? "L" : "M", share, run, q, 100.0 * (q / 165.0 - 1.0));
        assert_true(share > 0.97);
        assert_true(fabs(q / 165.0 - 1.0) <= 0.10);
    }
    ssb_ctx_destroy(&ctx);
}

/* Issue 14, the SE size dependence: the per-area SE coverage of the CAM and the insertion-path factor
 * (ssb_micro_cam_paths) of composites S (SE 4 um particles, the file's structure) and M, L, XL with the paper's
 * measured SE volume PSD (Table S2), next to the per-particle contact share. */
static void test_schlautmann_coverage_psd(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    static const char *const names[4] = {"schlautmann2023_ncm811_S.json", "schlautmann2023_ncm811_M.json",
                                         "schlautmann2023_ncm811_L.json", "schlautmann2023_ncm811_XL.json"};
    static const char *const tag[4] = {"S", "M", "L", "XL"};
    static const double dv[4][3] = {
        {0, 0, 0}, {2.16e-6, 11e-6, 52.71e-6}, {3.76e-6, 20e-6, 118.66e-6}, {8.12e-6, 40e-6, 133.16e-6}};
    static const double d50[4] = {4e-6, 11e-6, 20e-6, 31e-6};
    double cov[4], fac[4];
    for (int k = 0; k < 4; k++) {
        double run;
        ssb_micro_cam_result cam;
        ssb_micro_cam_paths paths;
        const double share = generated_contact_share_ex(ctx, names[k], d50[k], k ? dv[k] : NULL, &run, &cam, &paths);
        cov[k] = cam.active_se_coverage;
        fac[k] = paths.length_factor;
        print_message("Schlautmann %s%s: per-particle SE contact %.3f, active (clusters) %.4f, active CAM surface "
                      "covered by Li-connected SE %.3f (all CAM %.3f), insertion-path factor %.3f\n",
                      tag[k], k ? " (paper's SE PSD)" : " (SE 4 um)", share, run, cov[k], cam.se_coverage, fac[k]);
    }
    /* the per-particle flag overstates the coverage: S's particles nearly all touch SE with half their surface bare */
    assert_true(cov[0] > 0.4 && cov[0] < 0.6 && fac[0] > 1.5 && fac[0] < 2.5);
    /* with the paper's PSD the fines cover M's and L's CAM better than S's 4 um particles do: the structures do
       not rank S first, as the measured capacities do (S 198 vs M, L 165 at C/20) */
    assert_true(cov[1] > cov[0] && cov[2] > cov[0] && fac[1] < fac[0] && fac[2] < fac[0]);
    /* XL's rigid coarse spheres (no fines below 8 um) leave the CAM nearly bare, yet XL delivers 152 mAh/g */
    assert_true(cov[3] < 0.1 && fac[3] > 10.0);
    ssb_ctx_destroy(&ctx);
}

/* `ssbnet run` on the seven validation files (their generated structures, seed 1) with the default diffusion length
 * (the particle radius) and with microstructure.diffusion_length = insertion_paths (the radius times the structure's
 * insertion-path factor; README "Coverage and insertion paths"). Measured at 0.1C [S: Fig. 4c; M: Fig. 3 via the
 * digest, test_cell_validation.c]. The default is composition-blind for S/M/L/XL (within 1 %); the factor lowers
 * every cell in the order of the factors, S by about 16 % (to 126.8, measured 179), M and XL far below their
 * measurements, L refused (its equivalent particle is larger than the cathode), and moves Minnmann 61 vol% by less
 * than 3 % (147.1, measured 132): it does not explain the SE-size or the composition dependence. */
static double run_file(ssb_ctx *ctx, const char *name, int paths, double se_d, int *rc_out, ssb_run_result *keep)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/examples/validation/%s", SSB_SOURCE_DIR, name);
    ssb_cell_params *cell = NULL;
    ssb_run_params rp = ssb_run_params_default();
    TU_OK(ctx, ssb_run_load(ctx, NULL, path, &cell, &rp));
    rp.diffusion_paths = paths;
    if (se_d >= 0)
        rp.se_diameter = se_d;
    rp.nrates = 1;
    rp.rates[0] = 0.1;
    rp.iface_hours = 0;
    ssb_run_result res;
    const int rc = ssb_run(ctx, NULL, cell, &rp, &res);
    *rc_out = rc;
    double q = rc == SSB_OK ? res.points[0].specific_capacity / 3600.0 : NAN;
    if (keep)
        *keep = res;
    else
        ssb_run_result_destroy(&res);
    ssb_cell_params_destroy(&cell);
    return q;
}

static void test_run_insertion_paths(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    static const char *const names[7] = {"schlautmann2023_ncm811_S.json",  "schlautmann2023_ncm811_M.json",
                                         "schlautmann2023_ncm811_L.json",  "schlautmann2023_ncm811_XL.json",
                                         "minnmann2021_ncm622_33vol.json", "minnmann2021_ncm622_42vol.json",
                                         "minnmann2021_ncm622_61vol.json"};
    static const double meas[7] = {179, 160, 157, 151, 137, 154, 132};
    double q0[7], q1[7], f[7];
    for (int k = 0; k < 7; k++) {
        int rc0, rc1;
        ssb_run_result r;
        q0[k] = run_file(ctx, names[k], 0, -1, &rc0, &r);
        f[k] = r.paths.length_factor;
        const double cov = r.cam.active_se_coverage;
        ssb_run_result_destroy(&r);
        assert_int_equal(rc0, SSB_OK);
        q1[k] = run_file(ctx, names[k], 1, -1, &rc1, NULL);
        print_message("%s: coverage %.3f, factor %.3f; run 0.1C %.1f (particle) / %.1f (insertion paths) mAh/g, "
                      "measured %.0f\n",
                      names[k], cov, f[k], q0[k], q1[k], meas[k]);
        if (k == 2) {
            assert_int_equal(rc1, SSB_ERR_RANGE); /* L: equivalent particle 110 um in a 60 um cathode */
            continue;
        }
        assert_int_equal(rc1, SSB_OK);
        assert_true(q1[k] <= q0[k] * (1 + 1e-6));
    }
    for (int k = 1; k < 4; k++)
        assert_true(fabs(q0[k] / q0[0] - 1.0) < 0.01); /* the default: blind to the SE size */
    assert_true(q1[0] > q1[1] && q1[1] > q1[3]);       /* S > M > XL, in the order of the factors */
    assert_true(q1[0] < 0.9 * meas[0] && q1[1] < 0.6 * meas[1] && q1[3] < 0.2 * meas[3]);
    assert_true(fabs(q1[6] / q0[6] - 1.0) < 0.05 && q1[6] > 1.05 * meas[6]); /* 61 vol%: not reached */
    assert_true(fabs(q1[4] / meas[4] - 1.0) < 0.02 && fabs(q1[5] / meas[5] - 1.0) < 0.10);
    ssb_ctx_destroy(&ctx);
}

/* Minnmann 61 vol% with its SE as particles instead of the matrix (the paper's SE has particles > 10 um before
 * grinding, Table SV, not available here; README sensitivity, stated before it was run): with 8 um SE particles the
 * structure's sigma_ion,eff comes within a factor 4 of the measured 3.04e-6 S/cm (Fig. 2; the matrix: 60 times
 * above), yet the CAM clusters all touch Li-connected SE (active share >= 0.99) and the capacity at 0.1C stays
 * within 1 % of the matrix structure's 151.2 mAh/g (measured 132): the cluster measure finds no ionically
 * isolated CAM. */
static void test_minnmann_61_se_particles(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    int rc;
    ssb_run_result r0, r8;
    const double q0 = run_file(ctx, "minnmann2021_ncm622_61vol.json", 0, -1, &rc, &r0);
    assert_int_equal(rc, SSB_OK);
    const double q8 = run_file(ctx, "minnmann2021_ncm622_61vol.json", 0, 8e-6, &rc, &r8);
    assert_int_equal(rc, SSB_OK);
    print_message("Minnmann 61 vol%%, SE matrix / 8 um SE particles: sigma_ion,eff %.3g / %.3g S/m (measured 3.04e-4), "
                  "active CAM %.4f / %.4f, coverage %.3f / %.3f, 0.1C %.1f / %.1f mAh/g (measured 132)\n",
                  r0.ion.sigma_eff, r8.ion.sigma_eff, r0.cam.active_fraction, r8.cam.active_fraction,
                  r0.cam.active_se_coverage, r8.cam.active_se_coverage, q0, q8);
    assert_true(r0.ion.sigma_eff > 30 * 3.04e-4);
    assert_true(r8.ion.sigma_eff < 4 * 3.04e-4 && r8.ion.sigma_eff > 3.04e-4);
    assert_true(r8.cam.active_fraction >= 0.99 && r8.cam.active_se_coverage < 0.5 * r0.cam.active_se_coverage);
    assert_true(fabs(q8 / q0 - 1.0) < 0.01 && q8 > 1.10 * 132.0);
    ssb_run_result_destroy(&r0);
    ssb_run_result_destroy(&r8);
    ssb_ctx_destroy(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schlautmann_M_L_psd),
        cmocka_unit_test(test_schlautmann_coverage_psd),
        cmocka_unit_test(test_run_insertion_paths),
        cmocka_unit_test(test_minnmann_61_se_particles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
