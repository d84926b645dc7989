/* <complex.h> plus C11's CMPLX where the C library leaves it out. Not installed.
 * glibc defines CMPLX only for gcc >= 4.7 (it tests __GNUC_PREREQ (4, 7), and clang reports itself as gcc 4.2), so
 * with clang 14 + glibc 2.36 the macro is missing. The fallback builds the value through the array layout that C11
 * 6.2.5p13 guarantees for complex types, so that an infinite or NaN part stays in its own component (x + I * y
 * would turn inf * I into NaN + inf I). */
#ifndef SSB_CMPLX_H
#define SSB_CMPLX_H

#include <complex.h>

#ifndef CMPLX
static inline double complex ssbi_cmplx(double re, double im)
{
    union {
        double complex z;
        double part[2];
    } u;
    u.part[0] = re;
    u.part[1] = im;
    return u.z;
}
#define CMPLX(x, y) ssbi_cmplx((x), (y))
#endif

#endif
