/* A cell away from its reference temperature whose particle diffusivity or kinetics carry no activation energy
 * (0, the default cell's and most database materials') keeps them at their reference values while the solid
 * electrolyte's conductivity follows the temperature (Li6PS5Cl 0.37 eV): at -20 C the default cell's solid
 * diffusion loss was the 25 C one. Measured activation energies are tens of kJ/mol (e.g. NMC532 D_Li 18.55 kJ/mol,
 * Mohtat 2020 via PyBaMM, data/materials/cathode.json), so the result is not the cell at T: ssb_cell_create logs
 * one warning naming the keys that are 0, none at the reference temperature or when they are given (quick). */
#include "testutil.h"

#include <ssbnet/ssb_cell.h>

#include <stdio.h>
#include <string.h>

typedef struct {
    int nwarn;
    char last[1024];
} logcap;

static void capture(void *user, ssb_log_level level, const char *object, const char *message)
{
    (void)object;
    logcap *c = user;
    if (level == SSB_LOG_WARN) {
        c->nwarn++;
        snprintf(c->last, sizeof c->last, "%s", message);
    }
}

static int warnings_at(ssb_ctx *ctx, ssb_cell_params *p, double T, logcap *lc)
{
    memset(lc, 0, sizeof *lc);
    TU_OK(ctx, ssb_cell_params_set(ctx, p, "temperature_K", T));
    ssb_cell *c = NULL;
    TU_OK(ctx, ssb_cell_create(ctx, p, &c));
    ssb_cell_destroy(&c);
    return lc->nwarn;
}

static void test_warning_names_missing_activation(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    logcap lc;
    ssb_ctx_set_log(ctx, capture, &lc, SSB_LOG_WARN);
    ssb_cell_params *p = NULL;
    TU_OK(ctx, ssb_cell_params_default(ctx, NULL, &p));
    assert_int_equal(warnings_at(ctx, p, 298.15, &lc), 0);
    assert_int_equal(warnings_at(ctx, p, 253.15, &lc), 1);
    assert_non_null(strstr(lc.last, "positive.activation_energy_diffusion_kJ_per_mol"));
    assert_non_null(strstr(lc.last, "positive.activation_energy_kinetics_kJ_per_mol"));
    assert_non_null(strstr(lc.last, "negative.activation_energy_kinetics_kJ_per_mol"));
    /* given, they act and the warning is gone */
    TU_OK(ctx, ssb_cell_params_set(ctx, p, "positive.activation_energy_diffusion_kJ_per_mol", 18.55));
    TU_OK(ctx, ssb_cell_params_set(ctx, p, "positive.activation_energy_kinetics_kJ_per_mol", 30));
    TU_OK(ctx, ssb_cell_params_set(ctx, p, "negative.activation_energy_kinetics_kJ_per_mol", 30));
    assert_int_equal(warnings_at(ctx, p, 253.15, &lc), 0);
    ssb_cell_params_destroy(&p);
    ssb_ctx_destroy(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_warning_names_missing_activation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
