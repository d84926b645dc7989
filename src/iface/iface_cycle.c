/* iface: cycling a cell with interface ageing. A layer on top of the cell API: each cycle builds the cell from
 * parameters updated by a list of ageing mechanisms, runs discharge / charge / hold, and advances the interphases
 * over the cycle's potential history. The "interfaces" block of the cell JSON configures it. */
#include "iface_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


const char *ssb_iface_site_name(ssb_iface_site s)
{
    static const char *n[] = {"positive", "carbon", "negative"};
    return (s >= 0 && s < SSB_IFACE_NSITES) ? n[s] : "?";
}

const char *ssb_iface_mech_name(ssb_iface_mech m)
{
    static const char *n[] = {"positive_interphase_resistance", "active_area_loss", "ionic_network_loss",
                              "negative_interphase_resistance", "lithium_inventory", "lithium_contact",
                              "cam_contact_loss", "cracking", "negative_contact_loss",
                              "negative_sei_regrowth", "negative_cracking"};
    return (m >= 0 && m < SSB_IFACE_NMECH) ? n[m] : "?";
}

ssb_iface_cycle_params ssb_iface_cycle_params_default(void)
{
    ssb_iface_cycle_params c = {1, 1.0, 1.0, 3.5, 4.2, 0.05, 0.0, NULL};
    return c;
}

/* ------------------------------------------------------------------------------------ the interfaces block */

static void fill_window(ssb_ctx *ctx, const ssb_materials *mdb, const char *se, ssb_iface_growth *g)
{
    const ssb_material *m = NULL;
    if (ssb_materials_find(ctx, mdb, se, &m) != SSB_OK) {
        ssb_ctx_clear_error(ctx);
        return;
    }
    double v;
    if (ssb_materials_get_si(ctx, m, "E_red", &v) == SSB_OK)
        g->E_red = v;
    else
        ssb_ctx_clear_error(ctx);
    if (ssb_materials_get_si(ctx, m, "E_ox", &v) == SSB_OK)
        g->E_ox = v;
    else
        ssb_ctx_clear_error(ctx);
}

static int site_from_database(ssb_ctx *ctx, const ssb_materials *mdb, const ssb_iface_db *db, ssb_iface_site_params *s,
                              int required, const char *where)
{
    const ssb_iface_record *rec = NULL;
    int rc = ssb_iface_db_find(ctx, db, mdb, s->electrode, s->electrolyte, &rec);
    if (rc != SSB_OK) {
        if (required)
            return SSB_ERROR(ctx, SSB_ERR_NOTFOUND,
                             "%s: no interphase data for %s|%s in the database; give \"model\" (parabolic, linear, "
                             "deal-grove or none) and its parameters",
                             where, s->electrode, s->electrolyte);
        ssb_ctx_clear_error(ctx);
        s->enabled = 0;
        s->type = SSB_IFACE_UNKNOWN;
        return SSB_OK;
    }
    s->enabled = 1;
    s->type = rec->type;
    s->growth = rec->growth;
    fill_window(ctx, mdb, s->electrolyte, &s->growth);
    return SSB_OK;
}

static int parse_coating(ssb_ctx *ctx, const ssb_materials *mdb, const cJSON *o, const char *where,
                         ssb_iface_coating *c)
{
    static const char *const keys[] = {"material", "thickness_nm", "coverage", "ionic_conductivity_S_per_cm",
                                       "electronic_conductivity_S_per_cm", "tunnelling_length_nm", NULL};
    SSB_REQUIRE(ctx, cJSON_IsObject(o), SSB_ERR_FORMAT, "%s: expected an object", where);
    for (const cJSON *it = o->child; it; it = it->next) {
        int ok = 0;
        for (int i = 0; keys[i]; i++)
            ok |= !strcmp(it->string, keys[i]);
        SSB_REQUIRE(ctx, ok, SSB_ERR_FORMAT,
                    "%s: unknown key '%s' (valid: material, thickness_nm, coverage, ionic_conductivity_S_per_cm, "
                    "electronic_conductivity_S_per_cm, tunnelling_length_nm)",
                    where, it->string);
    }
    *c = ssb_iface_coating_default();
    c->coverage = 1.0;
    const cJSON *mat = cJSON_GetObjectItemCaseSensitive(o, "material");
    if (mat) {
        SSB_REQUIRE(ctx, cJSON_IsString(mat), SSB_ERR_FORMAT, "%s.material: expected a string", where);
        const ssb_material *m = NULL;
        int rc = ssb_materials_find(ctx, mdb, mat->valuestring, &m);
        if (rc) {
            char msg[512];
            snprintf(msg, sizeof msg, "%s", ssb_ctx_get_error(ctx));
            return SSB_ERROR(ctx, rc, "%s.material: %s", where, msg);
        }
        snprintf(c->material, sizeof c->material, "%s", ssb_materials_name(m));
        double v;
        ssb_mat_prop p;
        if (ssb_materials_get_prop(ctx, m, "sigma_ion", &p) == SSB_OK)
            c->sigma_ion = p.has_value ? p.si_value : sqrt(p.si_min * p.si_max);
        else
            ssb_ctx_clear_error(ctx);
        if (ssb_materials_get_si(ctx, m, "sigma_el", &v) == SSB_OK)
            c->sigma_e = v;
        else
            ssb_ctx_clear_error(ctx);
    }
    int present;
    double d = 0;
    SSB_CHECK(ctx, ssbi_iface_get_number(ctx, o, "thickness_nm", where, SSBI_NM, 0, &d, &present));
    SSB_REQUIRE(ctx, present, SSB_ERR_FORMAT, "%s: needs \"thickness_nm\"", where);
    SSB_REQUIRE(ctx, d <= 1e-6, SSB_ERR_RANGE,
                "%s.thickness_nm = %g, must be in [0, 1000] nm (a coating on particles a few um across; a value "
                "in another unit?)", where, d / SSBI_NM);
    c->thickness = d;
    SSB_CHECK(ctx, ssbi_iface_get_number(ctx, o, "coverage", where, 1.0, 0, &c->coverage, NULL));
    SSB_REQUIRE(ctx, c->coverage <= 1, SSB_ERR_RANGE, "%s.coverage = %g, must be in [0, 1]", where, c->coverage);
    SSB_CHECK(ctx, ssbi_iface_get_number(ctx, o, "ionic_conductivity_S_per_cm", where, SSBI_S_PER_CM, 0,
                                         &c->sigma_ion, NULL));
    SSB_CHECK(ctx, ssbi_iface_get_number(ctx, o, "electronic_conductivity_S_per_cm", where, SSBI_S_PER_CM, 0,
                                         &c->sigma_e, NULL));
    SSB_CHECK(ctx, ssbi_iface_get_number(ctx, o, "tunnelling_length_nm", where, SSBI_NM, 0, &c->tunnelling, NULL));
    if (c->thickness > 0 && c->coverage > 0) {
        SSB_REQUIRE(ctx, isfinite(c->sigma_ion) && c->sigma_ion > 0, SSB_ERR_FORMAT,
                    "%s: needs \"ionic_conductivity_S_per_cm\" (the database has none for '%s')", where,
                    c->material[0] ? c->material : "the coating");
    }
    return SSB_OK;
}

static int parse_site(ssb_ctx *ctx, const ssb_materials *mdb, const ssb_iface_db *db, const cJSON *o,
                      const char *where, ssb_iface_site site, ssb_iface_site_params *s)
{
    SSB_REQUIRE(ctx, cJSON_IsObject(o), SSB_ERR_FORMAT, "%s: expected an object", where);
    char key[600];
    for (int k = 0; k < 2; k++) {
        const char *name = k ? "electrolyte" : "electrode";
        const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, name);
        if (!it)
            continue;
        SSB_REQUIRE(ctx, cJSON_IsString(it), SSB_ERR_FORMAT, "%s.%s: expected a string", where, name);
        const char *canon = NULL;
        int rc = ssbi_iface_canonical(ctx, mdb, it->valuestring, &canon);
        if (rc) {
            char msg[512];
            snprintf(msg, sizeof msg, "%s", ssb_ctx_get_error(ctx));
            return SSB_ERROR(ctx, rc, "%s.%s: %s", where, name, msg);
        }
        snprintf(k ? s->electrolyte : s->electrode, SSB_IFACE_NAME_LEN, "%s", canon);
    }
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(o, "model");
    const char *mname = "database";
    if (model) {
        SSB_REQUIRE(ctx, cJSON_IsString(model), SSB_ERR_FORMAT, "%s.model: expected a string", where);
        mname = model->valuestring;
    }
    if (!strcmp(mname, "database")) {
        SSB_CHECK(ctx, site_from_database(ctx, mdb, db, s, 1, where));
    } else {
        ssb_iface_law law;
        if (ssb_iface_law_parse(ctx, mname, &law) != SSB_OK)
            return SSB_ERROR(ctx, SSB_ERR_NOTFOUND,
                             "%s.model = '%s': unknown model (valid: database, none, parabolic, linear, deal-grove)",
                             where, mname);
        s->growth = ssb_iface_growth_default();
        s->growth.law = law;
        s->enabled = 1;
        s->type = law == SSB_IFACE_LAW_LINEAR ? SSB_IFACE_MCI : SSB_IFACE_SEI;
        fill_window(ctx, mdb, s->electrolyte, &s->growth);
    }
    static const char *const extra_pos[] = {"model", "electrode", "electrolyte", "coating", NULL};
    static const char *const extra_c[] = {"model", "electrode", "electrolyte", "coating", "area_per_volume_per_m",
                                          NULL};
    double se_dummy = NAN;
    SSB_CHECK(ctx, ssbi_iface_parse_growth(ctx, o, where, site == SSB_IFACE_CARBON ? extra_c : extra_pos, &s->growth,
                                           &se_dummy));
    if (s->growth.law == SSB_IFACE_LAW_NONE && isnan(s->growth.sigma_ion) && s->growth.L0 == 0)
        s->growth.sigma_ion = 1.0; /* no layer, no growth: the conductivity never enters */
    int rc = ssb_iface_growth_check(ctx, &s->growth);
    if (rc) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", ssb_ctx_get_error(ctx));
        return SSB_ERROR(ctx, rc, "%s: %s", where, msg);
    }
    const cJSON *coat = cJSON_GetObjectItemCaseSensitive(o, "coating");
    if (coat) {
        snprintf(key, sizeof key, "%s.coating", where);
        SSB_CHECK(ctx, parse_coating(ctx, mdb, coat, key, &s->coating));
    }
    if (site == SSB_IFACE_CARBON) {
        int present;
        SSB_CHECK(ctx, ssbi_iface_get_number(ctx, o, "area_per_volume_per_m", where, 1.0, 0, &s->area_per_volume,
                                             &present));
        SSB_REQUIRE(ctx, present || !s->enabled, SSB_ERR_FORMAT,
                    "%s: needs \"area_per_volume_per_m\" (SE|carbon interface area per electrode volume)", where);
    }
    return SSB_OK;
}

static int parse_mechanics(ssb_ctx *ctx, const ssb_materials *mdb, const ssb_cell_params *cell, const cJSON *o,
                           const char *path, ssb_iface_ageing *ag);

int ssb_iface_ageing_from_cell(ssb_ctx *ctx, const ssb_materials *mdb, const ssb_iface_db *db,
                               const ssb_cell_params *cell, const char *path, ssb_iface_ageing *ag)
{
    SSB_REQUIRE(ctx, mdb && db && cell && ag, SSB_ERR_ARG, "ssb_iface_ageing_from_cell: NULL argument");
    memset(ag, 0, sizeof *ag);
    ag->mech.pressure = NAN;
    ssb_cell_values v;
    ssb_cell_params_get_values(cell, &v);
    const char *se_pos = v.pos.electrolyte[0] ? v.pos.electrolyte : v.el.material;
    const char *se_sep = v.sep.electrolyte[0] ? v.sep.electrolyte : v.el.material;
    for (int s = 0; s < SSB_IFACE_NSITES; s++) {
        ag->site[s].growth = ssb_iface_growth_default();
        ag->site[s].growth.sigma_ion = 1.0;
        ag->site[s].coating = ssb_iface_coating_default();
        ag->site[s].type = SSB_IFACE_UNKNOWN;
    }
    snprintf(ag->site[SSB_IFACE_POS].electrode, SSB_IFACE_NAME_LEN, "%s", v.pos.active_material);
    snprintf(ag->site[SSB_IFACE_POS].electrolyte, SSB_IFACE_NAME_LEN, "%s", se_pos);
    snprintf(ag->site[SSB_IFACE_CARBON].electrode, SSB_IFACE_NAME_LEN, "carbon");
    snprintf(ag->site[SSB_IFACE_CARBON].electrolyte, SSB_IFACE_NAME_LEN, "%s", se_pos);
    snprintf(ag->site[SSB_IFACE_NEG].electrode, SSB_IFACE_NAME_LEN, "%s",
             v.anode == SSB_CELL_ANODE_LI_METAL ? "Li" : v.neg.active_material);
    snprintf(ag->site[SSB_IFACE_NEG].electrolyte, SSB_IFACE_NAME_LEN, "%s",
             v.anode == SSB_CELL_ANODE_LI_METAL ? se_sep : (v.neg.electrolyte[0] ? v.neg.electrolyte : se_sep));
    const cJSON *block = NULL;
    cJSON *root = NULL;
    if (path) {
        char *text = NULL;
        SSB_CHECK(ctx, ssbi_read_text(ctx, path, "cell file", 1u << 26, &text));
        const char *end = NULL;
        root = cJSON_ParseWithOpts(text, &end, 0);
        if (!root) {
            int line, col;
            ssbi_text_line_col(text, end, &line, &col);
            free(text);
            return SSB_ERROR(ctx, SSB_ERR_FORMAT, "%s:%d:%d: malformed JSON", path, line, col);
        }
        free(text);
        block = cJSON_GetObjectItemCaseSensitive(root, "interfaces");
    }
    /* the database records for the cell's materials (positive|SE, negative|SE); no SE|carbon ageing without its
     * area; the block's entries replace these */
    int rc = SSB_OK;
    if (ag->site[SSB_IFACE_POS].electrode[0] && ag->site[SSB_IFACE_POS].electrolyte[0])
        rc = site_from_database(ctx, mdb, db, &ag->site[SSB_IFACE_POS], 0, "interfaces.positive");
    if (!rc && ag->site[SSB_IFACE_NEG].electrode[0] && ag->site[SSB_IFACE_NEG].electrolyte[0])
        rc = site_from_database(ctx, mdb, db, &ag->site[SSB_IFACE_NEG], 0, "interfaces.negative");
    if (rc || !block) {
        cJSON_Delete(root);
        return rc;
    }
    if (!cJSON_IsObject(block)) {
        cJSON_Delete(root);
        return SSB_ERROR(ctx, SSB_ERR_FORMAT, "%s: \"interfaces\" must be an object", path);
    }
    for (const cJSON *it = block->child; it && !rc; it = it->next) {
        if (!strcmp(it->string, "mechanics")) {
            rc = parse_mechanics(ctx, mdb, cell, it, path, ag);
            continue;
        }
        int s = -1;
        for (int k = 0; k < SSB_IFACE_NSITES; k++)
            if (!strcmp(it->string, ssb_iface_site_name((ssb_iface_site)k)))
                s = k;
        char where[512];
        snprintf(where, sizeof where, "%s: interfaces.%s", path, it->string);
        if (s < 0) {
            rc = SSB_ERROR(ctx, SSB_ERR_FORMAT, "%s: unknown interface (valid: positive, carbon, negative, mechanics)",
                           where);
            break;
        }
        rc = parse_site(ctx, mdb, db, it, where, (ssb_iface_site)s, &ag->site[s]);
    }
    cJSON_Delete(root);
    return rc;
}

/* The "mechanics" entry of the interfaces block: {"stack_pressure_MPa": P, "lithium_contact", "cam_contact_loss",
 * "cracking", "negative_contact_loss": true | false (default: on where the database has the constants)}. */
static int parse_mechanics(ssb_ctx *ctx, const ssb_materials *mdb, const ssb_cell_params *cell, const cJSON *o,
                           const char *path, ssb_iface_ageing *ag)
{
    static const char *const keys[] = {"stack_pressure_MPa", "lithium_contact", "cam_contact_loss", "cracking",
                                       "negative_contact_loss", NULL};
    SSB_REQUIRE(ctx, cJSON_IsObject(o), SSB_ERR_FORMAT, "%s: interfaces.mechanics: expected an object", path);
    int want[4] = {-1, -1, -1, -1};
    for (const cJSON *it = o->child; it; it = it->next) {
        int k = -1;
        for (int i = 0; keys[i]; i++)
            if (!strcmp(it->string, keys[i]))
                k = i;
        SSB_REQUIRE(ctx, k >= 0, SSB_ERR_FORMAT,
                    "%s: interfaces.mechanics: unknown key '%s' (valid: stack_pressure_MPa, lithium_contact, "
                    "cam_contact_loss, cracking, negative_contact_loss)", path, it->string);
        if (k > 0) {
            SSB_REQUIRE(ctx, cJSON_IsBool(it), SSB_ERR_FORMAT, "%s: interfaces.mechanics.%s: expected true or false",
                        path, it->string);
            want[k - 1] = cJSON_IsTrue(it);
        }
    }
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "stack_pressure_MPa");
    SSB_REQUIRE(ctx, p, SSB_ERR_FORMAT, "%s: interfaces.mechanics needs \"stack_pressure_MPa\"", path);
    SSB_REQUIRE(ctx, cJSON_IsNumber(p), SSB_ERR_FORMAT,
                "%s: interfaces.mechanics.stack_pressure_MPa: expected a number", path);
    SSB_REQUIRE(ctx, isfinite(p->valuedouble) && p->valuedouble >= 0 && p->valuedouble <= 1000, SSB_ERR_RANGE,
                "%s: interfaces.mechanics.stack_pressure_MPa = %g: must be in [0, 1000] MPa", path, p->valuedouble);
    ssb_mech_db *mdbm = NULL;
    SSB_CHECK(ctx, ssb_mech_db_load(ctx, NULL, &mdbm));
    int rc = ssb_iface_mech_setup(ctx, mdb, mdbm, cell, p->valuedouble * 1e6, want[0], want[1], want[2], want[3],
                                  ag);
    if (!rc) /* "cracking" covers both sides: the negative's host particles too */
        rc = ssb_iface_mech_setup_neg_cracking(ctx, mdb, mdbm, cell, want[2], ag);
    ssb_mech_db_destroy(&mdbm);
    if (rc) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", ssb_ctx_get_error(ctx));
        return SSB_ERROR(ctx, rc, "%s: interfaces.mechanics: %s", path, msg);
    }
    return SSB_OK;
}

/* --------------------------------------------------------------------------------------------- mechanisms */

/* What the mechanisms need to know about the cell at cycle 1. */
typedef struct {
    ssb_cell_values v0;
    double eps_se;    /* SE volume fraction of the positive composite */
    double a0;        /* active CAM|SE area per volume [1/m] */
    double sig_i0;    /* effective ionic conductivity of the positive composite [S/m] */
    double L_pos;     /* positive thickness [m] */
    double area[SSB_IFACE_NSITES]; /* interface area per electrode area [m2/m2] (Li metal: 1) */
    double n_neg0;    /* cyclable Li in the negative at the start [mol/m2] */
    double vm_li;     /* Li molar volume [m3/mol] */
    double neg_cap;   /* composite negative: mol/m2 per unit stoichiometry */
} age_base;

typedef struct {
    ssb_iface_state st[SSB_IFACE_NSITES];
    double li_phi;     /* Li | SE contact fraction the cell uses (mean over the previous cycle's stripping) */
    double li_phi_end; /* contact fraction at the end of the previous cycle (start of the next integration) */
    double cam_active; /* CAM still in contact, relative to the start */
    double cam_intact; /* CAM not isolated by cracks, relative to the start */
    double neg_active; /* alloy negative: host still in contact, relative to the start */
    double neg_trapped; /* lithium held by the isolated host particles [mol/m2] */
    double neg_sei;     /* lithium bound in the SEI regrown on the host surface exposed anew each cycle [mol/m2] */
    double tau_neg;     /* growth time of the negative's interphase in the last cycle (rate-weighted) [s] */
    double neg_intact;        /* alloy negative: host not isolated by cracks, relative to the start */
    double neg_crack_trapped; /* lithium held by the cracked, isolated host particles [mol/m2] */
    double neg_crack_sei;     /* lithium bound in the SEI grown on crack faces [mol/m2] */
} age_state;

static double site_R(const ssb_iface_ageing *ag, const age_state *s, int k)
{
    const ssb_iface_site_params *p = &ag->site[k];
    return p->enabled ? ssb_iface_state_resistance(&p->growth, &p->coating, &s->st[k]) : 0.0;
}

static double site_volume(const ssb_iface_ageing *ag, const age_base *b, const age_state *s, int k)
{
    const ssb_iface_site_params *p = &ag->site[k];
    return p->enabled ? ssb_iface_state_volume(&p->coating, &s->st[k]) * b->area[k] : 0.0; /* m3 per m2 electrode */
}

static double li_in_interphases(const ssb_iface_ageing *ag, const age_base *b, const age_state *s)
{
    double n = 0;
    for (int k = 0; k < SSB_IFACE_NSITES; k++)
        n += site_volume(ag, b, s, k) * ag->site[k].growth.c_li;
    return n;
}

/* One mechanism: updates the cell values from the state it is given. A new mechanism (contact loss, ...) is one
 * more function here and one more entry in the enum. */
typedef int (*mech_fn)(ssb_ctx *ctx, const ssb_iface_ageing *ag, const age_base *b, const age_state *s,
                       ssb_cell_values *v);

static int mech_pos_resistance(ssb_ctx *ctx, const ssb_iface_ageing *ag, const age_base *b, const age_state *s,
                               ssb_cell_values *v)
{
    (void)ctx;
    v->pos.R_interface = b->v0.pos.R_interface + site_R(ag, s, SSB_IFACE_POS);
    return SSB_OK;
}

static int mech_active_area(ssb_ctx *ctx, const ssb_iface_ageing *ag, const age_base *b, const age_state *s,
                            ssb_cell_values *v)
{
    (void)ctx;
    /* SE turned into interphase (taken volume for volume) no longer touches the CAM: contact area scales with
     * the remaining SE fraction of the composite. */
    double eps = b->eps_se;
    double consumed = (site_volume(ag, b, s, SSB_IFACE_POS) + site_volume(ag, b, s, SSB_IFACE_CARBON)) / b->L_pos;
    double f = eps > 0 ? fmax(0.0, 1.0 - consumed / eps) : 1.0;
    SSB_REQUIRE(ctx, f > 0, SSB_ERR_RANGE, "the interphases have consumed the whole SE of the positive composite");
    v->pos.area_per_volume = b->a0 * f;
    return SSB_OK;
}

static int mech_ionic_network(ssb_ctx *ctx, const ssb_iface_ageing *ag, const age_base *b, const age_state *s,
                              ssb_cell_values *v)
{
    double eps = b->eps_se;
    double consumed = site_volume(ag, b, s, SSB_IFACE_CARBON) / b->L_pos;
    double f = eps > 0 ? fmax(0.0, 1.0 - consumed / eps) : 1.0;
    SSB_REQUIRE(ctx, f > 0, SSB_ERR_RANGE, "the SE|carbon interphase has consumed the whole SE of the composite");
    double brugg = isfinite(b->v0.pos.brugg_i) ? b->v0.pos.brugg_i : 1.5;
    v->pos.sigma_i_eff = b->sig_i0 * pow(f, brugg);
    return SSB_OK;
}

static int mech_neg_resistance(ssb_ctx *ctx, const ssb_iface_ageing *ag, const age_base *b, const age_state *s,
                               ssb_cell_values *v)
{
    (void)ctx;
    if (b->v0.anode == SSB_CELL_ANODE_LI_METAL)
        v->li.R_interface = b->v0.li.R_interface + site_R(ag, s, SSB_IFACE_NEG);
    else
        v->neg.R_interface = b->v0.neg.R_interface + site_R(ag, s, SSB_IFACE_NEG);
    return SSB_OK;
}

static int mech_lithium(ssb_ctx *ctx, const ssb_iface_ageing *ag, const age_base *b, const age_state *s,
                        ssb_cell_values *v)
{
    double n = b->n_neg0 - li_in_interphases(ag, b, s);
    SSB_REQUIRE(ctx, n > 0, SSB_ERR_RANGE,
                "the interphases have used up the lithium of the negative electrode (%.4g mol/m2 at the start)",
                b->n_neg0);
    if (b->v0.anode == SSB_CELL_ANODE_LI_METAL)
        v->li.thickness = n * b->vm_li; /* mass only: a Li-metal cell with excess Li loses no capacity */
    else
        v->neg.sto_init = n / b->neg_cap;
    return SSB_OK;
}

static int mech_li_contact(ssb_ctx *ctx, const ssb_iface_ageing *ag, const age_base *b, const age_state *s,
                           ssb_cell_values *v)
{
    (void)ctx;
    if (ag->mech.li_contact && b->v0.anode == SSB_CELL_ANODE_LI_METAL)
        v->li.contact_fraction = b->v0.li.contact_fraction * s->li_phi;
    return SSB_OK;
}

/* Move a share (1 - f) of the active CAM to the dead fraction; the active area follows the active CAM. */
static void lose_cam(ssb_cell_values *v, double f)
{
    double lost = v->pos.eps_active * (1.0 - f);
    v->pos.eps_active -= lost;
    v->pos.eps_active_dead = (isfinite(v->pos.eps_active_dead) ? v->pos.eps_active_dead : 0.0) + lost;
    v->pos.area_per_volume *= f;
}

static int mech_cam_contact(ssb_ctx *ctx, const ssb_iface_ageing *ag, const age_base *b, const age_state *s,
                            ssb_cell_values *v)
{
    (void)b;
    if (ag->mech.cam_contact && s->cam_active < 1.0) {
        SSB_REQUIRE(ctx, s->cam_active > 0, SSB_ERR_RANGE, "contact loss has isolated the whole CAM");
        lose_cam(v, s->cam_active);
    }
    return SSB_OK;
}

static int mech_cracking(ssb_ctx *ctx, const ssb_iface_ageing *ag, const age_base *b, const age_state *s,
                         ssb_cell_values *v)
{
    (void)b;
    if (ag->mech.cracking && s->cam_intact < 1.0) {
        SSB_REQUIRE(ctx, s->cam_intact > 0, SSB_ERR_RANGE, "cracking has isolated the whole CAM");
        lose_cam(v, s->cam_intact);
    }
    return SSB_OK;
}

/* Alloy negative: the isolated host particles leave the active fraction with the lithium they held at the end of
 * discharge; the remaining lithium of the negative goes to the particles left. */
static int mech_neg_contact(ssb_ctx *ctx, const ssb_iface_ageing *ag, const age_base *b, const age_state *s,
                            ssb_cell_values *v)
{
    if (!ag->mech.neg_contact || b->v0.anode != SSB_CELL_ANODE_COMPOSITE || s->neg_active >= 1.0)
        return SSB_OK;
    SSB_REQUIRE(ctx, s->neg_active > 0, SSB_ERR_RANGE, "contact loss has isolated the whole negative electrode");
    ssb_cell_electrode *e = &v->neg;
    double cap = e->c_max * e->thickness; /* mol/m2 per unit volume fraction and stoichiometry */
    double n = e->sto_init * e->eps_active * cap - s->neg_trapped;
    SSB_REQUIRE(ctx, n > 0, SSB_ERR_RANGE, "the isolated negative particles hold all of its lithium");
    double lost = e->eps_active * (1.0 - s->neg_active);
    e->eps_active -= lost;
    e->eps_active_dead = (isfinite(e->eps_active_dead) ? e->eps_active_dead : 0.0) + lost;
    e->area_per_volume = isfinite(e->area_per_volume) ? e->area_per_volume * s->neg_active : e->area_per_volume;
    e->sto_init = fmin(0.98, n / (e->eps_active * cap));
    return SSB_OK;
}

/* Alloy negative: lithium bound in the SEI regrown on the surface the host exposes anew each cycle. */
static int mech_neg_sei(ssb_ctx *ctx, const ssb_iface_ageing *ag, const age_base *b, const age_state *s,
                        ssb_cell_values *v)
{
    if (!ag->mech.neg_contact || b->v0.anode != SSB_CELL_ANODE_COMPOSITE || s->neg_sei <= 0)
        return SSB_OK;
    ssb_cell_electrode *e = &v->neg;
    double cap = e->c_max * e->eps_active * e->thickness;
    double n = e->sto_init * cap - s->neg_sei;
    SSB_REQUIRE(ctx, n > 0, SSB_ERR_RANGE, "the regrown SEI has used up the lithium of the negative electrode");
    e->sto_init = n / cap;
    return SSB_OK;
}

/* Alloy negative: cracked host particles leave the active fraction with the lithium they held at the end of
 * discharge; the SEI on the crack faces takes its lithium from the negative too. */
static int mech_neg_crack(ssb_ctx *ctx, const ssb_iface_ageing *ag, const age_base *b, const age_state *s,
                          ssb_cell_values *v)
{
    if (!ag->mech.neg_cracking || b->v0.anode != SSB_CELL_ANODE_COMPOSITE ||
        (s->neg_intact >= 1.0 && s->neg_crack_sei <= 0))
        return SSB_OK;
    SSB_REQUIRE(ctx, s->neg_intact > 0, SSB_ERR_RANGE, "cracking has isolated the whole negative electrode");
    ssb_cell_electrode *e = &v->neg;
    double cap = e->c_max * e->thickness;
    double n = e->sto_init * e->eps_active * cap - s->neg_crack_trapped - s->neg_crack_sei;
    SSB_REQUIRE(ctx, n > 0, SSB_ERR_RANGE, "the cracked negative particles and their SEI hold all of its lithium");
    double lost = e->eps_active * (1.0 - s->neg_intact);
    e->eps_active -= lost;
    e->eps_active_dead = (isfinite(e->eps_active_dead) ? e->eps_active_dead : 0.0) + lost;
    e->area_per_volume = isfinite(e->area_per_volume) ? e->area_per_volume * s->neg_intact : e->area_per_volume;
    e->sto_init = fmin(0.98, n / (e->eps_active * cap));
    return SSB_OK;
}

static const mech_fn mechs[SSB_IFACE_NMECH] = {mech_pos_resistance, mech_active_area, mech_ionic_network,
                                               mech_neg_resistance, mech_lithium,        mech_li_contact,
                                               mech_cam_contact,    mech_cracking,       mech_neg_contact,
                                               mech_neg_sei,        mech_neg_crack};

/* Cell values with each mechanism taking its state from states[m]. */
static int apply_mechanisms(ssb_ctx *ctx, const ssb_iface_ageing *ag, const age_base *b,
                            const age_state *const states[SSB_IFACE_NMECH], ssb_cell_values *v)
{
    *v = b->v0;
    for (int m = 0; m < SSB_IFACE_NMECH; m++)
        SSB_CHECK(ctx, mechs[m](ctx, ag, b, states[m], v));
    return SSB_OK;
}

/* ------------------------------------------------------------------------------------ contact mechanics */

/* One mechanism's database lookup: rc from the lookup; want 1 turns a failure into the error, -1 into "off". */
static int mech_want(ssb_ctx *ctx, int want, int rc, int *on)
{
    *on = 0;
    if (!want)
        return SSB_OK;
    if (rc) {
        if (want == 1)
            return rc;
        ssb_ctx_clear_error(ctx);
        return SSB_OK;
    }
    *on = 1;
    return SSB_OK;
}

int ssb_iface_mech_setup(ssb_ctx *ctx, const ssb_materials *mdb, const ssb_mech_db *mechdb,
                         const ssb_cell_params *cell, double pressure, int want_li, int want_cam, int want_crack,
                         int want_neg, ssb_iface_ageing *ag)
{
    SSB_REQUIRE(ctx, mechdb && cell && ag, SSB_ERR_ARG, "ssb_iface_mech_setup: NULL argument");
    SSB_REQUIRE(ctx, isfinite(pressure) && pressure >= 0 && pressure <= 1e9, SSB_ERR_RANGE,
                "stack_pressure_MPa = %g: must be in [0, 1000] MPa", pressure / 1e6);
    ssb_iface_mech_params *m = &ag->mech;
    memset(m, 0, sizeof *m);
    m->pressure = pressure;
    ssb_cell_values v;
    ssb_cell_params_get_values(cell, &v);
    if (want_li == 1 && v.anode != SSB_CELL_ANODE_LI_METAL)
        return SSB_ERROR(ctx, SSB_ERR_UNSUPPORTED,
                         "lithium_contact: the cell has a composite negative electrode, not a Li-metal anode");
    if (v.anode == SSB_CELL_ANODE_LI_METAL) {
        const ssb_mech_anode *a = NULL;
        int rc = want_li ? ssb_mech_db_anode(ctx, mechdb, mdb, "Li", &a) : SSB_OK;
        SSB_CHECK(ctx, mech_want(ctx, want_li, rc, &m->li_contact));
        if (m->li_contact) {
            m->anode = *a;
            m->anode.diffusion_source = m->anode.creep_source = m->anode.creep_note = m->anode.elastic_source = NULL;
        }
    }
    const char *cam = v.pos.active_material, *se = v.pos.electrolyte[0] ? v.pos.electrolyte : v.el.material;
    const ssb_mech_swelling *sw = NULL;
    const ssb_mech_solid *sc = NULL, *ss = NULL;
    if (want_cam || want_crack) {
        int rc = cam[0] ? SSB_OK
                        : SSB_ERROR(ctx, SSB_ERR_UNSUPPORTED, "contact mechanics: the positive electrode names no "
                                    "active_material (its volume-change curve and elastic constants are needed)");
        if (!rc)
            rc = ssb_mech_db_swelling(ctx, mechdb, mdb, cam, &sw);
        if (!rc)
            rc = ssb_mech_db_solid(ctx, mechdb, mdb, cam, &sc);
        int rc_cam = rc;
        if (!rc_cam)
            rc_cam = ssb_mech_db_solid(ctx, mechdb, mdb, se, &ss);
        if (!rc_cam && isnan(sw->debond))
            rc_cam = SSB_ERROR(ctx, SSB_ERR_UNSUPPORTED, "cam_contact_loss: %s has no \"debond_fraction_per_cycle\" "
                               "in data/iface/mechanics.json", sw->name);
        SSB_CHECK(ctx, mech_want(ctx, want_cam, rc_cam, &m->cam_contact));
        int rc_cr = rc;
        if (!rc_cr && isnan(sw->fracture_strain))
            rc_cr = SSB_ERROR(ctx, SSB_ERR_UNSUPPORTED, "cracking: %s has no \"fracture_strain\" in "
                              "data/iface/mechanics.json", sw->name);
        SSB_CHECK(ctx, mech_want(ctx, want_crack, rc_cr, &m->cracking));
    }
    if (m->cam_contact || m->cracking) {
        m->swelling = *sw;
        m->swelling.source = m->swelling.status = m->swelling.fracture_source = NULL;
        m->swelling.crack_note = m->swelling.debond_note = NULL;
        m->nu_cam = sc->nu;
    }
    if (m->cam_contact) {
        m->contact = ssb_mech_cycle_params_default();
        SSB_CHECK(ctx, ssb_mech_effective_modulus(ctx, ss->E, ss->nu, sc->E, sc->nu, &m->contact.gw.E_star));
        double H1 = isnan(ss->H) ? INFINITY : ss->H, H2 = isnan(sc->H) ? INFINITY : sc->H;
        m->contact.gw.hardness = fmin(H1, H2); /* the softer body yields */
        m->contact.E_se = ss->E;
        m->contact.nu_se = ss->nu;
        m->contact.debond = sw->debond;
        if (pressure > 0) { /* the rough contact's separation at the stack pressure, once for every cycle */
            ssb_mech_gw_result g;
            SSB_CHECK(ctx, ssb_mech_gw_at_pressure(ctx, &m->contact.gw, pressure, &g));
            m->contact.separation0 = g.separation;
        }
    }
    if (want_neg == 1 && v.anode != SSB_CELL_ANODE_COMPOSITE)
        return SSB_ERROR(ctx, SSB_ERR_UNSUPPORTED,
                         "negative_contact_loss: the cell has a Li-metal anode, not a composite negative electrode");
    if (want_neg && v.anode == SSB_CELL_ANODE_COMPOSITE) {
        const char *host = v.neg.active_material, *nse = v.neg.electrolyte[0] ? v.neg.electrolyte : v.el.material;
        const ssb_mech_swelling *nw = NULL;
        const ssb_mech_solid *sh = NULL, *sse = NULL;
        int rc = host[0] ? ssb_mech_db_swelling(ctx, mechdb, mdb, host, &nw)
                         : SSB_ERROR(ctx, SSB_ERR_UNSUPPORTED, "negative_contact_loss: the negative electrode names "
                                     "no active_material");
        if (!rc)
            rc = ssb_mech_db_solid(ctx, mechdb, mdb, host, &sh);
        if (!rc)
            rc = ssb_mech_db_solid(ctx, mechdb, mdb, nse, &sse);
        if (!rc && isnan(nw->debond))
            rc = SSB_ERROR(ctx, SSB_ERR_UNSUPPORTED, "negative_contact_loss: %s has no \"debond_fraction_per_cycle\" "
                           "in data/iface/mechanics.json", nw->name);
        SSB_CHECK(ctx, mech_want(ctx, want_neg, rc, &m->neg_contact));
        if (m->neg_contact) {
            m->neg_swelling = *nw;
            m->neg_swelling.source = m->neg_swelling.status = m->neg_swelling.fracture_source = NULL;
            m->neg_swelling.crack_note = m->neg_swelling.debond_note = m->neg_swelling.critical_source = NULL;
            ssb_mech_cycle_params *c = &m->neg_contact_params;
            *c = ssb_mech_cycle_params_default();
            SSB_CHECK(ctx, ssb_mech_effective_modulus(ctx, sse->E, sse->nu, sh->E, sh->nu, &c->gw.E_star));
            double H1 = isnan(sse->H) ? INFINITY : sse->H, H2 = isnan(sh->H) ? INFINITY : sh->H;
            c->gw.hardness = fmin(H1, H2);
            c->E_se = sse->E;
            c->nu_se = sse->nu;
            c->debond = nw->debond;
            if (pressure > 0) {
                ssb_mech_gw_result g;
                SSB_CHECK(ctx, ssb_mech_gw_at_pressure(ctx, &c->gw, pressure, &g));
                c->separation0 = g.separation;
            }
            m->E_neg_se = sse->E;
            m->nu_neg_se = sse->nu;
        }
    }
    return SSB_OK;
}

int ssb_iface_mech_setup_neg_cracking(ssb_ctx *ctx, const ssb_materials *mdb, const ssb_mech_db *mechdb,
                                      const ssb_cell_params *cell, int want, ssb_iface_ageing *ag)
{
    SSB_REQUIRE(ctx, mechdb && cell && ag, SSB_ERR_ARG, "ssb_iface_mech_setup_neg_cracking: NULL argument");
    ssb_iface_mech_params *m = &ag->mech;
    SSB_REQUIRE(ctx, !isnan(m->pressure), SSB_ERR_ARG,
                "ssb_iface_mech_setup_neg_cracking: no stack pressure set (call ssb_iface_mech_setup first)");
    m->neg_cracking = 0;
    ssb_cell_values v;
    ssb_cell_params_get_values(cell, &v);
    if (!want || v.anode != SSB_CELL_ANODE_COMPOSITE || !v.neg.active_material[0])
        return SSB_OK;
    const ssb_mech_swelling *nw = NULL;
    if (ssb_mech_db_swelling(ctx, mechdb, mdb, v.neg.active_material, &nw)) { /* the host does not swell */
        ssb_ctx_clear_error(ctx);
        return SSB_OK;
    }
    int rc = SSB_OK;
    if (isnan(nw->critical_diameter) || isnan(nw->crack_dead_per_cycle))
        rc = SSB_ERROR(ctx, SSB_ERR_UNSUPPORTED, "cracking: the negative's %s has no \"%s\" in "
                       "data/iface/mechanics.json", nw->name,
                       isnan(nw->critical_diameter) ? "critical_diameter_nm" : "crack_dead_fraction_per_cycle");
    const char *nse = v.neg.electrolyte[0] ? v.neg.electrolyte : v.el.material;
    const ssb_mech_solid *sse = NULL;
    if (!rc)
        rc = ssb_mech_db_solid(ctx, mechdb, mdb, nse, &sse); /* the stack pressure needs the SE's constants */
    SSB_CHECK(ctx, mech_want(ctx, want, rc, &m->neg_cracking));
    if (m->neg_cracking) {
        m->neg_swelling = *nw;
        m->neg_swelling.source = m->neg_swelling.status = m->neg_swelling.fracture_source = NULL;
        m->neg_swelling.crack_note = m->neg_swelling.debond_note = m->neg_swelling.critical_source = NULL;
        m->E_neg_se = sse->E;
        m->nu_neg_se = sse->nu;
    }
    return SSB_OK;
}

/* Stoichiometry theta of an electrode's active material (positive: pos 1; negative composite: pos 0) at the start
 * of a run and at its deepest discharge, from the lithium the cell model counts in it. */
static int theta_window(ssb_ctx *ctx, const ssb_cell_values *v, const ssb_cell_result *r, int pos, double *th_start,
                        double *th_deep)
{
    int n = ssb_cell_result_npoints(r), imax = 0;
    const double *Q = ssb_cell_result_series(r, SSB_CELL_Q);
    for (int i = 1; i < n; i++)
        if (Q[i] > Q[imax])
            imax = i;
    const ssb_cell_electrode *e = pos ? &v->pos : &v->neg;
    double n0, n1, cap = e->c_max * e->eps_active * e->thickness;
    SSB_CHECK(ctx, ssb_cell_result_lithium(ctx, r, 0, pos ? &n0 : NULL, pos ? NULL : &n0, NULL));
    SSB_CHECK(ctx, ssb_cell_result_lithium(ctx, r, imax, pos ? &n1 : NULL, pos ? NULL : &n1, NULL));
    *th_start = n0 / cap;
    *th_deep = n1 / cap;
    return SSB_OK;
}

static double clamp(double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

/* Advance the contact mechanics over one cycle's run r (cell values v of that cycle, rest after it); kept and
 * strain report the cycle's CAM|SE contact kept at the top of charge and the cracking strain (NaN when off). */
/* Alloy negative over one cycle: contact loss from the shrinkage between the top of charge and the end of
 * discharge, the lithium the lost particles hold, and the stack pressure at the top of charge (*p_top). */
static int advance_neg(ssb_ctx *ctx, const ssb_iface_ageing *ag, const age_base *b, const ssb_cell_values *v,
                       const ssb_cell_result *r, age_state *s, double *p_top)
{
    const ssb_iface_mech_params *m = &ag->mech;
    const ssb_mech_swelling *sw = &m->neg_swelling;
    double top = 0, bot = 0, dv_top, dv_bot; /* the host's lithiation is its soc */
    SSB_CHECK(ctx, theta_window(ctx, v, r, 0, &top, &bot));
    top = clamp(top, sw->soc[0], sw->soc[sw->n - 1]);
    bot = clamp(bot, sw->soc[0], top);
    SSB_CHECK(ctx, ssb_mech_swelling_at(ctx, sw, top, &dv_top, NULL));
    SSB_CHECK(ctx, ssb_mech_swelling_at(ctx, sw, bot, &dv_bot, NULL));
    const ssb_iface_site_params *ns = &ag->site[SSB_IFACE_NEG];
    if (m->neg_cracking) { /* particles above the critical size crack on lithiation (ssb_mech_alloy_crack) */
        ssb_mech_alloy_crack_result kr;
        SSB_CHECK(ctx, ssb_mech_alloy_crack(ctx, sw, v->neg.particle_radius, bot, top, &kr));
        s->neg_crack_trapped += kr.dead_per_cycle * v->neg.eps_active * v->neg.c_max * v->neg.thickness * bot;
        if (ns->enabled && s->tau_neg > 0 && kr.cracked) { /* fresh SEI on the crack faces, grown over the cycle */
            ssb_iface_state fresh = ssb_iface_state_initial(&ns->growth);
            ssb_iface_state_advance(&ns->growth, &ns->coating, &fresh, s->tau_neg);
            double area = b->area[SSB_IFACE_NEG] * s->neg_active * s->neg_intact * kr.dead_per_cycle * kr.new_surface;
            s->neg_crack_sei += area * ssb_iface_state_volume(&ns->coating, &fresh) * ns->growth.c_li;
        }
        s->neg_intact *= 1.0 - kr.dead_per_cycle;
    }
    if (m->neg_contact) {
        ssb_mech_cycle_params cp = m->neg_contact_params;
        cp.pressure = m->pressure;
        cp.radius = v->neg.particle_radius;
        cp.dv = fmin(0.0, (1.0 + dv_bot) / (1.0 + dv_top) - 1.0);
        ssb_mech_cycle_result cr = {0, 0, 0, cp.debond, NAN};
        if (m->pressure > 0)
            SSB_CHECK(ctx, ssb_mech_contact_cycle(ctx, &cp, &cr));
        s->neg_trapped += cr.loss * v->neg.eps_active * v->neg.c_max * v->neg.thickness * bot;
        s->neg_active *= 1.0 - cr.loss;
        /* SEI regrowth: the host surface grows by ((1 + dv_top) / (1 + dv_bot))^(2/3) from the end of discharge to the
         * top of charge; the SEI cannot stretch that far, so the new surface share gets a fresh interphase that grows
         * over the cycle as the negative's interphase law says (its rate-weighted time tau_neg of this cycle) */
        if (ns->enabled && s->tau_neg > 0) {
            double f_new = 1.0 - pow((1.0 + dv_bot) / (1.0 + dv_top), 2.0 / 3.0);
            ssb_iface_state fresh = ssb_iface_state_initial(&ns->growth);
            ssb_iface_state_advance(&ns->growth, &ns->coating, &fresh, s->tau_neg);
            double area = b->area[SSB_IFACE_NEG] * s->neg_active * s->neg_intact; /* active host surface */
            s->neg_sei += f_new * area * ssb_iface_state_volume(&ns->coating, &fresh) * ns->growth.c_li;
        }
    }
    /* stack at the top of charge: negative (free strain of its host's swelling less its pores), separator,
     * positive; rigid fixture, the SE's elastic constants for every layer */
    ssb_mech_stack_params sp = ssb_mech_stack_params_default();
    sp.n = 3;
    double por = isfinite(v->neg.porosity) ? v->neg.porosity : 0.0;
    const double L[3] = {v->neg.thickness, v->sep.thickness, v->pos.thickness};
    for (int i = 0; i < 3; i++) {
        sp.thickness[i] = L[i];
        sp.E[i] = m->E_neg_se;
        sp.nu[i] = m->nu_neg_se;
    }
    sp.e_v[0] = fmax(0.0, (v->neg.eps_active + v->neg.eps_active_dead) * dv_top - por);
    sp.p0 = m->pressure;
    return ssb_mech_stack_pressure(ctx, &sp, 0.0, p_top, NULL);
}

static int advance_mech(ssb_ctx *ctx, const ssb_cell_params *cell, const ssb_iface_ageing *ag, const age_base *b,
                        const ssb_cell_values *v, const ssb_cell_result *r, double rest, double crate, age_state *s,
                        double *kept, double *strain, double *p_top)
{
    const ssb_iface_mech_params *m = &ag->mech;
    *kept = *strain = *p_top = NAN;
    if (isnan(m->pressure))
        return SSB_OK;
    if ((m->neg_contact || m->neg_cracking) && b->v0.anode == SSB_CELL_ANODE_COMPOSITE)
        SSB_CHECK(ctx, advance_neg(ctx, ag, b, v, r, s, p_top));
    int n = ssb_cell_result_npoints(r);
    const double *t = ssb_cell_result_series(r, SSB_CELL_T), *I = ssb_cell_result_series(r, SSB_CELL_I);
    if (m->li_contact && b->v0.anode == SSB_CELL_ANODE_LI_METAL) {
        double phi = s->li_phi_end, sum = 0, tstrip = 0, T = b->v0.cell.T;
        for (int i = 0; i + 1 < n; i++) {
            double dt = t[i + 1] - t[i], j = 0.5 * (I[i] + I[i + 1]), next;
            SSB_CHECK(ctx, ssb_mech_li_advance(ctx, &m->anode, m->pressure, T, j, phi, dt, &next));
            if (j > 0) { /* discharge strips the Li foil */
                sum += 0.5 * (phi + next) * dt;
                tstrip += dt;
            }
            phi = next;
        }
        if (rest > 0)
            SSB_CHECK(ctx, ssb_mech_li_advance(ctx, &m->anode, m->pressure, T, 0.0, phi, rest, &phi));
        s->li_phi = tstrip > 0 ? sum / tstrip : phi;
        s->li_phi_end = phi;
    }
    if (!m->cam_contact && !m->cracking)
        return SSB_OK;
    double top = 0, bot = 0, th_top, th_bot;
    SSB_CHECK(ctx, theta_window(ctx, v, r, 1, &th_top, &th_bot));
    top = 1.0 - th_top; /* soc of a cathode: its delithiated fraction */
    bot = 1.0 - th_bot;
    const ssb_mech_swelling *sw = &m->swelling;
    /* outside the curve's points its end values are taken */
    top = clamp(top, sw->soc[0], sw->soc[sw->n - 1]);
    bot = clamp(bot, sw->soc[0], top);
    if (m->cam_contact) {
        double dv_top, dv_bot;
        SSB_CHECK(ctx, ssb_mech_swelling_at(ctx, sw, top, &dv_top, NULL));
        SSB_CHECK(ctx, ssb_mech_swelling_at(ctx, sw, bot, &dv_bot, NULL));
        ssb_mech_cycle_params cp = m->contact;
        cp.pressure = m->pressure;
        cp.radius = v->pos.particle_radius;
        cp.dv = fmin(0.0, (1.0 + dv_top) / (1.0 + dv_bot) - 1.0);
        ssb_mech_cycle_result cr = {0, 0, 0, cp.debond, NAN}; /* no pressure: nothing holds the opened contact */
        if (m->pressure > 0)
            SSB_CHECK(ctx, ssb_mech_contact_cycle(ctx, &cp, &cr));
        s->cam_active *= 1.0 - cr.loss;
        *kept = cr.kept;
    }
    if (m->cracking) {
        double D = v->pos.D_s;
        if (!isfinite(D)) /* D_s(theta) given: its value at the top of charge */
            SSB_CHECK(ctx, ssb_cell_params_eval_fn(ctx, cell, SSB_CELL_FN_DS_POS, 1.0 - top, &D, NULL));
        ssb_mech_crack_result kr;
        SSB_CHECK(ctx, ssb_mech_crack(ctx, sw, bot, top, v->pos.particle_radius, D, v->pos.c_max, crate, m->nu_cam,
                                      &kr));
        s->cam_intact *= 1.0 - kr.dead_per_cycle;
        *strain = kr.strain;
    }
    return SSB_OK;
}

/* ---------------------------------------------------------------------------------------------- one cycle */

static int run_cycle(ssb_ctx *ctx, const ssb_cell_params *base, const ssb_cell_values *v, const char *protocol,
                     ssb_cell_result **res)
{
    ssb_cell_params *p = NULL;
    ssb_cell *cell = NULL;
    int rc = ssb_cell_params_copy(ctx, base, &p);
    if (!rc)
        rc = ssb_cell_params_set_values(ctx, p, v);
    if (!rc)
        rc = ssb_cell_create(ctx, p, &cell);
    if (!rc) {
        ssb_cell_run_params rp = ssb_cell_run_params_default();
        rp.breakdown = 0;
        rc = ssb_cell_run_protocol(ctx, cell, protocol, &rp, res);
    }
    ssb_cell_destroy(&cell);
    ssb_cell_params_destroy(&p);
    return rc;
}

/* Discharge capacity of a cycle: the charge of its discharging steps. */
static int discharge_capacity(ssb_ctx *ctx, const ssb_cell_result *res, double *Q)
{
    *Q = 0;
    for (int i = 0; i < ssb_cell_result_nsteps(res); i++) {
        ssb_cell_step_result s;
        SSB_CHECK(ctx, ssb_cell_result_step(ctx, res, i, &s));
        if (s.capacity > 0)
            *Q += s.capacity;
    }
    return SSB_OK;
}

/* Advance the interphases over the potential history of a run (+ a rest at the last voltage). */
static void advance_states(const ssb_iface_ageing *ag, const ssb_cell_result *res, double T, double U_neg, double rest,
                           age_state *s)
{
    int n = ssb_cell_result_npoints(res);
    const double *t = ssb_cell_result_series(res, SSB_CELL_T), *V = ssb_cell_result_series(res, SSB_CELL_V);
    double tau[SSB_IFACE_NSITES] = {0, 0, 0};
    for (int i = 0; i + 1 < n; i++) {
        double dt = t[i + 1] - t[i], U = 0.5 * (V[i] + V[i + 1]) + U_neg;
        for (int k = 0; k < SSB_IFACE_NSITES; k++)
            if (ag->site[k].enabled)
                tau[k] += dt * ssb_iface_rate_factor(&ag->site[k].growth, k == SSB_IFACE_NEG ? U_neg : U, T);
    }
    if (rest > 0 && n > 0)
        for (int k = 0; k < SSB_IFACE_NSITES; k++)
            if (ag->site[k].enabled)
                tau[k] += rest * ssb_iface_rate_factor(&ag->site[k].growth,
                                                       k == SSB_IFACE_NEG ? U_neg : V[n - 1] + U_neg, T);
    for (int k = 0; k < SSB_IFACE_NSITES; k++)
        if (ag->site[k].enabled)
            ssb_iface_state_advance(&ag->site[k].growth, &ag->site[k].coating, &s->st[k], tau[k]);
    s->tau_neg = tau[SSB_IFACE_NEG];
}

void ssb_iface_cycle_result_destroy(ssb_iface_cycle_result *r)
{
    if (!r)
        return;
    free(r->capacity);
    free(r->retention);
    free(r->R_pos);
    free(r->R_neg);
    free(r->a_pos);
    free(r->li_interphase);
    free(r->li_inventory);
    for (int k = 0; k < SSB_IFACE_NSITES; k++)
        free(r->thickness[k]);
    free(r->li_contact);
    free(r->cam_active);
    free(r->cam_intact);
    free(r->cam_kept);
    free(r->crack_strain);
    free(r->neg_active);
    free(r->li_trapped);
    free(r->stack_pressure);
    free(r->li_sei_regrowth);
    free(r->neg_intact);
    memset(r, 0, sizeof *r);
}

/* Fade split: switch the mechanisms from the first cycle's state to the last cycle's starting state one at a time
 * (enum order); the differences add up to capacity[0] - capacity[n-1]. */
static int fade_split(ssb_ctx *ctx, const ssb_cell_params *cell, const ssb_iface_ageing *ag, const age_base *b,
                      const char *protocol, const age_state *first, const age_state *last,
                      ssb_iface_cycle_result *res)
{
    const age_state *sts[SSB_IFACE_NMECH];
    for (int m = 0; m < SSB_IFACE_NMECH; m++)
        sts[m] = first;
    ssb_cell_values vprev;
    SSB_CHECK(ctx, apply_mechanisms(ctx, ag, b, sts, &vprev));
    double Qprev = res->capacity[0];
    for (int m = 0; m < SSB_IFACE_NMECH; m++) {
        sts[m] = last;
        ssb_cell_values v;
        SSB_CHECK(ctx, apply_mechanisms(ctx, ag, b, sts, &v));
        double Q = Qprev;
        if (memcmp(&v, &vprev, sizeof v) != 0) {
            ssb_cell_result *r = NULL;
            SSB_CHECK(ctx, run_cycle(ctx, cell, &v, protocol, &r));
            int rc = discharge_capacity(ctx, r, &Q);
            ssb_cell_result_destroy(&r);
            SSB_CHECK(ctx, rc);
        }
        res->fade[m] = Qprev - Q;
        Qprev = Q;
        vprev = v;
    }
    return SSB_OK;
}

/* Per-cycle arrays of n entries (zeroed); SSB_ERR_NOMEM frees them. */
static int alloc_result(ssb_ctx *ctx, int n, ssb_iface_cycle_result *res)
{
    double **arrs[] = {&res->capacity,   &res->retention,  &res->R_pos,        &res->R_neg,      &res->a_pos,
                       &res->li_interphase, &res->li_inventory, &res->li_contact, &res->cam_active,
                       &res->cam_intact, &res->cam_kept,   &res->crack_strain, &res->neg_active, &res->li_trapped,
                       &res->stack_pressure, &res->thickness[0], &res->thickness[1], &res->thickness[2],
                       &res->li_sei_regrowth, &res->neg_intact};
    int ok = 1;
    for (size_t k = 0; k < sizeof arrs / sizeof arrs[0]; k++)
        ok = ok && (*arrs[k] = calloc((size_t)n, sizeof(double))) != NULL;
    if (!ok) {
        ssb_iface_cycle_result_destroy(res);
        return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory (%d cycles)", n);
    }
    return SSB_OK;
}

int ssb_iface_cycle_run(ssb_ctx *ctx, const ssb_cell_params *cell, const ssb_iface_ageing *ag,
                        const ssb_iface_cycle_params *cp, ssb_iface_cycle_result *res)
{
    SSB_REQUIRE(ctx, cell && ag && cp && res, SSB_ERR_ARG, "ssb_iface_cycle_run: NULL argument");
    memset(res, 0, sizeof *res);
    SSB_REQUIRE(ctx, cp->cycles >= 1 && cp->cycles <= 1000000, SSB_ERR_RANGE, "cycles = %d, must be in [1, 1e6]",
                cp->cycles);
    SSB_REQUIRE(ctx, cp->crate_discharge > 0 && cp->crate_charge > 0 && isfinite(cp->crate_discharge) &&
                         isfinite(cp->crate_charge),
                SSB_ERR_RANGE, "C-rates %g / %g, must be > 0", cp->crate_discharge, cp->crate_charge);
    SSB_REQUIRE(ctx, cp->v_min < cp->v_max, SSB_ERR_RANGE, "cut-offs %g V / %g V: the lower must be below the upper",
                cp->v_min, cp->v_max);
    SSB_REQUIRE(ctx, isfinite(cp->rest) && cp->rest >= 0, SSB_ERR_RANGE, "rest %g s, must be >= 0", cp->rest);
    for (int k = 0; k < SSB_IFACE_NSITES; k++)
        if (ag->site[k].enabled) {
            SSB_CHECK(ctx, ssb_iface_growth_check(ctx, &ag->site[k].growth));
            SSB_CHECK(ctx, ssb_iface_coating_check(ctx, &ag->site[k].coating));
        }
    age_base b;
    memset(&b, 0, sizeof b);
    ssb_cell_params_get_values(cell, &b.v0);
    ssb_cell_derived d;
    SSB_CHECK(ctx, ssb_cell_params_derive(ctx, cell, &d));
    /* keep the C-rate definition fixed while the cell ages */
    b.v0.cell.nominal_capacity = d.nominal_capacity;
    b.a0 = d.a_pos;
    b.sig_i0 = d.sigma_i_eff_pos;
    b.L_pos = b.v0.pos.thickness;
    b.eps_se = b.v0.pos.eps_electrolyte;
    if (isnan(b.eps_se)) { /* the remainder of the other fractions, as the cell model derives it */
        const ssb_cell_electrode *e = &b.v0.pos;
        double other = 0;
        const double f[] = {e->eps_active, e->eps_active_dead, e->eps_inert, e->porosity};
        for (int i = 0; i < 4; i++)
            other += isfinite(f[i]) ? f[i] : 0.0;
        b.eps_se = 1.0 - other;
    }
    b.area[SSB_IFACE_POS] = d.a_pos * b.L_pos;
    b.area[SSB_IFACE_CARBON] = ag->site[SSB_IFACE_CARBON].area_per_volume * b.L_pos;
    double U_neg = 0;
    /* the negative electrode's lithium as the cell model counts it (a 1 s rest of the fresh cell) */
    {
        ssb_cell_result *r0 = NULL;
        SSB_CHECK(ctx, run_cycle(ctx, cell, &b.v0, "Rest for 1 s", &r0));
        int rc0 = ssb_cell_result_lithium(ctx, r0, 0, NULL, &b.n_neg0, NULL);
        ssb_cell_result_destroy(&r0);
        SSB_CHECK(ctx, rc0);
    }
    if (b.v0.anode == SSB_CELL_ANODE_LI_METAL) {
        b.area[SSB_IFACE_NEG] = 1.0;
        b.vm_li = b.n_neg0 > 0 ? b.v0.li.thickness / b.n_neg0 : 0.0;
    } else {
        b.area[SSB_IFACE_NEG] = d.a_neg * b.v0.neg.thickness;
        b.neg_cap = b.n_neg0 / b.v0.neg.sto_init;
        double y;
        SSB_CHECK(ctx, ssb_cell_params_eval_fn(ctx, cell, SSB_CELL_FN_OCV_NEG, b.v0.neg.sto_init, &y, NULL));
        U_neg = y;
    }
    /* the rate factor of the cathode side sees the cathode potential vs Li: V + U_neg */
    char protocol[4096];
    int len = snprintf(protocol, sizeof protocol, "Discharge at %.10gC until %.10g V; Charge at %.10gC until %.10g V",
                       cp->crate_discharge, cp->v_min, cp->crate_charge, cp->v_max);
    if (cp->hold_crate > 0)
        snprintf(protocol + len, sizeof protocol - (size_t)len, "; Hold at %.10g V until %.10gC", cp->v_max,
                 cp->hold_crate);
    if (cp->protocol) {
        ssb_cell_protocol *pr = NULL;
        SSB_CHECK(ctx, ssb_cell_protocol_parse(ctx, cp->protocol, &pr));
        ssb_cell_protocol_destroy(&pr);
        SSB_REQUIRE(ctx, strlen(cp->protocol) < sizeof protocol, SSB_ERR_RANGE, "cycle protocol longer than %zu characters",
                    sizeof protocol - 1);
        snprintf(protocol, sizeof protocol, "%s", cp->protocol);
    }
    int n = cp->cycles, rc = SSB_OK;
    SSB_CHECK(ctx, alloc_result(ctx, n, res));
    age_state first, cur, last_start;
    for (int k = 0; k < SSB_IFACE_NSITES; k++)
        first.st[k] = ssb_iface_state_initial(&ag->site[k].growth);
    first.li_phi = first.li_phi_end = first.cam_active = first.cam_intact = first.neg_active = 1.0;
    first.neg_trapped = first.neg_sei = first.tau_neg = 0.0;
    first.neg_intact = 1.0;
    first.neg_crack_trapped = first.neg_crack_sei = 0.0;
    cur = first;
    last_start = first;
    double T = b.v0.cell.T, t_total = 0;
    for (int c = 0; c < n; c++) {
        const age_state *sts[SSB_IFACE_NMECH];
        for (int m = 0; m < SSB_IFACE_NMECH; m++)
            sts[m] = &cur;
        ssb_cell_values v;
        ssb_cell_result *r = NULL;
        SSB_CHECK_GOTO(ctx, rc, apply_mechanisms(ctx, ag, &b, sts, &v), fail);
        res->R_pos[c] = v.pos.R_interface;
        res->R_neg[c] = b.v0.anode == SSB_CELL_ANODE_LI_METAL ? v.li.R_interface : v.neg.R_interface;
        res->a_pos[c] = v.pos.area_per_volume;
        res->li_contact[c] = ag->mech.li_contact ? cur.li_phi : 1.0;
        res->cam_active[c] = cur.cam_active;
        res->cam_intact[c] = cur.cam_intact;
        res->neg_active[c] = cur.neg_active;
        res->li_trapped[c] = cur.neg_trapped + cur.neg_crack_trapped;
        res->li_sei_regrowth[c] = cur.neg_sei + cur.neg_crack_sei;
        res->neg_intact[c] = cur.neg_intact;
        res->li_interphase[c] = li_in_interphases(ag, &b, &cur);
        for (int k = 0; k < SSB_IFACE_NSITES; k++)
            res->thickness[k][c] =
                ag->site[k].enabled ? ssb_iface_state_volume(&ag->site[k].coating, &cur.st[k]) : 0.0;
        last_start = cur;
        SSB_CHECK_GOTO(ctx, rc, run_cycle(ctx, cell, &v, protocol, &r), fail);
        rc = discharge_capacity(ctx, r, &res->capacity[c]);
        if (!rc) /* cyclable Li of the negative as the cell model reports it */
            rc = ssb_cell_result_lithium(ctx, r, 0, NULL, &res->li_inventory[c], NULL);
        if (!rc) {
            const double *t = ssb_cell_result_series(r, SSB_CELL_T);
            t_total += t[ssb_cell_result_npoints(r) - 1] + cp->rest;
            advance_states(ag, r, T, U_neg, cp->rest, &cur);
            rc = advance_mech(ctx, cell, ag, &b, &v, r, cp->rest, fmax(cp->crate_discharge, cp->crate_charge), &cur,
                              &res->cam_kept[c], &res->crack_strain[c], &res->stack_pressure[c]);
        }
        ssb_cell_result_destroy(&r);
        if (rc)
            goto fail;
        res->retention[c] = res->capacity[c] / res->capacity[0];
        res->n = c + 1;
        SSB_CHECK_GOTO(ctx, rc, ssbi_progress(ctx, "cycle", c + 1, n), fail);
    }
    res->hours = t_total / SSBI_HOUR;
    res->fade_total = res->capacity[0] - res->capacity[n - 1];
    res->li_lost = res->li_inventory[0] - res->li_inventory[n - 1];
    if (n >= 2)
        SSB_CHECK_GOTO(ctx, rc, fade_split(ctx, cell, ag, &b, protocol, &first, &last_start, res), fail);
    return SSB_OK;
fail:
    ssb_iface_cycle_result_destroy(res);
    return rc;
}
