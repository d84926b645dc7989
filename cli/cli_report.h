/* Network report shared by 'micro analyze' and 'run'. */
#ifndef SSB_CLI_REPORT_H
#define SSB_CLI_REPORT_H

#include "cli.h"

#include <ssbnet/ssb_grid.h>
#include <ssbnet/ssb_micro_analysis.h>

typedef struct {
    ssb_connectivity conn;
    ssb_axis axis;        /* normal to the current collector */
    int cc_high;          /* current collector at the high-index face */
    int marching_cubes;
    ssb_micro_cam_result *cam_out; /* optional: receives the active-CAM result */
    const ssb_micro_cam_result *cam_in; /* optional: an active-CAM result already computed (ssb_run) to report */
} cli_network_opts;

/* Analyse g, add the results to json, and print tables to out (NULL: no tables). Exit status. */
int cli_report_network(cli_env *env, const ssb_grid *g, const cli_network_opts *o, cJSON *json, FILE *out);

#endif
