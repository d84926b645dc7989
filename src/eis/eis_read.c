/* Readers of measured spectra: delimited text (CSV with or without a header), ZPlot .z, BioLogic .mpt, Gamry .DTA.
 * Every error names the file, the line and the offending value. */
#include "eis_impl.h"

#include "core_impl.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_FILE_BYTES ((size_t)1 << 30)
#define MAX_TOK 256
#define PI_ 3.14159265358979323846

typedef struct {
    char *buf;   /* file contents, lines NUL-terminated in place */
    char **line; /* line starts */
    int64_t nlines;
} text;

static void text_free(text *t)
{
    free(t->buf);
    free(t->line);
    t->buf = NULL;
    t->line = NULL;
}

static int text_load(ssb_ctx *ctx, const char *path, text *t)
{
    memset(t, 0, sizeof *t);
    /* UTF-16 text (Excel's "Unicode Text", some instrument exports) was refused as "a binary file" */
    FILE *fp = fopen(path, "rb");
    if (fp) {
        unsigned char bom[2] = {0, 0};
        const size_t nb = fread(bom, 1, 2, fp);
        fclose(fp);
        SSB_REQUIRE(ctx, nb < 2 || !((bom[0] == 0xFF && bom[1] == 0xFE) || (bom[0] == 0xFE && bom[1] == 0xFF)),
                    SSB_ERR_FORMAT,
                    "spectrum file '%s' is UTF-16 text (byte-order mark %02X %02X, e.g. Excel's 'Unicode Text'); save "
                    "it as UTF-8 or ASCII text (CSV, tab separated or the instrument's own export)",
                    path, bom[0], bom[1]);
    }
    char *buf = NULL;
    SSB_CHECK(ctx, ssbi_read_text(ctx, path, "spectrum file", MAX_FILE_BYTES, &buf));
    size_t len = strlen(buf);
    int64_t nl = 1;
    for (size_t i = 0; i < len; i++)
        if (buf[i] == '\n' || buf[i] == '\r') nl++;
    t->line = malloc((size_t)nl * sizeof(char *));
    if (!t->line) {
        free(buf);
        return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory reading %s", path);
    }
    t->buf = buf;
    char *p = buf;
    if ((unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB && (unsigned char)p[2] == 0xBF) p += 3;
    int64_t k = 0;
    t->line[k++] = p;
    for (; *p; p++) {
        if (*p == '\r' && p[1] == '\n') {
            *p++ = '\0';
            *p = '\0';
            t->line[k++] = p + 1;
        } else if (*p == '\n' || *p == '\r') {
            *p = '\0';
            t->line[k++] = p + 1;
        }
    }
    /* a final newline leaves an empty last line: drop it */
    if (k > 1 && t->line[k - 1][0] == '\0') k--;
    t->nlines = k;
    return SSB_OK;
}

static int is_blank(const char *s)
{
    for (; *s; s++)
        if (!isspace((unsigned char)*s)) return 0;
    return 1;
}

/* Split a line into at most MAX_TOK tokens. delim ' ' splits at runs of blanks; otherwise at each delim
 * character (empty fields kept). Modifies the line. Tokens are trimmed of blanks and double quotes. */
static int split(char *s, char delim, char **tok)
{
    int n = 0;
    if (delim == ' ') {
        char *p = s;
        while (*p && n < MAX_TOK) {
            while (*p && isspace((unsigned char)*p)) p++;
            if (!*p) break;
            tok[n++] = p;
            while (*p && !isspace((unsigned char)*p)) p++;
            if (*p) *p++ = '\0';
        }
    } else {
        char *p = s;
        tok[n++] = p;
        for (; *p && n < MAX_TOK; p++) {
            if (*p == delim) {
                *p = '\0';
                tok[n++] = p + 1;
            }
        }
    }
    for (int i = 0; i < n; i++) {
        char *a = tok[i];
        while (*a && (isspace((unsigned char)*a) || *a == '"')) a++;
        char *e = a + strlen(a);
        while (e > a && (isspace((unsigned char)e[-1]) || e[-1] == '"')) *--e = '\0';
        tok[i] = a;
    }
    return n;
}

/* Parse a whole token as a number; decimal_comma accepts "1,5". Returns 1 on success. NaN/inf parse. */
static int parse_num(const char *tok, int decimal_comma, double *v)
{
    if (!tok[0]) return 0;
    char tmp[128];
    const char *s = tok;
    if (decimal_comma && strchr(tok, ',') && !strchr(tok, '.')) {
        size_t n = strlen(tok);
        if (n >= sizeof tmp) return 0;
        for (size_t i = 0; i <= n; i++) tmp[i] = tok[i] == ',' ? '.' : tok[i];
        s = tmp;
    }
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (end == s || *end != '\0') return 0;
    *v = x;
    return 1;
}

/* The unit of a column name: the text after the first '/' outside brackets ("freq/Hz", "Re(Z)/Ohm",
 * "Frequency / rad/s"), else inside the bracket group that ends the name ("Frequency (kHz)", "Z' [kOhm]",
 * "Frequency (rad/s)"), blanks trimmed; "" when there is none. The last '/' of "Frequency (rad/s)" gave "s": an
 * angular frequency was read as one in Hz. */
static void column_unit(const char *name, char *unit, size_t len)
{
    unit[0] = '\0';
    const char *st = NULL, *en = NULL;
    int depth = 0;
    for (const char *p = name; *p; p++) {
        if (*p == '(' || *p == '[') depth++;
        else if ((*p == ')' || *p == ']') && depth > 0) depth--;
        else if (*p == '/' && depth == 0) {
            st = p + 1;
            en = p + strlen(p);
            break;
        }
    }
    if (!st) {
        size_t n = strlen(name);
        while (n > 0 && isspace((unsigned char)name[n - 1])) n--;
        if (n == 0 || (name[n - 1] != ')' && name[n - 1] != ']')) return;
        const char open = name[n - 1] == ')' ? '(' : '[';
        const char close = name[n - 1];
        depth = 0;
        for (size_t i = n; i-- > 0;) {
            if (name[i] == close) depth++;
            else if (name[i] == open && --depth == 0) {
                st = name + i + 1;
                en = name + n - 1;
                break;
            }
        }
        if (!st) return;
    }
    while (st < en && isspace((unsigned char)*st)) st++;
    while (en > st && isspace((unsigned char)en[-1])) en--;
    size_t n = (size_t)(en - st);
    if (n + 1 > len) n = len - 1;
    memcpy(unit, st, n);
    unit[n] = '\0';
}

/* Does u contain w (ASCII letters compared without case)? */
static int has_word(const char *u, const char *w)
{
    for (size_t lw = strlen(w); *u; u++)
        if (strncasecmp(u, w, lw) == 0) return 1;
    return 0;
}

/* Factor from the unit of a column to SI (Hz, Ohm): 1 when the column has no unit or one that is not a unit
 * (the "Z" of "Re(Z)", ZPlot's "a" of "Z'(a)"). Case matters for "MHz" (1e6) against "mHz" (1e-3). An angular
 * frequency ("rad/s", "rad s-1") is divided by 2 pi. *bad = 1 for a frequency unit we do not know ("uHz", "s-1",
 * "log Hz"), 2 for an area-specific impedance ("Ohm cm2": the fit and the brick layer take Ohm; the parameters
 * would be off by the area), 3 for another impedance unit we do not know, 4 for a phase (role 5) without deg / rad. */
static double unit_factor(int role, const char *u, int *bad)
{
    *bad = 0;
    if (!u[0]) {
        *bad = role == 5 ? 4 : 0;
        return 1.0;
    }
    if (role == 5) { /* phase: degrees or radians; a phase without its unit is refused (both are common) */
        if (strcasecmp(u, "deg") == 0 || strcasecmp(u, "degree") == 0 || strcasecmp(u, "degrees") == 0 ||
            strcmp(u, "\xc2\xb0") == 0 || strcmp(u, "\xb0") == 0)
            return PI_ / 180.0;
        if (strcasecmp(u, "rad") == 0) return 1.0;
        *bad = 4;
        return 1.0;
    }
    if (role == 1) {
        static const struct {
            const char *u;
            double f;
        } tab[] = {{"Hz", 1.0},  {"hz", 1.0},   {"HZ", 1.0},  {"kHz", 1e3},  {"KHz", 1e3},  {"khz", 1e3},
                   {"KHZ", 1e3}, {"MHz", 1e6},  {"MHZ", 1e6}, {"mHz", 1e-3}, {"GHz", 1e9},  {"GHZ", 1e9}};
        for (size_t k = 0; k < sizeof tab / sizeof tab[0]; k++)
            if (strcmp(u, tab[k].u) == 0) return tab[k].f;
        if (strncasecmp(u, "rad", 3) == 0 && !isalpha((unsigned char)u[3]) && has_word(u + 3, "s"))
            return 1.0 / (2.0 * PI_);
        *bad = 1;
        return 1.0;
    }
    static const struct {
        const char *u;
        double f;
    } tz[] = {{"Ohm", 1.0},   {"ohm", 1.0},   {"Ohms", 1.0},   {"ohms", 1.0},   {"OHM", 1.0},  {"\xce\xa9", 1.0},
              {"kOhm", 1e3},  {"kohm", 1e3},  {"KOhm", 1e3},   {"k\xce\xa9", 1e3}, {"MOhm", 1e6}, {"Mohm", 1e6},
              {"M\xce\xa9", 1e6}, {"mOhm", 1e-3}, {"mohm", 1e-3}, {"m\xce\xa9", 1e-3}, {"GOhm", 1e9}};
    for (size_t k = 0; k < sizeof tz / sizeof tz[0]; k++)
        if (strcmp(u, tz[k].u) == 0) return tz[k].f;
    if (has_word(u, "ohm") || strstr(u, "\xce\xa9")) *bad = (has_word(u, "cm") || has_word(u, "m2") ||
                                                          has_word(u, "m^2") || strstr(u, "m\xc2\xb2")) ? 2 : 3;
    return 1.0;
}

/* The message of a bad unit (unit_factor's *bad). */
static const char *bad_unit_hint(int bad)
{
    if (bad == 4) return "a phase needs its unit in the column name: deg (or the degree sign) or rad";
    if (bad == 2)
        return "an area-specific impedance: fits, lin-KK, the DRT and 'se brick' take the impedance of the sample "
               "in Ohm; divide the column by the electrode area first";
    return "unknown unit (frequency: Hz, kHz, MHz, mHz, GHz, or rad/s; impedance: Ohm, kOhm, MOhm, mOhm)";
}

/* A column name of an angular frequency: "omega", "Angular frequency", "\xcf\x89" (blanks and case ignored). */
static int angular_name(const char *name)
{
    char k[24];
    size_t n = 0;
    for (const char *s = name; *s && n + 1 < sizeof k; s++)
        if (!isspace((unsigned char)*s) && *s != '"' && *s != '_') k[n++] = (char)tolower((unsigned char)*s);
    k[n] = '\0';
    return strncmp(k, "omega", 5) == 0 || strncmp(k, "angularfreq", 11) == 0 || strncmp(k, "\xcf\x89", 2) == 0;
}

/* Role of a normalised column name (lower case, no blanks): 1 frequency, 2 Z', 3 Z'', 4 |Z|, 5 phase of Z; 0 none. */
static int exact_role(const char *k)
{
    static const char *names[5][14] = {
        {"f", "freq", "frequency", "fhz", "hz", "frequencyhz", "freqhz", NULL},
        {"real", "re", "zreal", "zre", "z'", "re(z)", "zr", "rez", "realz", "zreal'", NULL},
        {"imag", "im", "zimag", "zim", "z''", "z\"", "im(z)", "zi", "imz", "imagz", "imaginary", NULL},
        {"|z|", "zmod", "modz", "mod(z)", "abs(z)", "absz", "z", "modulus", "magnitude", "impedance", NULL},
        {"phase", "phase(z)", "zphz", "phz", "theta", "\xce\xb8", "phi", "phaseangle", "angle", NULL}};
    for (int r = 0; r < 5; r++)
        for (int i = 0; names[r][i]; i++)
            if (strcmp(k, names[r][i]) == 0) return r + 1;
    return 0;
}

/* Column role from a header name: 1 frequency, 2 real, 3 imaginary, 0 unknown; *neg = 1 for "-Im(Z)" style. */
static int column_role(const char *name, int *neg)
{
    char k[96];
    size_t n = 0;
    const char *s = name;
    while (*s && isspace((unsigned char)*s)) s++;
    *neg = 0;
    if (*s == '-') {
        *neg = 1;
        s++;
    }
    for (; *s && n + 1 < sizeof k; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '/' || ch == '[') break;
        if (isspace(ch) || ch == '"' || ch == '_') continue;
        k[n++] = (char)tolower(ch);
    }
    k[n] = '\0';
    /* drop a trailing unit group such as "(hz)", "(ohm)", "(a)", "(b)" */
    static const char *unit_groups[] = {"(hz)",   "(ohm)",  "(ohms)", "(a)",    "(b)",    "(\xce\xa9)", "(khz)",
                                        "(mhz)",  "(ghz)",  "(kohm)", "(mohm)"};
    for (size_t u = 0; u < sizeof unit_groups / sizeof unit_groups[0]; u++) {
        size_t lu = strlen(unit_groups[u]);
        if (n > lu && strcmp(k + n - lu, unit_groups[u]) == 0) {
            n -= lu;
            k[n] = '\0';
            break;
        }
    }
    int r = exact_role(k);
    if (r) return r;
    if (strncmp(k, "freq", 4) == 0 || angular_name(name)) return 1;
    if (strncmp(k, "zre", 3) == 0 || strncmp(k, "real", 4) == 0) return 2;
    if (strncmp(k, "zim", 3) == 0 || strncmp(k, "imag", 4) == 0) return 3;
    /* an unlisted unit group such as "f(uhz)", "phase(deg)": drop it and try again ("re(z)" matched above) */
    char *lp = strrchr(k, '(');
    if (lp && lp > k && k[n - 1] == ')') {
        *lp = '\0';
        return exact_role(k);
    }
    return 0;
}

typedef struct {
    int col[3];      /* frequency, real, imaginary columns */
    double sign[3];  /* multiply by (imaginary: -1 for "-Im"; units: "kHz" 1e3, "kOhm" 1e3, ...) */
    char delim;      /* ',', ';', '\t' or ' ' (runs of blanks) */
    int decimal_comma;
    int skip_comments; /* lines starting with '#' are comments */
    int stop_on_unindented; /* Gamry: the table ends at a line that does not start with a blank */
    int64_t expect;  /* rows announced by the file header, -1 if none */
    char bad_unit[64]; /* a column name with an unknown frequency / impedance unit */
    int bad_kind;      /* unit_factor's *bad for it */
    int polar;         /* columns 2 and 3 hold |Z| and its phase (radians after sign[2]), not Z' and Z'' */
    int cyc_col;       /* 1 + the column of EC-Lab's "cycle number" / "loop" (a new value starts a sweep); 0 none */
} table_spec;

/* Header row: map the named columns into spec. Returns the number of roles found (0..3); *err_role gets a role
 * that was found twice. */
static int map_header(char **tok, int ntok, table_spec *sp)
{
    int found = 0;
    int have[6] = {0, 0, 0, 0, 0, 0}, pcol[2] = {-1, -1}, pbad = 0;
    double pfac[2] = {1.0, 1.0};
    const char *pname = NULL;
    for (int i = 0; i < ntok; i++) {
        int neg;
        int r = column_role(tok[i], &neg);
        if (r == 0 || have[r]) continue;
        have[r] = 1;
        char unit[32];
        int bad = 0;
        column_unit(tok[i], unit, sizeof unit);
        double fac = unit_factor(r, unit, &bad);
        if (r == 1 && angular_name(tok[i]) && !bad) {
            /* omega in rad/s: no unit, or "rad/s" (whose factor is 1 / 2 pi); "omega (Hz)" contradicts itself */
            if (!unit[0]) fac = 1.0 / (2.0 * PI_);
            else if (fac != 1.0 / (2.0 * PI_)) bad = 1;
        }
        if (r >= 4) { /* |Z| and phase: used only when Z' and Z'' are not there */
            pcol[r - 4] = i;
            pfac[r - 4] = (neg ? -1.0 : 1.0) * fac;
            if (bad && !pbad) {
                pbad = bad;
                pname = tok[i];
            }
            continue;
        }
        if (bad && sp->bad_unit[0] == '\0') {
            snprintf(sp->bad_unit, sizeof sp->bad_unit, "%s", tok[i]);
            sp->bad_kind = bad;
        }
        sp->col[r - 1] = i;
        sp->sign[r - 1] = (neg ? -1.0 : 1.0) * fac;
        found++;
    }
    if (have[1] && !have[2] && !have[3] && have[4] && have[5]) {
        /* a modulus and phase export (LCR meters, some instrument tables): Z' = |Z| cos(phase), Z'' = |Z| sin */
        sp->col[1] = pcol[0];
        sp->col[2] = pcol[1];
        sp->sign[1] = pfac[0];
        sp->sign[2] = pfac[1];
        sp->polar = 1;
        if (pbad && sp->bad_unit[0] == '\0') {
            snprintf(sp->bad_unit, sizeof sp->bad_unit, "%s", pname);
            sp->bad_kind = pbad;
        }
        found += 2;
    }
    return found;
}

typedef struct {
    double *f, *re, *im, *cyc; /* cyc: the cycle / loop column's value, NaN without one */
    int64_t *lineno;
    int64_t n, cap;
} rows;

static void rows_free(rows *r)
{
    free(r->f);
    free(r->re);
    free(r->im);
    free(r->cyc);
    free(r->lineno);
    memset(r, 0, sizeof *r);
}

static int rows_push(ssb_ctx *ctx, rows *r, double f, double re, double im, double cyc, int64_t line)
{
    if (r->n == r->cap) {
        int64_t nc = r->cap ? 2 * r->cap : 256;
        double *a = realloc(r->f, (size_t)nc * sizeof(double));
        if (a) r->f = a;
        double *b = realloc(r->re, (size_t)nc * sizeof(double));
        if (b) r->re = b;
        double *c = realloc(r->im, (size_t)nc * sizeof(double));
        if (c) r->im = c;
        int64_t *d = realloc(r->lineno, (size_t)nc * sizeof(int64_t));
        if (d) r->lineno = d;
        double *e = realloc(r->cyc, (size_t)nc * sizeof(double));
        if (e) r->cyc = e;
        if (!a || !b || !c || !d || !e) return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory reading a spectrum");
        r->cap = nc;
    }
    r->f[r->n] = f;
    r->re[r->n] = re;
    r->im[r->n] = im;
    r->cyc[r->n] = cyc;
    r->lineno[r->n] = line;
    r->n++;
    return SSB_OK;
}

static const char *role_name(int r) { return r == 0 ? "frequency" : r == 1 ? "Z'" : "Z''"; }

/* Read data rows from line `first` on. */
static int read_rows(ssb_ctx *ctx, const char *path, text *t, int64_t first, const table_spec *sp, rows *out)
{
    SSB_REQUIRE(ctx, sp->bad_unit[0] == '\0', SSB_ERR_FORMAT, "%s: column '%s': %s", path, sp->bad_unit,
                bad_unit_hint(sp->bad_kind));
    char *tok[MAX_TOK];
    int need = sp->col[0];
    if (sp->col[1] > need) need = sp->col[1];
    if (sp->col[2] > need) need = sp->col[2];
    need++;
    for (int64_t l = first; l < t->nlines; l++) {
        char *s = t->line[l];
        if (sp->stop_on_unindented && s[0] && !isspace((unsigned char)s[0])) break;
        if (is_blank(s)) {
            if (sp->stop_on_unindented) break;
            continue;
        }
        if (sp->skip_comments) {
            const char *q = s;
            while (isspace((unsigned char)*q)) q++;
            if (*q == '#') continue;
        }
        int ntok = split(s, sp->delim, tok);
        if (ntok < need)
            return SSB_ERROR(ctx, SSB_ERR_FORMAT, "%s:%lld: %d column%s, need %d (truncated row?)", path,
                             (long long)(l + 1), ntok, ntok == 1 ? "" : "s", need);
        double v[3];
        for (int r = 0; r < 3; r++) {
            const char *tk = tok[sp->col[r]];
            if (!parse_num(tk, sp->decimal_comma, &v[r]))
                return SSB_ERROR(ctx, SSB_ERR_FORMAT, "%s:%lld: column %d (%s) '%.40s' is not a number", path,
                                 (long long)(l + 1), sp->col[r] + 1, role_name(r), tk);
            v[r] *= sp->sign[r];
        }
        if (sp->polar) {
            const double mod = v[1], ph = v[2];
            v[1] = mod * cos(ph);
            v[2] = mod * sin(ph);
        }
        double cyc = NAN;
        /* the cycle column is optional per row (a row without it was read before the column was used) */
        if (sp->cyc_col > 0 && sp->cyc_col <= ntok && tok[sp->cyc_col - 1][0] &&
            !parse_num(tok[sp->cyc_col - 1], sp->decimal_comma, &cyc))
            return SSB_ERROR(ctx, SSB_ERR_FORMAT, "%s:%lld: column %d (cycle / loop number) '%.40s' is not a number",
                             path, (long long)(l + 1), sp->cyc_col, tok[sp->cyc_col - 1]);
        SSB_CHECK(ctx, rows_push(ctx, out, v[0], v[1], v[2], cyc, l + 1));
    }
    return SSB_OK;
}

/* Validate values and ordering with file positions. */
static int check_rows(ssb_ctx *ctx, const char *path, const rows *r)
{
    for (int64_t i = 0; i < r->n; i++) {
        long long ln = (long long)r->lineno[i];
        SSB_REQUIRE(ctx, isfinite(r->f[i]), SSB_ERR_RANGE, "%s:%lld: frequency = %g is not finite", path, ln,
                    r->f[i]);
        SSB_REQUIRE(ctx, r->f[i] > 0, SSB_ERR_RANGE, "%s:%lld: frequency = %g Hz, must be > 0", path, ln, r->f[i]);
        SSB_REQUIRE(ctx, isfinite(r->re[i]), SSB_ERR_RANGE, "%s:%lld: Z' = %g is not finite", path, ln, r->re[i]);
        SSB_REQUIRE(ctx, isfinite(r->im[i]), SSB_ERR_RANGE, "%s:%lld: Z'' = %g is not finite", path, ln, r->im[i]);
    }
    return SSB_OK;
}

/* The ordering inside one sweep: strictly monotonic frequencies. */
static int check_order(ssb_ctx *ctx, const char *path, const rows *r)
{
    int dir = 0;
    for (int64_t i = 1; i < r->n; i++) {
        long long ln = (long long)r->lineno[i], lp = (long long)r->lineno[i - 1];
        SSB_REQUIRE(ctx, r->f[i] != r->f[i - 1], SSB_ERR_FORMAT,
                    "%s:%lld: frequency %.10g Hz repeats line %lld within one sweep (a duplicated point)", path, ln,
                    r->f[i], lp);
        int d = r->f[i] > r->f[i - 1] ? 1 : -1;
        if (!dir) dir = d;
        SSB_REQUIRE(ctx, d == dir, SSB_ERR_ARG,
                    "%s:%lld: frequency %.10g Hz after %.10g Hz (line %lld) breaks the %s order (unsorted)", path, ln,
                    r->f[i], r->f[i - 1], lp, dir > 0 ? "ascending" : "descending");
    }
    return SSB_OK;
}

/* Where the sweeps of a multi-loop export start (EC-Lab PEIS with several loops or cycles, a CSV of repeated
 * sweeps): a new value of the cycle / loop column, or the frequency jumping back towards the start of the current
 * sweep against its direction (closer, on a log scale, to the sweep's first frequency than to the point before).
 * Any other break of the order is left to check_order (unsorted). start[] gets the first row of each sweep (start has
 * room for r->n entries); returns the number of sweeps (>= 1 for r->n >= 1). */
static int64_t sweep_starts(const rows *r, int64_t *start)
{
    int64_t ns = 0;
    if (r->n < 1) return 0;
    start[ns++] = 0;
    int64_t s0 = 0;
    int dir = 0;
    for (int64_t i = 1; i < r->n; i++) {
        int fresh = 0;
        if (!isnan(r->cyc[i]) && !isnan(r->cyc[i - 1]) && r->cyc[i] != r->cyc[i - 1]) fresh = 1;
        const double f = r->f[i], fp = r->f[i - 1], f0 = r->f[s0];
        if (!fresh && f > 0 && fp > 0 && f0 > 0 && isfinite(f) && isfinite(fp) && isfinite(f0) && f != fp) {
            const int d = f > fp ? 1 : -1;
            if (dir && d != dir && fabs(log(f / f0)) < fabs(log(f / fp))) fresh = 1;
            if (!fresh && !dir) dir = d;
        }
        if (fresh) {
            start[ns++] = i;
            s0 = i;
            dir = 0;
        }
    }
    return ns;
}

/* Pick sweep `sweep` (1-based; 0 = the first, with a warning when there are several) and make the spectrum. */
static int rows_to_spectrum(ssb_ctx *ctx, const char *path, rows *r, int sweep, ssb_eis_spectrum **s)
{
    SSB_REQUIRE(ctx, r->n > 0, SSB_ERR_FORMAT, "%s: no data rows", path);
    SSB_CHECK(ctx, check_rows(ctx, path, r));
    int64_t *start = malloc((size_t)r->n * sizeof(int64_t));
    if (!start) return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory reading %s", path);
    const int64_t ns = sweep_starts(r, start);
    if (sweep < 0 || sweep > ns) {
        free(start);
        return SSB_ERROR(ctx, SSB_ERR_RANGE,
                         "%s: sweep %d requested; the file holds %lld frequency sweep%s (valid: 1..%lld)", path, sweep,
                         (long long)ns, ns == 1 ? "" : "s", (long long)ns);
    }
    const int64_t k = sweep > 0 ? sweep - 1 : 0;
    const int64_t a = start[k], b = k + 1 < ns ? start[k + 1] : r->n;
    free(start);
    if (sweep == 0 && ns > 1)
        ssbi_log(ctx, SSB_LOG_WARN, "eis",
                 "%s: %lld frequency sweeps (loops / cycles) found; reading sweep 1 only (lines %lld-%lld, %lld "
                 "points); choose another with --sweep N (1..%lld)",
                 path, (long long)ns, (long long)r->lineno[a], (long long)r->lineno[b - 1], (long long)(b - a),
                 (long long)ns);
    else if (sweep > 0 && ns > 1)
        ssbi_log(ctx, SSB_LOG_INFO, "eis", "%s: sweep %d of %lld (lines %lld-%lld, %lld points)", path, sweep,
                 (long long)ns, (long long)r->lineno[a], (long long)r->lineno[b - 1], (long long)(b - a));
    rows v = {r->f + a, r->re + a, r->im + a, r->cyc + a, r->lineno + a, b - a, b - a};
    SSB_CHECK(ctx, check_order(ctx, path, &v));
    SSB_CHECK(ctx, ssb_eis_spectrum_create(ctx, v.n, s));
    memcpy((*s)->f, v.f, (size_t)v.n * sizeof(double));
    memcpy((*s)->zre, v.re, (size_t)v.n * sizeof(double));
    memcpy((*s)->zim, v.im, (size_t)v.n * sizeof(double));
    return SSB_OK;
}

/* A row of blank-separated numbers with decimal commas ("1000,5 10,2 -3,1"): at least three blank-separated tokens,
 * each a number once its comma is read as a decimal point. Split at the commas, such a row would be taken for a
 * header and dropped. */
static int blank_decimal_comma_row(const char *line)
{
    size_t n = strlen(line);
    char *copy = malloc(n + 1);
    if (!copy) return 0;
    memcpy(copy, line, n + 1);
    char *tok[MAX_TOK];
    int ntok = split(copy, ' ', tok), ok = ntok >= 3;
    for (int i = 0; ok && i < ntok; i++) {
        double v;
        size_t lt = strlen(tok[i]);
        /* "1000, 10, -3" is a comma-separated row with blanks: a token ending in ',' is not a decimal comma */
        ok = lt > 0 && tok[i][lt - 1] != ',' && parse_num(tok[i], 1, &v);
    }
    free(copy);
    return ok;
}

/* The delimiter of a line. Tabs first: a tab-separated export with decimal commas ("1000,5<TAB>10,2<TAB>-3,1",
 * EC-Lab text export in a European locale) was split at the commas, its first row taken for a header and the next
 * refused. With any delimiter but ',' a comma can only be a decimal comma (parse_num converts it only in a token
 * without '.'). */
static void detect_delim(const char *line, table_spec *sp)
{
    sp->decimal_comma = 1;
    if (strchr(line, '\t')) {
        sp->delim = '\t';
    } else if (strchr(line, ';')) {
        sp->delim = ';';
    } else if (strchr(line, ',') && !blank_decimal_comma_row(line)) {
        sp->delim = ',';
        sp->decimal_comma = 0;
    } else {
        sp->delim = ' ';
    }
}

/* Neither blank nor a '#' comment. */
static int content_line(const char *s)
{
    while (isspace((unsigned char)*s)) s++;
    return *s && *s != '#';
}

/* A data row: at least three non-empty tokens, all numbers, with the line's own delimiter. */
static int numeric_row(const char *line)
{
    table_spec sp;
    detect_delim(line, &sp);
    size_t n = strlen(line);
    char *copy = malloc(n + 1);
    if (!copy) return 0;
    memcpy(copy, line, n + 1);
    char *tok[MAX_TOK];
    int ntok = split(copy, sp.delim, tok), nnum = 0, ok = 1;
    for (int i = 0; ok && i < ntok; i++) {
        double v;
        if (!tok[i][0]) continue;
        ok = parse_num(tok[i], sp.decimal_comma, &v);
        nnum += ok;
    }
    free(copy);
    return ok && nnum >= 3;
}

static int read_csv(ssb_ctx *ctx, const char *path, text *t, rows *out)
{
    int64_t l = 0;
    while (l < t->nlines && !content_line(t->line[l])) l++;
    SSB_REQUIRE(ctx, l < t->nlines, SSB_ERR_FORMAT, "%s: empty file (no data rows)", path);
    /* Text lines above the header (a sample name, an instrument preamble): the header is the last text line before
       the first data row, the lines above it are skipped. One text line is the header as before; without any data
       row the first line is taken as before (and the rows' errors name the line). */
    int64_t ld = l, hdr = -1, ntext = 0;
    for (; ld < t->nlines; ld++) {
        if (!content_line(t->line[ld])) continue;
        if (numeric_row(t->line[ld])) break;
        ntext++;
        hdr = ld;
    }
    const char *data_line = NULL;
    if (ld < t->nlines && ntext >= 2) {
        ssbi_log(ctx, SSB_LOG_INFO, "eis", "%s: lines %lld-%lld above the header (line %lld) skipped", path,
                 (long long)(l + 1), (long long)hdr, (long long)(hdr + 1));
        l = hdr;
        data_line = t->line[ld];
    }
    const char *first = t->line[l];
    table_spec sp = {{0, 1, 2}, {1, 1, 1}, ',', 0, 1, 0, -1, "", 0, 0, 0};
    detect_delim(data_line ? data_line : first, &sp);
    /* header? any token of the first line that is not a number (and not empty) */
    size_t flen = strlen(first);
    char *copy = malloc(flen + 1);
    if (!copy) return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory reading %s", path);
    memcpy(copy, first, flen + 1);
    char *tok[MAX_TOK];
    int ntok = split(copy, sp.delim, tok);
    int header = 0, empty0 = ntok > 0 && tok[0][0] == '\0';
    for (int i = 0; i < ntok; i++) {
        double v;
        if (tok[i][0] && !parse_num(tok[i], sp.decimal_comma, &v)) header = 1;
    }
    int rc = SSB_OK;
    if (header) {
        int found = map_header(tok, ntok, &sp);
        if (found == 0) {
            /* unnamed columns: the first three (after an empty index column) */
            int o = empty0 ? 1 : 0;
            for (int r = 0; r < 3; r++) {
                sp.col[r] = o + r;
                sp.sign[r] = 1.0;
            }
        } else if (found < 3) {
            table_spec probe = {{-1, -1, -1}, {1, 1, 1}, sp.delim, 0, 1, 0, -1, "", 0, 0, 0};
            map_header(tok, ntok, &probe);
            char missing[64] = "";
            for (int r = 0; r < 3; r++)
                if (probe.col[r] < 0) {
                    strcat(missing, missing[0] ? ", " : "");
                    strcat(missing, role_name(r));
                }
            rc = SSB_ERROR(ctx, SSB_ERR_FORMAT,
                           "%s:%lld: the header names some columns but not the %s column (use names such as "
                           "freq, real, imag; or freq, |Z|, phase with the phase's unit)",
                           path, (long long)(l + 1), missing);
        }
        l++;
    }
    free(copy);
    if (rc != SSB_OK) return rc;
    return read_rows(ctx, path, t, l, &sp, out);
}

/* A count from a file header ("Nb header lines : 57"): digits only (blanks around), 0 <= value <= max.
 * Returns 1 on success. No signed overflow: the digits are accumulated with a bound check. */
static int parse_count(const char *s, int64_t max, int64_t *out)
{
    while (*s && isspace((unsigned char)*s)) s++;
    if (*s == '+') s++;
    if (!isdigit((unsigned char)*s)) return 0;
    int64_t v = 0;
    for (; isdigit((unsigned char)*s); s++) {
        int d = *s - '0';
        if (v > (max - d) / 10) return 0;
        v = v * 10 + d;
    }
    while (*s && isspace((unsigned char)*s)) s++;
    if (*s) return 0;
    *out = v;
    return 1;
}

/* ZPlot / ZView .z: the data follow an "End Comments" line, the column names on the line above it ("Freq(Hz)
 * Ampl Bias Time(Sec) Z'(a) Z''(b) ..."). ZPlotW files have no "End Comments": the data follow a quoted
 * "Freq(Hz) ..." names line. The rows are tab or blank separated, or comma separated ("3.000000E+05, 1.0000E-02,
 * ..."): both kinds are refused before (no 'End Comments' line; '3.000000E+05,' is not a number). */
static int read_zplot(ssb_ctx *ctx, const char *path, text *t, rows *out)
{
    int64_t end = -1, expect = -1, names = -1;
    for (int64_t l = 0; l < t->nlines; l++) {
        const char *q = t->line[l];
        while (isspace((unsigned char)*q) || *q == '"') q++;
        if (strncasecmp(q, "Data Points:", 12) == 0 && !parse_count(q + 12, t->nlines, &expect))
            return SSB_ERROR(ctx, SSB_ERR_FORMAT,
                             "%s:%lld: 'Data Points:' = '%.40s' is not a count in 0..%lld (the file's lines)", path,
                             (long long)(l + 1), q + 12, (long long)t->nlines);
        if (strncasecmp(q, "End Comments", 12) == 0) {
            end = l;
            names = l - 1;
            break;
        }
        if (names < 0 && strncasecmp(q, "Freq(Hz)", 8) == 0) names = l;
    }
    if (end < 0) {
        SSB_REQUIRE(ctx, names >= 0, SSB_ERR_FORMAT,
                    "%s: no 'End Comments' line and no 'Freq(Hz)' column-name line (not a complete ZPlot .z file)",
                    path);
        end = names; /* ZPlotW: the data follow the names */
        expect = -1;
    }
    table_spec sp = {{0, 4, 5}, {1, 1, 1}, ' ', 1, 0, 0, expect, "", 0, 0, 0};
    for (int64_t l = end + 1; l < t->nlines; l++)
        if (content_line(t->line[l])) {
            detect_delim(t->line[l], &sp);
            if (sp.delim == '\t') sp.delim = ' ';
            break;
        }
    if (names >= 0) {
        char *h = t->line[names];
        size_t hl = strlen(h);
        char *copy = malloc(hl + 1);
        if (!copy) return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory reading %s", path);
        for (size_t i = 0; i <= hl; i++) copy[i] = h[i] == '"' ? ' ' : h[i];
        char *tok[MAX_TOK];
        int ntok = split(copy, strchr(h, '\t') ? '\t' : sp.delim == ',' && strchr(h, ',') ? ',' : ' ', tok);
        table_spec probe = sp;
        if (map_header(tok, ntok, &probe) == 3) sp = probe;
        free(copy);
    }
    SSB_CHECK(ctx, read_rows(ctx, path, t, end + 1, &sp, out));
    SSB_REQUIRE(ctx, expect < 0 || out->n >= expect, SSB_ERR_FORMAT,
                "%s: the header announces %lld data points, the file has %lld (truncated file?)", path,
                (long long)expect, (long long)out->n);
    return SSB_OK;
}

/* A BioLogic column-name line: the columns split at tabs name a frequency, Z' and Z'' (map_header finds all three). */
static int biologic_names(const char *line, table_spec *sp)
{
    size_t hl = strlen(line);
    char *copy = malloc(hl + 1);
    if (!copy) return -1;
    memcpy(copy, line, hl + 1);
    char *tok[MAX_TOK];
    int ntok = split(copy, '\t', tok);
    int found = map_header(tok, ntok, sp);
    /* the sweep of a multi-loop PEIS: "cycle number" (EC-Lab) or "loop" */
    for (int i = 0; i < ntok && found == 3; i++)
        if (strcasecmp(tok[i], "cycle number") == 0 || strcasecmp(tok[i], "loop") == 0 ||
            strcasecmp(tok[i], "loop number") == 0) {
            sp->cyc_col = i + 1;
            break;
        }
    free(copy);
    return found;
}

static int read_biologic(ssb_ctx *ctx, const char *path, text *t, rows *out)
{
    int64_t hdr = -1, nh = 0, count_line = -1;
    for (int64_t l = 0; l < t->nlines && l < 8; l++) {
        const char *q = strstr(t->line[l], "Nb header lines");
        if (q) {
            q = strchr(q, ':');
            if (q && (!parse_count(q + 1, t->nlines, &nh) || nh < 1))
                return SSB_ERROR(ctx, SSB_ERR_FORMAT,
                                 "%s:%lld: 'Nb header lines' = '%.40s' is not a count in 1..%lld (the file's lines)",
                                 path, (long long)(l + 1), q + 1, (long long)t->nlines);
            if (q) {
                hdr = nh - 1; /* 1-based count includes the column-name line */
                count_line = l;
            }
            break;
        }
    }
    table_spec sp = {{0, 1, 2}, {1, 1, 1}, '\t', 1, 0, 0, -1, "", 0, 0, 0};
    int found = 0;
    if (hdr >= 0 && hdr < t->nlines) {
        found = biologic_names(t->line[hdr], &sp);
        if (found < 0) return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory reading %s", path);
    }
    if (found != 3) {
        /* no count, or one that does not point at the column names: find them */
        int64_t at = -1;
        for (int64_t l = 0; l < t->nlines && at < 0; l++) {
            if (l == hdr || !strstr(t->line[l], "/")) continue;
            table_spec probe = {{0, 1, 2}, {1, 1, 1}, '\t', 1, 0, 0, -1, "", 0, 0, 0};
            const int fl = biologic_names(t->line[l], &probe);
            if (fl < 0) return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory reading %s", path);
            if (fl == 3) at = l;
        }
        if (count_line >= 0 && at >= 0)
            return SSB_ERROR(ctx, SSB_ERR_FORMAT,
                             "%s:%lld: wrong header count 'Nb header lines : %lld': it puts the column names on line "
                             "%lld, but they are on line %lld (the count should be %lld; was the file edited?)",
                             path, (long long)(count_line + 1), (long long)nh, (long long)nh, (long long)(at + 1),
                             (long long)(at + 1));
        if (count_line >= 0)
            return SSB_ERROR(ctx, SSB_ERR_FORMAT,
                             "%s:%lld: the column names lack freq/Hz, Re(Z)/Ohm or -Im(Z)/Ohm (not an impedance "
                             "export?)",
                             path, (long long)(hdr + 1));
        SSB_REQUIRE(ctx, at >= 0, SSB_ERR_FORMAT,
                    "%s: no column-name line (expected 'Nb header lines : N' and a 'freq/Hz' column)", path);
        hdr = at;
        sp = (table_spec){{0, 1, 2}, {1, 1, 1}, '\t', 1, 0, 0, -1, "", 0, 0, 0};
        if (biologic_names(t->line[hdr], &sp) < 0)
            return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory reading %s", path);
    }
    return read_rows(ctx, path, t, hdr + 1, &sp, out);
}

static int read_gamry(ssb_ctx *ctx, const char *path, text *t, rows *out)
{
    int64_t tab = -1;
    for (int64_t l = 0; l < t->nlines; l++) {
        const char *q = t->line[l];
        if (strncmp(q, "ZCURVE", 6) == 0 && strstr(q, "TABLE")) {
            tab = l;
            break;
        }
    }
    SSB_REQUIRE(ctx, tab >= 0, SSB_ERR_FORMAT, "%s: no 'ZCURVE TABLE' section (not a Gamry EIS file?)", path);
    SSB_REQUIRE(ctx, tab + 2 < t->nlines, SSB_ERR_FORMAT,
                "%s:%lld: the ZCURVE table ends before its column names and units (truncated file?)", path,
                (long long)(tab + 1));
    char *h = t->line[tab + 1];
    size_t hl = strlen(h);
    char *copy = malloc(hl + 1);
    if (!copy) return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory reading %s", path);
    memcpy(copy, h, hl + 1);
    char *tok[MAX_TOK];
    int ntok = split(copy, '\t', tok);
    /* decimal commas: Gamry writes numbers in the locale's format ("8,47309E-004", gamry-parser issue 12) */
    table_spec sp = {{0, 1, 2}, {1, 1, 1}, '\t', 1, 0, 1, -1, "", 0, 0, 0};
    int found = map_header(tok, ntok, &sp);
    free(copy);
    SSB_REQUIRE(ctx, found == 3, SSB_ERR_FORMAT, "%s:%lld: the ZCURVE table lacks a Freq, Zreal or Zimag column",
                path, (long long)(tab + 2));
    /* the units line under the names ("#  s  Hz  ohm  ohm ...") */
    {
        char *ul = t->line[tab + 2];
        size_t ulen = strlen(ul);
        char *uc = malloc(ulen + 1);
        if (!uc) return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory reading %s", path);
        memcpy(uc, ul, ulen + 1);
        char *ut[MAX_TOK];
        int nu = split(uc, '\t', ut);
        for (int r = 0; r < 3; r++) {
            if (sp.col[r] >= nu) continue;
            int bad = 0;
            double fac = unit_factor(r + 1, ut[sp.col[r]], &bad);
            if (bad) {
                int rc = SSB_ERROR(ctx, SSB_ERR_FORMAT, "%s:%lld: column %d: unit '%s': %s", path,
                                   (long long)(tab + 3), sp.col[r] + 1, ut[sp.col[r]], bad_unit_hint(bad));
                free(uc);
                return rc;
            }
            sp.sign[r] *= fac;
        }
        free(uc);
    }
    return read_rows(ctx, path, t, tab + 3, &sp, out);
}

const char *ssb_eis_format_name(ssb_eis_format format)
{
    switch (format) {
    case SSB_EIS_FORMAT_AUTO: return "auto";
    case SSB_EIS_FORMAT_CSV: return "csv";
    case SSB_EIS_FORMAT_ZPLOT: return "zplot";
    case SSB_EIS_FORMAT_BIOLOGIC: return "biologic";
    case SSB_EIS_FORMAT_GAMRY: return "gamry";
    }
    return "unknown";
}

static ssb_eis_format detect(const char *path, const text *t)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (dot && (!slash || dot > slash)) {
        if (strcasecmp(dot, ".z") == 0) return SSB_EIS_FORMAT_ZPLOT;
        if (strcasecmp(dot, ".mpt") == 0) return SSB_EIS_FORMAT_BIOLOGIC;
        if (strcasecmp(dot, ".dta") == 0) return SSB_EIS_FORMAT_GAMRY;
    }
    if (t->nlines > 0) {
        const char *q = t->line[0];
        if (strncmp(q, "ZPLOT", 5) == 0 || strncmp(q + (q[0] == '"'), "ZPlotW", 6) == 0) return SSB_EIS_FORMAT_ZPLOT;
        if (strstr(q, "EC-Lab ASCII FILE") || strstr(q, "BT-Lab ASCII FILE")) return SSB_EIS_FORMAT_BIOLOGIC;
        if (strncmp(q, "EXPLAIN", 7) == 0) return SSB_EIS_FORMAT_GAMRY;
    }
    return SSB_EIS_FORMAT_CSV;
}

/* Most instruments export -Z'' (positive for the capacitive arcs of a solid electrolyte or an electrode); read as
 * the signed Z'' it turns every arc inductive, and fits, lin-KK and the DRT then fail or mislead without saying
 * why. A spectrum with Z'' > 0 at more than half of its points is almost certainly such a column: say so. */
static void warn_sign(ssb_ctx *ctx, const char *path, const ssb_eis_spectrum *s)
{
    int64_t npos = 0;
    for (int64_t i = 0; i < s->n; i++)
        if (s->zim[i] > 0) npos++;
    if (s->n >= 2 && 2 * npos > s->n)
        ssbi_log(ctx, SSB_LOG_WARN, "eis",
                 "%s: Z'' > 0 (inductive) at %lld of %lld points; Z'' is read as the signed imaginary part "
                 "(capacitive < 0): if the column holds -Z'' as most instruments export it, name it '-Z''' or "
                 "'-Im(Z)' in a header line",
                 path, (long long)npos, (long long)s->n);
}

int ssb_eis_spectrum_read(ssb_ctx *ctx, const char *path, ssb_eis_format format, ssb_eis_spectrum **s)
{
    return ssb_eis_spectrum_read_sweep(ctx, path, format, 0, s);
}

int ssb_eis_spectrum_read_sweep(ssb_ctx *ctx, const char *path, ssb_eis_format format, int sweep,
                                ssb_eis_spectrum **s)
{
    SSB_REQUIRE(ctx, s != NULL, SSB_ERR_ARG, "read spectrum: output pointer is NULL");
    *s = NULL;
    SSB_REQUIRE(ctx, path && path[0], SSB_ERR_ARG, "read spectrum: empty file name");
    SSB_REQUIRE(ctx, format >= SSB_EIS_FORMAT_AUTO && format <= SSB_EIS_FORMAT_GAMRY, SSB_ERR_UNSUPPORTED,
                "read spectrum %s: format %d unknown", path, (int)format);
    text t;
    SSB_CHECK(ctx, text_load(ctx, path, &t));
    int rc = SSB_OK;
    rows r;
    memset(&r, 0, sizeof r);
    if (t.nlines == 0 || (t.nlines == 1 && is_blank(t.line[0]))) {
        rc = SSB_ERROR(ctx, SSB_ERR_FORMAT, "%s: empty file", path);
        goto done;
    }
    if (format == SSB_EIS_FORMAT_AUTO) format = detect(path, &t);
    switch (format) {
    case SSB_EIS_FORMAT_ZPLOT: rc = read_zplot(ctx, path, &t, &r); break;
    case SSB_EIS_FORMAT_BIOLOGIC: rc = read_biologic(ctx, path, &t, &r); break;
    case SSB_EIS_FORMAT_GAMRY: rc = read_gamry(ctx, path, &t, &r); break;
    default: rc = read_csv(ctx, path, &t, &r); break;
    }
    if (rc == SSB_OK) rc = rows_to_spectrum(ctx, path, &r, sweep, s);
    if (rc == SSB_OK) warn_sign(ctx, path, *s);
    if (rc != SSB_OK) ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
done:
    rows_free(&r);
    text_free(&t);
    return rc;
}
