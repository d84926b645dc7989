/* Backend registry of the transport module: name -> ops table.
 *
 * Why "auto" = "gmg": measured with bench/transport.sh on the shared 2-core development machine (wall-clock
 * medians; other engineers' jobs ran at the same time, so absolute times vary by 2-3x between runs):
 *   case                                   gmg                         hypre (BoomerAMG-PCG)
 *   electrode.tiff pore z (7.5 M unknowns) 6.7-16.5 s, 96 B/unknown    62.6 s (35.6 s set-up), 514 B/unknown
 *   TF 500^3 corner 256^3 z (5 M unknowns) 3.3 s, 97 B/unknown          35.3 s (18.0 s set-up), 512 B/unknown
 *   TF 500^3 full, 3 axes (37.5 M unknowns) 56 s in total, peak RSS 3.7 GB  does not fit 12 GB (~19 GB estimated)
 * Both give the same tau to 1e-6. gmg is 5-10x faster and 5x leaner; hypre stays available by name as the
 * baseline and as the route to distributed runs. */
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
