/* mech: volume change vs state of charge (database curves: NCM811 after de Biasi et al. 2017 / Koerver et al. 2017,
 * Si linear to +280 % at Li15Si4 after Obrovac & Krause 2007), CAM|SE contact loss per cycle with recovery under
 * stack pressure, cracking (diffusion-induced strain against the elasticity integrals of a sphere, Timoshenko &
 * Goodier's thermal-stress analogue as used by Zhang, Shyy & Sastry 2007) and the Li | SE contact fraction stepped
 * cycle by cycle (against the constant-current run of ssb_mech_li_evaluate and the linear no-creep closed form). */
#include "testutil.h"

#include <ssbnet/ssb_grid.h>
#include <ssbnet/ssb_materials.h>
#include <ssbnet/ssb_mech.h>
#include <ssbnet/ssb_transport.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#define MPA 1e6
#define MA_CM2 10.0
#define FARADAY 96485.33212

static ssb_ctx *ctx;
static ssb_materials *mdb;
static ssb_mech_db *db;

static int setup(void **state)
{
    (void)state;
    return tu_db_open(&ctx, &mdb, &db, NULL);
}

static int teardown(void **state)
{
    (void)state;
    tu_db_close(&ctx, &mdb, &db, NULL);
    return 0;
}

/* The curves: NCM811 shrinks, about -5 % at 85 % delithiation (de Biasi 2017: -5.1 % near x = 0.2); Si grows
 * linearly with x to +280 % at Li15Si4 (Obrovac & Krause 2007); linear interpolation between the points. */
static void test_swelling(void **state)
{
    (void)state;
    const ssb_mech_swelling *ncm, *si;
    TU_OK(ctx, ssb_mech_db_swelling(ctx, db, mdb, "NCM811", &ncm));
    TU_OK(ctx, ssb_mech_db_swelling(ctx, db, mdb, "Si", &si));
    double dv, m;
    TU_OK(ctx, ssb_mech_swelling_at(ctx, ncm, 0.0, &dv, NULL));
    assert_true(dv == 0.0);
    TU_OK(ctx, ssb_mech_swelling_at(ctx, ncm, 0.85, &dv, NULL));
    assert_true(dv <= -0.05 && dv >= -0.07);
    double prev = 1;
    for (int i = 0; i <= 90; i++) { /* monotonic shrinkage with delithiation */
        TU_OK(ctx, ssb_mech_swelling_at(ctx, ncm, i / 100.0, &dv, NULL));
        assert_true(dv <= prev);
        prev = dv;
    }
    TU_OK(ctx, ssb_mech_swelling_at(ctx, si, 0.5, &dv, &m));
    TU_ASSERT_REL(dv, 1.4, 1e-12);
    TU_ASSERT_REL(m, 2.8, 1e-12);
    /* x = 3.75 * soc: +74.7 % per Li per Si */
    TU_OK(ctx, ssb_mech_swelling_at(ctx, si, 1.0 / 3.75, &dv, NULL));
    TU_ASSERT_REL(dv, 2.8 / 3.75, 1e-12);
    assert_int_equal(ssb_mech_swelling_at(ctx, ncm, 0.95, &dv, NULL), SSB_ERR_RANGE);
    assert_int_equal(ssb_mech_db_swelling(ctx, db, mdb, "LLZO", &si), SSB_ERR_NOTFOUND);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "NCM811"));
}

static ssb_mech_cycle_params ncm_in_lpsc(double p, double dv)
{
    const ssb_mech_solid *se, *cam;
    ssb_mech_cycle_params cp = ssb_mech_cycle_params_default();
    if (ssb_mech_db_solid(ctx, db, mdb, "Li6PS5Cl", &se) || ssb_mech_db_solid(ctx, db, mdb, "NCM811", &cam) ||
        ssb_mech_effective_modulus(ctx, se->E, se->nu, cam->E, cam->nu, &cp.gw.E_star))
        fail_msg("%s", ssb_ctx_get_error(ctx));
    cp.gw.hardness = se->H;
    cp.E_se = se->E;
    cp.nu_se = se->nu;
    cp.pressure = p;
    cp.radius = 2.5e-6;
    cp.dv = dv;
    return cp;
}

/* Contact kept at the top of charge rises with the stack pressure; the elastic closure equals the Lame cavity
 * formula p R (1/(3K) + 1/(4G)); no shrinkage or a gap below the closure loses nothing. */
static void test_contact_cycle(void **state)
{
    (void)state;
    const double P[] = {1, 3, 10, 30, 100};
    double prev_kept = -1, prev_loss = 2;
    for (int i = 0; i < 5; i++) {
        ssb_mech_cycle_params cp = ncm_in_lpsc(P[i] * MPA, -0.005);
        ssb_mech_cycle_result r;
        TU_OK(ctx, ssb_mech_contact_cycle(ctx, &cp, &r));
        double K = cp.E_se / (3 * (1 - 2 * cp.nu_se)), G = cp.E_se / (2 * (1 + cp.nu_se));
        TU_ASSERT_REL(r.closure, P[i] * MPA * 2.5e-6 * (1 / (3 * K) + 1 / (4 * G)), 1e-12);
        TU_ASSERT_REL(r.gap, 2.5e-6 * (1 - cbrt(0.995)), 1e-12);
        TU_ASSERT_REL(r.loss, cp.debond * (1 - r.kept), 1e-12);
        ssb_mech_cycle_result rc2; /* the separation handed back skips the solve, same result */
        cp.separation0 = r.separation0;
        TU_OK(ctx, ssb_mech_contact_cycle(ctx, &cp, &rc2));
        TU_ASSERT_REL(rc2.kept, r.kept, 1e-12);
        print_message("p %6g MPa: gap %.3g nm, closure %.3g nm, kept %.4f, loss/cycle %.3g\n", P[i], r.gap * 1e9,
                      r.closure * 1e9, r.kept, r.loss);
        assert_true(r.kept >= prev_kept && r.kept <= 1);
        assert_true(r.loss <= prev_loss);
        prev_kept = r.kept;
        prev_loss = r.loss;
    }
    assert_true(prev_kept == 1.0); /* 100 MPa closes the 4.2 nm gap (12 nm closure) */
    ssb_mech_cycle_params cp = ncm_in_lpsc(10 * MPA, 0.0);
    ssb_mech_cycle_result r;
    TU_OK(ctx, ssb_mech_contact_cycle(ctx, &cp, &r));
    assert_true(r.kept == 1.0 && r.loss == 0.0);
    cp = ncm_in_lpsc(10 * MPA, -0.05); /* -5 %: a 42 nm gap on a 50 nm rough contact keeps only the Gaussian tail */
    TU_OK(ctx, ssb_mech_contact_cycle(ctx, &cp, &r));
    print_message("-5 %% at 10 MPa: gap %.3g nm, kept %.4f\n", r.gap * 1e9, r.kept);
    assert_true(r.kept < 0.5);
    cp.pressure = -1 * MPA;
    assert_int_equal(ssb_mech_contact_cycle(ctx, &cp, &r), SSB_ERR_RANGE);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "pressure"));
}

/* Diffusion-induced strain against the elasticity of a sphere with a concentration field (thermal analogue,
 * alpha T -> Omega c / 3): sigma_theta(R) = (Omega E / (3 (1 - nu))) (2/R^3 int_0^R c r^2 dr - c(R)) evaluated by
 * quadrature of the steady galvanostatic profile c = c0 + (j_n R / D)(r^2 / (2 R^2) - 3/10) (Zhang, Shyy & Sastry,
 * J. Electrochem. Soc. 154, A910 (2007)). */
static void test_crack(void **state)
{
    (void)state;
    const ssb_mech_swelling *ncm;
    TU_OK(ctx, ssb_mech_db_swelling(ctx, db, mdb, "NCM811", &ncm));
    const double R = 5e-6, D = 1e-14, cmax = 49000, nu = 0.25, E = 170e9;
    ssb_mech_crack_result r;
    TU_OK(ctx, ssb_mech_crack(ctx, ncm, 0.1, 0.6, R, D, cmax, 1.0, nu, &r));
    double dv0, dv1, slope;
    TU_OK(ctx, ssb_mech_swelling_at(ctx, ncm, 0.1, &dv0, NULL));
    TU_OK(ctx, ssb_mech_swelling_at(ctx, ncm, 0.6, &dv1, &slope));
    TU_ASSERT_REL(r.strain_volume, fabs(dv1 - dv0) / 3, 1e-12);
    double Omega = fabs(slope) / cmax, jn = cmax * 0.5 * R / (3 * 3600.0);
    /* quadrature (Simpson, 2000 intervals) of 2/R^3 int c r^2 dr for c = (jn R / D)(r^2/(2R^2) - 3/10) */
    int n = 2000;
    double s = 0;
    for (int i = 0; i <= n; i++) {
        double x = R * i / n, c = jn * R / D * (x * x / (2 * R * R) - 0.3), f = c * x * x;
        s += f * (i == 0 || i == n ? 1 : (i % 2 ? 4 : 2));
    }
    s *= R / n / 3;
    double cR = jn * R / D * (0.5 - 0.3);
    double sigma = Omega * E / (3 * (1 - nu)) * (2 / (R * R * R) * s - cR);
    TU_ASSERT_REL(r.strain_diffusion, fabs(sigma) / E, 1e-9);
    print_message("NCM811 R 5 um, 1C, soc 0.1-0.6: strain volume %.3g + diffusion %.3g (limit %.3g)\n", r.strain_volume,
                  r.strain_diffusion, r.limit);
    /* stays intact in the low-voltage window at C/10; cracks over the full window (c-axis collapse) */
    TU_OK(ctx, ssb_mech_crack(ctx, ncm, 0.0, 0.6, R, D, cmax, 0.1, nu, &r));
    assert_false(r.cracked);
    assert_true(r.dead_per_cycle == 0);
    TU_OK(ctx, ssb_mech_crack(ctx, ncm, 0.0, 0.85, R, D, cmax, 0.1, nu, &r));
    assert_true(r.cracked);
    TU_ASSERT_REL(r.dead_per_cycle, ncm->crack_dead_per_cycle, 1e-15);
    /* the diffusion part grows with R^2 and the C-rate */
    ssb_mech_crack_result r2;
    TU_OK(ctx, ssb_mech_crack(ctx, ncm, 0.0, 0.6, 2 * R, D, cmax, 2.0, nu, &r2));
    TU_OK(ctx, ssb_mech_crack(ctx, ncm, 0.0, 0.6, R, D, cmax, 1.0, nu, &r));
    TU_ASSERT_REL(r2.strain_diffusion, 8 * r.strain_diffusion, 1e-12);
    const ssb_mech_swelling *si;
    TU_OK(ctx, ssb_mech_db_swelling(ctx, db, mdb, "Si", &si));
    assert_int_equal(ssb_mech_crack(ctx, si, 0, 1, R, D, cmax, 1, nu, &r), SSB_ERR_UNSUPPORTED);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "fracture_strain"));
}

/* Li | SE contact stepped in time: equals the constant-current run of ssb_mech_li_evaluate; without pressure the
 * loss is linear, phi0 - t V_m (j - j_vac) / (F h); with pressure and no current the voids refill. */
static void test_li_advance(void **state)
{
    (void)state;
    const ssb_mech_anode *li;
    const ssb_mech_solid *se;
    TU_OK(ctx, ssb_mech_db_anode(ctx, db, mdb, "Li", &li));
    TU_OK(ctx, ssb_mech_db_solid(ctx, db, mdb, "Li6PS5Cl", &se));
    double ccs;
    TU_OK(ctx, ssb_mech_li_ccs(ctx, li, 3 * MPA, 298.15, &ccs));
    ssb_mech_li_params lp = ssb_mech_li_params_default();
    lp.pressure = 3 * MPA;
    lp.hours = 10;
    ssb_mech_li_point pt;
    TU_OK(ctx, ssb_mech_li_evaluate(ctx, li, se, &lp, 1.5 * ccs, 0, NULL, NULL, &pt));
    double phi = 1;
    for (int h = 0; h < 10; h++) /* ten one-hour calls as the cycle model makes them */
        TU_OK(ctx, ssb_mech_li_advance(ctx, li, 3 * MPA, 298.15, 1.5 * ccs, phi, 3600, &phi));
    print_message("phi after 10 h at 1.5 CCS: advance %.5f, evaluate %.5f\n", phi, pt.phi_end);
    TU_ASSERT_REL(phi, pt.phi_end, 0.01);
    TU_OK(ctx, ssb_mech_li_advance(ctx, li, 3 * MPA, 298.15, 0.95 * ccs, 1.0, 36000, &phi));
    assert_true(phi == 1.0);
    double jv, jc, j = 0.05 * MA_CM2;
    TU_OK(ctx, ssb_mech_li_supply(ctx, li, 0, 298.15, 1, &jv, &jc));
    TU_OK(ctx, ssb_mech_li_advance(ctx, li, 0, 298.15, j, 1.0, 1000, &phi));
    TU_ASSERT_REL(phi, 1 - 1000 * li->V_m * (j - jv) / (FARADAY * li->void_depth), 1e-9);
    double rec;
    TU_OK(ctx, ssb_mech_li_advance(ctx, li, 5 * MPA, 298.15, -1.0, 0.5, 3600, &rec)); /* plating: recovery */
    assert_true(rec > 0.99);
    TU_OK(ctx, ssb_mech_li_advance(ctx, li, 0, 298.15, -1.0, 0.5, 3600, &rec));
    assert_true(rec > 0.5 && rec < 1); /* vacancy supply only */
    assert_int_equal(ssb_mech_li_advance(ctx, li, -1, 298.15, 1.0, 0.5, 10, &rec), SSB_ERR_RANGE);
}

/* Reuse of the ionic transport under shrinkage: a CAM sphere (no ionic conductivity) in an SE cube shrunk by 10 %
 * leaves the ionic field unchanged (same_field 1; the solve of the shrunk image equals the original's), changes
 * the electronic one (same_field 0). */
static void test_same_field(void **state)
{
    (void)state;
    ssb_grid *g = NULL, *s = NULL;
    int n = 16;
    TU_OK(ctx, ssb_grid_create(ctx, n, n, n, 1e-6, 1e-6, 1e-6, &g));
    ssb_phase se = {.label = 1, .name = "SE", .role = SSB_ROLE_SE, .sigma_ion = 0.1, .sigma_el = 0};
    ssb_phase cam = {.label = 2, .name = "CAM", .role = SSB_ROLE_ACTIVE, .sigma_ion = 0, .sigma_el = 1.0};
    TU_OK(ctx, ssb_grid_set_phase(ctx, g, &se));
    TU_OK(ctx, ssb_grid_set_phase(ctx, g, &cam));
    uint8_t *L = ssb_grid_get_labels(g);
    for (int z = 0; z < n; z++)
        for (int y = 0; y < n; y++)
            for (int x = 0; x < n; x++) {
                double dx = x - 7.5, dy = y - 7.5;
                L[(z * n + y) * n + x] = dx * dx + dy * dy < 25 ? 2 : 1; /* a CAM rod along z */
            }
    double dv;
    TU_OK(ctx, ssb_mech_volume_change(ctx, g, 2, 9, -0.1, &s, &dv));
    double si0[256], si1[256], se0[256], se1[256];
    TU_OK(ctx, ssb_transport_sigma_from_phases(ctx, g, SSB_CARRIER_ION, si0));
    TU_OK(ctx, ssb_transport_sigma_from_phases(ctx, s, SSB_CARRIER_ION, si1));
    TU_OK(ctx, ssb_transport_sigma_from_phases(ctx, g, SSB_CARRIER_ELECTRON, se0));
    TU_OK(ctx, ssb_transport_sigma_from_phases(ctx, s, SSB_CARRIER_ELECTRON, se1));
    assert_int_equal(ssb_mech_same_field(g, si0, s, si1), 1);
    assert_int_equal(ssb_mech_same_field(g, se0, s, se1), 0);
    ssb_transport_params tp = ssb_transport_params_default();
    ssb_transport_result r0, r1, e0, e1;
    TU_OK(ctx, ssb_transport_solve(ctx, g, si0, SSB_AXIS_Z, &tp, &r0));
    TU_OK(ctx, ssb_transport_solve(ctx, s, si1, SSB_AXIS_Z, &tp, &r1));
    TU_ASSERT_REL(r1.sigma_eff, r0.sigma_eff, 1e-12);
    TU_OK(ctx, ssb_transport_solve(ctx, g, se0, SSB_AXIS_Z, &tp, &e0));
    TU_OK(ctx, ssb_transport_solve(ctx, s, se1, SSB_AXIS_Z, &tp, &e1));
    assert_true(e1.sigma_eff < e0.sigma_eff); /* the rod got thinner */
    ssb_transport_result_destroy(&r0);
    ssb_transport_result_destroy(&r1);
    ssb_transport_result_destroy(&e0);
    ssb_transport_result_destroy(&e1);
    ssb_grid_destroy(&s);
    ssb_grid_destroy(&g);
}

/* Si composite anode, closed forms: lithium conservation (every mole from a 3 mAh/cm2 cathode sits in the Si; a
 * return to zero restores the unswollen layer; more than Li15Si4 takes is refused), and the stack pressure rise
 * of a laterally constrained stack against Hooke's law in 3D solved layer by layer (2 x 2 system for the lateral
 * and axial stresses with an isotropic eigenstrain), plus Maxwell relaxation. */
static void test_alloy_stack(void **state)
{
    (void)state;
    const ssb_mech_swelling *si;
    TU_OK(ctx, ssb_mech_db_swelling(ctx, db, mdb, "Si", &si));
    const double L = 20e-6, eps = 0.3, por = 0.2, n_li = 3.0 * 36000.0 / FARADAY; /* 3 mAh/cm2 */
    ssb_mech_alloy_state a;
    TU_OK(ctx, ssb_mech_alloy_lithiate(ctx, si, L, eps, por, n_li, &a));
    TU_ASSERT_REL(a.capacity, 3.75 * eps * L / 12.06e-6, 1e-12);
    TU_ASSERT_REL(a.soc * a.capacity, n_li, 1e-12); /* lithium conserved */
    TU_ASSERT_REL(a.dv_host, 2.8 * a.soc, 1e-12);
    TU_ASSERT_REL(a.e_v, eps * a.dv_host - por, 1e-12);
    print_message("Si composite 20 um, 30 %% Si, 20 %% pores, 3 mAh/cm2: soc %.4f, Si +%.1f %%, layer e_v %.4f\n",
                  a.soc, 100 * a.dv_host, a.e_v);
    ssb_mech_alloy_state z;
    TU_OK(ctx, ssb_mech_alloy_lithiate(ctx, si, L, eps, por, 0.0, &z));
    assert_true(z.soc == 0 && z.e_v == 0);
    assert_int_equal(ssb_mech_alloy_lithiate(ctx, si, L, eps, por, 1.01 * a.capacity, &z), SSB_ERR_RANGE);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "conserved"));
    const ssb_mech_swelling *ncm;
    TU_OK(ctx, ssb_mech_db_swelling(ctx, db, mdb, "NCM811", &ncm));
    assert_int_equal(ssb_mech_alloy_lithiate(ctx, ncm, L, eps, por, n_li, &z), SSB_ERR_UNSUPPORTED);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "host_molar_volume_cm3_per_mol"));

    /* stack: Si composite (E 80 GPa, nu 0.22), Li6PS5Cl separator 30 um, NCM composite 60 um (passive) */
    ssb_mech_stack_params sp = ssb_mech_stack_params_default();
    sp.n = 3;
    const double Ls[3] = {L, 30e-6, 60e-6}, Es[3] = {80e9, 22.1e9, 60e9}, nus[3] = {0.22, 0.27, 0.25};
    const double ev[3] = {0.002, 0, 0}; /* a small swelling: the linear-elastic range */
    for (int i = 0; i < 3; i++) {
        sp.thickness[i] = Ls[i];
        sp.E[i] = Es[i];
        sp.nu[i] = nus[i];
        sp.e_v[i] = ev[i];
    }
    sp.p0 = 1e6;
    sp.fixture_stiffness = 5e15; /* Pa/m */
    double p, dp;
    TU_OK(ctx, ssb_mech_stack_pressure(ctx, &sp, 0, &p, &dp));
    /* 3D Hooke per layer: lateral strain 0, axial stress -q: (s - nu (s - q)) / E + e* = 0 and
     * eps_zz = (-q - 2 nu s) / E + e*, so eps_zz = a_i + b_i q; the fixture pushes back with q = k sum_i L_i
     * eps_zz,i */
    double a0 = 0, a1 = 0;
    for (int i = 0; i < 3; i++) {
        double E = Es[i], nu = nus[i], es = cbrt(1 + ev[i]) - 1;
        /* lateral: s (1 - nu) / E + nu q / E + es = 0 -> s = -(es E + nu q) / (1 - nu) */
        /* axial strain as a + b q: eps_zz = -q/E - 2 nu s / E + es */
        double s_a = -es * E / (1 - nu), s_b = -nu / (1 - nu);
        double ez_a = -2 * nu * s_a / E + es, ez_b = -1 / E - 2 * nu * s_b / E;
        a0 += Ls[i] * ez_a;
        a1 += Ls[i] * ez_b;
    }
    double q = a0 / (1 / sp.fixture_stiffness - a1);
    print_message("stack pressure rise %.4g MPa (3D Hooke %.4g MPa)\n", dp / 1e6, q / 1e6);
    TU_ASSERT_REL(dp, q, 1e-10);
    TU_ASSERT_REL(p, 1e6 + q, 1e-12);
    sp.tau = 3600;
    TU_OK(ctx, ssb_mech_stack_pressure(ctx, &sp, 3600, &p, NULL));
    TU_ASSERT_REL(p, 1e6 + q * exp(-1), 1e-12);
    /* a stiffer fixture holds more pressure */
    sp.fixture_stiffness = INFINITY;
    double p_rigid;
    TU_OK(ctx, ssb_mech_stack_pressure(ctx, &sp, 0, &p_rigid, NULL));
    assert_true(p_rigid > 1e6 + q);
    sp.p0 = -1;
    assert_int_equal(ssb_mech_stack_pressure(ctx, &sp, 0, &p, NULL), SSB_ERR_RANGE);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "p0"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_swelling),   cmocka_unit_test(test_contact_cycle), cmocka_unit_test(test_crack),
        cmocka_unit_test(test_li_advance), cmocka_unit_test(test_same_field),    cmocka_unit_test(test_alloy_stack),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
