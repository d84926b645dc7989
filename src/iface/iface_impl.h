/* iface module: private declarations shared by its files. */
#ifndef SSB_IFACE_IMPL_H
#define SSB_IFACE_IMPL_H

#include "core_impl.h"

#include <ssbnet/ssb_iface.h>

#include <cjson/cJSON.h>

/* Unit factors of the JSON keys (file unit -> SI). */
#define SSBI_NM 1e-9
#define SSBI_HOUR 3600.0
#define SSBI_S_PER_CM 100.0    /* S/cm -> S/m */
#define SSBI_MOL_PER_CM3 1e6   /* mol/cm3 -> mol/m3 */
#define SSBI_OHM_CM2 1e-4      /* ohm cm2 -> ohm m2 */

/* Parse the growth keys of one interface object (data file record "growth" or a cell "interfaces" entry) on top
 * of *g; *sigma_e receives "interphase_electronic_conductivity_S_per_cm" when present. where: "file: key path"
 * prefix for messages. A "rate_constant_from": "wagner" key computes k_p from the conductivities. Keys not
 * listed in allowed_extra and not growth keys are SSB_ERR_FORMAT. */
int ssbi_iface_parse_growth(ssb_ctx *ctx, const cJSON *obj, const char *where, const char *const *allowed_extra,
                            ssb_iface_growth *g, double *sigma_e);
/* A number member in SI (factor applied); *present = 0 when absent. Negative values are SSB_ERR_RANGE unless
 * allow_negative. */
int ssbi_iface_get_number(ssb_ctx *ctx, const cJSON *obj, const char *key, const char *where, double factor,
                          int allow_negative, double *out, int *present);
/* Canonical material name (name unchanged when mdb is NULL or lookups fail are errors). */
int ssbi_iface_canonical(ssb_ctx *ctx, const ssb_materials *mdb, const char *name, const char **canon);

/* The interphase database's file for messages: the one given to ssb_iface_db_load, else
 * "data/iface/interfaces.json" (the built-in one). */
const char *ssbi_iface_db_source(const ssb_iface_db *db);
/* ssb_iface_no_growth_note naming the database's file (source) instead of the built-in one. */
size_t ssbi_iface_no_growth_note_from(const ssb_iface_stability *sp, const char *source, char *buf, size_t n);

#endif
