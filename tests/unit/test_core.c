/* Core: error table, context trace, RNG reproducibility and statistics. */
#include "testutil.h"
#include "core_impl.h"

#include <math.h>
#include <string.h>

static int failing_inner(ssb_ctx *ctx, double t)
{
    SSB_REQUIRE(ctx, t > 0, SSB_ERR_RANGE, "thickness_um = %g is invalid (must be > 0)", t);
    return SSB_OK;
}
static int failing_outer(ssb_ctx *ctx)
{
    SSB_CHECK(ctx, failing_inner(ctx, -2.385));
    return SSB_OK;
}

static void test_errors(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    assert_int_equal(failing_outer(ctx), SSB_ERR_RANGE);
    assert_int_equal(ssb_ctx_get_error_code(ctx), SSB_ERR_RANGE);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "-2.385"));
    assert_non_null(strstr(ssb_ctx_get_trace(ctx), "failing_inner"));
    assert_non_null(strstr(ssb_ctx_get_trace(ctx), "failing_outer"));
    assert_string_equal(ssb_errcode_name(SSB_ERR_NOCONV), "SSB_ERR_NOCONV");
    assert_string_equal(ssb_errcode_message(12345), "unknown error code");
    ssb_ctx_clear_error(ctx);
    assert_int_equal(ssb_ctx_get_error_code(ctx), SSB_OK);
    ssb_ctx_destroy(&ctx);
    assert_null(ctx);
    ssb_ctx_destroy(&ctx); /* no-op on NULL */
}

static void test_rng(void **state)
{
    (void)state;
    ssb_rng a, b;
    ssb_rng_seed(&a, 2385);
    ssb_rng_seed(&b, 2385);
    for (int i = 0; i < 100; i++) assert_true(ssb_rng_u64(&a) == ssb_rng_u64(&b));
    ssb_rng_seed(&b, 2386);
    assert_true(ssb_rng_u64(&a) != ssb_rng_u64(&b));
    /* mean and variance of uniform and normal variates: 1e5 samples, 5-sigma bounds */
    const int n = 100000;
    double su = 0, su2 = 0, sn = 0, sn2 = 0;
    for (int i = 0; i < n; i++) {
        double u = ssb_rng_uniform(&a);
        assert_true(u >= 0.0 && u < 1.0);
        su += u;
        su2 += u * u;
        double g = ssb_rng_normal(&a);
        sn += g;
        sn2 += g * g;
    }
    assert_true(fabs(su / n - 0.5) < 5 * sqrt(1.0 / 12 / n));
    assert_true(fabs(su2 / n - su * su / n / n - 1.0 / 12) < 0.002);
    assert_true(fabs(sn / n) < 5 / sqrt((double)n));
    assert_true(fabs(sn2 / n - 1.0) < 0.02);
    ssb_rng s1 = ssb_rng_split(&a, 1), s2 = ssb_rng_split(&a, 2);
    assert_true(ssb_rng_u64(&s1) != ssb_rng_u64(&s2));
}

static int cancel_after(void *user, const char *stage, double done, double total)
{
    (void)stage;
    (void)total;
    int *calls = user;
    (*calls)++;
    return done > 0.5;
}

static void test_progress(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    int calls = 0;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_ctx_set_progress(ctx, cancel_after, &calls);
    assert_int_equal(ssbi_progress(ctx, "stage", 0.25, 1.0), SSB_OK);
    assert_int_equal(ssbi_progress(ctx, "stage", 0.75, 1.0), SSB_ERR_CANCELLED);
    assert_int_equal(calls, 2);
    ssb_ctx_destroy(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_errors), cmocka_unit_test(test_rng),
                                       cmocka_unit_test(test_progress)};
    return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
