/* First touch of a large block with 4 KiB pages against transparent huge pages (the advice ssbi_malloc gives blocks
 * of >= 4 MiB, src/core/core.c). The machine's page-fault cost decides how much of a large solve's set-up is spent in
 * the kernel: on the shared 2-core test machine (a paravirtualised guest, THP mode "madvise") 4 GiB took 12.7-17.4 s
 * to touch with 4 KiB pages and 0.36-2.0 s with huge pages (lead, 2026-12-04); a second touch 0.16 s either way.
 *
 * usage: pagefault [GIB] [ROUNDS]   (default 1 GiB, 3 rounds per variant) */
#if defined(__linux__) && !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

static double wtime(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    const double gib = argc > 1 ? atof(argv[1]) : 1.0;
    const int rounds = argc > 2 ? atoi(argv[2]) : 3;
    if (!(gib > 0.0 && gib <= 64.0) || rounds < 1 || rounds > 100) {
        fprintf(stderr, "usage: %s [GIB (0 to 64)] [ROUNDS (1 to 100)]\n", argv[0]);
        return 2;
    }
    const size_t n = (size_t)(gib * 1073741824.0);
    for (int huge = 0; huge < 2; huge++)
        for (int r = 0; r < rounds; r++) {
            const double t0 = wtime();
            char *p = malloc(n);
            if (!p) {
                fprintf(stderr, "pagefault: cannot allocate %.2f GiB\n", gib);
                return 1;
            }
#if defined(__linux__) && defined(MADV_HUGEPAGE)
            if (huge) {
                const size_t hp = (size_t)2 << 20;
                const uintptr_t a = ((uintptr_t)p + hp - 1) & ~(uintptr_t)(hp - 1);
                const uintptr_t b = ((uintptr_t)p + n) & ~(uintptr_t)(hp - 1);
                if (b > a) (void)madvise((void *)a, (size_t)(b - a), MADV_HUGEPAGE);
            }
#endif
            memset(p, 1, n);
            const double t1 = wtime();
            memset(p, 2, n);
            const double t2 = wtime();
            printf("%-11s round %d: first touch %.3f s (%.2f GiB/s), second %.3f s\n",
                   huge ? "huge pages" : "4 KiB pages", r + 1, t1 - t0, gib / (t1 - t0), t2 - t1);
            free(p);
        }
    return 0;
}
