/* ops/export.c - ExportTableToPointInTime, DescribeExport, ListExports.
 *
 * An export reads the table as it was at ExportTime (a full export) or
 * its changes between ExportFromTime and ExportToTime (an incremental
 * one) from the point-in-time recovery history, so, as on AWS, the table
 * must have recovery on and the times must lie in its window. The request
 * records the export (IN_PROGRESS) and its job, and pins the table's
 * history; jobs/export_jobs.c writes the files into the --s3-dir in AWS's
 * layout, then the export is COMPLETED (or FAILED). While it runs, the
 * table cannot be deleted (ResourceInUseException), as for a backup.
 *
 * The record (BACKUP_REC_EXPORT): {"arn", "status", "start", "end",
 * "table": {"name", "arn", "id"}, "token", "request" (the request without
 * its token), "bucket", "owner", "prefix", "sse", "kms", "format", "type",
 * "export_time" (full) or "from", "to", "view" (incremental), and when done
 * "items", "billed", "manifest", or "failure_code", "failure_message"}.
 *
 * Where sources were silent (the messages of our own checks, see each),
 * ddbd chose. FilterSpecification (the newest SDK's filtered exports) is
 * refused: ddbd does not filter exports. */
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "jobs/backup_jobs.h"
#include "jobs/history_trim.h"
#include "ops/backup_internal.h"
#include "ops/transfer_internal.h"
#include "storage/backup_store.h"
#include "storage/history.h"
#include "storage/s3dir.h"

#define MIN_PERIOD_MS (15 * 60 * 1000LL)
#define MAX_PERIOD_MS (24 * 3600 * 1000LL)

/* ---- ExportDescription ---------------------------------------------------------------- */

static void write_description(buf_t *b, const json_t *rec)
{
    const json_t *t = json_object_get(rec, "table");
    bool incremental = strcmp(json_string_value(json_object_get(rec, "type")), "INCREMENTAL_EXPORT") == 0;
    jw_open(b, '{');
    ops_jw_str_of(b, "ExportArn", rec, "arn");
    ops_jw_str_of(b, "ExportStatus", rec, "status");
    ops_jw_num_of(b, "StartTime", rec, "start");
    ops_jw_num_of(b, "EndTime", rec, "end");
    ops_jw_str_of(b, "ExportManifest", rec, "manifest");
    ops_jw_str_of(b, "TableArn", t, "arn");
    ops_jw_str_of(b, "TableId", t, "id");
    ops_jw_num_of(b, "ExportTime", rec, "export_time");
    ops_jw_str_of(b, "ClientToken", rec, "token");
    ops_jw_str_of(b, "S3Bucket", rec, "bucket");
    ops_jw_str_of(b, "S3BucketOwner", rec, "owner");
    ops_jw_str_of(b, "S3Prefix", rec, "prefix");
    ops_jw_str_of(b, "S3SseAlgorithm", rec, "sse");
    ops_jw_str_of(b, "S3SseKmsKeyId", rec, "kms");
    ops_jw_str_of(b, "FailureCode", rec, "failure_code");
    ops_jw_str_of(b, "FailureMessage", rec, "failure_message");
    ops_jw_str_of(b, "ExportFormat", rec, "format");
    ops_jw_num_of(b, "BilledSizeBytes", rec, "billed");
    ops_jw_num_of(b, "ItemCount", rec, "items");
    ops_jw_str_of(b, "ExportType", rec, "type");
    if (incremental) {
        jw_key(b, "IncrementalExportSpecification");
        jw_open(b, '{');
        ops_jw_num_of(b, "ExportFromTime", rec, "from");
        ops_jw_num_of(b, "ExportToTime", rec, "to");
        ops_jw_str_of(b, "ExportViewType", rec, "view");
        jw_close(b, '}');
    }
    jw_close(b, '}');
}

static void write_summary(buf_t *b, const json_t *rec);

static const transfer_kind_t export_kind = {
    .rec = BACKUP_REC_EXPORT,
    .what = "export",
    .arn_member = "ExportArn",
    .description = "ExportDescription",
    .describe = write_description,
    .list_member = "ExportSummaries",
    .summarize = write_summary,
    .not_found = ERR_EXPORT_NOT_FOUND,
    .not_found_text = {"Export not found: ", ""},
    .conflict = ERR_EXPORT_CONFLICT,
    .conflict_text = {"There was a conflict when writing to the specified S3 bucket: ClientToken ",
                      " was used with other parameters"},
};

/* ---- ExportTableToPointInTime ------------------------------------------------------------ */

typedef struct export_plan {
    str_t table, token;
    bool incremental, has_time, has_from, has_to;
    int64_t time_ms, from_ms, to_ms;
    json_t *request;
} export_plan_t;

static void export_release(void *plan) { json_decref(((export_plan_t *)plan)->request); }

static const char *param(ddb_req_t *r, const char *member)
{
    return json_string_value(json_object_get(r->body, member));
}

/* The pin and the window of the export, checked against the table's
 * recovery window; the job's "src" (and "to") go into job. */
static int export_times(ddb_req_t *r, const export_plan_t *p, const table_t *t, json_t *rec, json_t *job)
{
    int64_t now = clock_now_ms(), earliest;
    if (!history_window_start(t->desc, now, &earliest))
        return err_set(&r->err, ERR_PITR_UNAVAILABLE, "Point in time recovery is not enabled for table '%s'", t->name);
    if (!p->incremental) {
        int64_t at = p->has_time ? p->time_ms : now;
        if (at < earliest || at > now)
            return err_set(&r->err, ERR_INVALID_EXPORT_TIME,
                           "Invalid export time: ExportTime must be between EarliestRestorableDateTime and "
                           "LatestRestorableDateTime");
        json_object_set_new(rec, "export_time", json_real((double)at / 1000.0));
        json_object_set_new(job, "src",
                            json_pack("{s:s,s:I,s:I,s:I}", "from", "table", "id", (json_int_t)t->id, "seq",
                                      (json_int_t)0, "time", (json_int_t)at));
        return 0;
    }
    int64_t to = p->has_to ? p->to_ms : now;
    if (p->from_ms < earliest || to > now)
        return err_set(&r->err, ERR_INVALID_EXPORT_TIME,
                       "Invalid export time: ExportFromTime and ExportToTime must be between "
                       "EarliestRestorableDateTime and LatestRestorableDateTime");
    if (to - p->from_ms < MIN_PERIOD_MS || to - p->from_ms > MAX_PERIOD_MS)
        return err_set(&r->err, ERR_VALIDATION,
                       "The incremental export period (ExportToTime - ExportFromTime) must be at least 15 minutes "
                       "and at most 24 hours");
    json_object_set_new(rec, "from", json_real((double)p->from_ms / 1000.0));
    json_object_set_new(rec, "to", json_real((double)to / 1000.0));
    /* the window [from, to): a change at from is in it, one at to is not */
    json_object_set_new(job, "src",
                        json_pack("{s:s,s:I,s:I,s:I}", "from", "table", "id", (json_int_t)t->id, "seq",
                                  (json_int_t)INT64_MAX, "time", (json_int_t)(p->from_ms - 1)));
    json_object_set_new(job, "to", json_pack("{s:I}", "time", (json_int_t)(to - 1)));
    return 0;
}

static json_t *new_record(ddb_req_t *r, const export_plan_t *p, const table_t *t, const char *id)
{
    const char *owner = param(r, "S3BucketOwner");
    const json_t *spec = json_object_get(r->body, "IncrementalExportSpecification");
    const char *view = json_string_value(json_object_get(spec, "ExportViewType"));
    const char *format = param(r, "ExportFormat");
    json_t *rec = json_pack(
        "{s:s,s:s,s:f,s:{s:s,s:s,s:s},s:O,s:s,s:s,s:s,s:s}", "arn",
        arena_printf(&r->arena, "%s/export/%s", req_table_arn(r, t->name), id), "status", "IN_PROGRESS", "start",
        clock_now_epoch(), "table", "name", t->name, "arn", req_table_arn(r, t->name), "id", t->table_uuid, "request",
        p->request, "bucket", param(r, "S3Bucket"), "owner", owner ? owner : r->account, "format",
        format ? format : "DYNAMODB_JSON", "type", p->incremental ? "INCREMENTAL_EXPORT" : "FULL_EXPORT");
    if (p->token.ptr)
        json_object_set_new(rec, "token", json_stringn(p->token.ptr, p->token.len));
    static const char *const opt[][2] = {{"S3Prefix", "prefix"}, {"S3SseAlgorithm", "sse"}, {"S3SseKmsKeyId", "kms"}};
    for (size_t i = 0; i < 3; i++)
        if (param(r, opt[i][0]))
            json_object_set_new(rec, opt[i][1], json_string(param(r, opt[i][0])));
    if (p->incremental)
        json_object_set_new(rec, "view", json_string(view ? view : "NEW_AND_OLD_IMAGES"));
    return rec;
}

static int export_apply(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache)
{
    const export_plan_t *p = r->plan;
    bool repeated;
    int rc = ops_transfer_repeat(r, txn, &export_kind, p->token, p->request, &repeated);
    if (rc || repeated)
        return rc;
    const table_t *t;
    if ((rc = catalog_lookup(cache, txn, r->ns, p->table, &t)) != 0)
        return rc;
    if (!t || t->restoring)
        return err_set(&r->err, ERR_TABLE_NOT_FOUND, "Table not found: %.*s", STR_FMT(p->table));
    char id[BACKUP_ID_LEN + 1];
    backup_new_id(clock_now_ms(), false, id);
    json_t *rec = new_record(r, p, t, id);
    json_t *job = json_pack("{s:{s:s,s:I},s:{s:i,s:s},s:i}", "table", "name", t->name, "ddbd_id", (json_int_t)t->id,
                            "pos", "phase", 0, "at", "", "chunks", 0);
    uint64_t seq;
    rc = export_times(r, p, t, rec, job);
    if (!rc && !p->incremental && (rc = history_last_seq(txn, &seq)) == 0)
        json_object_set_new(json_object_get(job, "src"), "seq", json_integer((json_int_t)seq));
    if (!rc)
        rc = backup_rec_put(txn, BACKUP_REC_EXPORT, r->ns, str_from_cstr(id), rec);
    if (!rc)
        rc = backup_job_put(txn, BACKUP_JOB_EXPORT, r->ns, str_from_cstr(id), job);
    if (!rc)
        rc = history_pin(txn, t, +1);
    if (!rc) {
        ops_transfer_reply(r, &export_kind, rec);
        backup_jobs_notify();
    }
    json_decref(rec);
    json_decref(job);
    return rc;
}

/* ExportTableToPointInTime(TableArn, S3Bucket, ExportTime?, ClientToken?,
 *   S3BucketOwner?, S3Prefix?, S3SseAlgorithm?, S3SseKmsKeyId?,
 *   ExportFormat?, ExportType?, IncrementalExportSpecification{
 *   ExportFromTime?, ExportToTime?, ExportViewType?}?, FilterSpecification?) */
req_result_t op_export_table_to_point_in_time(ddb_req_t *r)
{
    export_plan_t *p = arena_calloc(&r->arena, 1, sizeof *p);
    str_t arn;
    if (req_string(r, "TableArn", true, &arn) || req_string(r, "ClientToken", false, &p->token) ||
        ops_timestamp_param(r, "ExportTime", &p->time_ms, &p->has_time))
        return REQ_FAILED;
    const char *bad = req_table_ref(arn, true, &p->table);
    if (bad)
        return req_fail(r, ERR_VALIDATION, "%s", bad);
    if (req_member(r, "FilterSpecification"))
        return req_fail(r, ERR_VALIDATION, "FilterSpecification is not supported by ddbd: it exports whole tables");
    const char *type = param(r, "ExportType");
    p->incremental = type && strcmp(type, "INCREMENTAL_EXPORT") == 0;
    const json_t *spec = req_member(r, "IncrementalExportSpecification");
    if (p->incremental) {
        if (!spec)
            return req_fail(r, ERR_VALIDATION,
                            "IncrementalExportSpecification must be provided when ExportType is INCREMENTAL_EXPORT");
        if (ops_timestamp_value(r, json_object_get(spec, "ExportFromTime"), &p->from_ms, &p->has_from) ||
            ops_timestamp_value(r, json_object_get(spec, "ExportToTime"), &p->to_ms, &p->has_to))
            return REQ_FAILED;
        if (!p->has_from)
            return req_fail(r, ERR_VALIDATION, "ExportFromTime must be provided for an incremental export");
        if (p->has_to && p->to_ms <= p->from_ms)
            return req_fail(r, ERR_VALIDATION, "ExportFromTime must be before ExportToTime");
    }
    const char *prefix = param(r, "S3Prefix");
    if (prefix && !s3dir_key_ok(str_from_cstr(prefix)))
        return req_fail(r, ERR_VALIDATION,
                        "S3Prefix %s cannot be stored in --s3-dir (an empty, '.' or '..' path segment)", prefix);
    if (ops_s3_ready(r))
        return REQ_FAILED;
    p->request = ops_transfer_request(r);
    return req_queue(r, export_apply, p, export_release);
}

/* ---- DescribeExport, ListExports ------------------------------------------------------------ */

/* DescribeExport(ExportArn) */
req_result_t op_describe_export(ddb_req_t *r) { return ops_transfer_describe_op(r, &export_kind); }

static void write_summary(buf_t *b, const json_t *rec)
{
    jw_open(b, '{');
    ops_jw_str_of(b, "ExportArn", rec, "arn");
    ops_jw_str_of(b, "ExportStatus", rec, "status");
    ops_jw_str_of(b, "ExportType", rec, "type");
    jw_close(b, '}');
}

/* ListExports(TableArn?, MaxResults? (1-25), NextToken?) */
req_result_t op_list_exports(ddb_req_t *r) { return ops_transfer_list_op(r, &export_kind, "MaxResults"); }
