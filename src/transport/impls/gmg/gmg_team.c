/* gmg threads: the team of a solve and the pipelined passes over the planes of a level. */
#include "gmg_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* ---------------------------------------------------------------------------------------------------------- */
/* The threads of a solve. The solve runs in one OpenMP region: thread 0 runs the iteration and the small levels
 * and hands the passes over large levels to the team; the others wait for them. All waits (for a pass, at a
 * barrier) spin for a short while and then sleep on a condition variable, so a waiting thread frees its core at
 * once on a busy machine. OpenMP's own waits spin for long, and a spinning thread keeps its partner, which the
 * system has put aside, from moving to the free core: with one busy-loop job beside the solve on the 2-core
 * machine, the electrode.tiff solve with an OpenMP region per pass took 6.4 s on 2 threads against 5.9 s on 1;
 * with this team 5.3 s against 6.0 s (GMG_SPIN = 200: 5.7 s, spinning without end: 6.3 s). GMG_SPIN (about
 * 20 us) keeps the quiet-machine case fast, where the next pass usually comes within the spin. */
#if SSB_HAVE_OPENMP
#ifndef GMG_SPIN
#define GMG_SPIN 20000
#endif

/* Wait until *v differs from old. */
static void team_wait(gmg_team *t, atomic_uint *v, unsigned old)
{
    for (int k = 0; k < GMG_SPIN; k++)
        if (atomic_load_explicit(v, memory_order_acquire) != old) return;
    pthread_mutex_lock(&t->mu);
    atomic_fetch_add(&t->nsleep, 1);
    while (atomic_load(v) == old) pthread_cond_wait(&t->cv, &t->mu);
    atomic_fetch_sub(&t->nsleep, 1);
    pthread_mutex_unlock(&t->mu);
}

static void team_wake(gmg_team *t)
{
    if (atomic_load(&t->nsleep) > 0) {
        pthread_mutex_lock(&t->mu);
        pthread_cond_broadcast(&t->cv);
        pthread_mutex_unlock(&t->mu);
    }
}

static void team_barrier(gmg_team *t)
{
    const unsigned g = atomic_load(&t->bgen);
    if (atomic_fetch_add(&t->bcount, 1) == t->nt - 1) {
        atomic_store(&t->bcount, 0);
        atomic_fetch_add(&t->bgen, 1);
        team_wake(t);
    } else {
        team_wait(t, &t->bgen, g);
    }
}

/* Thread 0: run fn on every thread of the team and wait for all. */
static void team_run(gmg_team *t, void (*fn)(gmg_team *, int, const void *), const void *arg)
{
    t->fn = fn;
    t->arg = arg;
    for (int k = 0; k < 4; k++) atomic_store(&t->ctr[k], 0);
    atomic_fetch_add(&t->epoch, 1);
    team_wake(t);
    fn(t, 0, arg);
    team_barrier(t);
}

void ssbi_gmg_team_worker(gmg_team *t, int tid)
{
    unsigned e = 0;
    for (;;) {
        team_wait(t, &t->epoch, e);
        e = atomic_load(&t->epoch);
        if (atomic_load(&t->quit)) return;
        t->fn(t, tid, t->arg);
        team_barrier(t);
    }
}

void ssbi_gmg_team_stop(gmg_team *t)
{
    atomic_store(&t->quit, 1);
    atomic_fetch_add(&t->epoch, 1);
    team_wake(t);
}
#endif

/* A pass over the planes of level L with up to four stages per plane: A(z) needs nothing, B(z) needs A on planes
 * z-1..z+1, C(z) needs B on planes z-1..z+1 (and may change what B reads), D(z) needs C on planes z-1..z+1 (and
 * may not change what C reads). Inside a slab the stages run with a lag of one plane; the first and last plane of
 * each slab run A before and C after the others (two barriers), and D, if any, runs on the two planes at each slab
 * end after a third barrier. */
typedef struct {
    const gmg *m;
    const gmg_level *L;
    gmg_stage A, B, C, D;
    const gmg_args *a;
} gmg_pass;

/* next slab of phase k (t = NULL: serial, *s counts) */
static inline int pass_next(gmg_team *t, int k, int *s)
{
#if SSB_HAVE_OPENMP
    if (t) return atomic_fetch_add(&t->ctr[k], 1);
#endif
    (void)t;
    (void)k;
    return (*s)++;
}

static void pass_run(gmg_team *t, int tid, const void *arg)
{
    const gmg_pass *p = arg;
    const gmg *m = p->m;
    const gmg_args *a = p->a;
    const gmg_stage A = p->A, B = p->B, C = p->C, D = p->D; /* D only with A, B and C */
    const int ns = p->L->nslab;
    const int64_t *sz = p->L->sz;
    double *part = m->part;
    int c0 = 0, c1 = 0, c2 = 0, c3 = 0;
    (void)tid;
    if (A && (B || C)) {
        for (int s = pass_next(t, 0, &c0); s < ns; s = pass_next(t, 0, &c0)) {
            A(m, a, sz[s], part + 4 * s);
            if (sz[s + 1] - 1 > sz[s]) A(m, a, sz[s + 1] - 1, part + 4 * s);
        }
#if SSB_HAVE_OPENMP
        if (t) team_barrier(t);
#endif
    }
    for (int s = pass_next(t, 1, &c1); s < ns; s = pass_next(t, 1, &c1)) {
        const int64_t z0 = sz[s], z1 = sz[s + 1];
        double *acc = part + 4 * s;
        for (int64_t z = z0; z < z1; z++) {
            if (A && (!(B || C) || (z != z0 && z != z1 - 1))) A(m, a, z, acc);
            if (B && z - 1 >= z0) B(m, a, z - 1, acc);
            if (C && z - 2 > z0) C(m, a, z - 2, acc);
            if (D && z - 3 >= z0 + 2) D(m, a, z - 3, acc); /* C has run on z - 4 .. z - 2 (all > z0) */
        }
        if (B) B(m, a, z1 - 1, acc);
        if (C && z1 - 2 > z0) C(m, a, z1 - 2, acc);
        if (D && z1 - 3 >= z0 + 2) D(m, a, z1 - 3, acc);
    }
    if (C) {
#if SSB_HAVE_OPENMP
        if (t) team_barrier(t);
#endif
        for (int s = pass_next(t, 2, &c2); s < ns; s = pass_next(t, 2, &c2)) {
            C(m, a, sz[s], part + 4 * s);
            if (sz[s + 1] - 1 > sz[s]) C(m, a, sz[s + 1] - 1, part + 4 * s);
        }
    }
    if (D) { /* the planes of each slab that the loop above left out: z < z0 + 2 or z > z1 - 3 */
#if SSB_HAVE_OPENMP
        if (t) team_barrier(t);
#endif
        for (int s = pass_next(t, 3, &c3); s < ns; s = pass_next(t, 3, &c3)) {
            const int64_t z0 = sz[s], z1 = sz[s + 1];
            for (int64_t z = z0; z < z1; z++)
                if (z < z0 + 2 || z > z1 - 3) D(m, a, z, part + 4 * s);
        }
    }
}

/* Runs a pass (by the team if the level has several slabs); out[0..3]: the stages' sums, added in slab order. */
void ssbi_gmg_pipeline(const gmg *m, const gmg_level *L, gmg_stage A, gmg_stage B, gmg_stage C, const gmg_args *a,
                     double out[4])
{
    ssbi_gmg_pipeline4(m, L, A, B, C, NULL, a, out);
}

void ssbi_gmg_pipeline4(const gmg *m, const gmg_level *L, gmg_stage A, gmg_stage B, gmg_stage C, gmg_stage D,
                        const gmg_args *a, double out[4])
{
    const int ns = L->nslab;
    double *part = m->part;
    memset(part, 0, (size_t)ns * 4 * sizeof(double));
    const gmg_pass p = {m, L, A, B, C, D, a};
#if SSB_HAVE_OPENMP
    if (ns > 1 && m->team && m->team->nt > 1) team_run(m->team, pass_run, &p);
    else pass_run(NULL, 0, &p);
#else
    pass_run(NULL, 0, &p);
#endif
    if (out) {
        for (int k = 0; k < 4; k++) out[k] = 0.0;
        for (int s = 0; s < ns; s++)
            for (int k = 0; k < 4; k++) out[k] += part[4 * s + k];
    }
}

