/* Report writers of the CLI: the network report shared by 'micro analyze' and 'run', and the JSON and table
 * writers of any result type described in the library (ssb_report.h), so that a quantity has one key and one
 * header in every command. */
#ifndef SSB_CLI_REPORT_H
#define SSB_CLI_REPORT_H

#include "cli.h"

#include <ssbnet/ssb_cell.h>
#include <ssbnet/ssb_grid.h>
#include <ssbnet/ssb_micro_analysis.h>
#include <ssbnet/ssb_report.h>

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

/* An overpotential breakdown as JSON: {"ocv_V", "voltage_V", "losses_V": {<ssb_cell_loss_name>: V}, "residual_V"}
 * (the keys of 'ssbnet cell rates'; cmd_cell.c's breakdown_json can use this one). */
cJSON *cli_report_breakdown_json(const ssb_cell_breakdown *b);
/* Add every field of row to obj (keys with their unit suffix; +inf as "inf", NaN as null). Returns obj. */
cJSON *cli_report_json(cJSON *obj, const ssb_report_type *t, const void *row);
/* A table whose first column is first_header (NULL: none) followed by the fields named in keys (field keys
 * without unit, NULL-terminated; NULL: all fields). */
cli_table *cli_report_table(const ssb_report_type *t, const char *first_header, const char *const *keys);
/* A row of that table: first_cell (when the table has a first column), then the fields of row. */
void cli_report_table_row(cli_table *tab, const ssb_report_type *t, const char *first_cell,
                          const char *const *keys, const void *row);

#endif
