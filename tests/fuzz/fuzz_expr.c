/* fuzz_expr.c - the expression language against arbitrary text.
 *
 * The first byte picks the kind (condition, filter, key condition, update,
 * projection); the rest is the expression. It is parsed with fixed
 * ExpressionAttributeNames/Values; whatever parses is then used as a
 * request would use it: evaluated against a fixed item and a missing one,
 * applied, projected, or analysed against a key schema. Invariants that
 * must hold abort on failure: an error always has a message, a failed
 * parse hands back no tree, an update of a map gives a map, a projection
 * never grows the item. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "expr/expr.h"

#include "fuzz.h"

static const char names_json[] = "{\"#a\":\"a\",\"#b\":\"b.c\",\"#k\":\"pk\",\"#r\":\"sk\",\"#l\":\"l\",\"#m\":\"m\"}";
static const char values_json[] =
    "{\":s\":{\"S\":\"abc\"},\":e\":{\"S\":\"\"},\":n\":{\"N\":\"5\"},\":m1\":{\"N\":\"-1E-130\"},"
    "\":big\":{\"N\":\"9.9999999999999999999999999999999999999E+125\"},\":b\":{\"B\":\"AQI=\"},"
    "\":t\":{\"BOOL\":true},\":z\":{\"NULL\":true},\":l\":{\"L\":[{\"S\":\"x\"},{\"N\":\"1\"}]},"
    "\":m\":{\"M\":{\"x\":{\"N\":\"1\"}}},\":ss\":{\"SS\":[\"abc\",\"d\"]},\":ns\":{\"NS\":[\"1\",\"2\"]},"
    "\":bs\":{\"BS\":[\"AQ==\"]},\":ty\":{\"S\":\"SS\"}}";
static const char item_json[] =
    "{\"pk\":{\"S\":\"k\"},\"sk\":{\"N\":\"1\"},\"a\":{\"S\":\"abc\"},\"n\":{\"N\":\"5\"},\"b\":{\"B\":\"AQID\"},"
    "\"l\":{\"L\":[{\"N\":\"1\"},{\"S\":\"abc\"},{\"L\":[{\"N\":\"1\"}]},{\"M\":{\"x\":{\"N\":\"1\"}}}]},"
    "\"m\":{\"M\":{\"x\":{\"N\":\"1\"},\"s\":{\"S\":\"abc\"},\"l\":{\"L\":[]}}},\"ss\":{\"SS\":[\"abc\",\"d\"]},"
    "\"ns\":{\"NS\":[\"1\",\"2\"]},\"t\":{\"BOOL\":false},\"z\":{\"NULL\":true}}";

static json_t *load(const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    FUZZ_ASSERT(j != NULL);
    return j;
}

static void check_failed(int rc, const err_t *e)
{
    if (rc != 0)
        FUZZ_ASSERT(e->code != ERR_NONE && e->msg[0] != '\0');
}

static void run_condition(arena_t *a, expr_ctx_t *c, expr_kind_t kind, str_t text, const value_t *item)
{
    err_t e;
    err_clear(&e);
    expr_node_t *n = NULL;
    int rc = expr_parse_condition(c, kind, text, &n, &e);
    check_failed(rc, &e);
    if (rc != 0) {
        FUZZ_ASSERT(n == NULL);
        return;
    }
    bool r1, r2;
    FUZZ_ASSERT(expr_eval(n, item, &r1, &e) == 0);
    FUZZ_ASSERT(expr_eval(n, NULL, &r2, &e) == 0);
    if (kind == EXPR_KEY_CONDITION) {
        key_schema_t ks = {{STR_LIT("pk"), VT_S}, {STR_LIT("sk"), VT_N}};
        key_cond_t kc;
        err_clear(&e);
        rc = expr_key_condition(n, &ks, &kc, &e);
        check_failed(rc, &e);
        if (rc == 0)
            FUZZ_ASSERT(kc.hash && kc.hash->type == VT_S);
    }
    (void)a;
}

static void run_update(arena_t *a, expr_ctx_t *c, str_t text, const value_t *item)
{
    err_t e;
    err_clear(&e);
    expr_update_t *u = NULL;
    int rc = expr_parse_update(c, text, &u, &e);
    check_failed(rc, &e);
    if (rc != 0)
        return;
    (void)expr_update_touches(u, STR_LIT("pk"));
    const expr_projection_t *paths = expr_update_paths(u);
    value_t out;
    err_clear(&e);
    rc = expr_update_apply(a, u, item, &out, &e);
    check_failed(rc, &e);
    if (rc == 0) {
        FUZZ_ASSERT(out.type == VT_M);
        value_t shown = expr_project(a, &out, paths);
        FUZZ_ASSERT(shown.type == VT_M);
    }
    err_clear(&e);
    rc = expr_update_apply(a, u, NULL, &out, &e);
    check_failed(rc, &e);
}

static void run_projection(arena_t *a, expr_ctx_t *c, str_t text, const value_t *item)
{
    err_t e;
    err_clear(&e);
    expr_projection_t p;
    int rc = expr_parse_projection(c, text, &p, &e);
    check_failed(rc, &e);
    if (rc != 0)
        return;
    value_t out = expr_project(a, item, &p);
    FUZZ_ASSERT(out.type == VT_M && out.m.n <= item->m.n);
    FUZZ_ASSERT(item_size(&out) <= item_size(item));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const expr_kind_t kinds[] = {EXPR_CONDITION, EXPR_FILTER, EXPR_KEY_CONDITION, EXPR_UPDATE, EXPR_PROJECTION};
    expr_kind_t kind = kinds[data[0] % 5];
    str_t text = {(const char *)data + 1, size - 1};

    arena_t a;
    arena_init(&a);
    json_t *names = load(names_json), *values = load(values_json), *itemj = load(item_json);
    err_t e;
    err_clear(&e);
    value_t item;
    FUZZ_ASSERT(item_from_json(&a, itemj, &item, &e) == 0);
    expr_ctx_t c;
    FUZZ_ASSERT(expr_ctx_init(&c, &a, names, kind == EXPR_PROJECTION ? NULL : values, &e) == 0);

    if (kind == EXPR_UPDATE)
        run_update(&a, &c, text, &item);
    else if (kind == EXPR_PROJECTION)
        run_projection(&a, &c, text, &item);
    else
        run_condition(&a, &c, kind, text, &item);
    err_clear(&e);
    check_failed(expr_check_unused(&c, &e), &e);

    json_decref(names);
    json_decref(values);
    json_decref(itemj);
    arena_free(&a);
    return 0;
}
