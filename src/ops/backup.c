/* ops/backup.c - CreateBackup, DescribeBackup, ListBackups, DeleteBackup,
 * RestoreTableFromBackup.
 *
 * A backup is taken as of its CreateBackup's commit: the request records
 * the backup (CREATING) and pins the table's history at that commit
 * (storage/history.h), and jobs/backup_jobs.c copies the table as it was
 * then into the backup's own items, in chunks, while the table goes on
 * changing; then the backup is AVAILABLE. Records and items live in the
 * LMDB environment (storage/backup_store.h), so backups survive restarts
 * and outlive their tables. The ARN is AWS's:
 * arn:aws:dynamodb:<region>:<account>:table/<table>/backup/<ms>-<8 hex>. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "jobs/backup_jobs.h"
#include "ops/backup_internal.h"
#include "storage/backup_store.h"
#include "storage/history.h"

/* ---- records -------------------------------------------------------------------- */

/* The record that arn names in r's namespace (a new reference), or
 * BackupNotFoundException. */
static int find_backup(ddb_req_t *r, store_txn_t *txn, str_t arn, json_t **out)
{
    str_t id = backup_id_of_arn(arn);
    *out = NULL;
    int rc = id.len ? backup_get(txn, r->ns, id, out) : 0;
    if (rc)
        return rc;
    if (*out && !str_eq_cstr(arn, json_string_value(json_object_get(*out, "arn")))) {
        json_decref(*out); /* the id of another table's or region's backup */
        *out = NULL;
    }
    if (!*out)
        return err_set(&r->err, ERR_BACKUP_NOT_FOUND, "Backup not found: %.*s", STR_FMT(arn));
    return 0;
}

/* ---- shapes ------------------------------------------------------------------------ */

static void write_number_member(buf_t *b, const char *key, const json_t *v)
{
    jw_key(b, key);
    if (json_is_integer(v))
        jw_int(b, json_integer_value(v));
    else
        jw_double(b, json_number_value(v));
}

static void write_json(buf_t *b, const char *key, const json_t *v)
{
    char *s = xjson_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
    jw_key(b, key);
    buf_puts(b, s);
    free(s);
}

/* BackupDetails' members (status: the record's, or DELETED). */
static void write_details(buf_t *b, const json_t *rec, const char *status)
{
    jw_key(b, "BackupArn");
    jw_cstr(b, json_string_value(json_object_get(rec, "arn")));
    jw_key(b, "BackupName");
    jw_cstr(b, json_string_value(json_object_get(rec, "name")));
    write_number_member(b, "BackupSizeBytes", json_object_get(rec, "size"));
    jw_key(b, "BackupStatus");
    jw_cstr(b, status ? status : json_string_value(json_object_get(rec, "status")));
    jw_key(b, "BackupType");
    jw_cstr(b, json_string_value(json_object_get(rec, "type")));
    write_number_member(b, "BackupCreationDateTime", json_object_get(rec, "created"));
    if (json_object_get(rec, "expiry"))
        write_number_member(b, "BackupExpiryDateTime", json_object_get(rec, "expiry"));
}

static void write_throughput(buf_t *b, const json_t *src)
{
    jw_key(b, "ProvisionedThroughput");
    jw_open(b, '{');
    jw_key(b, "ReadCapacityUnits");
    jw_int(b, json_integer_value(json_object_get(src, "ReadCapacityUnits")));
    jw_key(b, "WriteCapacityUnits");
    jw_int(b, json_integer_value(json_object_get(src, "WriteCapacityUnits")));
    jw_close(b, '}');
}

static void write_source(buf_t *b, const json_t *rec)
{
    const json_t *t = json_object_get(rec, "table"), *desc = json_object_get(rec, "desc");
    jw_key(b, "SourceTableDetails");
    jw_open(b, '{');
    jw_key(b, "TableName");
    jw_cstr(b, json_string_value(json_object_get(t, "name")));
    jw_key(b, "TableId");
    jw_cstr(b, json_string_value(json_object_get(t, "id")));
    jw_key(b, "TableArn");
    jw_cstr(b, json_string_value(json_object_get(t, "arn")));
    write_number_member(b, "TableSizeBytes", json_object_get(t, "size"));
    write_json(b, "KeySchema", json_object_get(desc, "KeySchema"));
    write_number_member(b, "TableCreationDateTime", json_object_get(t, "created"));
    write_throughput(b, desc);
    if (json_object_get(desc, "OnDemandThroughput"))
        write_json(b, "OnDemandThroughput", json_object_get(desc, "OnDemandThroughput"));
    write_number_member(b, "ItemCount", json_object_get(t, "items"));
    jw_key(b, "BillingMode");
    jw_cstr(b, json_string_value(json_object_get(desc, "BillingMode")));
    jw_close(b, '}');
}

static void write_index_infos(buf_t *b, const json_t *desc, const char *member, bool global)
{
    const json_t *list = json_object_get(desc, member);
    if (!json_array_size(list))
        return;
    jw_key(b, member);
    jw_open(b, '[');
    size_t i;
    const json_t *ix;
    json_array_foreach(list, i, ix)
    {
        const char *st = json_string_value(json_object_get(ix, "ddbd_status"));
        if (st && strcmp(st, "DELETING") == 0)
            continue;
        jw_open(b, '{');
        jw_key(b, "IndexName");
        jw_cstr(b, json_string_value(json_object_get(ix, "IndexName")));
        write_json(b, "KeySchema", json_object_get(ix, "KeySchema"));
        write_json(b, "Projection", json_object_get(ix, "Projection"));
        if (global)
            write_throughput(b, json_object_get(ix, "ProvisionedThroughput"));
        jw_close(b, '}');
    }
    jw_close(b, ']');
}

/* SourceTableFeatureDetails: indexes, stream and TTL as they were. */
static void write_features(buf_t *b, const json_t *rec)
{
    const json_t *desc = json_object_get(rec, "desc");
    jw_key(b, "SourceTableFeatureDetails");
    jw_open(b, '{');
    write_index_infos(b, desc, "LocalSecondaryIndexes", false);
    write_index_infos(b, desc, "GlobalSecondaryIndexes", true);
    const json_t *spec = json_object_get(desc, "StreamSpecification");
    if (json_is_true(json_object_get(spec, "StreamEnabled")))
        write_json(b, "StreamDescription", spec);
    const char *ttl = json_string_value(json_object_get(desc, "TimeToLiveAttribute"));
    if (ttl) {
        jw_key(b, "TimeToLiveDescription");
        jw_open(b, '{');
        jw_key(b, "TimeToLiveStatus");
        jw_cstr(b, "ENABLED");
        jw_key(b, "AttributeName");
        jw_cstr(b, ttl);
        jw_close(b, '}');
    }
    jw_close(b, '}');
}

static void write_description(buf_t *b, const json_t *rec, const char *status)
{
    jw_key(b, "BackupDescription");
    jw_open(b, '{');
    jw_key(b, "BackupDetails");
    jw_open(b, '{');
    write_details(b, rec, status);
    jw_close(b, '}');
    write_source(b, rec);
    write_features(b, rec);
    jw_close(b, '}');
}

/* ---- CreateBackup ------------------------------------------------------------------ */

typedef struct create_plan {
    str_t table, name;
} create_plan_t;

static int create_apply(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache)
{
    const create_plan_t *p = r->plan;
    const table_t *t;
    int rc = catalog_lookup(cache, txn, r->ns, p->table, &t);
    if (rc)
        return rc;
    if (!t)
        return err_set(&r->err, ERR_TABLE_NOT_FOUND, "Table not found: %.*s", STR_FMT(p->table));
    if (t->restoring)
        return err_set(&r->err, ERR_TABLE_IN_USE, "Table is being created: %.*s", STR_FMT(p->table));
    json_t *rec;
    if ((rc = ops_backup_start(r, txn, t, arena_cstr(&r->arena, p->name), false, &rec)) != 0)
        return rc;
    buf_puts(&r->out, "{\"BackupDetails\":{");
    write_details(&r->out, rec, NULL);
    buf_puts(&r->out, "}}");
    json_decref(rec);
    return 0;
}

/* CreateBackup(TableName, BackupName) */
req_result_t op_create_backup(ddb_req_t *r)
{
    create_plan_t *p = arena_calloc(&r->arena, 1, sizeof *p);
    if (req_table_name(r, &p->table) || ops_name_param(r, "BackupName", "backupName", true, &p->name) ||
        req_constraints_done(r))
        return REQ_FAILED;
    return req_queue(r, create_apply, p, NULL);
}

/* ---- DescribeBackup, DeleteBackup ----------------------------------------------------- */

static int backup_arn_param(ddb_req_t *r, str_t *arn)
{
    if (req_string(r, "BackupArn", true, arn))
        return -1;
    if (arn->ptr)
        req_check_length(r, *arn, "backupArn", 37, 1024);
    return req_constraints_done(r);
}

/* DescribeBackup(BackupArn) */
req_result_t op_describe_backup(ddb_req_t *r)
{
    str_t arn;
    json_t *rec;
    if (backup_arn_param(r, &arn))
        return REQ_FAILED;
    int rc = find_backup(r, r->txn, arn, &rec);
    if (rc)
        return req_result(r, rc);
    buf_putc(&r->out, '{');
    write_description(&r->out, rec, NULL);
    buf_putc(&r->out, '}');
    json_decref(rec);
    return REQ_DONE;
}

static int delete_apply(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache)
{
    (void)cache;
    str_t arn;
    json_t *rec;
    req_string(r, "BackupArn", true, &arn);
    int rc = find_backup(r, txn, arn, &rec);
    if (rc)
        return rc;
    const char *status = json_string_value(json_object_get(rec, "status"));
    if (strcmp(status, "CREATING") == 0 || json_integer_value(json_object_get(rec, "restores")) > 0)
        rc = err_set(&r->err, ERR_BACKUP_IN_USE, "Backup is in use: %.*s", STR_FMT(arn));
    if (!rc)
        rc = backup_delete(txn, r->ns, backup_id_of_arn(arn));
    if (!rc) {
        buf_putc(&r->out, '{');
        write_description(&r->out, rec, "DELETED");
        buf_putc(&r->out, '}');
    }
    json_decref(rec);
    return rc;
}

/* DeleteBackup(BackupArn) */
req_result_t op_delete_backup(ddb_req_t *r)
{
    str_t arn;
    if (backup_arn_param(r, &arn))
        return REQ_FAILED;
    return req_queue(r, delete_apply, NULL, NULL);
}

/* ---- ListBackups ---------------------------------------------------------------------- */

typedef struct list_state {
    ddb_req_t *r;
    str_t table; /* filter (empty: all) */
    int type; /* USER, SYSTEM, AWS_BACKUP, ALL */
    int64_t lower_ms, upper_ms;
    int64_t limit, n;
    const char *last_arn;
    bool more;
} list_state_t;

static const char *const backup_types[] = {"USER", "SYSTEM", "AWS_BACKUP", "ALL", NULL};

#define LIST_PAGE_BYTES (1024 * 1024)

static int list_one(void *ud, str_t id, json_t *rec)
{
    (void)id;
    list_state_t *s = ud;
    const json_t *t = json_object_get(rec, "table");
    double created_ms = json_number_value(json_object_get(rec, "created")) * 1000.0;
    const char *type = json_string_value(json_object_get(rec, "type"));
    if ((s->table.len && !str_eq_cstr(s->table, json_string_value(json_object_get(t, "name")))) ||
        (s->type != 3 && strcmp(type, backup_types[s->type]) != 0) || created_ms < (double)s->lower_ms ||
        created_ms >= (double)s->upper_ms)
        return 0;
    if (s->n == s->limit || s->r->out.len > LIST_PAGE_BYTES) {
        s->more = true;
        return 1;
    }
    buf_t *b = &s->r->out;
    jw_open(b, '{');
    jw_key(b, "TableName");
    jw_cstr(b, json_string_value(json_object_get(t, "name")));
    jw_key(b, "TableId");
    jw_cstr(b, json_string_value(json_object_get(t, "id")));
    jw_key(b, "TableArn");
    jw_cstr(b, json_string_value(json_object_get(t, "arn")));
    write_details(b, rec, NULL);
    jw_close(b, '}');
    s->last_arn = arena_printf(&s->r->arena, "%s", json_string_value(json_object_get(rec, "arn")));
    s->n++;
    return 0;
}

/* ListBackups' TableName: a name or, as the API reference allows, an ARN. */
static int list_table_param(ddb_req_t *r, str_t *out)
{
    const json_t *v = req_member(r, "TableName");
    if (!json_is_string(v) || strncmp(json_string_value(v), "arn:", 4) != 0)
        return ops_name_param(r, "TableName", "tableName", false, out);
    const char *bad = req_table_ref(str_from_cstr(json_string_value(v)), true, out);
    return bad ? err_set(&r->err, ERR_VALIDATION, "%s", bad) : 0;
}

/* ListBackups(TableName?, Limit?, TimeRangeLowerBound?, TimeRangeUpperBound?,
 *             ExclusiveStartBackupArn?, BackupType?) */
req_result_t op_list_backups(ddb_req_t *r)
{
    list_state_t s = {.r = r, .lower_ms = INT64_MIN, .upper_ms = INT64_MAX, .limit = INT64_MAX};
    str_t start;
    int64_t limit;
    bool has_limit, has_lower, has_upper;
    if (list_table_param(r, &s.table) || req_int(r, "Limit", &limit, &has_limit) ||
        req_string(r, "ExclusiveStartBackupArn", false, &start) ||
        req_enum(r, "BackupType", backup_types, &s.type, 0) ||
        ops_timestamp_param(r, "TimeRangeLowerBound", &s.lower_ms, &has_lower) ||
        ops_timestamp_param(r, "TimeRangeUpperBound", &s.upper_ms, &has_upper))
        return REQ_FAILED;
    if (has_limit) {
        req_check_range(r, limit, "limit", 1, 100);
        s.limit = limit;
    }
    if (start.ptr)
        req_check_length(r, start, "exclusiveStartBackupArn", 37, 1024);
    if (req_constraints_done(r))
        return REQ_FAILED;
    if (!has_lower)
        s.lower_ms = INT64_MIN;
    if (!has_upper)
        s.upper_ms = INT64_MAX;
    if (!s.table.ptr)
        s.table = STR_NULL;
    if (has_lower && has_upper && s.lower_ms > s.upper_ms)
        return req_fail(r, ERR_VALIDATION, "TimeRangeLowerBound must be less than or equal to TimeRangeUpperBound");
    buf_puts(&r->out, "{\"BackupSummaries\":[");
    int rc = backup_each(r->txn, r->ns, start.ptr ? backup_id_of_arn(start) : STR_NULL, list_one, &s);
    buf_putc(&r->out, ']');
    if (s.more && s.last_arn) {
        jw_key(&r->out, "LastEvaluatedBackupArn");
        jw_cstr(&r->out, s.last_arn);
    }
    buf_putc(&r->out, '}');
    return req_result(r, rc);
}

/* ---- RestoreTableFromBackup ---------------------------------------------------------- */

static int restore_apply(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache)
{
    str_t arn;
    json_t *rec;
    req_string(r, "BackupArn", true, &arn);
    int rc = find_backup(r, txn, arn, &rec);
    if (rc)
        return rc;
    if (strcmp(json_string_value(json_object_get(rec, "status")), "AVAILABLE") != 0) {
        json_decref(rec);
        return err_set(&r->err, ERR_BACKUP_IN_USE, "Backup is being created: %.*s", STR_FMT(arn));
    }
    str_t id = backup_id_of_arn(arn);
    json_t *summary = json_pack("{s:s%,s:O,s:O}", "SourceBackupArn", arn.ptr, arn.len, "SourceTableArn",
                                json_object_get(json_object_get(rec, "table"), "arn"), "RestoreDateTime",
                                json_object_get(rec, "created"));
    json_t *job =
        json_pack("{s:{s:s,s:O,s:i,s:i,s:b},s:s%,s:i,s:i}", "src", "from", "backup", "id", json_object_get(rec, "data"),
                  "seq", 0, "time", 0, "drop", 0, "backup", id.ptr, id.len, "copied", 0, "bytes", 0);
    rc = ops_restore_create(r, txn, cache, json_object_get(rec, "desc"), summary, job);
    if (!rc) {
        json_object_set_new(rec, "restores", json_integer(json_integer_value(json_object_get(rec, "restores")) + 1));
        rc = backup_put(txn, r->ns, id, rec);
    }
    json_decref(rec);
    return rc;
}

/* RestoreTableFromBackup(TargetTableName, BackupArn, BillingModeOverride?,
 *   GlobalSecondaryIndexOverride?, LocalSecondaryIndexOverride?,
 *   ProvisionedThroughputOverride?, OnDemandThroughputOverride?,
 *   SSESpecificationOverride?) */
req_result_t op_restore_table_from_backup(ddb_req_t *r)
{
    str_t target, arn;
    if (ops_name_param(r, "TargetTableName", "targetTableName", true, &target) ||
        req_string(r, "BackupArn", true, &arn))
        return REQ_FAILED;
    if (arn.ptr)
        req_check_length(r, arn, "backupArn", 37, 1024);
    if (req_constraints_done(r) || ops_restore_check_overrides(r))
        return REQ_FAILED;
    return req_queue(r, restore_apply, NULL, NULL);
}
