/* Composite-electrode generator, architecture options (issue 12): vertical SE channels through the thickness, a
 * graded particle fraction through the thickness, and fibre-shaped particles (carbon fibres and tubes). The packing
 * itself is in electrode.c; this file holds the geometry of these options. */
#include "gen_impl.h"

#include <math.h>
#include <stdlib.h>

#define PI 3.14159265358979323846

int ssbi_arch_check(ssb_ctx *ctx, const ssb_micro_electrode_params *par, const ssbi_box *b)
{
    const double box_min = fmin(b->len[0], fmin(b->len[1], b->len[2]));
    for (int i = 0; i < par->nphases; i++) {
        const ssb_micro_particle_phase *ph = &par->phase[i];
        SSB_REQUIRE(ctx, isfinite(ph->gradient) && ph->gradient >= -1.0 && ph->gradient <= 1.0, SSB_ERR_RANGE,
                    "particle phase %d ('%s'): gradient = %g is invalid (valid: -1 to 1)", i, ph->name, ph->gradient);
        SSB_REQUIRE(ctx, ph->shape == SSB_MICRO_PARTICLE_SPHERE || ph->shape == SSB_MICRO_PARTICLE_FIBRE,
                    SSB_ERR_ARG, "particle phase %d ('%s'): shape %d is invalid (0 sphere, 1 fibre)", i, ph->name,
                    (int)ph->shape);
        if (ph->shape != SSB_MICRO_PARTICLE_FIBRE)
            continue;
        SSB_REQUIRE(ctx, ph->fibre_in_plane == 0 || ph->fibre_in_plane == 1, SSB_ERR_ARG,
                    "particle phase %d ('%s'): fibre_in_plane = %d is invalid (0 or 1)", i, ph->name,
                    ph->fibre_in_plane);
        SSB_REQUIRE(ctx, ph->psd.kind == SSB_MICRO_PSD_MONO, SSB_ERR_RANGE,
                    "particle phase %d ('%s'): fibres need a single diameter (size distribution MONO)", i, ph->name);
        SSB_REQUIRE(ctx, isfinite(ph->fibre_length) && ph->fibre_length >= ph->psd.d_mean &&
                             ph->fibre_length <= box_min,
                    SSB_ERR_RANGE,
                    "particle phase %d ('%s'): fibre_length = %g m is invalid (valid: the diameter %g m to the "
                    "smallest box edge %g m)",
                    i, ph->name, ph->fibre_length, ph->psd.d_mean, box_min);
    }
    SSB_REQUIRE(ctx, isfinite(par->channel_fraction) && par->channel_fraction >= 0.0 && par->channel_fraction <= 0.5,
                SSB_ERR_RANGE, "electrode: channel_fraction = %g is invalid (valid: 0 to 0.5)", par->channel_fraction);
    if (par->channel_fraction <= 0.0)
        return SSB_OK;
    const double inplane = fmin(b->len[0], b->len[1]);
    SSB_REQUIRE(ctx, isfinite(par->channel_diameter) && par->channel_diameter > 0.0 &&
                         par->channel_diameter <= inplane,
                SSB_ERR_RANGE, "electrode: channel_diameter = %g m is invalid (valid: > 0 and <= %g m, the in-plane box edge)",
                par->channel_diameter, inplane);
    SSB_REQUIRE(ctx, par->channel_phase >= -1 && par->channel_phase < par->nphases, SSB_ERR_ARG,
                "electrode: channel_phase = %d is invalid (valid: -1 = the matrix, or 0 to %d)", par->channel_phase,
                par->nphases - 1);
    double rest = 0.0; /* particle fractions outside the channels */
    for (int i = 0; i < par->nphases; i++)
        rest += par->phase[i].fraction - (i == par->channel_phase ? par->channel_fraction : 0.0);
    if (par->channel_phase >= 0)
        SSB_REQUIRE(ctx, par->phase[par->channel_phase].fraction >= par->channel_fraction, SSB_ERR_RANGE,
                    "electrode: channel_fraction %g exceeds the fraction %g of the phase the channels hold ('%s')",
                    par->channel_fraction, par->phase[par->channel_phase].fraction,
                    par->phase[par->channel_phase].name);
    else
        SSB_REQUIRE(ctx, rest + par->channel_fraction < 1.0, SSB_ERR_RANGE,
                    "electrode: channel_fraction %g plus the particle fractions %g leave no matrix (the channels are "
                    "matrix: the sum must be < 1)",
                    par->channel_fraction, rest);
    return SSB_OK;
}

double ssbi_arch_local_fraction(const ssb_micro_electrode_params *par, int q)
{
    double f = par->phase[q].fraction, fc = par->channel_fraction;
    if (fc > 0.0)
        f = (f - (q == par->channel_phase ? fc : 0.0)) / (1.0 - fc);
    if (par->phase[q].gradient != 0.0)
        f *= 1.0 + 0.5 * fabs(par->phase[q].gradient);
    return f;
}

uint8_t ssbi_arch_free_label(const ssb_micro_electrode_params *par, int skip)
{
    for (int l = 255; l >= 0; l--) {
        int used = l == par->matrix_label;
        for (int i = 0; i < par->nphases && !used; i++)
            used = par->phase[i].label == l;
        if (!used && skip-- == 0)
            return (uint8_t)l;
    }
    return 0; /* unreachable: at most SSB_MICRO_MAX_PARTICLE_PHASES + 1 labels are used */
}

int64_t ssbi_arch_paint_channels(const ssbi_box *b, double fc, double d, uint8_t label, int64_t *nch, double *dused)
{
    /* square lattice of pitch p with one channel of diameter d per p x p cell: fc = pi d^2 / (4 p^2) */
    const double pitch = 0.5 * d * sqrt(PI / fc);
    int64_t n[2];
    double cell[2];
    for (int a = 0; a < 2; a++) {
        n[a] = (int64_t)llround(b->len[a] / pitch);
        if (n[a] < 1)
            n[a] = 1;
        cell[a] = b->len[a] / (double)n[a];
    }
    /* the diameter that gives the area fraction exactly on this lattice */
    const double r = sqrt(fc * cell[0] * cell[1] / PI);
    *nch = n[0] * n[1];
    *dused = 2.0 * r;
    /* one x-y mask, copied to every z plane */
    int64_t count = 0;
    const int64_t nxy = b->n[0] * b->n[1];
    for (int64_t j = 0; j < b->n[1]; j++)
        for (int64_t i = 0; i < b->n[0]; i++) {
            double x = ((double)i + 0.5) * b->h[0], y = ((double)j + 0.5) * b->h[1];
            /* offset from the centre of the lattice cell the voxel lies in (the cells tile the box) */
            double dx = fmod(x, cell[0]) - 0.5 * cell[0], dy = fmod(y, cell[1]) - 0.5 * cell[1];
            if (dx * dx + dy * dy >= r * r)
                continue;
            int64_t v = i + b->n[0] * j;
            for (int64_t k = 0; k < b->n[2]; k++)
                b->lab[v + nxy * k] = label;
            count += b->n[2];
        }
    return count;
}

int ssbi_grad_init(ssb_ctx *ctx, ssbi_grad *G, const ssbi_box *b, double g, int64_t target, double radius)
{
    const int64_t nz = b->n[2];
    G->nz = nz;
    G->periodic = 0; /* graded phases are cut by the z faces (fill_tracked): no wrap through z */
    G->hz = b->h[2];
    G->half = (int64_t)ceil(radius / b->h[2]);
    if (G->half > nz / 2)
        G->half = nz / 2;
    G->target = ssbi_malloc(ctx, 3 * (size_t)nz * sizeof *G->target, "graded-fraction profile");
    if (!G->target)
        return SSB_ERR_NOMEM;
    G->count = G->target + nz;
    G->smooth = G->count + nz;
    /* plane targets: f (1 + g (1/2 - z/L)) at the plane centres, scaled so that they sum to the phase's target */
    double sum = 0.0;
    for (int64_t k = 0; k < nz; k++) {
        G->target[k] = 1.0 + g * (0.5 - ((double)k + 0.5) / (double)nz);
        sum += G->target[k];
        G->count[k] = 0.0;
    }
    for (int64_t k = 0; k < nz; k++)
        G->target[k] *= (double)target / sum;
    ssbi_grad_update(G);
    return SSB_OK;
}

void ssbi_grad_free(ssbi_grad *G)
{
    free(G->target);
    G->target = G->count = G->smooth = NULL;
}

void ssbi_grad_update(ssbi_grad *G)
{
    /* the shortfall per plane, averaged over the planes a particle of the phase spans */
    G->max = 0.0;
    for (int64_t k = 0; k < G->nz; k++) {
        double s = 0.0;
        int m = 0;
        for (int64_t d = -G->half; d <= G->half; d++) {
            int64_t kk = k + d;
            if (G->periodic)
                kk = (kk % G->nz + G->nz) % G->nz;
            else if (kk < 0 || kk >= G->nz)
                continue;
            s += fmax(0.0, G->target[kk] - G->count[kk]);
            m++;
        }
        G->smooth[k] = m ? s / m : 0.0;
        if (G->smooth[k] > G->max)
            G->max = G->smooth[k];
    }
}

double ssbi_grad_weight(const ssbi_grad *G, double z)
{
    if (!(G->max > 0.0))
        return 1.0; /* every plane at its target: the rounding rest goes anywhere */
    int64_t k = (int64_t)floor(z / G->hz);
    k = k < 0 ? 0 : k >= G->nz ? G->nz - 1 : k;
    return G->smooth[k] / G->max;
}

int ssbi_grad_accept(const ssbi_grad *G, double z, ssb_rng *rng)
{
    return ssb_rng_uniform(rng) < ssbi_grad_weight(G, z);
}

void ssbi_arch_direction(ssb_rng *rng, int in_plane, double u[3])
{
    if (in_plane) {
        double phi = 2.0 * PI * ssb_rng_uniform(rng);
        u[0] = cos(phi);
        u[1] = sin(phi);
        u[2] = 0.0;
        return;
    }
    double cz = 2.0 * ssb_rng_uniform(rng) - 1.0, phi = 2.0 * PI * ssb_rng_uniform(rng), s = sqrt(1.0 - cz * cz);
    u[0] = s * cos(phi);
    u[1] = s * sin(phi);
    u[2] = cz;
}

int64_t ssbi_arch_fibre_spheres(double r, double len)
{
    /* spheres of radius r along the axis, spaced by at most r / 2: the capsule is reproduced to within
       r (1 - sqrt(1 - 1/16)) = 0.032 r between two spheres */
    double axis = len - 2.0 * r;
    if (axis <= 0.0)
        return 1;
    return 1 + (int64_t)ceil(axis / (0.5 * r));
}

void ssbi_arch_fibre_centre(const double c[3], const double u[3], double r, double len, int64_t n, int64_t k,
                            double out[3])
{
    double axis = len - 2.0 * r, t = n > 1 ? -0.5 * axis + axis * (double)k / (double)(n - 1) : 0.0;
    for (int a = 0; a < 3; a++)
        out[a] = c[a] + t * u[a];
}

double ssbi_arch_particle_volume(const ssb_micro_particle_phase *ph, double d)
{
    double r = 0.5 * d;
    if (ph->shape == SSB_MICRO_PARTICLE_FIBRE && ph->fibre_length > d)
        return PI * r * r * (ph->fibre_length - d) + 4.0 / 3.0 * PI * r * r * r;
    return PI / 6.0 * d * d * d;
}
