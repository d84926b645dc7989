/* Live-block tracer for peak-memory work (not built by CMake; Linux, glibc):
 *   gcc -O2 -shared -fPIC -o /tmp/memtrace.so bench/memtrace.c -lpthread
 *   LD_PRELOAD=/tmp/memtrace.so build/ssbnet micro transport cathode500.raw --phase 1 --axis all --json --quiet
 * At exit it prints the peak of the live blocks >= 8 MB and the blocks live then (allocation number : MB, in order).
 * MEMTRACE_LOG=1 also prints every such allocation and free with the live total, the program break and the block's
 * offset from the first break (the brk heap's layout: where a block lands, whether it reuses a hole).
 * Why: max RSS alone does not say whether a peak is the live set or the heap's holes (mem1, 2026-12-04: 3.59 GB live
 * at the set-up's peak, 3.53 GB in the solve, 3.71 GB max RSS, bench/transport_axes.sh). */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void __libc_free(void *);
extern void *__libc_realloc(void *, size_t);

enum { MAXB = 4096 };
#define MINB ((size_t)8 << 20)
static void *bp[MAXB];
static size_t bs[MAXB], ps[MAXB], live, peak;
static int bseq[MAXB], pseq[MAXB], nb, npk, seq, logging = -1;
static char *brk0;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void add(void *p, size_t s)
{
    if (!p || s < MINB) return;
    pthread_mutex_lock(&mu);
    if (logging < 0) logging = getenv("MEMTRACE_LOG") != NULL;
    if (!brk0) brk0 = sbrk(0);
    if (nb < MAXB) {
        bp[nb] = p;
        bs[nb] = s;
        bseq[nb] = seq++;
        nb++;
        live += s;
        if (logging)
            fprintf(stderr, "memtrace: alloc #%d %.0f MB, live %.0f MB, break %.0f MB, at %.0f MB\n", seq - 1, s / 1e6,
                    live / 1e6, ((char *)sbrk(0) - brk0) / 1e6, ((char *)p - brk0) / 1e6);
        if (live > peak) {
            peak = live;
            npk = nb;
            for (int i = 0; i < nb; i++) ps[i] = bs[i], pseq[i] = bseq[i];
        }
    }
    pthread_mutex_unlock(&mu);
}

static void del(void *p)
{
    if (!p) return;
    pthread_mutex_lock(&mu);
    for (int i = 0; i < nb; i++)
        if (bp[i] == p) {
            live -= bs[i];
            if (logging)
                fprintf(stderr, "memtrace: free #%d %.0f MB, live %.0f MB\n", bseq[i], bs[i] / 1e6, live / 1e6);
            nb--;
            bp[i] = bp[nb], bs[i] = bs[nb], bseq[i] = bseq[nb];
            break;
        }
    pthread_mutex_unlock(&mu);
}

void *malloc(size_t s)
{
    void *p = __libc_malloc(s);
    add(p, s);
    return p;
}

void *calloc(size_t a, size_t b)
{
    void *p = __libc_calloc(a, b);
    add(p, a * b);
    return p;
}

void free(void *p)
{
    del(p);
    __libc_free(p);
}

void *realloc(void *p, size_t s)
{
    del(p);
    void *q = __libc_realloc(p, s);
    add(q, s);
    return q;
}

__attribute__((destructor)) static void report(void)
{
    for (int i = 1; i < npk; i++) /* by allocation number */
        for (int j = i; j > 0 && pseq[j] < pseq[j - 1]; j--) {
            int t = pseq[j];
            pseq[j] = pseq[j - 1], pseq[j - 1] = t;
            size_t u = ps[j];
            ps[j] = ps[j - 1], ps[j - 1] = u;
        }
    fprintf(stderr, "memtrace: peak of the live blocks >= 8 MB: %.1f MB in %d blocks (#:MB):", peak / 1e6, npk);
    for (int i = 0; i < npk; i++) fprintf(stderr, " %d:%.0f", pseq[i], ps[i] / 1e6);
    fprintf(stderr, "\n");
}
