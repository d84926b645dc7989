/*
 * tortuosity.c - tortuosity factor of the pore phase of a segmented image, along each axis.
 *
 * Problem: read a labelled 3D image (TIFF stack, raw + JSON sidecar or .npy), let the voxels of one label conduct
 * with 1 S/m, solve steady conduction between the two faces normal to x, y and z, and print the effective
 * conductivity, the tortuosity factor tau = eps * sigma_bulk / sigma_eff and the percolating fraction.
 *
 * Build against an installed ssbnet:  cc tortuosity.c $(pkg-config --cflags --libs ssbnet) -o tortuosity
 * Run:                                ./tortuosity electrode.tiff 0
 */
#include <ssbnet/ssb_io.h>
#include <ssbnet/ssb_transport.h>

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s IMAGE LABEL\n", argv[0]);
        return 2;
    }
    int label = atoi(argv[2]);
    if (label < 0 || label > 255) {
        fprintf(stderr, "label %d is out of range (0..255)\n", label);
        return 2;
    }
    ssb_ctx *ctx = NULL;
    ssb_grid *g = NULL;
    if (ssb_ctx_create(&ctx) != SSB_OK) return 3;
    int rc = ssb_io_read_image(ctx, argv[1], NULL, &g);
    if (rc != SSB_OK) {
        fprintf(stderr, "%s\n", ssb_ctx_get_error(ctx));
        ssb_ctx_destroy(&ctx);
        return 1;
    }
    double sigma[256] = {0};
    sigma[label] = 1.0; /* S/m */
    printf("axis  eps        eps_perc   sigma_eff/sigma  tau\n");
    for (int a = 0; a < 3 && rc == SSB_OK; a++) {
        ssb_transport_result r;
        rc = ssb_transport_solve(ctx, g, sigma, (ssb_axis)a, NULL, &r);
        if (rc != SSB_OK) {
            fprintf(stderr, "%s\n", ssb_ctx_get_error(ctx));
            break;
        }
        printf("%-4s  %.6f   %.6f   %.6f         %.6f%s\n", ssb_axis_name((ssb_axis)a), r.eps, r.eps_percolating,
               r.sigma_rel, r.tau, r.converged ? "" : "  (not converged)");
        ssb_transport_result_destroy(&r);
    }
    ssb_grid_destroy(&g);
    ssb_ctx_destroy(&ctx);
    return rc == SSB_OK ? 0 : 1;
}
