/* Shared pieces of the micro and run commands. */
#ifndef SSB_CLI_MICRO_H
#define SSB_CLI_MICRO_H

#include "cli.h"

#include <ssbnet/ssb_grid.h>
#include <ssbnet/ssb_micro_gen.h>

/* Labels of the generated composite cathode. */
enum { CLI_LABEL_PORE = 0, CLI_LABEL_SE = 1, CLI_LABEL_CAM = 2, CLI_LABEL_CARBON = 3 };

/* The generated composite cathode. */
typedef struct {
    int64_t dims[3];
    double voxel_um;
    uint64_t seed;
    char cam[64], se[64], carbon[64];
    double cam_vf, cam_d_um, cam_gsd;
    double carbon_vf, carbon_d_um;
    double pore_vf, pore_d_um;
    double overlap;
} cli_cathode_spec;

cli_cathode_spec cli_cathode_spec_default(void);
/* Generate the cathode of spec s with the materials' conductivities; *out owned by the caller. Exit status. */
int cli_micro_default_cathode(cli_env *env, const cli_cathode_spec *s, ssb_grid **out,
                              ssb_micro_electrode_result *res);
/* Fill sigma_ion / sigma_el of every phase whose name is a material of the database (25 C values).
 * Phases with role pore get 0. Exit status (unknown material names are not an error; they keep their values). */
int cli_micro_assign_materials(cli_env *env, ssb_grid *g);
/* ssbnet micro analyze */
int cli_micro_analyze(cli_env *env, int argc, char **argv);

#endif
