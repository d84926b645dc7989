/* Distributed microstructure analysis (ssb_dist_analyze_file): the results of 'ssbnet micro analyze' - volume
 * fractions, percolation per phase and axis, interface areas by face counting and marching cubes, the active CAM of a
 * composite electrode - with every rank reading only its z slab of the image.
 *
 * What crosses the slab boundaries:
 *   - connected components (percolation, the electronic and ionic networks, the CAM particles): the union-find over
 *     components of dist_classes.c (ssbi_dist_components), whose flags carry what the serial code asks of a
 *     component (touches a plane, is wired, touches Li-connected electrolyte);
 *   - voxel faces between the planes z and z + 1: counted by the rank owning plane z (one halo plane above);
 *   - marching cubes: the cube layer between planes z and z + 1 belongs to the rank owning plane z; with the 3x3x3
 *     smoothing it reads planes z - 1 .. z + 2, so the slab is read with one halo plane below and two above;
 *   - the per-voxel flags of the networks on the halo planes (faces across the boundary): exchanged with the
 *     neighbours after the components are known.
 * Counts are summed exactly (int64); areas are sums of the same per-face / per-cube terms as the serial code in
 * another order (equal to about 1e-15 relative). */
#include "dist_impl.h"

#include <stdlib.h>
#include <string.h>

ssb_dist_analyze_params ssb_dist_analyze_params_default(void)
{
    ssb_dist_analyze_params p = {.conn = SSB_CONN_6, .cam = ssb_micro_cam_params_default(), .composite = 1};
    return p;
}

void ssb_dist_analysis_destroy(ssb_dist_analysis *a)
{
    if (!a)
        return;
    free(a->percolation);
    free(a->classes);
    ssb_micro_interfaces_destroy(&a->interfaces);
    memset(a, 0, sizeof *a);
}

#if !SSB_HAVE_HYPRE
int ssb_dist_analyze_file(ssb_ctx *ctx, const char *path, const ssb_io_read_params *rp, const ssb_grid *phases,
                          const ssb_dist_analyze_params *params, ssb_dist_analysis *out)
{
    (void)path, (void)rp, (void)phases, (void)params;
    if (out)
        memset(out, 0, sizeof *out);
    return SSB_ERROR(ctx, SSB_ERR_UNSUPPORTED, "this build of ssbnet has no MPI (it needs hypre and MPI)");
}
#else
#include "micro/analysis/analysis_impl.h"

/* Bytes per voxel of a rank's share: labels (1), the union-find's parents (4), component flags, network flags and
 * particle flags (3), and the halo planes; the marching cubes add a few planes of doubles per thread. */
#define ANALYZE_BYTES_PER_VOXEL 12.0

enum { FL_E = 1, FL_L = 2 };   /* network flags of a voxel: wired to the current collector, Li-connected */
enum { PT_E = 1, PT_LI = 2 }; /* particle flags: has an e-connected voxel, touches Li-connected electrolyte */

/* The slab of one rank: labels with hlo planes below and hhi above the nz owned ones. */
typedef struct {
    const ssb_grid *g;
    int64_t n[3];   /* dims with the halos */
    int64_t nx, ny, nxy, nz, z0, nzt;
    int hlo, hhi;
    const uint8_t *own; /* labels of the owned planes */
    double h[3];
    int size, rank;
} slab;

/* Send the first owned plane down and the last up; receive the neighbours' planes (below / above, nxy bytes each,
 * left zero where there is no neighbour). */
static void exchange_planes(const slab *S, const uint8_t *owned, uint8_t *below, uint8_t *above)
{
    const int up = S->rank + 1 < S->size ? S->rank + 1 : MPI_PROC_NULL;
    const int down = S->rank > 0 ? S->rank - 1 : MPI_PROC_NULL;
    memset(below, 0, (size_t)S->nxy);
    memset(above, 0, (size_t)S->nxy);
    MPI_Sendrecv(owned + (S->nz - 1) * S->nxy, (int)S->nxy, MPI_UINT8_T, up, 21, below, (int)S->nxy, MPI_UINT8_T,
                 down, 21, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    MPI_Sendrecv(owned, (int)S->nxy, MPI_UINT8_T, down, 22, above, (int)S->nxy, MPI_UINT8_T, up, 22, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
}

/* Marching-cubes area of a set over the whole image: each rank its cube layers, summed. */
static int mc_area(ssb_ctx *ctx, const slab *S, const uint8_t in[256], double sigma, double *area)
{
    const uint8_t *lab = ssb_grid_get_labels_const(S->g);
    /* local layer l lies between local planes l and l + 1; the last owned layer exists where a plane follows */
    const int64_t l0 = S->hlo, l1 = S->hlo + S->nz - (S->hhi > 0 ? 0 : 1);
    double a = 0.0;
    /* the image's own z faces, not halo planes: the local array ends at the image's face also where the halo reaches
       it (a rank owning the image's last plane but one reads that last plane as its one halo plane above) */
    const int zb = (S->z0 - S->hlo == 0) | (S->z0 + S->nz + S->hhi == S->nzt) << 1;
    int rc = ssbi_ma_mc_area_layers(ctx, S->n, S->h, lab, in, sigma, l0, l1, zb, &a);
    SSB_CHECK(ctx, ssbi_dist_agree(ctx, rc));
    MPI_Allreduce(&a, area, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    return SSB_OK;
}

/* mc_area as the analysis module's callback (ssbi_mc_area_fn); user: the slab and the smoothing width. */
typedef struct {
    const slab *S;
    double sigma;
} slab_mc;

static int slab_mc_area(ssb_ctx *ctx, void *user, const uint8_t set[256], double *area)
{
    const slab_mc *u = user;
    return mc_area(ctx, u->S, set, u->sigma, area);
}

/* Percolation of every label present along x, y and z: one component pass per label with the six plane flags
 * (bits 2a and 2a + 1: the low and high planes of axis a). flags: nloc bytes of scratch. */
static int percolation(ssb_ctx *ctx, const slab *S, const int64_t cnt[256], ssb_connectivity conn, uint8_t *flags,
                       ssb_micro_percolation *perc)
{
    const int64_t nloc = S->nxy * S->nz, nv = S->nxy * S->nzt;
    for (int k = 0; k < 256; k++) {
        if (cnt[k] == 0)
            continue;
        uint8_t set[256] = {0};
        set[k] = 1;
        for (int a = 0; a < 3; a++)
            ssbi_dist_plane_flags(S->n, S->nz, S->z0, S->nzt, a, 2 * a, flags);
        SSB_CHECK(ctx, ssbi_dist_components_conn(ctx, MPI_COMM_WORLD, S->g, S->hlo, S->hhi, set, conn, flags, NULL));
        int64_t loc[9] = {0}, glob[9];
        for (int64_t v = 0; v < nloc; v++) {
            if (S->own[v] != k)
                continue;
            for (int a = 0; a < 3; a++) {
                const int f = (flags[v] >> (2 * a)) & 3;
                loc[3 * a + (f == 3 ? 0 : f ? 1 : 2)]++;
            }
        }
        MPI_Allreduce(loc, glob, 9, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);
        /* the serial ssb_micro_percolation_compute's definitions */
        ssb_micro_percolation *o = &perc[k];
        memset(o, 0, sizeof *o);
        o->conn = conn;
        o->nvoxels = nv;
        o->n_set = cnt[k];
        for (int a = 0; a < 3; a++) {
            o->n_percolating[a] = glob[3 * a];
            o->n_dead_end[a] = glob[3 * a + 1];
            o->n_isolated[a] = glob[3 * a + 2];
        }
        ssbi_ma_percolation_finish(o);
    }
    return SSB_OK;
}

/* Interface areas of every pair of labels present (as ssb_micro_interfaces_compute). */
static int interfaces(ssb_ctx *ctx, const slab *S, const int64_t cnt[256], const ssb_micro_area_params *ap,
                      ssb_micro_interfaces *out)
{
    int idx[256], nl = 0;
    uint8_t labels[256];
    for (int k = 0; k < 256; k++) {
        idx[k] = -1;
        if (cnt[k] > 0) {
            idx[k] = nl;
            labels[nl++] = (uint8_t)k;
        }
    }
    const size_t per = (size_t)3 * (size_t)nl * (size_t)nl;
    const int npairs = nl * (nl - 1) / 2;
    int64_t *loc = calloc(2 * per, sizeof *loc);
    double *smc = calloc((size_t)nl, sizeof *smc);
    out->surfaces = calloc((size_t)nl, sizeof *out->surfaces);
    out->pairs = calloc((size_t)(npairs > 0 ? npairs : 1), sizeof *out->pairs);
    int rc = loc && smc && out->surfaces && out->pairs
                 ? SSB_OK
                 : SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory for the interface counters of %d labels", nl);
    rc = ssbi_dist_agree(ctx, rc);
    if (rc != SSB_OK)
        goto done;
    /* faces: x and y inside the owned planes, z between an owned plane and the next one (owned or the halo above) */
    {
        int64_t *c = loc;
        const uint8_t *lab = S->own;
        const int64_t nzf = S->nz - (S->hhi > 0 ? 0 : 1); /* planes with a plane above them */
        for (int64_t z = 0; z < S->nz; z++)
            for (int64_t y = 0; y < S->ny; y++)
                for (int64_t x = 0; x < S->nx; x++) {
                    const int64_t v = x + S->nx * (y + S->ny * z);
                    const uint8_t a = lab[v];
                    const int has[3] = {x + 1 < S->nx, y + 1 < S->ny, z < nzf};
                    const int64_t step[3] = {1, S->nx, S->nxy};
                    for (int k = 0; k < 3; k++) {
                        if (!has[k] || lab[v + step[k]] == a)
                            continue;
                        int ia = idx[a], ib = idx[lab[v + step[k]]];
                        if (ia > ib) {
                            const int t = ia;
                            ia = ib;
                            ib = t;
                        }
                        c[(size_t)k * nl * nl + (size_t)ia * nl + ib]++;
                    }
                }
        MPI_Allreduce(loc, loc + per, (int)per, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);
    }
    {
        slab_mc u = {S, ap->mc_sigma};
        const double vol = (double)(S->nxy * S->nzt) * S->h[0] * S->h[1] * S->h[2];
        rc = ssbi_ma_interfaces_finish(out, labels, nl, loc + per, S->h, vol, ap, smc, slab_mc_area, ctx, &u);
    }
done:
    free(loc);
    free(smc);
    if (rc != SSB_OK)
        ssb_micro_interfaces_destroy(out);
    return rc;
}

/* One network of the composite (as cam.c's mark_network): components of the set with the plane flags along axis;
 * sets `bit` in fl where the component touches the plane plane_bit; cnt: voxels, connected, touching both (global). */
static int mark_network(ssb_ctx *ctx, const slab *S, const uint8_t in[256], int axis, uint8_t plane_bit, uint8_t bit,
                        uint8_t *flags, uint8_t *fl, int64_t cnt[3])
{
    ssbi_dist_plane_flags(S->n, S->nz, S->z0, S->nzt, axis, 0, flags);
    SSB_CHECK(ctx, ssbi_dist_components(ctx, MPI_COMM_WORLD, S->g, S->hlo, S->hhi, in, flags, NULL));
    int64_t loc[3] = {0, 0, 0};
    const int64_t nloc = S->nxy * S->nz;
    for (int64_t v = 0; v < nloc; v++) {
        if (!in[S->own[v]])
            continue;
        loc[0]++;
        if (flags[v] & plane_bit) {
            fl[v] |= bit;
            loc[1]++;
        }
        loc[2] += flags[v] == 3;
    }
    MPI_Allreduce(loc, cnt, 3, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);
    return SSB_OK;
}

/* Composite electrode (as cam.c's cam_core: the same definitions, and the result made by the same
 * ssbi_ma_cam_finish): networks, particles, faces and classes over shared per-voxel flags. */
/* The CAM classes of the owned voxels from their particle flags (ssb_micro_cam_classify's codes), gathered onto rank
 * 0 plane by plane (*out: the whole image there, NULL elsewhere). */
static int gather_classes(ssb_ctx *ctx, const slab *S, const ssbi_cam_sets *s, uint8_t *flags, uint8_t **out)
{
    static const uint8_t code[4] = {4, 3, 2, 1}; /* by PT_E | PT_LI: neither, no Li+ (e only), no e- (Li only), active */
    const int64_t nloc = S->nxy * S->nz, nxy = S->nxy;
    for (int64_t v = 0; v < nloc; v++)
        flags[v] = s->cam[S->own[v]] ? code[((flags[v] & PT_E) ? 1 : 0) | ((flags[v] & PT_LI) ? 2 : 0)] : 0;
    uint8_t *all = NULL;
    int rc = SSB_OK;
    if (S->rank == 0) {
        all = malloc((size_t)(nxy * S->nzt));
        if (!all)
            rc = SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory for the CAM classes of the whole image (%lld bytes on "
                                               "rank 0)", (long long)(nxy * S->nzt));
    }
    rc = ssbi_dist_agree(ctx, rc);
    if (rc != SSB_OK)
        return rc;
    if (S->rank == 0) {
        memcpy(all, flags, (size_t)nloc);
        for (int r = 1; r < S->size; r++) {
            int64_t z0, nz;
            ssb_dist_slab(S->nzt, S->size, r, &z0, &nz);
            for (int64_t z = 0; z < nz; z++)
                MPI_Recv(all + (z0 + z) * nxy, (int)nxy, MPI_UINT8_T, r, 31, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        }
    } else {
        for (int64_t z = 0; z < S->nz; z++)
            MPI_Send(flags + z * nxy, (int)nxy, MPI_UINT8_T, 0, 31, MPI_COMM_WORLD);
    }
    *out = all;
    return SSB_OK;
}

static int composite(ssb_ctx *ctx, const slab *S, const ssbi_cam_sets *s, const int64_t cnt[256],
                     const ssb_micro_cam_params *p, uint8_t *flags, ssb_micro_cam_result *res, uint8_t **classes)
{
    const int64_t nloc = S->nxy * S->nz, nv = S->nxy * S->nzt, nx = S->nx, ny = S->ny, nxy = S->nxy;
    int64_t ncam = 0;
    for (int k = 0; k < 256; k++)
        if (s->cam[k])
            ncam += cnt[k];
    SSB_REQUIRE(ctx, ncam > 0, SSB_ERR_NOTFOUND,
                "active CAM: no voxel has a phase with the role 'active' (CAM); the phase table must mark the "
                "cathode active material with role active");
    const int axis = (int)p->axis;
    const uint8_t cc_bit = p->cc_side == SSB_MICRO_SIDE_LOW ? 1 : 2, sep_bit = (uint8_t)(3 - cc_bit);
    uint8_t *fl = calloc((size_t)(nloc > 0 ? nloc : 1), 1);
    uint8_t *halo = calloc((size_t)(4 * nxy), 1); /* fl below, fl above, particle flags below, above */
    int rc = fl && halo ? SSB_OK : SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory for the network flags");
    rc = ssbi_dist_agree(ctx, rc);
    int64_t ce[3], ci[3], ph[256];
    if (rc == SSB_OK)
        rc = mark_network(ctx, S, s->el, axis, cc_bit, FL_E, flags, fl, ce);
    if (rc == SSB_OK)
        rc = mark_network(ctx, S, s->ion, axis, sep_bit, FL_L, flags, fl, ci);
    if (rc != SSB_OK)
        goto done;
    uint8_t *fl_lo = halo, *fl_hi = halo + nxy, *pf_lo = halo + 2 * nxy, *pf_hi = halo + 3 * nxy;
    exchange_planes(S, fl, fl_lo, fl_hi);
    /* particle flags of the CAM voxels: e-connected; a face with a Li-connected ionic voxel (also across the slab
       boundary, through the neighbours' planes) */
    for (int64_t z = 0; z < S->nz; z++)
        for (int64_t y = 0; y < ny; y++)
            for (int64_t x = 0; x < nx; x++) {
                const int64_t v = x + nx * (y + ny * z), i = x + nx * y;
                if (!s->cam[S->own[v]]) {
                    flags[v] = 0;
                    continue;
                }
                uint8_t f = (fl[v] & FL_E) ? PT_E : 0;
                const uint8_t zm = z > 0 ? fl[v - nxy] : fl_lo[i], zp = z + 1 < S->nz ? fl[v + nxy] : fl_hi[i];
                if ((x > 0 && (fl[v - 1] & FL_L)) || (x + 1 < nx && (fl[v + 1] & FL_L)) ||
                    (y > 0 && (fl[v - nx] & FL_L)) || (y + 1 < ny && (fl[v + nx] & FL_L)) || (zm & FL_L) ||
                    (zp & FL_L))
                    f |= PT_LI;
                flags[v] = f;
            }
    rc = ssbi_dist_components(ctx, MPI_COMM_WORLD, S->g, S->hlo, S->hhi, s->cam, flags, ph);
    if (rc != SSB_OK)
        goto done;
    exchange_planes(S, flags, pf_lo, pf_hi);
    /* faces CAM|ionic (all, and active CAM | Li-connected ionic), CAM|carbon and the CAM's free surface (all, and of
       active particles; issue 14), per axis; a face between planes z and z + 1 is counted by the owner of z */
    int64_t f[15] = {0}, gf[15];
    const int64_t nzf = S->nz - (S->hhi > 0 ? 0 : 1);
    const uint8_t *labhi = S->own + S->nz * nxy; /* the halo plane above (when hhi > 0) */
    for (int64_t z = 0; z < S->nz; z++)
        for (int64_t y = 0; y < ny; y++)
            for (int64_t x = 0; x < nx; x++) {
                const int64_t v = x + nx * (y + ny * z), i = x + nx * y;
                const int has[3] = {x + 1 < nx, y + 1 < ny, z < nzf};
                const int64_t step[3] = {1, nx, nxy};
                for (int k = 0; k < 3; k++) {
                    if (!has[k])
                        continue;
                    const int across = k == 2 && z + 1 == S->nz;
                    const uint8_t lw = across ? labhi[i] : S->own[v + step[k]];
                    const uint8_t flw = across ? fl_hi[i] : fl[v + step[k]];
                    const uint8_t pfw = across ? pf_hi[i] : flags[v + step[k]];
                    const uint8_t lv = S->own[v];
                    uint8_t lo, flo, pcam; /* label and network flags of the other voxel, particle flags of the CAM */
                    if (s->cam[lv] && !s->cam[lw]) {
                        lo = lw, flo = flw, pcam = flags[v];
                    } else if (s->cam[lw] && !s->cam[lv]) {
                        lo = lv, flo = fl[v], pcam = pfw;
                    } else {
                        continue;
                    }
                    f[9 + k]++;
                    f[12 + k] += pcam == (PT_E | PT_LI);
                    if (s->ion[lo]) {
                        f[k]++;
                        f[3 + k] += (flo & FL_L) && pcam == (PT_E | PT_LI);
                    } else if (s->carbon[lo]) {
                        f[6 + k]++;
                    }
                }
            }
    MPI_Allreduce(f, gf, 15, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);
    /* classes */
    int64_t cl[4] = {0, 0, 0, 0}, gcl[4];
    for (int64_t v = 0; v < nloc; v++) {
        if (!s->cam[S->own[v]])
            continue;
        const int e = (flags[v] & PT_E) != 0, li = (flags[v] & PT_LI) != 0;
        cl[e && li ? 0 : li ? 1 : e ? 2 : 3]++;
    }
    MPI_Allreduce(cl, gcl, 4, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);
    int64_t npart = 0;
    for (int k = 0; k < 256; k++)
        npart += ph[k];
    ssbi_cam_counts cc = {.nvoxels = nv, .n_cam = ncam, .n_particles = npart, .n_particles_active = ph[PT_E | PT_LI]};
    memcpy(cc.n_class, gcl, sizeof gcl);
    memcpy(cc.faces, gf, sizeof cc.faces);
    memcpy(cc.surface, gf + 9, sizeof cc.surface);
    memcpy(cc.electronic, ce, sizeof ce);
    memcpy(cc.ionic, ci, sizeof ci);
    ssbi_ma_cam_finish(&cc, S->h, res);
    if (p->area.marching_cubes) {
        uint8_t uni[256];
        for (int k = 0; k < 256; k++)
            uni[k] = s->cam[k] || s->ion[k];
        double sa = 0.0, sb = 0.0, su = 0.0;
        rc = mc_area(ctx, S, s->cam, p->area.mc_sigma, &sa);
        if (rc == SSB_OK)
            rc = mc_area(ctx, S, s->ion, p->area.mc_sigma, &sb);
        if (rc == SSB_OK)
            rc = mc_area(ctx, S, uni, p->area.mc_sigma, &su);
        if (rc != SSB_OK)
            goto done;
        ssbi_ma_cam_finish_mc(res, sa, sb, su);
    }
    if (classes) /* last: the particle flags become the classes */
        rc = gather_classes(ctx, S, s, flags, classes);
done:
    free(fl);
    free(halo);
    return rc;
}

/* Checks of the arguments that need no image (the same on every rank). */
static int check_args(ssb_ctx *ctx, const char *path, const ssb_grid *phases, const ssb_dist_analyze_params *p)
{
    SSB_REQUIRE(ctx, path && phases, SSB_ERR_ARG, "ssb_dist_analyze_file: NULL argument");
    SSB_REQUIRE(ctx, p->conn == SSB_CONN_6 || p->conn == SSB_CONN_18 || p->conn == SSB_CONN_26, SSB_ERR_ARG,
                "connectivity %d is invalid (valid: 6, 18 or 26)", (int)p->conn);
    SSB_REQUIRE(ctx, (int)p->cam.axis >= 0 && (int)p->cam.axis <= 2, SSB_ERR_ARG,
                "active CAM: axis %d does not exist (valid: x, y or z)", (int)p->cam.axis);
    SSB_REQUIRE(ctx, p->cam.cc_side == SSB_MICRO_SIDE_LOW || p->cam.cc_side == SSB_MICRO_SIDE_HIGH, SSB_ERR_ARG,
                "active CAM: current-collector side %d is invalid (valid: 0 = low index, 1 = high index)",
                (int)p->cam.cc_side);
    SSB_CHECK(ctx, ssbi_ma_check_area_params(ctx, &p->cam.area));
    return SSB_OK;
}

int ssb_dist_analyze_file(ssb_ctx *ctx, const char *path, const ssb_io_read_params *rp, const ssb_grid *phases,
                          const ssb_dist_analyze_params *params, ssb_dist_analysis *out)
{
    SSB_REQUIRE(ctx, out, SSB_ERR_ARG, "ssb_dist_analyze_file: out is NULL");
    memset(out, 0, sizeof *out);
    const ssb_dist_analyze_params p = params ? *params : ssb_dist_analyze_params_default();
    SSB_CHECK(ctx, check_args(ctx, path, phases, &p));
    int init = 0;
    MPI_Initialized(&init);
    if (!init)
        SSB_CHECK(ctx, ssb_dist_init(NULL, NULL));
    slab S;
    memset(&S, 0, sizeof S);
    MPI_Comm_size(MPI_COMM_WORLD, &S.size);
    MPI_Comm_rank(MPI_COMM_WORLD, &S.rank);
    int64_t dims[3];
    double hv[3];
    SSB_CHECK(ctx, ssbi_dist_open_image(ctx, path, rp, ANALYZE_BYTES_PER_VOXEL, dims, hv));
    /* the slab with one plane below and two above (the smoothed marching cubes read them) */
    ssb_grid *g = NULL;
    int rc = ssbi_dist_read_slab(ctx, path, rp, dims[2], 1, 2, &g, &S.z0, &S.nz, &S.hlo, &S.hhi);
    /* the phase table and the voxel size are the caller's (its phases file or map, like the serial command's) */
    for (int i = 0; rc == SSB_OK && i < ssb_grid_get_nphases(phases); i++)
        rc = ssb_grid_set_phase(ctx, g, ssb_grid_get_phase(phases, i));
    ssb_grid_get_voxel_size(phases, S.h);
    if (rc == SSB_OK)
        rc = ssb_grid_set_voxel_size(ctx, g, S.h);
    rc = ssbi_dist_agree(ctx, rc);
    if (rc != SSB_OK) {
        ssb_grid_destroy(&g);
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    }
    S.g = g;
    ssb_grid_get_dims(g, S.n);
    S.nx = dims[0];
    S.ny = dims[1];
    S.nxy = S.nx * S.ny;
    S.nzt = dims[2];
    S.own = ssb_grid_get_labels_const(g) + S.hlo * S.nxy;
    const int64_t nloc = S.nxy * S.nz, nv = S.nxy * S.nzt;

    /* volume fractions: label counts summed over the ranks; every label present needs a phase entry */
    int64_t cnt[256], loc[256];
    memset(loc, 0, sizeof loc);
    for (int64_t v = 0; v < nloc; v++)
        loc[S.own[v]]++;
    MPI_Allreduce(loc, cnt, 256, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);
    ssb_micro_fractions *fr = &out->fractions;
    for (int k = 0; k < 256 && rc == SSB_OK; k++)
        if (cnt[k] > 0 && !ssb_grid_find_phase(phases, (uint8_t)k))
            rc = SSB_ERROR(ctx, SSB_ERR_NOTFOUND, /* ssb_grid_check_phases's message */
                           "label %d occurs in %lld voxels but the phase table does not define it", k,
                           (long long)cnt[k]);
    uint8_t *flags = NULL;
    if (rc == SSB_OK) {
        fr->nvoxels = nv;
        fr->box_volume = (double)nv * S.h[0] * S.h[1] * S.h[2];
        memcpy(fr->label_count, cnt, sizeof cnt);
        for (int k = 0; k < 256; k++) {
            fr->label_fraction[k] = (double)cnt[k] / (double)nv;
            if (cnt[k] > 0)
                fr->role_count[ssb_grid_find_phase(phases, (uint8_t)k)->role] += cnt[k];
        }
        for (int r = 0; r < SSB_ROLE_COUNT; r++)
            fr->role_fraction[r] = (double)fr->role_count[r] / (double)nv;
        out->ranks = S.size;
        memcpy(out->dims, dims, sizeof dims);
        memcpy(out->voxel_size, S.h, sizeof S.h);
        out->percolation = calloc(256, sizeof *out->percolation);
        flags = malloc((size_t)(nloc > 0 ? nloc : 1));
        if (!out->percolation || !flags)
            rc = SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory for the percolation tables");
    }
    rc = ssbi_dist_agree(ctx, rc);
    if (rc == SSB_OK)
        rc = percolation(ctx, &S, cnt, p.conn, flags, out->percolation);
    if (rc == SSB_OK)
        rc = interfaces(ctx, &S, cnt, &p.cam.area, &out->interfaces);
    if (rc == SSB_OK && (p.want_classes || (p.composite && fr->role_count[SSB_ROLE_ACTIVE] > 0))) {
        ssbi_cam_sets cs;
        ssbi_ma_cam_sets(phases, &cs);
        rc = composite(ctx, &S, &cs, cnt, &p.cam, flags, &out->cam, p.want_classes ? &out->classes : NULL);
        out->has_cam = rc == SSB_OK && p.composite && fr->role_count[SSB_ROLE_ACTIVE] > 0;
    }
    free(flags);
    ssb_grid_destroy(&g);
    if (rc != SSB_OK) {
        ssb_dist_analysis_destroy(out);
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    }
    return SSB_OK;
}
#endif
