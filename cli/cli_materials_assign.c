/* Conductivities of microstructure phases from the materials database. */
#include "cli_micro.h"

#include <ssbnet/ssb_materials.h>

#include <math.h>
#include <string.h>

static int prop_si(cli_env *env, const ssb_material *m, const char *key, double *v, int *from_range)
{
    ssb_mat_prop p;
    *from_range = 0;
    if (ssb_materials_get_prop(env->ctx, m, key, &p) != SSB_OK) {
        ssb_ctx_clear_error(env->ctx);
        return -1;
    }
    if (p.has_value && isfinite(p.si_value)) {
        *v = p.si_value;
        return 0;
    }
    if (isfinite(p.si_min) && isfinite(p.si_max) && p.si_min > 0) {
        *v = sqrt(p.si_min * p.si_max); /* geometric mean of a reported range */
        *from_range = 1;
        return 0;
    }
    return -1;
}

int cli_micro_assign_materials(cli_env *env, ssb_grid *g)
{
    ssb_materials *db = NULL;
    int r = ssb_materials_create(env->ctx, &db);
    if (r == SSB_OK) r = ssb_materials_load_builtin(env->ctx, db);
    if (r != SSB_OK) {
        ssb_materials_destroy(&db);
        return cli_fail(env, r);
    }
    for (int i = 0; i < ssb_grid_get_nphases(g); i++) {
        ssb_phase ph = *ssb_grid_get_phase(g, i);
        if (ph.role == SSB_ROLE_PORE) {
            ph.sigma_ion = ph.sigma_el = 0;
            ssb_grid_set_phase(env->ctx, g, &ph);
            continue;
        }
        const ssb_material *m = NULL;
        const char *name = ph.material[0] ? ph.material : ph.name;
        if (ssb_materials_find(env->ctx, db, name, &m) != SSB_OK) {
            ssb_ctx_clear_error(env->ctx);
            if (!env->quiet)
                cli_progress_done(), fprintf(stderr, "ssbnet: warning: phase '%s' is not in the materials database; its conductivities "
                                "stay %g (ion) and %g (electron) S/m\n", ph.name, ph.sigma_ion, ph.sigma_el);
            continue;
        }
        snprintf(ph.material, sizeof ph.material, "%s", ssb_materials_name(m));
        double v;
        int rng = 0;
        if (ph.role == SSB_ROLE_SE || ph.role == SSB_ROLE_GB || ph.role == SSB_ROLE_COATING) {
            if (ssb_materials_sigma_ion(env->ctx, m, SSB_SIGMA_TOTAL, 298.15, &v, NULL) == SSB_OK)
                ph.sigma_ion = v;
            else if (prop_si(env, m, "sigma_ion", &v, &rng) == 0)
                ph.sigma_ion = v;
            ssb_ctx_clear_error(env->ctx);
        }
        if (prop_si(env, m, "sigma_el", &v, &rng) == 0) {
            if (ph.role == SSB_ROLE_ACTIVE || ph.role == SSB_ROLE_CARBON) ph.sigma_el = v;
            if (rng && !env->quiet)
                cli_progress_done(), fprintf(stderr, "ssbnet: note: %s: sigma_el is a reported range; using its geometric mean %.3g S/m\n",
                        ph.name, v);
        }
        r = ssb_grid_set_phase(env->ctx, g, &ph);
        if (r != SSB_OK) {
            ssb_materials_destroy(&db);
            return cli_fail(env, r);
        }
    }
    ssb_materials_destroy(&db);
    return 0;
}
