/* gmg set-up: allocation accounting, level 0, aggregation into pieces, coarse Galerkin operators, runs, slabs,
 * the dense coarsest level and the whole hierarchy (ssbi_gmg_build). See gmg_impl.h for the method. */
#include "gmg_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------------------------- */
/* allocation accounting */

void *ssbi_gmg_malloc(ssb_ctx *ctx, gmg *m, size_t nbytes, const char *what)
{
    void *p = ssbi_malloc(ctx, nbytes, what);
    if (p) {
        m->bytes += (int64_t)nbytes;
        if (m->bytes > m->peak) m->peak = m->bytes;
    }
    return p;
}

void ssbi_gmg_free(gmg *m, void *p, size_t nbytes)
{
    if (!p) return;
    free(p);
    m->bytes -= (int64_t)nbytes;
}

static void level_free(gmg_level *L)
{
    free(L->ps);
    free(L->pb);
    free(L->sz);
    free(L->nb);
    free(L->nk);
    free(L->rst);
    free(L->bits);
    free(L->pi);
    free(L->nc);
    free(L->rp);
    free(L->col);
    free(L->ci);
    free(L->cv);
    free(L->rs);
    free(L->run);
    free(L->dg);
    free(L->kr);
    free(L->kc);
    free(L->kv);
    free(L->chol);
    free(L->invd);
    free(L->gdlo);
    free(L->gdhi);
    free(L->gdir);
    free(L->agg);
    free(L->x);
    free(L->b);
    memset(L, 0, sizeof *L);
}

void ssbi_gmg_destroy(gmg *m)
{
    for (int l = 0; l < GMG_MAXLEV; l++) level_free(&m->lev[l]);
    for (int k = 0; k < 3; k++) free(m->gf[k]);
    for (int s = 0; s < 2; s++) {
        free(m->dps[s]);
        free(m->di[s]);
        free(m->dg0[s]);
    }
    free(m->part);
    free(m->bpat);
    free(m->zbits);
}

/* ---------------------------------------------------------------------------------------------------------- */
/* set-up of level 0 */

/* Number of Dirichlet unknowns of side s of problem p with a front-end index below il. */
static int64_t dir_below(const ssbi_tproblem *p, int s, int64_t il)
{
    const int64_t *idx;
    int64_t f;
    const int64_t cnt = ssbi_tproblem_dir(p, s, &idx, &f);
    if (!idx) return il <= f ? 0 : il >= f + cnt ? cnt : il - f;
    int64_t lo = 0, hi = cnt; /* first k with idx[k] >= il */
    while (lo < hi) {
        const int64_t mid = lo + (hi - lo) / 2;
        if (idx[mid] < il) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* The exact Dirichlet lists of level 0 (m->dps, di, dg0) from problem p, in the solver numbering (lev[0].ps and pb
 * set): per plane, the red unknowns before the black ones, each colour in walking order, i.e. ascending solver
 * indices (with across = 0 the order of the plane arrays before the lists: the same sums). */
/* front-end index of entry e of a Dirichlet list (idx, or the range from first: see ssbi_tproblem_dir) */
static inline int64_t dir_entry(const int64_t *idx, int64_t first, int64_t e) { return idx ? idx[e] : first + e; }

static int dirichlet_lists(ssb_ctx *ctx, gmg *m, const ssbi_tproblem *p)
{
    const gmg_level *L = &m->lev[0];
    const int64_t nx = p->n[0], ny = p->n[1], nz = p->n[2], npl = nx * ny;
    const int nt = m->nt;
    (void)nt; /* (without OpenMP) */
    for (int s = 0; s < 2; s++) {
        const int64_t *idx;
        int64_t first;
        const int64_t cnt = ssbi_tproblem_dir(p, s, &idx, &first);
        if (!m->dps[s]) {
            m->dps[s] = ssbi_gmg_malloc(ctx, m, (size_t)(nz + 1) * 8, "gmg Dirichlet planes");
            if (!m->dps[s]) return SSB_ERR_NOMEM;
        }
        if (m->di[s] && m->dps[s][nz] != cnt) {
            ssbi_gmg_free(m, m->di[s], (size_t)(m->dps[s][nz] + 1) * 4);
            ssbi_gmg_free(m, m->dg0[s], (size_t)(m->dps[s][nz] + 1) * 8);
            m->di[s] = NULL;
            m->dg0[s] = NULL;
        }
        if (!m->di[s]) {
            m->di[s] = ssbi_gmg_malloc(ctx, m, (size_t)(cnt + 1) * 4, "gmg Dirichlet");
            m->dg0[s] = ssbi_gmg_malloc(ctx, m, (size_t)(cnt + 1) * 8, "gmg Dirichlet");
            if (!m->di[s] || !m->dg0[s]) return SSB_ERR_NOMEM;
        }
        for (int64_t z = 0; z <= nz; z++) m->dps[s][z] = dir_below(p, s, p->plane_start[z]);
    }
    /* one walk per plane with a Dirichlet unknown: the solver index of each unknown (as ssbi_gmg_copy_renumber), the
     * entries in walking order, then red before black (a stable partition: within a colour the walking order is
     * the solver order) */
    int64_t maxpl = 0;
    for (int64_t z = 0; z < nz; z++) maxpl = L->ps[z + 1] - L->ps[z] > maxpl ? L->ps[z + 1] - L->ps[z] : maxpl;
    int err = 0;
#if SSB_HAVE_OPENMP
#pragma omp parallel num_threads(nt)
#endif
    {
        int32_t *ti = malloc((size_t)(maxpl + 1) * 4);
        double *tg = malloc((size_t)(maxpl + 1) * 8);
        if (!ti || !tg) {
#if SSB_HAVE_OPENMP
#pragma omp atomic write
#endif
            err = 1;
        }
#if SSB_HAVE_OPENMP
#pragma omp for schedule(dynamic, 4)
#endif
        for (int64_t z = 0; z < nz; z++) {
            if (!ti || !tg) continue;
            if (m->dps[0][z + 1] == m->dps[0][z] && m->dps[1][z + 1] == m->dps[1][z]) continue;
            const int64_t *idx[2];
            int64_t first[2], k[2], o[2];
            const double *gd[2] = {p->gd_lo, p->gd_hi};
            for (int s = 0; s < 2; s++) {
                (void)ssbi_tproblem_dir(p, s, &idx[s], &first[s]);
                k[s] = m->dps[s][z];
                o[s] = m->dps[s][z];
            }
            int64_t il = p->plane_start[z], cr = L->ps[z], cb = L->pb[z];
            const uint8_t *pz = p->ph + npl * z;
            for (int64_t y = 0; y < ny && (k[0] < m->dps[0][z + 1] || k[1] < m->dps[1][z + 1]); y++) {
                /* the row's unknowns (a count without branches); a row without entries is passed over, and the
                 * entries of a row are found from the nearer end: on the faces normal to x the walk is two
                 * short ones per row instead of the whole plane (0.27 s of CPU per axis on the 500^3 cathode) */
                const uint8_t *row = pz + nx * y;
                const int64_t par = (y + z) & 1; /* red where (x + par) is even */
                int64_t nact = 0, nred = 0;
                for (int64_t x = 0; x < nx; x++) {
                    const int64_t act = row[x] != 0;
                    nact += act;
                    nred += act & (((x + par) & 1) ^ 1);
                }
                const int64_t il1 = il + nact;
                for (int s = 0; s < 2; s++) {
                    const int64_t e0 = k[s];
                    int64_t e1 = e0, ef;
                    while (e1 < m->dps[s][z + 1] && dir_entry(idx[s], first[s], e1) < il1) e1++;
                    for (ef = e0; ef < e1 && 2 * (dir_entry(idx[s], first[s], ef) - il) <= nact; ef++) {}
                    /* front cursor: x, the front-end index of the next active voxel and the next red / black index */
                    int64_t x = 0, ia = il, ir = cr, ib = cb;
                    for (int64_t e = e0; e < ef; e++) {
                        const int64_t t = dir_entry(idx[s], first[s], e);
                        for (;; x++) {
                            if (!row[x]) continue;
                            const int red = ((x + par) & 1) == 0;
                            if (ia == t) {
                                m->di[s][o[s] + (e - e0)] = (int32_t)(red ? ir : ib);
                                break;
                            }
                            ia++;
                            ir += red;
                            ib += !red;
                        }
                    }
                    /* back cursor: the last active voxel and the last red / black index of the row */
                    x = nx - 1;
                    ia = il1 - 1;
                    ir = cr + nred - 1;
                    ib = cb + (nact - nred) - 1;
                    for (int64_t e = e1 - 1; e >= ef; e--) {
                        const int64_t t = dir_entry(idx[s], first[s], e);
                        for (;; x--) {
                            if (!row[x]) continue;
                            const int red = ((x + par) & 1) == 0;
                            if (ia == t) {
                                m->di[s][o[s] + (e - e0)] = (int32_t)(red ? ir : ib);
                                break;
                            }
                            ia--;
                            ir -= red;
                            ib -= !red;
                        }
                    }
                    for (int64_t e = e0; e < e1; e++) m->dg0[s][o[s] + (e - e0)] = gd[s][e];
                    o[s] += e1 - e0;
                    k[s] = e1;
                }
                il = il1;
                cr += nred;
                cb += nact - nred;
            }
            for (int s = 0; s < 2; s++) { /* red (index < pb[z]) before black, each in walking order */
                const int64_t a = m->dps[s][z], e = m->dps[s][z + 1];
                int64_t c = 0;
                for (int pass = 0; pass < 2; pass++)
                    for (int64_t j = a; j < e; j++)
                        if ((m->di[s][j] >= L->pb[z]) == pass) {
                            ti[c] = m->di[s][j];
                            tg[c] = m->dg0[s][j];
                            c++;
                        }
                memcpy(m->di[s] + a, ti, (size_t)c * 4);
                memcpy(m->dg0[s] + a, tg, (size_t)c * 8);
            }
        }
        free(ti);
        free(tg);
    }
    if (err) return SSB_ERROR(ctx, SSB_ERR_NOMEM, "gmg: out of memory for the Dirichlet lists");
    return SSB_OK;
}

/* Level 0 from the problem: renumbering (red before black inside each plane), neighbours, phases, diagonal and
 * Dirichlet conductances. map (nvox entries) receives the new index of every voxel (n where inactive). */
static int setup_fine(ssb_ctx *ctx, gmg *m, const ssbi_tproblem *p, int32_t *map)
{
    gmg_level *L = &m->lev[0];
    const int64_t nx = p->n[0], ny = p->n[1], nz = p->n[2], npl = nx * ny, n = p->nunk;
    const int nt = m->nt;
    (void)nt; /* (without OpenMP) */
    L->n = n;
    memcpy(L->d, p->n, sizeof L->d);
    L->ps = ssbi_gmg_malloc(ctx, m, (size_t)(nz + 1) * 8, "gmg plane offsets");
    L->pb = ssbi_gmg_malloc(ctx, m, (size_t)nz * 8, "gmg colour offsets");
    L->pi = ssbi_gmg_malloc(ctx, m, (size_t)n + 1, "gmg phases");
    const int lean = m->lean, cmp = !lean && m->cmp;
    if (lean || cmp) {
        L->rst = ssbi_gmg_malloc(ctx, m, (size_t)(2 * ny * nz) * 4, "gmg row starts");
        if (!L->rst) return SSB_ERR_NOMEM;
    }
    if (lean) {
        L->nwr = ((nx + 1) / 2 + 63) / 64 + 1;
        L->bits = ssbi_gmg_malloc(ctx, m, (size_t)(2 * ny * nz * L->nwr) * 8, "gmg unknown masks");
        m->zbits = ssbi_gmg_malloc(ctx, m, (size_t)L->nwr * 8, "gmg zero mask");
        if (!L->bits || !m->zbits) return SSB_ERR_NOMEM;
        memset(m->zbits, 0, (size_t)L->nwr * 8);
    } else if (cmp) {
        if (nx > GMG_NBR_MAXNX)
            return SSB_ERROR(ctx, SSB_ERR_INTERNAL, "gmg: rows of %lld voxels are too long for the compact storage",
                             (long long)nx);
        L->nk = ssbi_gmg_malloc(ctx, m, (size_t)n * sizeof(gmg_nbr) + 4, "gmg neighbours"); /* + 4: gmg_nidx6 */
        if (!L->nk) return SSB_ERR_NOMEM;
        memset((char *)L->nk + (size_t)n * sizeof(gmg_nbr), 0, 4);
    } else {
        L->nb = ssbi_gmg_malloc(ctx, m, (size_t)n * 24, "gmg neighbours");
        if (!L->nb) return SSB_ERR_NOMEM;
        if (m->nph == 1) {
            L->nc = ssbi_gmg_malloc(ctx, m, (size_t)n + 1, "gmg neighbour counts");
            if (!L->nc) return SSB_ERR_NOMEM;
        }
    }
    L->invd = ssbi_gmg_malloc(ctx, m, (size_t)n * 4, "gmg diagonal");
    L->x = ssbi_gmg_malloc(ctx, m, (size_t)(n + 1) * 4, "gmg vector");
    if (!L->ps || !L->pb || !L->pi || !L->invd || !L->x) return SSB_ERR_NOMEM; /* no b: see fine_gs */
    memcpy(L->ps, p->plane_start, (size_t)(nz + 1) * 8);
    const uint8_t *ph = p->ph;
    const int64_t *ps = L->ps;
    /* new index of every voxel */
    GMG_PRAGMA_FOR_NT
    for (int64_t z = 0; z < nz; z++) {
        int64_t nred = 0;
        for (int64_t y = 0; y < ny; y++)
            for (int64_t x = (y + z) & 1; x < nx; x += 2) nred += ph[x + nx * y + npl * z] != 0;
        int64_t cr = ps[z], cb = ps[z] + nred;
        L->pb[z] = cb;
        for (int64_t y = 0; y < ny; y++) {
            if (lean || cmp) {
                const int64_t r = z * ny + y;
                L->rst[2 * r] = (int32_t)cr;
                L->rst[2 * r + 1] = (int32_t)cb;
            }
            if (lean) {
                const int64_t r = z * ny + y;
                uint64_t *bw = L->bits + 2 * r * L->nwr;
                memset(bw, 0, (size_t)(2 * L->nwr) * 8);
                for (int64_t x = 0; x < nx; x++)
                    if (ph[x + nx * y + npl * z]) {
                        const int64_t c = (x + y + z) & 1, k = x >> 1;
                        bw[c * L->nwr + (k >> 6)] |= UINT64_C(1) << (k & 63);
                    }
            }
            for (int64_t x = 0; x < nx; x++) { /* without branches: ph is random */
                const int64_t v = x + nx * y + npl * z;
                const int64_t act = ph[v] != 0, red = ((x + y + z) & 1) == 0;
                const int64_t idx = red ? cr : cb;
                map[v] = (int32_t)(act ? idx : n);
                cr += act & red;
                cb += act & !red;
            }
        }
    }
    /* neighbours (stored: indices, or compact: ranks in the neighbours' rows, see gmg_nbr), phases, diagonal
     * without the Dirichlet terms */
    const int st = m->nph + 1;
    const int32_t *rst = L->rst;
    GMG_PRAGMA_FOR_NT
    for (int64_t z = 0; z < nz; z++)
        for (int64_t y = 0; y < ny; y++)
            for (int64_t x = 0; x < nx; x++) {
                const int64_t v = x + nx * y + npl * z;
                if (!ph[v]) continue;
                const int64_t i = map[v];
                int32_t *q = lean || cmp ? NULL : L->nb + 6 * i;
                const int64_t w[6] = {x > 0 ? v - 1 : -1,           x + 1 < nx ? v + 1 : -1,
                                      y > 0 ? v - nx : -1,          y + 1 < ny ? v + nx : -1,
                                      z > 0 ? v - npl : -1,         z + 1 < nz ? v + npl : -1};
                const int pp = (ph[v] - 1) * st;
                float d = 0.0f;
                int cnt = 0; /* present neighbours per axis, c0 + 3 c1 + 9 c2 (L->nc) */
                for (int k = 0; k < 6; k++) { /* map is n and the phase index nph (conductance 0) where inactive */
                    if (q) q[k] = w[k] >= 0 ? map[w[k]] : (int32_t)n;
                    const int pw = w[k] >= 0 ? ph[w[k]] : 0;
                    d += m->gf[k >> 1][pp + (pw ? pw - 1 : st - 1)];
                    cnt += (pw != 0) * (k < 2 ? 1 : k < 4 ? 3 : 9);
                }
                if (cmp) { /* ranks in the other colour's rows: row r (x), r -+ 1 (y), r -+ ny (z) */
                    const int64_t r = z * ny + y, oc = 1 - ((x + y + z) & 1);
                    const int64_t rr[6] = {r, r, r - 1, r + 1, r - ny, r + ny};
                    gmg_nbr e;
                    for (int k = 0; k < 6; k++)
                        e.r[k] = (int16_t)(w[k] >= 0 && ph[w[k]] ? map[w[k]] - rst[2 * rr[k] + oc] : -1);
                    L->nk[i] = e;
                }
                L->pi[i] = (uint8_t)(ph[v] - 1);
                L->invd[i] = d;
                if (L->nc) L->nc[i] = (uint8_t)cnt;
            }
    L->pi[n] = (uint8_t)m->nph;
    /* Dirichlet conductances in the new numbering (exact lists, and float, normalised) */
    SSB_CHECK(ctx, dirichlet_lists(ctx, m, p));
    m->across = p->across;
    if (p->across == 0) { /* the plane arrays of the lean diagonal */
        const int64_t n0 = ps[1], hs = ps[nz - 1];
        L->gdlo = ssbi_gmg_malloc(ctx, m, (size_t)(n0 + 1) * 4, "gmg Dirichlet");
        L->gdhi = ssbi_gmg_malloc(ctx, m, (size_t)(n - hs + 1) * 4, "gmg Dirichlet");
        if (!L->gdlo || !L->gdhi) return SSB_ERR_NOMEM;
        for (int64_t k = 0; k < n0; k++) L->gdlo[k] = (float)(m->dg0[0][k] / m->gscale);
        for (int64_t k = 0; k < n - hs; k++) L->gdhi[k] = (float)(m->dg0[1][k] / m->gscale);
    }
    for (int s = 0; s < 2; s++)
        for (int64_t k = 0; k < m->dps[s][nz]; k++) L->invd[m->di[s][k]] += (float)(m->dg0[s][k] / m->gscale);
    /* invd holds the diagonal so far */
    GMG_PRAGMA_FOR_NT
    for (int64_t i = 0; i < n; i++) L->invd[i] = 1.0f / L->invd[i];
    L->x[n] = 0.0f;
    return SSB_OK;
}

/* The permutation of plane z between the front end's numbering (lexicographic) and the solver's (red before black):
 * to = 1 dst[solver index - off] = src[front-end index - off], to = 0 the reverse. Chunks of a row: the front-end
 * indices of the red and of the black unknowns are gathered without branches (the map is random: the branch per
 * voxel mispredicted at ~30 %, 0.2 s of CPU per call on the 500^3 cathode), then copied to / from the solver's
 * contiguous red and black ranges. */
static void renumber_plane(const gmg_level *L, const ssbi_tproblem *p, int64_t z, const double *src, double *dst,
                           int64_t off, int to)
{
    enum { CH = 512 };
    const int64_t nx = p->n[0], ny = p->n[1], npl = nx * ny;
    int64_t il = p->plane_start[z] - off, cr = L->ps[z] - off, cb = L->pb[z] - off;
    int64_t fr[CH], fb[CH];
    for (int64_t y = 0; y < ny; y++)
        for (int64_t x0 = 0; x0 < nx; x0 += CH) {
            const int64_t x1 = x0 + CH < nx ? x0 + CH : nx;
            const uint8_t *row = p->ph + nx * y + npl * z;
            int64_t kr = 0, kb = 0;
            for (int64_t x = x0; x < x1; x++) {
                const int64_t act = row[x] != 0, red = ((x + y + z) & 1) == 0;
                fr[kr] = il;
                fb[kb] = il;
                kr += act & red;
                kb += act & !red;
                il += act;
            }
            if (to) {
                for (int64_t k = 0; k < kr; k++) dst[cr + k] = src[fr[k]];
                for (int64_t k = 0; k < kb; k++) dst[cb + k] = src[fb[k]];
            } else {
                for (int64_t k = 0; k < kr; k++) dst[fr[k]] = src[cr + k];
                for (int64_t k = 0; k < kb; k++) dst[fb[k]] = src[cb + k];
            }
            cr += kr;
            cb += kb;
        }
}

/* Copies a vector of level 0 between the front end's numbering (lexicographic) and the solver's (to = 1: v in the
 * front end's, out in the solver's); n entries each, distinct arrays. */
void ssbi_gmg_copy_renumber(const gmg *m, const ssbi_tproblem *p, const double *v, double *tmp, int to)
{
    const int nt = m->nt;
    (void)nt; /* (without OpenMP) */
    GMG_PRAGMA_FOR_NT
    for (int64_t z = 0; z < p->n[2]; z++) renumber_plane(&m->lev[0], p, z, v, tmp, 0, to);
}

/* Puts a vector of level 0 (n entries) into the solver's numbering (to = 1) or back into the front end's
 * (lexicographic; to = 0), in place: both number the unknowns plane by plane, so each plane is a permutation of its
 * own range, done through a copy of the plane (one buffer per thread). */
int ssbi_gmg_renumber_inplace(ssb_ctx *ctx, gmg *m, const ssbi_tproblem *p, double *v, int to)
{
    const gmg_level *L = &m->lev[0];
    const int64_t nz = p->n[2];
    const int nt = m->nt;
    int64_t maxpl = 1;
    for (int64_t z = 0; z < nz; z++) maxpl = L->ps[z + 1] - L->ps[z] > maxpl ? L->ps[z + 1] - L->ps[z] : maxpl;
    const size_t nbuf = (size_t)nt * (size_t)maxpl * 8;
    double *buf = ssbi_gmg_malloc(ctx, m, nbuf, "gmg renumbering buffer");
    if (!buf) return SSB_ERR_NOMEM;
    GMG_PRAGMA_FOR_NT
    for (int64_t z = 0; z < nz; z++) {
#if SSB_HAVE_OPENMP
        double *pl = buf + (size_t)omp_get_thread_num() * (size_t)maxpl;
#else
        double *pl = buf;
#endif
        const int64_t z0 = L->ps[z];
        memcpy(pl, v + z0, (size_t)(L->ps[z + 1] - z0) * 8); /* pl[k] = v[z0 + k] */
        renumber_plane(L, p, z, pl, v + z0, z0, to);
    }
    ssbi_gmg_free(m, buf, nbuf);
    return SSB_OK;
}

/* ---------------------------------------------------------------------------------------------------------- */
/* set-up of the coarse levels */

/* Level l+1 from level l by aggregation. The unknowns of a level l >= 1 sit on a structured grid of positions (d[]),
 * several unknowns may share a position, they are ordered by position and couple only to unknowns at the six
 * face-adjacent positions; cs[v] (npos + 1 entries) is the first unknown at position v. On level 0, cs[v] is the
 * (renumbered) index of voxel v, n where it is inactive, and the pieces of a block follow from its occupancy
 * pattern (piece_tables). Every 2x2x2 block of positions is split into the connected pieces of its unknowns
 * (coupling inside the block); each piece becomes one unknown of level l+1 (split = 0: the whole block is one
 * aggregate). So the coarse unknowns keep those properties, and the parity of the block is a red-black colouring
 * on every level. */

/* Unknown ranges of the 2x2x2 block (X, Y, Z) of a level with position dims fd: at most 4 contiguous ranges
 * (one per (y, z) row pair of positions). */
typedef struct {
    int64_t lo[4], hi[4], base[4], k;
    int nr;
} blk_ranges;

static void block_ranges(const int32_t *cs, const int64_t fd[3], int64_t X, int64_t Y, int64_t Z, blk_ranges *r)
{
    const int64_t fx = fd[0], fy = fd[1], fz = fd[2];
    const int64_t x0 = 2 * X, x1 = 2 * X + 2 < fx ? 2 * X + 2 : fx;
    r->nr = 0;
    r->k = 0;
    for (int64_t z = 2 * Z; z < 2 * Z + 2 && z < fz; z++)
        for (int64_t y = 2 * Y; y < 2 * Y + 2 && y < fy; y++) {
            const int64_t row = fx * (y + fy * z);
            const int64_t lo = cs[row + x0], hi = cs[row + x1];
            if (hi > lo) {
                r->lo[r->nr] = lo;
                r->hi[r->nr] = hi;
                r->base[r->nr] = r->k;
                r->k += hi - lo;
                r->nr++;
            }
        }
}

static inline int64_t block_local(const blk_ranges *r, int64_t j)
{
    for (int q = 0; q < r->nr; q++)
        if (j >= r->lo[q] && j < r->hi[q]) return r->base[q] + j - r->lo[q];
    return -1;
}

static inline int64_t block_global(const blk_ranges *r, int64_t a)
{
    int q = 0;
    while (q + 1 < r->nr && a >= r->base[q + 1]) q++;
    return r->lo[q] + a - r->base[q];
}

/* Couplings of unknown i of a coarse level l >= 1 (set-up form): count, neighbour indices, conductances. */
static inline int level_edges(const gmg *m, int l, int64_t i, const int32_t **pj, const float **pg)
{
    const gmg_level *L = &m->lev[l];
    *pj = L->ci + L->rp[i];
    *pg = L->cv + L->rp[i];
    return (int)(L->rp[i + 1] - L->rp[i]);
}

/* Per-thread work space of the aggregation. */
typedef struct {
    int64_t cap, rcap;
    int32_t *par, *pid, *ord, *cnt;
    int32_t *rj;
    float *rg;
} agg_ws;

static int ws_reserve(agg_ws *w, int64_t k, int64_t r)
{
    if (k > w->cap) {
        int64_t c = k > 2 * w->cap ? k : 2 * w->cap;
        int32_t *a = realloc(w->par, (size_t)c * 4), *b = a ? realloc(w->pid, (size_t)c * 4) : NULL;
        if (a) w->par = a;
        if (b) w->pid = b;
        int32_t *o = b ? realloc(w->ord, (size_t)c * 4) : NULL;
        if (o) w->ord = o;
        int32_t *n = o ? realloc(w->cnt, (size_t)(c + 1) * 4) : NULL;
        if (n) w->cnt = n;
        if (!n) return SSB_ERR_NOMEM;
        w->cap = c;
    }
    if (r > w->rcap) {
        int64_t c = r > 2 * w->rcap ? r : 2 * w->rcap;
        int32_t *a = realloc(w->rj, (size_t)c * 4);
        if (a) w->rj = a;
        float *b = a ? realloc(w->rg, (size_t)c * 4) : NULL;
        if (b) w->rg = b;
        if (!b) return SSB_ERR_NOMEM;
        w->rcap = c;
    }
    return SSB_OK;
}

static void ws_free(agg_ws *w)
{
    free(w->par);
    free(w->pid);
    free(w->ord);
    free(w->cnt);
    free(w->rj);
    free(w->rg);
}

static inline int32_t uf_find(int32_t *par, int32_t a)
{
    while (par[a] != a) {
        par[a] = par[par[a]];
        a = par[a];
    }
    return a;
}

/* Corners of a 2x2x2 block on its low (side 0) / high (side 1) face normal to axis a. */
static const int face_corner[3][2][4] = {{{0, 2, 4, 6}, {1, 3, 5, 7}}, {{0, 1, 4, 5}, {2, 3, 6, 7}},
                                         {{0, 1, 2, 3}, {4, 5, 6, 7}}};

/* Connected pieces (6-connectivity) of every occupancy pattern of a 2x2x2 voxel block. */
static void piece_tables(gmg *m)
{
    for (int pat = 0; pat < 256; pat++) {
        int par[8], np = 0;
        for (int c = 0; c < 8; c++) par[c] = c;
        for (int c = 0; c < 8; c++)
            for (int d = 1; d < 8; d <<= 1) {
                const int c2 = c ^ d;
                if (!((pat >> c) & 1) || !((pat >> c2) & 1)) continue;
                int a = c, b = c2;
                while (par[a] != a) a = par[a];
                while (par[b] != b) b = par[b];
                if (a != b) par[a > b ? a : b] = a < b ? a : b;
            }
        int id[8];
        for (int c = 0; c < 8; c++) id[c] = -1;
        for (int c = 0; c < 8; c++) {
            m->pc_id[pat][c] = 255;
            if (!((pat >> c) & 1)) continue;
            int r = c;
            while (par[r] != r) r = par[r];
            if (id[r] < 0) id[r] = np++;
            m->pc_id[pat][c] = (uint8_t)id[r];
        }
        m->pc_np[pat] = (uint8_t)np;
        for (int a = 0; a < 3; a++)
            for (int side = 0; side < 2; side++) {
                int f = 0;
                for (int k = 0; k < 4; k++) f |= ((pat >> face_corner[a][side][k]) & 1) << k;
                m->pc_face[pat][a][side] = (uint8_t)f;
            }
    }
}

/* Voxel of corner c of the voxel block (X, Y, Z) (grid dims d; the corner must lie inside the grid). */
static inline int64_t corner_voxel(const int64_t d[3], int64_t X, int64_t Y, int64_t Z, int c)
{
    return 2 * X + (c & 1) + d[0] * (2 * Y + ((c >> 1) & 1) + d[1] * (2 * Z + (c >> 2)));
}

/* Occupancy pattern of the voxel block (X, Y, Z) of level 0. */
static inline int voxel_block(const gmg *m, int64_t X, int64_t Y, int64_t Z)
{
    const int64_t *d = m->lev[0].d;
    int pat = 0;
    for (int c = 0; c < 8; c++) {
        const int64_t x = 2 * X + (c & 1), y = 2 * Y + ((c >> 1) & 1), z = 2 * Z + (c >> 2);
        if (x < d[0] && y < d[1] && z < d[2] && m->ph[x + d[0] * (y + d[1] * z)]) pat |= 1 << c;
    }
    return pat;
}

/* Pass 1 over the blocks of coarse plane Z: piece count of every block in bc and the local piece index of every
 * unknown in agg (level 0: the occupancy pattern of every block in m->bpat instead). Returns the plane's piece
 * count, or -1 when out of memory. */
static int64_t agg_pieces(const gmg *m, int l, const int32_t *cs, int64_t Z, int split, int32_t *bc, agg_ws *w)
{
    const gmg_level *F = &m->lev[l];
    const int64_t cx = (F->d[0] + 1) / 2, cy = (F->d[1] + 1) / 2;
    int32_t *agg = F->agg;
    int64_t total = 0;
    for (int64_t Y = 0; Y < cy; Y++)
        for (int64_t X = 0; X < cx; X++) {
            const int64_t blk = X + cx * (Y + cy * Z);
            if (l == 0) { /* voxel blocks: pieces from the occupancy pattern (kept in m->bpat) */
                const int pat = voxel_block(m, X, Y, Z);
                m->bpat[blk] = (uint8_t)pat;
                const int np = !pat ? 0 : split ? m->pc_np[pat] : 1;
                bc[blk] = np;
                total += np;
                continue;
            }
            blk_ranges r;
            block_ranges(cs, F->d, X, Y, Z, &r);
            if (r.k == 0) {
                bc[blk] = 0;
                continue;
            }
            if (!split) {
                for (int q = 0; q < r.nr; q++)
                    for (int64_t i = r.lo[q]; i < r.hi[q]; i++) agg[i] = 0;
                bc[blk] = 1;
                total++;
                continue;
            }
            if (ws_reserve(w, r.k, 0) != SSB_OK) return -1;
            int32_t *par = w->par, *pid = w->pid;
            for (int64_t a = 0; a < r.k; a++) {
                par[a] = (int32_t)a;
                pid[a] = -1;
            }
            for (int q = 0; q < r.nr; q++)
                for (int64_t i = r.lo[q]; i < r.hi[q]; i++) {
                    const int32_t *pj;
                    const float *pg;
                    const int ne = level_edges(m, l, i, &pj, &pg);
                    const int32_t a = (int32_t)(r.base[q] + i - r.lo[q]);
                    for (int e = 0; e < ne; e++) {
                        const int64_t b = block_local(&r, pj[e]);
                        if (b < 0) continue;
                        int32_t ra = uf_find(par, a), rb = uf_find(par, (int32_t)b);
                        if (ra != rb) par[ra > rb ? ra : rb] = ra < rb ? ra : rb;
                    }
                }
            int32_t np = 0;
            for (int q = 0; q < r.nr; q++)
                for (int64_t i = r.lo[q]; i < r.hi[q]; i++) {
                    const int32_t root = uf_find(par, (int32_t)(r.base[q] + i - r.lo[q]));
                    if (pid[root] < 0) pid[root] = np++;
                    agg[i] = pid[root];
                }
            bc[blk] = np;
            total += np;
        }
    return total;
}

/* The float (normalised) Dirichlet conductance of solver unknown i of level 0 on side s, plane z (0 if it has none):
 * a binary search in the plane's list (only unknowns on a Dirichlet face ask). */
static float dir_float(const gmg *m, int s, int64_t z, int32_t i)
{
    const int32_t *di = m->di[s];
    int64_t lo = m->dps[s][z], hi = m->dps[s][z + 1];
    while (lo < hi) {
        const int64_t mid = lo + (hi - lo) / 2;
        if (di[mid] < i) lo = mid + 1;
        else hi = mid;
    }
    return lo < m->dps[s][z + 1] && di[lo] == i ? (float)(m->dg0[s][lo] / m->gscale) : 0.0f;
}

/* Entries of the coarse rows of one coarse plane, in row order (moved into the level's arrays afterwards). */
typedef struct {
    int32_t *j;
    float *g;
    int64_t nnz, cap;
    int own; /* 1: j and g are this plane's own heap buffers; 0: its slice of the level's pool (see setup_coarse) */
} plane_rows;

/* Store the row of coarse unknown I (entries in w->rj / w->rg) and its diagonal, colour (parity of the block
 * coordinate sum par) and Dirichlet conductances. */
static int agg_emit(const gmg_level *C, int32_t I, int64_t par, int64_t len, double dsum, double glo, double ghi,
                    plane_rows *pr, const agg_ws *w)
{
    if (pr->nnz + len > pr->cap) { /* the slice is full: continue in own buffers */
        int64_t c = pr->nnz + len > 2 * pr->cap ? pr->nnz + len + 1024 : 2 * pr->cap;
        if (pr->own) {
            int32_t *nj = realloc(pr->j, (size_t)c * 4);
            if (nj) pr->j = nj;
            float *ng = nj ? realloc(pr->g, (size_t)c * 4) : NULL;
            if (!ng) return SSB_ERR_NOMEM;
            pr->g = ng;
        } else {
            int32_t *nj = malloc((size_t)c * 4);
            float *ng = malloc((size_t)c * 4);
            if (!nj || !ng) {
                free(nj);
                free(ng);
                return SSB_ERR_NOMEM;
            }
            if (pr->nnz) {
                memcpy(nj, pr->j, (size_t)pr->nnz * 4);
                memcpy(ng, pr->g, (size_t)pr->nnz * 4);
            }
            pr->j = nj;
            pr->g = ng;
            pr->own = 1;
        }
        pr->cap = c;
    }
    if (len > 0) { /* len 0: a piece coupled to nothing (a whole isolated component); pr->j may still be NULL */
        memcpy(pr->j + pr->nnz, w->rj, (size_t)len * 4);
        memcpy(pr->g + pr->nnz, w->rg, (size_t)len * 4);
    }
    pr->nnz += len;
    C->rp[I + 1] = len;
    C->gdir[I] = (float)(glo + ghi);
    const double d = dsum + glo + ghi;
    C->dg[I] = (float)d;
    C->invd[I] = (float)(1.0 / d);
    C->col[I] = (par & 1) == 0;
    return SSB_OK;
}

/* Pass 2 over the blocks of coarse plane Z: the Galerkin rows of its coarse unknowns (lengths into C->rp[I + 1],
 * entries into pr), diagonal, colour and Dirichlet conductances. Returns SSB_OK or SSB_ERR_NOMEM. */
static int agg_rows(const gmg *m, int l, const int32_t *cs, const int32_t *ccs, int64_t Z, plane_rows *pr,
                    agg_ws *w)
{
    const gmg_level *F = &m->lev[l];
    const gmg_level *C = &m->lev[l + 1];
    const int64_t cx = (F->d[0] + 1) / 2, cy = (F->d[1] + 1) / 2;
    const int da = m->across == 0 ? 2 : m->across - 1; /* the axis normal to the Dirichlet faces */
    const int32_t *agg = F->agg;
    for (int64_t Y = 0; Y < cy; Y++)
        for (int64_t X = 0; X < cx; X++) {
            const int64_t blk = X + cx * (Y + cy * Z);
            const int64_t base = ccs[blk], np = ccs[blk + 1] - base;
            if (np == 0) continue;
            if (l == 0) { /* voxel blocks: the corners on a face of the block couple to the facing corners of the
                           * next block; pieces and coarse indices come from the occupancy patterns */
                const int pat = m->bpat[blk], split = m->split0, one = m->nph == 1, st = m->nph + 1;
                const int64_t *d = F->d, B[3] = {X, Y, Z}, bs[3] = {1, cx, cx * cy};
                if (ws_reserve(w, 8, 24) != SSB_OK) return SSB_ERR_NOMEM;
                for (int64_t p = 0; p < np; p++) {
                    const int32_t I = (int32_t)(base + p);
                    int64_t len = 0;
                    double dsum = 0.0, glo = 0.0, ghi = 0.0;
                    for (int a = 0; a < 3; a++)
                        for (int side = 0; side < 2; side++) {
                            if (side ? (B[a] + 1) * 2 >= d[a] : B[a] == 0) continue;
                            const int64_t nblk = blk + (side ? bs[a] : -bs[a]);
                            const int npat = m->bpat[nblk];
                            const int both = m->pc_face[pat][a][side] & m->pc_face[npat][a][!side];
                            if (!both) continue;
                            if (one && (!split || (m->pc_np[pat] == 1 && m->pc_np[npat] == 1))) {
                                /* one piece on either side: one entry, a conductance per facing pair */
                                const float g = m->g1[a] * (float)((both & 1) + ((both >> 1) & 1) + ((both >> 2) & 1) +
                                                                   ((both >> 3) & 1));
                                dsum += g;
                                w->rj[len] = ccs[nblk];
                                w->rg[len] = g;
                                len++;
                                continue;
                            }
                            for (int k = 0; k < 4; k++) {
                                const int c = face_corner[a][side][k], c2 = c ^ (1 << a);
                                if (!((pat >> c) & 1) || !((npat >> c2) & 1)) continue;
                                if (split && m->pc_id[pat][c] != p) continue;
                                const int32_t J = ccs[nblk] + (split ? m->pc_id[npat][c2] : 0);
                                float g = m->g1[a];
                                if (!one) {
                                    const int64_t vc = corner_voxel(d, X, Y, Z, c);
                                    const int64_t vs = a == 0 ? 1 : a == 1 ? d[0] : d[0] * d[1];
                                    const int64_t wv = side ? vc + vs : vc - vs;
                                    g = m->gf[a][F->pi[cs[vc]] * st + F->pi[cs[wv]]];
                                }
                                dsum += g;
                                int64_t s = 0;
                                while (s < len && w->rj[s] != J) s++;
                                if (s == len) {
                                    w->rj[len] = J;
                                    w->rg[len] = 0.0f;
                                    len++;
                                }
                                w->rg[s] += g;
                            }
                        }
                    if (B[da] == 0 || 2 * B[da] + 2 >= d[da]) /* on a Dirichlet face */
                        for (int c = 0; c < 8; c++) {
                            if (!((pat >> c) & 1) || (split && m->pc_id[pat][c] != p)) continue;
                            const int64_t ca = 2 * B[da] + ((c >> da) & 1), z = 2 * Z + (c >> 2);
                            const int32_t i = cs[corner_voxel(d, X, Y, Z, c)];
                            if (ca == 0) glo += dir_float(m, 0, z, i);
                            if (ca == d[da] - 1) ghi += dir_float(m, 1, z, i);
                        }
                    if (agg_emit(C, I, X + Y + Z, len, dsum, glo, ghi, pr, w) != SSB_OK)
                        return SSB_ERR_NOMEM;
                }
                continue;
            }
            blk_ranges r;
            block_ranges(cs, F->d, X, Y, Z, &r);
            if (ws_reserve(w, r.k, 16) != SSB_OK) return SSB_ERR_NOMEM;
            /* members of each piece (counting sort of the block's unknowns by piece) */
            int32_t *cnt = w->cnt, *ord = w->ord;
            if (np == 1) {
                for (int64_t a = 0; a < r.k; a++) ord[a] = (int32_t)a;
                cnt[0] = 0;
                cnt[1] = (int32_t)r.k;
            } else {
                for (int64_t p = 0; p <= np; p++) cnt[p] = 0;
                for (int64_t a = 0; a < r.k; a++) cnt[agg[block_global(&r, a)] - base + 1]++;
                for (int64_t p = 0; p < np; p++) cnt[p + 1] += cnt[p];
                for (int64_t a = 0; a < r.k; a++) ord[cnt[agg[block_global(&r, a)] - base]++] = (int32_t)a;
                for (int64_t p = np; p > 0; p--) cnt[p] = cnt[p - 1];
                cnt[0] = 0;
            }
            for (int64_t p = 0; p < np; p++) {
                const int32_t I = (int32_t)(base + p);
                int64_t len = 0;
                double dsum = 0.0, glo = 0.0, ghi = 0.0;
                for (int32_t t = cnt[p]; t < cnt[p + 1]; t++) {
                    const int64_t i = block_global(&r, ord[t]);
                    const int32_t *pj;
                    const float *pg;
                    const int ne = level_edges(m, l, i, &pj, &pg);
                    for (int e = 0; e < ne; e++) {
                        const int32_t J = agg[pj[e]];
                        if (J == I) continue;
                        dsum += pg[e];
                        int64_t s = 0;
                        while (s < len && w->rj[s] != J) s++;
                        if (s == len) {
                            if (ws_reserve(w, 0, len + 1) != SSB_OK) return SSB_ERR_NOMEM;
                            w->rj[len] = J;
                            w->rg[len] = 0.0f;
                            len++;
                        }
                        w->rg[s] += pg[e];
                    }
                    glo += F->gdir[i];
                }
                if (agg_emit(C, I, X + Y + Z, len, dsum, glo, ghi, pr, w) != SSB_OK) return SSB_ERR_NOMEM;
            }
        }
    return SSB_OK;
}

/* Build level l+1 from level l; *csp holds the position starts of level l (replaced by those of level l+1).
 * Longer than 150 lines on purpose: the per-plane parallel passes (count pieces, prefix sums, rows, Galerkin sums)
 * share many local arrays and offsets; split into functions they would need a dozen-field context each. */
static int setup_coarse(ssb_ctx *ctx, gmg *m, int l, int32_t **csp)
{
    gmg_level *F = &m->lev[l], *C = &m->lev[l + 1];
    const int nt = F->n < GMG_PAR_MIN ? 1 : m->nt; /* a small level: no thread team to wake for each loop */
    (void)nt; /* (without OpenMP) */
    const int64_t fx = F->d[0], fy = F->d[1], fz = F->d[2];
    const int64_t cx = (fx + 1) / 2, cy = (fy + 1) / 2, cz = (fz + 1) / 2, cpl = cx * cy, cpos = cpl * cz;
    const int64_t fn = F->n;
    const int32_t *cs = *csp;
    C->d[0] = cx;
    C->d[1] = cy;
    C->d[2] = cz;
    C->ps = ssbi_gmg_malloc(ctx, m, (size_t)(cz + 1) * 8, "gmg plane offsets");
    int32_t *ccs = ssbi_gmg_malloc(ctx, m, (size_t)(cpos + 1) * 4, "gmg coarse position starts");
    F->agg = ssbi_gmg_malloc(ctx, m, (size_t)(fn + 1) * 4, "gmg aggregates");
    if (!C->ps || !ccs || !F->agg) {
        ssbi_gmg_free(m, ccs, (size_t)(cpos + 1) * 4);
        return SSB_ERR_NOMEM;
    }
    int64_t *ps = C->ps;
    int err = 0;
    if (l == 0) {
        m->bpat = ssbi_gmg_malloc(ctx, m, (size_t)cpos, "gmg block patterns");
        if (!m->bpat) {
            ssbi_gmg_free(m, ccs, (size_t)(cpos + 1) * 4);
            return SSB_ERR_NOMEM;
        }
    }
    /* pass 1: pieces (whole blocks when splitting coarsens too slowly or only one block is left) */
    for (int split = !(cx == 1 && cy == 1 && cz == 1);; split = 0) {
        m->split0 = split;
#if SSB_HAVE_OPENMP
#pragma omp parallel num_threads(nt)
#endif
        {
            agg_ws w;
            memset(&w, 0, sizeof w);
#if SSB_HAVE_OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
            for (int64_t Z = 0; Z < cz; Z++) {
                int64_t c = agg_pieces(m, l, cs, Z, split, ccs, &w);
                if (c < 0) {
#if SSB_HAVE_OPENMP
#pragma omp atomic write
#endif
                    err = 1;
                    c = 0;
                }
                ps[Z + 1] = c;
            }
            ws_free(&w);
        }
        if (err) break;
        ps[0] = 0;
        for (int64_t Z = 0; Z < cz; Z++) ps[Z + 1] += ps[Z];
        if (!split || 2 * ps[cz] <= fn) break;
    }
    const int64_t cn = ps[cz];
    C->n = cn;
    if (err) {
        ssbi_gmg_free(m, ccs, (size_t)(cpos + 1) * 4);
        return SSB_ERR_NOMEM;
    }
    /* coarse position starts; local piece indices -> coarse unknowns */
#if SSB_HAVE_OPENMP
#pragma omp parallel for schedule(static) num_threads(nt)
#endif
    for (int64_t Z = 0; Z < cz; Z++) {
        int64_t c = ps[Z];
        for (int64_t v = Z * cpl; v < (Z + 1) * cpl; v++) {
            const int64_t k = ccs[v];
            ccs[v] = (int32_t)c;
            c += k;
        }
    }
    ccs[cpos] = (int32_t)cn;
#if SSB_HAVE_OPENMP
#pragma omp parallel for schedule(static) num_threads(nt)
#endif
    for (int64_t Z = 0; Z < cz; Z++)
        for (int64_t Y = 0; Y < cy; Y++)
            for (int64_t X = 0; X < cx; X++) {
                const int64_t blk = X + cx * (Y + cy * Z);
                if (ccs[blk + 1] == ccs[blk]) continue;
                if (l == 0) {
                    const int pat = m->bpat[blk];
                    for (int c = 0; c < 8; c++)
                        if ((pat >> c) & 1)
                            F->agg[cs[corner_voxel(F->d, X, Y, Z, c)]] = ccs[blk] + (m->split0 ? m->pc_id[pat][c] : 0);
                    continue;
                }
                blk_ranges r;
                block_ranges(cs, F->d, X, Y, Z, &r);
                for (int q = 0; q < r.nr; q++)
                    for (int64_t i = r.lo[q]; i < r.hi[q]; i++) F->agg[i] += ccs[blk];
            }
    F->agg[fn] = (int32_t)cn;
    /* pass 2: Galerkin rows, per coarse plane into plane buffers, then moved into the level's arrays */
    C->rp = ssbi_gmg_malloc(ctx, m, (size_t)(cn + 1) * 8, "gmg coarse rows");
    C->col = ssbi_gmg_malloc(ctx, m, (size_t)cn, "gmg colours");
    C->invd = ssbi_gmg_malloc(ctx, m, (size_t)cn * 4, "gmg diagonal");
    C->dg = ssbi_gmg_malloc(ctx, m, (size_t)cn * 4, "gmg diagonal");
    C->x = ssbi_gmg_malloc(ctx, m, (size_t)(cn + 1) * 4, "gmg vector");
    C->b = ssbi_gmg_malloc(ctx, m, (size_t)(cn + 1) * 4, "gmg vector");
    C->gdir = ssbi_gmg_malloc(ctx, m, (size_t)(cn + 1) * 4, "gmg Dirichlet");
    if (!C->rp || !C->col || !C->invd || !C->dg || !C->x || !C->b || !C->gdir) {
        ssbi_gmg_free(m, ccs, (size_t)(cpos + 1) * 4);
        return SSB_ERR_NOMEM;
    }
    C->gdir[cn] = 0.0f;
    C->rp[0] = 0;
    /* The rows of each coarse plane go first into the plane's slice of one pool, sized for rows of the fine level's
     * mean length + 2 (6 on level 0: a piece couples to at most ~6 neighbouring pieces); a plane whose rows do not
     * fit continues in its own buffers. Per-plane buffers grown by realloc (the former scheme) were copied at every
     * doubling into fresh heap pages: 3/4 of the page faults left in a 500^3 set-up once the large arrays used huge
     * pages (perf, lead, 2026-12-04). */
    plane_rows *pr = calloc((size_t)cz, sizeof *pr);
    int32_t *pool_j = NULL;
    float *pool_g = NULL;
    int64_t pool_n = 0;
    if (!pr) err = 1;
    if (!err) {
        const int64_t per = l == 0 ? 6 : (F->nnz + F->n - 1) / (F->n > 0 ? F->n : 1) + 2;
        for (int64_t Z = 0; Z < cz; Z++) pool_n += per * (ps[Z + 1] - ps[Z]) + 16;
        pool_j = ssbi_gmg_malloc(ctx, m, (size_t)pool_n * 4, "gmg coarse rows");
        pool_g = ssbi_gmg_malloc(ctx, m, (size_t)pool_n * 4, "gmg coarse rows");
        if (!pool_j || !pool_g) err = 1;
        int64_t off = 0;
        for (int64_t Z = 0; Z < cz && !err; Z++) {
            pr[Z].j = pool_j + off;
            pr[Z].g = pool_g + off;
            pr[Z].cap = per * (ps[Z + 1] - ps[Z]) + 16;
            off += pr[Z].cap;
        }
    }
    if (!err) {
#if SSB_HAVE_OPENMP
#pragma omp parallel num_threads(nt)
#endif
        {
            agg_ws w;
            memset(&w, 0, sizeof w);
#if SSB_HAVE_OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
            for (int64_t Z = 0; Z < cz; Z++)
                if (agg_rows(m, l, cs, ccs, Z, &pr[Z], &w) != SSB_OK) {
#if SSB_HAVE_OPENMP
#pragma omp atomic write
#endif
                    err = 1;
                }
            ws_free(&w);
        }
    }
    if (!err) {
        /* The index map (level 0: 4 bytes per voxel, 500 MB at 500^3) is read by passes 1 and 2 only: freed before
         * the columns, the set-up's live peak drops 3.59 -> 3.49 GB (500^3 three axes). The columns then land in its
         * hole of the brk heap (the CLI's large blocks come from there); see finalize_level for why they stay there.
         * Freed here alone, max RSS rose 3.671 -> 3.817 GB; with finalize_level's copy back it is 3.621 GB (mem1,
         * bench/transport_axes.sh). */
        ssbi_gmg_free(m, (void *)cs, (size_t)(fx * fy * fz + 1) * 4);
        cs = NULL;
        *csp = NULL; /* the caller frees *csp on an error below: ccs, freed there, not a second time */
    }
    if (!err) {
        for (int64_t I = 0; I < cn; I++) C->rp[I + 1] += C->rp[I];
        C->nnz = C->rp[cn];
        C->ci = ssbi_gmg_malloc(ctx, m, (size_t)(C->nnz + 1) * 4, "gmg coarse columns");
        C->cv = ssbi_gmg_malloc(ctx, m, (size_t)(C->nnz + 1) * 4, "gmg coarse conductances");
        if (!C->ci || !C->cv) err = 1;
    }
    if (!err) {
#if SSB_HAVE_OPENMP
#pragma omp parallel for schedule(static) num_threads(nt)
#endif
        for (int64_t Z = 0; Z < cz; Z++) {
            const int64_t k0 = C->rp[ps[Z]];
            if (pr[Z].nnz) {
                memcpy(C->ci + k0, pr[Z].j, (size_t)pr[Z].nnz * 4);
                memcpy(C->cv + k0, pr[Z].g, (size_t)pr[Z].nnz * 4);
            }
        }
    }
    if (pr)
        for (int64_t Z = 0; Z < cz; Z++)
            if (pr[Z].own) {
                free(pr[Z].j);
                free(pr[Z].g);
            }
    free(pr);
    ssbi_gmg_free(m, pool_j, (size_t)pool_n * 4);
    ssbi_gmg_free(m, pool_g, (size_t)pool_n * 4);
    if (l == 0) {
        ssbi_gmg_free(m, m->bpat, (size_t)cpos);
        m->bpat = NULL;
    }
    if (err) {
        ssbi_gmg_free(m, ccs, (size_t)(cpos + 1) * 4);
        return SSB_ERROR(ctx, SSB_ERR_NOMEM, "gmg: out of memory while aggregating level %d", l + 1);
    }
    C->x[cn] = 0.0f;
    C->b[cn] = 0.0f;
    *csp = ccs;
    return SSB_OK;
}

/* ---------------------------------------------------------------------------------------------------------- */
/* Coarse levels above the coarsest are renumbered for the cycle: inside every plane the red unknowns come first,
 * then the black ones, and inside each colour the rows are sorted by their number of entries. A run is a range of
 * rows of equal length whose entries lie back to back (no row pointers), so the kernels below walk one colour of
 * a plane without tests and with inner loops of fixed length. */

/* Renumber level l (1 <= l <= nlev - 2) as described above; updates the aggregates of level l-1. */
static int finalize_level(ssb_ctx *ctx, gmg *m, int l)
{
    gmg_level *L = &m->lev[l], *F = &m->lev[l - 1];
    const int64_t n = L->n, nz = L->d[2], nnz = L->nnz;
    const int nt = F->n < GMG_PAR_MIN ? 1 : m->nt; /* a small level: no thread team to wake for each loop */
    int32_t *perm = ssbi_gmg_malloc(ctx, m, (size_t)(n + 1) * 4, "gmg renumbering");
    int64_t *off = ssbi_gmg_malloc(ctx, m, (size_t)(n + 1) * 8, "gmg renumbering");
    int64_t *nrun = ssbi_gmg_malloc(ctx, m, (size_t)(nz + 1) * 8, "gmg run counts");
    L->pb = ssbi_gmg_malloc(ctx, m, (size_t)nz * 8, "gmg colour starts");
    L->rs = ssbi_gmg_malloc(ctx, m, (size_t)(2 * nz + 1) * 8, "gmg run starts");
    int32_t *ci = ssbi_gmg_malloc(ctx, m, (size_t)(nnz + 1) * 4, "gmg coarse columns");
    float *cv = ssbi_gmg_malloc(ctx, m, (size_t)(nnz + 1) * 4, "gmg coarse conductances");
    float *tmp = ssbi_gmg_malloc(ctx, m, (size_t)(n + 1) * 4, "gmg renumbering");
    int32_t *len = ssbi_gmg_malloc(ctx, m, (size_t)(n + 1) * 4, "gmg renumbering");
    int rc = SSB_OK;
    if (!perm || !off || !nrun || !L->pb || !L->rs || !ci || !cv || !tmp || !len) {
        rc = SSB_ERR_NOMEM;
        goto out;
    }
    int64_t maxlen = 0;
    for (int64_t i = 0; i < n; i++)
        if (L->rp[i + 1] - L->rp[i] > maxlen) maxlen = L->rp[i + 1] - L->rp[i];
    const int64_t nb = 2 * (maxlen + 1); /* buckets: (colour, length), red first */
    int64_t *cnt = ssbi_gmg_malloc(ctx, m, (size_t)(nb + 1) * 8 * (size_t)nt, "gmg renumbering");
    if (!cnt) {
        rc = SSB_ERR_NOMEM;
        goto out;
    }
    /* new index of every row (counting sort inside each plane), number of runs per plane */
    GMG_PRAGMA_FOR_NT
    for (int64_t Z = 0; Z < nz; Z++) {
#if SSB_HAVE_OPENMP
        int64_t *c = cnt + (nb + 1) * omp_get_thread_num();
#else
        int64_t *c = cnt;
#endif
        const int64_t i0 = L->ps[Z], i1 = L->ps[Z + 1];
        for (int64_t k = 0; k <= nb; k++) c[k] = 0;
        for (int64_t i = i0; i < i1; i++) c[1 + (L->col[i] ? 0 : maxlen + 1) + L->rp[i + 1] - L->rp[i]]++;
        int64_t runs = 0;
        for (int64_t k = 0; k < nb; k++) runs += c[k + 1] > 0;
        nrun[Z + 1] = runs;
        for (int64_t k = 0; k < nb; k++) c[k + 1] += c[k];
        L->pb[Z] = i0 + c[maxlen + 1];
        for (int64_t i = i0; i < i1; i++) {
            const int64_t ni = i0 + c[(L->col[i] ? 0 : maxlen + 1) + L->rp[i + 1] - L->rp[i]]++;
            perm[i] = (int32_t)ni;
            len[ni] = (int32_t)(L->rp[i + 1] - L->rp[i]);
        }
    }
    ssbi_gmg_free(m, cnt, (size_t)(nb + 1) * 8 * (size_t)nt);
    perm[n] = (int32_t)n;
    nrun[0] = 0;
    for (int64_t Z = 0; Z < nz; Z++) nrun[Z + 1] += nrun[Z];
    L->nrun = nrun[nz];
    L->run = ssbi_gmg_malloc(ctx, m, (size_t)(L->nrun + 1) * sizeof(gmg_run), "gmg runs");
    if (!L->run) {
        rc = SSB_ERR_NOMEM;
        goto out;
    }
    /* runs and entry offsets in the new order */
    GMG_PRAGMA_FOR_NT
    for (int64_t Z = 0; Z < nz; Z++) {
        const int64_t i0 = L->ps[Z], i1 = L->ps[Z + 1], pb = L->pb[Z];
        int64_t k = L->rp[i0], r = nrun[Z];
        L->rs[2 * Z] = r;
        L->rs[2 * Z + 1] = -1;
        for (int64_t j = i0; j < i1;) {
            if (j == pb) L->rs[2 * Z + 1] = r;
            int64_t e = j + 1;
            while (e < i1 && e != pb && len[e] == len[j]) e++;
            L->run[r].i0 = j;
            L->run[r].i1 = e;
            L->run[r].k0 = k;
            L->run[r].len = len[j];
            for (int64_t t = j; t < e; t++) off[t] = k + (t - j) * len[j];
            k += (e - j) * len[j];
            r++;
            j = e;
        }
        if (L->rs[2 * Z + 1] < 0) L->rs[2 * Z + 1] = r;
    }
    L->rs[2 * nz] = L->nrun;
    /* entries, renumbered */
    GMG_PRAGMA_FOR_NT
    for (int64_t i = 0; i < n; i++) {
        const int64_t dst = off[perm[i]];
        for (int64_t k = L->rp[i]; k < L->rp[i + 1]; k++) {
            ci[dst + k - L->rp[i]] = perm[L->ci[k]];
            cv[dst + k - L->rp[i]] = L->cv[k];
        }
    }
    /* per-unknown arrays */
    GMG_PRAGMA_FOR_NT
    for (int64_t i = 0; i < n; i++) tmp[perm[i]] = L->dg[i];
    memcpy(L->dg, tmp, (size_t)n * 4);
    GMG_PRAGMA_FOR_NT
    for (int64_t i = 0; i < n; i++) tmp[perm[i]] = L->invd[i];
    memcpy(L->invd, tmp, (size_t)n * 4);
    if (L->agg) {
        GMG_PRAGMA_FOR_NT
        for (int64_t i = 0; i < n; i++) len[perm[i]] = L->agg[i];
        memcpy(L->agg, len, (size_t)n * 4);
    }
    GMG_PRAGMA_FOR_NT
    for (int64_t i = 0; i < n; i++) tmp[perm[i]] = L->gdir[i];
    memcpy(L->gdir, tmp, (size_t)n * 4);
    {
        const int64_t fn = F->n;
        int32_t *fa = F->agg;
        GMG_PRAGMA_FOR_NT
        for (int64_t i = 0; i < fn; i++) fa[i] = perm[fa[i]];
    }
    /* back into the level's own arrays, the renumbered copies freed (out): the columns stay where setup_coarse put
     * them, in the level-0 index map's hole, and the row pools' hole above is left whole for the CG vectors */
    memcpy(L->ci, ci, (size_t)nnz * 4);
    memcpy(L->cv, cv, (size_t)nnz * 4);
    ssbi_gmg_free(m, L->rp, (size_t)(n + 1) * 8);
    ssbi_gmg_free(m, L->col, (size_t)n);
    L->rp = NULL;
    L->col = NULL;
out:
    ssbi_gmg_free(m, perm, (size_t)(n + 1) * 4);
    ssbi_gmg_free(m, off, (size_t)(n + 1) * 8);
    ssbi_gmg_free(m, nrun, (size_t)(nz + 1) * 8);
    ssbi_gmg_free(m, ci, (size_t)(nnz + 1) * 4);
    ssbi_gmg_free(m, cv, (size_t)(nnz + 1) * 4);
    ssbi_gmg_free(m, tmp, (size_t)(n + 1) * 4);
    ssbi_gmg_free(m, len, (size_t)(n + 1) * 4);
    return rc;
}

/* ---------------------------------------------------------------------------------------------------------- */
/* slabs and the pipelined pass */

/* Slabs of a level: GMG_SLAB unknowns each (at least 2, at most GMG_SLAB_MAX) with equal numbers of unknowns, each
 * starting at an even plane (so that the children of a coarse plane lie in one slab); one slab for levels below
 * GMG_PAR_MIN unknowns. The slabs do not depend on the thread count, nor do the sums formed per slab: the results
 * are the same for any number of threads. */
static int setup_slabs(ssb_ctx *ctx, gmg *m, gmg_level *L)
{
    const int64_t nz = L->d[2];
    int64_t ns = L->n < GMG_PAR_MIN ? 1 : L->n / GMG_SLAB < 2 ? 2 : L->n / GMG_SLAB > GMG_SLAB_MAX ? GMG_SLAB_MAX
                                                                                                 : L->n / GMG_SLAB;
    if (ns > (nz + 1) / 2) ns = (nz + 1) / 2;
    if (ns < 1) ns = 1;
    L->sz = ssbi_gmg_malloc(ctx, m, (size_t)(ns + 1) * 8, "gmg slabs");
    if (!L->sz) return SSB_ERR_NOMEM;
    int64_t k = 1, z = 0;
    L->sz[0] = 0;
    for (int64_t s = 1; s < ns; s++) {
        const int64_t target = L->n * s / ns;
        while (z < nz && L->ps[z] < target) z++;
        const int64_t ze = z + (z & 1);
        if (ze > L->sz[k - 1] && ze < nz) L->sz[k++] = ze;
    }
    L->sz[k] = nz;
    L->nslab = (int)k;
    return SSB_OK;
}

/* Dense Cholesky of the last level (double); refactors a present factor. */
int ssbi_gmg_setup_dense(ssb_ctx *ctx, gmg *m, gmg_level *L)
{
    const int64_t n = L->n;
    if (!L->chol) L->chol = ssbi_gmg_malloc(ctx, m, (size_t)(n * n) * 8, "gmg coarse factor");
    if (!L->chol) return SSB_ERR_NOMEM;
    double *A = L->chol;
    memset(A, 0, (size_t)(n * n) * 8);
    for (int64_t i = 0; i < n; i++) {
        double d = 0.0;
        for (int64_t k = L->rp[i]; k < L->rp[i + 1]; k++) {
            const double g = L->cv[k];
            d += g;
            A[i * n + L->ci[k]] -= g;
        }
        d += L->gdir[i];
        A[i * n + i] = d;
    }
    for (int64_t j = 0; j < n; j++) {
        double s = A[j * n + j];
        for (int64_t k = 0; k < j; k++) s -= A[j * n + k] * A[j * n + k];
        if (!(s > 0.0)) return SSB_ERROR(ctx, SSB_ERR_INTERNAL, "gmg: coarse matrix is not positive definite");
        s = sqrt(s);
        A[j * n + j] = s;
        for (int64_t i = j + 1; i < n; i++) {
            double t = A[i * n + j];
            for (int64_t k = 0; k < j; k++) t -= A[i * n + k] * A[j * n + k];
            A[i * n + j] = t / s;
        }
    }
    return SSB_OK;
}

/* ---------------------------------------------------------------------------------------------------------- */

int ssbi_gmg_build(ssb_ctx *ctx, gmg *m, const ssbi_tproblem *p)
{
    m->nph = p->nph;
    m->ph = p->ph;
    piece_tables(m);
    const int st = p->nph + 1;
    double gmax = 0.0;
    for (int k = 0; k < 3; k++)
        for (int j = 0; j < st * st; j++) gmax = fmax(gmax, p->gface[k][j]);
    m->gref = gmax;
    const int64_t *didx;
    int64_t dfirst;
    const int64_t nlo = ssbi_tproblem_dir(p, 0, &didx, &dfirst);
    for (int64_t k = 0; k < nlo; k++) gmax = fmax(gmax, p->gd_lo[k]);
    m->gscale = gmax > 0.0 ? gmax : 1.0;
    for (int k = 0; k < 3; k++) {
        m->gf[k] = ssbi_malloc(ctx, (size_t)(st * st) * sizeof(float), "gmg conductance table");
        if (!m->gf[k]) return SSB_ERR_NOMEM;
        for (int j = 0; j < st * st; j++) m->gf[k][j] = (float)(p->gface[k][j] / m->gscale);
        m->g1[k] = m->gf[k][0];
    }
    const int64_t nvox = p->n[0] * p->n[1] * p->n[2];
    int32_t *cs = ssbi_gmg_malloc(ctx, m, (size_t)(nvox + 1) * 4, "gmg index map");
    if (!cs) return SSB_ERR_NOMEM;
    cs[nvox] = (int32_t)p->nunk;
    m->nlev = 1;
    int rc = setup_fine(ctx, m, p, cs);
    while (rc == SSB_OK) {
        gmg_level *F = &m->lev[m->nlev - 1];
        if (F->n <= GMG_NCOARSE || m->nlev == GMG_MAXLEV) break;
        if (m->nlev > 1 && F->d[0] == 1 && F->d[1] == 1 && F->d[2] == 1) break;
        rc = setup_coarse(ctx, m, m->nlev - 1, &cs);
        if (rc == SSB_OK) m->nlev++;
    }
    gmg_level *Lc = &m->lev[m->nlev - 1];
    ssbi_gmg_free(m, cs, (size_t)(Lc->d[0] * Lc->d[1] * Lc->d[2] + 1) * 4);
    if (m->lean) { /* the lean cycle reads the phases from the phase map and sums the diagonal where it needs it */
        ssbi_gmg_free(m, m->lev[0].pi, (size_t)p->nunk + 1);
        ssbi_gmg_free(m, m->lev[0].invd, (size_t)p->nunk * 4);
        m->lev[0].pi = NULL;
        m->lev[0].invd = NULL;
    } else if (m->cmp && m->nph == 1) { /* one conducting phase: the compact cycle needs no phases */
        ssbi_gmg_free(m, m->lev[0].pi, (size_t)p->nunk + 1);
        m->lev[0].pi = NULL;
    }
    if (rc != SSB_OK) return rc;
    if (m->nlev > 1) {
        if (Lc->n > GMG_NCOARSE)
            return SSB_ERROR(ctx, SSB_ERR_INTERNAL, "gmg: coarsest level has %lld unknowns", (long long)Lc->n);
        SSB_CHECK(ctx, ssbi_gmg_setup_dense(ctx, m, Lc));
    }
    for (int l = 1; l < m->nlev - 1; l++) SSB_CHECK(ctx, finalize_level(ctx, m, l));
    /* K-cycle work vectors on the coarse levels above the coarsest; slabs */
    int maxslab = 1;
    for (int l = 0; l < m->nlev; l++) {
        gmg_level *L = &m->lev[l];
        if (l >= 1 && l < m->nlev - 1 && GMG_KCYCLE && (l <= GMG_KCYCLE_LEVELS || L->n >= GMG_KCYCLE_MIN)) {
            const size_t nb = (size_t)(L->n + 1) * 4;
            L->kr = ssbi_gmg_malloc(ctx, m, nb, "gmg K-cycle vector");
            L->kc = ssbi_gmg_malloc(ctx, m, nb, "gmg K-cycle vector");
            L->kv = ssbi_gmg_malloc(ctx, m, nb, "gmg K-cycle vector");
            if (!L->kr || !L->kc || !L->kv) return SSB_ERR_NOMEM;
        }
        SSB_CHECK(ctx, setup_slabs(ctx, m, L));
        if (L->nslab > maxslab) maxslab = L->nslab;
    }
    m->part = ssbi_gmg_malloc(ctx, m, (size_t)maxslab * 4 * sizeof(double), "gmg partial sums");
    if (!m->part) return SSB_ERR_NOMEM;
    return SSB_OK;
}


/* ---------------------------------------------------------------------------------------------------------- */
/* another problem on a kept hierarchy: new Dirichlet conductances, possibly on other faces */

/* Dirichlet faces moved (p->across != m->across): the level diagonals hold the interior couplings (the same for
 * every face pair) plus the Dirichlet conductances. P is piecewise constant, so P^T D P of the Dirichlet diagonal D
 * is diagonal: a coarse unknown's Dirichlet conductance is the sum over its members, and its diagonal is the row
 * sum of its off-diagonal conductances (the Galerkin operator of a Laplacian) plus that. f: the factor between the
 * problem's conductances and the build's (the float hierarchy stays in the build's normalisation). */
static int move_dirichlet(ssb_ctx *ctx, gmg *m, const ssbi_tproblem *p, double f)
{
    gmg_level *L0 = &m->lev[0];
    const int64_t n = L0->n, nz = L0->d[2];
    const int st = m->nph + 1;
    const double gs = m->gscale * f;
    int nt = m->nt;
    (void)p;
    if (m->lean || !L0->invd || (m->cmp ? !L0->nk || (m->nph > 1 && !L0->pi) : !L0->nb || !L0->pi))
        return SSB_ERROR(ctx, SSB_ERR_INTERNAL, "gmg: the Dirichlet faces of a lean hierarchy cannot move");
    /* level 0: the interior diagonal in setup_fine's order, plus the Dirichlet terms */
    if (m->cmp) {
        GMG_PRAGMA_FOR_NT
        for (int64_t z = 0; z < nz; z++) ssbi_gmg_interior_diag(m, z, L0->invd);
    } else {
        GMG_PRAGMA_FOR_NT
        for (int64_t i = 0; i < n; i++) {
            const int32_t *q = L0->nb + 6 * i;
            const int pp = L0->pi[i] * st;
            float d = 0.0f;
            for (int k = 0; k < 6; k++) d += m->gf[k >> 1][pp + L0->pi[q[k]]];
            L0->invd[i] = d;
        }
    }
    for (int s = 0; s < 2; s++)
        for (int64_t k = 0; k < m->dps[s][nz]; k++) L0->invd[m->di[s][k]] += (float)(m->dg0[s][k] / gs);
    GMG_PRAGMA_FOR_NT
    for (int64_t i = 0; i < n; i++) L0->invd[i] = 1.0f / L0->invd[i];
    /* the plane arrays of across = 0 are stale now (only the lean diagonal and the build read them) */
    if (L0->gdlo) {
        ssbi_gmg_free(m, L0->gdlo, (size_t)(L0->ps[1] + 1) * 4);
        ssbi_gmg_free(m, L0->gdhi, (size_t)(n - L0->ps[nz - 1] + 1) * 4);
        L0->gdlo = L0->gdhi = NULL;
    }
    /* coarse levels: Dirichlet sums through the aggregates, diagonal = row sum + Dirichlet */
    for (int l = 1; l < m->nlev; l++) {
        gmg_level *C = &m->lev[l], *F = &m->lev[l - 1];
        nt = C->n < GMG_PAR_MIN ? 1 : m->nt;
        double *acc = ssbi_gmg_malloc(ctx, m, (size_t)C->n * 8, "gmg Dirichlet sums");
        if (!acc) return SSB_ERR_NOMEM;
        memset(acc, 0, (size_t)C->n * 8);
        if (l == 1) {
            for (int s = 0; s < 2; s++)
                for (int64_t k = 0; k < m->dps[s][nz]; k++)
                    acc[F->agg[m->di[s][k]]] += (double)(float)(m->dg0[s][k] / gs);
        } else {
            for (int64_t i = 0; i < F->n; i++)
                if (F->gdir[i] != 0.0f) acc[F->agg[i]] += F->gdir[i];
        }
        GMG_PRAGMA_FOR_NT
        for (int64_t i = 0; i < C->n; i++) C->gdir[i] = (float)acc[i];
        if (C->run) { /* runs: rows of equal length back to back */
            GMG_PRAGMA_FOR_NT
            for (int64_t r = 0; r < C->nrun; r++) {
                const gmg_run *ru = &C->run[r];
                for (int64_t i = ru->i0; i < ru->i1; i++) {
                    double d = 0.0;
                    const float *g = C->cv + ru->k0 + (i - ru->i0) * ru->len;
                    for (int64_t e = 0; e < ru->len; e++) d += g[e];
                    acc[i] = d;
                }
            }
        } else {
            for (int64_t i = 0; i < C->n; i++) {
                double d = 0.0;
                for (int64_t k = C->rp[i]; k < C->rp[i + 1]; k++) d += C->cv[k];
                acc[i] = d;
            }
        }
        GMG_PRAGMA_FOR_NT
        for (int64_t i = 0; i < C->n; i++) {
            const double d = acc[i] + C->gdir[i];
            C->dg[i] = (float)d;
            C->invd[i] = (float)(1.0 / d);
        }
        ssbi_gmg_free(m, acc, (size_t)C->n * 8);
    }
    if (m->nlev > 1) SSB_CHECK(ctx, ssbi_gmg_setup_dense(ctx, m, &m->lev[m->nlev - 1]));
    m->across = p->across;
    return SSB_OK;
}

int ssbi_gmg_set_dirichlet(ssb_ctx *ctx, gmg *m, const ssbi_tproblem *p)
{
    SSB_CHECK(ctx, dirichlet_lists(ctx, m, p));
    if (p->across == m->across) return SSB_OK;
    double gmax = 0.0; /* the factor between the problem's conductances and the build's */
    for (int k = 0; k < 3; k++)
        for (int j = 0; j < (p->nph + 1) * (p->nph + 1); j++) gmax = fmax(gmax, p->gface[k][j]);
    const double f = m->gref > 0.0 && gmax > 0.0 ? gmax / m->gref : 1.0;
    return move_dirichlet(ctx, m, p, f);
}
