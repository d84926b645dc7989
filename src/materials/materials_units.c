/* Materials: unit table, chemical-formula molar masses, name normalisation. */
#include "materials_impl.h"

#include <ssbnet/ssb_units.h>

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* File unit -> SI factor. The factors of units that the core units table knows (ssb_units.h) come from it; the
 * rest are the materials database's own: energies stay in eV (1 kJ/mol = 1/96.485332 eV per particle), fractions
 * and fracture toughness. Only the symbols listed here are accepted (e.g. J/mol is not: energies are in eV). */
static const struct {
    const char *unit;
    int core;      /* ssb_unit, or -1: factor and si below */
    double factor; /* core < 0 only */
    const char *si;
} unit_table[] = {
    {"S/cm", SSB_UNIT_S_PER_CM, 0, NULL},
    {"S/m", SSB_UNIT_S_PER_M, 0, NULL},
    {"eV", -1, 1.0, "eV"},
    {"kJ/mol", -1, SSB_UNIT_SI_KJ_PER_MOL / SSB_CONST_FARADAY, "eV"},
    {"V", SSB_UNIT_V, 0, NULL},
    {"g/cm3", SSB_UNIT_G_PER_CM3, 0, NULL},
    {"kg/m3", SSB_UNIT_KG_PER_M3, 0, NULL},
    {"GPa", SSB_UNIT_GPA, 0, NULL},
    {"MPa", SSB_UNIT_MPA, 0, NULL},
    {"Pa", SSB_UNIT_PA, 0, NULL},
    {"g/mol", SSB_UNIT_G_PER_MOL, 0, NULL},
    {"mol/m3", SSB_UNIT_MOL_PER_M3, 0, NULL},
    {"cm2/s", SSB_UNIT_CM2_PER_S, 0, NULL},
    {"m2/s", SSB_UNIT_M2_PER_S, 0, NULL},
    {"mAh/g", SSB_UNIT_MAH_PER_G, 0, NULL},
    {"%", -1, 0.01, "1"},
    {"1", -1, 1.0, "1"},
    {"MPa m0.5", -1, SSB_UNIT_SI_MPA, "Pa m0.5"},
    {"ohm cm2", SSB_UNIT_OHM_CM2, 0, NULL},
    {"mA/cm2", SSB_UNIT_MA_PER_CM2, 0, NULL},
    {"nm", SSB_UNIT_NM, 0, NULL},
    {"um", SSB_UNIT_UM, 0, NULL},
    {"m", SSB_UNIT_M, 0, NULL},
    {"m2/g", -1, 1000.0, "m2/kg"},
    {"cm3/mol", -1, 1e-6, "m3/mol"},
    {"m3/mol", -1, 1.0, "m3/mol"},
};

int ssbi_unit_lookup(const char *unit, double *factor, const char **si_unit)
{
    if (!unit)
        return 0;
    for (size_t i = 0; i < sizeof unit_table / sizeof unit_table[0]; i++)
        if (strcmp(unit, unit_table[i].unit) == 0) {
            const ssb_unit_info *u = unit_table[i].core >= 0 ? ssb_unit_get((ssb_unit)unit_table[i].core) : NULL;
            if (factor)
                *factor = u ? u->si_per_unit : unit_table[i].factor;
            if (si_unit)
                *si_unit = u ? u->si : unit_table[i].si;
            return 1;
        }
    return 0;
}

int ssb_materials_unit_to_si(ssb_ctx *ctx, const char *unit, double v, double *si, const char **si_unit)
{
    double f;
    const char *u;
    SSB_REQUIRE(ctx, si != NULL, SSB_ERR_ARG, "ssb_materials_unit_to_si: si is NULL");
    if (!ssbi_unit_lookup(unit, &f, &u))
        return SSB_ERROR(ctx, SSB_ERR_NOTFOUND,
                         "unknown unit '%s' (known: S/cm, S/m, eV, kJ/mol, V, g/cm3, kg/m3, "
                         "GPa, MPa, Pa, g/mol, mol/m3, cm2/s, m2/s, mAh/g, %%, 1, MPa m0.5, ohm cm2, mA/cm2, nm, um, "
                         "m, m2/g, cm3/mol, m3/mol)",
                         unit ? unit : "(null)");
    *si = v * f;
    if (si_unit)
        *si_unit = u;
    return SSB_OK;
}

/* Standard atomic weights, IUPAC/CIAAW 2021 abridged values (g/mol); the elements ssbnet's materials use. */
static const struct {
    const char *sym;
    double w;
} elements[] = {
    {"H", 1.008},   {"Li", 6.94},   {"B", 10.81},   {"C", 12.011},  {"N", 14.007},  {"O", 15.999},  {"F", 18.998},
    {"Na", 22.990}, {"Mg", 24.305}, {"Al", 26.982}, {"Si", 28.085}, {"P", 30.974},  {"S", 32.06},   {"Cl", 35.45},
    {"K", 39.098},  {"Ca", 40.078}, {"Sc", 44.956}, {"Ti", 47.867}, {"V", 50.942},  {"Cr", 51.996}, {"Mn", 54.938},
    {"Fe", 55.845}, {"Co", 58.933}, {"Ni", 58.693}, {"Cu", 63.546}, {"Zn", 65.38},  {"Ga", 69.723}, {"Ge", 72.630},
    {"As", 74.922}, {"Se", 78.971}, {"Br", 79.904}, {"Sr", 87.62},  {"Y", 88.906},  {"Zr", 91.224}, {"Nb", 92.906},
    {"Mo", 95.95},  {"Ag", 107.87}, {"In", 114.82}, {"Sn", 118.71}, {"Sb", 121.76}, {"Te", 127.60}, {"I", 126.90},
    {"Ba", 137.33}, {"La", 138.91}, {"Ce", 140.12}, {"Gd", 157.25}, {"Hf", 178.49}, {"Ta", 180.95}, {"W", 183.84},
    {"Bi", 208.98},
};

typedef struct {
    const char *s; /* whole formula */
    const char *p; /* cursor */
    ssb_ctx *ctx;
    int depth;
} fparser;

static int parse_count(fparser *f, double *n)
{
    if (!isdigit((unsigned char)*f->p) && *f->p != '.') {
        *n = 1.0;
        return SSB_OK;
    }
    char *end = NULL;
    double v = strtod(f->p, &end);
    if (end == f->p || !(v > 0) || !isfinite(v))
        return SSB_ERROR(f->ctx, SSB_ERR_FORMAT, "formula '%s': bad count at character %d", f->s,
                         (int)(f->p - f->s) + 1);
    f->p = end;
    *n = v;
    return SSB_OK;
}

static int parse_group(fparser *f, double *M);

static int parse_seq(fparser *f, double *M, int inner)
{
    double sum = 0.0;
    int nitems = 0;
    while (*f->p && !(inner && *f->p == ')')) {
        double m = 0.0;
        SSB_CHECK(f->ctx, parse_group(f, &m));
        sum += m;
        nitems++;
    }
    if (nitems == 0)
        return SSB_ERROR(f->ctx, SSB_ERR_FORMAT, "formula '%s': empty %s at character %d", f->s,
                         inner ? "group" : "formula", (int)(f->p - f->s) + 1);
    *M = sum;
    return SSB_OK;
}

static int parse_group(fparser *f, double *M)
{
    double m = 0.0, n = 1.0;
    if (*f->p == '(') {
        if (++f->depth > 8)
            return SSB_ERROR(f->ctx, SSB_ERR_FORMAT, "formula '%s': groups nested too deep", f->s);
        f->p++;
        SSB_CHECK(f->ctx, parse_seq(f, &m, 1));
        if (*f->p != ')')
            return SSB_ERROR(f->ctx, SSB_ERR_FORMAT, "formula '%s': missing ')' at character %d", f->s,
                             (int)(f->p - f->s) + 1);
        f->p++;
        f->depth--;
    } else if (isupper((unsigned char)*f->p)) {
        char sym[3] = {*f->p, 0, 0};
        f->p++;
        if (islower((unsigned char)*f->p))
            sym[1] = *f->p++;
        int found = 0;
        for (size_t i = 0; i < sizeof elements / sizeof elements[0]; i++)
            if (strcmp(sym, elements[i].sym) == 0) {
                m = elements[i].w;
                found = 1;
                break;
            }
        if (!found)
            return SSB_ERROR(f->ctx, SSB_ERR_FORMAT, "formula '%s': unknown element '%s' at character %d", f->s, sym,
                             (int)(f->p - f->s) - (int)strlen(sym) + 1);
    } else {
        return SSB_ERROR(f->ctx, SSB_ERR_FORMAT, "formula '%s': unexpected character '%c' at character %d", f->s, *f->p,
                         (int)(f->p - f->s) + 1);
    }
    SSB_CHECK(f->ctx, parse_count(f, &n));
    *M = m * n;
    return SSB_OK;
}

int ssb_materials_molar_mass(ssb_ctx *ctx, const char *formula, double *M)
{
    SSB_REQUIRE(ctx, formula != NULL && M != NULL, SSB_ERR_ARG, "ssb_materials_molar_mass: NULL argument");
    fparser f = {formula, formula, ctx, 0};
    double m = 0.0;
    SSB_CHECK(ctx, parse_seq(&f, &m, 0));
    if (*f.p == ')')
        return SSB_ERROR(ctx, SSB_ERR_FORMAT, "formula '%s': unmatched ')' at character %d", formula,
                         (int)(f.p - formula) + 1);
    *M = m;
    return SSB_OK;
}

void ssbi_mat_normalise(const char *in, char *out, size_t n)
{
    size_t k = 0;
    if (n == 0)
        return;
    for (; in && *in && k + 1 < n; in++) {
        unsigned char c = (unsigned char)*in;
        if (c == ' ' || c == '-' || c == '_')
            continue;
        out[k++] = (char)tolower(c);
    }
    out[k] = 0;
}

int ssb_materials_name_distance(const char *a, const char *b)
{
    char na[128], nb[128];
    ssbi_mat_normalise(a, na, sizeof na);
    ssbi_mat_normalise(b, nb, sizeof nb);
    size_t la = strlen(na), lb = strlen(nb);
    int row[129];
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j];
            int cost = na[i - 1] == nb[j - 1] ? 0 : 1;
            int best = diag + cost;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            if (up + 1 < best)
                best = up + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}
