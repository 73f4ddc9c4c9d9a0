/* ops/restore.c - the new table of RestoreTableFromBackup and
 * RestoreTableToPointInTime, and the parameters the backup operations
 * share.
 *
 * A restore always makes a new table. It carries what AWS's developer
 * guide says a restore carries: the key schema, attribute definitions, the
 * global and local secondary indexes, the billing mode and provisioned
 * throughput, the encryption settings (and, as ddbd chooses, the table
 * class); the overrides replace them. It does not carry what the guide
 * says must be set up again by hand: tags, stream settings, TTL settings,
 * point-in-time recovery settings (and resource policies, which are IAM).
 * Deletion protection starts off. The table is CREATING (RestoreInProgress)
 * while jobs/backup_jobs.c fills it, then ACTIVE; its RestoreSummary stays. */
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "base/rand.h"
#include "jobs/backup_jobs.h"
#include "ops/backup_internal.h"
#include "storage/backup_store.h"
#include "storage/index.h"

/* ---- the overrides' shapes (loop thread) ------------------------------------------ */

static int check_index_list(ddb_req_t *r, const char *member)
{
    const json_t *list;
    if (req_array(r, member, false, &list))
        return -1;
    size_t i;
    const json_t *ix;
    json_array_foreach(list, i, ix)
    {
        if (!json_is_object(ix) || !json_is_string(json_object_get(ix, "IndexName")) ||
            !json_is_array(json_object_get(ix, "KeySchema")) || !json_is_object(json_object_get(ix, "Projection")))
            return err_set(&r->err, ERR_VALIDATION,
                           "One or more parameter values were invalid: %s must have IndexName, KeySchema and "
                           "Projection",
                           member);
        /* name and projection; the keys must be the source's (checked at the restore) */
        if (ops_check_index_definition(r, ix, false, NULL, NULL))
            return -1;
    }
    return 0;
}

static void check_throughput(ddb_req_t *r, const json_t *pt, const char *field)
{
    static const char *const members[] = {"ReadCapacityUnits", "WriteCapacityUnits"};
    static const char *const fields[] = {"readCapacityUnits", "writeCapacityUnits"};
    for (int i = 0; i < 2; i++) {
        const json_t *v = json_object_get(pt, members[i]);
        const char *path = arena_printf(&r->arena, "%s.%s", field, fields[i]);
        if (!v)
            req_constraint(r, "null", path, "Member must not be null");
        else if (!json_is_integer(v))
            err_set(&r->err, ERR_SERIALIZATION, "Unexpected value type in payload");
        else
            req_check_range(r, json_integer_value(v), path, 1, INT64_MAX);
    }
}

int ops_restore_check_overrides(ddb_req_t *r)
{
    static const char *const modes[] = {"PROVISIONED", "PAY_PER_REQUEST", NULL};
    int mode;
    const json_t *pt, *sse, *od;
    if (req_enum(r, "BillingModeOverride", modes, &mode, -1) ||
        req_object(r, "ProvisionedThroughputOverride", false, &pt) ||
        req_object(r, "SSESpecificationOverride", false, &sse) ||
        req_object(r, "OnDemandThroughputOverride", false, &od))
        return -1;
    if (pt)
        check_throughput(r, pt, "provisionedThroughputOverride");
    if (req_constraints_done(r))
        return -1;
    return check_index_list(r, "GlobalSecondaryIndexOverride") || check_index_list(r, "LocalSecondaryIndexOverride");
}

/* ---- the new table's description (writer thread) ------------------------------- */

/* Members of a table's description a restore does not carry: settings
 * to set up again by hand, and ddbd's own state of the source. */
static void strip_source_state(json_t *desc)
{
    static const char *const gone[] = {
        "StreamSpecification",  "LatestStreamArn",   "LatestStreamLabel",
        "TimeToLiveAttribute",  "TimeToLiveChanged", "Tags",
        "RestoreSummary",       "TableClassUpdated", "LastIncreaseDateTime",
        "LastDecreaseDateTime", "ResourcePolicy",
    };
    for (size_t i = 0; i < sizeof gone / sizeof *gone; i++)
        json_object_del(desc, gone[i]);
    const char *k;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(desc, tmp, k, v)
    {
        if (strncmp(k, "ddbd_", 5) == 0 && strcmp(k, "ddbd_next_index") != 0)
            json_object_del(desc, k);
    }
    json_object_set_new(desc, "DeletionProtectionEnabled", json_false());
    json_object_set_new(desc, "NumberOfDecreasesToday", json_integer(0));
    /* indexes being deleted are gone; one being built is built by the restore */
    json_t *gsis = json_object_get(desc, "GlobalSecondaryIndexes");
    for (size_t i = json_array_size(gsis); i-- > 0;) {
        json_t *g = json_array_get(gsis, i);
        const char *st = json_string_value(json_object_get(g, "ddbd_status"));
        if (st && strcmp(st, "DELETING") == 0)
            json_array_remove(gsis, i);
        else
            json_object_del(g, "ddbd_status"), json_object_del(g, "ddbd_backfill");
    }
}

static bool same_key_schema(const json_t *a, const json_t *b)
{
    if (json_array_size(a) != json_array_size(b))
        return false;
    for (size_t i = 0; i < json_array_size(a); i++) {
        const json_t *x = json_array_get(a, i), *y = json_array_get(b, i);
        if (!json_equal(json_object_get(x, "AttributeName"), json_object_get(y, "AttributeName")) ||
            !json_equal(json_object_get(x, "KeyType"), json_object_get(y, "KeyType")))
            return false;
    }
    return true;
}

/* The index list member of desc replaced by the override's: each entry
 * must name an index of the source with the same key schema. */
static int apply_index_override(ddb_req_t *r, json_t *desc, const char *member, const char *override)
{
    const json_t *given = req_member(r, override);
    if (!given)
        return 0;
    json_t *src = json_object_get(desc, member), *list = json_array();
    size_t i;
    const json_t *ix;
    json_array_foreach(given, i, ix)
    {
        const char *name = json_string_value(json_object_get(ix, "IndexName"));
        json_t *orig = ops_find_by(src, "IndexName", name);
        if (!orig || !same_key_schema(json_object_get(orig, "KeySchema"), json_object_get(ix, "KeySchema"))) {
            json_decref(list);
            return err_set(&r->err, ERR_VALIDATION,
                           "One or more parameter values were invalid: %s contains an index that does not match "
                           "the source table's indexes: %s",
                           override, name);
        }
        json_t *n = json_deep_copy(orig);
        json_object_set(n, "Projection", json_object_get(ix, "Projection"));
        const json_t *pt = json_object_get(ix, "ProvisionedThroughput");
        if (pt)
            json_object_set_new(n, "ProvisionedThroughput", json_deep_copy(pt));
        json_array_append_new(list, n);
    }
    if (json_array_size(list))
        json_object_set_new(desc, member, list);
    else
        json_object_del(desc, member), json_decref(list);
    return 0;
}

/* Billing mode and throughput, for the table and each GSI. */
static int apply_billing(ddb_req_t *r, json_t *desc, double now)
{
    const char *src_mode = json_string_value(json_object_get(desc, "BillingMode"));
    const char *mode = json_string_value(req_member(r, "BillingModeOverride"));
    if (!mode)
        mode = src_mode ? src_mode : "PROVISIONED";
    bool ppr = strcmp(mode, "PAY_PER_REQUEST") == 0;
    const json_t *pt = req_member(r, "ProvisionedThroughputOverride");
    if (ppr && pt)
        return err_set(&r->err, ERR_VALIDATION,
                       "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits "
                       "can be specified when BillingMode is PAY_PER_REQUEST");
    if (!ppr && !pt && !json_object_get(desc, "ReadCapacityUnits"))
        return err_set(&r->err, ERR_VALIDATION,
                       "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must "
                       "both be specified when BillingMode is PROVISIONED");
    json_object_set_new(desc, "BillingMode", json_string(mode));
    json_object_set_new(desc, "BillingModeGiven", json_true());
    if (ppr) {
        json_object_del(desc, "ReadCapacityUnits");
        json_object_del(desc, "WriteCapacityUnits");
        json_object_set_new(desc, "LastUpdateToPayPerRequestDateTime", json_real(now));
    } else {
        json_object_del(desc, "LastUpdateToPayPerRequestDateTime");
        if (pt) {
            json_object_set(desc, "ReadCapacityUnits", json_object_get(pt, "ReadCapacityUnits"));
            json_object_set(desc, "WriteCapacityUnits", json_object_get(pt, "WriteCapacityUnits"));
        }
    }
    size_t i;
    json_t *g;
    json_array_foreach(json_object_get(desc, "GlobalSecondaryIndexes"), i, g)
    {
        const char *name = json_string_value(json_object_get(g, "IndexName"));
        bool has = json_object_get(g, "ProvisionedThroughput") != NULL;
        const json_t *given = ops_find_by(req_member(r, "GlobalSecondaryIndexOverride"), "IndexName", name);
        if (ppr && json_object_get(given, "ProvisionedThroughput"))
            return err_set(&r->err, ERR_VALIDATION,
                           "One or more parameter values were invalid: ProvisionedThroughput should not be "
                           "specified for index: %s when BillingMode is PAY_PER_REQUEST",
                           name);
        if (ppr)
            json_object_del(g, "ProvisionedThroughput");
        else if (!has)
            return err_set(&r->err, ERR_VALIDATION,
                           "One or more parameter values were invalid: ProvisionedThroughput must be specified for "
                           "index: %s",
                           name);
    }
    return 0;
}

static void keep_used(json_t *used, const json_t *ks)
{
    size_t i;
    const json_t *k;
    json_array_foreach(ks, i, k)
    {
        const char *n = json_string_value(json_object_get(k, "AttributeName"));
        bool seen = false;
        for (size_t j = 0; j < json_array_size(used); j++)
            seen = seen || strcmp(json_string_value(json_array_get(used, j)), n) == 0;
        if (!seen)
            json_array_append_new(used, json_string(n));
    }
}

/* Attribute definitions that no key of the table or of a remaining index
 * uses are dropped (as CreateTable would refuse them). */
static void prune_definitions(json_t *desc)
{
    json_t *used = json_array();
    keep_used(used, json_object_get(desc, "KeySchema"));
    static const char *const lists[] = {"LocalSecondaryIndexes", "GlobalSecondaryIndexes"};
    for (int l = 0; l < 2; l++) {
        size_t i;
        json_t *ix;
        json_array_foreach(json_object_get(desc, lists[l]), i, ix) keep_used(used, json_object_get(ix, "KeySchema"));
    }
    json_t *defs = json_object_get(desc, "AttributeDefinitions");
    for (size_t i = json_array_size(defs); i-- > 0;) {
        const char *n = json_string_value(json_object_get(json_array_get(defs, i), "AttributeName"));
        bool keep = false;
        for (size_t j = 0; j < json_array_size(used); j++)
            keep = keep || (n && strcmp(json_string_value(json_array_get(used, j)), n) == 0);
        if (!keep)
            json_array_remove(defs, i);
    }
    json_decref(used);
}

static json_t *restore_desc(ddb_req_t *r, const json_t *src_desc, str_t target)
{
    json_t *desc = json_deep_copy(src_desc);
    double now = clock_now_epoch();
    strip_source_state(desc);
    if (apply_index_override(r, desc, "GlobalSecondaryIndexes", "GlobalSecondaryIndexOverride") ||
        apply_index_override(r, desc, "LocalSecondaryIndexes", "LocalSecondaryIndexOverride") ||
        apply_billing(r, desc, now)) {
        json_decref(desc);
        return NULL;
    }
    prune_definitions(desc);
    const json_t *sse = req_member(r, "SSESpecificationOverride");
    if (sse)
        json_object_set(desc, "SSESpecification", (json_t *)sse);
    const json_t *od = req_member(r, "OnDemandThroughputOverride");
    if (od)
        json_object_set(desc, "OnDemandThroughput", (json_t *)od);
    json_object_set_new(desc, "TableName", json_stringn(target.ptr, target.len));
    char uuid[RAND_UUID_LEN + 1];
    rand_uuid(uuid);
    json_object_set_new(desc, "TableId", json_string(uuid));
    json_object_set_new(desc, "CreationDateTime", json_real(now));
    if (!json_object_get(desc, "ddbd_next_index"))
        index_number_new(desc);
    return desc;
}

int ops_restore_create(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache, const json_t *src_desc, json_t *summary,
                       json_t *job)
{
    str_t target;
    req_string(r, "TargetTableName", true, &target);
    const table_t *existing;
    int rc = catalog_lookup(cache, txn, r->ns, target, &existing);
    if (!rc && existing)
        rc = existing->restoring
                 ? err_set(&r->err, ERR_TABLE_IN_USE, "Table is being created: %.*s", STR_FMT(target))
                 : err_set(&r->err, ERR_TABLE_ALREADY_EXISTS, "Table already exists: %.*s", STR_FMT(target));
    json_t *desc = rc ? NULL : restore_desc(r, src_desc, target);
    uint32_t id = 0;
    if (!rc && !desc)
        rc = -1;
    if (!rc)
        rc = catalog_next_table_id(txn, &id);
    if (rc) {
        json_decref(desc);
        json_decref(summary);
        json_decref(job);
        return rc;
    }
    json_object_set_new(desc, "ddbd_id", json_integer(id));
    json_object_set_new(desc, "RestoreSummary", summary);
    json_object_set_new(desc, "ddbd_restore", json_true());
    table_t *t = table_from_json(r->ns, desc);
    rc = catalog_put(txn, t);
    json_object_set_new(job, "pos", json_pack("{s:i,s:s}", "phase", 0, "at", ""));
    if (!rc)
        rc = backup_job_put(txn, BACKUP_JOB_RESTORE, r->ns, target, job);
    json_decref(job);
    if (!rc) {
        buf_putc(&r->out, '{');
        rc = ops_table_description(r, &r->out, txn, t, "TableDescription", "CREATING");
        buf_putc(&r->out, '}');
    }
    table_free(t);
    if (!rc)
        backup_jobs_notify();
    return rc;
}
