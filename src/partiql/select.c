/* select.c - a SELECT as Queries or a Scan, and its projection.
 *
 * With an equality on the partition key (or IN, or an OR of equalities)
 * the SELECT is one Query per key value, in the order written (sorted
 * when ORDER BY names the partition key); the first sort-key condition
 * among the top-level ANDs (=, <, <=, >, >=, BETWEEN, begins_with) is the
 * Queries' too. Otherwise it is a Scan. The whole WHERE clause is then
 * evaluated on every row read, as DynamoDB's filter: the key conditions
 * again (harmlessly) and everything else. */
#include <stdlib.h>
#include <string.h>

#include "partiql/partiql_internal.h"

typedef struct keyset {
    const pq_node_t **v;
    uint32_t n;
} keyset_t;

/* pk = v, pk IN [v, ...], or pk = v OR pk = w ...: the value nodes. */
static bool partition_values(arena_t *a, const pq_node_t *n, str_t pk, keyset_t *out)
{
    const pq_node_t *v = pq__equality_on(n, pk);
    if (v) {
        out->v = arena_alloc(a, sizeof *out->v);
        out->v[0] = v;
        out->n = 1;
        return true;
    }
    if (n->kind == PQ_N_IN && !n->flag && pq__is_attr(n->args[0], pk) && n->args[1]->kind == PQ_N_LIST &&
        n->args[1]->nargs) {
        const pq_node_t *l = n->args[1];
        for (uint32_t i = 0; i < l->nargs; i++)
            if (!pq__is_value_node(l->args[i]))
                return false;
        out->v = (const pq_node_t **)l->args;
        out->n = l->nargs;
        return true;
    }
    if (n->kind == PQ_N_OR) {
        out->v = arena_alloc(a, n->nargs * sizeof *out->v);
        for (uint32_t i = 0; i < n->nargs; i++)
            if (!(out->v[i] = pq__equality_on(n->args[i], pk)))
                return false;
        out->n = n->nargs;
        return true;
    }
    return false;
}

/* The partition key values, distinct, type-checked. */
static int plan_keys(const pq_ctx_t *c, const key_schema_t *ks, const keyset_t *k, pq_select_t *s)
{
    s->keys = arena_calloc(c->arena, k->n, sizeof *s->keys);
    for (uint32_t i = 0; i < k->n; i++) {
        json_t *v = pq_value(c, k->v[i]);
        if (!v || pq__key_type_check(c, &ks->hash, v)) {
            json_decref(v);
            return -1;
        }
        bool dup = false;
        for (uint32_t j = 0; j < s->nkeys && !dup; j++)
            dup = json_equal(s->keys[j], v);
        if (dup)
            json_decref(v);
        else
            s->keys[s->nkeys++] = v;
    }
    return 0;
}

static const int flipped[] = {PQ_EQ, PQ_NE, PQ_GT, PQ_GE, PQ_LT, PQ_LE};

/* The first sort-key condition a Query can use, if any. */
static int plan_sort(const pq_ctx_t *c, const key_schema_t *ks, const pq_node_t *const *cj, uint32_t n, pq_select_t *s)
{
    str_t sk = ks->range.name;
    for (uint32_t i = 0; i < n; i++) {
        const pq_node_t *x = cj[i], *lo = NULL, *hi = NULL;
        int op = -1;
        if (x->kind == PQ_N_CMP && x->op != PQ_NE) {
            if (pq__is_attr(x->args[0], sk) && pq__is_value_node(x->args[1]))
                op = x->op, lo = x->args[1];
            else if (pq__is_attr(x->args[1], sk) && pq__is_value_node(x->args[0]))
                op = flipped[x->op], lo = x->args[0];
        } else if (x->kind == PQ_N_BETWEEN && !x->flag && pq__is_attr(x->args[0], sk) &&
                   pq__is_value_node(x->args[1]) && pq__is_value_node(x->args[2])) {
            op = PQ_SORT_BETWEEN, lo = x->args[1], hi = x->args[2];
        } else if (x->kind == PQ_N_CALL && pq__word_is(x->text, "begins_with") && x->nargs == 2 &&
                   pq__is_attr(x->args[0], sk) && pq__is_value_node(x->args[1])) {
            op = PQ_SORT_BEGINS, lo = x->args[1];
        }
        if (op < 0)
            continue;
        s->sort_op = op;
        if (!(s->sort_lo = pq_value(c, lo)) || (hi && !(s->sort_hi = pq_value(c, hi))))
            return -1;
        if (op == PQ_SORT_BEGINS)
            return 0; /* its operand's type is the Query's to check */
        if (pq__key_type_check(c, &ks->range, s->sort_lo) ||
            (s->sort_hi && pq__key_type_check(c, &ks->range, s->sort_hi)))
            return -1;
        return 0;
    }
    return 0;
}

typedef struct key_order {
    const json_t *const *keys;
    bool desc;
} key_order_t;

static int cmp_keys(const void *a, const void *b, void *ud)
{
    const key_order_t *o = ud;
    arena_t ar;
    arena_init(&ar);
    err_t e;
    err_clear(&e);
    value_t x, y;
    int c = 0;
    if (!value_from_json(&ar, *(json_t *const *)a, &x, &e) && !value_from_json(&ar, *(json_t *const *)b, &y, &e))
        c = value_cmp(&x, &y);
    arena_free(&ar);
    return o->desc ? -c : c;
}

static int plan_order(const pq_ctx_t *c, const key_schema_t *ks, pq_select_t *s)
{
    const pq_stmt_t *st = c->stmt;
    if (!st->norder)
        return 0;
    if (!st->where)
        return err_set(c->err, ERR_VALIDATION, "Must have WHERE clause in the statement when using ORDER BY clause.");
    for (uint32_t i = 0; i < st->norder; i++) {
        const pq_node_t *k = st->order[i].key;
        bool hash = pq__is_attr(k, ks->hash.name), range = ks->range.name.len && pq__is_attr(k, ks->range.name);
        if (!hash && !range)
            return err_set(c->err, ERR_VALIDATION,
                           "Variable reference %.*s in ORDER BY clause must be part of the primary key",
                           STR_FMT(k->steps[0].name));
        if (!s->nkeys)
            return err_set(c->err, ERR_VALIDATION,
                           "Must have at least one non-optional hash key condition in WHERE clause when using ORDER "
                           "BY clause.");
        if (range) {
            s->forward = !st->order[i].desc;
        } else {
            key_order_t o = {(const json_t *const *)s->keys, st->order[i].desc};
            qsort_r(s->keys, s->nkeys, sizeof *s->keys, cmp_keys, &o);
        }
    }
    return 0;
}

int pq_plan_select(const pq_ctx_t *c, const key_schema_t *ks, pq_select_t *s)
{
    memset(s, 0, sizeof *s);
    s->sort_op = -1;
    s->forward = true;
    pq_names_init(&s->filter_names);
    const pq_node_t *w = c->stmt->where;
    const pq_node_t *const *cj = &w;
    uint32_t n = w ? 1 : 0;
    if (w && w->kind == PQ_N_AND)
        cj = (const pq_node_t *const *)w->args, n = w->nargs;
    keyset_t k = {0};
    for (uint32_t i = 0; i < n && !k.n; i++)
        partition_values(c->arena, cj[i], ks->hash.name, &k);
    if (k.n && plan_keys(c, ks, &k, s))
        return -1;
    if (s->nkeys && key_schema_has_range(ks) && plan_sort(c, ks, cj, n, s))
        return -1;
    if (plan_order(c, ks, s))
        return -1;
    if (!w)
        return 0;
    buf_t b = BUF_INIT;
    int rc = pq_condition(c, &s->filter_names, w, &b);
    s->filter = arena_cstr(c->arena, (str_t){b.data, b.len});
    buf_free(&b);
    return rc;
}

void pq_select_free(pq_select_t *s)
{
    for (uint32_t i = 0; i < s->nkeys; i++)
        json_decref(s->keys[i]);
    json_decref(s->sort_lo);
    json_decref(s->sort_hi);
    pq_names_free(&s->filter_names);
    memset(s, 0, sizeof *s);
}

void pq_key_condition(const pq_select_t *s, const key_schema_t *ks, uint32_t i, pq_names_t *x, buf_t *out)
{
    static const char *const ops[] = {" = ", " <> ", " < ", " <= ", " > ", " >= "};
    pq_node_t hk = {.kind = PQ_N_PATH, .steps = &(pq_step_t){PQ_STEP_NAME, ks->hash.name, 0}, .nsteps = 1};
    pq_node_t rk = {.kind = PQ_N_PATH, .steps = &(pq_step_t){PQ_STEP_NAME, ks->range.name, 0}, .nsteps = 1};
    pq_ctx_t c = {0}; /* the paths are plain names: nothing can fail */
    err_t e;
    err_clear(&e);
    c.err = &e;
    pq_path_text(&c, x, &hk, out);
    buf_puts(out, " = ");
    pq_value_text(x, json_incref(s->keys[i]), out);
    if (s->sort_op < 0)
        return;
    buf_puts(out, " AND ");
    if (s->sort_op == PQ_SORT_BEGINS) {
        buf_puts(out, "begins_with(");
        pq_path_text(&c, x, &rk, out);
        buf_puts(out, ", ");
        pq_value_text(x, json_incref(s->sort_lo), out);
        buf_putc(out, ')');
        return;
    }
    pq_path_text(&c, x, &rk, out);
    buf_puts(out, s->sort_op == PQ_SORT_BETWEEN ? " BETWEEN " : ops[s->sort_op]);
    pq_value_text(x, json_incref(s->sort_lo), out);
    if (s->sort_op == PQ_SORT_BETWEEN) {
        buf_puts(out, " AND ");
        pq_value_text(x, json_incref(s->sort_hi), out);
    }
}

/* ---- projection ------------------------------------------------------------------------------ */

/* "c" for a.b.c; "b[2]" for a.b[2]: the last name and the indexes after it. */
static const char *row_name(arena_t *a, const pq_node_t *p)
{
    uint32_t last = 0;
    for (uint32_t i = 0; i < p->nsteps; i++)
        if (p->steps[i].kind == PQ_STEP_NAME)
            last = i;
    buf_t b = BUF_INIT;
    buf_append(&b, p->steps[last].name.ptr, p->steps[last].name.len);
    for (uint32_t i = last + 1; i < p->nsteps; i++)
        buf_printf(&b, "[%u]", p->steps[i].index);
    char *s = arena_cstr(a, (str_t){b.data ? b.data : "", b.len});
    buf_free(&b);
    return s;
}

int pq_projection_names(const pq_ctx_t *c, const char ***names)
{
    const pq_stmt_t *s = c->stmt;
    const char **out = arena_calloc(c->arena, s->nproj ? s->nproj : 1, sizeof *out);
    for (uint32_t i = 0; i < s->nproj; i++) {
        const pq_node_t *p = s->proj[i];
        if (p->kind != PQ_N_PATH)
            return err_set(c->err, ERR_VALIDATION, "Unexpected path component");
        for (uint32_t j = 0; j < p->nsteps; j++)
            if (p->steps[j].kind == PQ_STEP_WILD)
                return err_set(c->err, ERR_VALIDATION, "Changing item's hierarchy while reading isn't supported");
        out[i] = row_name(c->arena, p);
        for (uint32_t j = 0; j < i; j++)
            if (!strcmp(out[j], out[i]))
                return err_set(c->err, ERR_VALIDATION, "Duplicate identifiers in select clause: %s", out[i]);
    }
    *names = out;
    return 0;
}

const value_t *pq_path_get(const pq_node_t *path, const value_t *item)
{
    const value_t *v = item;
    for (uint32_t i = 0; i < path->nsteps && v; i++) {
        const pq_step_t *s = &path->steps[i];
        if (s->kind == PQ_STEP_NAME)
            v = v->type == VT_M ? item_get(v, s->name) : NULL;
        else if (s->kind == PQ_STEP_INDEX)
            v = v->type == VT_L && s->index < v->l.n ? &v->l.v[s->index] : NULL;
        else
            v = NULL;
    }
    return v;
}
