/* legacy_checks.c - the legacy rules that need the table or the stored
 * item, made by the handlers at that point (see legacy.h). */
#include <stdio.h>
#include <string.h>

#include "ops/legacy.h"
#include "ops/legacy_internal.h"

/* ---- Query's key schema rules ------------------------------------------------------------ */

static int key_value_check(ddb_req_t *r, const key_attr_t *k, const value_t *v)
{
    if (v->type != k->type)
        return err_set(&r->err, ERR_VALIDATION, MSG_INVALID "Condition parameter type does not match schema type");
    if ((v->type == VT_S || v->type == VT_B) && v->s.len == 0)
        return err_set(&r->err, ERR_VALIDATION,
                       "One or more parameter values are not valid. The AttributeValue for a key attribute cannot "
                       "contain an empty %s value. Key: %.*s",
                       v->type == VT_S ? "string" : "binary", STR_FMT(k->name));
    return 0;
}

/* One key's condition: the operator must be indexable, the values of the
 * key's type. BEGINS_WITH takes an empty prefix. */
static int key_term_check(ddb_req_t *r, const key_attr_t *k, const json_t *cond, bool hash)
{
    int op = legacy__lop_find(legacy__member(cond, "ComparisonOperator"));
    if (op == LOP_NULL || op == LOP_NOT_NULL)
        return err_set(&r->err, ERR_VALIDATION, "Only scalar types can be used as %s Key values",
                       hash ? "Hash" : "Range");
    if (hash && op != LOP_EQ)
        return err_set(&r->err, ERR_VALIDATION, "Query key condition not supported");
    if (op == LOP_NE || op == LOP_IN || op == LOP_CONTAINS || op == LOP_NOT_CONTAINS)
        return err_set(&r->err, ERR_VALIDATION, "Attempted conditional constraint is not an indexable operation");
    const json_t *list = legacy__member(cond, "AttributeValueList");
    for (size_t i = 0; i < json_array_size(list); i++) {
        value_t v;
        if (value_from_json(&r->arena, json_array_get(list, i), &v, &r->err))
            return -1;
        if (op == LOP_BEGINS_WITH && v.type == k->type)
            continue;
        if (key_value_check(r, k, &v))
            return -1;
    }
    return 0;
}

static int check_key_conditions(ddb_req_t *r, const json_t *kc, const key_schema_t *ks)
{
    if (json_object_size(kc) > 2)
        return err_set(&r->err, ERR_VALIDATION, "Conditions can be of length 1 or 2 only");
    const json_t *h = json_object_getn(kc, ks->hash.name.ptr, ks->hash.name.len);
    if (!h)
        return err_set(&r->err, ERR_VALIDATION, "Query condition missed key schema element: %.*s",
                       STR_FMT(ks->hash.name));
    if (key_term_check(r, &ks->hash, h, true))
        return -1;
    if (json_object_size(kc) < 2)
        return 0;
    if (!key_schema_has_range(ks))
        return err_set(&r->err, ERR_VALIDATION, "Query key condition not supported");
    const json_t *rc = json_object_getn(kc, ks->range.name.ptr, ks->range.name.len);
    if (!rc)
        return err_set(&r->err, ERR_VALIDATION, "Query condition missed key schema element: %.*s",
                       STR_FMT(ks->range.name));
    return key_term_check(r, &ks->range, rc, false);
}

static int check_filter_keys(ddb_req_t *r, const json_t *filter, const key_schema_t *ks)
{
    const char *k;
    size_t klen;
    json_t *v;
    json_object_keylen_foreach((json_t *)(uintptr_t)filter, k, klen, v)
    {
        (void)v;
        str_t name = legacy__key_str(k, klen);
        if (str_eq(name, ks->hash.name) || (key_schema_has_range(ks) && str_eq(name, ks->range.name)))
            return err_set(&r->err, ERR_VALIDATION,
                           "QueryFilter can only contain non-primary key attributes: Primary key attribute: %.*s",
                           STR_FMT(name));
    }
    return 0;
}

int legacy_query_check(ddb_req_t *r, const key_schema_t *ks)
{
    const json_t *kc = legacy__member(r->body, "KeyConditions"), *filter = legacy__member(r->body, "QueryFilter");
    /* legacy_translate() rejected KeyConditions next to a caller's
     * KeyConditionExpression: given, they are the request's key condition
     * (and the KeyConditionExpression now in the body is their translation). */
    if (legacy__given(kc) && check_key_conditions(r, kc, ks))
        return -1;
    if (legacy__given(filter) && check_filter_keys(r, filter, ks))
        return -1;
    return 0;
}

/* ---- UpdateItem --------------------------------------------------------------------------- */

bool legacy_attribute_updates(const ddb_req_t *r) { return legacy__given(legacy__member(r->body, "AttributeUpdates")); }

int legacy_update_error(ddb_req_t *r)
{
    if (legacy_attribute_updates(r) && r->err.code == ERR_VALIDATION && strcmp(r->err.msg, MSG_EXPR_BAD_TYPE) == 0)
        snprintf(r->err.msg, sizeof r->err.msg, "%s", MSG_TYPE_MISMATCH);
    return -1;
}
