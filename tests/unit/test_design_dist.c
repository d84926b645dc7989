/* Unit tests of a design comparison split into shares (ssb_design_compare_shard, ssb_design_comparison_merge,
 * ssb_design_shard_owners; the job-array mode of `design compare --shard I/N` and `design merge`):
 * - the merge of 1, 2, 3 and 5 shares equals the one-process comparison bit for bit (every figure but the wall
 *   time, names, reused flags, ranks), whatever order the parts come in;
 * - each share evaluates exactly its own variants, every variant has one owner, and the balance puts the longest
 *   variants first onto the least loaded share (worked examples below);
 * - bad input: a shard out of range, a share missing or given twice, parts of other inputs (another C-rate), a part
 *   that lacks a variant it owns: each with its code and a message naming the part;
 * - the digest is FNV-1a 64 (published test vectors).
 * The cells use the Bruggeman relations (run.micro = 0) and a short power ladder: seconds. The structure-measuring
 * path runs in tests/mpi/test_dist_design.c and tests/cli/test_design_dist.sh. */
#include "testutil.h"

#include <ssbnet/ssb_design.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    ssb_ctx *ctx;
    ssb_materials *db;
    ssb_cell_params *cell;
    ssb_run_params rp;
    ssb_design_eval_params ep;
    ssb_design_choice ch[4];
    int nch;
} fixture;

static void add_choice(fixture *f, const char *name)
{
    ssb_design_choice *c = &f->ch[f->nch++];
    TU_OK(f->ctx, ssb_design_strategy_find(f->ctx, name, &c->strategy));
    for (int k = 0; k < SSB_DESIGN_MAX_PARAMS; k++)
        c->values[k] = NAN;
}

static int fx_setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f || tu_db_open(&f->ctx, &f->db, NULL, NULL) || ssb_cell_params_default(f->ctx, f->db, &f->cell) != SSB_OK)
        return -1;
    f->rp = ssb_run_params_default();
    f->rp.micro = 0;
    f->ep = ssb_design_eval_params_default();
    f->ep.npower = 2;
    f->ep.power_rates[0] = 0.5;
    f->ep.power_rates[1] = 2;
    add_choice(f, "thin_separator");
    add_choice(f, "pressure");
    add_choice(f, "coating");
    add_choice(f, "small_cam");
    f->ch[2].values[0] = 5; /* coating.thickness_nm */
    *state = f;
    return 0;
}

static int fx_teardown(void **state)
{
    fixture *f = *state;
    ssb_cell_params_destroy(&f->cell);
    tu_db_close(&f->ctx, &f->db, NULL, NULL);
    free(f);
    return 0;
}

static void assert_same_comparison(const ssb_design_comparison *a, const ssb_design_comparison *b)
{
    assert_int_equal(a->n, b->n);
    for (int i = 0; i < a->n; i++) {
        const ssb_design_variant *x = &a->v[i], *y = &b->v[i];
        assert_string_equal(x->name, y->name);
        assert_int_equal(x->reused, y->reused);
        assert_int_equal(x->ok, y->ok);
        assert_int_equal(x->rank, y->rank);
        assert_memory_equal(x->rank_by, y->rank_by, sizeof x->rank_by);
        ssb_design_metrics mx = x->m, my = y->m;
        mx.time_s = my.time_s = 0;
        assert_memory_equal(&mx, &my, sizeof mx); /* bit for bit */
    }
}

/* Shares merged = one process, for 1, 2, 3 and 5 shares (5 > 5 variants - 1: a share may hold nothing), parts in
   reverse order. */
static void test_shards_merge_equal_serial(void **state)
{
    fixture *f = *state;
    ssb_design_comparison serial = {0};
    TU_OK(f->ctx, ssb_design_compare(f->ctx, f->db, f->cell, &f->rp, &f->ep, f->nch, f->ch, &serial));
    assert_int_equal(serial.n, 5);
    assert_int_equal(serial.nshards, 1);
    const int counts[] = {1, 2, 3, 5};
    for (size_t t = 0; t < sizeof counts / sizeof counts[0]; t++) {
        const int N = counts[t];
        ssb_design_comparison parts[5];
        int seen[5] = {0};
        for (int k = 0; k < N; k++) {
            const int s = N - 1 - k;
            TU_OK(f->ctx, ssb_design_compare_shard(f->ctx, f->db, f->cell, &f->rp, &f->ep, f->nch, f->ch, s, N,
                                                   &parts[k]));
            assert_int_equal(parts[k].shard, s);
            assert_int_equal(parts[k].nshards, N);
            assert_true(parts[k].digest == serial.digest);
            for (int i = 0; i < parts[k].n; i++) {
                assert_int_equal(parts[k].v[i].evaluated, parts[k].v[i].owner == s); /* exactly its own */
                seen[i] += parts[k].v[i].evaluated;
            }
        }
        for (int i = 0; i < serial.n; i++)
            assert_int_equal(seen[i], 1); /* every variant evaluated once over the shares */
        ssb_design_comparison merged = {0};
        TU_OK(f->ctx, ssb_design_comparison_merge(f->ctx, N, parts, NULL, &merged));
        assert_int_equal(merged.nshards, 1);
        assert_same_comparison(&merged, &serial);
        ssb_design_comparison_destroy(&merged);
        for (int k = 0; k < N; k++)
            ssb_design_comparison_destroy(&parts[k]);
    }
    ssb_design_comparison_destroy(&serial);
}

/* The static balance, worked by hand with S = SSB_DESIGN_COST_STRUCTURE (> 1): a variant measuring its own structure
   costs 1 + S, one on the baseline's 1, plus S for a share's first one on the baseline's structure unless the
   structure is handed over (preload > 0). */
static void test_owners_balance(void **state)
{
    (void)state;
    const double S = SSB_DESIGN_COST_STRUCTURE;
    assert_true(S > 1);
    /* baseline + 2 own structures (1, 2) + 2 reusing (3, 4) over 2 shares, nothing handed over (loads after each):
       1 -> share 0 (1+S, 0), 2 -> share 1 (1+S, 1+S); the baseline measures the structure where it goes: -> share 0
       (2+2S, 1+S; a tie, the lowest), 3 -> share 1 (2+2S, 2+2S: 1+S+1+S against 2+2S+1), 4 -> share 0 (3+2S,
       2+2S: 3+2S against 3+2S, a tie) */
    const int reused[5] = {1, 0, 0, 1, 1};
    int owner[5];
    ssb_design_shard_owners(5, reused, 2, 0.0, owner);
    const int want[5] = {0, 0, 1, 1, 0};
    assert_memory_equal(owner, want, sizeof want);
    /* the same over 3 MPI ranks with the structure measured on rank 0 (preload S) and handed over: 1 -> rank 1
       (S, 1+S, 0), 2 -> rank 2 (S, 1+S, 1+S), baseline -> rank 0 (1+S, ...), 3 -> rank 0 (2+S: ties go lowest),
       4 -> rank 1 (2+S, 2+S, 1+S: ranks 1 and 2 tie at 2+S) */
    ssb_design_shard_owners(5, reused, 3, S, owner);
    const int want3[5] = {0, 1, 2, 0, 1};
    assert_memory_equal(owner, want3, sizeof want3);
    /* 4 variants over 3 ranks (tests/mpi/test_dist_design.c): the one measuring its own structure on rank 1, rank 0
       busy with the baseline's structure, the baseline and both on its structure on rank 2 (1, 2, 3 < 1 + S) */
    const int r4[4] = {1, 1, 0, 1};
    int o4[4];
    ssb_design_shard_owners(4, r4, 3, S, o4);
    const int want4[4] = {2, 2, 1, 2};
    assert_memory_equal(o4, want4, sizeof want4);
    /* all on the baseline's structure, handed over: round robin */
    const int all[6] = {1, 1, 1, 1, 1, 1};
    int o6[6];
    ssb_design_shard_owners(6, all, 3, 1e-9, o6); /* 1e-9: handed over, no real load on share 0 */
    const int rr[6] = {1, 2, 0, 1, 2, 0};
    assert_memory_equal(o6, rr, sizeof rr);
    /* one share: everything on it */
    ssb_design_shard_owners(5, reused, 1, 0.0, owner);
    for (int i = 0; i < 5; i++)
        assert_int_equal(owner[i], 0);
}

static void test_bad_shards(void **state)
{
    fixture *f = *state;
    ssb_design_comparison p = {0};
    assert_int_equal(ssb_design_compare_shard(f->ctx, f->db, f->cell, &f->rp, &f->ep, f->nch, f->ch, 3, 3, &p),
                     SSB_ERR_RANGE);
    assert_non_null(strstr(ssb_ctx_get_error(f->ctx), "shard 3 of 3 is out of range (valid: 0 to 2)"));
    assert_int_equal(ssb_design_compare_shard(f->ctx, f->db, f->cell, &f->rp, &f->ep, f->nch, f->ch, 0, 0, &p),
                     SSB_ERR_RANGE);
    assert_null(p.v);
    ssb_ctx_clear_error(f->ctx);

    ssb_design_comparison parts[3] = {{0}};
    for (int s = 0; s < 2; s++)
        TU_OK(f->ctx, ssb_design_compare_shard(f->ctx, f->db, f->cell, &f->rp, &f->ep, f->nch, f->ch, s, 2,
                                               &parts[s]));
    const char *names[3] = {"a.json", "b.json", "c.json"};
    ssb_design_comparison out = {0};
    /* missing */
    assert_int_equal(ssb_design_comparison_merge(f->ctx, 1, parts, names, &out), SSB_ERR_RANGE);
    assert_non_null(strstr(ssb_ctx_get_error(f->ctx), "shard 1 of 2 is missing"));
    /* twice */
    ssb_design_comparison twice[2] = {parts[0], parts[0]};
    assert_int_equal(ssb_design_comparison_merge(f->ctx, 2, twice, names, &out), SSB_ERR_RANGE);
    assert_non_null(strstr(ssb_ctx_get_error(f->ctx), "shard 0 of 2 is given twice: a.json and b.json"));
    /* other inputs: the same strategies at another C-rate */
    ssb_design_eval_params ep2 = f->ep;
    ep2.rate = 2;
    TU_OK(f->ctx, ssb_design_compare_shard(f->ctx, f->db, f->cell, &f->rp, &ep2, f->nch, f->ch, 1, 2, &parts[2]));
    assert_true(parts[2].digest != parts[0].digest);
    ssb_design_comparison mixed[2] = {parts[0], parts[2]};
    const char *mnames[2] = {"a.json", "c.json"};
    assert_int_equal(ssb_design_comparison_merge(f->ctx, 2, mixed, mnames, &out), SSB_ERR_ARG);
    assert_non_null(strstr(ssb_ctx_get_error(f->ctx), "c.json and a.json are not shares of one comparison"));
    /* a part that lacks a variant it owns */
    int lost = -1;
    for (int i = 0; i < parts[1].n && lost < 0; i++)
        if (parts[1].v[i].owner == 1)
            lost = i;
    assert_true(lost >= 0);
    parts[1].v[lost].evaluated = 0;
    assert_int_equal(ssb_design_comparison_merge(f->ctx, 2, parts, names, &out), SSB_ERR_ARG);
    assert_non_null(strstr(ssb_ctx_get_error(f->ctx), "b.json (shard 1) does not hold variant"));
    assert_null(out.v);
    for (int k = 0; k < 3; k++)
        ssb_design_comparison_destroy(&parts[k]);
}

/* FNV-1a 64 test vectors (Fowler, Noll, Vo; http://www.isthe.com/chongo/tech/comp/fnv/): "" -> cbf29ce484222325,
   "a" -> af63dc4c8601ec8c, "foobar" -> 85944171f73967e8; continuing a digest equals digesting the concatenation. */
static void test_digest_fnv1a(void **state)
{
    (void)state;
    assert_true(ssb_design_digest_mix(0, "", 0) == 0xcbf29ce484222325ULL);
    assert_true(ssb_design_digest_mix(0, "a", 1) == 0xaf63dc4c8601ec8cULL);
    assert_true(ssb_design_digest_mix(0, "foobar", 6) == 0x85944171f73967e8ULL);
    assert_true(ssb_design_digest_mix(ssb_design_digest_mix(0, "foo", 3), "bar", 3) == 0x85944171f73967e8ULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_shards_merge_equal_serial, fx_setup, fx_teardown),
        cmocka_unit_test(test_owners_balance),
        cmocka_unit_test_setup_teardown(test_bad_shards, fx_setup, fx_teardown),
        cmocka_unit_test(test_digest_fnv1a),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
