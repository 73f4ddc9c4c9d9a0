/* update.c - applying an UpdateExpression (its checks: update_check.c).
 *
 * Applying: each action in text order, the first error wins. Its target's
 * parent must exist and be the container the path says ("The document
 * path provided in the update expression is invalid for update"); a SET
 * value is computed left to right, each operand checked as it is read
 * ("refers to an attribute that does not exist", "incorrect data type");
 * ADD and DELETE must fit the old value. (Across actions DynamoDB's order
 * follows a Java hash map of the attribute names, not reproduced here:
 * with several failing actions the error reported may differ.) All reads
 * see the item as it was; list indexes refer to the original list; SET or
 * ADD past the end appends, in index order; REMOVE past the end does
 * nothing; a set emptied by DELETE disappears. */
#include "expr_internal.h"

#include <stdlib.h>

#include "model/number.h"

#define MSG_REFERS "The provided expression refers to an attribute that does not exist in the item"
#define MSG_BAD_TYPE "An operand in the update expression has an incorrect data type"
#define MSG_BAD_PATH "The document path provided in the update expression is invalid for update"

bool expr_update_touches(const expr_update_t *u, str_t name)
{
    for (size_t i = 0; i < u->n; i++) {
        const expr_path_t *p = &u->acts[i].target->path;
        if (p->n > 0 && !p->elems[0].is_index && str_eq(p->elems[0].name, name))
            return true;
    }
    return false;
}

const expr_projection_t *expr_update_paths(const expr_update_t *u) { return &u->paths; }

/* ==== computing SET values ======================================================= */

/* SET values are computed left to right, each operand checked as soon as
 * it is read (so "s + nope" with s a string is a type error, "nope + s" a
 * missing attribute). if_not_exists reads its fallback even when the
 * attribute exists, as DynamoDB does. */
static int compute(arena_t *a, const expr_node_t *n, const value_t *item, value_t *out, err_t *e);

static int compute_typed(arena_t *a, const expr_node_t *n, const value_t *item, vtype_t want, value_t *out, err_t *e)
{
    if (compute(a, n, item, out, e) != 0)
        return -1;
    return out->type == want ? 0 : err_set(e, ERR_VALIDATION, MSG_BAD_TYPE);
}

static int arith(arena_t *a, expr_op_t op, const value_t *x, const value_t *y, value_t *out, err_t *e)
{
    number_t nx, ny, r;
    if (number_parse(x->s, &nx, e) != 0 || number_parse(y->s, &ny, e) != 0)
        return -1;
    if ((op == OP_PLUS ? number_add(&nx, &ny, &r, e) : number_sub(&nx, &ny, &r, e)) != 0)
        return -1;
    char text[NUMBER_TEXT_MAX];
    size_t len = number_format(&r, text);
    out->type = VT_N;
    out->s = arena_strdup(a, (str_t){text, len});
    return 0;
}

static int list_append(arena_t *a, const expr_node_t *n, const value_t *item, value_t *out, err_t *e)
{
    value_t x, y;
    if (compute_typed(a, n->args[0], item, VT_L, &x, e) != 0 || compute_typed(a, n->args[1], item, VT_L, &y, e) != 0)
        return -1;
    out->type = VT_L;
    out->l.n = x.l.n + y.l.n;
    out->l.v = arena_alloc(a, (out->l.n ? out->l.n : 1) * sizeof(value_t));
    if (x.l.n)
        memcpy(out->l.v, x.l.v, x.l.n * sizeof(value_t));
    if (y.l.n)
        memcpy(out->l.v + x.l.n, y.l.v, y.l.n * sizeof(value_t));
    return 0;
}

static int compute(arena_t *a, const expr_node_t *n, const value_t *item, value_t *out, err_t *e)
{
    switch (n->op) {
    case OP_PATH: {
        const value_t *v = expr__get_path(item, &n->path);
        if (!v)
            return err_set(e, ERR_VALIDATION, MSG_REFERS);
        *out = *v;
        return 0;
    }
    case OP_VALUE: *out = *n->value; return 0;
    case OP_FUNC: {
        if (n->fn == FN_LIST_APPEND)
            return list_append(a, n, item, out, e);
        if (compute(a, n->args[1], item, out, e) != 0) /* if_not_exists */
            return -1;
        const value_t *v = expr__get_path(item, &n->args[0]->path);
        if (v)
            *out = *v;
        return 0;
    }
    case OP_PLUS:
    case OP_MINUS: {
        value_t x, y;
        if (compute_typed(a, n->args[0], item, VT_N, &x, e) != 0 ||
            compute_typed(a, n->args[1], item, VT_N, &y, e) != 0)
            return -1;
        return arith(a, n->op, &x, &y, out, e);
    }
    default: return err_set(e, ERR_INTERNAL, "unexpected update operand");
    }
}

/* ==== target paths ================================================================ */

/* The parent of the target exists and is the container the last
 * element needs (a map for a name, a list for an index). */
static bool target_valid(const value_t *item, const expr_path_t *p)
{
    const value_t *parent = item;
    if (p->n > 1) {
        expr_path_t prefix = {p->elems, p->n - 1};
        parent = expr__get_path(item, &prefix);
        if (!parent)
            return false;
    }
    const expr_path_elem_t *last = &p->elems[p->n - 1];
    return last->is_index ? parent->type == VT_L : parent->type == VT_M;
}

/* ==== applying ====================================================================== */

/* A trie of the targets: the paths never overlap, so every leaf is an action
 * and no action lies on the way to another. */
/* What one action leaves at its target. */
typedef struct act_result {
    value_t v;
    bool keep; /* false: the target is removed (or stays absent) */
} act_result_t;

typedef struct tnode {
    expr_path_elem_t elem;
    const act_result_t *res; /* a leaf: the action's result */
    struct tnode *kids, *last_kid, *next;
} tnode_t;

static bool elem_eq(const expr_path_elem_t *x, const expr_path_elem_t *y)
{
    if (x->is_index != y->is_index)
        return false;
    return x->is_index ? x->index == y->index : str_eq(x->name, y->name);
}

static void trie_add(arena_t *a, tnode_t *root, const expr_action_t *act, const act_result_t *res)
{
    tnode_t *cur = root;
    const expr_path_t *p = &act->target->path;
    for (size_t i = 0; i < p->n; i++) {
        tnode_t *k = cur->kids;
        while (k && !elem_eq(&k->elem, &p->elems[i]))
            k = k->next;
        if (!k) {
            k = arena_calloc(a, 1, sizeof *k);
            k->elem = p->elems[i];
            if (cur->last_kid)
                cur->last_kid->next = k;
            else
                cur->kids = k;
            cur->last_kid = k;
        }
        cur = k;
    }
    cur->res = res;
}

static bool set_has(const value_t *set, const value_t *x)
{
    for (size_t i = 0; i < set->l.n; i++)
        if (value_equal(&set->l.v[i], x))
            return true;
    return false;
}

/* ADD: numbers add, sets union; an absent attribute takes the operand. */
static int do_add(arena_t *a, const value_t *old, const value_t *v, value_t *out, err_t *e)
{
    if (!old) {
        *out = *v;
        return 0;
    }
    if (old->type != v->type)
        return err_set(e, ERR_VALIDATION, MSG_BAD_TYPE);
    if (v->type == VT_N)
        return arith(a, OP_PLUS, old, v, out, e);
    out->type = old->type;
    out->l.v = arena_alloc(a, (old->l.n + v->l.n) * sizeof(value_t));
    out->l.n = old->l.n;
    memcpy(out->l.v, old->l.v, old->l.n * sizeof(value_t));
    for (size_t i = 0; i < v->l.n; i++)
        if (!set_has(old, &v->l.v[i]))
            out->l.v[out->l.n++] = v->l.v[i];
    return 0;
}

/* DELETE: set difference; *keep is false when nothing is left. */
static int do_delete(arena_t *a, const value_t *old, const value_t *v, value_t *out, bool *keep, err_t *e)
{
    if (old->type != v->type)
        return err_set(e, ERR_VALIDATION, MSG_BAD_TYPE);
    out->type = old->type;
    out->l.v = arena_alloc(a, (old->l.n ? old->l.n : 1) * sizeof(value_t));
    out->l.n = 0;
    for (size_t i = 0; i < old->l.n; i++)
        if (!set_has(v, &old->l.v[i]))
            out->l.v[out->l.n++] = old->l.v[i];
    *keep = out->l.n > 0;
    return 0;
}

static int rebuild(arena_t *a, const value_t *old, const tnode_t *node, value_t *out, err_t *e);

/* The new value of one child. old is NULL when absent; *keep false means
 * the child goes away (or stays absent). */
static int apply_kid(arena_t *a, const value_t *old, const tnode_t *k, value_t *out, bool *keep, err_t *e)
{
    if (k->res) {
        *out = k->res->v;
        *keep = k->res->keep;
        return 0;
    }
    *keep = true;
    if (!old)
        return err_set(e, ERR_VALIDATION, MSG_BAD_PATH);
    return rebuild(a, old, k, out, e);
}

static int rebuild_map(arena_t *a, const value_t *old, const tnode_t *node, value_t *out, err_t *e)
{
    size_t cap = old->m.n;
    for (const tnode_t *k = node->kids; k; k = k->next)
        cap++;
    member_t *m = arena_alloc(a, (cap ? cap : 1) * sizeof *m);
    size_t n = old->m.n;
    if (n)
        memcpy(m, old->m.m, n * sizeof *m);
    for (const tnode_t *k = node->kids; k; k = k->next) {
        if (k->elem.is_index)
            return err_set(e, ERR_VALIDATION, MSG_BAD_PATH);
        size_t i = 0;
        while (i < n && !str_eq(m[i].name, k->elem.name))
            i++;
        value_t nv;
        bool keep;
        if (apply_kid(a, i < n ? &m[i].v : NULL, k, &nv, &keep, e) != 0)
            return -1;
        if (keep && i < n) {
            m[i].v = nv;
        } else if (keep) {
            m[n].name = k->elem.name;
            m[n++].v = nv;
        } else if (i < n) {
            memmove(&m[i], &m[i + 1], (n - i - 1) * sizeof *m);
            n--;
        }
    }
    out->type = VT_M;
    out->m.m = m;
    out->m.n = n;
    return 0;
}

typedef struct append {
    uint32_t index;
    value_t v;
} append_t;

static int append_cmp(const void *x, const void *y)
{
    const append_t *a = x, *b = y;
    return a->index < b->index ? -1 : a->index > b->index;
}

static int rebuild_list(arena_t *a, const value_t *old, const tnode_t *node, value_t *out, err_t *e)
{
    size_t n = old->l.n, nkids = 0, napp = 0;
    for (const tnode_t *k = node->kids; k; k = k->next)
        nkids++;
    value_t *v = arena_alloc(a, (n + nkids ? n + nkids : 1) * sizeof *v);
    bool *dead = arena_calloc(a, n ? n : 1, sizeof *dead);
    append_t *app = arena_alloc(a, (nkids ? nkids : 1) * sizeof *app);
    if (n)
        memcpy(v, old->l.v, n * sizeof *v);
    for (const tnode_t *k = node->kids; k; k = k->next) {
        if (!k->elem.is_index)
            return err_set(e, ERR_VALIDATION, MSG_BAD_PATH);
        uint32_t i = k->elem.index;
        value_t nv;
        bool keep;
        if (apply_kid(a, i < n ? &v[i] : NULL, k, &nv, &keep, e) != 0)
            return -1;
        if (i < n) {
            if (keep)
                v[i] = nv;
            else
                dead[i] = true;
        } else if (keep) {
            app[napp++] = (append_t){i, nv};
        }
    }
    qsort(app, napp, sizeof *app, append_cmp);
    size_t live = 0;
    for (size_t i = 0; i < n; i++)
        if (!dead[i])
            v[live++] = v[i];
    for (size_t i = 0; i < napp; i++)
        v[live++] = app[i].v;
    out->type = VT_L;
    out->l.v = v;
    out->l.n = live;
    return 0;
}

static int rebuild(arena_t *a, const value_t *old, const tnode_t *node, value_t *out, err_t *e)
{
    if (old->type == VT_M)
        return rebuild_map(a, old, node, out, e);
    if (old->type == VT_L)
        return rebuild_list(a, old, node, out, e);
    return err_set(e, ERR_VALIDATION, MSG_BAD_PATH);
}

static int action_result(arena_t *a, const expr_action_t *act, const value_t *item, act_result_t *r, err_t *e)
{
    if (!target_valid(item, &act->target->path))
        return err_set(e, ERR_VALIDATION, MSG_BAD_PATH);
    const value_t *old = expr__get_path(item, &act->target->path);
    r->keep = true;
    switch (act->kind) {
    case ACT_SET: return compute(a, act->value, item, &r->v, e);
    case ACT_REMOVE: r->keep = false; return 0;
    case ACT_ADD: return do_add(a, old, act->value->value, &r->v, e);
    case ACT_DELETE:
        if (!old) {
            r->keep = false;
            return 0;
        }
        return do_delete(a, old, act->value->value, &r->v, &r->keep, e);
    }
    return 0;
}

int expr_update_apply(arena_t *a, const expr_update_t *u, const value_t *item, value_t *out, err_t *e)
{
    static const value_t empty = {.type = VT_M};
    if (!item)
        item = &empty;
    act_result_t *res = arena_alloc(a, (u->n ? u->n : 1) * sizeof *res);
    for (size_t i = 0; i < u->n; i++)
        if (action_result(a, &u->acts[i], item, &res[i], e) != 0)
            return -1;
    tnode_t root = {0};
    for (size_t i = 0; i < u->n; i++)
        trie_add(a, &root, &u->acts[i], &res[i]);
    return rebuild_map(a, item, &root, out, e);
}
