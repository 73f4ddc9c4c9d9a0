/* plan.c - what a statement asks of a table, in DynamoDB's terms.
 *
 * UPDATE, DELETE and EXISTS name one item: the WHERE clause must hold an
 * equality on every key attribute, and what else it says becomes the
 * write's condition. INSERT is a put that must not overwrite. A SELECT
 * with an equality (or IN, or OR of equalities) on the partition key is
 * one Query per key value, its sort-key condition the Query's; any other
 * SELECT is a Scan. Either way the whole WHERE clause is the filter. */
#include <stdlib.h>
#include <string.h>

#include "partiql/partiql_internal.h"

/* ---- the WHERE clause's conjuncts ---------------------------------------------------------- */

typedef struct conj {
    const pq_node_t **v;
    uint32_t n, cap;
} conj_t;

static void conj_add(arena_t *a, conj_t *c, const pq_node_t *n)
{
    if (n->kind == PQ_N_AND) { /* "(a AND b) AND c": depth is bounded by the parser */
        for (uint32_t i = 0; i < n->nargs; i++)
            conj_add(a, c, n->args[i]);
        return;
    }
    if (c->n == c->cap) {
        uint32_t ncap = c->cap ? c->cap * 2 : 8;
        c->v = arena_realloc(a, c->v, c->cap * sizeof *c->v, ncap * sizeof *c->v);
        c->cap = ncap;
    }
    c->v[c->n++] = n;
}

/* A path that is just one top-level attribute named name. */
bool pq__is_attr(const pq_node_t *n, str_t name)
{
    return n->kind == PQ_N_PATH && n->nsteps == 1 && n->steps[0].kind == PQ_STEP_NAME && str_eq(n->steps[0].name, name);
}

/* "name = value" or "value = name": the value node, or NULL. */
const pq_node_t *pq__equality_on(const pq_node_t *n, str_t name)
{
    if (n->kind != PQ_N_CMP || n->op != PQ_EQ)
        return NULL;
    if (pq__is_attr(n->args[0], name) && pq__is_value_node(n->args[1]))
        return n->args[1];
    if (pq__is_attr(n->args[1], name) && pq__is_value_node(n->args[0]))
        return n->args[0];
    return NULL;
}

/* The type letter of an AttributeValue JSON ("S", "N", ...). */
static const char *av_type(const json_t *v)
{
    void *it = json_object_iter((json_t *)v);
    return it ? json_object_iter_key(it) : "";
}

/* A key value of the schema's type, as PartiQL checks it before anything
 * reaches the table. */
int pq__key_type_check(const pq_ctx_t *c, const key_attr_t *ka, const json_t *v)
{
    if (strcmp(av_type(v), vtype_name(ka->type)) != 0)
        return err_set(c->err, ERR_VALIDATION,
                       "Key attribute's data type should match its data type in table's schema: Key %.*s",
                       STR_FMT(ka->name));
    const json_t *s = json_object_get(v, av_type(v));
    if (ka->type != VT_N && json_is_string(s) && json_string_length(s) == 0)
        return err_set(c->err, ERR_VALIDATION,
                       "One or more parameter values are not valid. The AttributeValue for a key attribute cannot "
                       "contain an empty %s value. Key: %.*s",
                       ka->type == VT_S ? "string" : "binary", STR_FMT(ka->name));
    return 0;
}

/* ---- single items ---------------------------------------------------------------------------- */

static const char *missing_key_msg(pq_key_use_t use)
{
    switch (use) {
    case PQ_KEY_BATCH_READ: return "Only single item select is supported";
    case PQ_KEY_TXN_READ:
        return "Select statements within ExecuteTransaction must specify the primary key in the "
               "where clause.";
    case PQ_KEY_EXISTS: return "EXISTS() must contain a single item read with additional condition";
    default: return "Where clause does not contain a mandatory equality on all key attributes";
    }
}

/* Records the value of key attribute ka from conjunct n; 1 when n is not
 * an equality on it. */
static int take_key(const pq_ctx_t *c, const key_attr_t *ka, const pq_node_t *n, pq_key_use_t use, json_t **slot)
{
    const pq_node_t *vn = ka->name.len ? pq__equality_on(n, ka->name) : NULL;
    if (!vn)
        return 1;
    json_t *v = pq_value(c, vn);
    if (!v)
        return -1;
    if (*slot && !json_equal(*slot, v)) {
        json_decref(v);
        if (use == PQ_KEY_WRITE)
            return err_set(c->err, ERR_VALIDATION,
                           "Multiple conditions on same key %.*s. Only single item Update/Insert/Delete are supported",
                           STR_FMT(ka->name));
        return err_set(c->err, ERR_VALIDATION, "%s", missing_key_msg(use));
    }
    json_decref(*slot);
    *slot = v;
    return 0;
}

int pq_full_key(const pq_ctx_t *c, const key_schema_t *ks, pq_key_use_t use, pq_key_t *out)
{
    memset(out, 0, sizeof *out);
    conj_t cj = {0};
    if (c->stmt->where)
        conj_add(c->arena, &cj, c->stmt->where);
    out->rest = arena_alloc(c->arena, (cj.n ? cj.n : 1) * sizeof *out->rest);
    json_t *hv = NULL, *rv = NULL;
    int rc = 0;
    for (uint32_t i = 0; i < cj.n && rc >= 0; i++) {
        rc = take_key(c, &ks->hash, cj.v[i], use, &hv);
        if (rc > 0)
            rc = take_key(c, &ks->range, cj.v[i], use, &rv);
        if (rc > 0)
            out->rest[out->nrest++] = cj.v[i];
    }
    if (rc >= 0 && (!hv || (key_schema_has_range(ks) && !rv)))
        rc = err_set(c->err, ERR_VALIDATION, "%s", missing_key_msg(use));
    bool reads_one = use == PQ_KEY_BATCH_READ || use == PQ_KEY_TXN_READ; /* the key and nothing else */
    if (rc >= 0 && ((reads_one && out->nrest) || (use == PQ_KEY_EXISTS && !out->nrest)))
        rc = err_set(c->err, ERR_VALIDATION, "%s", missing_key_msg(use));
    if (rc >= 0)
        rc = pq__key_type_check(c, &ks->hash, hv);
    if (rc >= 0 && rv)
        rc = pq__key_type_check(c, &ks->range, rv);
    if (rc < 0) {
        json_decref(hv);
        json_decref(rv);
        return -1;
    }
    out->key = json_object();
    json_object_set_new(out->key, arena_cstr(c->arena, ks->hash.name), hv);
    if (rv)
        json_object_set_new(out->key, arena_cstr(c->arena, ks->range.name), rv);
    return 0;
}

/* The conjuncts, ANDed: an OR among them is parenthesized. */
static int rest_text(const pq_ctx_t *c, pq_names_t *x, const pq_key_t *k, buf_t *out)
{
    for (uint32_t i = 0; i < k->nrest; i++) {
        if (i)
            buf_puts(out, " AND ");
        bool wrap = k->rest[i]->kind == PQ_N_OR;
        if (wrap)
            buf_putc(out, '(');
        if (pq_condition(c, x, k->rest[i], out))
            return -1;
        if (wrap)
            buf_putc(out, ')');
    }
    return 0;
}

/* ---- writes ------------------------------------------------------------------------------------ */

static char *take_text(const pq_ctx_t *c, buf_t *b)
{
    char *s = arena_cstr(c->arena, (str_t){b->data, b->len});
    buf_free(b);
    return s;
}

static int insert_plan(const pq_ctx_t *c, const key_schema_t *ks, pq_write_t *w)
{
    if (c->stmt->value->kind != PQ_N_TUPLE)
        return err_set(c->err, ERR_VALIDATION,
                       "Unsupported format in item expression. Please use struct format {...} to express item "
                       "values for insert statement.");
    json_t *m = pq_value(c, c->stmt->value);
    if (!m)
        return -1;
    w->item = json_incref(json_object_get(m, "M"));
    json_decref(m);
    const key_attr_t *keys[] = {&ks->hash, &ks->range};
    for (int i = 0; i < 2; i++) {
        if (!keys[i]->name.len)
            continue;
        const json_t *v = json_object_get(w->item, arena_cstr(c->arena, keys[i]->name));
        w->key_error = true;
        if (!v)
            return err_set(c->err, ERR_VALIDATION, "Key attribute should be present in the item: Key %.*s",
                           STR_FMT(keys[i]->name));
        if (pq__key_type_check(c, keys[i], v))
            return -1;
        w->key_error = false;
    }
    buf_t b = BUF_INIT;
    buf_puts(&b, "attribute_not_exists(");
    pq_node_t pk = {.kind = PQ_N_PATH, .steps = &(pq_step_t){PQ_STEP_NAME, ks->hash.name, 0}, .nsteps = 1};
    pq_path_text(c, &w->names, &pk, &b);
    buf_putc(&b, ')');
    w->condition = take_text(c, &b);
    return 0;
}

/* SET p = set_add(p, <<...>>) is DynamoDB's ADD; set_delete its DELETE. */
static int set_op(const pq_ctx_t *c, pq_names_t *x, const pq_action_t *a, bool add, buf_t *out)
{
    const pq_node_t *f = a->value;
    const char *which = add ? "SET_ADD" : "SET_DELETE";
    if (f->nargs != 2)
        return err_set(c->err, ERR_VALIDATION,
                       "Incorrect number of operands for operator or function; operator or function: %s, number of "
                       "operands: %u",
                       add ? "set_add" : "set_delete", f->nargs);
    const pq_node_t *p = f->args[0], *t = a->target;
    bool same = p->kind == PQ_N_PATH && p->nsteps == t->nsteps;
    for (uint32_t i = 0; same && i < p->nsteps; i++)
        same = p->steps[i].kind == t->steps[i].kind && p->steps[i].index == t->steps[i].index &&
               str_eq(p->steps[i].name, t->steps[i].name);
    if (!same)
        return err_set(c->err, ERR_VALIDATION, "The first argument to %s must equal the assignment value", which);
    if (out->len)
        buf_puts(out, ", ");
    if (pq_path_text(c, x, t, out))
        return -1;
    buf_putc(out, ' ');
    json_t *v = pq_value(c, f->args[1]);
    if (!v)
        return -1;
    pq_value_text(x, v, out);
    return 0;
}

static int update_value(const pq_ctx_t *c, pq_names_t *x, const pq_node_t *n, buf_t *out, int depth);

static int update_unsupported(const pq_ctx_t *c, const char *op)
{
    return err_set(c->err, ERR_VALIDATION, "Unsupported operator in Update Expression. Operator: %s", op);
}

/* A SET value: a value, a path, a + b, a - b, or a function of those. */
static int update_value(const pq_ctx_t *c, pq_names_t *x, const pq_node_t *n, buf_t *out, int depth)
{
    switch (n->kind) {
    case PQ_N_PATH: return pq_path_text(c, x, n, out);
    case PQ_N_MISSING: return err_set(c->err, ERR_VALIDATION, "MISSING must be compared using IS operator");
    case PQ_N_ARITH:
        if ((strcmp(n->text.ptr, "+") && strcmp(n->text.ptr, "-")) || depth > 0)
            return update_unsupported(c, arena_cstr(c->arena, n->text));
        if (update_value(c, x, n->args[0], out, depth + 1))
            return -1;
        buf_printf(out, " %s ", n->text.ptr);
        return update_value(c, x, n->args[1], out, depth + 1);
    case PQ_N_CALL: {
        bool set_fn = pq__word_is(n->text, "set_add") || pq__word_is(n->text, "set_delete");
        if (set_fn)
            return err_set(c->err, ERR_VALIDATION, "The first argument to %s must equal the assignment value",
                           pq__word_is(n->text, "set_add") ? "SET_ADD" : "SET_DELETE");
        static const char *const names[] = {"if_not_exists",        "list_append",    "size",        "attribute_exists",
                                            "attribute_not_exists", "attribute_type", "begins_with", "contains"};
        const char *name = NULL;
        for (size_t i = 0; i < sizeof names / sizeof *names && !name; i++)
            if (pq__word_is(n->text, names[i]))
                name = names[i];
        if (!name)
            return err_set(c->err, ERR_VALIDATION, "Unrecognized function: %.*s", STR_FMT(n->text));
        if (n->nargs == 0)
            return pq__no_operands(c, name);
        buf_printf(out, "%s(", name);
        for (uint32_t i = 0; i < n->nargs; i++) {
            if (i)
                buf_puts(out, ", ");
            if (update_value(c, x, n->args[i], out, depth + 1))
                return -1;
        }
        buf_putc(out, ')');
        return 0;
    }
    default: break;
    }
    json_t *v = pq_value(c, n);
    if (!v)
        return n->kind == PQ_N_NEG ? (err_clear(c->err), update_unsupported(c, "-")) : -1;
    pq_value_text(x, v, out);
    return 0;
}

/* SET and REMOVE clauses as one UpdateExpression: its SET, REMOVE, ADD
 * and DELETE sections each once, as DynamoDB requires. */
static int update_text(const pq_ctx_t *c, pq_names_t *x, buf_t *out)
{
    buf_t sec[4] = {BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT}; /* SET REMOVE ADD DELETE */
    static const char *const heads[] = {"SET ", "REMOVE ", "ADD ", "DELETE "};
    int rc = 0;
    for (uint32_t i = 0; i < c->stmt->nacts && !rc; i++) {
        const pq_action_t *a = &c->stmt->acts[i];
        const pq_node_t *v = a->value;
        if (!a->remove && v->kind == PQ_N_CALL &&
            (pq__word_is(v->text, "set_add") || pq__word_is(v->text, "set_delete"))) {
            bool add = pq__word_is(v->text, "set_add");
            rc = set_op(c, x, a, add, &sec[add ? 2 : 3]);
            continue;
        }
        buf_t *b = &sec[a->remove ? 1 : 0];
        if (b->len)
            buf_puts(b, ", ");
        rc = pq_path_text(c, x, a->target, b);
        if (!rc && !a->remove) {
            buf_puts(b, " = ");
            rc = update_value(c, x, v, b, 0);
        }
    }
    for (int i = 0; i < 4; i++) {
        if (!rc && sec[i].len) {
            if (out->len)
                buf_putc(out, ' ');
            buf_puts(out, heads[i]);
            buf_append(out, sec[i].data, sec[i].len);
        }
        buf_free(&sec[i]);
    }
    return rc;
}

/* attribute_exists(pk) [AND rest] (UPDATE, EXISTS), attribute_not_exists
 * (pk) OR (rest) (DELETE: a missing item is deleted "successfully"), or
 * attribute_not_exists(pk) OR NOT (rest) (NOT EXISTS). */
static int keyed_condition(const pq_ctx_t *c, const key_schema_t *ks, const pq_key_t *k, pq_write_t *w)
{
    const pq_stmt_t *s = c->stmt;
    if (s->kind == PQ_DELETE && !k->nrest)
        return 0;
    buf_t b = BUF_INIT;
    pq_node_t pk = {.kind = PQ_N_PATH, .steps = &(pq_step_t){PQ_STEP_NAME, ks->hash.name, 0}, .nsteps = 1};
    bool must_exist = s->kind == PQ_UPDATE || s->exists == 1;
    buf_puts(&b, must_exist ? "attribute_exists(" : "attribute_not_exists(");
    pq_path_text(c, &w->names, &pk, &b);
    buf_putc(&b, ')');
    int rc = 0;
    if (k->nrest) {
        /* AND binds tighter than OR: only NOT needs the conjuncts grouped */
        bool wrap = s->exists == -1 && k->nrest > 1;
        buf_puts(&b, must_exist ? " AND " : s->exists == -1 ? " OR NOT " : " OR ");
        if (wrap)
            buf_putc(&b, '(');
        rc = rest_text(c, &w->names, k, &b);
        if (wrap)
            buf_putc(&b, ')');
    }
    w->condition = take_text(c, &b);
    return rc;
}

int pq_plan_write(const pq_ctx_t *c, const key_schema_t *ks, pq_write_t *w)
{
    const pq_stmt_t *s = c->stmt;
    memset(w, 0, sizeof *w);
    pq_names_init(&w->names);
    if (s->kind == PQ_INSERT)
        return insert_plan(c, ks, w);
    if (s->kind == PQ_DELETE && s->returning != PQ_RET_NONE && s->returning != PQ_RET_ALL_OLD) {
        static const char *const words[] = {"", "ALL OLD", "MODIFIED OLD", "ALL NEW", "MODIFIED NEW"};
        return err_set(c->err, ERR_VALIDATION,
                       "Invalid returning clause: RETURNING %s *. Only RETURNING ALL OLD * is allowed in DELETE "
                       "statements.",
                       words[s->returning]);
    }
    pq_key_t k;
    if (pq_full_key(c, ks, s->exists ? PQ_KEY_EXISTS : PQ_KEY_WRITE, &k)) {
        w->key_error = !s->exists;
        return -1;
    }
    w->key = k.key;
    if (s->kind == PQ_UPDATE) {
        buf_t b = BUF_INIT;
        int rc = update_text(c, &w->names, &b);
        w->update = take_text(c, &b);
        if (rc)
            return -1;
    }
    return keyed_condition(c, ks, &k, w);
}

void pq_write_free(pq_write_t *w)
{
    json_decref(w->item);
    json_decref(w->key);
    pq_names_free(&w->names);
    memset(w, 0, sizeof *w);
}
