/* ops/pitr.c - UpdateContinuousBackups, DescribeContinuousBackups,
 * RestoreTableToPointInTime, and what DeleteTable owes backups.
 *
 * Point-in-time recovery is real: while it is on, every write keeps the
 * item's before-image in the history (storage/history.h), trimmed to the
 * recovery window on ddbd's clock (jobs/history_trim.h), so a restore to
 * any millisecond of the window rebuilds exactly the items of that moment.
 * The table's catalog JSON holds the setting: "ddbd_pitr": {"on", "days",
 * "since" (epoch ms the history is complete from)}.
 *
 * Where ddbd differs from AWS, on purpose: LatestRestorableDateTime is now
 * (AWS: typically 5 minutes ago), as nothing here lags; the window and
 * all its times follow ddbd's clock, which tests can move. */
#include <string.h>

#include "base/clock.h"
#include "jobs/history_trim.h"
#include "ops/backup_internal.h"
#include "storage/backup_store.h"
#include "storage/history.h"

#define PITR_DEFAULT_DAYS 35

/* ---- DescribeContinuousBackups, UpdateContinuousBackups -------------------------- */

static void write_continuous(buf_t *b, const table_t *t)
{
    int64_t now = clock_now_ms(), earliest;
    bool on = history_window_start(t->desc, now, &earliest);
    buf_puts(b, "{\"ContinuousBackupsDescription\":{\"ContinuousBackupsStatus\":\"ENABLED\","
                "\"PointInTimeRecoveryDescription\":{");
    jw_key(b, "PointInTimeRecoveryStatus");
    jw_cstr(b, on ? "ENABLED" : "DISABLED");
    if (on) {
        jw_key(b, "RecoveryPeriodInDays");
        jw_int(b, json_integer_value(json_object_get(json_object_get(t->desc, "ddbd_pitr"), "days")));
        jw_key(b, "EarliestRestorableDateTime");
        jw_double(b, (double)earliest / 1000.0);
        jw_key(b, "LatestRestorableDateTime");
        jw_double(b, (double)now / 1000.0);
    }
    buf_puts(b, "}}}");
}

/* The table of TableName (a name or an ARN), or TableNotFoundException. */
static int source_table(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache, str_t name, const table_t **out)
{
    int rc = catalog_lookup(cache, txn, r->ns, name, out);
    if (!rc && (!*out || (*out)->restoring))
        return err_set(&r->err, ERR_TABLE_NOT_FOUND, "Table not found: %.*s", STR_FMT(name));
    return rc;
}

/* DescribeContinuousBackups(TableName) */
req_result_t op_describe_continuous_backups(ddb_req_t *r)
{
    str_t name;
    const table_t *t;
    if (req_table_name(r, &name) || req_constraints_done(r))
        return REQ_FAILED;
    int rc = source_table(r, r->txn, r->env->loop_catalog, name, &t);
    if (!rc)
        write_continuous(&r->out, t);
    return req_result(r, rc);
}

typedef struct update_plan {
    str_t table;
    bool enable;
    int64_t days; /* 0: not given */
} update_plan_t;

static int update_apply(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache)
{
    const update_plan_t *p = r->plan;
    const table_t *t;
    int rc = source_table(r, txn, cache, p->table, &t);
    if (rc)
        return rc;
    int64_t now = clock_now_ms(), start;
    json_t *desc = json_deep_copy(t->desc);
    if (!p->enable) {
        json_object_set_new(desc, "ddbd_pitr", json_pack("{s:b}", "on", 0));
    } else {
        int64_t days = p->days ? p->days : PITR_DEFAULT_DAYS, since = now;
        if (history_window_start(t->desc, now, &start))
            since = start; /* on already: the history is complete from the window's start */
        json_object_set_new(desc, "ddbd_pitr",
                            json_pack("{s:b,s:I,s:I}", "on", 1, "days", (json_int_t)days, "since", (json_int_t)since));
    }
    table_t *nt = table_from_json(r->ns, desc);
    rc = catalog_put(txn, nt);
    if (!rc && p->enable)
        rc = history_register(txn, nt);
    if (!rc)
        write_continuous(&r->out, nt);
    table_free(nt);
    return rc;
}

/* UpdateContinuousBackups(TableName, PointInTimeRecoverySpecification{
 *     PointInTimeRecoveryEnabled, RecoveryPeriodInDays?}) */
req_result_t op_update_continuous_backups(ddb_req_t *r)
{
    update_plan_t *p = arena_calloc(&r->arena, 1, sizeof *p);
    const json_t *spec;
    if (req_table_name(r, &p->table) || req_object(r, "PointInTimeRecoverySpecification", true, &spec))
        return REQ_FAILED;
    const json_t *on = json_object_get(spec, "PointInTimeRecoveryEnabled");
    const json_t *days = json_object_get(spec, "RecoveryPeriodInDays");
    if (spec && (!on || json_is_null(on)))
        req_constraint(r, "null", "pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled",
                       "Member must not be null");
    else if (spec && !json_is_boolean(on))
        return req_fail(r, ERR_SERIALIZATION, "Unexpected value type in payload");
    if (days && !json_is_null(days)) {
        if (!json_is_integer(days))
            return req_fail(r, ERR_SERIALIZATION, "Unexpected value type in payload");
        p->days = json_integer_value(days);
        req_check_range(r, p->days, "pointInTimeRecoverySpecification.recoveryPeriodInDays", 1, 35);
    }
    if (req_constraints_done(r))
        return REQ_FAILED;
    p->enable = json_is_true(on);
    return req_queue(r, update_apply, p, NULL);
}

/* ---- RestoreTableToPointInTime -------------------------------------------------- */

typedef struct restore_plan {
    str_t source; /* a name (from SourceTableName or SourceTableArn) */
    bool latest;
    int64_t at_ms;
} restore_plan_t;

static int restore_apply(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache)
{
    const restore_plan_t *p = r->plan;
    const table_t *t;
    int rc = source_table(r, txn, cache, p->source, &t);
    if (rc)
        return rc;
    int64_t now = clock_now_ms(), earliest;
    if (!history_window_start(t->desc, now, &earliest))
        return err_set(&r->err, ERR_PITR_UNAVAILABLE, "Point in time recovery is not enabled for table '%.*s'",
                       STR_FMT(p->source));
    int64_t at = p->latest ? now : p->at_ms;
    if (at < earliest || at > now)
        return err_set(&r->err, ERR_INVALID_RESTORE_TIME,
                       "Invalid restore time: RestoreDateTime must be between EarliestRestorableDateTime and "
                       "LatestRestorableDateTime");
    uint64_t seq;
    if ((rc = history_last_seq(txn, &seq)) != 0)
        return rc;
    json_t *summary =
        json_pack("{s:s,s:f}", "SourceTableArn", req_table_arn(r, t->name), "RestoreDateTime", (double)at / 1000.0);
    json_t *job = json_pack("{s:{s:s,s:I,s:I,s:I,s:b},s:{s:s,s:I},s:i,s:i}", "src", "from", "table", "id",
                            (json_int_t)t->id, "seq", (json_int_t)seq, "time", (json_int_t)at, "drop", 0, "table",
                            "name", t->name, "ddbd_id", (json_int_t)t->id, "copied", 0, "bytes", 0);
    uint32_t src_id = t->id;
    rc = ops_restore_create(r, txn, cache, t->desc, summary, job);
    if (rc)
        return rc;
    /* the source's description may have moved in the cache: look it up again */
    if ((rc = catalog_lookup(cache, txn, r->ns, p->source, &t)) != 0)
        return rc;
    return t && t->id == src_id ? history_pin(txn, t, +1) : STORE_ERR_IO;
}

/* The source: SourceTableName, or the name in SourceTableArn. */
static int restore_source(ddb_req_t *r, str_t *out)
{
    str_t name, arn;
    if (ops_name_param(r, "SourceTableName", "sourceTableName", false, &name) ||
        req_string(r, "SourceTableArn", false, &arn))
        return -1;
    if (req_constraints_done(r))
        return -1;
    if (name.ptr && arn.ptr)
        return err_set(&r->err, ERR_VALIDATION, "Only one of SourceTableName or SourceTableArn can be specified");
    if (!name.ptr && !arn.ptr)
        return err_set(&r->err, ERR_VALIDATION, "Either SourceTableName or SourceTableArn must be specified");
    if (name.ptr) {
        *out = name;
        return 0;
    }
    const char *bad = req_table_ref(arn, true, out);
    return bad ? err_set(&r->err, ERR_VALIDATION, "%s", bad) : 0;
}

/* RestoreTableToPointInTime(SourceTableArn? | SourceTableName?,
 *   TargetTableName, UseLatestRestorableTime?, RestoreDateTime?,
 *   BillingModeOverride?, GlobalSecondaryIndexOverride?,
 *   LocalSecondaryIndexOverride?, ProvisionedThroughputOverride?,
 *   OnDemandThroughputOverride?, SSESpecificationOverride?) */
req_result_t op_restore_table_to_point_in_time(ddb_req_t *r)
{
    restore_plan_t *p = arena_calloc(&r->arena, 1, sizeof *p);
    str_t target;
    bool has_time;
    if (ops_name_param(r, "TargetTableName", "targetTableName", true, &target) ||
        req_bool(r, "UseLatestRestorableTime", &p->latest) ||
        ops_timestamp_param(r, "RestoreDateTime", &p->at_ms, &has_time) || restore_source(r, &p->source))
        return REQ_FAILED;
    if (p->latest && has_time)
        return req_fail(r, ERR_VALIDATION, "Only one of RestoreDateTime or UseLatestRestorableTime can be specified");
    if (!p->latest && !has_time)
        return req_fail(r, ERR_VALIDATION, "Either RestoreDateTime or UseLatestRestorableTime must be specified");
    if (ops_restore_check_overrides(r))
        return REQ_FAILED;
    return req_queue(r, restore_apply, p, NULL);
}
