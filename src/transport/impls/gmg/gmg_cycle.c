/* gmg cycle: level-0 and coarse-level kernels (smoothing, restriction, prolongation, operator), the K-cycle and
 * the preconditioner of the outer iteration. */
#include "gmg_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The level-0 walk counts bits (GMG_POPC): with the popcnt instruction on x86 (every x86-64 processor since 2008;
 * ssbi_transport_solve_gmg checks it at run time), not the library call of the baseline x86-64 target. */
#if GMG_X86_POPCNT
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("popcnt"))), apply_to = function)
#else
#pragma GCC target("popcnt")
#endif
#endif

/* ---------------------------------------------------------------------------------------------------------- */
/* level-0 kernels (one = single conducting phase: constant conductance per axis, no table look-ups; lay = the
 * storage of the neighbours: 0 stored 32-bit indices, 1 found from bit masks (lean), 2 stored 16-bit ranks
 * (compact)). GMG_FINE calls fn(..., one, lay) with constant flags. */
#define GMG_FINE(fn, ...)                                                                                        \
    do {                                                                                                      \
        const int lay_ = (m)->lean ? 1 : (m)->cmp ? 2 : 0;                                                   \
        if (lay_ == 1) {                                                                                      \
            if (m->nph == 1) fn(__VA_ARGS__, 1, 1);                                                           \
            else fn(__VA_ARGS__, 0, 1);                                                                       \
        } else if (lay_ == 2) {                                                                               \
            if (m->nph == 1) fn(__VA_ARGS__, 1, 2);                                                           \
            else fn(__VA_ARGS__, 0, 2);                                                                       \
        } else {                                                                                              \
            if (m->nph == 1) fn(__VA_ARGS__, 1, 0);                                                           \
            else fn(__VA_ARGS__, 0, 0);                                                                       \
        }                                                                                                     \
    } while (0)

/* The unknowns of colour c on plane z of level 0 with their neighbours: stored indices (lay = 0,
 * GMG_FINE_STORED), found from bit masks (lay = 1, GMG_FINE_WALK) or stored ranks (lay = 2, GMG_FINE_COMPACT); all
 * visit the unknowns in the same order and give the body the same names, so the results are bit-identical. */
#define GMG_FINE_LOOP(m, z, c, one, lay, ...)                                                                    \
    do {                                                                                                      \
        if ((lay) == 1) GMG_FINE_WALK(m, z, c, __VA_ARGS__);                                                  \
        else if ((lay) == 2) GMG_FINE_COMPACT(m, z, c, one, __VA_ARGS__);                                     \
        else GMG_FINE_STORED(m, z, c, __VA_ARGS__);                                                           \
    } while (0)

/* The single-phase conductances per axis as locals of the loops: read through m they would be loaded again for
 * every unknown, since the stores into the float vectors might alias them. */
#define GMG_FINE_G1(m)                                                                                           \
    const float g1x_ = (m)->g1[0], g1y_ = (m)->g1[1], g1z_ = (m)->g1[2];                                      \
    (void)g1x_;                                                                                               \
    (void)g1y_;                                                                                               \
    (void)g1z_

/* Stored neighbours: 6 indices per unknown (n where absent) and the phase index per unknown (pi[n] = nph). */
#define GMG_FINE_STORED(m, z, c, ...)                                                                            \
    do {                                                                                                      \
        const gmg_level *L_ = &(m)->lev[0];                                                                   \
        const uint8_t *pi_ = L_->pi;                                                                          \
        const int64_t i0_ = (c) ? L_->pb[z] : L_->ps[z], i1_ = (c) ? L_->ps[(z) + 1] : L_->pb[z];             \
        GMG_FINE_G1(m);                                                                                       \
        for (int64_t i = i0_; i < i1_; i++) {                                                                 \
            const int32_t *nq_ = L_->nb + 6 * i;                                                              \
            const int32_t q0 = nq_[0], q1 = nq_[1], q2 = nq_[2], q3 = nq_[3], q4 = nq_[4], q5 = nq_[5];       \
            const uint8_t u = (uint8_t)(pi_[i] + 1), w0 = (uint8_t)(pi_[q0] + 1), w1 = (uint8_t)(pi_[q1] + 1); \
            const uint8_t w2 = (uint8_t)(pi_[q2] + 1), w3 = (uint8_t)(pi_[q3] + 1);                           \
            const uint8_t w4 = (uint8_t)(pi_[q4] + 1), w5 = (uint8_t)(pi_[q5] + 1);                           \
            (void)u; (void)w0; (void)w1; (void)w2; (void)w3; (void)w4; (void)w5;                              \
            __VA_ARGS__                                                                                       \
        }                                                                                                     \
    } while (0)

/* The six neighbour indices of compact entry e in rows that start at k[6] (k[0] = k[1]): k + r, or n where r is -1,
 * i.e. k + r + (d & -(r < 0)) with d = n + 1 - k; without a branch (presence is random: a branch per neighbour cost
 * the sweeps 60 % of their time), and with SSE2 on x86-64 as two 4-lane vectors. The SSE2 load reads 16 bytes from
 * e (the array has 4 bytes of slack at its end). */
#if defined(__SSE2__)
#include <emmintrin.h>
typedef struct {
    __m128i klo, khi, dlo, dhi;
} gmg_nrow;
GMG_INLINE void gmg_nrow_set(gmg_nrow *w, const int32_t k[6], int32_t n)
{
    w->klo = _mm_setr_epi32(k[0], k[1], k[2], k[3]);
    w->khi = _mm_setr_epi32(k[4], k[5], 0, 0);
    w->dlo = _mm_setr_epi32(n + 1 - k[0], n + 1 - k[1], n + 1 - k[2], n + 1 - k[3]);
    w->dhi = _mm_setr_epi32(n + 1 - k[4], n + 1 - k[5], 0, 0);
}
GMG_INLINE void gmg_nidx6(const gmg_nrow *w, const gmg_nbr *e, int32_t q[8])
{
    const __m128i raw = _mm_loadu_si128((const __m128i *)(const void *)e);
    const __m128i lo = _mm_srai_epi32(_mm_unpacklo_epi16(raw, raw), 16);
    const __m128i hi = _mm_srai_epi32(_mm_unpackhi_epi16(raw, raw), 16);
    _mm_storeu_si128((__m128i *)(void *)q,
                     _mm_add_epi32(_mm_add_epi32(w->klo, lo), _mm_and_si128(_mm_srai_epi32(lo, 31), w->dlo)));
    _mm_storeu_si128((__m128i *)(void *)(q + 4),
                     _mm_add_epi32(_mm_add_epi32(w->khi, hi), _mm_and_si128(_mm_srai_epi32(hi, 31), w->dhi)));
}
#else
typedef struct {
    int32_t k[6], d[6];
} gmg_nrow;
GMG_INLINE void gmg_nrow_set(gmg_nrow *w, const int32_t k[6], int32_t n)
{
    for (int j = 0; j < 6; j++) {
        w->k[j] = k[j];
        w->d[j] = n + 1 - k[j];
    }
}
GMG_INLINE void gmg_nidx6(const gmg_nrow *w, const gmg_nbr *e, int32_t q[8])
{
    for (int j = 0; j < 6; j++) q[j] = w->k[j] + (int32_t)e->r[j] + (w->d[j] & -(int32_t)(e->r[j] < 0));
}
#endif

/* Compact stored neighbours (gmg_nbr: ranks in the five neighbour rows of the other colour) and, with more than one
 * conducting phase (one = 0), the phase index per unknown (pi[n] = nph). Walks row by row, the starts of the
 * neighbour rows loaded once per row. The body sees what GMG_FINE_WALK's sees (with one, u = 1 and w0..w5 = 1 where
 * present, else 0: only the multi-phase kernels read them). */
#define GMG_FINE_COMPACT(m, z, c, one, ...)                                                                      \
    do {                                                                                                      \
        const gmg_level *L_ = &(m)->lev[0];                                                                   \
        const uint8_t *pi_ = L_->pi;                                                                          \
        const gmg_nbr *nk_ = L_->nk;                                                                          \
        const int32_t *rs_ = L_->rst;                                                                         \
        const int64_t ny_ = L_->d[1], nz_ = L_->d[2];                                                         \
        const int32_t n_ = (int32_t)L_->n;                                                                    \
        const int oc_ = 1 - (c);                                                                              \
        GMG_FINE_G1(m);                                                                                       \
        for (int64_t y_ = 0; y_ < ny_; y_++) {                                                                \
            const int64_t r_ = (z) * ny_ + y_;                                                                \
            const int64_t i0_ = rs_[2 * r_ + (c)];                                                            \
            const int64_t i1_ = y_ + 1 < ny_ ? rs_[2 * (r_ + 1) + (c)] : (c) ? L_->ps[(z) + 1] : L_->pb[z];   \
            const int32_t kr_[6] = {rs_[2 * r_ + oc_], rs_[2 * r_ + oc_],                                     \
                                    y_ > 0 ? rs_[2 * (r_ - 1) + oc_] : 0, y_ + 1 < ny_ ? rs_[2 * (r_ + 1) + oc_] : 0, \
                                    (z) > 0 ? rs_[2 * (r_ - ny_) + oc_] : 0,                                  \
                                    (z) + 1 < nz_ ? rs_[2 * (r_ + ny_) + oc_] : 0};                           \
            gmg_nrow nw_;                                                                                     \
            gmg_nrow_set(&nw_, kr_, n_);                                                                      \
            for (int64_t i = i0_; i < i1_; i++) {                                                             \
                int32_t qq_[8];                                                                               \
                gmg_nidx6(&nw_, nk_ + i, qq_);                                                                \
                const int32_t q0 = qq_[0], q1 = qq_[1], q2 = qq_[2], q3 = qq_[3], q4 = qq_[4], q5 = qq_[5];   \
                const uint8_t u = (one) ? 1 : (uint8_t)(pi_[i] + 1);                                          \
                const uint8_t w0 = (one) ? (uint8_t)(q0 != n_) : (uint8_t)(pi_[q0] + 1);                      \
                const uint8_t w1 = (one) ? (uint8_t)(q1 != n_) : (uint8_t)(pi_[q1] + 1);                      \
                const uint8_t w2 = (one) ? (uint8_t)(q2 != n_) : (uint8_t)(pi_[q2] + 1);                      \
                const uint8_t w3 = (one) ? (uint8_t)(q3 != n_) : (uint8_t)(pi_[q3] + 1);                      \
                const uint8_t w4 = (one) ? (uint8_t)(q4 != n_) : (uint8_t)(pi_[q4] + 1);                      \
                const uint8_t w5 = (one) ? (uint8_t)(q5 != n_) : (uint8_t)(pi_[q5] + 1);                      \
                (void)u; (void)w0; (void)w1; (void)w2; (void)w3; (void)w4; (void)w5;                          \
                __VA_ARGS__                                                                                   \
            }                                                                                                 \
        }                                                                                                     \
    } while (0)

/* Walk over the unknowns of colour c (0 red, 1 black) on plane z of level 0 in the solver's order (row by row, x
 * ascending), finding the six neighbours from bit masks of the unknowns and the row starts instead of storing them
 * (that saves 24 bytes per unknown and a 12-byte read per unknown and half-sweep). On a colour-c position x of row
 * (y, z) the six neighbours have the other colour: x - 1 and x + 1 in the same row, x in the rows y - 1, y + 1
 * (plane z) and in row y of the planes z - 1, z + 1. Bit k of word w of the mask of (row, colour) is the position
 * x = 2 (64 w + k) + x0 (x0 = the parity of y + z + colour); in the four other rows the other colour's bit k is at
 * the same x. The index of a neighbour is its row's start plus the number of bits below it (popcount). The loop
 * visits only the unknowns (ctz over the mask): no work and no mispredicted branch on inactive voxels.
 * The body (the last argument) sees i (own index), u (own phase + 1), q0..q5 (neighbour indices, -x, +x, -y, +y,
 * -z, +z; n where absent) and w0..w5 (their phase + 1, 0 where absent; only the multi-phase kernels read them). */
#define GMG_FINE_WALK(m, z, c, ...)                                                                              \
    do {                                                                                                      \
        const gmg_level *L_ = &(m)->lev[0];                                                                   \
        const int64_t nx_ = L_->d[0], ny_ = L_->d[1], nz_ = L_->d[2], npl_ = nx_ * ny_, nw_ = L_->nwr;        \
        const int32_t n_ = (int32_t)L_->n;                                                                    \
        const int oc_ = 1 - (c);                                                                              \
        GMG_FINE_G1(m);                                                                                       \
        for (int64_t y_ = 0; y_ < ny_; y_++) {                                                                \
            const int64_t r_ = (z) * ny_ + y_;                                                                \
            const int64_t x0_ = (y_ + (z) + (c)) & 1;                                                         \
            const uint8_t *cur_ = (m)->ph + r_ * nx_;                                                         \
            const uint64_t *ow_ = L_->bits + (2 * r_ + (c)) * nw_, *c0w_ = L_->bits + (2 * r_ + oc_) * nw_;   \
            const int has2_ = y_ > 0, has3_ = y_ + 1 < ny_, has4_ = (z) > 0, has5_ = (z) + 1 < nz_;           \
            const uint64_t *c2w_ = has2_ ? c0w_ - 2 * nw_ : (m)->zbits;                                       \
            const uint64_t *c3w_ = has3_ ? c0w_ + 2 * nw_ : (m)->zbits;                                       \
            const uint64_t *c4w_ = has4_ ? c0w_ - 2 * ny_ * nw_ : (m)->zbits;                                 \
            const uint64_t *c5w_ = has5_ ? c0w_ + 2 * ny_ * nw_ : (m)->zbits;                                 \
            int32_t i = L_->rst[2 * r_ + (c)];                                                                \
            int32_t k0_ = L_->rst[2 * r_ + oc_];                                                              \
            int32_t k2_ = has2_ ? L_->rst[2 * (r_ - 1) + oc_] : n_, k3_ = has3_ ? L_->rst[2 * (r_ + 1) + oc_] : n_; \
            int32_t k4_ = has4_ ? L_->rst[2 * (r_ - ny_) + oc_] : n_;                                         \
            int32_t k5_ = has5_ ? L_->rst[2 * (r_ + ny_) + oc_] : n_;                                         \
            for (int64_t wi_ = 0; wi_ + 1 < nw_; wi_++) {                                                     \
                uint64_t o_ = ow_[wi_];                                                                       \
                const uint64_t a0_ = c0w_[wi_], a2_ = c2w_[wi_], a3_ = c3w_[wi_], a4_ = c4w_[wi_], a5_ = c5w_[wi_]; \
                while (o_) {                                                                                  \
                    const int kb_ = __builtin_ctzll(o_);                                                      \
                    o_ &= o_ - 1;                                                                             \
                    const uint64_t lo_ = (UINT64_C(1) << kb_) - 1;                                            \
                    const int64_t xx_ = 2 * (64 * wi_ + kb_) + x0_;                                           \
                    /* same row: x - 1 and x + 1 are the other colour's bits kb - 1 + x0 and kb + x0 */        \
                    int p0_, p1_;                                                                             \
                    int32_t q0, q1;                                                                           \
                    if (x0_) {                                                                                \
                        p0_ = (int)((a0_ >> kb_) & 1);                                                        \
                        q0 = p0_ ? k0_ + GMG_POPC(a0_ & lo_) : n_;                                            \
                        if (kb_ < 63) {                                                                       \
                            p1_ = (int)((a0_ >> (kb_ + 1)) & 1);                                              \
                            q1 = p1_ ? k0_ + GMG_POPC(a0_ & ((lo_ << 1) | 1)) : n_;                           \
                        } else {                                                                              \
                            p1_ = (int)(c0w_[wi_ + 1] & 1);                                                   \
                            q1 = p1_ ? k0_ + GMG_POPC(a0_) : n_;                                              \
                        }                                                                                     \
                    } else {                                                                                  \
                        if (kb_ > 0) {                                                                        \
                            p0_ = (int)((a0_ >> (kb_ - 1)) & 1);                                              \
                            q0 = p0_ ? k0_ + GMG_POPC(a0_ & (lo_ >> 1)) : n_;                                 \
                        } else {                                                                              \
                            p0_ = wi_ > 0 ? (int)(c0w_[wi_ - 1] >> 63) : 0;                                   \
                            q0 = p0_ ? k0_ - 1 : n_;                                                          \
                        }                                                                                     \
                        p1_ = (int)((a0_ >> kb_) & 1);                                                        \
                        q1 = p1_ ? k0_ + GMG_POPC(a0_ & lo_) : n_;                                            \
                    }                                                                                         \
                    const int p2_ = (int)((a2_ >> kb_) & 1), p3_ = (int)((a3_ >> kb_) & 1);                   \
                    const int p4_ = (int)((a4_ >> kb_) & 1), p5_ = (int)((a5_ >> kb_) & 1);                   \
                    const int32_t q2 = p2_ ? k2_ + GMG_POPC(a2_ & lo_) : n_;                                  \
                    const int32_t q3 = p3_ ? k3_ + GMG_POPC(a3_ & lo_) : n_;                                  \
                    const int32_t q4 = p4_ ? k4_ + GMG_POPC(a4_ & lo_) : n_;                                  \
                    const int32_t q5 = p5_ ? k5_ + GMG_POPC(a5_ & lo_) : n_;                                  \
                    const uint8_t u = cur_[xx_];                                                              \
                    const uint8_t w0 = p0_ ? cur_[xx_ - 1] : 0, w1 = p1_ ? cur_[xx_ + 1] : 0;                 \
                    const uint8_t w2 = p2_ ? cur_[xx_ - nx_] : 0, w3 = p3_ ? cur_[xx_ + nx_] : 0;             \
                    const uint8_t w4 = p4_ ? cur_[xx_ - npl_] : 0, w5 = p5_ ? cur_[xx_ + npl_] : 0;           \
                    (void)u; (void)w0; (void)w1; (void)w2; (void)w3; (void)w4; (void)w5;                      \
                    __VA_ARGS__                                                                               \
                    i++;                                                                                      \
                }                                                                                             \
                k0_ += GMG_POPC(a0_);                                                                         \
                k2_ += GMG_POPC(a2_);                                                                         \
                k3_ += GMG_POPC(a3_);                                                                         \
                k4_ += GMG_POPC(a4_);                                                                         \
                k5_ += GMG_POPC(a5_);                                                                         \
            }                                                                                                 \
        }                                                                                                     \
    } while (0)
#define GMG_POPC(v) ((int32_t)__builtin_popcountll(v))

/* phase-table column of a phase-map value (0: absent neighbour, column nph with conductance 0) */
#define GMG_PCOL(w, nph) ((w) ? (w) - 1 : (nph))

/* sum_j g_ij x_j over the six neighbours of the unknown being walked (float, normalised tables; only inside
 * GMG_FINE_STORED / GMG_FINE_WALK, which provide g1x_, g1y_, g1z_) */
#define GMG_FINE_OFF(m, x, one)                                                                                  \
    ((one) ? g1x_ * ((x)[q0] + (x)[q1]) + g1y_ * ((x)[q2] + (x)[q3]) + g1z_ * ((x)[q4] + (x)[q5])               \
           : fine_off_tab(m, u, w0, w1, w2, w3, w4, w5, (x)[q0], (x)[q1], (x)[q2], (x)[q3], (x)[q4], (x)[q5]))

GMG_INLINE float fine_off_tab(const gmg *m, uint8_t u, uint8_t w0, uint8_t w1, uint8_t w2, uint8_t w3, uint8_t w4,
                              uint8_t w5, float x0, float x1, float x2, float x3, float x4, float x5)
{
    const int nph = m->nph, p = (u - 1) * (nph + 1);
    const float *gx = m->gf[0] + p, *gy = m->gf[1] + p, *gz = m->gf[2] + p;
    return gx[GMG_PCOL(w0, nph)] * x0 + gx[GMG_PCOL(w1, nph)] * x1 + gy[GMG_PCOL(w2, nph)] * x2 +
           gy[GMG_PCOL(w3, nph)] * x3 + gz[GMG_PCOL(w4, nph)] * x4 + gz[GMG_PCOL(w5, nph)] * x5;
}

/* Diagonal of the unknown being walked (float, normalised), summed in the set-up's order (setup_fine), so that
 * 1 / d equals the stored invd of the stored-index level 0 to the last bit; lo / hi: plane z is the first / last. */
#define GMG_FINE_DIAG(m, L, one, lo, hi, hs)                                                                     \
    fine_diag(m, L, one, lo, hi, hs, i, q0 != n_, q1 != n_, q2 != n_, q3 != n_, q4 != n_, q5 != n_, u, w0, w1, w2, w3, w4, w5)

GMG_INLINE float fine_diag(const gmg *m, const gmg_level *L, const int one, int lo, int hi, int64_t hs, int64_t i,
                           int p0, int p1, int p2, int p3, int p4, int p5, uint8_t u, uint8_t w0, uint8_t w1,
                           uint8_t w2, uint8_t w3, uint8_t w4, uint8_t w5)
{
    float d = 0.0f;
    if (one) {
        d += p0 ? m->g1[0] : 0.0f;
        d += p1 ? m->g1[0] : 0.0f;
        d += p2 ? m->g1[1] : 0.0f;
        d += p3 ? m->g1[1] : 0.0f;
        d += p4 ? m->g1[2] : 0.0f;
        d += p5 ? m->g1[2] : 0.0f;
    } else {
        const int nph = m->nph, pp = (u - 1) * (nph + 1);
        d += m->gf[0][pp + GMG_PCOL(w0, nph)];
        d += m->gf[0][pp + GMG_PCOL(w1, nph)];
        d += m->gf[1][pp + GMG_PCOL(w2, nph)];
        d += m->gf[1][pp + GMG_PCOL(w3, nph)];
        d += m->gf[2][pp + GMG_PCOL(w4, nph)];
        d += m->gf[2][pp + GMG_PCOL(w5, nph)];
    }
    if (lo) d += L->gdlo[i];
    if (hi) d += L->gdhi[i - hs];
    return d;
}

/* The unknowns of colour c on plane z of level 0 (GMG_FINE_LOOP) with BODY(INVD): BODY is the name of a macro whose
 * argument is the unknown's inverse diagonal, the stored invd[i] or (lean) 1 / the diagonal summed in the walk. */
#define GMG_FINE_LOOP_INVD(m, z, c, one, lay, BODY)                                                              \
    do {                                                                                                      \
        const gmg_level *Ld_ = &(m)->lev[0];                                                                  \
        const float *invd_ = Ld_->invd;                                                                       \
        if ((lay) == 1) {                                                                                     \
            const int dlo_ = (z) == 0, dhi_ = (z) == Ld_->d[2] - 1;                                           \
            const int64_t dhs_ = Ld_->ps[Ld_->d[2] - 1];                                                      \
            (void)invd_;                                                                                      \
            GMG_FINE_WALK(m, z, c, BODY(1.0f / GMG_FINE_DIAG(m, Ld_, one, dlo_, dhi_, dhs_)));                \
        } else if ((lay) == 2) {                                                                              \
            GMG_FINE_COMPACT(m, z, c, one, BODY(invd_[i]));                                                   \
        } else {                                                                                              \
            GMG_FINE_STORED(m, z, c, BODY(invd_[i]));                                                         \
        }                                                                                                     \
    } while (0)

/* Gauss-Seidel update of colour c (0 red, 1 black) on plane z of level 0. The right-hand side of level 0 is the
 * outer residual r in float, normalised: b = (float)r * rs with rs = 1 / gscale, formed where it is read (r does not
 * change during the preconditioner; storing b cost 4 bytes per unknown). */
#define GMG_GS_BODY(INVD) x[i] = ((float)r[i] * rs + GMG_FINE_OFF(m, x, one)) * (INVD);
GMG_INLINE void fine_gs(const gmg *m, int64_t z, int c, const double *r, const int one, const int lay)
{
    float *x = m->lev[0].x;
    const float rs = (float)(1.0 / m->gscale);
    GMG_FINE_LOOP_INVD(m, z, c, one, lay, GMG_GS_BODY);
}

/* interior diagonal of the unknowns of plane z of a compact level 0 (setup_fine's sum, in its order) */
GMG_INLINE void interior_diag(const gmg *m, int64_t z, float *d, const int one)
{
    for (int c = 0; c < 2; c++)
        GMG_FINE_COMPACT(m, z, c, one, {
            const int pp = (u - 1) * (m->nph + 1);
            const uint8_t wk[6] = {w0, w1, w2, w3, w4, w5};
            float s = 0.0f;
            for (int k = 0; k < 6; k++) s += m->gf[k >> 1][pp + GMG_PCOL(wk[k], m->nph)];
            d[i] = s;
        });
}

void ssbi_gmg_interior_diag(const gmg *m, int64_t z, float *d)
{
    if (m->nph == 1) interior_diag(m, z, d, 1);
    else interior_diag(m, z, d, 0);
}

/* red x = b / d of plane z (the start of the pre-smoothing) when the diagonal is not stored */
GMG_INLINE void fine_red_init(const gmg *m, int64_t z, const double *r, const int one, const int lay)
{
    const gmg_level *L = &m->lev[0];
    float *x = L->x;
    const float rs = (float)(1.0 / m->gscale);
    const int lo = z == 0, hi = z == L->d[2] - 1;
    const int64_t hs = L->ps[L->d[2] - 1];
    (void)lay;
    GMG_FINE_WALK(m, z, 0, x[i] = ((float)r[i] * rs) * (1.0f / GMG_FINE_DIAG(m, L, one, lo, hi, hs)););
}

static void f_black(const gmg *m, const gmg_args *a, int64_t z, double *acc)
{
    (void)acc;
    GMG_FINE(fine_gs, m, z, 1, a->r);
}

/* pre-smoothing, stage A: red x = b / d, black x = 0 (b = r in float, normalised); zero the coarse right-hand side */
static void f_pre_init(const gmg *m, const gmg_args *a, int64_t z, double *acc)
{
    const gmg_level *L = &m->lev[0];
    const float rs = (float)(1.0 / m->gscale);
    const double *r = a->r;
    float *x = L->x;
    const float *invd = L->invd;
    (void)acc;
    if (m->lean) GMG_FINE(fine_red_init, m, z, r);
    else
        for (int64_t i = L->ps[z]; i < L->pb[z]; i++) x[i] = ((float)r[i] * rs) * invd[i];
    memset(x + L->pb[z], 0, (size_t)(L->ps[z + 1] - L->pb[z]) * 4);
    if (m->nlev > 1 && !(z & 1)) {
        const gmg_level *C = &m->lev[1];
        memset(C->b + C->ps[z / 2], 0, (size_t)(C->ps[z / 2 + 1] - C->ps[z / 2]) * 4);
    }
}


/* pre-smoothing, stage C: residual of the red unknowns (= their coupling to the black ones, since red x = b / d)
 * added to the coarse right-hand side */
GMG_INLINE void fine_restrict(const gmg *m, int64_t z, const int one, const int lay)
{
    const gmg_level *L = &m->lev[0];
    float *cb = m->lev[1].b;
    const float *x = L->x;
    const int32_t *agg = L->agg;
    GMG_FINE_LOOP(m, z, 0, one, lay, cb[agg[i]] += GMG_FINE_OFF(m, x, one););
}

static void f_pre_restrict(const gmg *m, const gmg_args *a, int64_t z, double *acc)
{
    (void)a;
    (void)acc;
    GMG_FINE(fine_restrict, m, z);
}

/* post-smoothing, stage A: coarse correction */
static void f_post_prolong(const gmg *m, const gmg_args *a, int64_t z, double *acc)
{
    const gmg_level *L = &m->lev[0];
    float *x = L->x;
    const float *xc = m->lev[1].x;
    const int32_t *agg = L->agg;
    const float w = a->omega;
    (void)acc;
    for (int64_t i = L->ps[z]; i < L->ps[z + 1]; i++) x[i] += w * xc[agg[i]];
}


/* ---------------------------------------------------------------------------------------------------------- */
/* exact operator (double) on level 0 */

/* Row i of the exact operator (double) for the unknown being walked (inside GMG_FINE_LOOP), with the locals of
 * GMG_AROW_LOCALS: XV(k) reads the vector, xi is its own entry; without the Dirichlet terms (GMG_DIR_ADD). One
 * phase: the diagonal from the neighbour counts per axis (the table of counts with stored indices, the presence of
 * the neighbours otherwise: the same sum in the same order, so the same bits). */
#define GMG_AROW_LOCALS(m, p, one, lay)                                                                          \
    const double *G0 = (p)->gface[0], *G1 = (p)->gface[1], *G2 = (p)->gface[2];                              \
    const double G00 = G0[0], G10 = G1[0], G20 = G2[0]; /* one phase (locals: stores might alias the tables) */  \
    const int st = (m)->nph + 1, nph = (m)->nph;                                                             \
    const int32_t nn_ = (int32_t)(m)->lev[0].n;                                                              \
    const uint8_t *nc = (m)->lev[0].nc;                                                                      \
    double dtab[27];                                                                                         \
    if ((one) && (lay) == 0)                                                                                 \
        for (int k_ = 0; k_ < 27; k_++)                                                                      \
            dtab[k_] = G00 * (double)(k_ % 3) + G10 * (double)(k_ / 3 % 3) + G20 * (double)(k_ / 9);         \
    (void)st;                                                                                                \
    (void)nph;                                                                                               \
    (void)nn_;                                                                                               \
    (void)nc
#define GMG_AROW(XV, xi, one, lay)                                                                              \
    ((one) ? ((lay) ? G00 * (double)((q0 != nn_) + (q1 != nn_)) + G10 * (double)((q2 != nn_) + (q3 != nn_)) +   \
                          G20 * (double)((q4 != nn_) + (q5 != nn_))                                          \
                    : dtab[nc[i]]) * (xi) -                                                                  \
                 G00 * (XV(q0) + XV(q1)) - G10 * (XV(q2) + XV(q3)) - G20 * (XV(q4) + XV(q5))               \
           : arow_tab(G0, G1, G2, (u - 1) * st, nph, w0, w1, w2, w3, w4, w5, xi, XV(q0), XV(q1), XV(q2), XV(q3), \
                      XV(q4), XV(q5)))

GMG_INLINE double arow_tab(const double *G0, const double *G1, const double *G2, int pp, int nph, uint8_t w0,
                           uint8_t w1, uint8_t w2, uint8_t w3, uint8_t w4, uint8_t w5, double xi, double x0,
                           double x1, double x2, double x3, double x4, double x5)
{
    const double a0 = G0[pp + GMG_PCOL(w0, nph)], a1 = G0[pp + GMG_PCOL(w1, nph)], a2 = G1[pp + GMG_PCOL(w2, nph)],
                 a3 = G1[pp + GMG_PCOL(w3, nph)], a4 = G2[pp + GMG_PCOL(w4, nph)], a5 = G2[pp + GMG_PCOL(w5, nph)];
    return (a0 + a1 + a2 + a3 + a4 + a5) * xi - a0 * x0 - a1 * x1 - a2 * x2 - a3 * x3 - a4 * x4 - a5 * x5;
}

/* The Dirichlet entries of plane z met in a walk over colour c (the lists are ascending, red before black): one
 * cursor per side; GMG_DIR_ADD adds unknown i's terms g_D xi to s (inlet first, as apply_plane adds them). */
#define GMG_DIR_CURSORS(m, z, c)                                                                                 \
    int64_t kd0_ = (m)->dps[0][z], kd1_ = (m)->dps[1][z];                                                    \
    const int64_t ed0_ = (m)->dps[0][(z) + 1], ed1_ = (m)->dps[1][(z) + 1];                                  \
    if (c) {                                                                                                 \
        const int64_t pbz_ = (m)->lev[0].pb[z];                                                              \
        while (kd0_ < ed0_ && (m)->di[0][kd0_] < pbz_) kd0_++;                                               \
        while (kd1_ < ed1_ && (m)->di[1][kd1_] < pbz_) kd1_++;                                               \
    }
#define GMG_DIR_ADD(m, s, xi)                                                                                    \
    do {                                                                                                     \
        if (kd0_ < ed0_ && (m)->di[0][kd0_] == i) s += (m)->dg0[0][kd0_++] * (xi);                           \
        if (kd1_ < ed1_ && (m)->di[1][kd1_] == i) s += (m)->dg0[1][kd1_++] * (xi);                           \
    } while (0)

/* y = A x on plane z (x has n + 1 entries with x[n] = 0) for x in double (xd) or in float (xf; the other NULL: the
 * calls pass a constant NULL, so that the inlined copies read one type without tests); *xy += x . y over the plane;
 * y = NULL (a constant too): only x . y. Row i of y is the interior row (GMG_AROW) plus the Dirichlet terms
 * (GMG_DIR_ADD forms the same value in a walk). */
#define GMG_XV(k) (xd ? xd[k] : (double)xf[k])
GMG_INLINE void apply_plane(const gmg *m, const ssbi_tproblem *p, int64_t z, const double *xd, const float *xf,
                            double *y, double *xy, const int one, const int lay)
{
    GMG_AROW_LOCALS(m, p, one, lay);
    double s_xy = 0.0;
    for (int c = 0; c < 2; c++)
        GMG_FINE_LOOP(m, z, c, one, lay, {
            const double xi = GMG_XV(i);
            const double s = GMG_AROW(GMG_XV, xi, one, lay);
            if (y) y[i] = s;
            s_xy += xi * s;
        });
    for (int sd = 0; sd < 2; sd++) /* the Dirichlet unknowns of the plane (inlet, then outlet) */
        for (int64_t k = m->dps[sd][z]; k < m->dps[sd][z + 1]; k++) {
            const int64_t i = m->di[sd][k];
            const double t = m->dg0[sd][k] * GMG_XV(i);
            if (y) y[i] += t;
            s_xy += GMG_XV(i) * t;
        }
    *xy += s_xy;
}
#undef GMG_XV

/* search direction, stage A: p = z + beta p (z = x0 * gscale from the preconditioner), stored in float (see
 * gmg_impl.h: the outer CG vectors) */
void ssbi_gmg_q_dir(const gmg *m, const gmg_args *a, int64_t z, double *acc)
{
    const gmg_level *L = &m->lev[0];
    const double zs = m->gscale, beta = a->beta;
    const float *xf = L->x;
    float *pv = a->pv;
    (void)acc;
    if (beta == 0.0)
        for (int64_t i = L->ps[z]; i < L->ps[z + 1]; i++) pv[i] = (float)((double)xf[i] * zs);
    else
        for (int64_t i = L->ps[z]; i < L->ps[z + 1]; i++) pv[i] = (float)((double)xf[i] * zs + beta * pv[i]);
}

/* stage B: q = A p (stored level 0) and p . q (the compact and lean level 0 store no q: ssbi_gmg_q_apply_upd) */
void ssbi_gmg_q_apply(const gmg *m, const gmg_args *a, int64_t z, double *acc)
{
    if (a->q) GMG_FINE(apply_plane, m, a->prob, z, NULL, a->pv, a->q, &acc[0]);
    else GMG_FINE(apply_plane, m, a->prob, z, NULL, a->pv, NULL, &acc[0]);
}

/* stage B without a stored q (compact and lean level 0): q = A p formed in the walk (apply_plane's arithmetic, the
 * Dirichlet terms by the cursors) and the CG update in the same walk, with alpha known beforehand (see cg_run: from
 * p . A p estimated by the preconditioner's sums): x += alpha p, r -= alpha q; acc[0] += p . q (exact, the next
 * estimate's p_old . A p_old), acc[1] += r . r, acc[2] += r . x. The pre-smoothing then reads the updated r. */
GMG_INLINE void fine_q_upd(const gmg *m, const gmg_args *a, int64_t z, double *acc, const int one, const int lay)
{
    GMG_AROW_LOCALS(m, a->prob, one, lay);
    const double al = a->alpha;
    double *x = a->x, *r = a->r;
    const float *pv = a->pv;
    double pq = 0.0, rr = 0.0, rx = 0.0;
#define GMG_PV(k) ((double)pv[k])
    for (int c = 0; c < 2; c++) {
        GMG_DIR_CURSORS(m, z, c);
        GMG_FINE_LOOP(m, z, c, one, lay, {
            const double pi_d = (double)pv[i];
            double qi = GMG_AROW(GMG_PV, pi_d, one, lay);
            GMG_DIR_ADD(m, qi, pi_d);
            pq += pi_d * qi;
            x[i] += al * pv[i];
            r[i] -= al * qi;
            rr += r[i] * r[i];
            rx += r[i] * x[i];
        });
    }
#undef GMG_PV
    acc[0] += pq;
    acc[1] += rr;
    acc[2] += rx;
}

void ssbi_gmg_q_apply_upd(const gmg *m, const gmg_args *a, int64_t z, double *acc)
{
    GMG_FINE(fine_q_upd, m, a, z, acc);
}

/* update with a stored q, stage A: x += alpha p, r -= alpha q, r . r, r . x (the dissipated power E = I_in - r . x,
 * see gmg.c) */
static void u_update(const gmg *m, const gmg_args *a, int64_t z, double *acc)
{
    const gmg_level *L = &m->lev[0];
    const double al = a->alpha;
    double *x = a->x, *r = a->r;
    const float *pv = a->pv;
    const double *q = a->q;
    double rr = 0.0, rx = 0.0;
    for (int64_t i = L->ps[z]; i < L->ps[z + 1]; i++) {
        x[i] += al * pv[i];
        r[i] -= al * q[i];
        rr += r[i] * r[i];
        rx += r[i] * x[i];
    }
    acc[0] += rr;
    acc[1] += rx;
}

/* true residual, stage B: r = rhs - A x (A x formed in r), r . r, r . x */
void ssbi_gmg_r_true(const gmg *m, const gmg_args *a, int64_t z, double *acc)
{
    const gmg_level *L = &m->lev[0];
    double dummy = 0.0;
    double *r = a->r;
    GMG_FINE(apply_plane, m, a->prob, z, a->x, NULL, r, &dummy);
    const double *x = a->x;
    double rr = 0.0, rx = 0.0;
    for (int64_t i = L->ps[z]; i < L->ps[z + 1]; i++) r[i] = -r[i];
    /* inlet unknowns: right-hand side gd (1 V); -q + gd rounds as gd - q */
    for (int64_t k = m->dps[0][z]; k < m->dps[0][z + 1]; k++) r[m->di[0][k]] += m->dg0[0][k];
    for (int64_t i = L->ps[z]; i < L->ps[z + 1]; i++) {
        rr += r[i] * r[i];
        rx += r[i] * x[i];
    }
    acc[0] += rr;
    acc[1] += rx;
}

/* The CG update of the colour-c unknowns of plane z with q = A p formed here, in apply_plane's arithmetic (so the
 * bits of a stored q; the iteration keeps no q vector: 8 bytes per unknown less): x += alpha p, r -= alpha q; r . r
 * and r . x into acc[0], acc[1]. gs: then the Gauss-Seidel update of these unknowns on level 0 (b = r in float, the
 * pre-smoothing's black half-sweep), in the same walk. */
#define GMG_UPD_BODY(INVD)                                                                                       \
    {                                                                                                        \
        const double pi_d = (double)pv[i];                                                                   \
        double qi = GMG_AROW(GMG_PV, pi_d, one, lay);                                                        \
        GMG_DIR_ADD(m, qi, pi_d);                                                                            \
        x[i] += al * pv[i];                                                                                  \
        r[i] -= al * qi;                                                                                     \
        rr += r[i] * r[i];                                                                                   \
        rx += r[i] * x[i];                                                                                   \
        if (gs) x0[i] = ((float)r[i] * rs + GMG_FINE_OFF(m, x0, one)) * (INVD);                              \
    }
#define GMG_PV(k) ((double)pv[k])
GMG_INLINE void fine_upd(const gmg *m, const gmg_args *a, int64_t z, int c, const int gs, double *acc, const int one,
                         const int lay)
{
    const gmg_level *L = &m->lev[0];
    GMG_AROW_LOCALS(m, a->prob, one, lay);
    const double al = a->alpha;
    double *x = a->x, *r = a->r;
    const float *pv = a->pv;
    float *x0 = L->x;
    const float rs = (float)(1.0 / m->gscale);
    double rr = 0.0, rx = 0.0;
    GMG_DIR_CURSORS(m, z, c);
    GMG_FINE_LOOP_INVD(m, z, c, one, lay, GMG_UPD_BODY);
    acc[0] += rr;
    acc[1] += rx;
}

/* The Gauss-Seidel update of the colour-c unknowns of plane z (post-smoothing) and, with a->zq, z . q over them
 * into acc[1] (z = x * gscale, q = A p formed as in fine_q_upd): their z is final after this half-sweep. Also the two
 * sums of z . A z in the float operator of level 0 (A_f, normalised): with nu_i = b_i + sum_j g_ij x_j the
 * update's numerator (x_i = nu_i / d_i), d_i x_i^2 = nu_i x_i for every unknown, and every coupling joins a red and
 * a black unknown, so x . A_f x = sum_i nu_i x_i - 2 sum_red x_i sum_j g_ij x_j, where the red sums see the final
 * black values (this half-sweep comes last): acc[2] += sum nu x, acc[3] += sum_red x off (see fine_q_upd). */
#define GMG_GSZ_BODY(INVD)                                                                                       \
    {                                                                                                        \
        const float of = GMG_FINE_OFF(m, x0, one), nu = (float)r[i] * rs + of, xn = nu * (INVD);              \
        x0[i] = xn;                                                                                          \
        s3 += (double)nu * (double)xn;                                                                       \
        if (!c) s4 += (double)xn * (double)of;                                                               \
        if (zq) {                                                                                            \
            const double pi_d = (double)pv[i];                                                               \
            double qi = GMG_AROW(GMG_PV, pi_d, one, lay);                                                    \
            GMG_DIR_ADD(m, qi, pi_d);                                                                        \
            s2 += qi * ((double)xn * zs);                                                                    \
        }                                                                                                    \
    }
GMG_INLINE void fine_gs_zq(const gmg *m, const gmg_args *a, int64_t z, int c, double *acc, const int one,
                           const int lay)
{
    const gmg_level *L = &m->lev[0];
    GMG_AROW_LOCALS(m, a->prob, one, lay);
    const double *r = a->r;
    const float *pv = a->pv;
    float *x0 = L->x;
    const float rs = (float)(1.0 / m->gscale);
    const double zs = m->gscale;
    const int zq = a->zq;
    double s2 = 0.0, s3 = 0.0, s4 = 0.0;
    GMG_DIR_CURSORS(m, z, c);
    GMG_FINE_LOOP_INVD(m, z, c, one, lay, GMG_GSZ_BODY);
    acc[1] += s2;
    acc[2] += s3;
    acc[3] += s4;
}
#undef GMG_PV

/* CG update fused with the pre-smoothing's stage A, then f_pre_init: with a stored q the whole plane's update;
 * without (and alpha from the exact p . A p, see cg_run), the red unknowns' update (f_pre_init reads r of the red
 * unknowns only), the black unknowns' is in stage B (f_black_upd), before their half-sweep */
static void f_upd_init(const gmg *m, const gmg_args *a, int64_t z, double *acc)
{
    if (a->q) u_update(m, a, z, acc);
    else GMG_FINE(fine_upd, m, a, z, 0, 0, acc);
    f_pre_init(m, a, z, acc);
}

/* pre-smoothing with the CG update without a stored q, stage B: the black unknowns' update and half-sweep */
static void f_black_upd(const gmg *m, const gmg_args *a, int64_t z, double *acc)
{
    GMG_FINE(fine_upd, m, a, z, 1, 1, acc);
}

/* post-smoothing, stage B: black half-sweep, z . q over the black unknowns */
static void f_black_zq(const gmg *m, const gmg_args *a, int64_t z, double *acc)
{
    GMG_FINE(fine_gs_zq, m, a, z, 1, acc);
}

/* post-smoothing, stage C: red half-sweep (without a stored q: with z . q over the red unknowns), then the plane's
 * r . z and (with a stored q and a->zq) q . z (z = x * gscale) */
static void f_post_red(const gmg *m, const gmg_args *a, int64_t z, double *acc)
{
    const gmg_level *L = &m->lev[0];
    const double zs = m->gscale;
    const float *x = L->x;
    const double *r = a->r;
    if (a->q) {
        GMG_FINE(fine_gs, m, z, 0, a->r);
        const double *q = a->zq ? a->q : NULL;
        double s1 = 0.0, s2 = 0.0;
        for (int64_t i = L->ps[z]; i < L->ps[z + 1]; i++) {
            const double zi = (double)x[i] * zs;
            s1 += r[i] * zi;
            if (q) s2 += q[i] * zi;
        }
        acc[0] += s1;
        acc[1] += s2;
        return;
    }
    GMG_FINE(fine_gs_zq, m, a, z, 0, acc);
    double s1 = 0.0;
    for (int64_t i = L->ps[z]; i < L->ps[z + 1]; i++) s1 += r[i] * ((double)x[i] * zs);
    acc[0] += s1;
}

/* ---------------------------------------------------------------------------------------------------------- */
/* coarse kernels. Rows of run r of level L with off = sum_j g_ij v_j (v: the vector read through the couplings,
 * named v_ by the caller); BODY sees i and off. Fixed-length copies for the usual lengths. */
#define GMG_RUN_LEN(L, r, LEN, ...)                                                                              \
    do {                                                                                                      \
        const int32_t *q_ = (L)->ci + (r)->k0;                                                                \
        const float *g_ = (L)->cv + (r)->k0;                                                                  \
        for (int64_t i = (r)->i0; i < (r)->i1; i++, q_ += (LEN), g_ += (LEN)) {                               \
            float off = 0.0f;                                                                                 \
            for (int e_ = 0; e_ < (LEN); e_++) off += g_[e_] * v_[q_[e_]];                                   \
            __VA_ARGS__                                                                                       \
        }                                                                                                     \
    } while (0)
#define GMG_RUN(L, r, ...)                                                                                       \
    switch ((r)->len) {                                                                                       \
    case 0: GMG_RUN_LEN(L, r, 0, __VA_ARGS__); break;                                                         \
    case 1: GMG_RUN_LEN(L, r, 1, __VA_ARGS__); break;                                                         \
    case 2: GMG_RUN_LEN(L, r, 2, __VA_ARGS__); break;                                                         \
    case 3: GMG_RUN_LEN(L, r, 3, __VA_ARGS__); break;                                                         \
    case 4: GMG_RUN_LEN(L, r, 4, __VA_ARGS__); break;                                                         \
    case 5: GMG_RUN_LEN(L, r, 5, __VA_ARGS__); break;                                                         \
    case 6: GMG_RUN_LEN(L, r, 6, __VA_ARGS__); break;                                                         \
    case 7: GMG_RUN_LEN(L, r, 7, __VA_ARGS__); break;                                                         \
    case 8: GMG_RUN_LEN(L, r, 8, __VA_ARGS__); break;                                                         \
    default: {                                                                                                \
        const int64_t len_ = (r)->len;                                                                        \
        GMG_RUN_LEN(L, r, len_, __VA_ARGS__);                                                                 \
    }                                                                                                         \
    }

/* Gauss-Seidel update of colour c (0 red, 1 black) on plane z of coarse level L */
static inline void coarse_gs(const gmg_level *L, int64_t z, int c)
{
    float *x = L->x;
    const float *v_ = x, *b = L->b, *invd = L->invd;
    for (int64_t r = L->rs[2 * z + c]; r < L->rs[2 * z + c + 1]; r++) {
        const gmg_run *ru = &L->run[r];
        GMG_RUN(L, ru, x[i] = (b[i] + off) * invd[i];)
    }
}

static void c_black(const gmg *m, const gmg_args *a, int64_t z, double *acc)
{
    (void)acc;
    coarse_gs(&m->lev[a->l], z, 1);
}

/* pre-smoothing, stage A: red x = b / d, black x = 0; zero the right-hand side of the next level */
static void c_pre_init(const gmg *m, const gmg_args *a, int64_t z, double *acc)
{
    const gmg_level *L = &m->lev[a->l];
    float *x = L->x;
    const float *b = L->b, *invd = L->invd;
    (void)acc;
    for (int64_t i = L->ps[z]; i < L->pb[z]; i++) x[i] = b[i] * invd[i];
    for (int64_t i = L->pb[z]; i < L->ps[z + 1]; i++) x[i] = 0.0f;
    if (!(z & 1)) {
        const gmg_level *C = &m->lev[a->l + 1];
        memset(C->b + C->ps[z / 2], 0, (size_t)(C->ps[z / 2 + 1] - C->ps[z / 2]) * 4);
    }
}

/* pre-smoothing, stage C: red residuals (their coupling to the black unknowns) to the next level */
static void c_pre_restrict(const gmg *m, const gmg_args *a, int64_t z, double *acc)
{
    const gmg_level *L = &m->lev[a->l];
    float *cb = m->lev[a->l + 1].b;
    const float *v_ = L->x;
    const int32_t *agg = L->agg;
    (void)acc;
    for (int64_t r = L->rs[2 * z]; r < L->rs[2 * z + 1]; r++) {
        const gmg_run *ru = &L->run[r];
        GMG_RUN(L, ru, cb[agg[i]] += off;)
    }
}

/* post-smoothing, stage A: coarse correction */
static void c_post_prolong(const gmg *m, const gmg_args *a, int64_t z, double *acc)
{
    const gmg_level *L = &m->lev[a->l];
    float *x = L->x;
    const float *xc = m->lev[a->l + 1].x;
    const int32_t *agg = L->agg;
    const float w = a->omega;
    (void)acc;
    for (int64_t i = L->ps[z]; i < L->ps[z + 1]; i++) x[i] += w * xc[agg[i]];
}

static void c_post_red(const gmg *m, const gmg_args *a, int64_t z, double *acc)
{
    (void)acc;
    coarse_gs(&m->lev[a->l], z, 0);
}

/* K-cycle, stage B: y = A u; u . y, u . w (w = the right-hand side), u . v. u is the output of a cycle, whose
 * last step updates the red unknowns: their rows of A u equal w, so only the black rows are computed. */
static void k_apply(const gmg *m, const gmg_args *a, int64_t z, double *acc)
{
    const gmg_level *L = &m->lev[a->l];
    const float *v_ = a->u, *u = a->u, *dg = L->dg, *w = a->w, *v = a->v;
    float *y = a->y;
    double s0 = 0.0, s1 = 0.0, s2 = 0.0;
    for (int64_t i = L->ps[z]; i < L->pb[z]; i++) {
        if (y) y[i] = w[i];
        s1 += (double)u[i] * w[i];
        if (v) s2 += (double)u[i] * v[i];
    }
    s0 = s1;
    for (int64_t r = L->rs[2 * z + 1]; r < L->rs[2 * z + 2]; r++) {
        const gmg_run *ru = &L->run[r];
        GMG_RUN(L, ru, {
            const float t = u[i] * dg[i] - off;
            if (y) y[i] = t;
            s0 += (double)u[i] * t;
            s1 += (double)u[i] * w[i];
            if (v) s2 += (double)u[i] * v[i];
        })
    }
    acc[0] += s0;
    acc[1] += s1;
    acc[2] += s2;
}

/* K-cycle, stage A: y = w - a1 v; y . y, w . w */
static void k_axpy(const gmg *m, const gmg_args *a, int64_t z, double *acc)
{
    const gmg_level *L = &m->lev[a->l];
    const float *w = a->w, *v = a->v, a1 = a->a1;
    float *y = a->y;
    double s0 = 0.0, s1 = 0.0;
    for (int64_t i = L->ps[z]; i < L->ps[z + 1]; i++) {
        const float t = w[i] - a1 * v[i];
        y[i] = t;
        s0 += (double)t * t;
        s1 += (double)w[i] * w[i];
    }
    acc[0] += s0;
    acc[1] += s1;
}

/* K-cycle, stage A: y = a1 u + a2 y (y is not read if a2 = 0) */
static void k_comb(const gmg *m, const gmg_args *a, int64_t z, double *acc)
{
    const gmg_level *L = &m->lev[a->l];
    const float *u = a->u, a1 = a->a1, a2 = a->a2;
    float *y = a->y;
    (void)acc;
    if (a2 == 0.0f)
        for (int64_t i = L->ps[z]; i < L->ps[z + 1]; i++) y[i] = a1 * u[i];
    else
        for (int64_t i = L->ps[z]; i < L->ps[z + 1]; i++) y[i] = a1 * u[i] + a2 * y[i];
}

/* ---------------------------------------------------------------------------------------------------------- */
/* the cycle */

static void dense_solve(const gmg_level *L)
{
    const int64_t n = L->n;
    const double *A = L->chol;
    double y[GMG_NCOARSE];
    for (int64_t i = 0; i < n; i++) {
        double s = L->b[i];
        for (int64_t k = 0; k < i; k++) s -= A[i * n + k] * y[k];
        y[i] = s / A[i * n + i];
    }
    for (int64_t i = n - 1; i >= 0; i--) {
        double s = y[i];
        for (int64_t k = i + 1; k < n; k++) s -= A[k * n + i] * y[k];
        y[i] = s / A[i * n + i];
    }
    for (int64_t i = 0; i < n; i++) L->x[i] = (float)y[i];
}

static void swapf(float **a, float **b)
{
    float *t = *a;
    *a = *b;
    *b = t;
}

static void vcycle(gmg *m, int l, const gmg_args *ka, double *ks);

/* Approximate solve on level l >= 1 (b -> x): a K-cycle (two flexible-CG steps preconditioned by the cycle of
 * level l, Notay's K-cycle) on the levels that have the extra vectors, else one cycle. The vectors are swapped
 * rather than copied; b is the same on return. The products A c of the cycle outputs are formed in the last pass
 * of the cycle itself (k_apply as its fourth stage: the rows it reads are still in the cache). */
static void coarse_solve(gmg *m, int l)
{
    gmg_level *L = &m->lev[l];
    if (l == m->nlev - 1 || !L->kr) {
        vcycle(m, l, NULL, NULL);
        return;
    }
    double s[4];
    gmg_args a;
    memset(&a, 0, sizeof a);
    a.l = l;
    a.u = L->x; /* the cycle's output, kc after the swap below */
    a.y = L->kv;
    a.w = L->b;
    vcycle(m, l, &a, s); /* and kv = A c1 */
    swapf(&L->x, &L->kc); /* kc = c1 = B^-1 R (R = b) */
    const double rho1 = s[0], alpha1 = s[1];
    if (!(rho1 > 0.0)) {
        swapf(&L->x, &L->kc);
        return;
    }
    a.a1 = (float)(alpha1 / rho1);
    a.w = L->b;
    a.v = L->kv;
    a.y = L->kr;
    ssbi_gmg_pipeline(m, L, k_axpy, NULL, NULL, &a, s); /* kr = R - a1 A c1 */
    a.u = L->kc;
    a.y = L->x;
    a.a2 = 0.0f;
    if (s[0] <= 0.0625 * s[1]) { /* ||r2|| <= 0.25 ||R||: one step is enough */
        ssbi_gmg_pipeline(m, L, k_comb, NULL, NULL, &a, NULL);
        return;
    }
    swapf(&L->b, &L->kr); /* b = r2, kr = R */
    a.u = L->x;
    a.y = NULL;
    a.w = L->b;
    a.v = L->kv;
    vcycle(m, l, &a, s); /* x = c2; A c2 . c2, c2 . r2, c2 . A c1 */
    const double beta = s[0], alpha2 = s[1], gamma = s[2];
    swapf(&L->b, &L->kr); /* b = R */
    const double rho2 = beta - gamma * gamma / rho1;
    a.u = L->kc;
    a.y = L->x;
    if (!(rho2 > 0.0)) {
        a.a2 = 0.0f;
    } else {
        a.a1 = (float)(alpha1 / rho1 - gamma * alpha2 / (rho1 * rho2));
        a.a2 = (float)(alpha2 / rho2);
    }
    ssbi_gmg_pipeline(m, L, k_comb, NULL, NULL, &a, NULL);
}

/* One multigrid cycle on level l >= 1: x = M_l^{-1} b; with ka (the K-cycle's operands, ka->u = x), also
 * k_apply on its output in the same pass, sums into ks. */
static void vcycle(gmg *m, int l, const gmg_args *ka, double *ks)
{
    const gmg_level *L = &m->lev[l];
    if (l == m->nlev - 1) {
        dense_solve(L);
        return;
    }
    gmg_args a;
    if (ka) a = *ka;
    else memset(&a, 0, sizeof a);
    a.l = l;
    a.omega = m->lev[l + 1].kr ? 1.0f : GMG_OMEGA;
    ssbi_gmg_pipeline(m, L, c_pre_init, c_black, c_pre_restrict, &a, NULL);
    coarse_solve(m, l + 1);
    ssbi_gmg_pipeline4(m, L, c_post_prolong, c_black, c_post_red, ka ? k_apply : NULL, &a, ks);
}

/* x0 = M^{-1} r on level 0 (z = x0 * gscale) in two parts. ssbi_gmg_precond_pre: pre-smoothing and restriction; with
 * a->upd it first applies the CG update (x += alpha p, r -= alpha q) and returns r . r (and r . x in *rx), else 0.
 * ssbi_gmg_precond_post: coarse correction and post-smoothing; returns r . z and (if a->zq) q . z (flexible-CG beta). */
double ssbi_gmg_precond_pre(gmg *m, const gmg_args *a, double *rx)
{
    double s[4];
    ssbi_gmg_pipeline(m, &m->lev[0], a->upd ? f_upd_init : f_pre_init, a->upd && !a->q ? f_black_upd : f_black,
                    m->nlev > 1 ? f_pre_restrict : NULL, a, s);
    if (rx) *rx = s[1];
    return s[0];
}

void ssbi_gmg_precond_post(gmg *m, gmg_args *a, double *rz, double *zq, double *zaz)
{
    double s[4];
    a->omega = m->nlev > 1 && m->lev[1].kr ? 1.0f : GMG_OMEGA;
    if (m->nlev > 1) coarse_solve(m, 1);
    ssbi_gmg_pipeline(m, &m->lev[0], m->nlev > 1 ? f_post_prolong : NULL, !a->q ? f_black_zq : f_black, f_post_red,
                      a, s);
    *rz = s[0];
    *zq = s[1];
    if (zaz) { /* z . A z = gscale^3 x . A_f x (z = gscale x, A = gscale A_f) */
        const double g = m->gscale;
        *zaz = a->q ? NAN : g * g * g * (s[2] - 2.0 * s[3]);
    }
}
#if GMG_X86_POPCNT && defined(__clang__)
#pragma clang attribute pop
#endif
