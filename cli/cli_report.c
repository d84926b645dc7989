/* JSON and table writers over the library's result-type descriptions (cli_report.h). */
#include "cli_report.h"

#include <math.h>
#include <string.h>

cJSON *cli_report_json(cJSON *obj, const ssb_report_type *t, const void *row)
{
    char key[160], cell[256];
    for (int k = 0; k < t->nfields; k++) {
        const ssb_report_field *f = &t->fields[k];
        ssb_report_field_key(f, key, sizeof key);
        switch (f->kind) {
        case SSB_FIELD_BOOL:
            cJSON_AddBoolToObject(obj, key, ssb_report_field_value(f, row) != 0);
            break;
        case SSB_FIELD_STRING:
            ssb_report_field_format(f, row, cell, sizeof cell);
            cJSON_AddStringToObject(obj, key, cell);
            break;
        case SSB_FIELD_ENUM:
            cJSON_AddStringToObject(obj, key, f->name_of ? f->name_of((int)ssb_report_field_value(f, row)) : "?");
            break;
        default:
            cli_json_add_number(obj, key, ssb_report_field_value(f, row));
            break;
        }
    }
    return obj;
}

/* Fields in the order of keys (or of the description). */
static int columns(const ssb_report_type *t, const char *const *keys, const ssb_report_field **cols, int max)
{
    int n = 0;
    if (!keys) {
        for (int k = 0; k < t->nfields && n < max; k++)
            cols[n++] = &t->fields[k];
        return n;
    }
    for (int i = 0; keys[i]; i++)
        for (int k = 0; k < t->nfields && n < max; k++)
            if (strcmp(keys[i], t->fields[k].key) == 0)
                cols[n++] = &t->fields[k];
    return n;
}

cli_table *cli_report_table(const ssb_report_type *t, const char *first_header, const char *const *keys)
{
    const ssb_report_field *cols[64];
    int n = columns(t, keys, cols, 64);
    char hb[65][96];
    const char *hdr[65];
    int m = 0;
    if (first_header)
        hdr[m++] = first_header;
    for (int k = 0; k < n; k++) {
        ssb_report_field_header(cols[k], hb[m], sizeof hb[m]);
        hdr[m] = hb[m];
        m++;
    }
    return cli_table_create(m, hdr);
}

void cli_report_table_row(cli_table *tab, const ssb_report_type *t, const char *first_cell, const char *const *keys,
                          const void *row)
{
    const ssb_report_field *cols[64];
    int n = columns(t, keys, cols, 64);
    char cb[65][96];
    const char *cells[65];
    int m = 0;
    if (first_cell)
        cells[m++] = first_cell;
    for (int k = 0; k < n; k++) {
        ssb_report_field_format(cols[k], row, cb[m], sizeof cb[m]);
        cells[m] = cb[m];
        m++;
    }
    cli_table_add_row(tab, cells);
}

cJSON *cli_report_breakdown_json(const ssb_cell_breakdown *b)
{
    cJSON *o = cJSON_CreateObject();
    cli_json_add_number(o, "ocv_V", b->ocv);
    cli_json_add_number(o, "voltage_V", b->voltage);
    cJSON *l = cJSON_AddObjectToObject(o, "losses_V");
    for (int k = 0; k < SSB_CELL_LOSS_COUNT; k++)
        cli_json_add_number(l, ssb_cell_loss_name((ssb_cell_loss)k), b->loss[k]);
    cli_json_add_number(o, "residual_V", b->residual);
    return o;
}
