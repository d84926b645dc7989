/* Conductivities of microstructure phases from the materials database (the library's rule, ssb_run.h). */
#include "cli_micro.h"

#include <ssbnet/ssb_materials.h>
#include <ssbnet/ssb_run.h>

int cli_micro_assign_materials(cli_env *env, ssb_grid *g, double T)
{
    ssb_materials *db = NULL;
    int r = ssb_materials_create(env->ctx, &db);
    if (r == SSB_OK) r = ssb_materials_load_builtin(env->ctx, db);
    if (r == SSB_OK) r = ssb_run_assign_materials(env->ctx, db, g, T, NULL);
    ssb_materials_destroy(&db);
    return r == SSB_OK ? 0 : cli_fail(env, r);
}
