/* fuzz_partiql.c - PartiQL statements against arbitrary text.
 *
 * The first byte picks a key schema (hash only, hash and range, numeric
 * hash with binary range) and, when its top bit is set, reads the rest as
 * a NextToken instead. A statement that parses is compiled as ddbd would
 * compile it (its '?' bound to fixed parameters, cycling), and what the
 * compiler generates is handed to the expression module as the
 * operations would: the WHERE clause parsed and evaluated against a fixed
 * item and a missing one, a write's condition and update parsed and the
 * update applied. Invariants that abort on failure: an error always has a
 * message, the compiler's own text is never a syntax error to the
 * expression module, a key it extracts has the schema's attributes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "expr/expr.h"
#include "partiql/partiql.h"

#include "fuzz.h"

static const char *const param_json[] = {"{\"S\":\"a\"}", "{\"N\":\"1\"}", "{\"L\":[{\"S\":\"x\"}]}",
                                         "{\"B\":\"AQI=\"}", "{\"M\":{\"k\":{\"BOOL\":true}}}"};
static const char item_json[] =
    "{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"},\"n\":{\"N\":\"5\"},\"s\":{\"S\":\"abc\"},"
    "\"l\":{\"L\":[{\"N\":\"1\"},{\"M\":{\"x\":{\"S\":\"y\"}}}]},\"m\":{\"M\":{\"a\":{\"SS\":[\"p\",\"q\"]}}},"
    "\"z\":{\"NULL\":true}}";

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

/* Text the compiler made: the expression module may refuse it for what it
 * says (types, functions, sizes), never for how it is written. */
static void check_generated(int rc, const err_t *e)
{
    check_failed(rc, e);
    if (rc == 0)
        return;
    /* "Invalid ConditionExpression: Syntax error; ...": what follows the
     * kind, not anywhere (a quoted value may say "Syntax error") */
    const char *what = strstr(e->msg, "Expression: ");
    if (what) {
        what += strlen("Expression: ");
        FUZZ_ASSERT(strncmp(what, "Syntax error", 12) != 0 && strncmp(what, "The expression has redundant", 28) != 0);
    }
}

static int ctx_of(expr_ctx_t *x, arena_t *a, const pq_names_t *n, err_t *e)
{
    return expr_ctx_init(x, a, json_object_size(n->names) ? n->names : NULL,
                         json_object_size(n->values) ? n->values : NULL, e);
}

static void run_condition(arena_t *a, const pq_names_t *n, const char *text, const value_t *item)
{
    if (!text)
        return;
    err_t e;
    err_clear(&e);
    expr_ctx_t x;
    expr_node_t *cond = NULL;
    int rc = ctx_of(&x, a, n, &e);
    if (rc == 0)
        rc = expr_parse_condition(&x, EXPR_CONDITION, str_from_cstr(text), &cond, &e);
    check_generated(rc, &e);
    bool r;
    if (rc == 0) {
        FUZZ_ASSERT(expr_eval(cond, item, &r, &e) == 0);
        FUZZ_ASSERT(expr_eval(cond, NULL, &r, &e) == 0);
    }
}

static void run_write(arena_t *a, const pq_ctx_t *c, const key_schema_t *ks, const value_t *item)
{
    pq_write_t w;
    int rc = pq_plan_write(c, ks, &w);
    check_failed(rc, c->err);
    if (rc == 0) {
        FUZZ_ASSERT(w.item || (w.key && json_object_get(w.key, arena_cstr(a, ks->hash.name))));
        run_condition(a, &w.names, w.condition, item);
        if (w.update) {
            err_t e;
            err_clear(&e);
            expr_ctx_t x;
            expr_update_t *u;
            rc = ctx_of(&x, a, &w.names, &e);
            if (rc == 0)
                rc = expr_parse_update(&x, str_from_cstr(w.update), &u, &e);
            check_generated(rc, &e);
            value_t out;
            err_clear(&e);
            if (rc == 0)
                check_failed(expr_update_apply(a, u, item, &out, &e), &e);
        }
    }
    pq_write_free(&w);
}

static void run_select(arena_t *a, const pq_ctx_t *c, const key_schema_t *ks, const value_t *item)
{
    const char **names;
    if (!c->stmt->star && pq_projection_names(c, &names) == 0)
        for (uint32_t i = 0; i < c->stmt->nproj; i++)
            (void)pq_path_get(c->stmt->proj[i], item);
    err_clear(c->err);
    pq_select_t s;
    int rc = pq_plan_select(c, ks, &s);
    check_failed(rc, c->err);
    if (rc == 0) {
        for (uint32_t i = 0; i < s.nkeys; i++) {
            pq_names_t x;
            pq_names_init(&x);
            buf_t kc = BUF_INIT;
            pq_key_condition(&s, ks, i, &x, &kc);
            err_t e;
            err_clear(&e);
            expr_ctx_t ec;
            expr_node_t *n = NULL;
            char *text = arena_cstr(a, (str_t){kc.data, kc.len});
            int krc = ctx_of(&ec, a, &x, &e);
            if (krc == 0)
                krc = expr_parse_condition(&ec, EXPR_KEY_CONDITION, str_from_cstr(text), &n, &e);
            check_generated(krc, &e);
            buf_free(&kc);
            pq_names_free(&x);
        }
        run_condition(a, &s.filter_names, s.filter, item);
    }
    pq_select_free(&s);
}

static void run_token(arena_t *a, str_t text)
{
    err_t e;
    err_clear(&e);
    uint32_t idx;
    value_t key;
    bool has;
    int rc = pq_token_read(a, text, 42, &idx, &key, &has, &e);
    FUZZ_ASSERT(rc == -1 && strcmp(e.msg, "Invalid NextToken") == 0); /* nobody can forge one */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 4 * PQ_MAX_STATEMENT)
        return 0;
    static const key_schema_t schemas[] = {
        {{STR_LIT("pk"), VT_S}, {STR_NULL, VT_NONE}},
        {{STR_LIT("pk"), VT_S}, {STR_LIT("sk"), VT_N}},
        {{STR_LIT("n"), VT_N}, {STR_LIT("b"), VT_B}},
    };
    const key_schema_t *ks = &schemas[(data[0] & 0x7f) % 3];
    str_t text = {(const char *)data + 1, size - 1};
    arena_t a;
    arena_init(&a);
    if (data[0] & 0x80) {
        run_token(&a, text);
        arena_free(&a);
        return 0;
    }
    err_t e;
    err_clear(&e);
    pq_stmt_t *s = NULL;
    int rc = pq_parse(&a, text, &s, &e);
    check_failed(rc, &e);
    if (rc == 0) {
        json_t *itemj = load(item_json), *params = json_array();
        for (uint32_t i = 0; i < s->nparams && i < 1000; i++)
            json_array_append_new(params, load(param_json[i % 5]));
        value_t item;
        FUZZ_ASSERT(item_from_json(&a, itemj, &item, &e) == 0);
        pq_ctx_t c = {&a, s, params, &e};
        if (s->nparams <= 1000) {
            if (pq_is_write(s))
                run_write(&a, &c, ks, &item);
            else
                run_select(&a, &c, ks, &item);
        }
        json_decref(itemj);
        json_decref(params);
    } else {
        FUZZ_ASSERT(s == NULL);
    }
    arena_free(&a);
    return 0;
}
