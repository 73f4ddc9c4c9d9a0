/* ops/table.c - CreateTable, DescribeTable, ListTables, DeleteTable,
 * UpdateTable.
 *
 * The catalog keeps a table's description as JSON close to DynamoDB's
 * TableDescription (see catalog.c); DescribeTable adds what changes (status,
 * item count, size, ARNs). Validation runs on the loop thread; the catalog
 * change runs on the writer thread, which re-checks existence in its own
 * transaction. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "base/rand.h"
#include "base/alloc.h"
#include "storage/index.h"
#include "storage/itemstore.h"
#include "streams/stream.h"
#include "ops/ops.h"

/* ddbd's clock (tests can move it), in DynamoDB's milliseconds */
static double now_epoch(void) { return clock_now_epoch(); }

/* ---- DescribeTable's shape ------------------------------------------------ */

static void write_json_member(buf_t *b, const char *key, json_t *v)
{
    char *s = xjson_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
    jw_key(b, key);
    buf_puts(b, s);
    free(s);
}

static void write_throughput(buf_t *b, json_t *src, int64_t rcu, int64_t wcu)
{
    jw_key(b, "ProvisionedThroughput");
    jw_open(b, '{');
    static const char *const dates[] = {"LastIncreaseDateTime", "LastDecreaseDateTime"};
    for (int i = 0; i < 2; i++) {
        json_t *d = json_object_get(src, dates[i]);
        if (d) {
            jw_key(b, dates[i]);
            jw_double(b, json_number_value(d));
        }
    }
    jw_key(b, "NumberOfDecreasesToday");
    jw_int(b, json_integer_value(json_object_get(src, "NumberOfDecreasesToday")));
    jw_key(b, "ReadCapacityUnits");
    jw_int(b, rcu);
    jw_key(b, "WriteCapacityUnits");
    jw_int(b, wcu);
    jw_close(b, '}');
}

/* GlobalSecondaryIndexes / LocalSecondaryIndexes with their live fields. */
static int write_indexes(ddb_req_t *r, buf_t *b, store_txn_t *txn, const table_t *t, const char *member, bool global)
{
    json_t *list = json_object_get(t->desc, member);
    if (!json_array_size(list))
        return 0;
    jw_key(b, member);
    jw_open(b, '[');
    size_t i;
    json_t *ix;
    json_array_foreach(list, i, ix)
    {
        const char *name = json_string_value(json_object_get(ix, "IndexName"));
        const table_index_t *tix = table_index(t, str_from_cstr(name)); /* NULL while DELETING */
        table_stats_t st = {0};
        int rc = tix ? index_stats_get(txn, t->id, tix->number, &st) : 0;
        if (rc)
            return rc;
        jw_open(b, '{');
        jw_key(b, "IndexName");
        jw_cstr(b, name);
        write_json_member(b, "KeySchema", json_object_get(ix, "KeySchema"));
        write_json_member(b, "Projection", json_object_get(ix, "Projection"));
        if (global) {
            jw_key(b, "IndexStatus");
            jw_cstr(b, !tix ? "DELETING" : tix->creating ? "CREATING" : "ACTIVE");
            if (tix && tix->creating) {
                jw_key(b, "Backfilling");
                jw_bool(b, true);
            }
            json_t *pt = json_object_get(ix, "ProvisionedThroughput");
            write_throughput(b, pt, (int64_t)json_integer_value(json_object_get(pt, "ReadCapacityUnits")),
                             (int64_t)json_integer_value(json_object_get(pt, "WriteCapacityUnits")));
            ops_settings_describe_index(b, t, ix, "ACTIVE");
        }
        jw_key(b, "IndexSizeBytes");
        jw_int(b, (int64_t)st.bytes);
        jw_key(b, "ItemCount");
        jw_int(b, (int64_t)st.items);
        jw_key(b, "IndexArn");
        jw_cstr(b, arena_printf(&r->arena, "%s/index/%s", req_table_arn(r, t->name), name));
        jw_close(b, '}');
    }
    jw_close(b, ']');
    return 0;
}

/* TableClassSummary, shown once a table class was chosen (by CreateTable
 * or UpdateTable); LastUpdateDateTime only after a change. */
static void write_table_class(buf_t *b, const json_t *desc)
{
    const char *cls = json_string_value(json_object_get(desc, "TableClass"));
    if (!cls)
        return;
    jw_key(b, "TableClassSummary");
    jw_open(b, '{');
    jw_key(b, "TableClass");
    jw_cstr(b, cls);
    const json_t *when = json_object_get(desc, "TableClassUpdated");
    if (when) {
        jw_key(b, "LastUpdateDateTime");
        jw_double(b, json_real_value(when));
    }
    jw_close(b, '}');
}

/* Writes "<wrapper>":{...TableDescription...}; a: what an UpdateTable's
 * answer shows in passing (or NULL). */
static int write_table_description(ddb_req_t *r, buf_t *b, store_txn_t *txn, const table_t *t, const char *wrapper,
                                   const char *status, const ops_answer_t *a)
{
    table_stats_t st;
    int rc = catalog_stats_get(txn, t->id, &st);
    if (rc)
        return rc;
    jw_key(b, wrapper);
    jw_open(b, '{');
    write_json_member(b, "AttributeDefinitions", json_object_get(t->desc, "AttributeDefinitions"));
    jw_key(b, "TableName");
    jw_cstr(b, t->name);
    write_json_member(b, "KeySchema", json_object_get(t->desc, "KeySchema"));
    jw_key(b, "TableStatus");
    jw_cstr(b, status);
    jw_key(b, "CreationDateTime");
    jw_double(b, t->created);
    write_throughput(b, t->desc, t->rcu, t->wcu);
    jw_key(b, "TableSizeBytes");
    jw_int(b, (int64_t)st.bytes);
    jw_key(b, "ItemCount");
    jw_int(b, (int64_t)st.items);
    jw_key(b, "TableArn");
    jw_cstr(b, req_table_arn(r, t->name));
    jw_key(b, "TableId");
    jw_cstr(b, t->table_uuid);
    if (t->billing == BILLING_PAY_PER_REQUEST || json_is_true(json_object_get(t->desc, "BillingModeGiven"))) {
        jw_key(b, "BillingModeSummary");
        jw_open(b, '{');
        jw_key(b, "BillingMode");
        jw_cstr(b, t->billing == BILLING_PAY_PER_REQUEST ? "PAY_PER_REQUEST" : "PROVISIONED");
        if (t->billing_changed) {
            jw_key(b, "LastUpdateToPayPerRequestDateTime");
            jw_double(b, t->billing_changed);
        }
        jw_close(b, '}');
    }
    if ((rc = write_indexes(r, b, txn, t, "LocalSecondaryIndexes", false)) != 0 ||
        (rc = write_indexes(r, b, txn, t, "GlobalSecondaryIndexes", true)) != 0 ||
        (rc = ops_describe_vector_indexes(r, b, txn, t)) != 0)
        return rc;
    stream_describe_table(b, t->desc);
    ops_restore_describe(b, t);
    jw_key(b, "DeletionProtectionEnabled");
    jw_bool(b, json_is_true(json_object_get(t->desc, "DeletionProtectionEnabled")));
    write_table_class(b, t->desc);
    ops_settings_describe(b, t, status, a);
    ops_replicas_describe(r, b, t, a);
    jw_close(b, '}');
    return 0;
}

int ops_table_description(ddb_req_t *r, buf_t *b, store_txn_t *txn, const table_t *t, const char *wrapper,
                          const char *status)
{
    return write_table_description(r, b, txn, t, wrapper, status, NULL);
}

/* ---- CreateTable validation ---------------------------------------------- */

static const char *const billing_modes[] = {"PROVISIONED", "PAY_PER_REQUEST", NULL};
static const char *const table_classes[] = {"STANDARD", "STANDARD_INFREQUENT_ACCESS", NULL};

static void names_list(json_t *arr, const char *member, buf_t *out)
{
    size_t i;
    json_t *d;
    buf_putc(out, '[');
    json_array_foreach(arr, i, d)
    {
        if (i)
            buf_puts(out, ", ");
        buf_puts(out, json_string_value(json_object_get(d, member)));
    }
    buf_putc(out, ']');
    buf_putc(out, '\0');
}

/* The attributes an index list keys on, added to used; the per-table
 * limits (DynamoDB Local's words: AWS documents the limits, not the
 * messages). Shapes and constraints were the front door's. */
static int collect_index_keys(ddb_req_t *r, json_t *list, bool global, json_t *used)
{
    if (global && json_array_size(list) > 20)
        return err_set(&r->err, ERR_VALIDATION, "GlobalSecondaryIndex count exceeds the per-table limit");
    if (!global && json_array_size(list) > 5)
        return err_set(&r->err, ERR_VALIDATION, "Cannot have more than 5 local secondary indexes per table");
    size_t i, k;
    json_t *ix, *ke;
    json_array_foreach(list, i, ix)
    {
        json_array_foreach(json_object_get(ix, "KeySchema"), k, ke) json_array_append(used, json_object_get(ke, "AttributeName"));
    }
    return 0;
}

/* The table's key schema, then each index's rules, then their names, in
 * AWS's order and words (recorded by dynalite's tests and the conformance
 * suite). */
static int check_key_definitions(ddb_req_t *r, const json_t *ks, const json_t *defs, const json_t *gsis,
                                 const json_t *lsis)
{
    if (json_array_size(defs) < json_array_size(ks))
        return err_set(&r->err, ERR_VALIDATION, "Invalid KeySchema: Some index key attribute have no definition");
    if (ops_check_keys_defined(r, ks, defs) || ops_check_key_schema(r, ks))
        return -1;
    static const char *const invalid = "One or more parameter values were invalid: ";
    if (lsis && json_array_size(lsis) == 0)
        return err_set(&r->err, ERR_VALIDATION, "%sList of LocalSecondaryIndexes is empty", invalid);
    if (lsis && json_array_size(ks) != 2)
        return err_set(&r->err, ERR_VALIDATION,
                       "%sTable KeySchema does not have a range key, which is required when specifying a "
                       "LocalSecondaryIndex",
                       invalid);
    for (size_t i = 0; i < json_array_size(lsis); i++)
        if (ops_check_index_definition(r, json_array_get(lsis, i), true, ks, defs))
            return -1;
    if (gsis && json_array_size(gsis) == 0)
        return err_set(&r->err, ERR_VALIDATION, "%sList of GlobalSecondaryIndexes is empty", invalid);
    for (size_t i = 0; i < json_array_size(gsis); i++)
        if (ops_check_index_definition(r, json_array_get(gsis, i), false, ks, defs))
            return -1;
    return ops_check_index_names(r, gsis, lsis);
}

typedef struct create_plan {
    json_t *desc; /* the catalog JSON, without ddbd_id */
    str_t name;
} create_plan_t;

static int validate_definitions(ddb_req_t *r, json_t *defs, json_t *ks, json_t *used, bool has_indexes)
{
    size_t i;
    json_t *d;
    json_array_foreach(defs, i, d)
    {
        const char *n = json_string_value(json_object_get(d, "AttributeName"));
        for (size_t j = 0; j < i; j++)
            if (strcmp(n, json_string_value(json_object_get(json_array_get(defs, j), "AttributeName"))) == 0)
                return err_set(&r->err, ERR_VALIDATION, "Cannot have two attributes with the same name");
    }
    json_array_foreach(ks, i, d)
    {
        if (ops_find_by(defs, "AttributeName", json_string_value(json_object_get(d, "AttributeName"))))
            continue;
        if (json_array_size(defs) < json_array_size(ks))
            return err_set(&r->err, ERR_VALIDATION, "Invalid KeySchema: Some index key attribute have no definition");
        buf_t keys = BUF_INIT, ad = BUF_INIT;
        names_list(ks, "AttributeName", &keys);
        names_list(defs, "AttributeName", &ad);
        err_set(&r->err, ERR_VALIDATION,
                "One or more parameter values were invalid: Some index key attributes are not defined in "
                "AttributeDefinitions. Keys: %s, AttributeDefinitions: %s",
                keys.data, ad.data);
        buf_free(&keys);
        buf_free(&ad);
        return -1;
    }
    json_array_foreach(used, i, d)
    {
        if (!ops_find_by(defs, "AttributeName", json_string_value(d))) {
            buf_t keys = BUF_INIT, ad = BUF_INIT;
            names_list(ks, "AttributeName", &keys);
            names_list(defs, "AttributeName", &ad);
            err_set(&r->err, ERR_VALIDATION,
                    "One or more parameter values were invalid: Some index key attributes are not defined in "
                    "AttributeDefinitions. Keys: [%s], AttributeDefinitions: %s",
                    json_string_value(d), ad.data);
            buf_free(&keys);
            buf_free(&ad);
            return -1;
        }
    }
    json_array_foreach(defs, i, d)
    {
        const char *n = json_string_value(json_object_get(d, "AttributeName"));
        bool found = false;
        size_t j;
        json_t *u;
        json_array_foreach(used, j, u) found = found || strcmp(json_string_value(u), n) == 0;
        if (found)
            continue;
        if (!has_indexes)
            return err_set(&r->err, ERR_VALIDATION,
                           "One or more parameter values were invalid: Number of attributes in KeySchema does "
                           "not exactly match number of attributes defined in AttributeDefinitions");
        buf_t ad = BUF_INIT, keys = BUF_INIT;
        names_list(defs, "AttributeName", &ad);
        buf_putc(&keys, '[');
        json_array_foreach(used, j, u)
        {
            bool dup = false;
            for (size_t k = 0; k < j; k++)
                dup = dup || strcmp(json_string_value(json_array_get(used, k)), json_string_value(u)) == 0;
            if (!dup)
                buf_printf(&keys, "%s%s", keys.len > 1 ? ", " : "", json_string_value(u));
        }
        buf_puts(&keys, "]");
        buf_putc(&keys, '\0');
        err_set(&r->err, ERR_VALIDATION,
                "One or more parameter values were invalid: Some AttributeDefinitions are not used. "
                "AttributeDefinitions: %s, keys used: %s",
                ad.data, keys.data);
        buf_free(&ad);
        buf_free(&keys);
        return -1;
    }
    return 0;
}

static int validate_billing(ddb_req_t *r, int billing, json_t *pt, json_t *gsis)
{
    if (billing == BILLING_PROVISIONED && !pt)
        return err_set(&r->err, ERR_VALIDATION,
                       "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits "
                       "must both be specified when BillingMode is PROVISIONED");
    if (billing == BILLING_PAY_PER_REQUEST && pt)
        return err_set(&r->err, ERR_VALIDATION,
                       "One or more parameter values were invalid: Neither ReadCapacityUnits nor "
                       "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
    size_t i;
    json_t *g;
    json_array_foreach(gsis, i, g)
    {
        json_t *gpt = json_object_get(g, "ProvisionedThroughput");
        if (billing == BILLING_PROVISIONED && !gpt)
            return err_set(&r->err, ERR_VALIDATION,
                           "One or more parameter values were invalid: ProvisionedThroughput must be specified "
                           "for index: %s",
                           json_string_value(json_object_get(g, "IndexName")));
        if (billing == BILLING_PAY_PER_REQUEST && gpt)
            return err_set(&r->err, ERR_VALIDATION,
                           "One or more parameter values were invalid: ProvisionedThroughput should not be "
                           "specified for index: %s when BillingMode is PAY_PER_REQUEST",
                           json_string_value(json_object_get(g, "IndexName")));
    }
    return 0;
}

static int create_apply(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache);
static void create_release(void *plan);

int ops_create_table_desc(ddb_req_t *r, str_t *out_name, json_t **out)
{
    str_t name;
    int billing;
    const json_t *ks_c, *defs_c, *pt_c, *gsis_c, *lsis_c, *tags, *vectors_c;
    bool protect;
    int table_class;
    /* a name or, as the API reference allows, the new table's ARN */
    if (req_table_name(r, &name) || req_array(r, "AttributeDefinitions", true, &defs_c) ||
        req_array(r, "KeySchema", true, &ks_c) || req_object(r, "ProvisionedThroughput", false, &pt_c) ||
        req_array(r, "GlobalSecondaryIndexes", false, &gsis_c) ||
        req_array(r, "LocalSecondaryIndexes", false, &lsis_c) || req_array(r, "VectorIndexes", false, &vectors_c) ||
        req_bool(r, "DeletionProtectionEnabled", &protect) ||
        req_enum(r, "BillingMode", billing_modes, &billing, BILLING_PROVISIONED) ||
        req_enum(r, "TableClass", table_classes, &table_class, -1) || req_array(r, "Tags", false, &tags) ||
        (tags && ops_check_tags(r, tags)) || req_constraints_done(r))
        return -1;
    json_t *ks = (json_t *)ks_c, *defs = (json_t *)defs_c, *pt = (json_t *)pt_c;
    size_t i;
    json_t *d;
    json_t *used = json_array();
    json_array_foreach(ks, i, d) json_array_append(used, json_object_get(d, "AttributeName"));
    if (collect_index_keys(r, (json_t *)gsis_c, true, used) || collect_index_keys(r, (json_t *)lsis_c, false, used) ||
        check_key_definitions(r, ks, defs, gsis_c, lsis_c) ||
        ops_check_vector_indexes(r, vectors_c, defs, billing == BILLING_PAY_PER_REQUEST, gsis_c, lsis_c, used) ||
        validate_definitions(r, defs, ks, used, gsis_c || lsis_c || vectors_c) ||
        validate_billing(r, billing, pt, (json_t *)gsis_c) ||
        stream_check_spec(&r->err, req_member(r, "StreamSpecification"))) {
        json_decref(used);
        return -1;
    }
    json_decref(used);

    json_t *desc = json_object();
    json_object_set_new(desc, "TableName", json_stringn(name.ptr, name.len));
    char uuid[RAND_UUID_LEN + 1];
    rand_uuid(uuid);
    json_object_set_new(desc, "TableId", json_string(uuid));
    json_object_set_new(desc, "CreationDateTime", json_real(now_epoch()));
    json_object_set(desc, "KeySchema", ks);
    json_object_set(desc, "AttributeDefinitions", defs);
    json_object_set_new(desc, "BillingMode", json_string(billing_modes[billing]));
    json_object_set_new(desc, "BillingModeGiven", json_boolean(req_member(r, "BillingMode") != NULL));
    json_object_set_new(desc, "NumberOfDecreasesToday", json_integer(0));
    if (billing == BILLING_PROVISIONED) {
        json_object_set(desc, "ReadCapacityUnits", json_object_get(pt, "ReadCapacityUnits"));
        json_object_set(desc, "WriteCapacityUnits", json_object_get(pt, "WriteCapacityUnits"));
    } else {
        json_object_set(desc, "LastUpdateToPayPerRequestDateTime", json_object_get(desc, "CreationDateTime"));
    }
    if (gsis_c)
        json_object_set(desc, "GlobalSecondaryIndexes", (json_t *)gsis_c);
    if (lsis_c)
        json_object_set(desc, "LocalSecondaryIndexes", (json_t *)lsis_c);
    if (vectors_c)
        json_object_set_new(desc, "VectorIndexes", json_deep_copy(vectors_c));
    json_object_set_new(desc, "DeletionProtectionEnabled", json_boolean(protect));
    if (table_class >= 0)
        json_object_set_new(desc, "TableClass", json_string(table_classes[table_class]));
    if ((tags && ops_add_tags(r, desc, tags)) || ops_settings_create(r, desc)) {
        json_decref(desc);
        return -1;
    }

    *out_name = name;
    *out = desc;
    return 0;
}

/* CreateTable(TableName, KeySchema, AttributeDefinitions, BillingMode?,
 *             ProvisionedThroughput?, GlobalSecondaryIndexes?,
 *             LocalSecondaryIndexes?, DeletionProtectionEnabled?) */
req_result_t op_create_table(ddb_req_t *r)
{
    str_t name;
    json_t *desc;
    if (ops_create_table_desc(r, &name, &desc))
        return REQ_FAILED;
    create_plan_t *p = arena_alloc(&r->arena, sizeof *p);
    p->desc = desc;
    p->name = arena_strdup(&r->arena, name);
    return req_queue(r, create_apply, p, create_release);
}

static void create_release(void *plan)
{
    create_plan_t *p = plan;
    json_decref(p->desc);
}

/* Builds the stored description from a copy of the plan's: the plan stays
 * as it was, should the writer run this again. */
static int create_apply(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache)
{
    const create_plan_t *p = r->plan;
    const table_t *existing;
    int rc = catalog_lookup(cache, txn, r->ns, p->name, &existing);
    if (rc)
        return rc;
    if (existing)
        return err_set(&r->err, ERR_RESOURCE_IN_USE, "Table already exists: %.*s", STR_FMT(p->name));
    uint32_t id;
    if ((rc = catalog_next_table_id(txn, &id)) != 0)
        return rc;
    json_t *desc = json_deep_copy(p->desc);
    json_object_set_new(desc, "ddbd_id", json_integer(id));
    index_number_new(desc);
    rc = stream_apply_spec(txn, &r->err, r->ns, r->region, r->account, desc,
                           json_object_get(r->body, "StreamSpecification"), true);
    if (rc) {
        json_decref(desc);
        return rc;
    }
    table_t *t = table_from_json(r->ns, desc); /* takes desc */
    rc = catalog_put(txn, t);
    if (!rc) {
        buf_putc(&r->out, '{');
        rc = write_table_description(r, &r->out, txn, t, "TableDescription", "CREATING", NULL);
        buf_putc(&r->out, '}');
    }
    table_free(t);
    return rc;
}

/* DescribeTable(TableName) */
req_result_t op_describe_table(ddb_req_t *r)
{
    store_txn_t *txn = r->txn;
    const table_t *t;
    str_t name;
    if (req_table_name(r, &name) || req_constraints_done(r))
        return REQ_FAILED;
    int rc = catalog_lookup(r->env->loop_catalog, txn, r->ns, name, &t);
    if (!rc && !t)
        rc = req_table_not_found(r, name);
    if (!rc) {
        buf_putc(&r->out, '{');
        rc = write_table_description(r, &r->out, txn, t, "Table", t->restoring ? "CREATING" : "ACTIVE", NULL);
        buf_putc(&r->out, '}');
    }
    return req_result(r, rc);
}

/* ListTables(ExclusiveStartTableName?, Limit?) */
typedef struct list_state {
    buf_t *out;
    int64_t limit, n;
    str_t last;
    bool more;
    arena_t *arena;
} list_state_t;

static int list_one(void *ud, str_t name)
{
    list_state_t *s = ud;
    if (s->n == s->limit) {
        s->more = true;
        return 1;
    }
    jw_comma(s->out);
    jw_s(s->out, name);
    s->last = arena_strdup(s->arena, name);
    s->n++;
    return 0;
}

req_result_t op_list_tables(ddb_req_t *r)
{
    str_t start;
    int64_t limit;
    bool has_limit;
    if (req_string(r, "ExclusiveStartTableName", false, &start) || req_int(r, "Limit", &limit, &has_limit))
        return REQ_FAILED;
    if (!has_limit)
        limit = 100;
    req_check_range(r, limit, "limit", 1, 100);
    if (start.ptr)
        req_check_length(r, start, "exclusiveStartTableName", 3, 255);
    if (req_constraints_done(r))
        return REQ_FAILED;
    store_txn_t *txn = r->txn;
    list_state_t s = {&r->out, limit, 0, STR_NULL, false, &r->arena};
    buf_puts(&r->out, "{\"TableNames\":[");
    int rc = catalog_list(txn, r->ns, start.ptr ? start : STR_NULL, list_one, &s);
    buf_putc(&r->out, ']');
    if (s.more) {
        jw_key(&r->out, "LastEvaluatedTableName");
        jw_s(&r->out, s.last);
    }
    buf_putc(&r->out, '}');
    return req_result(r, rc);
}

/* DeleteTable(TableName) */
static int delete_apply(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache)
{
    const table_t *t;
    int rc = req_table(r, txn, cache, &t);
    if (rc)
        return rc;
    if (json_is_true(json_object_get(t->desc, "DeletionProtectionEnabled")))
        return err_set(&r->err, ERR_VALIDATION,
                       "Resource cannot be deleted as it is currently protected against deletion. Disable "
                       "deletion protection first.");
    bool keep_items; /* a system backup takes them over (PITR on) */
    if ((rc = ops_backup_table_deleting(r, txn, t, &keep_items)) != 0)
        return rc;
    buf_putc(&r->out, '{');
    rc = write_table_description(r, &r->out, txn, t, "TableDescription", "DELETING", NULL);
    buf_putc(&r->out, '}');
    bool left = false; /* a replica leaves its global table, which stays */
    if (!rc)
        rc = ops_replica_leave(r, txn, cache, t, &left);
    if (rc || left)
        return rc;
    rc = stream_on_table_deleted(txn, t);
    if (!rc)
        rc = keep_items ? itemstore_detach_table(txn, t) : itemstore_drop_table(txn, t);
    if (!rc)
        rc = catalog_delete(txn, r->ns, str_from_cstr(t->name));
    return rc;
}

req_result_t op_delete_table(ddb_req_t *r)
{
    str_t name;
    if (req_table_name(r, &name) || req_constraints_done(r))
        return REQ_FAILED;
    return req_queue(r, delete_apply, NULL, NULL);
}

/* Stores desc (consumed) as the table's description, then answers it. */
static int put_and_describe(ddb_req_t *r, store_txn_t *txn, json_t *desc, const char *status, const ops_answer_t *a)
{
    table_t *nt = table_from_json(r->ns, desc);
    int rc = catalog_put(txn, nt);
    if (!rc) {
        buf_putc(&r->out, '{');
        rc = write_table_description(r, &r->out, txn, nt, "TableDescription", status, a);
        buf_putc(&r->out, '}');
    }
    table_free(nt);
    return rc;
}

/* ReplicaUpdates: the only change in its request (ops_settings_check_update). */
static int replica_update_apply(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache, const table_t *t)
{
    json_t *desc = json_deep_copy(t->desc);
    ops_answer_t a = {0};
    int rc = ops_replica_updates(r, txn, cache, t, desc, &a);
    if (!rc)
        rc = put_and_describe(r, txn, desc, "UPDATING", &a);
    else
        json_decref(desc);
    ops_answer_free(&a);
    return rc;
}

/* UpdateTable(TableName, BillingMode?, ProvisionedThroughput?,
 *             DeletionProtectionEnabled?, TableClass?, StreamSpecification?,
 *             GlobalSecondaryIndexUpdates?, SSESpecification?,
 *             OnDemandThroughput?, WarmThroughput?, ReplicaUpdates?, ...) */
static int update_apply(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache)
{
    const table_t *t;
    int rc = req_table(r, txn, cache, &t);
    if (rc)
        return rc;
    if (t->restoring)
        return err_set(&r->err, ERR_RESOURCE_IN_USE,
                       "Attempt to change a resource which is still in use: Table is being created: %s", t->name);
    int billing;
    const json_t *pt;
    req_enum(r, "BillingMode", billing_modes, &billing, (int)t->billing);
    req_object(r, "ProvisionedThroughput", false, &pt);
    const json_t *protect = req_member(r, "DeletionProtectionEnabled");
    const json_t *stream_spec = req_member(r, "StreamSpecification");
    const json_t *gsi_updates = req_member(r, "GlobalSecondaryIndexUpdates");
    const json_t *vector_updates = req_member(r, "VectorIndexUpdates");
    int table_class;
    req_enum(r, "TableClass", table_classes, &table_class, -1);
    if (req_member(r, "ReplicaUpdates"))
        return replica_update_apply(r, txn, cache, t);
    if (billing == BILLING_PROVISIONED && t->billing == BILLING_PAY_PER_REQUEST && !pt)
        return validate_billing(r, billing, NULL, NULL);
    if (billing == BILLING_PAY_PER_REQUEST && pt)
        return validate_billing(r, billing, (json_t *)pt, NULL);
    int64_t rcu = pt ? json_integer_value(json_object_get(pt, "ReadCapacityUnits")) : t->rcu;
    int64_t wcu = pt ? json_integer_value(json_object_get(pt, "WriteCapacityUnits")) : t->wcu;
    if (pt && billing == (int)t->billing && rcu == t->rcu && wcu == t->wcu)
        return err_set(&r->err, ERR_VALIDATION,
                       "The provisioned throughput for the table will not change. The requested value equals "
                       "the current value. Current ReadCapacityUnits provisioned for the table: %lld. Requested "
                       "ReadCapacityUnits: %lld. Current WriteCapacityUnits provisioned for the table: %lld. "
                       "Requested WriteCapacityUnits: %lld. Refer to the Amazon DynamoDB Developer Guide for "
                       "current limits and how to request higher limits.",
                       (long long)t->rcu, (long long)rcu, (long long)t->wcu, (long long)wcu);

    json_t *desc = json_deep_copy(t->desc);
    double now = now_epoch();
    if (billing == BILLING_PAY_PER_REQUEST) {
        if (t->billing != BILLING_PAY_PER_REQUEST)
            json_object_set_new(desc, "LastUpdateToPayPerRequestDateTime", json_real(now));
        json_object_del(desc, "ReadCapacityUnits");
        json_object_del(desc, "WriteCapacityUnits");
    } else {
        if (rcu > t->rcu || wcu > t->wcu)
            json_object_set_new(desc, "LastIncreaseDateTime", json_real(now));
        if (rcu < t->rcu || wcu < t->wcu) {
            json_object_set_new(desc, "LastDecreaseDateTime", json_real(now));
            json_object_set_new(desc, "NumberOfDecreasesToday",
                                json_integer(json_integer_value(json_object_get(desc, "NumberOfDecreasesToday")) + 1));
        }
        json_object_set_new(desc, "ReadCapacityUnits", json_integer(rcu));
        json_object_set_new(desc, "WriteCapacityUnits", json_integer(wcu));
    }
    json_object_set_new(desc, "BillingMode", json_string(billing_modes[billing]));
    if (req_member(r, "BillingMode"))
        json_object_set_new(desc, "BillingModeGiven", json_true());
    if (protect)
        json_object_set(desc, "DeletionProtectionEnabled", (json_t *)protect);
    if (table_class >= 0) {
        json_object_set_new(desc, "TableClass", json_string(table_classes[table_class]));
        json_object_set_new(desc, "TableClassUpdated", json_real(now));
    }
    ops_answer_t a = {0};
    if ((rc = ops_settings_update(r, t, desc, &a)) != 0 || (gsi_updates && (rc = ops_index_updates(r, txn, t, desc)) != 0) ||
        (vector_updates && (rc = ops_vector_index_updates(r, txn, t, desc)) != 0)) {
        ops_answer_free(&a);
        json_decref(desc);
        return rc;
    }
    rc = stream_apply_spec(txn, &r->err, r->ns, r->region, r->account, desc, stream_spec, false);
    if (!rc)
        rc = put_and_describe(r, txn, desc,
                              pt || req_member(r, "BillingMode") || gsi_updates || vector_updates ? "UPDATING" : "ACTIVE",
                              &a);
    else
        json_decref(desc);
    ops_answer_free(&a);
    return rc;
}

req_result_t op_update_table(ddb_req_t *r)
{
    str_t name;
    int billing, table_class;
    const json_t *pt;
    bool protect;
    if (req_table_name(r, &name) || req_enum(r, "BillingMode", billing_modes, &billing, -1) ||
        req_object(r, "ProvisionedThroughput", false, &pt) || req_bool(r, "DeletionProtectionEnabled", &protect) ||
        req_enum(r, "TableClass", table_classes, &table_class, -1))
        return REQ_FAILED;
    if (req_constraints_done(r) || stream_check_spec(&r->err, req_member(r, "StreamSpecification")) ||
        ops_settings_check_update(r))
        return REQ_FAILED;
    return req_queue(r, update_apply, NULL, NULL);
}
