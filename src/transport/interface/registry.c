/* Backend registry of the transport module: name -> ops table.
 *
 * Why "auto" = "gmg" (measured with bench/transport.sh on the 2-core development machine, medians of 3 runs;
 * see the report in bench/transport.sh output):
 *   - memory: gmg needs about 60-70 bytes per unknown plus 2 bytes per voxel; BoomerAMG-PCG needs several hundred
 *     bytes per unknown (the 500^3 benchmark volume, 37.5 M unknowns, does not fit hypre into 12 GB);
 *   - time: on the TauFactor electrode.tiff pore phase (7.5 M unknowns, rtol 1e-8) gmg is several times faster
 *     than hypre (figures printed by bench/transport.sh).
 * hypre stays available by name as the baseline and for distributed runs later. */
#include "transport/transport_impl.h"

#include <string.h>

#define SSBI_TRANSPORT_DEFAULT "gmg"

static const ssbi_transport_ops ops_gmg = {"gmg", ssbi_transport_solve_gmg};

const ssbi_transport_ops *ssbi_transport_find(const char *name)
{
    if (!name) return NULL;
    if (strcmp(name, "auto") == 0) name = SSBI_TRANSPORT_DEFAULT;
    if (strcmp(name, "gmg") == 0) return &ops_gmg;
#if SSB_HAVE_HYPRE
    static const ssbi_transport_ops ops_hypre = {"hypre", ssbi_transport_solve_hypre};
    if (strcmp(name, "hypre") == 0) return &ops_hypre;
#endif
    return NULL;
}

int ssb_transport_backend_available(const char *name) { return ssbi_transport_find(name) != NULL; }

const char *ssb_transport_backend_default(void) { return SSBI_TRANSPORT_DEFAULT; }
