/* ssbnet cell defaults: the built-in default cell as a cell file (the cell model's keys plus the "microstructure"
 * and "run" blocks of 'ssbnet run'), so that `ssbnet cell defaults > cell.json` runs identically when read back. */
#include "cli.h"

#include <ssbnet/ssb_cell.h>
#include <ssbnet/ssb_run.h>

#include <string.h>

int cli_cell_defaults(cli_env *env, int argc, char **argv)
{
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf(
                "usage: ssbnet cell defaults > cell.json\n\n"
                "Print the built-in default cell (the cell of 'ssbnet run' and 'ssbnet cell run|rates' without a\n"
                "file) as a cell file: the cell model's keys (include/ssbnet/ssb_cell.h) and the \"microstructure\"\n"
                "and \"run\" blocks of 'ssbnet run'. Edit it and pass it back: 'ssbnet run cell.json'.\n");
            return 0;
        }
        return cli_usage_error(env, "cell defaults: unexpected argument '%s' (it takes none)", argv[i]);
    }
    cJSON *root = cJSON_Parse(ssb_cell_params_default_json());
    if (!root) {
        fprintf(stderr, "ssbnet: error: the built-in default cell does not parse (a bug)\n");
        return CLI_EXIT_INTERNAL;
    }
    cJSON *out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "schema", "ssbnet-cell-1");
    cJSON_AddStringToObject(out, "title", "ssbnet built-in default cell");
    cJSON *it = root->child;
    while (it) { /* move the cell keys over, in order */
        cJSON *next = it->next;
        cJSON_AddItemToObject(out, it->string, cJSON_DetachItemViaPointer(root, it));
        it = next;
    }
    cJSON_Delete(root);
    ssb_run_params rp = ssb_run_params_default();
    cJSON *m = cJSON_AddObjectToObject(out, "microstructure");
    cJSON_AddBoolToObject(m, "enabled", rp.micro);
    cJSON_AddNumberToObject(m, "size_voxels", (double)rp.cross_section);
    cJSON_AddNumberToObject(m, "through_plane_voxels", (double)rp.through_plane);
    cJSON_AddNumberToObject(m, "voxel_size_um", rp.voxel_size * 1e6);
    cJSON_AddNumberToObject(m, "seed", (double)rp.seed);
    cJSON_AddNumberToObject(m, "cam_gsd", rp.cam_gsd);
    cJSON_AddStringToObject(m, "carbon", rp.carbon);
    cJSON_AddNumberToObject(m, "carbon_diameter_um", rp.carbon_diameter * 1e6);
    cJSON_AddNumberToObject(m, "pore_diameter_um", rp.pore_diameter * 1e6);
    cJSON_AddNumberToObject(m, "overlap", rp.overlap);
    cJSON_AddBoolToObject(m, "marching_cubes", rp.marching_cubes);
    /* electrode architecture (issue 12), all off */
    cJSON_AddNumberToObject(m, "se_diameter_um", rp.se_diameter * 1e6);
    cJSON_AddNumberToObject(m, "channel_fraction", rp.channel_fraction);
    cJSON_AddNumberToObject(m, "channel_diameter_um", rp.channel_diameter * 1e6);
    cJSON_AddStringToObject(m, "carbon_shape", rp.carbon_shape == SSB_MICRO_PARTICLE_FIBRE ? "fibre" : "sphere");
    cJSON_AddNumberToObject(m, "fibre_length_um", rp.fibre_length * 1e6);
    cJSON_AddNumberToObject(m, "cam_small_fraction", rp.cam_small_fraction);
    cJSON_AddNumberToObject(m, "cam_small_diameter_um", rp.cam_small_diameter * 1e6);
    cJSON_AddNumberToObject(m, "cam_gradient", rp.cam_gradient);
    cJSON *r = cJSON_AddObjectToObject(out, "run");
    cJSON_AddItemToObject(r, "rates_C", cJSON_CreateDoubleArray(rp.rates, rp.nrates));
    cJSON_AddNumberToObject(r, "cutoff_V", rp.cutoff);
    cli_json_print(out);
    return 0;
}
