/* eval.c - evaluating conditions, projecting items, and analysing a
 * KeyConditionExpression against a key schema.
 *
 * Evaluation never fails: a missing attribute or a type mismatch makes a
 * comparison false (and "<>" true), as in DynamoDB. Evaluation recurses
 * over the AST, whose depth the parser bounded (and which a successful
 * parse keeps within 300 operators). */
#include "expr_internal.h"

#include <stdio.h>
#include <stdlib.h>

const value_t *expr__get_path(const value_t *item, const expr_path_t *p)
{
    const value_t *cur = item;
    for (size_t i = 0; cur && i < p->n; i++) {
        const expr_path_elem_t *el = &p->elems[i];
        if (el->is_index)
            cur = cur->type == VT_L && el->index < cur->l.n ? &cur->l.v[el->index] : NULL;
        else
            cur = cur->type == VT_M ? item_get(cur, el->name) : NULL;
    }
    return cur;
}

/* ==== conditions ================================================================= */

/* An operand's value; size() builds a number in the operand itself, so an
 * operand_t must not be copied once evaluated. */
typedef struct operand {
    const value_t *v; /* NULL: missing */
    value_t tmp;
    char buf[24];
} operand_t;

/* DynamoDB's size(): UTF-16 length for strings (Java's length()), bytes
 * for binaries, members for sets, lists and maps. */
static bool size_of(const value_t *v, uint64_t *out)
{
    switch (v->type) {
    case VT_S: *out = expr__utf16_len(v->s); return true;
    case VT_B: *out = v->s.len; return true;
    case VT_SS:
    case VT_NS:
    case VT_BS:
    case VT_L: *out = v->l.n; return true;
    case VT_M: *out = v->m.n; return true;
    default: return false;
    }
}

static void eval_operand(const expr_node_t *n, const value_t *item, operand_t *o)
{
    o->v = NULL;
    if (n->op == OP_PATH) {
        o->v = expr__get_path(item, &n->path);
    } else if (n->op == OP_VALUE) {
        o->v = n->value;
    } else if (n->op == OP_FUNC && n->fn == FN_SIZE) {
        operand_t arg;
        uint64_t size;
        eval_operand(n->args[0], item, &arg);
        if (arg.v && size_of(arg.v, &size)) {
            int len = snprintf(o->buf, sizeof o->buf, "%llu", (unsigned long long)size);
            o->tmp.type = VT_N;
            o->tmp.s = (str_t){o->buf, (size_t)len};
            o->v = &o->tmp;
        }
    }
}

static bool scalar(vtype_t t) { return t == VT_S || t == VT_N || t == VT_B; }

static bool compare(expr_op_t op, const value_t *x, const value_t *y)
{
    if (op == OP_EQ || op == OP_NE) {
        bool eq = x && y && value_equal(x, y);
        return op == OP_EQ ? eq : !eq;
    }
    if (!x || !y || x->type != y->type || !scalar(x->type))
        return false;
    int c = value_cmp(x, y);
    switch (op) {
    case OP_LT: return c < 0;
    case OP_LE: return c <= 0;
    case OP_GT: return c > 0;
    default: return c >= 0;
    }
}

static bool bytes_contain(str_t hay, str_t needle)
{
    if (needle.len == 0)
        return true;
    if (needle.len > hay.len)
        return false;
    return memmem(hay.ptr, hay.len, needle.ptr, needle.len) != NULL;
}

static bool elem_of(const value_t *list, const value_t *y)
{
    for (size_t i = 0; i < list->l.n; i++)
        if (value_equal(&list->l.v[i], y))
            return true;
    return false;
}

static bool contains(const value_t *x, const value_t *y)
{
    switch (x->type) {
    case VT_S:
    case VT_B: return y->type == x->type && bytes_contain(x->s, y->s);
    case VT_SS: return y->type == VT_S && elem_of(x, y);
    case VT_NS: return y->type == VT_N && elem_of(x, y);
    case VT_BS: return y->type == VT_B && elem_of(x, y);
    case VT_L: return elem_of(x, y);
    default: return false;
    }
}

static bool eval_func(const expr_node_t *n, const value_t *item)
{
    operand_t a, b;
    eval_operand(n->args[0], item, &a);
    switch (n->fn) {
    case FN_ATTRIBUTE_EXISTS: return a.v != NULL;
    case FN_ATTRIBUTE_NOT_EXISTS: return a.v == NULL;
    default: break;
    }
    eval_operand(n->args[1], item, &b);
    if (!a.v || !b.v)
        return false;
    switch (n->fn) {
    case FN_ATTRIBUTE_TYPE: return b.v->type == VT_S && str_eq_cstr(b.v->s, vtype_name(a.v->type));
    case FN_BEGINS_WITH:
        return (a.v->type == VT_S || a.v->type == VT_B) && a.v->type == b.v->type && a.v->s.len >= b.v->s.len &&
               (b.v->s.len == 0 || memcmp(a.v->s.ptr, b.v->s.ptr, b.v->s.len) == 0);
    case FN_CONTAINS: return contains(a.v, b.v);
    default: return false;
    }
}

static bool eval_node(const expr_node_t *n, const value_t *item)
{
    switch (n->op) {
    case OP_AND: return eval_node(n->args[0], item) && eval_node(n->args[1], item);
    case OP_OR: return eval_node(n->args[0], item) || eval_node(n->args[1], item);
    case OP_NOT: return !eval_node(n->args[0], item);
    case OP_FUNC: return eval_func(n, item);
    case OP_BETWEEN: {
        operand_t x, lo, hi;
        eval_operand(n->args[0], item, &x);
        eval_operand(n->args[1], item, &lo);
        eval_operand(n->args[2], item, &hi);
        if (!x.v || !lo.v || !hi.v || !scalar(x.v->type) || x.v->type != lo.v->type || x.v->type != hi.v->type)
            return false;
        return value_cmp(lo.v, x.v) <= 0 && value_cmp(x.v, hi.v) <= 0;
    }
    case OP_IN: {
        operand_t x;
        eval_operand(n->args[0], item, &x);
        if (!x.v)
            return false;
        for (uint32_t i = 1; i < n->nargs; i++) {
            operand_t y;
            eval_operand(n->args[i], item, &y);
            if (y.v && value_equal(x.v, y.v))
                return true;
        }
        return false;
    }
    default: {
        operand_t x, y;
        eval_operand(n->args[0], item, &x);
        eval_operand(n->args[1], item, &y);
        return compare(n->op, x.v, y.v);
    }
    }
}

int expr_eval(const expr_node_t *cond, const value_t *item, bool *result, err_t *e)
{
    (void)e;
    *result = cond ? eval_node(cond, item) : true;
    return 0;
}

/* ==== projection =================================================================== */

typedef struct ptrie {
    expr_path_elem_t elem;
    bool terminal;
    struct ptrie *kids, *next;
} ptrie_t;

static void ptrie_add(arena_t *a, ptrie_t *root, const expr_path_t *p)
{
    ptrie_t *cur = root;
    for (size_t i = 0; i < p->n; i++) {
        const expr_path_elem_t *el = &p->elems[i];
        ptrie_t *k = cur->kids;
        while (k && !(k->elem.is_index == el->is_index &&
                      (el->is_index ? k->elem.index == el->index : str_eq(k->elem.name, el->name))))
            k = k->next;
        if (!k) {
            k = arena_calloc(a, 1, sizeof *k);
            k->elem = *el;
            k->next = cur->kids;
            cur->kids = k;
        }
        cur = k;
    }
    cur->terminal = true;
}

static bool project_value(arena_t *a, const value_t *v, const ptrie_t *node, value_t *out);

static bool project_map(arena_t *a, const value_t *v, const ptrie_t *node, value_t *out)
{
    member_t *m = arena_alloc(a, (v->m.n ? v->m.n : 1) * sizeof *m);
    size_t n = 0;
    for (size_t i = 0; i < v->m.n; i++) {
        for (const ptrie_t *k = node->kids; k; k = k->next) {
            if (k->elem.is_index || !str_eq(k->elem.name, v->m.m[i].name))
                continue;
            if (project_value(a, &v->m.m[i].v, k, &m[n].v))
                m[n++].name = v->m.m[i].name;
            break;
        }
    }
    out->type = VT_M;
    out->m.m = m;
    out->m.n = n;
    return n > 0;
}

static int kid_index_cmp(const void *x, const void *y)
{
    const ptrie_t *a = *(const ptrie_t *const *)x, *b = *(const ptrie_t *const *)y;
    return a->elem.index < b->elem.index ? -1 : a->elem.index > b->elem.index;
}

/* Selected elements keep their order and close up. */
static bool project_list(arena_t *a, const value_t *v, const ptrie_t *node, value_t *out)
{
    size_t nk = 0;
    for (const ptrie_t *k = node->kids; k; k = k->next)
        nk++;
    const ptrie_t **ks = arena_alloc(a, (nk ? nk : 1) * sizeof *ks);
    nk = 0;
    for (const ptrie_t *k = node->kids; k; k = k->next)
        if (k->elem.is_index && k->elem.index < v->l.n)
            ks[nk++] = k;
    qsort(ks, nk, sizeof *ks, kid_index_cmp);
    value_t *elems = arena_alloc(a, (nk ? nk : 1) * sizeof *elems);
    size_t n = 0;
    for (size_t i = 0; i < nk; i++)
        if (project_value(a, &v->l.v[ks[i]->elem.index], ks[i], &elems[n]))
            n++;
    out->type = VT_L;
    out->l.v = elems;
    out->l.n = n;
    return n > 0;
}

static bool project_value(arena_t *a, const value_t *v, const ptrie_t *node, value_t *out)
{
    if (node->terminal) {
        *out = *v;
        return true;
    }
    if (v->type == VT_M)
        return project_map(a, v, node, out);
    if (v->type == VT_L)
        return project_list(a, v, node, out);
    return false;
}

value_t expr_project(arena_t *a, const value_t *item, const expr_projection_t *p)
{
    value_t out = {.type = VT_M};
    if (!item || item->type != VT_M)
        return out;
    ptrie_t root = {0};
    for (size_t i = 0; i < p->n; i++)
        ptrie_add(a, &root, &p->paths[i]);
    project_map(a, item, &root, &out);
    return out;
}

/* ==== key conditions ================================================================= */

/* One condition on one attribute. */
typedef struct key_term {
    str_t name;
    key_op_t op;
    const value_t *lo, *hi;
} key_term_t;

typedef struct key_walk {
    const key_schema_t *ks;
    arena_t *a;
    key_term_t *terms;
    size_t n, cap;
    err_t *e;
} key_walk_t;

static bool is_key_name(const key_schema_t *ks, str_t name)
{
    return str_eq(name, ks->hash.name) || (key_schema_has_range(ks) && str_eq(name, ks->range.name));
}

/* Checked before anything else, over the whole expression. */
static int key_scalars(const key_schema_t *ks, const expr_node_t *n, err_t *e)
{
    if (n->op == OP_PATH) {
        if (n->path.n > 1 && !n->path.elems[0].is_index && is_key_name(ks, n->path.elems[0].name))
            return err_set(
                e, ERR_VALIDATION,
                "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: "
                "Key: %.*s",
                STR_FMT(n->path.elems[0].name));
        return 0;
    }
    for (uint32_t i = 0; i < n->nargs; i++)
        if (key_scalars(ks, n->args[i], e) != 0)
            return -1;
    return 0;
}

static key_op_t key_op_of(expr_op_t op, bool flipped)
{
    switch (op) {
    case OP_EQ: return KEY_OP_EQ;
    case OP_LT: return flipped ? KEY_OP_GT : KEY_OP_LT;
    case OP_LE: return flipped ? KEY_OP_GE : KEY_OP_LE;
    case OP_GT: return flipped ? KEY_OP_LT : KEY_OP_GT;
    default: return flipped ? KEY_OP_LE : KEY_OP_GE;
    }
}

#define KC_INVALID "Invalid condition in KeyConditionExpression: "

/* The checks every kind of term shares, on its operands after the first. */
static int term_operands(key_walk_t *w, const expr_node_t *n, uint32_t from)
{
    for (uint32_t i = 0; i < n->nargs; i++)
        if (n->args[i]->op == OP_FUNC)
            return err_set(w->e, ERR_VALIDATION, "KeyConditionExpressions cannot contain nested operations");
    for (uint32_t i = 0; i < n->nargs; i++)
        if (n->args[i]->op == OP_PATH && n->args[i]->path.n > 1)
            return err_set(w->e, ERR_VALIDATION, "KeyConditionExpressions cannot have conditions on nested attributes");
    for (uint32_t i = from; i < n->nargs; i++)
        if (n->args[i]->op == OP_PATH)
            return err_set(w->e, ERR_VALIDATION, KC_INVALID "Multiple attribute names used in one condition");
    return 0;
}

static int add_term(key_walk_t *w, key_term_t t)
{
    for (size_t i = 0; i < w->n; i++)
        if (str_eq(w->terms[i].name, t.name))
            return err_set(w->e, ERR_VALIDATION, "KeyConditionExpressions must only contain one condition per key");
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 4;
        w->terms = arena_realloc(w->a, w->terms, w->cap * sizeof *w->terms, cap * sizeof *w->terms);
        w->cap = cap;
    }
    w->terms[w->n++] = t;
    return 0;
}

static int compare_term(key_walk_t *w, const expr_node_t *n)
{
    const expr_node_t *x = n->args[0], *y = n->args[1];
    if (term_operands(w, n, 2) != 0)
        return -1;
    if (x->op == OP_PATH && y->op == OP_PATH)
        return err_set(w->e, ERR_VALIDATION, KC_INVALID "Multiple attribute names used in one condition");
    if (x->op != OP_PATH && y->op != OP_PATH)
        return err_set(w->e, ERR_VALIDATION, KC_INVALID "No key attribute specified");
    bool flipped = y->op == OP_PATH;
    const expr_node_t *path = flipped ? y : x, *val = flipped ? x : y;
    return add_term(w, (key_term_t){path->path.elems[0].name, key_op_of(n->op, flipped), val->value, NULL});
}

static int ranged_term(key_walk_t *w, const expr_node_t *n)
{
    bool between = n->op == OP_BETWEEN;
    if (n->args[0]->op != OP_PATH)
        return err_set(w->e, ERR_VALIDATION, KC_INVALID "%s operator must have the key attribute as its first operand",
                       between ? "BETWEEN" : "begins_with");
    if (term_operands(w, n, 1) != 0)
        return -1;
    key_term_t t = {n->args[0]->path.elems[0].name, between ? KEY_OP_BETWEEN : KEY_OP_BEGINS_WITH, n->args[1]->value,
                    between ? n->args[2]->value : NULL};
    return add_term(w, t);
}

static int key_collect(key_walk_t *w, const expr_node_t *n)
{
    switch (n->op) {
    case OP_AND: return key_collect(w, n->args[0]) != 0 || key_collect(w, n->args[1]) != 0 ? -1 : 0;
    case OP_EQ:
    case OP_LT:
    case OP_LE:
    case OP_GT:
    case OP_GE: return compare_term(w, n);
    case OP_BETWEEN: return ranged_term(w, n);
    case OP_FUNC:
        if (n->fn == FN_BEGINS_WITH)
            return ranged_term(w, n);
        return err_set(w->e, ERR_VALIDATION, "Invalid operator used in KeyConditionExpression: %s", n->fname.ptr);
    default:
        return err_set(w->e, ERR_VALIDATION, "Invalid operator used in KeyConditionExpression: %s", expr__op_name(n));
    }
}

static const key_term_t *find_term(const key_walk_t *w, str_t name)
{
    for (size_t i = 0; i < w->n; i++)
        if (str_eq(w->terms[i].name, name))
            return &w->terms[i];
    return NULL;
}

static int check_key_value(const key_attr_t *k, const value_t *v, err_t *e)
{
    if (v->type != k->type)
        return err_set(
            e, ERR_VALIDATION,
            "One or more parameter values were invalid: Condition parameter type does not match schema type");
    if ((v->type == VT_S || v->type == VT_B) && v->s.len == 0)
        return err_set(e, ERR_VALIDATION,
                       "One or more parameter values are not valid. The AttributeValue for a key attribute cannot "
                       "contain an empty %s value. Key: %.*s",
                       v->type == VT_S ? "string" : "binary", STR_FMT(k->name));
    return 0;
}

static int check_range(const key_schema_t *ks, const key_term_t *t, err_t *e)
{
    if (t->op == KEY_OP_BEGINS_WITH) /* an empty prefix is a valid prefix */
        return t->lo->type == ks->range.type
                   ? 0
                   : err_set(e, ERR_VALIDATION,
                             "One or more parameter values were invalid: Condition parameter type "
                             "does not match schema type");
    if (check_key_value(&ks->range, t->lo, e) != 0)
        return -1;
    return t->hi ? check_key_value(&ks->range, t->hi, e) : 0;
}

/* DynamoDB's order: non-scalar key paths anywhere; then each condition in
 * text order (operators, nested operations, paths, one per attribute);
 * then the count; then the partition key; then the sort key. When there
 * is no partition-key condition the message names the partition key; a
 * second condition on anything but the sort key names the sort key (as
 * AWS does; DynamoDB Local omits the name). */
int expr_key_condition(const expr_node_t *cond, const key_schema_t *ks, key_cond_t *out, err_t *e)
{
    memset(out, 0, sizeof *out);
    arena_t scratch; /* the terms only; the values live in the request */
    arena_init(&scratch);
    key_walk_t w = {ks, &scratch, NULL, 0, 0, e};
    int rc = -1;
    if (key_scalars(ks, cond, e) != 0 || key_collect(&w, cond) != 0)
        goto done;
    if (w.n > 2) {
        err_set(e, ERR_VALIDATION, "Conditions can be of length 1 or 2 only");
        goto done;
    }
    const key_term_t *h = find_term(&w, ks->hash.name);
    if (!h) {
        err_set(e, ERR_VALIDATION, "Query condition missed key schema element: %.*s", STR_FMT(ks->hash.name));
        goto done;
    }
    if (h->op != KEY_OP_EQ) {
        err_set(e, ERR_VALIDATION, "Query key condition not supported");
        goto done;
    }
    if (check_key_value(&ks->hash, h->lo, e) != 0)
        goto done;
    out->hash = h->lo;
    if (w.n == 2) {
        if (!key_schema_has_range(ks)) {
            err_set(e, ERR_VALIDATION, "Query key condition not supported");
            goto done;
        }
        const key_term_t *r = find_term(&w, ks->range.name);
        if (!r) {
            err_set(e, ERR_VALIDATION, "Query condition missed key schema element: %.*s", STR_FMT(ks->range.name));
            goto done;
        }
        if (check_range(ks, r, e) != 0)
            goto done;
        out->op = r->op;
        out->lo = r->lo;
        out->hi = r->hi;
    }
    rc = 0;
done:
    arena_free(&scratch);
    return rc;
}

/* ---- multi-attribute keys ----
 * Rules and words are DynamoDB Local 3.3's (AWS records none): every
 * HASH attribute needs an equality ("HASH key attributes a, b must have
 * equality conditions specified in the query"); every RANGE attribute
 * before the last one with a condition needs one too ("RANGE key
 * attributes x must have equality conditions specified in the query
 * because a condition is present on key attribute y"). */

static int attr_index(const key_attr_t *attrs, size_t n, str_t name)
{
    for (size_t i = 0; i < n; i++)
        if (str_eq(attrs[i].name, name))
            return (int)i;
    return -1;
}

static int multi_scalars(const key_attr_t *hash, size_t nh, const key_attr_t *range, size_t nr, const expr_node_t *n,
                         err_t *e)
{
    if (n->op == OP_PATH) {
        str_t name = n->path.elems[0].name;
        if (n->path.n > 1 && !n->path.elems[0].is_index &&
            (attr_index(hash, nh, name) >= 0 || attr_index(range, nr, name) >= 0))
            return err_set(
                e, ERR_VALIDATION,
                "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: "
                "Key: %.*s",
                STR_FMT(name));
        return 0;
    }
    for (uint32_t i = 0; i < n->nargs; i++)
        if (multi_scalars(hash, nh, range, nr, n->args[i], e) != 0) /* depth bounded by the parser */
            return -1;
    return 0;
}

/* A term on an attribute outside the key: named as AWS names a missing
 * key attribute for single-attribute keys (the first without a term). */
static int multi_unknown_terms(const key_walk_t *w, const key_attr_t *hash, size_t nh, const key_attr_t *range,
                               size_t nr, err_t *e)
{
    for (size_t i = 0; i < w->n; i++) {
        if (attr_index(hash, nh, w->terms[i].name) >= 0 || attr_index(range, nr, w->terms[i].name) >= 0)
            continue;
        for (size_t j = 0; j < nh + nr; j++) {
            const key_attr_t *k = j < nh ? &hash[j] : &range[j - nh];
            if (!find_term(w, k->name))
                return err_set(e, ERR_VALIDATION, "Query condition missed key schema element: %.*s", STR_FMT(k->name));
        }
        return err_set(e, ERR_VALIDATION, "Query condition missed key schema element");
    }
    return 0;
}

/* The names of attrs[0..n) lacking an equality term, or "" when none do. */
static void missing_equalities(const key_walk_t *w, const key_attr_t *attrs, size_t n, buf_t *out)
{
    for (size_t i = 0; i < n; i++) {
        const key_term_t *t = find_term(w, attrs[i].name);
        if (!t || t->op != KEY_OP_EQ)
            buf_printf(out, "%s%.*s", out->len ? ", " : "", STR_FMT(attrs[i].name));
    }
}

static int multi_resolve(const key_walk_t *w, const key_attr_t *hash, size_t nh, const key_attr_t *range, size_t nr,
                         key_multi_t *out, err_t *e)
{
    buf_t miss = BUF_INIT;
    int rc = 0;
    missing_equalities(w, hash, nh, &miss);
    if (miss.len)
        rc = err_set(e, ERR_VALIDATION, "HASH key attributes %.*s must have equality conditions specified in the query",
                     (int)miss.len, miss.data);
    int last = -1;
    for (size_t i = 0; i < nr; i++)
        if (find_term(w, range[i].name))
            last = (int)i;
    if (!rc && last > 0)
        missing_equalities(w, range, (size_t)last, &miss);
    if (!rc && miss.len)
        rc = err_set(e, ERR_VALIDATION,
                     "RANGE key attributes %.*s must have equality conditions specified in the query because a "
                     "condition is present on key attribute %.*s",
                     (int)miss.len, miss.data, STR_FMT(range[last].name));
    buf_free(&miss);
    for (size_t i = 0; !rc && i < nh; i++) {
        out->hash[i] = find_term(w, hash[i].name)->lo;
        rc = check_key_value(&hash[i], out->hash[i], e);
    }
    for (int i = 0; !rc && i < last; i++) {
        out->eq[i] = find_term(w, range[i].name)->lo;
        rc = check_key_value(&range[i], out->eq[i], e);
    }
    if (rc || last < 0)
        return rc;
    const key_term_t *t = find_term(w, range[last].name);
    key_schema_t ks = {hash[0], range[last]};
    if (check_range(&ks, t, e) != 0)
        return -1;
    out->n_eq = (size_t)last;
    out->last = (key_cond_t){NULL, t->op, t->lo, t->hi};
    return 0;
}

int expr_key_condition_multi(const expr_node_t *cond, const key_attr_t *hash, size_t n_hash, const key_attr_t *range,
                             size_t n_range, key_multi_t *out, err_t *e)
{
    memset(out, 0, sizeof *out);
    if (n_hash > KEY_MULTI_MAX || n_range > KEY_MULTI_MAX)
        return err_set(e, ERR_VALIDATION, "Query key condition not supported");
    arena_t scratch;
    arena_init(&scratch);
    key_walk_t w = {NULL, &scratch, NULL, 0, 0, e};
    int rc = -1;
    if (multi_scalars(hash, n_hash, range, n_range, cond, e) == 0 && key_collect(&w, cond) == 0 &&
        multi_unknown_terms(&w, hash, n_hash, range, n_range, e) == 0)
        rc = multi_resolve(&w, hash, n_hash, range, n_range, out, e);
    arena_free(&scratch);
    return rc;
}

void expr_each_attribute(const expr_node_t *n, void (*fn)(void *ud, str_t name), void *ud)
{
    if (!n)
        return;
    if (n->op == OP_PATH) {
        if (n->path.n > 0 && !n->path.elems[0].is_index)
            fn(ud, n->path.elems[0].name);
        return;
    }
    for (uint32_t i = 0; i < n->nargs; i++)
        expr_each_attribute(n->args[i], fn, ud); /* depth bounded by the parser's limits */
}

bool expr_refers_to(const expr_node_t *n, str_t name)
{
    if (!n)
        return false;
    if (n->op == OP_PATH)
        return n->path.n > 0 && !n->path.elems[0].is_index && str_eq(n->path.elems[0].name, name);
    for (uint32_t i = 0; i < n->nargs; i++)
        if (expr_refers_to(n->args[i], name)) /* depth bounded by the parser's limits */
            return true;
    return false;
}
