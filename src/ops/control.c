/* ops/control.c - TagResource, UntagResource, ListTagsOfResource,
 * UpdateTimeToLive, DescribeTimeToLive, DescribeLimits, DescribeEndpoints.
 *
 * Tags and the TTL setting live in the table's catalog JSON ("Tags" and
 * "TimeToLiveAttribute"), so they share the table's fate: dropped with it,
 * durable with it. Changes run on the writer thread, which re-reads the
 * table in its own transaction, so concurrent tag requests never lose each
 * other's changes. Validation runs on the loop thread; apply re-reads the
 * (already validated) request body. */
#include <string.h>

#include "base/clock.h"
#include "base/alloc.h"
#include "storage/ttl_index.h"
#include "ops/ops.h"

#define TAGS_MAX 50 /* per resource */
/* How long DescribeTimeToLive says ENABLING / DISABLING after a change (of
 * ddbd's clock). AWS takes up to an hour; ddbd's expiry index is ready at
 * once, but applications must meet the in-between state, so they do here. */
#define TTL_TRANSITION_MS 1000

/* ---- shared --------------------------------------------------------------- */

/* Replaces t's stored description with desc (consumed) in txn. */
static int put_desc(ddb_req_t *r, store_txn_t *txn, json_t *desc)
{
    table_t *nt = table_from_json(r->ns, desc);
    int rc = catalog_put(txn, nt);
    table_free(nt);
    return rc;
}

/* put_desc, then the empty reply TagResource and UntagResource give. */
static int put_desc_reply_empty(ddb_req_t *r, store_txn_t *txn, json_t *desc)
{
    int rc = put_desc(r, txn, desc);
    if (!rc)
        buf_puts(&r->out, "{}");
    return rc;
}

/* ---- tags: ARN parsing ---------------------------------------------------- */

/* The table name in ResourceArn: "arn:<partition>:dynamodb:<region>:<account>:table/<name>".
 * As AWS answers (verified against DynamoDB by other projects' suites): no
 * "arn:" prefix, a resource that is not a table (an index, a stream) or
 * another region is a ValidationException; another service's ARN or
 * another account's is an AccessDeniedException, the account checked
 * before the region. */
static int arn_table_name(ddb_req_t *r, str_t *name)
{
    str_t arn;
    if (req_string(r, "ResourceArn", false, &arn))
        return -1;
    if (!arn.ptr || !arn.len) /* AWS (via dynalite's suite): no ARN at all */
        return err_set(&r->err, ERR_VALIDATION, "Invalid TableArn");
    if (arn.len < 4 || memcmp(arn.ptr, "arn:", 4) != 0)
        return err_set(&r->err, ERR_VALIDATION, "Invalid TableArn: ARNs must start with 'arn:': %.*s", STR_FMT(arn));
    str_t f[5];
    const char *p = arn.ptr + 4, *end = arn.ptr + arn.len;
    for (int i = 0; i < 4; i++) {
        const char *colon = memchr(p, ':', (size_t)(end - p));
        if (!colon)
            return err_set(&r->err, ERR_VALIDATION, "Invalid TableArn: Invalid ResourceArn provided as input %.*s",
                           STR_FMT(arn));
        f[i] = (str_t){p, (size_t)(colon - p)};
        p = colon + 1;
    }
    f[4] = (str_t){p, (size_t)(end - p)}; /* partition, service, region, account, resource */
    if (!str_eq_cstr(f[1], "dynamodb") || !str_eq_cstr(f[3], r->account))
        return err_set(&r->err, ERR_ACCESS_DENIED,
                       "User: arn:aws:iam::%s:root is not authorized to perform: dynamodb:%s on resource: %.*s "
                       "because no resource-based policy allows the dynamodb:%s action",
                       r->account, r->op, STR_FMT(arn), r->op);
    static const str_t table = STR_LIT("table/");
    *name = (str_t){f[4].ptr + table.len, f[4].len > table.len ? f[4].len - table.len : 0};
    if (!str_eq_cstr(f[2], r->region) || f[4].len <= table.len || memcmp(f[4].ptr, table.ptr, table.len) != 0 ||
        memchr(name->ptr, '/', name->len))
        return err_set(&r->err, ERR_VALIDATION, "Invalid TableArn: Invalid ResourceArn provided as input %.*s",
                       STR_FMT(arn));
    return 0;
}

/* The tagged table, seen in txn; AWS's (misspelt) not-found message. */
static int arn_table(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache, const table_t **t)
{
    str_t name;
    if (arn_table_name(r, &name))
        return -1;
    int rc = catalog_lookup(cache, txn, r->ns, name, t);
    if (rc)
        return rc;
    if (!*t)
        return err_set(&r->err, ERR_RESOURCE_NOT_FOUND, "Requested resource not found: ResourcArn: %s not found",
                       json_string_value(json_object_get(r->body, "ResourceArn")));
    return 0;
}

/* A string member of a list entry; a non-string is a serialization error. */
static const char *entry_str(ddb_req_t *r, const json_t *o, const char *key, const char *path)
{
    const json_t *v = json_object_get(o, key);
    if (v && !json_is_null(v) && !json_is_string(v)) {
        err_set(&r->err, ERR_SERIALIZATION, "Unexpected value type in payload");
        return NULL;
    }
    if (!json_is_string(v))
        req_constraint(r, "null", path, "Member must not be null");
    return json_string_value(v);
}

int ops_check_tags(ddb_req_t *r, const json_t *tags)
{
    size_t i;
    const json_t *tag;
    json_array_foreach(tags, i, tag)
    {
        if (!json_is_object(tag))
            return err_set(&r->err, ERR_SERIALIZATION, "Unexpected value type in payload");
        char *p = arena_printf(&r->arena, "tags.%zu.member", i + 1);
        const char *k = entry_str(r, tag, "Key", arena_printf(&r->arena, "%s.key", p));
        const char *v = entry_str(r, tag, "Value", arena_printf(&r->arena, "%s.value", p));
        (void)k, (void)v;
        if (r->err.code)
            return -1;
        /* lengths (in UTF-16 units, as AWS counts them) are the front door's */
    }
    return 0;
}

/* The index of key in the stored tag list, or -1. */
static int find_tag(json_t *list, const char *key)
{
    size_t i;
    json_t *tag;
    json_array_foreach(list, i, tag)
    {
        if (strcmp(json_string_value(json_object_get(tag, "Key")), key) == 0)
            return (int)i;
    }
    return -1;
}

int ops_add_tags(ddb_req_t *r, json_t *desc, const json_t *tags)
{
    json_t *list = json_object_get(desc, "Tags");
    if (!json_is_array(list)) {
        list = json_array();
        json_object_set_new(desc, "Tags", list);
    }
    size_t i;
    json_t *tag;
    /* a key already present gets the new value: keys are unique */
    json_array_foreach(tags, i, tag)
    {
        json_t *entry =
            json_pack("{s:O,s:O}", "Key", json_object_get(tag, "Key"), "Value", json_object_get(tag, "Value"));
        int at = find_tag(list, json_string_value(json_object_get(tag, "Key")));
        if (at >= 0)
            json_array_set_new(list, (size_t)at, entry);
        else
            json_array_append_new(list, entry);
    }
    if (json_array_size(list) > TAGS_MAX)
        return err_set(&r->err, ERR_VALIDATION,
                       "One or more parameter values were invalid: The number of tags exceeds the limit of %d",
                       TAGS_MAX);
    return 0;
}

/* TagResource(ResourceArn, Tags) */
static int tag_apply(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache)
{
    const table_t *t;
    int rc = arn_table(r, txn, cache, &t);
    if (rc)
        return rc;
    json_t *desc = json_deep_copy(t->desc);
    if (ops_add_tags(r, desc, json_object_get(r->body, "Tags"))) {
        json_decref(desc);
        return -1;
    }
    return put_desc_reply_empty(r, txn, desc);
}

req_result_t op_tag_resource(ddb_req_t *r)
{
    str_t name;
    const json_t *tags;
    if (req_array(r, "Tags", false, &tags) || arn_table_name(r, &name))
        return REQ_FAILED;
    if (!json_array_size(tags))
        return req_fail(r, ERR_VALIDATION, "Atleast one Tag needs to be provided as Input.");
    if (ops_check_tags(r, tags) || req_constraints_done(r))
        return REQ_FAILED;
    return req_queue(r, tag_apply, NULL, NULL);
}

/* UntagResource(ResourceArn, TagKeys) */
static int untag_apply(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache)
{
    const table_t *t;
    int rc = arn_table(r, txn, cache, &t);
    if (rc)
        return rc;
    json_t *desc = json_deep_copy(t->desc);
    json_t *list = json_object_get(desc, "Tags");
    size_t i;
    json_t *key;
    /* removing an absent key is not an error */
    json_array_foreach(json_object_get(r->body, "TagKeys"), i, key)
    {
        int at = list ? find_tag(list, json_string_value(key)) : -1;
        if (at >= 0)
            json_array_remove(list, (size_t)at);
    }
    return put_desc_reply_empty(r, txn, desc);
}

req_result_t op_untag_resource(ddb_req_t *r)
{
    str_t name;
    const json_t *keys;
    if (req_array(r, "TagKeys", false, &keys) || arn_table_name(r, &name))
        return REQ_FAILED;
    if (!json_array_size(keys))
        return req_fail(r, ERR_VALIDATION, "Atleast one Tag Key needs to be provided as Input.");
    /* the keys' types and lengths were the front door's */
    return req_queue(r, untag_apply, NULL, NULL);
}

/* ListTagsOfResource(ResourceArn, NextToken?): at most 50 tags, one page. */
req_result_t op_list_tags_of_resource(ddb_req_t *r)
{
    str_t token;
    if (req_string(r, "NextToken", false, &token))
        return REQ_FAILED;
    store_txn_t *txn = r->txn;
    const table_t *t;
    int rc = arn_table(r, txn, r->env->loop_catalog, &t);
    if (!rc) {
        buf_puts(&r->out, "{\"Tags\":");
        json_t *tags = json_object_get(t->desc, "Tags");
        char *s = tags ? xjson_dumps(tags, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        buf_puts(&r->out, s ? s : "[]");
        free(s);
        buf_putc(&r->out, '}');
    }
    return req_result(r, rc);
}

/* ---- time to live ----------------------------------------------------------- */

/* The table for the TTL operations. AWS answers a missing table with its
 * usual "Requested resource not found: Table: <name> not found" (DynamoDB
 * Local says "Cannot do operations on a non-existent table"). */
static int ttl_table(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache, const table_t **t)
{
    str_t name;
    if (req_table_name(r, &name) || req_constraints_done(r))
        return -1;
    int rc = catalog_lookup(cache, txn, r->ns, name, t);
    if (rc)
        return rc;
    if (!*t)
        return err_set(&r->err, ERR_RESOURCE_NOT_FOUND, "Requested resource not found: Table: %.*s not found",
                       STR_FMT(name));
    return 0;
}

/* UpdateTimeToLive(TableName, TimeToLiveSpecification{Enabled, AttributeName}) */
static int ttl_update_apply(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache)
{
    const table_t *t;
    int rc = ttl_table(r, txn, cache, &t);
    if (rc)
        return rc;
    json_t *spec = json_object_get(r->body, "TimeToLiveSpecification");
    bool enable = json_is_true(json_object_get(spec, "Enabled"));
    const char *attr = json_string_value(json_object_get(spec, "AttributeName"));
    const char *cur = json_string_value(json_object_get(t->desc, "TimeToLiveAttribute"));
    if (cur && strcmp(cur, attr) != 0)
        return err_set(&r->err, ERR_VALIDATION, "TimeToLive is active on a different AttributeName");
    if (enable && cur)
        return err_set(&r->err, ERR_VALIDATION, "TimeToLive is already enabled");
    if (!enable && !cur)
        return err_set(&r->err, ERR_VALIDATION, "TimeToLive is already disabled");
    json_t *desc = json_deep_copy(t->desc);
    if (enable)
        json_object_set_new(desc, "TimeToLiveAttribute", json_string(attr));
    else
        json_object_del(desc, "TimeToLiveAttribute");
    json_object_set_new(desc, "TimeToLiveChanged",
                        json_pack("{s:I,s:s}", "ms", (json_int_t)clock_now_ms(), "attribute", attr));
    rc = put_desc(r, txn, desc);
    if (!rc)
        rc = ttl_set_attribute(txn, t, enable ? attr : NULL); /* the expiry index follows the setting */
    if (rc)
        return rc;
    buf_puts(&r->out, "{\"TimeToLiveSpecification\":{");
    jw_key(&r->out, "Enabled");
    jw_bool(&r->out, enable);
    jw_key(&r->out, "AttributeName");
    jw_cstr(&r->out, attr);
    buf_puts(&r->out, "}}");
    return 0;
}

req_result_t op_update_time_to_live(ddb_req_t *r)
{
    str_t name;
    const json_t *spec;
    if (req_table_name(r, &name) || req_object(r, "TimeToLiveSpecification", false, &spec) || req_constraints_done(r))
        return REQ_FAILED;
    /* DynamoDB Local's wording for these, not Coral's constraint list */
    if (!spec)
        return req_fail(r, ERR_VALIDATION, "TimeToLiveSpecification cannot be null");
    const json_t *enabled = json_object_get(spec, "Enabled");
    const json_t *attr = json_object_get(spec, "AttributeName");
    if ((enabled && !json_is_boolean(enabled)) || (attr && !json_is_string(attr)))
        return req_fail(r, ERR_SERIALIZATION, "Unexpected value type in payload");
    if (!enabled || !attr)
        return req_fail(r, ERR_VALIDATION, "AttributeName cannot be null when time to live is being enabled");
    size_t n = json_string_length(attr);
    if (n < 1 || n > 255)
        return req_fail(r, ERR_VALIDATION,
                        "Names of key attributes and attributes projected into an index must be between 1 and "
                        "255 characters, inclusive");
    return req_queue(r, ttl_update_apply, NULL, NULL);
}

/* DescribeTimeToLive(TableName) */
req_result_t op_describe_time_to_live(ddb_req_t *r)
{
    store_txn_t *txn = r->txn;
    const table_t *t;
    int rc = ttl_table(r, txn, r->env->loop_catalog, &t);
    if (!rc) {
        const char *attr = json_string_value(json_object_get(t->desc, "TimeToLiveAttribute"));
        const json_t *changed = json_object_get(t->desc, "TimeToLiveChanged");
        bool moving =
            changed && clock_now_ms() < json_integer_value(json_object_get(changed, "ms")) + TTL_TRANSITION_MS;
        if (moving && !attr) /* DISABLING still names the attribute */
            attr = json_string_value(json_object_get(changed, "attribute"));
        bool on = json_object_get(t->desc, "TimeToLiveAttribute") != NULL;
        buf_puts(&r->out, "{\"TimeToLiveDescription\":{");
        jw_key(&r->out, "TimeToLiveStatus");
        jw_cstr(&r->out, on ? (moving ? "ENABLING" : "ENABLED") : (moving ? "DISABLING" : "DISABLED"));
        if (attr) {
            jw_key(&r->out, "AttributeName");
            jw_cstr(&r->out, attr);
        }
        buf_puts(&r->out, "}}");
    }
    return req_result(r, rc);
}

/* ---- account-level ------------------------------------------------------------ */

/* DescribeLimits(): AWS's default quotas, which DynamoDB Local reports too. */
req_result_t op_describe_limits(ddb_req_t *r)
{
    buf_puts(&r->out, "{\"AccountMaxReadCapacityUnits\":80000,\"AccountMaxWriteCapacityUnits\":80000,"
                      "\"TableMaxReadCapacityUnits\":40000,\"TableMaxWriteCapacityUnits\":40000}");
    return REQ_DONE;
}

/* DescribeEndpoints(): handlers never see HTTP, so the Host header is out
 * of reach; answer as AWS does, with the regional endpoint's name. */
req_result_t op_describe_endpoints(ddb_req_t *r)
{
    buf_puts(&r->out, "{\"Endpoints\":[{");
    jw_key(&r->out, "Address");
    jw_cstr(&r->out, arena_printf(&r->arena, "dynamodb.%s.amazonaws.com", r->region));
    jw_key(&r->out, "CachePeriodInMinutes");
    jw_int(&r->out, 1440);
    buf_puts(&r->out, "}]}");
    return REQ_DONE;
}
