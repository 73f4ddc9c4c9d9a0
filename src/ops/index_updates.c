/* ops/index_updates.c - UpdateTable's GlobalSecondaryIndexUpdates.
 *
 * Create adds the index to the description in IndexStatus CREATING; from
 * then on every write maintains it, and the backfill (backfill.c) adds
 * the entries of the items already there, in chunks, then marks it
 * ACTIVE. Delete drops the entries at once and marks the definition
 * DELETING; backfill.c removes it right after.
 * Update changes a provisioned index's throughput.
 *
 * Messages are DynamoDB Local's where AWS's documentation gives none
 * (one index operation per call, an existing or missing index). */
#include <string.h>

#include "jobs/backfill.h"
#include "storage/index.h"
#include "ops/ops.h"

#define GSI_MAX 20
#define MSG_INVALID "One or more parameter values were invalid: "

/* The request's AttributeDefinitions added to the table's (a Create may
 * name attributes the table did not define yet). */
static int merge_definitions(ddb_req_t *r, json_t *desc)
{
    const json_t *given;
    if (req_array(r, "AttributeDefinitions", false, &given))
        return -1;
    json_t *defs = json_object_get(desc, "AttributeDefinitions");
    size_t i;
    json_t *d;
    json_array_foreach((json_t *)given, i, d)
    {
        json_t *n = json_object_get(d, "AttributeName"), *t = json_object_get(d, "AttributeType");
        if (!json_is_string(n) || !json_is_string(t) || strlen(json_string_value(t)) != 1 ||
            !strchr("SNB", json_string_value(t)[0]))
            return err_set(&r->err, ERR_VALIDATION, MSG_INVALID "Invalid AttributeDefinitions");
        if (!ops_find_by(defs, "AttributeName", json_string_value(n)))
            json_array_append_new(defs, json_pack("{s:O,s:O}", "AttributeName", n, "AttributeType", t));
    }
    return 0;
}

/* Required members, reported as DynamoDB's constraint errors. */
static int require(ddb_req_t *r, json_t *o, const char *const *members, const char *const *fields, const char *kind)
{
    for (int i = 0; members[i]; i++)
        if (!json_object_get(o, members[i]) || json_is_null(json_object_get(o, members[i])))
            req_constraint(r, "null",
                           arena_printf(&r->arena, "globalSecondaryIndexUpdates.1.member.%s.%s", kind, fields[i]),
                           "Member must not be null");
    return req_constraints_done(r);
}

/* ---- an index definition's rules (CreateTable's indexes and Create here) ---- */

static bool str_member_is(const json_t *o, const char *member, const char *want)
{
    const char *v = json_string_value(json_object_get(o, member));
    return v && strcmp(v, want) == 0;
}

/* AWS's words for an index's projection (as recorded by dynalite's tests);
 * the type's enum is the front door's. */
int ops_check_projection(ddb_req_t *r, const json_t *proj)
{
    const char *type = json_string_value(json_object_get(proj, "ProjectionType"));
    const json_t *nonkey = json_object_get(proj, "NonKeyAttributes");
    if (!type)
        return err_set(&r->err, ERR_VALIDATION, MSG_INVALID "Unknown ProjectionType: null");
    if (strcmp(type, "INCLUDE") != 0) {
        if (nonkey)
            return err_set(&r->err, ERR_VALIDATION, MSG_INVALID "ProjectionType is %s, but NonKeyAttributes is specified",
                           type);
        return 0;
    }
    /* DynamoDB Local's words: AWS's are not recorded */
    if (!json_array_size(nonkey))
        return err_set(&r->err, ERR_VALIDATION,
                       "If Projection type INCLUDE is specified, some non-key attributes to include in the "
                       "projection must be specified as well");
    for (size_t i = 0; i < json_array_size(nonkey); i++) {
        const char *a = json_string_value(json_array_get(nonkey, i));
        for (size_t j = 0; j < i; j++)
            if (a && strcmp(a, json_string_value(json_array_get(nonkey, j))) == 0)
                return err_set(&r->err, ERR_VALIDATION, "Cannot have two attributes with the same name");
    }
    return 0;
}

static void names_of(const json_t *list, const char *member, buf_t *out)
{
    buf_putc(out, '[');
    for (size_t i = 0; i < json_array_size(list); i++)
        buf_printf(out, "%s%s", i ? ", " : "", json_string_value(json_object_get(json_array_get(list, i), member)));
    buf_putc(out, ']');
}

/* Every key attribute of ks is in defs; AWS's message names them all. */
int ops_check_keys_defined(ddb_req_t *r, const json_t *ks, const json_t *defs)
{
    for (size_t i = 0; i < json_array_size(ks); i++) {
        const char *attr = json_string_value(json_object_get(json_array_get(ks, i), "AttributeName"));
        if (ops_find_by(defs, "AttributeName", attr))
            continue;
        buf_t keys = BUF_INIT, ad = BUF_INIT;
        names_of(ks, "AttributeName", &keys);
        names_of(defs, "AttributeName", &ad);
        err_set(&r->err, ERR_VALIDATION,
                MSG_INVALID "Some index key attributes are not defined in AttributeDefinitions. Keys: %.*s, "
                            "AttributeDefinitions: %.*s",
                (int)keys.len, keys.data, (int)ad.len, ad.data);
        buf_free(&keys);
        buf_free(&ad);
        return -1;
    }
    return 0;
}

/* A key schema's own rules, in AWS's order: one name twice, then the
 * element types. */
int ops_check_key_schema(ddb_req_t *r, const json_t *ks)
{
    const json_t *hash = json_array_get(ks, 0), *range = json_array_get(ks, 1);
    const char *hash_name = json_string_value(json_object_get(hash, "AttributeName"));
    if (range && hash_name && str_member_is(range, "AttributeName", hash_name))
        return err_set(&r->err, ERR_VALIDATION,
                       "Both the Hash Key and the Range Key element in the KeySchema have the same name");
    if (!str_member_is(hash, "KeyType", "HASH"))
        return err_set(&r->err, ERR_VALIDATION, "Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
    if (range && !str_member_is(range, "KeyType", "RANGE"))
        return err_set(&r->err, ERR_VALIDATION,
                       "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
    return 0;
}

/* A multi-attribute GSI key (more than one HASH or RANGE attribute):
 * up to four of each, every HASH before every RANGE, no name twice.
 * AWS records no messages for these; they are DynamoDB Local 3.3's. */
#define MULTI_KEY_MAX 4

static bool multi_key_schema(const json_t *ks)
{
    size_t n_hash = 0, n_range = 0;
    for (size_t i = 0; i < json_array_size(ks); i++)
        str_member_is(json_array_get(ks, i), "KeyType", "HASH") ? n_hash++ : n_range++;
    return n_hash > 1 || n_range > 1;
}

static int check_multi_key_schema(ddb_req_t *r, const json_t *ks)
{
    size_t n = json_array_size(ks), n_hash = 0, n_range = 0;
    bool order_bad = false;
    for (size_t i = 0; i < n; i++) {
        bool hash = str_member_is(json_array_get(ks, i), "KeyType", "HASH");
        order_bad = order_bad || (hash && n_range > 0);
        hash ? n_hash++ : n_range++;
    }
    if (n > 2 * MULTI_KEY_MAX)
        return err_set(&r->err, ERR_VALIDATION,
                       "Key Schema too big.  Key Schema must at most consist of the hash and range key of a table");
    if (!n_hash)
        return err_set(&r->err, ERR_VALIDATION,
                       "No Hash Key specified in schema.  All Dynamo DB tables must have exactly one hash key");
    if (order_bad)
        return err_set(&r->err, ERR_VALIDATION,
                       "Invalid key order. Hash Key must be specified first in key schema, Range Key must be specifed "
                       "second");
    if (n_hash > MULTI_KEY_MAX)
        return err_set(&r->err, ERR_VALIDATION, "Too many partition keys. GSI can have at most 4 partition keys");
    if (n_range > MULTI_KEY_MAX)
        return err_set(&r->err, ERR_VALIDATION, "Too many sort keys. GSI can have at most 4 sort keys");
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (json_equal(json_object_get(json_array_get(ks, i), "AttributeName"),
                           json_object_get(json_array_get(ks, j), "AttributeName")))
                return err_set(&r->err, ERR_VALIDATION, "Two keys can not have the same name");
    return 0;
}

/* One index definition's rules, with AWS's messages (recorded by dynalite's
 * tests): its keys defined, its key schema, an LSI's range key and shared
 * hash key, its projection. The name's constraints are the front door's. */
int ops_check_index_definition(ddb_req_t *r, const json_t *ix, bool local, const json_t *table_ks,
                               const json_t *defs)
{
    const char *name = json_string_value(json_object_get(ix, "IndexName"));
    const json_t *ks = json_object_get(ix, "KeySchema");
    if (defs && ops_check_keys_defined(r, ks, defs))
        return -1;
    if (!local && (multi_key_schema(ks) || json_array_size(ks) > 2))
        return check_multi_key_schema(r, ks) ? -1 : ops_check_projection(r, json_object_get(ix, "Projection"));
    if (ops_check_key_schema(r, ks))
        return -1;
    if (local && json_array_size(ks) != 2)
        return err_set(&r->err, ERR_VALIDATION, MSG_INVALID "Index KeySchema does not have a range key for index: %s",
                       name);
    const char *hash = json_string_value(json_object_get(json_array_get(ks, 0), "AttributeName"));
    const char *table_hash = json_string_value(json_object_get(json_array_get(table_ks, 0), "AttributeName"));
    if (local && hash && table_hash && strcmp(hash, table_hash) != 0)
        return err_set(&r->err, ERR_VALIDATION,
                       MSG_INVALID "Index KeySchema does not have the same leading hash key as table KeySchema for "
                                   "index: %s. index hash key: %s, table hash key: %s",
                       name, hash, table_hash);
    return ops_check_projection(r, json_object_get(ix, "Projection"));
}

/* Index names: one name once, across GSIs and LSIs alike. */
int ops_check_index_names(ddb_req_t *r, const json_t *gsis, const json_t *lsis)
{
    const json_t *lists[2] = {lsis, gsis};
    for (int l = 0; l < 2; l++)
        for (size_t i = 0; i < json_array_size(lists[l]); i++) {
            const char *name = json_string_value(json_object_get(json_array_get(lists[l], i), "IndexName"));
            for (int m = 0; m <= l; m++)
                for (size_t j = 0; j < (m == l ? i : json_array_size(lists[m])); j++)
                    if (str_member_is(json_array_get(lists[m], j), "IndexName", name))
                        return err_set(&r->err, ERR_VALIDATION, MSG_INVALID "Duplicate index name: %s", name);
        }
    return 0;
}

/* The name of the index a Create makes. Its members' presence, types and
 * constraints were the front door's (api/validate.c). */
static int check_create_shape(ddb_req_t *r, json_t *c, const char **name)
{
    *name = json_string_value(json_object_get(c, "IndexName"));
    return *name ? 0 : err_set(&r->err, ERR_SERIALIZATION, "Unexpected value type in payload");
}

static int check_create(ddb_req_t *r, const table_t *t, json_t *desc, json_t *c)
{
    const char *name;
    if (check_create_shape(r, c, &name) ||
        ops_check_index_definition(r, c, false, json_object_get(desc, "KeySchema"), NULL))
        return -1;
    json_t *gsis = json_object_get(desc, "GlobalSecondaryIndexes");
    if (ops_find_by(gsis, "IndexName", name) ||
        ops_find_by(json_object_get(desc, "LocalSecondaryIndexes"), "IndexName", name))
        return err_set(&r->err, ERR_VALIDATION, "Attempting to create an index which already exists");
    if (!req_member(r, "AttributeDefinitions"))
        return err_set(&r->err, ERR_VALIDATION, "No Attribute Schema Defined");
    size_t i;
    json_t *k;
    json_array_foreach(json_object_get(c, "KeySchema"), i, k)
    {
        const char *attr = json_string_value(json_object_get(k, "AttributeName"));
        if (!ops_find_by(json_object_get(desc, "AttributeDefinitions"), "AttributeName", attr))
            return err_set(&r->err, ERR_VALIDATION,
                           MSG_INVALID "Some index key attributes are not defined in AttributeDefinitions. Keys: "
                                       "[%s]",
                           attr);
    }
    if (json_array_size(gsis) >= GSI_MAX)
        return err_set(&r->err, ERR_LIMIT_EXCEEDED, "Number of global secondary indexes exceeds per-table limit");
    json_t *pt = json_object_get(c, "ProvisionedThroughput");
    if (t->billing == BILLING_PROVISIONED && !pt)
        return err_set(&r->err, ERR_VALIDATION, MSG_INVALID "ProvisionedThroughput must be specified for index: %s",
                       name);
    if (t->billing == BILLING_PAY_PER_REQUEST && pt)
        return err_set(&r->err, ERR_VALIDATION,
                       MSG_INVALID "ProvisionedThroughput should not be specified for index: %s when BillingMode is "
                                   "PAY_PER_REQUEST",
                       name);
    return 0;
}

/* The new index's stored form: what the user gave, a fresh number, and
 * CREATING until backfill.c has read every item. */
static void add_index(json_t *desc, json_t *c)
{
    json_t *ix = json_deep_copy(c);
    json_int_t next = json_integer_value(json_object_get(desc, "ddbd_next_index"));
    if (next < 1) /* a description from before numbering: after every position */
        next = (json_int_t)(json_array_size(json_object_get(desc, "LocalSecondaryIndexes")) +
                            json_array_size(json_object_get(desc, "GlobalSecondaryIndexes")) + 1);
    json_object_set_new(ix, "ddbd_number", json_integer(next));
    json_object_set_new(ix, "ddbd_status", json_string("CREATING"));
    json_object_set_new(desc, "ddbd_next_index", json_integer(next + 1));
    json_t *gsis = json_object_get(desc, "GlobalSecondaryIndexes");
    if (!gsis) {
        gsis = json_array();
        json_object_set_new(desc, "GlobalSecondaryIndexes", gsis);
    }
    json_array_append_new(gsis, ix);
}

/* An index still being created or deleted: DynamoDB allows one at a time. */
static bool any_in_flight(json_t *desc)
{
    size_t i;
    json_t *g;
    json_array_foreach(json_object_get(desc, "GlobalSecondaryIndexes"), i, g)
    {
        if (json_object_get(g, "ddbd_status"))
            return true;
    }
    return false;
}

static bool key_attribute(json_t *desc, const char *attr)
{
    if (ops_find_by(json_object_get(desc, "KeySchema"), "AttributeName", attr))
        return true;
    const json_t *vectors = json_object_get(desc, "VectorIndexes"); /* their SearchSchema attributes */
    for (size_t i = 0; i < json_array_size(vectors); i++)
        if (ops_find_by(json_object_get(json_array_get(vectors, i), "SearchSchema"), "AttributeName", attr))
            return true;
    static const char *const lists[] = {"LocalSecondaryIndexes", "GlobalSecondaryIndexes"};
    for (int l = 0; l < 2; l++) {
        size_t i;
        json_t *ix;
        json_array_foreach(json_object_get(desc, lists[l]), i, ix)
        {
            const char *status = json_string_value(json_object_get(ix, "ddbd_status"));
            if ((!status || strcmp(status, "DELETING") != 0) &&
                ops_find_by(json_object_get(ix, "KeySchema"), "AttributeName", attr))
                return true;
        }
    }
    return false;
}

/* DynamoDB keeps only the definitions some key schema uses. */
static void prune_definitions(json_t *desc)
{
    json_t *defs = json_object_get(desc, "AttributeDefinitions");
    for (size_t i = json_array_size(defs); i-- > 0;)
        if (!key_attribute(desc, json_string_value(json_object_get(json_array_get(defs, i), "AttributeName"))))
            json_array_remove(defs, i);
}

int ops_index_updates(ddb_req_t *r, store_txn_t *txn, const table_t *t, json_t *desc)
{
    const json_t *updates;
    if (req_array(r, "GlobalSecondaryIndexUpdates", false, &updates) || !updates)
        return r->err.code ? -1 : 0;
    if (json_array_size(updates) > 1 || (json_array_size(updates) == 1 && any_in_flight(desc)))
        return err_set(&r->err, ERR_LIMIT_EXCEEDED,
                       "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously "
                       "per table");
    json_t *u = json_array_get(updates, 0);
    json_t *c = json_object_get(u, "Create"), *d = json_object_get(u, "Delete"), *up = json_object_get(u, "Update");
    if (!json_is_object(u) || (c != NULL) + (d != NULL) + (up != NULL) != 1)
        return err_set(&r->err, ERR_VALIDATION,
                       MSG_INVALID "One of GlobalSecondaryIndexUpdate.Create, Update or Delete must be specified");
    if (merge_definitions(r, desc))
        return -1;
    json_t *gsis = json_object_get(desc, "GlobalSecondaryIndexes");
    if (c) {
        if (check_create(r, t, desc, c))
            return -1;
        add_index(desc, c);
        backfill_notify(); /* its job runs after this transaction commits */
        return 0;
    }
    static const char *const del_members[] = {"IndexName", NULL}, *const del_fields[] = {"indexName"};
    static const char *const up_members[] = {"IndexName", "ProvisionedThroughput", NULL};
    static const char *const up_fields[] = {"indexName", "provisionedThroughput"};
    /* an Update of on-demand or warm throughput needs no ProvisionedThroughput */
    bool settings = up && (json_object_get(up, "OnDemandThroughput") || json_object_get(up, "WarmThroughput"));
    if (d || settings ? require(r, d ? d : up, del_members, del_fields, d ? "delete" : "update")
                      : require(r, up, up_members, up_fields, "update"))
        return -1;
    const char *name = json_string_value(json_object_get(d ? d : up, "IndexName"));
    json_t *ix = ops_find_by(gsis, "IndexName", name);
    if (!ix)
        return err_set(&r->err, ERR_RESOURCE_NOT_FOUND, "Requested resource not found");
    if (settings)
        return ops_settings_index_update(r, t, ix, up);
    if (up) {
        json_t *pt = json_object_get(up, "ProvisionedThroughput");
        if (!json_is_object(pt) || t->billing == BILLING_PAY_PER_REQUEST)
            return err_set(&r->err, ERR_VALIDATION,
                           MSG_INVALID "ProvisionedThroughput should not be specified for index: %s when "
                                       "BillingMode is PAY_PER_REQUEST",
                           name);
        json_object_set(ix, "ProvisionedThroughput", pt);
        return 0;
    }
    /* The entries go now; the definition stays a moment as DELETING (what
     * DescribeTable shows), until backfill.c removes it. */
    const table_index_t *tix = table_index(t, str_from_cstr(name));
    int rc = index_drop(txn, t->id, tix->number);
    if (rc)
        return rc;
    json_object_set_new(ix, "ddbd_status", json_string("DELETING"));
    prune_definitions(desc);
    backfill_notify();
    return 0;
}
