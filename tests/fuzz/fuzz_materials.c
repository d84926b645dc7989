/* Fuzz target: materials user files (ssb_materials_load_file) into an empty database, through a temporary file; a
 * successful load is followed by a lookup of every material by its name. */
#include "fuzz_common.h"

#include <ssbnet/ssb_materials.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ssb_ctx *ctx = fz_ctx();
    ssb_materials *db = NULL;
    if (ssb_materials_create(ctx, &db) != SSB_OK) abort();
    const char *path = fz_write("user.json", data, size);
    if (ssb_materials_load_file(ctx, db, path) == SSB_OK) {
        int n = ssb_materials_count(db);
        for (int i = 0; i < n; i++) {
            const ssb_material *m = ssb_materials_at(db, i), *f = NULL;
            if (!m || ssb_materials_find(ctx, db, ssb_materials_name(m), &f) != SSB_OK || !f) abort();
        }
    }
    ssb_materials_destroy(&db);
    return 0;
}
