/* context.c - ExpressionAttributeNames and ExpressionAttributeValues:
 * loading them into an expression context, and DynamoDB's check that a
 * request uses every placeholder it defines. */
#include "expr_internal.h"
#include "base/alloc.h"

#include <stdio.h>
#include <stdlib.h>

/* ExpressionAttributeValues as expr_ctx_t.values points at, with the text
 * each N value was sent as: DynamoDB quotes it unnormalized ("01.50") in
 * BETWEEN's messages. expr_ctx_init allocates it; map comes first so the
 * public pointer converts back. */
typedef struct values_priv {
    value_t map;
    str_t *raw;
} values_priv_t;

static str_t trim_ws(str_t s)
{
    while (s.len && (s.ptr[0] == ' ' || s.ptr[0] == '\t' || s.ptr[0] == '\r' || s.ptr[0] == '\n')) {
        s.ptr++;
        s.len--;
    }
    while (s.len) {
        char c = s.ptr[s.len - 1];
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
            break;
        s.len--;
    }
    return s;
}

/* Keys are checked as DynamoDB's lexer sees them: surrounding whitespace
 * is skipped, so " #a" is a valid key (that no expression can use). */
static int check_keys(const json_t *obj, char sigil, const char *what, err_t *e)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)(uintptr_t)obj, key, v)
    {
        (void)v;
        if (!expr__placeholder_syntax(trim_ws(str_from_cstr(key)), sigil))
            return err_set(e, ERR_VALIDATION, "%s contains invalid key: Syntax error; key: \"%s\"", what, key);
    }
    return 0;
}

static int load_value(expr_ctx_t *c, const char *key, const json_t *j, size_t i, err_t *e)
{
    values_priv_t *vp = (values_priv_t *)(uintptr_t)c->values;
    member_t *m = &vp->map.m.m[i];
    m->name = arena_strdup(c->arena, str_from_cstr(key));
    if (json_is_null(j))
        return err_set(e, ERR_VALIDATION,
                       "ExpressionAttributeValues contains invalid value: The supplied Item contains a null "
                       "AttributeValue for key %s",
                       key);
    err_t sub;
    err_clear(&sub);
    if (value_from_json(c->arena, j, &m->v, &sub) != 0) {
        if (sub.code != ERR_VALIDATION)
            return err_set(e, sub.code, "%s", sub.msg);
        return err_set(e, ERR_VALIDATION, "ExpressionAttributeValues contains invalid value: %s for key %s", sub.msg,
                       key);
    }
    const json_t *n = json_object_get(j, "N");
    if (m->v.type == VT_N && json_is_string(n))
        vp->raw[i] = arena_strdup(c->arena, (str_t){json_string_value(n), json_string_length(n)});
    return 0;
}

static int load_values(expr_ctx_t *c, const json_t *values, err_t *e)
{
    size_t n = json_object_size(values);
    values_priv_t *vp = arena_calloc(c->arena, 1, sizeof *vp);
    vp->map.type = VT_M;
    vp->map.m.m = arena_calloc(c->arena, n, sizeof(member_t));
    vp->map.m.n = n;
    vp->raw = arena_calloc(c->arena, n, sizeof(str_t));
    c->values = &vp->map;
    c->value_used = arena_calloc(c->arena, n, sizeof(bool));
    const char *key;
    json_t *v;
    size_t i = 0;
    json_object_foreach((json_t *)(uintptr_t)values, key, v)
    {
        if (load_value(c, key, v, i++, e) != 0)
            return -1;
    }
    return 0;
}

/* A name's text: DynamoDB's JSON reader takes numbers and booleans as
 * their text; null is reported; structures cannot be names. */
static int name_text(arena_t *a, const char *key, const json_t *v, str_t *out, err_t *e)
{
    if (json_is_string(v)) {
        *out = arena_strdup(a, (str_t){json_string_value(v), json_string_length(v)});
        return 0;
    }
    if (json_is_null(v))
        return err_set(e, ERR_VALIDATION, "ExpressionAttributeNames contains invalid value: null for key %s", key);
    if (json_is_object(v) || json_is_array(v))
        return err_set(e, ERR_SERIALIZATION, "Unexpected value type in payload");
    char *text = xjson_dumps(v, JSON_ENCODE_ANY);
    *out = arena_strdup(a, str_from_cstr(text));
    free(text);
    return 0;
}

static int load_names(expr_ctx_t *c, const json_t *names, err_t *e)
{
    size_t n = json_object_size(names);
    c->name_keys = arena_calloc(c->arena, n, sizeof(str_t));
    c->name_vals = arena_calloc(c->arena, n, sizeof(str_t));
    c->name_used = arena_calloc(c->arena, n, sizeof(bool));
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)(uintptr_t)names, key, v)
    {
        str_t val;
        if (name_text(c->arena, key, v, &val, e) != 0)
            return -1;
        if (val.len == 0)
            return err_set(e, ERR_VALIDATION,
                           "ExpressionAttributeNames contains invalid value: Empty attribute name for key %s", key);
        if (val.len > EXPR_MAX_NAME_BYTES)
            return err_set(e, ERR_VALIDATION,
                           "ExpressionAttributeNames contains invalid value: Attribute name is too large, must be less "
                           "than 65536 bytes for key %s",
                           key);
        c->name_keys[c->nnames] = arena_strdup(c->arena, str_from_cstr(key));
        c->name_vals[c->nnames++] = val;
    }
    return 0;
}

/* DynamoDB's order of checks: names empty, names' keys, values empty,
 * values' keys, values' values, names' values. */
int expr_ctx_init(expr_ctx_t *c, arena_t *a, const json_t *names, const json_t *values, err_t *e)
{
    memset(c, 0, sizeof *c);
    c->arena = a;
    if (json_is_null(names))
        names = NULL;
    if (json_is_null(values))
        values = NULL;
    if ((names && !json_is_object(names)) || (values && !json_is_object(values)))
        return err_set(e, ERR_SERIALIZATION, "Unexpected value type in payload");
    if (names && json_object_size(names) == 0)
        return err_set(e, ERR_VALIDATION, "ExpressionAttributeNames must not be empty");
    if (names && check_keys(names, '#', "ExpressionAttributeNames", e) != 0)
        return -1;
    if (values && json_object_size(values) == 0)
        return err_set(e, ERR_VALIDATION, "ExpressionAttributeValues must not be empty");
    if (values && check_keys(values, ':', "ExpressionAttributeValues", e) != 0)
        return -1;
    if (values && load_values(c, values, e) != 0)
        return -1;
    if (names && load_names(c, names, e) != 0)
        return -1;
    return 0;
}

typedef struct unused_key {
    str_t key;
    uint32_t bucket;
    size_t order;
} unused_key_t;

static int unused_cmp(const void *x, const void *y)
{
    const unused_key_t *a = x, *b = y;
    if (a->bucket != b->bucket)
        return a->bucket < b->bucket ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

/* Java's HashSet(Collection) capacity for n keys. */
static uint32_t hashset_capacity(size_t n)
{
    size_t want = (size_t)((float)n / 0.75f) + 1;
    uint32_t cap = 1;
    while (cap < want || cap < 16)
        cap <<= 1;
    return cap;
}

/* DynamoDB lists unused keys in the iteration order of a Java HashSet of
 * all the keys; reproducing it keeps multi-key messages identical. */
static int report_unused(arena_t *a, const str_t *keys, const bool *used, size_t n, const char *what, err_t *e)
{
    unused_key_t *u = arena_alloc(a, (n ? n : 1) * sizeof *u);
    size_t k = 0;
    uint32_t cap = hashset_capacity(n);
    for (size_t i = 0; i < n; i++)
        if (!used[i])
            u[k++] = (unused_key_t){keys[i], expr__java_bucket(keys[i], cap), i};
    if (k == 0)
        return 0;
    qsort(u, k, sizeof *u, unused_cmp);
    buf_t b = BUF_INIT;
    for (size_t i = 0; i < k; i++) {
        if (i)
            buf_puts(&b, ", ");
        buf_append(&b, u[i].key.ptr, u[i].key.len);
    }
    buf_putc(&b, '\0');
    err_set(e, ERR_VALIDATION, "Value provided in %s unused in expressions: keys: {%s}", what, b.data);
    buf_free(&b);
    return -1;
}

int expr_check_unused(const expr_ctx_t *c, err_t *e)
{
    if (report_unused(c->arena, c->name_keys, c->name_used, c->nnames, "ExpressionAttributeNames", e) != 0)
        return -1;
    if (!c->values)
        return 0;
    size_t n = c->values->m.n;
    str_t *keys = arena_alloc(c->arena, (n ? n : 1) * sizeof *keys);
    for (size_t i = 0; i < n; i++)
        keys[i] = c->values->m.m[i].name;
    return report_unused(c->arena, keys, c->value_used, n, "ExpressionAttributeValues", e);
}

/* ==== resolving placeholders ================================================ */

/* Digits of a list index; false when above DynamoDB's range. */
bool expr__index_value(str_t digits, uint32_t *out)
{
    uint64_t v = 0;
    for (size_t i = 0; i < digits.len; i++) {
        v = v * 10 + (uint64_t)(digits.ptr[i] - '0');
        if (v > EXPR_MAX_LIST_INDEX)
            return false;
    }
    *out = (uint32_t)v;
    return true;
}

/* The index of a #placeholder in ExpressionAttributeNames, or nnames. */
static size_t name_index(const expr_ctx_t *c, str_t key)
{
    size_t k = 0;
    while (k < c->nnames && !str_eq(c->name_keys[k], key))
        k++;
    return k;
}

int expr__resolve_path(expr_ctx_t *c, arena_t *a, expr_node_t *n, str_t *undefined)
{
    if (!n->resolved) {
        n->path.elems = arena_calloc(a, n->path.n ? n->path.n : 1, sizeof(expr_path_elem_t));
        for (size_t i = 0; i < n->path.n; i++) {
            const expr_elem_src_t *s = &n->src[i];
            expr_path_elem_t *el = &n->path.elems[i];
            el->is_index = s->kind == EL_INDEX;
            el->name = s->text; /* an undefined placeholder keeps its text */
            if (el->is_index) {
                expr__index_value(s->text, &el->index);
                continue;
            }
            size_t k = s->kind == EL_NAME_PH ? name_index(c, s->text) : c->nnames;
            if (k < c->nnames) {
                el->name = c->name_vals[k];
                c->name_used[k] = true;
            }
        }
        n->resolved = true;
    }
    for (size_t i = 0; i < n->path.n; i++) {
        if (n->src[i].kind == EL_NAME_PH && name_index(c, n->src[i].text) == c->nnames) {
            *undefined = n->src[i].text;
            return -1;
        }
    }
    return 0;
}

int expr__resolve_value(expr_ctx_t *c, expr_node_t *n)
{
    if (n->value)
        return 0;
    if (!c->values)
        return -1;
    const values_priv_t *vp = (const values_priv_t *)(const void *)c->values;
    for (size_t i = 0; i < c->values->m.n; i++) {
        if (str_eq(c->values->m.m[i].name, n->ph)) {
            n->value = &c->values->m.m[i].v;
            n->raw = vp->raw[i];
            c->value_used[i] = true;
            return 0;
        }
    }
    return -1;
}
