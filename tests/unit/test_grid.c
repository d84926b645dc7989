/* Grid: creation limits, phase table, 64-bit indexing, through-plane flood fills. */
#include "testutil.h"

#include <ssbnet/ssb_grid.h>

#include <string.h>

static void test_create_errors(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    ssb_grid *g = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    assert_int_equal(ssb_grid_create(ctx, 0, 4, 4, 1e-6, 1e-6, 1e-6, &g), SSB_ERR_RANGE);
    assert_int_equal(ssb_grid_create(ctx, 4, 4, 4, 1e-6, -1e-6, 1e-6, &g), SSB_ERR_RANGE);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "voxel size along y"));
    assert_int_equal(ssb_grid_create(ctx, 4, 4, 4, 0.0, 1e-6, 1e-6, &g), SSB_ERR_RANGE);
    assert_null(g);
    ssb_axis ax;
    assert_int_equal(ssb_axis_parse(ctx, "w", &ax), SSB_ERR_ARG);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "'w'"));
    assert_int_equal(ssb_axis_parse(ctx, "Z", &ax), SSB_OK);
    assert_int_equal(ax, SSB_AXIS_Z);
    ssb_ctx_destroy(&ctx);
}

static void test_phases(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    ssb_grid *g = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    TU_OK(ctx, ssb_grid_create(ctx, 5, 6, 7, 0.5e-6, 0.6e-6, 0.7e-6, &g));
    int64_t d[3];
    ssb_grid_get_dims(g, d);
    assert_true(d[0] == 5 && d[1] == 6 && d[2] == 7);
    uint8_t *lab = ssb_grid_get_labels(g);
    lab[3 + 5 * (2 + 6 * 4)] = 170;
    assert_int_equal(ssb_grid_check_phases(ctx, g), SSB_ERR_NOTFOUND);
    ssb_phase p = {.label = 170, .name = "NCM811", .role = SSB_ROLE_ACTIVE, .sigma_el = 2.385};
    TU_OK(ctx, ssb_grid_set_phase(ctx, g, &p));
    assert_int_equal(ssb_grid_check_phases(ctx, g), SSB_ERR_NOTFOUND); /* label 0 undefined */
    ssb_phase q = {.label = 0, .name = "pore", .role = SSB_ROLE_PORE};
    TU_OK(ctx, ssb_grid_set_phase(ctx, g, &q));
    TU_OK(ctx, ssb_grid_check_phases(ctx, g));
    assert_int_equal(ssb_grid_get_nphases(g), 2);
    assert_int_equal(ssb_grid_get_phase(g, 0)->label, 0);
    assert_ptr_equal(ssb_grid_find_phase_name(g, "ncm811"), ssb_grid_find_phase(g, 170));
    assert_ptr_equal(ssb_grid_find_phase_name(g, "170"), ssb_grid_find_phase(g, 170));
    p.sigma_ion = -1;
    assert_int_equal(ssb_grid_set_phase(ctx, g, &p), SSB_ERR_RANGE);
    int64_t h[256];
    ssb_grid_histogram(g, h);
    assert_true(h[170] == 1 && h[0] == 209);
    ssb_grid_destroy(&g);
    assert_null(g);
    ssb_ctx_destroy(&ctx);
}

/* Dead end and percolating path: a straight z-channel plus a blind branch from the inlet. */
static void test_through_mask(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    ssb_grid *g = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    TU_OK(ctx, ssb_grid_create(ctx, 8, 8, 10, 1e-6, 1e-6, 1e-6, &g));
    uint8_t *lab = ssb_grid_get_labels(g);
    for (int z = 0; z < 10; z++) lab[1 + 8 * (1 + 8 * z)] = 1;  /* through channel */
    for (int z = 0; z < 6; z++) lab[5 + 8 * (5 + 8 * z)] = 1;   /* dead end from inlet */
    for (int z = 3; z < 5; z++) lab[3 + 8 * (6 + 8 * z)] = 1;   /* isolated */
    lab[2 + 8 * (2 + 8 * 4)] = 1;                                /* diagonal to channel: joins only with 26 */
    uint8_t set[256] = {0};
    set[1] = 1;
    uint8_t mask[640];
    int64_t c[4];
    TU_OK(ctx, ssb_grid_through_mask(ctx, g, set, SSB_AXIS_Z, SSB_CONN_6, mask, c));
    assert_true(c[0] == 10 + 6 + 2 + 1);
    assert_true(c[3] == 10 && c[1] == 6 && c[2] == 0);
    TU_OK(ctx, ssb_grid_through_mask(ctx, g, set, SSB_AXIS_Z, SSB_CONN_26, mask, c));
    assert_true(c[3] == 11);
    TU_OK(ctx, ssb_grid_through_mask(ctx, g, set, SSB_AXIS_X, SSB_CONN_6, mask, c));
    assert_true(c[3] == 0);
    assert_int_equal(ssb_grid_through_mask(ctx, g, set, (ssb_axis)3, SSB_CONN_6, mask, c), SSB_ERR_ARG);
    ssb_grid_destroy(&g);
    ssb_ctx_destroy(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_create_errors), cmocka_unit_test(test_phases),
                                       cmocka_unit_test(test_through_mask)};
    return cmocka_run_group_tests_name("grid", tests, NULL, NULL);
}
