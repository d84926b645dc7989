/* Backend registry of the transport module: name -> ops table.
 *
 * Why "auto" = "gmg": measured with bench/transport.sh on the shared 2-core development machine (wall-clock
 * medians; other engineers' jobs ran at the same time, so absolute times vary by up to 2x between runs; load =
 * 1-minute load average during the runs):
 *   case                                    gmg                                   hypre (BoomerAMG-PCG)
 *   electrode.tiff pore z (7.5 M unknowns)  3.6 s (5 runs, load 1.6), 15 iter.,   62.6 s (35.6 s set-up),
 *                                           90 B/unknown                          514 B/unknown
 *   TF 500^3 corner 256^3 z (5 M unknowns)  1.7 s (5 runs, load 1.6), 11 iter.    35.3 s (18.0 s set-up), 512 B/unknown
 *   TF 500^3 full, 3 axes (37.5 M unknowns) 36.5 s in total (10/10/11 iter.),     does not fit 12 GB (~19 GB est.)
 *                                           peak RSS 3.7 GB
 *   time ~ voxels^p over the corners 64^3..256^3: p = 0.88
 * The gmg figures before the split aggregates, the fused passes, the thread team and the parallel through-mask
 * (same machine, same hour, runs interleaved with the new code): electrode 8.1 s median of 5 at load 2.1 (new:
 * 3.4 s) with 28 iterations, 96 B/unknown; 500^3 65.6 s at load 1.8 (13/12/13 iterations); 256^3 corner 3.6 s.
 * (The hypre column was measured before and is unchanged.) Both give the same tau to 1e-6. gmg is ~17x faster
 * than hypre on the electrode and ~5x leaner; hypre stays available by name as the baseline and as the route to
 * distributed runs. TauFactor 2 takes ~146 s for the electrode on this machine (issue 2: target < 14.6 s). */
#include "transport/transport_impl.h"

#include <string.h>

#define SSBI_TRANSPORT_DEFAULT "gmg"

static const ssbi_transport_ops ops_gmg = {"gmg", ssbi_transport_solve_gmg, ssbi_transport_destroy_gmg,
                                           ssbi_transport_across_gmg};

const ssbi_transport_ops *ssbi_transport_find(const char *name)
{
    if (!name) return NULL;
    if (strcmp(name, "auto") == 0) name = SSBI_TRANSPORT_DEFAULT;
    if (strcmp(name, "gmg") == 0) return &ops_gmg;
#if SSB_HAVE_HYPRE
    static const ssbi_transport_ops ops_hypre = {"hypre", ssbi_transport_solve_hypre, NULL, NULL};
    if (strcmp(name, "hypre") == 0) return &ops_hypre;
#endif
    return NULL;
}

int ssb_transport_backend_available(const char *name) { return ssbi_transport_find(name) != NULL; }

const char *ssb_transport_backend_default(void) { return SSBI_TRANSPORT_DEFAULT; }
