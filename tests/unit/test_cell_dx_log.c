/* State-dependent solid diffusivity D_s(x) and electronic conductivity sigma_e(x) given as tables (quick).
 * Both vary over orders of magnitude with the state of charge (NCM: D falls ~100x towards full lithiation,
 * Kasnatscheew et al., PCCP 18, 3956 (2016); Ruess et al., JES 167, 100532 (2020); sigma_e of NCM 1e-7 to 1e-2 S/cm,
 * Amin & Chiang, JES 163, A1512 (2016)) and are reported and modelled log-linearly in x (thermally activated
 * hopping, D ~ exp(-E_a(x) / kT)), so a table is interpolated in ln y (PCHIP through ln y: exact at the points,
 * geometric between two points, positive), held at its end values outside. Before, it was interpolated in y itself:
 * between 1e-13 and 1e-15 m2/s the midpoint came out 5.05e-14 instead of 1e-14, and a table's linear extrapolation
 * could make D negative, which the cell model ran with (a diffusion loss of 1e50 mV, exit 0). */
#include "testutil.h"

#include <ssbnet/ssb_cell.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double eval(ssb_ctx *ctx, const ssb_cell_params *p, ssb_cell_fn_slot s, double x, double *d)
{
    double y = NAN;
    TU_OK(ctx, ssb_cell_params_eval_fn(ctx, p, s, x, &y, d));
    return y;
}

/* Two points: log-linear between them (the geometric mean at the midpoint), the exact derivative, held outside. */
static void test_two_points_geometric(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_cell_params *p = NULL;
    TU_OK(ctx, ssb_cell_params_default(ctx, NULL, &p));
    const double x[2] = {0.2, 1.0}, y[2] = {1e-13, 1e-15};
    TU_OK(ctx, ssb_cell_params_set_fn_table(ctx, p, SSB_CELL_FN_DS_POS, 2, x, y));
    double d = NAN;
    TU_ASSERT_REL(eval(ctx, p, SSB_CELL_FN_DS_POS, 0.6, &d), 1e-14, 1e-12);
    TU_ASSERT_REL(d, 1e-14 * log(1e-2) / 0.8, 1e-10); /* dD/dx = D d ln D / dx */
    TU_ASSERT_REL(eval(ctx, p, SSB_CELL_FN_DS_POS, 0.2, NULL), 1e-13, 1e-12);
    TU_ASSERT_REL(eval(ctx, p, SSB_CELL_FN_DS_POS, 1.0, NULL), 1e-15, 1e-12);
    /* held at the end value outside the table, slope 0 */
    TU_ASSERT_REL(eval(ctx, p, SSB_CELL_FN_DS_POS, 0.05, &d), 1e-13, 1e-12);
    assert_true(d == 0.0);
    /* sigma_e(x) the same way: Amin & Chiang's ~1e-7 S/cm lithiated to ~1e-2 S/cm at x = 0.25 [S/m: 1e-5, 1] */
    const double xs[2] = {0.25, 1.0}, ys[2] = {1.0, 1e-5};
    TU_OK(ctx, ssb_cell_params_set_fn_table(ctx, p, SSB_CELL_FN_SIGE_POS, 2, xs, ys));
    TU_ASSERT_REL(eval(ctx, p, SSB_CELL_FN_SIGE_POS, 0.625, NULL), sqrt(1e-5), 1e-12);
    ssb_cell_params_destroy(&p);
    ssb_ctx_destroy(&ctx);
}

/* Points of a log-linear trend D = D0 10^(-2.5 x): the table reproduces the trend between its points (PCHIP through
 * points of a linear function is that function), as the expression of the same trend does. */
static void test_table_reproduces_loglinear_trend(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_cell_params *p = NULL;
    TU_OK(ctx, ssb_cell_params_default(ctx, NULL, &p));
    double x[5], y[5];
    for (int k = 0; k < 5; k++) {
        x[k] = 0.25 * k;
        y[k] = 1e-13 * pow(10.0, -2.5 * x[k]);
    }
    TU_OK(ctx, ssb_cell_params_set_fn_table(ctx, p, SSB_CELL_FN_DS_NEG, 5, x, y));
    for (int k = 0; k <= 20; k++) {
        const double xx = 0.013 + 0.049 * k;
        TU_ASSERT_REL(eval(ctx, p, SSB_CELL_FN_DS_NEG, xx, NULL), 1e-13 * pow(10.0, -2.5 * xx), 1e-12);
    }
    ssb_cell_params_destroy(&p);
    ssb_ctx_destroy(&ctx);
}

/* A non-positive D or sigma_e in a table, or an expression D(x) that is not positive on [0, 1], is refused with the
 * key and the place (SSB_ERR_RANGE); before, the cell ran with a negative D. */
static void test_nonpositive_refused(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_cell_params *p = NULL;
    TU_OK(ctx, ssb_cell_params_default(ctx, NULL, &p));
    const double x[3] = {0.3, 0.6, 0.9}, yneg[3] = {1e-13, 1e-14, -1e-15}, yzero[3] = {1e-13, 0.0, 1e-15};
    assert_int_equal(ssb_cell_params_set_fn_table(ctx, p, SSB_CELL_FN_DS_POS, 3, x, yneg), SSB_ERR_RANGE);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "-1e-15"));
    assert_int_equal(ssb_cell_params_set_fn_table(ctx, p, SSB_CELL_FN_SIGE_POS, 3, x, yzero), SSB_ERR_RANGE);
    /* an expression that turns negative at x = 2/3 */
    TU_OK(ctx, ssb_cell_params_set_fn_expr(ctx, p, SSB_CELL_FN_DS_POS, "1e-13*(1 - 1.5*x)", NAN, NAN));
    ssb_cell *cell = NULL;
    assert_int_equal(ssb_cell_create(ctx, p, &cell), SSB_ERR_RANGE);
    assert_null(cell);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "positive.diffusivity_m2_per_s(x)"));
    /* the same through a cell file: the table's non-positive point names the key */
    ssb_cell_params_destroy(&p);
    assert_int_equal(ssb_cell_params_from_json_string(
                         ctx, NULL, "{\"positive\": {\"diffusivity_m2_per_s\": {\"x\": [0.3, 0.9], \"y\": [1e-13, -1e-15]}}}",
                         "t.json", &p),
                     SSB_ERR_RANGE);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "positive.diffusivity_m2_per_s"));
    ssb_ctx_destroy(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_points_geometric),
        cmocka_unit_test(test_table_reproduces_loglinear_trend),
        cmocka_unit_test(test_nonpositive_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
