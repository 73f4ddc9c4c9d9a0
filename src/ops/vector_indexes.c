/* ops/vector_indexes.c - vector index definitions: CreateTable's
 * VectorIndexes, UpdateTable's VectorIndexUpdates (Create, Delete) and
 * DescribeTable's VectorIndexes.
 *
 * The model and the developer guide give the members, the ranges
 * (Dimensions 1..4096, DistanceFunction COSINE | EUCLIDEAN | DOT_PRODUCT)
 * and some messages ("One element in SearchSchema is not defined in
 * attribute definitions"); the others are ddbd's, worded like AWS's
 * neighbours. A new index on a populated table is CREATING (Backfilling)
 * until jobs/backfill.c has read every item, as a GSI is. */
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

#include "jobs/backfill.h"
#include "storage/index.h"
#include "storage/vector_index.h"
#include "ops/ops.h"

#define MSG_INVALID "One or more parameter values were invalid: "
#define VECTOR_INDEXES_MAX 5 /* per table: ddbd's choice, AWS's quota is not documented here */

static const char *const distances[] = {"COSINE", "DOT_PRODUCT", "EUCLIDEAN", NULL};
static const char *const schema_types[] = {"HASH", "INLINE_FILTER", NULL};

static bool in_set(const char *s, const char *const *set)
{
    for (int i = 0; s && set[i]; i++)
        if (strcmp(s, set[i]) == 0)
            return true;
    return false;
}

static void enum_constraint(ddb_req_t *r, const char *v, const char *path, const char *set)
{
    req_constraint(r, arena_printf(&r->arena, "'%s'", v), path,
                   arena_printf(&r->arena, "Member must satisfy enum value set: %s", set));
}

/* The model's constraints on one VectorIndex (CreateTable) or
 * CreateVectorIndexAction (UpdateTable); path ends in "member" or
 * "create". */
static void check_shape(ddb_req_t *r, const json_t *v, const char *path)
{
    const json_t *name = json_object_get(v, "IndexName"), *attr = json_object_get(v, "VectorAttribute");
    const json_t *dims = json_object_get(v, "Dimensions"), *fn = json_object_get(v, "DistanceFunction");
    if (!json_is_string(name))
        req_constraint(r, "null", arena_printf(&r->arena, "%s.indexName", path), "Member must not be null");
    if (!json_is_string(json_object_get(attr, "AttributeName")))
        req_constraint(r, "null", arena_printf(&r->arena, "%s.vectorAttribute%s", path, attr ? ".attributeName" : ""),
                       "Member must not be null");
    if (!json_is_integer(dims))
        req_constraint(r, "null", arena_printf(&r->arena, "%s.dimensions", path), "Member must not be null");
    else
        req_check_range(r, json_integer_value(dims), arena_printf(&r->arena, "%s.dimensions", path), 1,
                        VECTOR_DIMS_MAX);
    if (!json_is_string(fn))
        req_constraint(r, "null", arena_printf(&r->arena, "%s.distanceFunction", path), "Member must not be null");
    else if (!in_set(json_string_value(fn), distances))
        enum_constraint(r, json_string_value(fn), arena_printf(&r->arena, "%s.distanceFunction", path),
                        "[COSINE, DOT_PRODUCT, EUCLIDEAN]");
    if (!json_is_object(json_object_get(v, "Projection")))
        req_constraint(r, "null", arena_printf(&r->arena, "%s.projection", path), "Member must not be null");
    const json_t *schema = json_object_get(v, "SearchSchema");
    if (schema && json_array_size(schema) < 1)
        req_constraint(r, "'[]'", arena_printf(&r->arena, "%s.searchSchema", path),
                       "Member must have length greater than or equal to 1");
    for (size_t i = 0; i < json_array_size(schema); i++) {
        const json_t *e = json_array_get(schema, i);
        const char *type = json_string_value(json_object_get(e, "SearchSchemaElementType"));
        if (!json_is_string(json_object_get(e, "AttributeName")))
            req_constraint(r, "null", arena_printf(&r->arena, "%s.searchSchema.%zu.member.attributeName", path, i + 1),
                           "Member must not be null");
        if (!type)
            req_constraint(r, "null",
                           arena_printf(&r->arena, "%s.searchSchema.%zu.member.searchSchemaElementType", path, i + 1),
                           "Member must not be null");
        else if (!in_set(type, schema_types))
            enum_constraint(r, type,
                            arena_printf(&r->arena, "%s.searchSchema.%zu.member.searchSchemaElementType", path, i + 1),
                            "[HASH, INLINE_FILTER]");
    }
}

static const json_t *find_name(const json_t *list, const char *name) { return ops_find_by(list, "IndexName", name); }

/* The rules of one definition against the table it joins (defs: its
 * attribute definitions; others: the names and vector attributes already
 * taken). */
static int check_definition(ddb_req_t *r, const json_t *v, const json_t *defs, bool on_demand)
{
    str_t name;
    const char *bad = req_table_ref(str_from_cstr(json_string_value(json_object_get(v, "IndexName"))), false, &name);
    if (bad)
        return err_set(&r->err, ERR_VALIDATION, "%s", bad);
    if (!on_demand)
        return err_set(&r->err, ERR_VALIDATION,
                       MSG_INVALID "Vector indexes are supported only on tables that use on-demand capacity mode "
                                   "(PAY_PER_REQUEST)");
    const json_t *schema = json_object_get(v, "SearchSchema");
    size_t hashes = 0;
    for (size_t i = 0; i < json_array_size(schema); i++) {
        const json_t *e = json_array_get(schema, i);
        if (!ops_find_by(defs, "AttributeName", json_string_value(json_object_get(e, "AttributeName"))))
            return err_set(&r->err, ERR_VALIDATION,
                           "One element in SearchSchema is not defined in attribute definitions");
        hashes += strcmp(json_string_value(json_object_get(e, "SearchSchemaElementType")), "HASH") == 0;
        for (size_t j = 0; j < i; j++)
            if (json_equal(json_object_get(e, "AttributeName"),
                           json_object_get(json_array_get(schema, j), "AttributeName")))
                return err_set(&r->err, ERR_VALIDATION, MSG_INVALID "Duplicate attribute in SearchSchema: %s",
                               json_string_value(json_object_get(e, "AttributeName")));
    }
    if (hashes > 1)
        return err_set(&r->err, ERR_VALIDATION, MSG_INVALID "SearchSchema can have at most one HASH element");
    if (json_array_size(schema) - hashes > VECTOR_FILTERS_MAX)
        return err_set(&r->err, ERR_VALIDATION, MSG_INVALID "SearchSchema can have at most %d INLINE_FILTER elements",
                       VECTOR_FILTERS_MAX);
    return ops_check_projection(r, json_object_get(v, "Projection"));
}

/* Names unique among every index of the table, one dimension count per
 * vector attribute, and the per-table limit. */
static int check_against(ddb_req_t *r, const json_t *v, const json_t *gsis, const json_t *lsis, const json_t *vectors)
{
    const char *name = json_string_value(json_object_get(v, "IndexName"));
    if (find_name(gsis, name) || find_name(lsis, name) || find_name(vectors, name))
        return err_set(&r->err, ERR_VALIDATION, MSG_INVALID "Duplicate index name: %s", name);
    const json_t *attr = json_object_get(json_object_get(v, "VectorAttribute"), "AttributeName");
    for (size_t i = 0; i < json_array_size(vectors); i++) {
        const json_t *o = json_array_get(vectors, i);
        if (json_equal(json_object_get(json_object_get(o, "VectorAttribute"), "AttributeName"), attr) &&
            !json_equal(json_object_get(o, "Dimensions"), json_object_get(v, "Dimensions")))
            return err_set(&r->err, ERR_VALIDATION,
                           MSG_INVALID "Vector indexes on the same vector attribute must have the same Dimensions: %s",
                           json_string_value(attr));
    }
    if (json_array_size(vectors) >= VECTOR_INDEXES_MAX)
        return err_set(&r->err, ERR_LIMIT_EXCEEDED, "Number of vector indexes exceeds per-table limit of %d",
                       VECTOR_INDEXES_MAX);
    return 0;
}

int ops_check_vector_indexes(ddb_req_t *r, const json_t *list, const json_t *defs, bool on_demand, const json_t *gsis,
                             const json_t *lsis, json_t *used)
{
    if (!list)
        return 0;
    if (!json_is_array(list))
        return err_set(&r->err, ERR_SERIALIZATION, "Unexpected value type in payload");
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *v = json_array_get(list, i);
        if (!json_is_object(v))
            return err_set(&r->err, ERR_SERIALIZATION, "Unexpected value type in payload");
        check_shape(r, v, arena_printf(&r->arena, "vectorIndexes.%zu.member", i + 1));
    }
    if (req_constraints_done(r))
        return -1;
    json_t *before = json_array();
    int rc = 0;
    for (size_t i = 0; i < json_array_size(list) && !rc; i++) {
        const json_t *v = json_array_get(list, i);
        rc = check_definition(r, v, defs, on_demand) || check_against(r, v, gsis, lsis, before) ? -1 : 0;
        json_array_append(before, (json_t *)v);
        const json_t *schema = json_object_get(v, "SearchSchema");
        for (size_t j = 0; j < json_array_size(schema); j++)
            json_array_append(used, json_object_get(json_array_get(schema, j), "AttributeName"));
    }
    json_decref(before);
    return rc;
}

/* ---- UpdateTable --------------------------------------------------------------------------- */

static void merge_definitions(ddb_req_t *r, json_t *desc)
{
    const json_t *given = req_member(r, "AttributeDefinitions");
    json_t *defs = json_object_get(desc, "AttributeDefinitions");
    for (size_t i = 0; i < json_array_size(given); i++) {
        json_t *d = json_array_get(given, i);
        if (json_is_string(json_object_get(d, "AttributeName")) &&
            !ops_find_by(defs, "AttributeName", json_string_value(json_object_get(d, "AttributeName"))))
            json_array_append(defs, d);
    }
}

static bool any_in_flight(const json_t *desc)
{
    static const char *const lists[] = {"GlobalSecondaryIndexes", "VectorIndexes"};
    for (int l = 0; l < 2; l++)
        for (size_t i = 0; i < json_array_size(json_object_get(desc, lists[l])); i++)
            if (json_object_get(json_array_get(json_object_get(desc, lists[l]), i), "ddbd_status"))
                return true;
    return false;
}

static int create_one(ddb_req_t *r, const table_t *t, json_t *desc, const json_t *c)
{
    check_shape(r, c, "vectorIndexUpdates.1.member.create");
    if (req_constraints_done(r))
        return -1;
    merge_definitions(r, desc);
    json_t *vectors = json_object_get(desc, "VectorIndexes");
    if (check_definition(r, c, json_object_get(desc, "AttributeDefinitions"), t->billing == BILLING_PAY_PER_REQUEST) ||
        check_against(r, c, json_object_get(desc, "GlobalSecondaryIndexes"),
                      json_object_get(desc, "LocalSecondaryIndexes"), vectors))
        return -1;
    json_t *v = json_deep_copy(c);
    json_int_t next = json_integer_value(json_object_get(desc, "ddbd_next_index"));
    json_object_set_new(v, "ddbd_number", json_integer(next));
    json_object_set_new(v, "ddbd_status", json_string("CREATING"));
    json_object_set_new(desc, "ddbd_next_index", json_integer(next + 1));
    if (!vectors) {
        vectors = json_array();
        json_object_set_new(desc, "VectorIndexes", vectors);
    }
    json_array_append_new(vectors, v);
    backfill_notify(); /* its job runs after this transaction commits */
    return 0;
}

int ops_vector_index_updates(ddb_req_t *r, store_txn_t *txn, const table_t *t, json_t *desc)
{
    const json_t *updates;
    if (req_array(r, "VectorIndexUpdates", false, &updates) || !updates)
        return r->err.code ? -1 : 0;
    if (json_array_size(updates) != 1 || any_in_flight(desc) || req_member(r, "GlobalSecondaryIndexUpdates"))
        return err_set(&r->err, ERR_LIMIT_EXCEEDED,
                       "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously "
                       "per table");
    const json_t *u = json_array_get(updates, 0);
    const json_t *c = json_object_get(u, "Create"), *d = json_object_get(u, "Delete");
    if (!json_is_object(u) || (c != NULL) + (d != NULL) != 1)
        return err_set(&r->err, ERR_VALIDATION,
                       MSG_INVALID "One of VectorIndexUpdate.Create or Delete must be specified");
    if (c)
        return create_one(r, t, desc, c);
    const char *name = json_string_value(json_object_get(d, "IndexName"));
    if (!name)
        return err_set(&r->err, ERR_VALIDATION,
                       "1 validation error detected: Value null at 'vectorIndexUpdates.1.member.delete.indexName' "
                       "failed to satisfy constraint: Member must not be null");
    json_t *v = (json_t *)ops_find_by(json_object_get(desc, "VectorIndexes"), "IndexName", name);
    const vector_index_t *vi = table_vector_index(t, str_from_cstr(name));
    if (!v || !vi)
        return err_set(&r->err, ERR_RESOURCE_NOT_FOUND, "Requested resource not found");
    int rc = index_drop(txn, t->id, vi->number); /* the entries go now, the definition in a moment */
    if (rc)
        return rc;
    json_object_set_new(v, "ddbd_status", json_string("DELETING"));
    backfill_notify();
    return 0;
}

/* ---- DescribeTable ---------------------------------------------------------------------------- */

static void write_member(buf_t *b, const char *key, const json_t *v)
{
    char *s = xjson_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
    jw_key(b, key);
    buf_puts(b, s);
    free(s);
}

int ops_describe_vector_indexes(ddb_req_t *r, buf_t *b, store_txn_t *txn, const table_t *t)
{
    const json_t *list = json_object_get(t->desc, "VectorIndexes");
    if (!json_array_size(list))
        return 0;
    jw_key(b, "VectorIndexes");
    jw_open(b, '[');
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *v = json_array_get(list, i);
        const char *name = json_string_value(json_object_get(v, "IndexName"));
        const vector_index_t *vi = table_vector_index(t, str_from_cstr(name)); /* NULL while DELETING */
        table_stats_t st = {0};
        int rc = vi ? index_stats_get(txn, t->id, vi->number, &st) : 0;
        if (rc)
            return rc;
        jw_open(b, '{');
        jw_key(b, "IndexName");
        jw_cstr(b, name);
        if (json_object_get(v, "SearchSchema"))
            write_member(b, "SearchSchema", json_object_get(v, "SearchSchema"));
        write_member(b, "Projection", json_object_get(v, "Projection"));
        write_member(b, "VectorAttribute", json_object_get(v, "VectorAttribute"));
        write_member(b, "Dimensions", json_object_get(v, "Dimensions"));
        write_member(b, "DistanceFunction", json_object_get(v, "DistanceFunction"));
        jw_key(b, "IndexStatus");
        jw_cstr(b, !vi ? "DELETING" : vi->creating ? "CREATING" : "ACTIVE");
        if (vi && vi->creating) {
            jw_key(b, "Backfilling");
            jw_bool(b, true);
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
