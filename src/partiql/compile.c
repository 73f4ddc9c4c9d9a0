/* compile.c - PartiQL values and conditions as DynamoDB's: literals and
 * parameters become AttributeValue JSON, WHERE clauses become condition
 * expression text whose names and values are generated placeholders.
 *
 * The text is then parsed by the expression module like any request's,
 * so functions, operand types, nesting and the like are checked, and
 * evaluated, by the same code, with the same messages (without their
 * "Invalid ConditionExpression: " prefix, which PartiQL does not have). */
#include <stdio.h>
#include <string.h>

#include "partiql/partiql_internal.h"

void pq_names_init(pq_names_t *x)
{
    memset(x, 0, sizeof *x);
    x->names = json_object();
    x->values = json_object();
}

void pq_names_free(pq_names_t *x)
{
    json_decref(x->names);
    json_decref(x->values);
    memset(x, 0, sizeof *x);
}

void pq_names_attach(pq_names_t *x, json_t *body)
{
    if (json_object_size(x->names))
        json_object_set(body, "ExpressionAttributeNames", x->names);
    if (json_object_size(x->values))
        json_object_set(body, "ExpressionAttributeValues", x->values);
    pq_names_free(x);
    pq_names_init(x);
}

/* The placeholder of an attribute name: one per distinct name. */
static void name_text(pq_names_t *x, str_t name, buf_t *out)
{
    const char *k;
    json_t *v;
    json_object_foreach(x->names, k, v)
    {
        if (json_string_length(v) == name.len && memcmp(json_string_value(v), name.ptr, name.len) == 0) {
            buf_puts(out, k);
            return;
        }
    }
    char key[16];
    snprintf(key, sizeof key, "#%u", x->nnames++);
    json_object_set_new(x->names, key, json_stringn(name.ptr, name.len));
    buf_puts(out, key);
}

void pq_value_text(pq_names_t *x, json_t *value, buf_t *out)
{
    char key[16];
    snprintf(key, sizeof key, ":%u", x->nvalues++);
    json_object_set_new(x->values, key, value);
    buf_puts(out, key);
}

/* ---- values ------------------------------------------------------------------------ */

static json_t *fail(const pq_ctx_t *c, const char *fmt, const char *arg)
{
    err_set(c->err, ERR_VALIDATION, fmt, arg);
    return NULL;
}

/* A number as DynamoDB reads it: ".5" is 0.5 and "5." is 5. */
static json_t *number(const pq_ctx_t *c, str_t text, bool negative)
{
    char *s = arena_alloc(c->arena, text.len + 3), *w = s;
    if (negative)
        *w++ = '-';
    if (text.len && text.ptr[0] == '.')
        *w++ = '0';
    for (size_t i = 0; i < text.len; i++) {
        bool bare_dot = text.ptr[i] == '.' && (i + 1 == text.len || text.ptr[i + 1] == 'e' || text.ptr[i + 1] == 'E');
        if (!bare_dot)
            *w++ = text.ptr[i];
    }
    *w = '\0';
    json_t *n = json_object();
    json_object_set_new(n, "N", json_string(s));
    value_t v; /* DynamoDB's checks now: digits, range, with its message */
    if (value_from_json(c->arena, n, &v, c->err) != 0) {
        json_decref(n);
        return NULL;
    }
    return n;
}

static json_t *value_in(const pq_ctx_t *c, const pq_node_t *n, bool nested);

/* What a value node cannot be, worded as DynamoDB does. */
static json_t *not_a_value(const pq_ctx_t *c, const pq_node_t *n, bool nested)
{
    switch (n->kind) {
    case PQ_N_MISSING:
        return nested ? fail(c, "%sUnsupported data type: LiteralMissing", "")
                      : fail(c, "%sMISSING must be compared using IS operator", "");
    case PQ_N_PATH: return fail(c, "Unsupported data type: %s", "VariableReference");
    case PQ_N_ARITH: return fail(c, "Unsupported data type: %s", arena_cstr(c->arena, n->text));
    case PQ_N_NEG: return fail(c, "Unsupported data type: %s", "-");
    case PQ_N_CALL: return fail(c, "Unsupported data type: %s", arena_cstr(c->arena, n->text));
    default: return fail(c, "Unsupported data type: %s", "Expression");
    }
}

static json_t *list_value(const pq_ctx_t *c, const pq_node_t *n)
{
    json_t *l = json_array();
    for (uint32_t i = 0; i < n->nargs; i++) {
        json_t *v = value_in(c, n->args[i], true);
        if (!v) {
            json_decref(l);
            return NULL;
        }
        json_array_append_new(l, v);
    }
    json_t *out = json_object();
    json_object_set_new(out, "L", l);
    return out;
}

static json_t *tuple_value(const pq_ctx_t *c, const pq_node_t *n)
{
    json_t *m = json_object();
    for (uint32_t i = 0; i + 1 < n->nargs; i += 2) {
        const pq_node_t *k = n->args[i];
        if (k->kind != PQ_N_STR) {
            json_decref(m);
            return fail(c, "Tuple keys must be of type String. Actual type: %s",
                        k->kind == PQ_N_PATH  ? "VariableReference"
                        : k->kind == PQ_N_NUM ? "INT"
                                              : "Expression");
        }
        char *key = arena_cstr(c->arena, k->text);
        if (strlen(key) != k->text.len || json_object_get(m, key)) {
            json_decref(m);
            return fail(c, "Duplicate keys in tuple. Key: %s", key);
        }
        json_t *v = value_in(c, n->args[i + 1], true);
        if (!v) {
            json_decref(m);
            return NULL;
        }
        json_object_set_new(m, key, v);
    }
    json_t *out = json_object();
    json_object_set_new(out, "M", m);
    return out;
}

/* <<'a', 'b'>>: a string, number or binary set; its members validated and
 * compared as DynamoDB compares them (1 and 1.0 are duplicates). */
static json_t *bag_value(const pq_ctx_t *c, const pq_node_t *n)
{
    if (n->nargs == 0)
        return fail(c, "%sEmpty bags are not supported", "");
    json_t *members = json_array();
    value_t *seen = arena_alloc(c->arena, n->nargs * sizeof *seen);
    const char *type = NULL;
    for (uint32_t i = 0; i < n->nargs; i++) {
        json_t *v = value_in(c, n->args[i], true);
        const char *t = v ? json_object_iter_key(json_object_iter(v)) : NULL;
        bool ok = t && (!strcmp(t, "S") || !strcmp(t, "N") || !strcmp(t, "B")) && (!type || !strcmp(t, type));
        if (!ok || value_from_json(c->arena, v, &seen[i], c->err) != 0) {
            json_decref(v);
            json_decref(members);
            if (c->err->code)
                return NULL;
            return fail(c, "%sUnsupported data type in Bag. DynamoDB only supports either numbers or strings in bags",
                        "");
        }
        for (uint32_t j = 0; j < i; j++)
            if (value_equal(&seen[j], &seen[i])) {
                json_decref(v);
                json_decref(members);
                return fail(c, "%sInput collection contains duplicates", "");
            }
        type = !strcmp(t, "S") ? "S" : !strcmp(t, "N") ? "N" : "B"; /* t dies with v */
        json_array_append(members, json_object_get(v, t));
        json_decref(v);
    }
    json_t *out = json_object();
    json_object_set_new(out, !strcmp(type, "S") ? "SS" : !strcmp(type, "N") ? "NS" : "BS", members);
    return out;
}

static json_t *value_in(const pq_ctx_t *c, const pq_node_t *n, bool nested)
{
    json_t *v;
    switch (n->kind) {
    case PQ_N_STR:
        v = json_object();
        json_object_set_new(v, "S", json_stringn(n->text.ptr, n->text.len));
        return v;
    case PQ_N_NUM: return number(c, n->text, false);
    case PQ_N_NEG:
        if (n->args[0]->kind == PQ_N_NUM)
            return number(c, n->args[0]->text, true);
        return not_a_value(c, n, nested);
    case PQ_N_BOOL:
        v = json_object();
        json_object_set_new(v, "BOOL", json_boolean(n->flag));
        return v;
    case PQ_N_NULL:
        v = json_object();
        json_object_set_new(v, "NULL", json_true());
        return v;
    case PQ_N_PARAM: {
        const json_t *p = json_array_get(c->params, n->param);
        if (!p) /* callers check the count first; stay safe */
            return fail(c, "%sNumber of parameters in request and statement don't match.", "");
        return json_deep_copy(p);
    }
    case PQ_N_LIST: return list_value(c, n);
    case PQ_N_TUPLE: return tuple_value(c, n);
    case PQ_N_BAG: return bag_value(c, n);
    default: return not_a_value(c, n, nested);
    }
}

json_t *pq_value(const pq_ctx_t *c, const pq_node_t *n) { return value_in(c, n, false); }

/* ---- paths and operands --------------------------------------------------------------- */

int pq_path_text(const pq_ctx_t *c, pq_names_t *x, const pq_node_t *path, buf_t *out)
{
    for (uint32_t i = 0; i < path->nsteps; i++) {
        const pq_step_t *s = &path->steps[i];
        if (s->kind == PQ_STEP_WILD)
            return err_set(c->err, ERR_VALIDATION, "Changing item's hierarchy while reading isn't supported");
        if (s->kind == PQ_STEP_INDEX) {
            buf_printf(out, "[%u]", s->index);
            continue;
        }
        if (s->name.len == 0)
            return err_set(c->err, ERR_VALIDATION, "Path component cannot be an empty string");
        if (i)
            buf_putc(out, '.');
        name_text(x, s->name, out);
    }
    return 0;
}

int pq__no_operands(const pq_ctx_t *c, const char *fn)
{
    return err_set(c->err, ERR_VALIDATION,
                   "Incorrect number of operands for operator or function; operator or function: %s, number of "
                   "operands: 0",
                   fn);
}

bool pq__is_value_node(const pq_node_t *n)
{
    switch (n->kind) {
    case PQ_N_STR:
    case PQ_N_NUM:
    case PQ_N_BOOL:
    case PQ_N_NULL:
    case PQ_N_PARAM:
    case PQ_N_LIST:
    case PQ_N_TUPLE:
    case PQ_N_BAG: return true;
    case PQ_N_NEG: return n->args[0]->kind == PQ_N_NUM;
    default: return false;
    }
}

/* DynamoDB's functions, by their (case-sensitive) names; PartiQL matches
 * them case-insensitively. NULL for a name DynamoDB does not have. */
static const char *function_name(str_t written)
{
    static const char *const names[] = {
        "attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains", "size",
        "if_not_exists",    "list_append"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (pq__word_is(written, names[i]))
            return names[i];
    return NULL;
}

static const char *const cmp_text[] = {" = ", " <> ", " < ", " <= ", " > ", " >= "};

static int unsupported_operator(const pq_ctx_t *c, const pq_node_t *n)
{
    const char *op = n->kind == PQ_N_ARITH  ? arena_cstr(c->arena, n->text)
                     : n->kind == PQ_N_NEG  ? "-"
                     : n->kind == PQ_N_LIKE ? "like"
                     : n->kind == PQ_N_CMP  ? cmp_text[n->op] + 1
                                            : "expression";
    size_t len = strlen(op);
    if (len && op[len - 1] == ' ')
        len--;
    return err_set(c->err, ERR_VALIDATION, "Unsupported operator in Condition Expression. Operator: %.*s", (int)len,
                   op);
}

static int operand(const pq_ctx_t *c, pq_names_t *x, const pq_node_t *n, buf_t *out);

static int call_text(const pq_ctx_t *c, pq_names_t *x, const pq_node_t *n, buf_t *out)
{
    const char *name = function_name(n->text);
    if (!name)
        return err_set(c->err, ERR_VALIDATION, "Unrecognized function: %.*s", STR_FMT(n->text));
    if (n->nargs == 0)
        return pq__no_operands(c, name);
    buf_printf(out, "%s(", name);
    for (uint32_t i = 0; i < n->nargs; i++) {
        if (i)
            buf_puts(out, ", ");
        if (operand(c, x, n->args[i], out))
            return -1;
    }
    buf_putc(out, ')');
    return 0;
}

/* One side of a comparison, or a function's argument. */
static int operand(const pq_ctx_t *c, pq_names_t *x, const pq_node_t *n, buf_t *out)
{
    if (n->kind == PQ_N_PATH)
        return pq_path_text(c, x, n, out);
    if (n->kind == PQ_N_CALL)
        return call_text(c, x, n, out);
    if (n->kind == PQ_N_MISSING)
        return err_set(c->err, ERR_VALIDATION, "MISSING must be compared using IS operator");
    if (!pq__is_value_node(n))
        return unsupported_operator(c, n);
    json_t *v = pq_value(c, n);
    if (!v)
        return -1;
    pq_value_text(x, v, out);
    return 0;
}

/* ---- conditions ------------------------------------------------------------------------- */

static int not_boolean(const pq_ctx_t *c)
{
    return err_set(c->err, ERR_VALIDATION, "WHERE clause must contain an expression that resolves to a boolean");
}

static int cond(const pq_ctx_t *c, pq_names_t *x, const pq_node_t *n, buf_t *out);

/* A sub-condition, in parentheses when it binds more loosely than where
 * it stands (DynamoDB's precedence: NOT > AND > OR). Never two pairs:
 * DynamoDB rejects redundant parentheses. */
static int sub_cond(const pq_ctx_t *c, pq_names_t *x, const pq_node_t *n, buf_t *out, bool wrap)
{
    if (wrap)
        buf_putc(out, '(');
    if (cond(c, x, n, out))
        return -1;
    if (wrap)
        buf_putc(out, ')');
    return 0;
}

static int junction(const pq_ctx_t *c, pq_names_t *x, const pq_node_t *n, buf_t *out)
{
    bool and = n->kind == PQ_N_AND;
    for (uint32_t i = 0; i < n->nargs; i++) {
        if (i)
            buf_puts(out, and? " AND " : " OR ");
        const pq_node_t *a = n->args[i];
        if (sub_cond(c, x, a, out, and&&a->kind == PQ_N_OR))
            return -1;
    }
    return 0;
}

static int in_cond(const pq_ctx_t *c, pq_names_t *x, const pq_node_t *n, buf_t *out)
{
    const pq_node_t *list = n->args[1];
    if (list->kind != PQ_N_LIST || list->nargs == 0)
        return err_set(c->err, ERR_VALIDATION,
                       "IN operator must have a left hand argument of type Variable Reference and right hand "
                       "argument of type Seq with at least one member");
    if (n->flag)
        buf_puts(out, "NOT (");
    if (operand(c, x, n->args[0], out))
        return -1;
    buf_puts(out, " IN (");
    for (uint32_t i = 0; i < list->nargs; i++) {
        if (i)
            buf_puts(out, ", ");
        if (operand(c, x, list->args[i], out))
            return -1;
    }
    buf_puts(out, n->flag ? "))" : ")");
    return 0;
}

static int between_cond(const pq_ctx_t *c, pq_names_t *x, const pq_node_t *n, buf_t *out)
{
    if (n->flag)
        buf_puts(out, "NOT (");
    if (operand(c, x, n->args[0], out))
        return -1;
    buf_puts(out, " BETWEEN ");
    if (operand(c, x, n->args[1], out))
        return -1;
    buf_puts(out, " AND ");
    if (operand(c, x, n->args[2], out))
        return -1;
    if (n->flag)
        buf_putc(out, ')');
    return 0;
}

/* IS [NOT] MISSING / NULL: attribute_(not_)exists, attribute_type NULL. */
static int is_cond(const pq_ctx_t *c, pq_names_t *x, const pq_node_t *n, buf_t *out)
{
    const pq_node_t *p = n->args[0];
    if (p->kind != PQ_N_PATH)
        return unsupported_operator(c, p);
    if (n->op == PQ_IS_MISSING)
        buf_puts(out, n->flag ? "attribute_exists(" : "attribute_not_exists(");
    else
        buf_puts(out, n->flag ? "NOT attribute_type(" : "attribute_type(");
    if (pq_path_text(c, x, p, out))
        return -1;
    if (n->op == PQ_IS_NULL) {
        json_t *t = json_object();
        json_object_set_new(t, "S", json_string("NULL"));
        buf_puts(out, ", ");
        pq_value_text(x, t, out);
    }
    buf_putc(out, ')');
    return 0;
}

static int call_cond(const pq_ctx_t *c, pq_names_t *x, const pq_node_t *n, buf_t *out)
{
    const char *name = function_name(n->text);
    if (name && !strcmp(name, "size"))
        return not_boolean(c);
    return call_text(c, x, n, out);
}

static int cond(const pq_ctx_t *c, pq_names_t *x, const pq_node_t *n, buf_t *out)
{
    switch (n->kind) {
    case PQ_N_AND:
    case PQ_N_OR: return junction(c, x, n, out);
    case PQ_N_NOT: {
        const pq_node_t *a = n->args[0];
        buf_puts(out, "NOT ");
        return sub_cond(c, x, a, out, a->kind == PQ_N_AND || a->kind == PQ_N_OR);
    }
    case PQ_N_CMP:
        if (operand(c, x, n->args[0], out))
            return -1;
        buf_puts(out, cmp_text[n->op]);
        return operand(c, x, n->args[1], out);
    case PQ_N_BETWEEN: return between_cond(c, x, n, out);
    case PQ_N_IN: return in_cond(c, x, n, out);
    case PQ_N_IS: return is_cond(c, x, n, out);
    case PQ_N_CALL: return call_cond(c, x, n, out);
    case PQ_N_LIKE:
    case PQ_N_ARITH: return unsupported_operator(c, n);
    case PQ_N_MISSING: return err_set(c->err, ERR_VALIDATION, "MISSING must be compared using IS operator");
    default: return not_boolean(c);
    }
}

int pq_condition(const pq_ctx_t *c, pq_names_t *x, const pq_node_t *n, buf_t *out) { return cond(c, x, n, out); }
