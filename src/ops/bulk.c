/* ops/bulk.c - StartBulkPutItems, DescribeBulkOperation,
 * ListBulkOperations, CancelBulkOperation (the newest API's bulk puts).
 *
 * A bulk put reads the objects under InputS3Configuration's prefix in the
 * --s3-dir (DynamoDB JSON or Ion, as an import does; see
 * jobs/import_jobs.h) into an existing table, through the ordinary write
 * path: indexes, streams and point-in-time history see every item.
 * ProcessedItemCount, ProcessedInputBytes, TotalInputBytes, FailedItemCount
 * and BulkOperationUsage (the bytes put: the table's, as ddbd does not
 * count index bytes apart) follow it; CancelBulkOperation makes it
 * CANCELLING, then CANCELLED at the next chunk, keeping what was written.
 *
 * Not done locally (the developer guide's pages on them could not be read
 * in full here, and guessing a format would mislead): the report objects
 * AWS writes to OutputS3Configuration (the configuration is kept and
 * echoed), and per-item condition expressions in the input. A record is
 * read as an import reads it: {"Item": {...}} per line, or an Ion struct
 * with an Item. MaxWriteRequestUnits and PerformanceTier are kept and
 * echoed; ddbd writes as fast as its writer goes.
 *
 * The record (BACKUP_REC_BULK): {"arn", "status", "start", "end", "table":
 * {"name", "arn", "id"}, "token", "request", "input", "output", "max_wru",
 * "tier", "processed", "errors", "bytes", "total", "put_bytes",
 * "failure_code", "failure_message"}. */
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "jobs/backup_jobs.h"
#include "ops/transfer_internal.h"
#include "storage/backup_store.h"
#include "storage/s3dir.h"

#define MIN_WRITE_UNITS 1024

static void write_description(buf_t *b, const json_t *rec)
{
    const json_t *t = json_object_get(rec, "table");
    const char *status = json_string_value(json_object_get(rec, "status"));
    bool started = json_object_get(rec, "total") != NULL;
    jw_open(b, '{');
    ops_jw_str_of(b, "BulkOperationArn", rec, "arn");
    ops_jw_str_of(b, "BulkOperationStatus", rec, "status");
    jw_key(b, "TableDetails");
    jw_open(b, '[');
    jw_open(b, '{');
    ops_jw_str_of(b, "TableName", t, "name");
    ops_jw_str_of(b, "TableId", t, "id");
    jw_close(b, '}');
    jw_close(b, ']');
    ops_jw_str_of(b, "ClientToken", rec, "token");
    ops_jw_json_of(b, "InputS3Configuration", rec, "input");
    ops_jw_json_of(b, "OutputS3Configuration", rec, "output");
    ops_jw_num_of(b, "StartTime", rec, "start");
    ops_jw_num_of(b, "EndTime", rec, "end");
    ops_jw_num_of(b, "ProcessedItemCount", rec, "processed");
    ops_jw_num_of(b, "ProcessedInputBytes", rec, "bytes");
    if (started) /* AWS omits it until the input's size is known */
        ops_jw_num_of(b, "TotalInputBytes", rec, "total");
    jw_key(b, "BulkOperationUsage");
    jw_open(b, '[');
    jw_open(b, '{');
    ops_jw_str_of(b, "TableName", t, "name");
    ops_jw_num_of(b, "BulkPutBytes", rec, "put_bytes");
    jw_key(b, "Table");
    jw_open(b, '{');
    ops_jw_num_of(b, "BulkPutBytes", rec, "put_bytes");
    jw_close(b, '}');
    jw_close(b, '}');
    jw_close(b, ']');
    ops_jw_num_of(b, "FailedItemCount", rec, "errors");
    if (status && (strcmp(status, "FAILED") == 0 || strcmp(status, "CANCELLED") == 0)) {
        ops_jw_str_of(b, "FailureCode", rec, "failure_code");
        ops_jw_str_of(b, "FailureMessage", rec, "failure_message");
    }
    ops_jw_num_of(b, "MaxWriteRequestUnits", rec, "max_wru");
    ops_jw_str_of(b, "PerformanceTier", rec, "tier");
    jw_close(b, '}');
}

static void write_summary(buf_t *b, const json_t *rec);

static const transfer_kind_t bulk_kind = {
    .rec = BACKUP_REC_BULK,
    .what = "bulk-operation",
    .arn_member = "BulkOperationArn",
    .description = "BulkOperationDescription",
    .describe = write_description,
    .list_member = "BulkOperationsSummaryList",
    .summarize = write_summary,
    .not_found = ERR_RESOURCE_NOT_FOUND,
    .not_found_text = {"Requested resource not found: Bulk operation: ", " not found"},
    .conflict = ERR_IDEMPOTENT_MISMATCH,
    .conflict_text = {"Request with ClientToken ", " has parameters that differ from the earlier request"},
};

/* ---- StartBulkPutItems --------------------------------------------------------------------- */

typedef struct bulk_plan {
    str_t table, token;
    json_t *request;
} bulk_plan_t;

static void bulk_release(void *plan) { json_decref(((bulk_plan_t *)plan)->request); }

static json_t *new_record(ddb_req_t *r, const bulk_plan_t *p, const table_t *t, const char *id)
{
    const char *tier = json_string_value(json_object_get(r->body, "PerformanceTier"));
    json_t *rec =
        json_pack("{s:s,s:s,s:f,s:{s:s,s:s,s:s},s:O,s:O,s:O,s:s,s:i,s:i,s:i,s:i}", "arn",
                  arena_printf(&r->arena, "%s/bulk-operation/%s", req_table_arn(r, t->name), id), "status",
                  "IN_PROGRESS", "start", clock_now_epoch(), "table", "name", t->name, "arn", req_table_arn(r, t->name),
                  "id", t->table_uuid, "request", p->request, "input", json_object_get(r->body, "InputS3Configuration"),
                  "output", json_object_get(r->body, "OutputS3Configuration"), "tier", tier ? tier : "STANDARD",
                  "processed", 0, "errors", 0, "bytes", 0, "put_bytes", 0);
    if (p->token.ptr)
        json_object_set_new(rec, "token", json_stringn(p->token.ptr, p->token.len));
    if (json_object_get(r->body, "MaxWriteRequestUnits"))
        json_object_set(rec, "max_wru", json_object_get(r->body, "MaxWriteRequestUnits"));
    return rec;
}

static json_t *new_job(ddb_req_t *r, const table_t *t, const char *id)
{
    const json_t *in = json_object_get(r->body, "InputS3Configuration");
    const char *comp = json_string_value(json_object_get(in, "InputCompressionType"));
    const char *prefix = json_string_value(json_object_get(in, "S3KeyPrefix"));
    return json_pack("{s:s,s:s,s:{s:s,s:I},s:O,s:s,s:O,s:s,s:i,s:i,s:i,s:i}", "rec", "K", "id", id, "table", "name",
                     t->name, "ddbd_id", (json_int_t)t->id, "bucket", json_object_get(in, "S3Bucket"), "prefix",
                     prefix ? prefix : "", "format", json_object_get(in, "InputFormat"), "codec", comp ? comp : "NONE",
                     "obj", 0, "off", 0, "idx", 0, "chunks", 0);
}

static int bulk_apply(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache)
{
    const bulk_plan_t *p = r->plan;
    bool repeated;
    int rc = ops_transfer_repeat(r, txn, &bulk_kind, p->token, p->request, &repeated);
    if (rc || repeated)
        return rc;
    const table_t *t;
    if ((rc = catalog_lookup(cache, txn, r->ns, p->table, &t)) != 0)
        return rc;
    if (!t || t->restoring)
        return req_table_not_found(r, p->table);
    char id[BACKUP_ID_LEN + 1], jname[BACKUP_ID_LEN + 2];
    backup_new_id(clock_now_ms(), false, id);
    snprintf(jname, sizeof jname, "K%s", id);
    json_t *rec = new_record(r, p, t, id), *job = new_job(r, t, id);
    rc = backup_rec_put(txn, BACKUP_REC_BULK, r->ns, str_from_cstr(id), rec);
    if (!rc)
        rc = backup_job_put(txn, BACKUP_JOB_IMPORT, r->ns, str_from_cstr(jname), job);
    if (!rc) {
        ops_transfer_reply(r, &bulk_kind, rec);
        backup_jobs_notify();
    }
    json_decref(rec);
    json_decref(job);
    return rc;
}

/* StartBulkPutItems(TableName, InputS3Configuration{S3Bucket, InputFormat,
 *   S3BucketOwner?, S3KeyPrefix?, InputCompressionType?},
 *   OutputS3Configuration{OutputType, ...}, ClientToken?,
 *   MaxWriteRequestUnits?, PerformanceTier?) */
req_result_t op_start_bulk_put_items(ddb_req_t *r)
{
    bulk_plan_t *p = arena_calloc(&r->arena, 1, sizeof *p);
    const json_t *in;
    int64_t wru;
    bool has_wru;
    if (req_table_name(r, &p->table) || req_string(r, "ClientToken", false, &p->token) ||
        req_object(r, "InputS3Configuration", true, &in) || req_int(r, "MaxWriteRequestUnits", &wru, &has_wru) ||
        req_constraints_done(r))
        return REQ_FAILED;
    if (has_wru && wru < MIN_WRITE_UNITS)
        return req_fail(r, ERR_VALIDATION, "MaxWriteRequestUnits must be at least %d", MIN_WRITE_UNITS);
    const char *prefix = json_string_value(json_object_get(in, "S3KeyPrefix"));
    if (prefix && !s3dir_key_ok(str_from_cstr(prefix)))
        return req_fail(r, ERR_VALIDATION,
                        "S3KeyPrefix %s cannot be read from --s3-dir (an empty, '.' or '..' path segment)", prefix);
    if (ops_s3_ready(r))
        return REQ_FAILED;
    p->table = arena_strdup(&r->arena, p->table);
    p->request = ops_transfer_request(r);
    return req_queue(r, bulk_apply, p, bulk_release);
}

/* ---- DescribeBulkOperation, ListBulkOperations, CancelBulkOperation ------------------------ */

/* DescribeBulkOperation(BulkOperationArn) */
req_result_t op_describe_bulk_operation(ddb_req_t *r) { return ops_transfer_describe_op(r, &bulk_kind); }

static void write_summary(buf_t *b, const json_t *rec)
{
    jw_open(b, '{');
    ops_jw_str_of(b, "BulkOperationArn", rec, "arn");
    ops_jw_str_of(b, "BulkOperationStatus", rec, "status");
    ops_jw_num_of(b, "StartTime", rec, "start");
    ops_jw_num_of(b, "EndTime", rec, "end");
    jw_close(b, '}');
}

/* ListBulkOperations(MaxResults? (default 10), NextToken?) */
req_result_t op_list_bulk_operations(ddb_req_t *r)
{
    int64_t max;
    bool has_max;
    if (req_int(r, "MaxResults", &max, &has_max))
        return REQ_FAILED;
    if (has_max && max < 1) /* the model sets no range: ours */
        return req_fail(r, ERR_VALIDATION, "MaxResults must be at least 1");
    return req_result(r, ops_transfer_list(r, &bulk_kind, NULL, has_max ? max : 10));
}

static int cancel_apply(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache)
{
    (void)cache;
    json_t *rec;
    int rc = ops_transfer_lookup(r, txn, &bulk_kind, &rec);
    if (rc)
        return rc;
    const char *status = json_string_value(json_object_get(rec, "status"));
    if (strcmp(status, "IN_PROGRESS") != 0 && strcmp(status, "CANCELLING") != 0) {
        rc = err_set(&r->err, ERR_VALIDATION, "The bulk operation cannot be cancelled: it is %s", status);
    } else {
        json_object_set_new(rec, "status", json_string("CANCELLING"));
        rc = backup_rec_put(
            txn, BACKUP_REC_BULK, r->ns,
            ops_transfer_id(str_from_cstr(json_string_value(json_object_get(rec, "arn"))), bulk_kind.what), rec);
        if (!rc) {
            jw_open(&r->out, '{');
            ops_jw_str_of(&r->out, "BulkOperationArn", rec, "arn");
            ops_jw_str_of(&r->out, "BulkOperationStatus", rec, "status");
            jw_close(&r->out, '}');
            backup_jobs_notify();
        }
    }
    json_decref(rec);
    return rc;
}

/* CancelBulkOperation(BulkOperationArn) */
req_result_t op_cancel_bulk_operation(ddb_req_t *r)
{
    str_t arn;
    if (req_string(r, "BulkOperationArn", true, &arn))
        return REQ_FAILED;
    return req_queue(r, cancel_apply, NULL, NULL);
}
