/* Materials: database, loading of directories and user files, lookup, property getters, sigma(T). */
#include "materials_impl.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define NAME_MAX_NORM 128

static const char *const class_names[] = {"se", "cathode", "anode", "coating", "carbon", "other"};

const char *ssb_mat_class_name(ssb_mat_class c)
{
    return (c >= SSB_MAT_SE && c <= SSB_MAT_OTHER) ? class_names[c] : "?";
}

int ssb_mat_class_parse(ssb_ctx *ctx, const char *s, ssb_mat_class *c)
{
    for (int i = 0; s && i <= SSB_MAT_OTHER; i++)
        if (strcmp(s, class_names[i]) == 0) {
            *c = (ssb_mat_class)i;
            return SSB_OK;
        }
    return SSB_ERROR(ctx, SSB_ERR_ARG, "material class '%s' unknown (se, cathode, anode, coating, carbon, other)",
                     s ? s : "(null)");
}

const char *ssb_mat_status_name(ssb_mat_status s)
{
    static const char *const n[] = {"D", "L", "C", "E"};
    return (s >= SSB_MAT_STATUS_DATA && s <= SSB_MAT_STATUS_ESTIMATE) ? n[s] : "?";
}

const char *ssb_mat_status_describe(ssb_mat_status s)
{
    switch (s) {
    case SSB_MAT_STATUS_DATA:
        return "read from a stored data or text file";
    case SSB_MAT_STATUS_LITERATURE:
        return "from the cited paper, not re-read from the source";
    case SSB_MAT_STATUS_COMPUTED:
        return "computed from other values";
    case SSB_MAT_STATUS_ESTIMATE:
        return "estimate (user file)";
    }
    return "?";
}

/* ---- database ---- */

int ssb_materials_create(ssb_ctx *ctx, ssb_materials **db)
{
    SSB_REQUIRE(ctx, db != NULL, SSB_ERR_ARG, "ssb_materials_create: db is NULL");
    *db = ssbi_calloc(ctx, 1, sizeof **db, "materials database");
    return *db ? SSB_OK : SSB_ERR_NOMEM;
}

void ssb_materials_destroy(ssb_materials **db)
{
    if (!db || !*db)
        return;
    for (int i = 0; i < (*db)->n; i++)
        ssbi_mat_free((*db)->m[i]);
    free((*db)->m);
    free(*db);
    *db = NULL;
}

int ssb_materials_count(const ssb_materials *db)
{
    return db ? db->n : 0;
}

const ssb_material *ssb_materials_at(const ssb_materials *db, int i)
{
    return (db && i >= 0 && i < db->n) ? db->m[i] : NULL;
}

static int names_equal(const char *a, const char *b)
{
    char na[NAME_MAX_NORM], nb[NAME_MAX_NORM];
    ssbi_mat_normalise(a, na, sizeof na);
    ssbi_mat_normalise(b, nb, sizeof nb);
    return strcmp(na, nb) == 0;
}

int ssb_materials_matches(const ssb_material *m, const char *name)
{
    if (!m || !name)
        return 0;
    if (names_equal(m->name, name))
        return 1;
    for (int i = 0; i < m->nalias; i++)
        if (names_equal(m->alias[i], name))
            return 1;
    return 0;
}

int ssbi_mat_index(const ssb_materials *db, const char *name)
{
    for (int i = 0; db && i < db->n; i++)
        if (ssb_materials_matches(db->m[i], name))
            return i;
    return -1;
}

static int ensure_cap(ssb_ctx *ctx, ssb_materials *db, int need)
{
    if (need <= db->cap)
        return SSB_OK;
    int cap = db->cap ? db->cap : 32;
    while (cap < need)
        cap *= 2;
    ssb_material **nm = realloc(db->m, (size_t)cap * sizeof *nm);
    if (!nm)
        return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory growing the materials database to %d", cap);
    db->m = nm;
    db->cap = cap;
    return SSB_OK;
}

/* Names (name + aliases) of m that collide with another material of db (skip index `self`), or within m. */
static int check_unique(ssb_ctx *ctx, const ssb_materials *db, const ssb_material *m, int self, const char *file)
{
    int nn = 1 + m->nalias;
    for (int a = 0; a < nn; a++) {
        const char *na = a == 0 ? m->name : m->alias[a - 1];
        for (int b = a + 1; b < nn; b++) {
            const char *nb = b == 0 ? m->name : m->alias[b - 1];
            if (names_equal(na, nb))
                return SSB_ERROR(ctx, SSB_ERR_FORMAT, "%s: material '%s': names '%s' and '%s' are the same", file,
                                 m->name, na, nb);
        }
        for (int i = 0; i < db->n; i++) {
            if (i == self)
                continue;
            if (ssb_materials_matches(db->m[i], na))
                return SSB_ERROR(ctx, SSB_ERR_FORMAT, "%s: material '%s': name '%s' is already used by '%s'", file,
                                 m->name, na, db->m[i]->name);
        }
    }
    return SSB_OK;
}

static int json_name_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int ssb_materials_load_dir(ssb_ctx *ctx, ssb_materials *db, const char *dir)
{
    SSB_REQUIRE(ctx, db != NULL && dir != NULL, SSB_ERR_ARG, "ssb_materials_load_dir: NULL argument");
    DIR *d = opendir(dir);
    if (!d)
        return SSB_ERROR(ctx, SSB_ERR_IO, "cannot open materials directory '%s'", dir);
    char **names = NULL;
    int n = 0, cap = 0, rc = SSB_OK;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l < 6 || strcmp(e->d_name + l - 5, ".json") != 0 || e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            char **nn = realloc(names, (size_t)cap * sizeof *nn);
            if (!nn) {
                rc = SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory listing '%s'", dir);
                goto done;
            }
            names = nn;
        }
        names[n] = malloc(l + 1);
        if (!names[n]) {
            rc = SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory listing '%s'", dir);
            goto done;
        }
        memcpy(names[n], e->d_name, l + 1);
        n++;
    }
    if (n == 0) {
        rc = SSB_ERROR(ctx, SSB_ERR_IO, "materials directory '%s' holds no *.json file", dir);
        goto done;
    }
    qsort(names, (size_t)n, sizeof *names, json_name_cmp);
    for (int f = 0; f < n; f++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[f]);
        ssb_material **recs = NULL;
        int nrec = 0;
        SSB_CHECK_GOTO(ctx, rc, ssbi_mat_parse_file(ctx, path, 0, NULL, &recs, &nrec), done);
        rc = ensure_cap(ctx, db, db->n + nrec);
        for (int i = 0; rc == SSB_OK && i < nrec; i++) {
            rc = check_unique(ctx, db, recs[i], -1, path);
            if (rc == SSB_OK) {
                db->m[db->n++] = recs[i];
                recs[i] = NULL;
            }
        }
        for (int i = 0; i < nrec; i++)
            ssbi_mat_free(recs[i]);
        free(recs);
        if (rc != SSB_OK)
            goto done;
    }
done:
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
    closedir(d);
    return rc;
}

static int dir_has_json(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int found = 0;
    struct dirent *e;
    while (!found && (e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l >= 6 && strcmp(e->d_name + l - 5, ".json") == 0 && e->d_name[0] != '.')
            found = 1;
    }
    closedir(d);
    return found;
}

int ssb_materials_data_dir(ssb_ctx *ctx, char *buf, size_t n)
{
    SSB_REQUIRE(ctx, buf != NULL && n > 0, SSB_ERR_ARG, "ssb_materials_data_dir: empty buffer");
    char cand[4][4096];
    int nc = 0;
    const char *env = getenv("SSBNET_DATA_DIR");
    if (env && env[0]) {
        snprintf(cand[nc++], sizeof cand[0], "%s/materials", env);
        snprintf(cand[nc++], sizeof cand[0], "%s", env);
    }
#ifdef SSB_INSTALL_DATADIR
    snprintf(cand[nc++], sizeof cand[0], "%s/ssbnet/materials", SSB_INSTALL_DATADIR);
#endif
    snprintf(cand[nc++], sizeof cand[0], "%s/data/materials", SSB_SOURCE_DIR);
    for (int i = 0; i < nc; i++) {
        if (dir_has_json(cand[i])) {
            if (strlen(cand[i]) + 1 > n)
                return SSB_ERROR(ctx, SSB_ERR_RANGE, "materials directory path '%s' longer than the buffer (%zu)",
                                 cand[i], n);
            memcpy(buf, cand[i], strlen(cand[i]) + 1);
            return SSB_OK;
        }
    }
    char tried[2048] = "";
    for (int i = 0; i < nc; i++) {
        strncat(tried, cand[i], sizeof tried - strlen(tried) - 1);
        if (i + 1 < nc)
            strncat(tried, ", ", sizeof tried - strlen(tried) - 1);
    }
    return SSB_ERROR(ctx, SSB_ERR_NOTFOUND, "no materials database found (tried %s); set SSBNET_DATA_DIR", tried);
}

int ssb_materials_load_builtin(ssb_ctx *ctx, ssb_materials *db)
{
    char dir[4096];
    SSB_CHECK(ctx, ssb_materials_data_dir(ctx, dir, sizeof dir));
    SSB_CHECK(ctx, ssb_materials_load_dir(ctx, db, dir));
    return SSB_OK;
}

/* ---- user files: all-or-nothing merge ---- */

typedef struct {
    int target;       /* index in db, or -1 for a new record */
    ssbi_prop *props; /* new property array for merges (pre-allocated) */
    char **alias;     /* new alias array for merges (pre-allocated) */
} merge_plan;

/* Long (about 170 lines) on purpose: an all-or-nothing merge. Every allocation of the merge plan happens before the
 * database is touched, and the commit loop after it cannot fail; keeping both phases in one function keeps that
 * invariant visible. */
int ssb_materials_load_file(ssb_ctx *ctx, ssb_materials *db, const char *path)
{
    SSB_REQUIRE(ctx, db != NULL && path != NULL, SSB_ERR_ARG, "ssb_materials_load_file: NULL argument");
    ssb_material **recs = NULL;
    int nrec = 0, rc = SSB_OK;
    SSB_CHECK(ctx, ssbi_mat_parse_file(ctx, path, 1, NULL, &recs, &nrec));
    merge_plan *plan = ssbi_calloc(ctx, (size_t)(nrec > 0 ? nrec : 1), sizeof *plan, "merge plan");
    if (!plan) {
        rc = SSB_ERR_NOMEM;
        goto cleanup;
    }
    /* phase 1: resolve targets and check names */
    int nnew = 0;
    for (int i = 0; i < nrec; i++) {
        ssb_material *r = recs[i];
        int t = -1;
        int nn = 1 + r->nalias;
        for (int a = 0; a < nn; a++) {
            int k = ssbi_mat_index(db, a == 0 ? r->name : r->alias[a - 1]);
            if (k >= 0 && t >= 0 && k != t) {
                rc = SSB_ERROR(ctx, SSB_ERR_FORMAT, "%s: material '%s' matches both '%s' and '%s'", path, r->name,
                               db->m[t]->name, db->m[k]->name);
                goto cleanup;
            }
            if (k >= 0)
                t = k;
        }
        for (int j = 0; j < i; j++) {
            int same = 0;
            for (int a = 0; a < nn && !same; a++)
                same = ssb_materials_matches(recs[j], a == 0 ? r->name : r->alias[a - 1]);
            if (same) {
                rc = SSB_ERROR(ctx, SSB_ERR_FORMAT, "%s: materials '%s' and '%s' name the same material", path,
                               recs[j]->name, r->name);
                goto cleanup;
            }
        }
        plan[i].target = t;
        if (t < 0) {
            nnew++;
            if (r->replace) {
                rc = SSB_ERROR(ctx, SSB_ERR_FORMAT,
                               "%s: material '%s' has \"replace\": true but no such material "
                               "exists",
                               path, r->name);
                goto cleanup;
            }
            SSB_CHECK_GOTO(ctx, rc, check_unique(ctx, db, r, -1, path), cleanup);
        } else if (r->replace) {
            SSB_CHECK_GOTO(ctx, rc, check_unique(ctx, db, r, t, path), cleanup);
        } else {
            /* merged aliases must not collide with other materials */
            for (int a = 0; a < r->nalias; a++)
                for (int k = 0; k < db->n; k++)
                    if (k != t && ssb_materials_matches(db->m[k], r->alias[a])) {
                        rc = SSB_ERROR(ctx, SSB_ERR_FORMAT, "%s: material '%s': alias '%s' is already used by '%s'",
                                       path, r->name, r->alias[a], db->m[k]->name);
                        goto cleanup;
                    }
        }
    }
    /* phase 2: allocate everything the merge needs */
    SSB_CHECK_GOTO(ctx, rc, ensure_cap(ctx, db, db->n + nnew), cleanup);
    for (int i = 0; i < nrec; i++) {
        if (plan[i].target < 0 || recs[i]->replace)
            continue;
        ssb_material *t = db->m[plan[i].target];
        plan[i].props = ssbi_calloc(ctx, (size_t)(t->nprop + recs[i]->nprop + 2), sizeof(ssbi_prop), "merged props");
        plan[i].alias = ssbi_calloc(ctx, (size_t)(t->nalias + recs[i]->nalias + 1), sizeof(char *), "merged aliases");
        if (!plan[i].props || !plan[i].alias) {
            rc = SSB_ERR_NOMEM;
            goto cleanup;
        }
    }
    /* phase 3: apply (no failure past this point except a bad formula, checked at parse time) */
    for (int i = 0; i < nrec; i++) {
        ssb_material *r = recs[i];
        if (plan[i].target < 0) {
            db->m[db->n++] = r;
            recs[i] = NULL;
            continue;
        }
        if (r->replace) {
            ssbi_mat_free(db->m[plan[i].target]);
            db->m[plan[i].target] = r;
            recs[i] = NULL;
            continue;
        }
        ssb_material *t = db->m[plan[i].target];
        /* properties: old ones not overridden, then the new ones */
        int np = 0;
        for (int k = 0; k < t->nprop; k++) {
            int over = 0;
            for (int j = 0; j < r->nprop; j++)
                if (strcmp(r->props[j].key, t->props[k].key) == 0)
                    over = 1;
            if (over)
                ssbi_prop_clear(&t->props[k]);
            else
                plan[i].props[np++] = t->props[k];
        }
        for (int j = 0; j < r->nprop; j++)
            plan[i].props[np++] = r->props[j];
        free(t->props);
        t->props = plan[i].props;
        t->nprop = np;
        plan[i].props = NULL;
        free(r->props);
        r->props = NULL;
        r->nprop = 0;
        /* aliases: keep old, add new ones not already matching */
        int na = 0;
        for (int k = 0; k < t->nalias; k++)
            plan[i].alias[na++] = t->alias[k];
        for (int j = 0; j < r->nalias; j++) {
            int dup = 0;
            for (int k = 0; k < na; k++)
                if (names_equal(plan[i].alias[k], r->alias[j]))
                    dup = 1;
            if (names_equal(t->name, r->alias[j]))
                dup = 1;
            if (dup) {
                free(r->alias[j]);
            } else {
                plan[i].alias[na++] = r->alias[j];
            }
            r->alias[j] = NULL;
        }
        free(t->alias);
        t->alias = plan[i].alias;
        t->nalias = na;
        plan[i].alias = NULL;
        r->nalias = 0;
        if (r->nocv > 0) {
            for (int k = 0; k < t->nocv; k++)
                ssbi_ocv_clear(&t->ocv[k]);
            free(t->ocv);
            t->ocv = r->ocv;
            t->nocv = r->nocv;
            r->ocv = NULL;
            r->nocv = 0;
        }
        if (r->ndif > 0) {
            for (int k = 0; k < t->ndif; k++)
                ssbi_ocv_clear(&t->dif[k]);
            free(t->dif);
            t->dif = r->dif;
            t->ndif = r->ndif;
            r->dif = NULL;
            r->ndif = 0;
        }
        if (r->formula) {
            free(t->formula);
            t->formula = r->formula;
            r->formula = NULL;
        }
        if (r->description) {
            free(t->description);
            t->description = r->description;
            r->description = NULL;
        }
        if (r->has_cls)
            t->cls = r->cls;
        /* the property array has 2 spare slots, so adding molar_mass cannot fail on memory */
        int mrc = ssbi_mat_update_molar_mass(ctx, t, path);
        if (mrc != SSB_OK && rc == SSB_OK)
            rc = mrc;
    }
cleanup:
    if (plan) {
        for (int i = 0; i < nrec; i++) {
            free(plan[i].props);
            free(plan[i].alias);
        }
        free(plan);
    }
    for (int i = 0; i < nrec; i++)
        ssbi_mat_free(recs[i]);
    free(recs);
    return rc;
}

/* ---- lookup ---- */

int ssb_materials_suggest(const ssb_materials *db, const char *name, int k, const char **out)
{
    if (!db || !name || k <= 0 || !out)
        return 0;
    int cnt = 0;
    int dist[16];
    if (k > 16)
        k = 16;
    for (int i = 0; i < db->n; i++) {
        const ssb_material *m = db->m[i];
        int best = ssb_materials_name_distance(name, m->name);
        for (int a = 0; a < m->nalias; a++) {
            int d = ssb_materials_name_distance(name, m->alias[a]);
            if (d < best)
                best = d;
        }
        /* insert into the sorted top-k list (stable: earlier materials win ties) */
        int pos = cnt;
        while (pos > 0 && dist[pos - 1] > best)
            pos--;
        if (pos >= k)
            continue;
        int last = cnt < k ? cnt : k - 1;
        for (int j = last; j > pos; j--) {
            dist[j] = dist[j - 1];
            out[j] = out[j - 1];
        }
        dist[pos] = best;
        out[pos] = m->name;
        if (cnt < k)
            cnt++;
    }
    return cnt;
}

int ssb_materials_find(ssb_ctx *ctx, const ssb_materials *db, const char *name, const ssb_material **m)
{
    SSB_REQUIRE(ctx, db != NULL && name != NULL && m != NULL, SSB_ERR_ARG, "ssb_materials_find: NULL argument");
    *m = NULL;
    int i = ssbi_mat_index(db, name);
    if (i >= 0) {
        *m = db->m[i];
        return SSB_OK;
    }
    const char *sug[3];
    int ns = ssb_materials_suggest(db, name, 3, sug);
    char list[512] = "";
    for (int j = 0; j < ns; j++) {
        strncat(list, sug[j], sizeof list - strlen(list) - 1);
        if (j + 1 < ns)
            strncat(list, ", ", sizeof list - strlen(list) - 1);
    }
    if (ns == 0)
        return SSB_ERROR(ctx, SSB_ERR_NOTFOUND, "unknown material '%s' (the database is empty)", name);
    return SSB_ERROR(ctx, SSB_ERR_NOTFOUND, "unknown material '%s'; closest: %s", name, list);
}

/* ---- accessors ---- */

const char *ssb_materials_name(const ssb_material *m)
{
    return m ? m->name : NULL;
}
ssb_mat_class ssb_materials_class(const ssb_material *m)
{
    return m ? m->cls : SSB_MAT_OTHER;
}
const char *ssb_materials_formula(const ssb_material *m)
{
    return m ? m->formula : NULL;
}
const char *ssb_materials_description(const ssb_material *m)
{
    return m ? m->description : NULL;
}
int ssb_materials_nalias(const ssb_material *m)
{
    return m ? m->nalias : 0;
}
const char *ssb_materials_alias(const ssb_material *m, int i)
{
    return (m && i >= 0 && i < m->nalias) ? m->alias[i] : NULL;
}
int ssb_materials_nprop(const ssb_material *m)
{
    return m ? m->nprop : 0;
}
int ssb_materials_nocv(const ssb_material *m)
{
    return m ? m->nocv : 0;
}

static void fill_prop(const ssbi_prop *q, ssb_mat_prop *p)
{
    p->key = q->key;
    p->has_value = q->has_value;
    p->value = q->value;
    p->min = q->min;
    p->max = q->max;
    p->unit = q->unit;
    p->si_value = q->value * q->factor;
    p->si_min = q->min * q->factor;
    p->si_max = q->max * q->factor;
    p->si_unit = q->si_unit;
    p->T = q->T;
    p->T_min = q->T_min;
    p->T_max = q->T_max;
    p->form = q->form;
    p->source = q->source;
    p->doi = q->doi;
    p->status = q->status;
    p->note = q->note;
}

int ssb_materials_prop_at(ssb_ctx *ctx, const ssb_material *m, int i, ssb_mat_prop *p)
{
    SSB_REQUIRE(ctx, m != NULL && p != NULL, SSB_ERR_ARG, "ssb_materials_prop_at: NULL argument");
    SSB_REQUIRE(ctx, i >= 0 && i < m->nprop, SSB_ERR_RANGE, "property index %d out of range [0, %d) for '%s'", i,
                m->nprop, m->name);
    fill_prop(&m->props[i], p);
    return SSB_OK;
}

/* Nominal SI value of a stored key, NaN when absent or only a range. */
static double stored_si(const ssb_material *m, const char *key)
{
    for (int k = 0; k < m->nprop; k++)
        if (strcmp(m->props[k].key, key) == 0 && m->props[k].has_value)
            return m->props[k].value * m->props[k].factor;
    return NAN;
}

/* c_max [mol/m3] = Li_per_formula rho / M from the record's formula (molar mass), density and Li_per_formula,
 * for records that do not store c_max (issue 14); NaN when one of them is missing. */
static double cmax_computed(const ssb_material *m)
{
    double n = stored_si(m, "Li_per_formula"), rho = stored_si(m, "density"), M = stored_si(m, "molar_mass");
    return n > 0 && rho > 0 && M > 0 ? n * rho / M : NAN;
}

int ssb_materials_get_prop(ssb_ctx *ctx, const ssb_material *m, const char *key, ssb_mat_prop *p)
{
    SSB_REQUIRE(ctx, m != NULL && key != NULL && p != NULL, SSB_ERR_ARG, "ssb_materials_get_prop: NULL argument");
    for (int i = 0; i < m->nprop; i++)
        if (strcmp(m->props[i].key, key) == 0) {
            fill_prop(&m->props[i], p);
            return SSB_OK;
        }
    double c = strcmp(key, "c_max") == 0 ? cmax_computed(m) : NAN;
    if (!isnan(c)) {
        memset(p, 0, sizeof *p);
        p->key = "c_max";
        p->has_value = 1;
        p->value = p->si_value = c;
        p->min = p->max = p->si_min = p->si_max = p->T = p->T_min = p->T_max = NAN;
        p->unit = p->si_unit = "mol/m3";
        p->source = "computed from the formula, density and Li_per_formula: c_max = Li_per_formula rho / M";
        p->status = SSB_MAT_STATUS_COMPUTED;
        return SSB_OK;
    }
    return SSB_ERROR(ctx, SSB_ERR_NOTFOUND, "%s has no '%s' in the database: the reference gives no value", m->name,
                     key);
}

int ssb_materials_get_si(ssb_ctx *ctx, const ssb_material *m, const char *key, double *value)
{
    ssb_mat_prop p;
    SSB_REQUIRE(ctx, value != NULL, SSB_ERR_ARG, "ssb_materials_get_si: value is NULL");
    SSB_CHECK(ctx, ssb_materials_get_prop(ctx, m, key, &p));
    if (!p.has_value)
        return SSB_ERROR(ctx, SSB_ERR_NOTFOUND,
                         "%s: '%s' has only a range [%g, %g] %s in the database, no nominal "
                         "value",
                         m->name, key, p.min, p.max, p.unit);
    *value = p.si_value;
    return SSB_OK;
}

static int sigma_ion_one(ssb_ctx *ctx, const ssb_material *m, ssb_sigma_kind kind, double T, double *sigma,
                         int *outside);

/* Has the key (nominal value, any unit)? */
static int has_key(const ssb_material *m, const char *key)
{
    for (int k = 0; k < m->nprop; k++)
        if (strcmp(m->props[k].key, key) == 0 && m->props[k].has_value)
            return 1;
    return 0;
}

int ssb_materials_sigma_ion(ssb_ctx *ctx, const ssb_material *m, ssb_sigma_kind kind, double T, double *sigma,
                            int *outside)
{
    SSB_REQUIRE(ctx, m != NULL && sigma != NULL, SSB_ERR_ARG, "ssb_materials_sigma_ion: NULL argument");
    if (kind != SSB_SIGMA_TOTAL || has_key(m, "sigma_ion") || !has_key(m, "sigma_ion_bulk") ||
        !has_key(m, "sigma_ion_gb"))
        return sigma_ion_one(ctx, m, kind, T, sigma, outside);
    /* no measured total: brick layer from bulk and specific GB conductivity at T with the database's grain size
     * d and GB thickness delta (the se module's default brick layer: GB conductivity equal across and along) */
    double d, delta, sb, sg;
    int ob = 0, og = 0;
    if (!has_key(m, "grain_size") || !has_key(m, "gb_thickness"))
        return SSB_ERROR(ctx, SSB_ERR_NOTFOUND,
                         "%s: no measured total conductivity ('sigma_ion'), and the brick layer from bulk and GB needs "
                         "'grain_size' and 'gb_thickness', which the database does not give",
                         m->name);
    SSB_CHECK(ctx, ssb_materials_get_si(ctx, m, "grain_size", &d));
    SSB_CHECK(ctx, ssb_materials_get_si(ctx, m, "gb_thickness", &delta));
    SSB_REQUIRE(ctx, d > 0 && delta >= 0 && delta < d, SSB_ERR_RANGE,
                "%s: gb_thickness = %g m must lie in [0, grain_size = %g m)", m->name, delta, d);
    SSB_CHECK(ctx, sigma_ion_one(ctx, m, SSB_SIGMA_BULK, T, &sb, &ob));
    SSB_CHECK(ctx, sigma_ion_one(ctx, m, SSB_SIGMA_GB, T, &sg, &og));
    double dd = delta / d;
    *sigma = 1.0 / (1.0 / sb + dd / sg) + 2.0 * dd * sg;
    if (outside)
        *outside = ob || og;
    return SSB_OK;
}

static int sigma_ion_one(ssb_ctx *ctx, const ssb_material *m, ssb_sigma_kind kind, double T, double *sigma,
                         int *outside)
{
    static const char *const skey[] = {"sigma_ion", "sigma_ion_bulk", "sigma_ion_gb"};
    static const char *const ekey[] = {"Ea_ion", "Ea_ion_bulk", "Ea_ion_gb"};
    SSB_REQUIRE(ctx, m != NULL && sigma != NULL, SSB_ERR_ARG, "ssb_materials_sigma_ion: NULL argument");
    SSB_REQUIRE(ctx, kind >= SSB_SIGMA_TOTAL && kind <= SSB_SIGMA_GB, SSB_ERR_ARG, "sigma kind %d unknown", (int)kind);
    SSB_REQUIRE(ctx, isfinite(T) && T > 0, SSB_ERR_RANGE, "temperature T = %g K must be > 0", T);
    ssb_mat_prop ps, pe;
    SSB_CHECK(ctx, ssb_materials_get_prop(ctx, m, skey[kind], &ps));
    if (!ps.has_value)
        return SSB_ERROR(ctx, SSB_ERR_NOTFOUND, "%s: '%s' has only a range in the database, no nominal value", m->name,
                         skey[kind]);
    if (isnan(ps.T))
        return SSB_ERROR(ctx, SSB_ERR_NOTFOUND, "%s: '%s' has no temperature in the database", m->name, skey[kind]);
    if (outside)
        *outside = (T < ps.T_min - 1e-9 || T > ps.T_max + 1e-9);
    if (fabs(T - ps.T) <= 1e-12 * ps.T) {
        *sigma = ps.si_value;
        return SSB_OK;
    }
    SSB_CHECK(ctx, ssb_materials_get_prop(ctx, m, ekey[kind], &pe));
    if (!pe.has_value)
        return SSB_ERROR(ctx, SSB_ERR_NOTFOUND,
                         "%s: '%s' has only a range [%g, %g] eV in the database; no Arrhenius "
                         "extrapolation possible",
                         m->name, ekey[kind], pe.min, pe.max);
    double Ea = pe.si_value; /* eV */
    double k = SSB_CONST_BOLTZMANN_EV;
    double f = exp(-(Ea / k) * (1.0 / T - 1.0 / ps.T));
    if (pe.form && strcmp(pe.form, "sigma") == 0)
        *sigma = ps.si_value * f;
    else
        *sigma = ps.si_value * (ps.T / T) * f;
    return SSB_OK;
}

/* ---- OCV ---- */

/* Scale from the physical Li fraction x = c / c_max (c_max of the material, from formula and density) to the
 * curve's own variable x_curve = c / x_basis = x * c_max / x_basis. 1 when the curve has no separate basis. */
static int ocv_scale(ssb_ctx *ctx, const ssb_material *m, const ssbi_ocv *o, double *s)
{
    *s = 1.0;
    if (isnan(o->x_basis))
        return SSB_OK;
    double c = stored_si(m, "c_max");
    if (isnan(c))
        c = cmax_computed(m);
    if (!isnan(c)) {
        *s = c / o->x_basis;
        return SSB_OK;
    }
    return SSB_ERROR(ctx, SSB_ERR_NOTFOUND,
                     "%s OCV '%s' is defined on c = %g mol/m3 but the material has no c_max to convert it to", m->name,
                     o->name, o->x_basis);
}

/* The curve's own variable at the physical Li fraction x: x s, or, when the source's x counts only the Li of its
 * window ("x_at_full_lithiation"), x_full - (1 - x) s (the Li outside the window stays in the host). */
static double ocv_xsrc(const ssbi_ocv *o, double s, double x)
{
    return isnan(o->x_full) ? x * s : o->x_full - (1.0 - x) * s;
}

/* Validity range of a curve in the physical Li fraction (clipped to [0, 1]): the inverse of ocv_xsrc. */
static void ocv_range(const ssbi_ocv *o, double s, double *lo, double *hi)
{
    if (isnan(o->x_full)) {
        *lo = o->x_min / s;
        *hi = o->x_max / s;
    } else {
        *lo = 1.0 - (o->x_full - o->x_min) / s;
        *hi = 1.0 - (o->x_full - o->x_max) / s;
    }
    if (!isnan(o->x_basis)) {
        if (*lo < 0)
            *lo = 0;
        if (*hi > 1)
            *hi = 1;
    }
}

int ssb_materials_ocv_info(ssb_ctx *ctx, const ssb_material *m, int i, ssb_ocv_info *info)
{
    SSB_REQUIRE(ctx, m != NULL && info != NULL, SSB_ERR_ARG, "ssb_materials_ocv_info: NULL argument");
    SSB_REQUIRE(ctx, i >= 0 && i < m->nocv, SSB_ERR_RANGE, "OCV index %d out of range [0, %d) for '%s'", i, m->nocv,
                m->name);
    const ssbi_ocv *o = &m->ocv[i];
    double s;
    SSB_CHECK(ctx, ocv_scale(ctx, m, o, &s));
    info->name = o->name;
    info->kind = o->kind;
    info->x_def = o->x_def;
    ocv_range(o, s, &info->x_min, &info->x_max);
    info->x_basis = o->x_basis;
    info->x_scale = s;
    info->x_full = o->x_full;
    info->npoints = o->kind == SSB_OCV_TABLE ? o->n : 0;
    info->source = o->source;
    info->doi = o->doi;
    info->note = o->note;
    info->status = o->status;
    return SSB_OK;
}

int ssb_materials_ocv_find(ssb_ctx *ctx, const ssb_material *m, const char *name, int *i)
{
    SSB_REQUIRE(ctx, m != NULL && i != NULL, SSB_ERR_ARG, "ssb_materials_ocv_find: NULL argument");
    if (m->nocv == 0)
        return SSB_ERROR(ctx, SSB_ERR_NOTFOUND, "%s has no OCV curve in the database: the reference gives none",
                         m->name);
    if (!name || !name[0]) {
        *i = 0;
        return SSB_OK;
    }
    for (int k = 0; k < m->nocv; k++)
        if (names_equal(m->ocv[k].name, name)) {
            *i = k;
            return SSB_OK;
        }
    char list[512] = "";
    for (int k = 0; k < m->nocv; k++) {
        strncat(list, m->ocv[k].name, sizeof list - strlen(list) - 1);
        if (k + 1 < m->nocv)
            strncat(list, ", ", sizeof list - strlen(list) - 1);
    }
    return SSB_ERROR(ctx, SSB_ERR_NOTFOUND, "%s has no OCV curve '%s' (available: %s)", m->name, name, list);
}

int ssb_materials_ocv_eval(ssb_ctx *ctx, const ssb_material *m, int i, double x, double *U)
{
    SSB_REQUIRE(ctx, m != NULL && U != NULL, SSB_ERR_ARG, "ssb_materials_ocv_eval: NULL argument");
    SSB_REQUIRE(ctx, i >= 0 && i < m->nocv, SSB_ERR_RANGE, "OCV index %d out of range [0, %d) for '%s'", i, m->nocv,
                m->name);
    const ssbi_ocv *o = &m->ocv[i];
    double s, lo, hi;
    SSB_CHECK(ctx, ocv_scale(ctx, m, o, &s));
    ocv_range(o, s, &lo, &hi);
    int open = o->kind == SSB_OCV_MSMR;
    int inside = open ? (x > lo && x < hi) : (x >= lo && x <= hi);
    SSB_REQUIRE(ctx, isfinite(x) && inside, SSB_ERR_RANGE, "%s OCV '%s': x = %g outside its validity range %s%g, %g%s",
                m->name, o->name, x, open ? "(" : "[", lo, hi, open ? ")" : "]");
    SSB_CHECK(ctx, ssbi_ocv_eval(ctx, o, ocv_xsrc(o, s, x), U));
    return SSB_OK;
}

int ssb_materials_ocv_point(ssb_ctx *ctx, const ssb_material *m, int i, int k, double *x, double *U)
{
    SSB_REQUIRE(ctx, m != NULL && x != NULL && U != NULL, SSB_ERR_ARG, "ssb_materials_ocv_point: NULL argument");
    SSB_REQUIRE(ctx, i >= 0 && i < m->nocv, SSB_ERR_RANGE, "OCV index %d out of range [0, %d) for '%s'", i, m->nocv,
                m->name);
    const ssbi_ocv *o = &m->ocv[i];
    SSB_REQUIRE(ctx, o->kind == SSB_OCV_TABLE, SSB_ERR_ARG, "%s OCV '%s' is not a table", m->name, o->name);
    SSB_REQUIRE(ctx, k >= 0 && k < o->n, SSB_ERR_RANGE, "%s OCV '%s': point %d out of range [0, %d)", m->name,
                o->name, k, o->n);
    double s;
    SSB_CHECK(ctx, ocv_scale(ctx, m, o, &s));
    /* the inverse of ocv_xsrc, as in ocv_range (without the clipping) */
    *x = isnan(o->x_full) ? o->x[k] / s : 1.0 - (o->x_full - o->x[k]) / s;
    *U = o->U[k];
    return SSB_OK;
}

/* ---- D(x) ---- */

int ssb_materials_ndiffusivity(const ssb_material *m)
{
    return m ? m->ndif : 0;
}

int ssb_materials_diffusivity_find(ssb_ctx *ctx, const ssb_material *m, const char *name, int *i)
{
    SSB_REQUIRE(ctx, m != NULL && i != NULL, SSB_ERR_ARG, "ssb_materials_diffusivity_find: NULL argument");
    if (m->ndif == 0)
        return SSB_ERROR(ctx, SSB_ERR_NOTFOUND, "%s has no diffusivity curve D(x) in the database", m->name);
    if (!name || !name[0]) {
        *i = 0;
        return SSB_OK;
    }
    char list[512] = "";
    for (int k = 0; k < m->ndif; k++) {
        if (names_equal(m->dif[k].name, name)) {
            *i = k;
            return SSB_OK;
        }
        strncat(list, m->dif[k].name, sizeof list - strlen(list) - 1);
        if (k + 1 < m->ndif)
            strncat(list, ", ", sizeof list - strlen(list) - 1);
    }
    return SSB_ERROR(ctx, SSB_ERR_NOTFOUND, "%s has no diffusivity curve '%s' (available: %s)", m->name, name, list);
}

int ssb_materials_diffusivity_info(ssb_ctx *ctx, const ssb_material *m, int i, ssb_diffusivity_info *info)
{
    SSB_REQUIRE(ctx, m != NULL && info != NULL, SSB_ERR_ARG, "ssb_materials_diffusivity_info: NULL argument");
    SSB_REQUIRE(ctx, i >= 0 && i < m->ndif, SSB_ERR_RANGE, "diffusivity index %d out of range [0, %d) for '%s'", i,
                m->ndif, m->name);
    const ssbi_ocv *o = &m->dif[i];
    info->name = o->name;
    info->x_def = o->x_def;
    info->x_min = o->x_min;
    info->x_max = o->x_max;
    info->npoints = o->n;
    info->source = o->source;
    info->doi = o->doi;
    info->note = o->note;
    info->status = o->status;
    return SSB_OK;
}

int ssb_materials_diffusivity_eval(ssb_ctx *ctx, const ssb_material *m, int i, double x, double *D)
{
    SSB_REQUIRE(ctx, m != NULL && D != NULL, SSB_ERR_ARG, "ssb_materials_diffusivity_eval: NULL argument");
    SSB_REQUIRE(ctx, i >= 0 && i < m->ndif, SSB_ERR_RANGE, "diffusivity index %d out of range [0, %d) for '%s'", i,
                m->ndif, m->name);
    const ssbi_ocv *o = &m->dif[i];
    SSB_REQUIRE(ctx, isfinite(x) && x >= o->x_min && x <= o->x_max, SSB_ERR_RANGE,
                "%s diffusivity '%s': x = %g outside its validity range [%g, %g]", m->name, o->name, x, o->x_min,
                o->x_max);
    double lg = ssbi_table_eval_linear(o, x); /* linear interpolation of log10 D */
    *D = pow(10.0, lg);
    return SSB_OK;
}
