/* legacy.c - DynamoDB's legacy parameters, served by translation into
 * expressions (see legacy.h).
 *
 * Which error a request with several faults gets depends on the order of
 * DynamoDB's checks, so legacy_translate() keeps it (verified against
 * DynamoDB Local; where AWS is known to differ, AWS):
 *   1. member shapes (SerializationException)
 *   2. request constraints, reported together: the ConditionalOperator,
 *      ComparisonOperator and Action enums, a filter condition's missing
 *      ComparisonOperator, an empty AttributesToGet (DynamoDB Local skips
 *      these and answers later with messages of its own)
 *   3. legacy and expression parameters mixed
 *   4. ExpressionAttributeNames/Values without an expression
 *   5. Expected, KeyConditions, then QueryFilter/ScanFilter entries
 *   6. ConditionalOperator without two conditions
 *   7. AttributeUpdates entries
 *   8. the number of KeyConditions
 *   9. Select against AttributesToGet, then AttributesToGet's names
 * and only then are the expressions written.
 *
 * Legacy semantics map onto expressions one to one except NOT_CONTAINS,
 * which is false on a missing attribute ("NOT contains(a, :v)" alone is
 * true there), and ADD of a list, which appends (expressions' ADD takes
 * numbers and sets only). */
#include "ops/legacy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "model/value.h"
#include "ops/legacy_internal.h"

#define LEGACY_FILTERS (LEGACY_QUERY_FILTER | LEGACY_SCAN_FILTER)
/* What ConditionalOperator combines. */
#define LEGACY_COMBINED (LEGACY_EXPECTED | LEGACY_FILTERS)

/* The IN operator of an expression takes at most 100 operands; a longer
 * legacy IN list becomes several INs joined by OR. */
#define LEGACY_IN_GROUP 100

/* ---- comparison operators ---------------------------------------------------- */

#define TYPE_BIT(t) (1u << (t))
#define TYPES_SCALAR (TYPE_BIT(VT_S) | TYPE_BIT(VT_N) | TYPE_BIT(VT_B))
#define TYPES_ALL 0xffffu
#define ARGS_MANY 0xffffffffu

/* One ComparisonOperator: its argument count, the AttributeValue types it
 * takes as arguments, and the expression comparator when it is one. */
static const struct lop {
    const char *name;
    unsigned min_args, max_args;
    unsigned types;
    const char *comparator;
} lops[LOP_COUNT] = {
    [LOP_EQ] = {"EQ", 1, 1, TYPES_ALL, "="},
    [LOP_NE] = {"NE", 1, 1, TYPES_ALL, "<>"},
    [LOP_LE] = {"LE", 1, 1, TYPES_SCALAR, "<="},
    [LOP_LT] = {"LT", 1, 1, TYPES_SCALAR, "<"},
    [LOP_GE] = {"GE", 1, 1, TYPES_SCALAR, ">="},
    [LOP_GT] = {"GT", 1, 1, TYPES_SCALAR, ">"},
    [LOP_NOT_NULL] = {"NOT_NULL", 0, 0, 0, NULL},
    [LOP_NULL] = {"NULL", 0, 0, 0, NULL},
    [LOP_CONTAINS] = {"CONTAINS", 1, 1, TYPES_SCALAR | TYPE_BIT(VT_BOOL) | TYPE_BIT(VT_NULL), NULL},
    [LOP_NOT_CONTAINS] = {"NOT_CONTAINS", 1, 1, TYPES_SCALAR | TYPE_BIT(VT_BOOL) | TYPE_BIT(VT_NULL), NULL},
    [LOP_BEGINS_WITH] = {"BEGINS_WITH", 1, 1, TYPE_BIT(VT_S) | TYPE_BIT(VT_B), NULL},
    [LOP_IN] = {"IN", 1, ARGS_MANY, TYPES_SCALAR, NULL},
    [LOP_BETWEEN] = {"BETWEEN", 2, 2, TYPES_SCALAR, NULL},
};

/* The enum as AWS lists it in its constraint message. */
#define ENUM_COMPARISON                                                                                                \
    "Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, "             \
    "BEGINS_WITH, GE, CONTAINS]"
#define ENUM_CONDITIONAL "Member must satisfy enum value set: [OR, AND]"
#define ENUM_ACTION "Member must satisfy enum value set: [ADD, DELETE, PUT]"

int legacy__lop_find(const json_t *s)
{
    if (!json_is_string(s))
        return -1;
    for (int i = 0; i < LOP_COUNT; i++)
        if (strcmp(json_string_value(s), lops[i].name) == 0)
            return i;
    return -1;
}

/* ---- state -------------------------------------------------------------------- */

/* One condition of Expected, KeyConditions or a filter. Expected's
 * Exists/Value forms become NULL (Exists false) and EQ (a Value). */
typedef struct cond {
    str_t name;
    int op; /* LOP_* */
    const json_t **args; /* the AttributeValues as sent (they go to ExpressionAttributeValues) */
    value_t *vals; /* and parsed */
    size_t nargs;
} cond_t;

typedef struct cond_list {
    cond_t *v;
    size_t n;
} cond_list_t;

typedef struct legacy {
    ddb_req_t *r;
    unsigned which;
    json_t *body;
    json_t *expected, *updates, *key_conds, *filter, *atg; /* NULL: absent */
    const char *filter_member; /* "QueryFilter" or "ScanFilter" */
    const json_t *cond_op; /* ConditionalOperator */
    cond_list_t expected_list, key_list, filter_list;
    json_t *names, *values; /* ExpressionAttributeNames/Values being filled */
    unsigned next_name, next_value;
} legacy_t;

/* A member of obj; JSON null counts as absent, as everywhere in the API. */
/* ---- 1. shapes ------------------------------------------------------------------ */

enum { WANT_OBJECT, WANT_ARRAY, WANT_STRING, WANT_BOOL };

static bool kind_ok(const json_t *v, int want)
{
    switch (want) {
    case WANT_OBJECT: return json_is_object(v);
    case WANT_ARRAY: return json_is_array(v);
    case WANT_STRING: return json_is_string(v);
    default: return json_is_boolean(v);
    }
}

/* The deserializer's messages for a JSON value of the wrong kind. */
static int kind_error(legacy_t *L, const json_t *v, int want)
{
    err_t *e = &L->r->err;
    if (json_is_object(v))
        return err_set(e, ERR_SERIALIZATION, "Start of structure or map found where not expected.");
    if (json_is_array(v))
        return err_set(e, ERR_SERIALIZATION, "Start of list found where not expected");
    if (want == WANT_OBJECT || want == WANT_ARRAY)
        return err_set(e, ERR_SERIALIZATION, "Unexpected value type in payload");
    const char *kind = json_is_string(v)  ? "STRING_VALUE"
                       : json_is_true(v)  ? "TRUE_VALUE"
                       : json_is_false(v) ? "FALSE_VALUE"
                                          : "NUMBER_VALUE";
    return err_set(e, ERR_SERIALIZATION, "%s cannot be converted to %s", kind,
                   want == WANT_STRING ? "String" : "Boolean");
}

static int expect_kind(legacy_t *L, const json_t *v, int want)
{
    return !v || kind_ok(v, want) ? 0 : kind_error(L, v, want);
}

/* Each entry of a map parameter is a structure whose listed members have
 * the given kinds ({"ComparisonOperator", WANT_STRING}, ...). */
typedef struct field_kind {
    const char *name;
    int want;
} field_kind_t;

static int shape_entries(legacy_t *L, json_t *map, const field_kind_t *fields, size_t nfields)
{
    const char *k;
    size_t klen;
    json_t *v;
    json_object_keylen_foreach(map, k, klen, v)
    {
        (void)klen;
        if (json_is_null(v))
            continue; /* an empty structure */
        if (!json_is_object(v))
            return kind_error(L, v, WANT_OBJECT);
        for (size_t i = 0; i < nfields; i++)
            if (expect_kind(L, legacy__member(v, fields[i].name), fields[i].want))
                return -1;
    }
    return 0;
}

static const field_kind_t condition_fields[] = {{"ComparisonOperator", WANT_STRING},
                                                {"AttributeValueList", WANT_ARRAY}};
static const field_kind_t expected_fields[] = {
    {"ComparisonOperator", WANT_STRING}, {"AttributeValueList", WANT_ARRAY}, {"Exists", WANT_BOOL},
    /* Value: an AttributeValue, checked later */};
static const field_kind_t update_fields[] = {{"Action", WANT_STRING}};

/* Reads the member `name` if `flag` is accepted, checking its kind. */
static int read_member(legacy_t *L, unsigned flag, const char *name, int want, json_t **out)
{
    *out = NULL;
    if (!(L->which & flag))
        return 0;
    json_t *v = legacy__member(L->body, name);
    if (expect_kind(L, v, want))
        return -1;
    *out = v;
    return 0;
}

static int read_members(legacy_t *L)
{
    json_t *co;
    L->filter_member = (L->which & LEGACY_QUERY_FILTER) ? "QueryFilter" : "ScanFilter";
    if (read_member(L, LEGACY_EXPECTED, "Expected", WANT_OBJECT, &L->expected) ||
        read_member(L, LEGACY_ATTRIBUTE_UPDATES, "AttributeUpdates", WANT_OBJECT, &L->updates) ||
        read_member(L, LEGACY_KEY_CONDITIONS, "KeyConditions", WANT_OBJECT, &L->key_conds) ||
        read_member(L, LEGACY_FILTERS, L->filter_member, WANT_OBJECT, &L->filter) ||
        read_member(L, LEGACY_ATTRIBUTES_TO_GET, "AttributesToGet", WANT_ARRAY, &L->atg) ||
        read_member(L, LEGACY_COMBINED, "ConditionalOperator", WANT_STRING, &co))
        return -1;
    L->cond_op = co;
    if ((L->expected && shape_entries(L, L->expected, expected_fields, 3)) ||
        (L->updates && shape_entries(L, L->updates, update_fields, 1)) ||
        (L->key_conds && shape_entries(L, L->key_conds, condition_fields, 2)) ||
        (L->filter && shape_entries(L, L->filter, condition_fields, 2)))
        return -1;
    size_t i;
    json_t *v;
    json_array_foreach(L->atg, i, v)
    {
        if (!json_is_string(v))
            return kind_error(L, v, WANT_STRING);
    }
    return 0;
}

/* ---- 2. request constraints ------------------------------------------------------ */

static char *quoted(legacy_t *L, const json_t *s) { return arena_printf(&L->r->arena, "'%s'", json_string_value(s)); }

/* "scanFilter.a.member.comparisonOperator", as DynamoDB names the field. */
static char *entry_field(legacy_t *L, const char *map, const char *k, size_t klen, const char *leaf)
{
    char lower = (char)(map[0] - 'A' + 'a');
    return arena_printf(&L->r->arena, "%c%s.%.*s.member.%s", lower, map + 1, (int)klen, k, leaf);
}

static void constrain_operators(legacy_t *L, json_t *map, const char *name, bool required)
{
    const char *k;
    size_t klen;
    json_t *v;
    json_object_keylen_foreach(map, k, klen, v)
    {
        const json_t *co = legacy__member(v, "ComparisonOperator");
        if (!co && required)
            req_constraint(L->r, "null", entry_field(L, name, k, klen, "comparisonOperator"),
                           "Member must not be null");
        else if (co && legacy__lop_find(co) < 0)
            req_constraint(L->r, quoted(L, co), entry_field(L, name, k, klen, "comparisonOperator"), ENUM_COMPARISON);
    }
}

static bool action_known(const json_t *a)
{
    const char *s = json_string_value(a);
    return strcmp(s, "PUT") == 0 || strcmp(s, "ADD") == 0 || strcmp(s, "DELETE") == 0;
}

static int check_constraints(legacy_t *L)
{
    ddb_req_t *r = L->r;
    const char *co = json_string_value(L->cond_op);
    if (co && strcmp(co, "AND") != 0 && strcmp(co, "OR") != 0)
        req_constraint(r, quoted(L, L->cond_op), "conditionalOperator", ENUM_CONDITIONAL);
    if (L->expected)
        constrain_operators(L, L->expected, "Expected", false);
    if (L->key_conds)
        constrain_operators(L, L->key_conds, "KeyConditions", true);
    if (L->filter)
        constrain_operators(L, L->filter, L->filter_member, true);
    const char *k;
    size_t klen;
    json_t *v;
    if (L->updates)
        json_object_keylen_foreach(L->updates, k, klen, v)
        {
            const json_t *a = legacy__member(v, "Action");
            if (a && !action_known(a))
                req_constraint(r, quoted(L, a), entry_field(L, "AttributeUpdates", k, klen, "action"), ENUM_ACTION);
        }
    if (L->atg && json_array_size(L->atg) == 0)
        req_constraint(r, "'[]'", "attributesToGet", "Member must have length greater than or equal to 1");
    return req_constraints_done(r);
}

/* ---- 3, 4. legacy against expression parameters --------------------------------- */

typedef struct param {
    const char *name;
    unsigned flags; /* the legacy sets that make the operation accept it */
} param_t;

/* In the order DynamoDB lists them in its messages. */
static const param_t legacy_params[] = {
    {"AttributesToGet", LEGACY_ATTRIBUTES_TO_GET},
    {"AttributeUpdates", LEGACY_ATTRIBUTE_UPDATES},
    {"Expected", LEGACY_EXPECTED},
    {"QueryFilter", LEGACY_QUERY_FILTER},
    {"ScanFilter", LEGACY_SCAN_FILTER},
    {"ConditionalOperator", LEGACY_COMBINED},
    {"KeyConditions", LEGACY_KEY_CONDITIONS},
};
static const param_t expr_params[] = {
    {"ProjectionExpression", LEGACY_ATTRIBUTES_TO_GET}, /* first: it takes no values */
    {"UpdateExpression", LEGACY_ATTRIBUTE_UPDATES}, /* replaces AttributeUpdates */
    {"ConditionExpression", LEGACY_EXPECTED}, /* replaces Expected */
    {"FilterExpression", LEGACY_FILTERS}, /* replaces QueryFilter, ScanFilter */
    {"KeyConditionExpression", LEGACY_KEY_CONDITIONS}, /* replaces KeyConditions */
};
#define NPARAMS(a) (sizeof(a) / sizeof(a)[0])

/* Appends the accepted parameters present in the body: "{A, B}". */
static void list_present(legacy_t *L, const param_t *p, size_t n, bool legacy, buf_t *b)
{
    bool kce = legacy__member(L->body, "KeyConditionExpression") != NULL;
    for (size_t i = 0; i < n; i++) {
        if (!(L->which & p[i].flags))
            continue;
        const json_t *v = legacy__member(L->body, p[i].name);
        if (legacy ? !legacy__given(v) : !v)
            continue;
        /* KeyConditions goes with FilterExpression and ProjectionExpression;
         * only KeyConditionExpression excludes it. */
        if (legacy && strcmp(p[i].name, "KeyConditions") == 0 && !kce)
            continue;
        buf_puts(b, b->len ? ", " : "{");
        buf_puts(b, p[i].name);
    }
    if (b->len)
        buf_putc(b, '}');
}

static int check_mixing(legacy_t *L)
{
    buf_t ex = BUF_INIT, non = BUF_INIT;
    list_present(L, expr_params, NPARAMS(expr_params), false, &ex);
    if (ex.len)
        list_present(L, legacy_params, NPARAMS(legacy_params), true, &non);
    int rc = 0;
    if (ex.len && non.len)
        rc = err_set(&L->r->err, ERR_VALIDATION,
                     "Can not use both expression and non-expression parameters in the same request: "
                     "Non-expression parameters: %.*s Expression parameters: %.*s",
                     (int)non.len, non.data, (int)ex.len, ex.data);
    buf_free(&ex);
    buf_free(&non);
    return rc;
}

/* "FilterExpression and KeyConditionExpression are null": the accepted
 * expressions that take values (all but ProjectionExpression). */
static int values_without_expression(legacy_t *L)
{
    buf_t b = BUF_INIT;
    size_t n = 0;
    for (size_t i = 1; i < NPARAMS(expr_params); i++) {
        if (!(L->which & expr_params[i].flags))
            continue;
        if (n++)
            buf_puts(&b, " and ");
        buf_puts(&b, expr_params[i].name);
    }
    int rc = err_set(&L->r->err, ERR_VALIDATION,
                     "ExpressionAttributeValues can only be specified when using expressions: %.*s %s null", (int)b.len,
                     b.data, n > 1 ? "are" : "is");
    buf_free(&b);
    return rc;
}

static int check_placeholder_maps(legacy_t *L)
{
    bool any = false, any_valued = false;
    for (size_t i = 0; i < NPARAMS(expr_params); i++) {
        if (!(L->which & expr_params[i].flags) || !legacy__member(L->body, expr_params[i].name))
            continue;
        any = true;
        any_valued = any_valued || i > 0;
    }
    if (legacy__member(L->body, "ExpressionAttributeNames") && !any)
        return err_set(&L->r->err, ERR_VALIDATION,
                       "ExpressionAttributeNames can only be specified when using expressions");
    if (!(L->which & ~LEGACY_ATTRIBUTES_TO_GET)) {
        /* GetItem and BatchGetItem have no ExpressionAttributeValues in
         * their model: the member is ignored like any unknown one. */
        json_object_del(L->body, "ExpressionAttributeValues");
        return 0;
    }
    if (legacy__member(L->body, "ExpressionAttributeValues") && !any_valued)
        return values_without_expression(L);
    return 0;
}

/* ---- 5. conditions ------------------------------------------------------------------ */

static int check_name(legacy_t *L, str_t name)
{
    return name.len ? 0 : err_set(&L->r->err, ERR_VALIDATION, "Empty attribute name");
}

/* Parses the AttributeValueList (or the one Value) into c. */
static int read_args(legacy_t *L, const json_t *list, const json_t *single, cond_t *c)
{
    arena_t *a = &L->r->arena;
    c->nargs = single ? 1 : json_array_size(list);
    c->args = arena_calloc(a, c->nargs ? c->nargs : 1, sizeof *c->args);
    c->vals = arena_calloc(a, c->nargs ? c->nargs : 1, sizeof *c->vals);
    for (size_t i = 0; i < c->nargs; i++) {
        c->args[i] = single ? single : json_array_get(list, i);
        if (value_from_json(a, c->args[i], &c->vals[i], &L->r->err))
            return -1;
    }
    return 0;
}

/* DynamoDB's argument checks for a ComparisonOperator: the count, each
 * argument's type, one type for all, then BETWEEN's bounds in order. */
static int check_args(legacy_t *L, const cond_t *c)
{
    const struct lop *op = &lops[c->op];
    err_t *e = &L->r->err;
    if (c->nargs < op->min_args || c->nargs > op->max_args)
        return err_set(e, ERR_VALIDATION, MSG_INVALID "Invalid number of argument(s) for the %s ComparisonOperator",
                       op->name);
    for (size_t i = 0; i < c->nargs; i++) {
        vtype_t t = c->vals[i].type;
        if (!(op->types & TYPE_BIT(t)))
            return err_set(e, ERR_VALIDATION,
                           MSG_INVALID "ComparisonOperator %s is not valid for %s AttributeValue type", op->name,
                           vtype_name(t));
        if (t != c->vals[0].type)
            return err_set(e, ERR_VALIDATION,
                           MSG_INVALID "AttributeValues inside AttributeValueList must be of same type");
    }
    if (c->op == LOP_BETWEEN && value_cmp(&c->vals[0], &c->vals[1]) > 0)
        return err_set(e, ERR_VALIDATION,
                       "The BETWEEN condition was provided a range where the lower bound is greater than the upper "
                       "bound");
    return 0;
}

/* A Condition of KeyConditions or a filter: its values, their checks,
 * then the attribute name. */
static int read_condition(legacy_t *L, str_t name, const json_t *j, cond_t *c)
{
    c->name = name;
    c->op = legacy__lop_find(legacy__member(j, "ComparisonOperator"));
    if (read_args(L, legacy__member(j, "AttributeValueList"), NULL, c) || check_args(L, c))
        return -1;
    return check_name(L, name);
}

/* Expected's own rules on combining Exists, Value, ComparisonOperator and
 * AttributeValueList, in DynamoDB's order. */
static int check_expected_form(legacy_t *L, str_t name, const json_t *exists, const json_t *value, const json_t *co,
                               const json_t *list)
{
    err_t *e = &L->r->err;
    const char *why = NULL;
    if (exists && co)
        why = "Exists and ComparisonOperator cannot be used together";
    else if (value && list)
        why = "Value and AttributeValueList cannot be used together";
    else if (!co && list)
        why = "AttributeValueList can only be used with a ComparisonOperator";
    else if (json_is_false(exists) && value)
        why = "Value cannot be used when Exists is false";
    if (why)
        return err_set(e, ERR_VALIDATION, MSG_INVALID "%s for Attribute: %.*s", why, STR_FMT(name));
    if (value || list)
        return 0;
    if (co) {
        int op = legacy__lop_find(co);
        if (op != LOP_NULL && op != LOP_NOT_NULL)
            return err_set(e, ERR_VALIDATION,
                           MSG_INVALID "Value or AttributeValueList must be used with ComparisonOperator: %s for "
                                       "Attribute: %.*s",
                           json_string_value(co), STR_FMT(name));
        return 0;
    }
    if (!json_is_false(exists))
        return err_set(e, ERR_VALIDATION, MSG_INVALID "Value must be provided when Exists is %s for Attribute: %.*s",
                       exists ? "true" : "null", STR_FMT(name));
    return 0;
}

static int read_expected(legacy_t *L, str_t name, const json_t *j, cond_t *c)
{
    const json_t *exists = legacy__member(j, "Exists"), *value = legacy__member(j, "Value");
    const json_t *co = legacy__member(j, "ComparisonOperator"), *list = legacy__member(j, "AttributeValueList");
    if (check_expected_form(L, name, exists, value, co, list) || read_args(L, list, value, c) || check_name(L, name))
        return -1;
    c->name = name;
    if (!co) /* Exists false, or a Value to equal */
        c->op = value ? LOP_EQ : LOP_NULL;
    else
        c->op = legacy__lop_find(co);
    return co ? check_args(L, c) : 0;
}

static int read_conditions(legacy_t *L, json_t *map, bool expected, cond_list_t *out)
{
    out->n = 0;
    if (!map)
        return 0;
    out->v = arena_calloc(&L->r->arena, json_object_size(map) + 1, sizeof *out->v);
    const char *k;
    size_t klen;
    json_t *v;
    json_object_keylen_foreach(map, k, klen, v)
    {
        cond_t *c = &out->v[out->n++];
        int rc = expected ? read_expected(L, legacy__key_str(k, klen), v, c)
                          : read_condition(L, legacy__key_str(k, klen), v, c);
        if (rc)
            return -1;
    }
    return 0;
}

/* ---- 6. ConditionalOperator --------------------------------------------------------- */

static int check_conditional(legacy_t *L)
{
    if (!L->cond_op)
        return 0;
    size_t n = L->expected_list.n + L->filter_list.n;
    if (n == 0)
        return err_set(&L->r->err, ERR_VALIDATION, "ConditionalOperator cannot be used without Filter or Expected");
    if (n == 1)
        return err_set(&L->r->err, ERR_VALIDATION,
                       "ConditionalOperator can only be used when Filter or Expected has two or more elements");
    return 0;
}

/* ---- 7. AttributeUpdates ------------------------------------------------------------ */

enum { ACT_PUT, ACT_ADD, ACT_DELETE };

static bool is_set(vtype_t t) { return t == VT_SS || t == VT_NS || t == VT_BS; }

static int action_of(const json_t *j)
{
    const char *s = json_string_value(legacy__member(j, "Action"));
    if (!s || strcmp(s, "PUT") == 0) /* PUT is the default */
        return ACT_PUT;
    return strcmp(s, "ADD") == 0 ? ACT_ADD : ACT_DELETE;
}

static int check_update(legacy_t *L, str_t name, const json_t *j, value_t *v)
{
    err_t *e = &L->r->err;
    const json_t *value = legacy__member(j, "Value");
    int action = action_of(j);
    if (value && value_from_json(&L->r->arena, value, v, e))
        return -1;
    if (!value && action != ACT_DELETE)
        return err_set(e, ERR_VALIDATION,
                       MSG_INVALID "Only DELETE action is allowed when no attribute value is specified");
    if (value && action == ACT_DELETE && !is_set(v->type))
        return err_set(e, ERR_VALIDATION, MSG_INVALID "DELETE action with value is not supported for the type %s",
                       vtype_long_name(v->type));
    if (action == ACT_ADD && !is_set(v->type) && v->type != VT_N && v->type != VT_L)
        return err_set(e, ERR_VALIDATION, MSG_INVALID "ADD action is not supported for the type %s",
                       vtype_long_name(v->type));
    return check_name(L, name);
}

static int check_updates(legacy_t *L)
{
    const char *k;
    size_t klen;
    json_t *j;
    json_object_keylen_foreach(L->updates, k, klen, j)
    {
        value_t v;
        if (check_update(L, legacy__key_str(k, klen), j, &v))
            return -1;
    }
    return 0;
}

/* ---- 9. Select and AttributesToGet -------------------------------------------------- */

static int check_select(legacy_t *L)
{
    const char *sel = json_string_value(legacy__member(L->body, "Select"));
    if (!sel || !legacy__given(L->atg) || strcmp(sel, "SPECIFIC_ATTRIBUTES") == 0)
        return 0;
    const char *what = strcmp(sel, "COUNT") == 0 ? "only the Count" : sel;
    if (strcmp(sel, "ALL_ATTRIBUTES") != 0 && strcmp(sel, "ALL_PROJECTED_ATTRIBUTES") != 0 && strcmp(sel, "COUNT") != 0)
        return 0; /* not a Select at all: its own constraint reports it */
    /* AWS words Query's Select errors as a constraint report, Scan's not. */
    return err_set(&L->r->err, ERR_VALIDATION, "%sCannot specify the AttributesToGet when choosing to get %s",
                   (L->which & LEGACY_KEY_CONDITIONS) ? "1 validation error detected: " : "", what);
}

typedef struct atg_name {
    str_t s;
    size_t at; /* position in AttributesToGet */
} atg_name_t;

static int atg_order(const void *x, const void *y)
{
    const atg_name_t *a = x, *b = y;
    int c = str_cmp(a->s, b->s);
    return c ? c : (a->at > b->at) - (a->at < b->at);
}

/* DynamoDB walks the names in order and stops at the first empty one or
 * the first repeat. A sorted copy finds the earliest repeat without a
 * quadratic scan (a request may carry a great many names). */
static int check_attributes_to_get(legacy_t *L)
{
    size_t n = json_array_size(L->atg), empty = n, repeat = n;
    atg_name_t *v = arena_calloc(&L->r->arena, n ? n : 1, sizeof *v);
    for (size_t i = 0; i < n; i++) {
        const json_t *a = json_array_get(L->atg, i);
        v[i] = (atg_name_t){{json_string_value(a), json_string_length(a)}, i};
        if (v[i].s.len == 0 && empty == n)
            empty = i;
    }
    qsort(v, n, sizeof *v, atg_order);
    for (size_t i = 1; i < n; i++)
        if (str_eq(v[i].s, v[i - 1].s) && v[i].at < repeat && (i < 2 || !str_eq(v[i].s, v[i - 2].s)))
            repeat = v[i].at; /* the second occurrence of this name */
    if (empty < repeat)
        return check_name(L, STR_NULL);
    if (repeat < n) {
        const json_t *a = json_array_get(L->atg, repeat);
        return err_set(&L->r->err, ERR_VALIDATION, MSG_INVALID "Duplicate value in attribute name: %.*s",
                       (int)json_string_length(a), json_string_value(a));
    }
    return 0;
}

/* ---- the expressions ------------------------------------------------------------------ */

/* The next placeholder ("#3", ":7") not already in the caller's map. */
static const char *fresh_key(legacy_t *L, json_t **map, const char *member_name, char sigil, unsigned *counter)
{
    if (!*map) {
        *map = json_object();
        json_object_set_new(L->body, member_name, *map);
    }
    char key[24];
    do
        snprintf(key, sizeof key, "%c%u", sigil, (*counter)++);
    while (json_object_get(*map, key));
    return arena_printf(&L->r->arena, "%s", key);
}

static const char *name_ref(legacy_t *L, str_t name)
{
    const char *k = fresh_key(L, &L->names, "ExpressionAttributeNames", '#', &L->next_name);
    json_object_set_new(L->names, k, json_stringn(name.ptr, name.len));
    return k;
}

static const char *value_ref(legacy_t *L, const json_t *v)
{
    const char *k = fresh_key(L, &L->values, "ExpressionAttributeValues", ':', &L->next_value);
    json_object_set(L->values, k, (json_t *)(uintptr_t)v);
    return k;
}

/* How a term is built, so the joiner knows when it needs parentheses. */
enum { SHAPE_ATOM, SHAPE_AND, SHAPE_OR };

static int write_in(legacy_t *L, buf_t *b, const char *n, const cond_t *c)
{
    size_t groups = (c->nargs + LEGACY_IN_GROUP - 1) / LEGACY_IN_GROUP;
    for (size_t i = 0; i < c->nargs; i++) {
        if (i % LEGACY_IN_GROUP == 0)
            buf_printf(b, "%s%s IN (", i ? ") OR " : "", n);
        else
            buf_puts(b, ", ");
        buf_puts(b, value_ref(L, c->args[i]));
    }
    buf_putc(b, ')');
    return groups > 1 ? SHAPE_OR : SHAPE_ATOM;
}

static int write_term(legacy_t *L, buf_t *b, const cond_t *c)
{
    const char *n = name_ref(L, c->name);
    switch (c->op) {
    case LOP_NOT_NULL: buf_printf(b, "attribute_exists(%s)", n); return SHAPE_ATOM;
    case LOP_NULL: buf_printf(b, "attribute_not_exists(%s)", n); return SHAPE_ATOM;
    case LOP_CONTAINS: buf_printf(b, "contains(%s, %s)", n, value_ref(L, c->args[0])); return SHAPE_ATOM;
    case LOP_NOT_CONTAINS:
        buf_printf(b, "attribute_exists(%s) AND NOT contains(%s, %s)", n, n, value_ref(L, c->args[0]));
        return SHAPE_AND;
    case LOP_BEGINS_WITH: buf_printf(b, "begins_with(%s, %s)", n, value_ref(L, c->args[0])); return SHAPE_ATOM;
    case LOP_IN: return write_in(L, b, n, c);
    case LOP_BETWEEN: {
        const char *lo = value_ref(L, c->args[0]);
        buf_printf(b, "%s BETWEEN %s AND %s", n, lo, value_ref(L, c->args[1]));
        return SHAPE_ATOM;
    }
    default: buf_printf(b, "%s %s %s", n, lops[c->op].comparator, value_ref(L, c->args[0])); return SHAPE_ATOM;
    }
}

/* Sets body[member] to the conditions joined by AND or OR. */
static void write_condition(legacy_t *L, const cond_list_t *cl, bool use_or, const char *member_name)
{
    if (cl->n == 0)
        return;
    buf_t out = BUF_INIT, term = BUF_INIT;
    for (size_t i = 0; i < cl->n; i++) {
        buf_reset(&term);
        int shape = write_term(L, &term, &cl->v[i]);
        bool wrap = cl->n > 1 && shape == (use_or ? SHAPE_AND : SHAPE_OR);
        if (i)
            buf_puts(&out, use_or ? " OR " : " AND ");
        buf_printf(&out, "%s%.*s%s", wrap ? "(" : "", (int)term.len, term.data, wrap ? ")" : "");
    }
    json_object_set_new(L->body, member_name, json_stringn(out.data, out.len));
    buf_free(&term);
    buf_free(&out);
}

/* The clauses of an UpdateExpression, in the order they are written. */
enum { CLAUSE_SET, CLAUSE_REMOVE, CLAUSE_ADD, CLAUSE_DELETE, CLAUSE_COUNT };

/* One AttributeUpdates entry into its clause. */
static void write_update(legacy_t *L, str_t name, const json_t *j, buf_t clauses[CLAUSE_COUNT])
{
    const json_t *value = legacy__member(j, "Value");
    const char *n = name_ref(L, name);
    int action = action_of(j);
    buf_t *b;
    if (action == ACT_PUT) {
        b = &clauses[CLAUSE_SET];
        buf_printf(b, "%s%s = %s", b->len ? ", " : "", n, value_ref(L, value));
    } else if (action == ACT_DELETE && !value) {
        b = &clauses[CLAUSE_REMOVE];
        buf_printf(b, "%s%s", b->len ? ", " : "", n);
    } else if (action == ACT_DELETE) {
        b = &clauses[CLAUSE_DELETE];
        buf_printf(b, "%s%s %s", b->len ? ", " : "", n, value_ref(L, value));
    } else if (json_object_get(value, "L")) {
        /* A legacy ADD appends to a list, creating it when absent. */
        json_t *empty = json_pack("{s:[]}", "L");
        const char *e = value_ref(L, empty);
        json_decref(empty);
        b = &clauses[CLAUSE_SET];
        buf_printf(b, "%s%s = list_append(if_not_exists(%s, %s), %s)", b->len ? ", " : "", n, n, e,
                   value_ref(L, value));
    } else {
        b = &clauses[CLAUSE_ADD];
        buf_printf(b, "%s%s %s", b->len ? ", " : "", n, value_ref(L, value));
    }
}

static void write_updates(legacy_t *L)
{
    static const char *const keywords[CLAUSE_COUNT] = {"SET ", "REMOVE ", "ADD ", "DELETE "};
    buf_t clauses[CLAUSE_COUNT] = {BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT}, out = BUF_INIT;
    const char *k;
    size_t klen;
    json_t *j;
    json_object_keylen_foreach(L->updates, k, klen, j) { write_update(L, legacy__key_str(k, klen), j, clauses); }
    for (int i = 0; i < CLAUSE_COUNT; i++) {
        if (!clauses[i].len)
            continue;
        buf_printf(&out, "%s%s%.*s", out.len ? " " : "", keywords[i], (int)clauses[i].len, clauses[i].data);
        buf_free(&clauses[i]);
    }
    json_object_set_new(L->body, "UpdateExpression", json_stringn(out.data, out.len));
    buf_free(&out);
}

static void write_projection(legacy_t *L)
{
    buf_t out = BUF_INIT;
    size_t i;
    json_t *a;
    json_array_foreach(L->atg, i, a)
    {
        if (i)
            buf_puts(&out, ", ");
        buf_puts(&out, name_ref(L, (str_t){json_string_value(a), json_string_length(a)}));
    }
    json_object_set_new(L->body, "ProjectionExpression", json_stringn(out.data, out.len));
    buf_free(&out);
}

static void write_expressions(legacy_t *L)
{
    L->names = legacy__member(L->body, "ExpressionAttributeNames");
    L->values = legacy__member(L->body, "ExpressionAttributeValues");
    bool use_or = L->cond_op && strcmp(json_string_value(L->cond_op), "OR") == 0;
    write_condition(L, &L->expected_list, use_or, "ConditionExpression");
    write_condition(L, &L->key_list, false, "KeyConditionExpression");
    write_condition(L, &L->filter_list, use_or, "FilterExpression");
    if (legacy__given(L->updates))
        write_updates(L);
    if (legacy__given(L->atg))
        write_projection(L);
}

/* ---- the entry points ------------------------------------------------------------------ */

unsigned legacy_params_of(const char *op)
{
    static const struct {
        const char *op;
        unsigned which;
    } table[] = {
        {"PutItem", LEGACY_EXPECTED},
        {"DeleteItem", LEGACY_EXPECTED},
        {"UpdateItem", LEGACY_EXPECTED | LEGACY_ATTRIBUTE_UPDATES},
        {"GetItem", LEGACY_ATTRIBUTES_TO_GET},
        {"BatchGetItem", LEGACY_ATTRIBUTES_TO_GET},
        {"Query", LEGACY_KEY_CONDITIONS | LEGACY_QUERY_FILTER | LEGACY_ATTRIBUTES_TO_GET},
        {"Scan", LEGACY_SCAN_FILTER | LEGACY_ATTRIBUTES_TO_GET},
    };
    for (size_t i = 0; op && i < sizeof table / sizeof table[0]; i++)
        if (strcmp(op, table[i].op) == 0)
            return table[i].which;
    return 0;
}

static int check_key_count(legacy_t *L)
{
    if (!L->key_conds || legacy__member(L->body, "KeyConditionExpression"))
        return 0;
    size_t n = json_object_size(L->key_conds);
    if (n == 0)
        return err_set(&L->r->err, ERR_VALIDATION, "Conditions must be at least length 1");
    /* a multi-attribute GSI key takes up to 8; legacy_query_check holds
     * other indexes to 2 once the index is known */
    if (n > 2 && (n > 8 || !legacy__member(L->body, "IndexName")))
        return err_set(&L->r->err, ERR_VALIDATION, "Conditions can be of length 1 or 2 only");
    return 0;
}

int legacy_translate(ddb_req_t *r, unsigned which)
{
    if (!which || !json_is_object(r->body))
        return 0;
    legacy_t L = {.r = r, .which = which, .body = r->body};
    const json_t *names, *values;
    if (req_object(r, "ExpressionAttributeNames", false, &names) ||
        req_object(r, "ExpressionAttributeValues", false, &values))
        return -1;
    if (read_members(&L) || check_constraints(&L) || check_mixing(&L) || check_placeholder_maps(&L))
        return -1;
    if (read_conditions(&L, L.expected, true, &L.expected_list) ||
        read_conditions(&L, L.key_conds, false, &L.key_list) || read_conditions(&L, L.filter, false, &L.filter_list) ||
        check_conditional(&L))
        return -1;
    if ((L.updates && check_updates(&L)) || check_key_count(&L))
        return -1;
    if (L.atg && ((L.which & (LEGACY_KEY_CONDITIONS | LEGACY_SCAN_FILTER)) && check_select(&L)))
        return -1;
    if (L.atg && check_attributes_to_get(&L))
        return -1;
    /* An empty map of the caller's would be filled here and so escape its
     * own error ("... must not be empty"): leave it for the expression
     * layer, which reports it next. */
    if ((names && json_object_size(names) == 0) || (values && json_object_size(values) == 0))
        return 0;
    write_expressions(&L);
    return 0;
}
