/* eis: element impedances against impedance.py's element table, circuit-string parsing (names, errors with
 * column and caret), parameter Jacobian against finite differences, the two-rail transmission line (TLM) against
 * a discretised ladder network and its limits. */
#include "testutil.h"

#include <ssbnet/ssb_eis.h>

#include <complex.h>

#include "eis/eis_impl.h" /* CMPLX under clang */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PI_ 3.14159265358979323846

/* Reference: tests/reference/eis/impedance.py/element_values_reference.csv (impedance.py v1.7.1, commit
 * 0b302ca9, every element at params = first n of [0.1, 0.2, 0.3, 0.4] and f = 1e-3, 1, 1e3 Hz). */
static void test_element_table(void **state)
{
    (void)state;
    const char *path = tu_ref("eis/impedance.py/element_values_reference.csv");
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    char line[512];
    int nrows = 0, seen_tlmq = 0;
    double worst = 0;
    while (fgets(line, sizeof line, fp)) {
        if (line[0] == '#' || strncmp(line, "element", 7) == 0) continue;
        char el[16], pstr[64];
        int np;
        double f, zr, zi;
        assert_int_equal(sscanf(line, "%15[^,],%d,%63[^,],%lf,%lf,%lf", el, &np, pstr, &f, &zr, &zi), 6);
        double p[4];
        char *s = pstr;
        for (int k = 0; k < np; k++) p[k] = strtod(s, &s);
        char cs[32];
        snprintf(cs, sizeof cs, "%s7", el);
        ssb_eis_circuit *c = NULL;
        TU_OK(ctx, ssb_eis_circuit_parse(ctx, cs, &c));
        assert_int_equal(ssb_eis_circuit_get_nparams(c), np);
        double r, i;
        TU_OK(ctx, ssb_eis_circuit_impedance(ctx, c, p, 1, &f, &r, &i));
        double err = cabs(CMPLX(r - zr, i - zi)) / cabs(CMPLX(zr, zi));
        if (err > worst) worst = err;
        if (!(err <= 1e-10)) fail_msg("%s at f = %g: Z = %.15g%+.15gj, reference %.15g%+.15gj (rel %.3g)", el, f, r, i, zr, zi, err);
        if (strcmp(el, "TLMQ") == 0) seen_tlmq = 1;
        ssb_eis_circuit_destroy(&c);
        nrows++;
    }
    fclose(fp);
    assert_int_equal(nrows, 42); /* 14 elements x 3 frequencies */
    assert_true(seen_tlmq);
    print_message("PASS element table: %d rows, worst relative error %.2e (tolerance 1e-10)\n", nrows, worst);
    ssb_ctx_destroy(&ctx);
}

static void test_parse_names(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_eis_circuit *c = NULL;
    TU_OK(ctx, ssb_eis_circuit_parse(ctx, " R0 - p(R1, CPE1) - p(R2-Wo1 ,C2)", &c));
    assert_string_equal(ssb_eis_circuit_get_string(c), "R0-p(R1,CPE1)-p(R2-Wo1,C2)");
    const char *expect[] = {"R0", "R1", "CPE1_0", "CPE1_1", "R2", "Wo1_0", "Wo1_1", "C2"};
    const char *units[] = {"Ohm", "Ohm", "F s^(a-1)", "1", "Ohm", "Ohm", "s", "F"};
    assert_int_equal(ssb_eis_circuit_get_nparams(c), 8);
    for (int k = 0; k < 8; k++) {
        assert_string_equal(ssb_eis_circuit_get_param_name(c, k), expect[k]);
        assert_string_equal(ssb_eis_circuit_get_param_unit(c, k), units[k]);
    }
    assert_null(ssb_eis_circuit_get_param_name(c, 8));
    assert_int_equal(ssb_eis_circuit_find_param(c, "Wo1_1"), 6);
    assert_int_equal(ssb_eis_circuit_find_param(c, "Wo1"), -1);
    double lo = -1, hi = -1;
    ssb_eis_circuit_get_param_bounds(c, 3, &lo, &hi);
    assert_true(lo == 0.0 && hi == 1.0); /* CPE alpha <= 1 as impedance.py */
    ssb_eis_circuit_get_param_bounds(c, 6, &lo, &hi);
    assert_true(lo == 0.0 && isinf(hi));
    /* series / parallel arithmetic: R0 + (R1 || C1) at one frequency, by hand */
    ssb_eis_circuit_destroy(&c);
    TU_OK(ctx, ssb_eis_circuit_parse(ctx, "L_0-R_0-p(R_1,C_1)", &c));
    assert_string_equal(ssb_eis_circuit_get_param_name(c, 3), "C_1");
    double p[4] = {2.385e-7, 0.0173, 0.0431, 2.7}, f = 3.17, zr, zi;
    TU_OK(ctx, ssb_eis_circuit_impedance(ctx, c, p, 1, &f, &zr, &zi));
    double w = 2 * PI_ * f;
    double complex ze = CMPLX(0, w * p[0]) + p[1] + 1.0 / (1.0 / p[2] + CMPLX(0, w * p[3]));
    TU_ASSERT_REL(zr, creal(ze), 1e-14);
    TU_ASSERT_REL(zi, cimag(ze), 1e-14);
    ssb_eis_circuit_destroy(&c);
    /* nested parallel blocks and a three-branch parallel */
    TU_OK(ctx, ssb_eis_circuit_parse(ctx, "p(R1,p(R2-C2,L3),Ws4)", &c));
    assert_int_equal(ssb_eis_circuit_get_nparams(c), 6);
    assert_string_equal(ssb_eis_circuit_get_param_name(c, 5), "Ws4_1");
    ssb_eis_circuit_destroy(&c);
    assert_non_null(strstr(ssb_eis_element_types(), "TLM"));
    ssb_ctx_destroy(&ctx);
}

/* Malformed strings: SSB_ERR_ARG, the message names the column and the caret sits under that character. */
static void expect_parse_error(ssb_ctx *ctx, const char *str, int col, const char *needle)
{
    ssb_eis_circuit *c = NULL;
    int rc = ssb_eis_circuit_parse(ctx, str, &c);
    if (rc != SSB_ERR_ARG) fail_msg("'%s': rc %d, expected SSB_ERR_ARG", str, rc);
    assert_null(c);
    const char *msg = ssb_ctx_get_error(ctx);
    char want[32];
    snprintf(want, sizeof want, "at column %d\n", col);
    if (!strstr(msg, want)) fail_msg("'%s': message '%s' lacks '%s'", str, msg, want);
    if (needle && !strstr(msg, needle)) fail_msg("'%s': message '%s' lacks '%s'", str, msg, needle);
    /* caret line: last line, '^' at 2 + (col - 1) */
    const char *last = strrchr(msg, '\n');
    assert_non_null(last);
    last++;
    const char *caret = strchr(last, '^');
    assert_non_null(caret);
    assert_int_equal((int)(caret - last), 2 + col - 1);
    /* the line above shows the string itself */
    assert_non_null(strstr(msg, str));
}

static void test_parse_errors(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    expect_parse_error(ctx, "R0-p(R1,C1", 11, "expected ',' or ')'");
    expect_parse_error(ctx, "R0-p(R1;C1)", 8, "';'");
    expect_parse_error(ctx, "R0-Q1", 4, "unknown element type 'Q'");
    expect_parse_error(ctx, "R0-p(R1,CPE)", 12, "needs a number");
    expect_parse_error(ctx, "R0-p(R1,C1)-", 13, "unexpected end");
    expect_parse_error(ctx, "R0-p(R1,C1))", 12, "unmatched ')'");
    expect_parse_error(ctx, "R0-p(R1,R0)", 9, "duplicate element name 'R0' (first at column 1)");
    expect_parse_error(ctx, "R0,C1", 3, "outside a parallel block");
    expect_parse_error(ctx, "R0-p()", 6, "unexpected ')'");
    expect_parse_error(ctx, "R0 C1", 4, "join elements with '-'");
    ssb_eis_circuit *c = NULL;
    assert_int_equal(ssb_eis_circuit_parse(ctx, "   ", &c), SSB_ERR_ARG);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "empty"));
    assert_int_equal(ssb_eis_circuit_parse(ctx, NULL, &c), SSB_ERR_ARG);
    /* deep nesting is bounded, not a stack overflow */
    char deep[2400];
    size_t k = 0;
    for (int d = 0; d < 300; d++) {
        memcpy(deep + k, "p(R", 3);
        k += 3;
        k += (size_t)sprintf(deep + k, "%d,", d);
    }
    deep[k] = '\0';
    assert_int_equal(ssb_eis_circuit_parse(ctx, deep, &c), SSB_ERR_ARG);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "nested deeper"));
    /* evaluation errors */
    TU_OK(ctx, ssb_eis_circuit_parse(ctx, "R1-C2", &c));
    double p[2] = {1.3, NAN}, f = 10, zr, zi;
    assert_int_equal(ssb_eis_circuit_impedance(ctx, c, p, 1, &f, &zr, &zi), SSB_ERR_RANGE);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "C2"));
    p[1] = 2e-3;
    f = -4;
    assert_int_equal(ssb_eis_circuit_impedance(ctx, c, p, 1, &f, &zr, &zi), SSB_ERR_RANGE);
    ssb_eis_circuit_destroy(&c);
    print_message("PASS circuit-string errors point at the character\n");
    ssb_ctx_destroy(&ctx);
}

/* Analytic (and internal central-difference) Jacobian against a Richardson-extrapolated difference of the
 * public impedance, for a circuit that contains every element type. */
static void test_jacobian(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_eis_circuit *c = NULL;
    TU_OK(ctx, ssb_eis_circuit_parse(ctx,
                                     "R0-L0-p(R1,CPE1)-p(W1,C2)-p(Wo1,Ws1)-G1-p(Gs1,La1)-K1-Zarc1-TLMQ1-T1-TLM1",
                                     &c));
    int np = ssb_eis_circuit_get_nparams(c);
    assert_int_equal(np, 1 + 1 + 1 + 2 + 1 + 1 + 2 + 2 + 2 + 3 + 2 + 2 + 3 + 3 + 4 + 5);
    double p[40];
    for (int k = 0; k < np; k++) p[k] = 0.137 + 0.0517 * k; /* alpha-like values stay below 1 */
    double f[3] = {0.0731, 12.9, 4.4e3};
    double jre[3 * 40], jim[3 * 40], z0r[3], z0i[3], zmod[3];
    TU_OK(ctx, ssb_eis_circuit_jacobian(ctx, c, p, 3, f, jre, jim));
    TU_OK(ctx, ssb_eis_circuit_impedance(ctx, c, p, 3, f, z0r, z0i));
    for (int i = 0; i < 3; i++) zmod[i] = cabs(CMPLX(z0r[i], z0i[i]));
    double worst = 0;
    for (int k = 0; k < np; k++) {
        double q[40];
        memcpy(q, p, sizeof q);
        double h = 1e-3 * p[k], d1r[3], d1i[3], d2r[3], d2i[3], a[3], b[3], a2[3], b2[3];
        q[k] = p[k] + h;
        TU_OK(ctx, ssb_eis_circuit_impedance(ctx, c, q, 3, f, a, b));
        q[k] = p[k] - h;
        TU_OK(ctx, ssb_eis_circuit_impedance(ctx, c, q, 3, f, a2, b2));
        for (int i = 0; i < 3; i++) {
            d1r[i] = (a[i] - a2[i]) / (2 * h);
            d1i[i] = (b[i] - b2[i]) / (2 * h);
        }
        q[k] = p[k] + h / 2;
        TU_OK(ctx, ssb_eis_circuit_impedance(ctx, c, q, 3, f, a, b));
        q[k] = p[k] - h / 2;
        TU_OK(ctx, ssb_eis_circuit_impedance(ctx, c, q, 3, f, a2, b2));
        for (int i = 0; i < 3; i++) {
            d2r[i] = (a[i] - a2[i]) / h;
            d2i[i] = (b[i] - b2[i]) / h;
            double er = (4 * d2r[i] - d1r[i]) / 3, ei = (4 * d2i[i] - d1i[i]) / 3;
            /* truncation O(h^4) plus round-off ~ eps |Z| / h of the differences */
            double tol = 2e-6 * cabs(CMPLX(er, ei)) + 100 * 2.2e-16 * zmod[i] / h;
            double e = cabs(CMPLX(jre[i * np + k] - er, jim[i * np + k] - ei));
            if (e / tol > worst) worst = e / tol;
            if (!(e < tol))
                fail_msg("dZ/d%s at f = %g: %.10g%+.10gj vs %.10g%+.10gj", ssb_eis_circuit_get_param_name(c, k), f[i],
                         jre[i * np + k], jim[i * np + k], er, ei);
        }
    }
    print_message("PASS Jacobian of %d parameters, worst difference %.2f of the tolerance\n", np, worst);
    ssb_eis_circuit_destroy(&c);
    ssb_ctx_destroy(&ctx);
}

/* Ladder of N cells: ionic rail nodes a_0..a_N, electronic rail nodes e_0..e_N; rail resistors R_ion/N and
 * R_el/N between neighbours; the interface admittance 1/Z_int spread uniformly (trapezoidal lumping: 1/(N Z_int)
 * per interior node, half at the ends) between a_i and e_i. Unit current into a_0, out of e_N (grounded).
 * Unknowns interleaved (a_i = 2i, e_i = 2i + 1): a banded system of half-bandwidth 2, eliminated without
 * pivoting (complex symmetric, diagonally dominant). Returns V(a_0). */
static double complex ladder(int N, double rion, double rel, double complex zint)
{
    int n = 2 * (N + 1);
    double complex(*B)[5] = calloc((size_t)n, sizeof *B); /* B[i][j - i + 2] */
    double complex *b = calloc((size_t)n, sizeof *b);
    double gi = N / rion, ge = N / rel;
    double complex y = 1.0 / (zint * N);
#define ADD(i, j, v) (B[(i)][(j) - (i) + 2] += (v))
    for (int i = 0; i <= N; i++) {
        int a = 2 * i, e = 2 * i + 1;
        double complex yi = (i == 0 || i == N) ? 0.5 * y : y;
        ADD(a, a, yi);
        ADD(a, e, -yi);
        ADD(e, e, yi);
        ADD(e, a, -yi);
        if (i < N) {
            ADD(a, a, gi);
            ADD(a + 2, a + 2, gi);
            ADD(a, a + 2, -gi);
            ADD(a + 2, a, -gi);
            ADD(e, e, ge);
            ADD(e + 2, e + 2, ge);
            ADD(e, e + 2, -ge);
            ADD(e + 2, e, -ge);
        }
    }
#undef ADD
    b[0] = 1.0;
    int g = n - 1; /* ground e_N */
    for (int d = 0; d < 5; d++) B[g][d] = 0;
    B[g][2] = 1.0;
    for (int k = 0; k < n; k++)
        for (int i = k + 1; i <= k + 2 && i < n; i++) {
            double complex m = B[i][k - i + 2] / B[k][2];
            if (m == 0) continue;
            for (int j = k; j <= k + 2 && j < n; j++) B[i][j - i + 2] -= m * B[k][j - k + 2];
            b[i] -= m * b[k];
        }
    for (int k = n - 1; k >= 0; k--) {
        double complex s = b[k];
        for (int j = k + 1; j <= k + 2 && j < n; j++) s -= B[k][j - k + 2] * b[j];
        b[k] = s / B[k][2];
    }
    double complex v = b[0];
    free(B);
    free(b);
    return v;
}

static void test_tlm(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_eis_circuit *c = NULL, *q = NULL;
    TU_OK(ctx, ssb_eis_circuit_parse(ctx, "TLM1", &c));
    assert_string_equal(ssb_eis_circuit_get_param_name(c, 4), "TLM1_4");
    double p[5] = {37.9, 4.13, 211.0, 2.3e-3, 0.87};
    double fs[3] = {0.0613, 5.21, 488.0};
    int N = 4000;
    for (int i = 0; i < 3; i++) {
        double zr, zi;
        TU_OK(ctx, ssb_eis_circuit_impedance(ctx, c, p, 1, &fs[i], &zr, &zi));
        double w = 2 * PI_ * fs[i];
        double complex zint = 1.0 / (1.0 / p[2] + p[3] * cpow(CMPLX(0, w), p[4]));
        double complex zl = ladder(N, p[0], p[1], zint);
        double e = cabs(CMPLX(zr, zi) - zl) / cabs(zl);
        /* second-order discretisation: error ~ (1/N)^2 */
        if (!(e < 2e-6)) fail_msg("TLM vs ladder at f = %g: %g%+gj vs %g%+gj (rel %g)", fs[i], zr, zi, creal(zl), cimag(zl), e);
    }
    /* symmetric in the two rails */
    double ps[5] = {p[1], p[0], p[2], p[3], p[4]}, a, b, a2, b2;
    TU_OK(ctx, ssb_eis_circuit_impedance(ctx, c, p, 1, &fs[1], &a, &b));
    TU_OK(ctx, ssb_eis_circuit_impedance(ctx, c, ps, 1, &fs[1], &a2, &b2));
    TU_ASSERT_REL(a2, a, 1e-13);
    TU_ASSERT_REL(b2, b, 1e-13);
    /* R_el -> 0 and R_ct -> inf: the de Levie line TLMQ with the same CPE */
    TU_OK(ctx, ssb_eis_circuit_parse(ctx, "TLMQ1", &q));
    double pz[5] = {p[0], 0.0, 1e300, p[3], p[4]}, pq[3] = {p[0], p[3], p[4]};
    for (int i = 0; i < 3; i++) {
        TU_OK(ctx, ssb_eis_circuit_impedance(ctx, c, pz, 1, &fs[i], &a, &b));
        TU_OK(ctx, ssb_eis_circuit_impedance(ctx, q, pq, 1, &fs[i], &a2, &b2));
        TU_ASSERT_REL(a, a2, 1e-12);
        TU_ASSERT_REL(b, b2, 1e-12);
    }
    /* blocking interface at low frequency: (R_ion + R_el)/3 + 1/(j w Q) for alpha = 1 */
    double pb[5] = {p[0], p[1], 1e300, 1.7e-3, 1.0}, fl = 1e-5;
    TU_OK(ctx, ssb_eis_circuit_impedance(ctx, c, pb, 1, &fl, &a, &b));
    TU_ASSERT_REL(a, (p[0] + p[1]) / 3.0, 1e-6);
    TU_ASSERT_REL(b, -1.0 / (2 * PI_ * fl * 1.7e-3), 1e-9);
    /* very high frequency: parallel rails R_ion R_el / (R_ion + R_el), no overflow */
    double fh = 1e12;
    TU_OK(ctx, ssb_eis_circuit_impedance(ctx, c, p, 1, &fh, &a, &b));
    TU_ASSERT_REL(a, p[0] * p[1] / (p[0] + p[1]), 1e-3);
    print_message("PASS TLM: ladder (N = %d) within 2e-6, rail symmetry, de Levie and blocking limits\n", N);
    ssb_eis_circuit_destroy(&c);
    ssb_eis_circuit_destroy(&q);
    ssb_ctx_destroy(&ctx);
}

/* Simulation grid and large-argument robustness of the finite Warburg elements. */
static void test_simulate(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_eis_circuit *c = NULL;
    TU_OK(ctx, ssb_eis_circuit_parse(ctx, "R0-p(R1,C1)-Wo1", &c));
    double p[5] = {12.7, 83.1, 2.2e-6, 41.0, 3.9};
    ssb_eis_spectrum *s = NULL;
    TU_OK(ctx, ssb_eis_circuit_simulate(ctx, c, p, 1e-2, 1e6, 10, &s));
    assert_int_equal(s->n, 81);
    TU_ASSERT_REL(s->f[0], 1e6, 1e-15);
    TU_ASSERT_REL(s->f[80], 1e-2, 1e-13);
    TU_ASSERT_REL(s->f[10], 1e5, 1e-13);
    TU_OK(ctx, ssb_eis_spectrum_check(ctx, s, NULL));
    /* at 1 MHz the Warburg (tau 3.9 s, |s| ~ 3900) must not overflow: Z -> R0 + Z0/sqrt(j w tau) */
    assert_true(isfinite(s->zre[0]) && isfinite(s->zim[0]));
    /* low-frequency limit of Wo: Z0/3 + Z0/(j w tau) */
    double fl = 1e-7, zr, zi;
    TU_OK(ctx, ssb_eis_circuit_impedance(ctx, c, p, 1, &fl, &zr, &zi));
    TU_ASSERT_REL(zr, p[0] + p[1] + p[3] / 3.0, 1e-6);
    ssb_eis_spectrum_destroy(&s);
    assert_int_equal(ssb_eis_circuit_simulate(ctx, c, p, 10, 1, 10, &s), SSB_ERR_RANGE);
    assert_null(s);
    assert_int_equal(ssb_eis_circuit_simulate(ctx, c, p, 1, 10, 0, &s), SSB_ERR_RANGE);
    /* non-physical values: a negative R1 gave Z' < 0, C1 = 0 an open circuit; each is refused by name */
    p[1] = -83.1;
    assert_int_equal(ssb_eis_circuit_simulate(ctx, c, p, 1, 10, 10, &s), SSB_ERR_RANGE);
    assert_null(s);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "R1 = -83.1 Ohm"));
    p[1] = 83.1;
    p[2] = 0.0;
    assert_int_equal(ssb_eis_circuit_simulate(ctx, c, p, 1, 10, 10, &s), SSB_ERR_RANGE);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "C1 = 0 F"));
    ssb_eis_circuit_destroy(&c);
    /* the CPE exponent is at most 1 */
    TU_OK(ctx, ssb_eis_circuit_parse(ctx, "p(R1,CPE1)", &c));
    double q[3] = {100.0, 1e-6, 1.2};
    assert_int_equal(ssb_eis_circuit_simulate(ctx, c, q, 1, 10, 10, &s), SSB_ERR_RANGE);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "(0, 1]"));
    q[2] = 1.0; /* the ideal capacitor limit is valid */
    TU_OK(ctx, ssb_eis_circuit_simulate(ctx, c, q, 1, 10, 10, &s));
    ssb_eis_spectrum_destroy(&s);
    ssb_eis_circuit_destroy(&c);
    ssb_eis_circuit_destroy(&c); /* NULL-safe */
    ssb_ctx_destroy(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_element_table), cmocka_unit_test(test_parse_names),
                                       cmocka_unit_test(test_parse_errors), cmocka_unit_test(test_jacobian),
                                       cmocka_unit_test(test_tlm), cmocka_unit_test(test_simulate)};
    return cmocka_run_group_tests_name("eis_elements", tests, NULL, NULL);
}
