/* ops/import.c - ImportTable, DescribeImport, ListImports.
 *
 * ImportTable creates the new table from TableCreationParameters (with
 * CreateTable's checks and messages), CREATING until the import is done,
 * records the import (IN_PROGRESS) and its job, and answers; then
 * jobs/import_jobs.c reads the objects under S3BucketSource's prefix in the
 * --s3-dir into the table, and the import is COMPLETED (or FAILED, see
 * import_jobs.h) and the table ACTIVE. ImportedItemCount,
 * ProcessedItemCount, ProcessedSizeBytes and ErrorCount grow as it goes.
 * The error records AWS writes to CloudWatch Logs (log group
 * /aws-dynamodb/imports) are kept with the import: GET
 * /_ddbd/imports/<import id>/errors answers them as CloudWatch's
 * GetLogEvents would.
 *
 * The record (BACKUP_REC_IMPORT): {"arn", "status", "start", "end",
 * "table": {"name", "arn", "id"}, "token", "request", "source"
 * (S3BucketSource, with the owner), "format", "options", "compression",
 * "params" (TableCreationParameters), "log_group", "processed",
 * "imported", "errors", "bytes", "failure_code", "failure_message"}. */
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "jobs/backup_jobs.h"
#include "ops/transfer_internal.h"
#include "storage/backup_store.h"
#include "storage/index.h"
#include "storage/s3dir.h"

/* ---- ImportTableDescription ---------------------------------------------------------- */

static void write_description(buf_t *b, const json_t *rec)
{
    const json_t *t = json_object_get(rec, "table");
    jw_open(b, '{');
    ops_jw_str_of(b, "ImportArn", rec, "arn");
    ops_jw_str_of(b, "ImportStatus", rec, "status");
    ops_jw_str_of(b, "TableArn", t, "arn");
    ops_jw_str_of(b, "TableId", t, "id");
    ops_jw_str_of(b, "ClientToken", rec, "token");
    ops_jw_json_of(b, "S3BucketSource", rec, "source");
    ops_jw_num_of(b, "ErrorCount", rec, "errors");
    ops_jw_str_of(b, "CloudWatchLogGroupArn", rec, "log_group");
    ops_jw_str_of(b, "InputFormat", rec, "format");
    ops_jw_json_of(b, "InputFormatOptions", rec, "options");
    ops_jw_str_of(b, "InputCompressionType", rec, "compression");
    ops_jw_json_of(b, "TableCreationParameters", rec, "params");
    ops_jw_num_of(b, "StartTime", rec, "start");
    ops_jw_num_of(b, "EndTime", rec, "end");
    ops_jw_num_of(b, "ProcessedSizeBytes", rec, "bytes");
    ops_jw_num_of(b, "ProcessedItemCount", rec, "processed");
    ops_jw_num_of(b, "ImportedItemCount", rec, "imported");
    ops_jw_str_of(b, "FailureCode", rec, "failure_code");
    ops_jw_str_of(b, "FailureMessage", rec, "failure_message");
    jw_close(b, '}');
}

static void write_summary(buf_t *b, const json_t *rec);

static const transfer_kind_t import_kind = {
    .rec = BACKUP_REC_IMPORT,
    .what = "import",
    .arn_member = "ImportArn",
    .description = "ImportTableDescription",
    .describe = write_description,
    .list_member = "ImportSummaryList",
    .summarize = write_summary,
    .not_found = ERR_IMPORT_NOT_FOUND,
    .not_found_text = {"Import not found: ", ""},
    .conflict = ERR_IMPORT_CONFLICT,
    .conflict_text = {"There was a conflict when importing from the specified S3 source: ClientToken ",
                      " was used with other parameters"},
};

/* ---- ImportTable ---------------------------------------------------------------------- */

typedef struct import_plan {
    str_t name, token;
    json_t *desc; /* the new table's, without ddbd_id */
    json_t *request;
} import_plan_t;

static void import_release(void *plan)
{
    import_plan_t *p = plan;
    json_decref(p->desc);
    json_decref(p->request);
}

static json_t *new_record(ddb_req_t *r, const import_plan_t *p, const table_t *t, const char *id)
{
    json_t *source = json_deep_copy(json_object_get(r->body, "S3BucketSource"));
    if (!json_object_get(source, "S3BucketOwner"))
        json_object_set_new(source, "S3BucketOwner", json_string(r->account));
    const char *comp = json_string_value(json_object_get(r->body, "InputCompressionType"));
    json_t *rec = json_pack(
        "{s:s,s:s,s:f,s:{s:s,s:s,s:s},s:O,s:o,s:O,s:s,s:O,s:s,s:i,s:i,s:i,s:i}", "arn",
        arena_printf(&r->arena, "%s/import/%s", req_table_arn(r, t->name), id), "status", "IN_PROGRESS", "start",
        clock_now_epoch(), "table", "name", t->name, "arn", req_table_arn(r, t->name), "id", t->table_uuid, "request",
        p->request, "source", source, "format", json_object_get(r->body, "InputFormat"), "compression",
        comp ? comp : "NONE", "params", json_object_get(r->body, "TableCreationParameters"), "log_group",
        arena_printf(&r->arena, "arn:aws:logs:%s:%s:log-group:/aws-dynamodb/imports:*", r->region, r->account),
        "processed", 0, "imported", 0, "errors", 0, "bytes", 0);
    if (p->token.ptr)
        json_object_set_new(rec, "token", json_stringn(p->token.ptr, p->token.len));
    if (json_object_get(r->body, "InputFormatOptions"))
        json_object_set(rec, "options", json_object_get(r->body, "InputFormatOptions"));
    return rec;
}

static json_t *new_job(ddb_req_t *r, const table_t *t, const char *id)
{
    const json_t *src = json_object_get(r->body, "S3BucketSource");
    const json_t *csv = json_object_get(json_object_get(r->body, "InputFormatOptions"), "Csv");
    const char *comp = json_string_value(json_object_get(r->body, "InputCompressionType"));
    const char *delim = json_string_value(json_object_get(csv, "Delimiter"));
    const char *prefix = json_string_value(json_object_get(src, "S3KeyPrefix"));
    json_t *job =
        json_pack("{s:s,s:s,s:{s:s,s:I},s:O,s:s,s:O,s:s,s:s,s:i,s:i,s:i,s:i}", "rec", "I", "id", id, "table", "name",
                  t->name, "ddbd_id", (json_int_t)t->id, "bucket", json_object_get(src, "S3Bucket"), "prefix",
                  prefix ? prefix : "", "format", json_object_get(r->body, "InputFormat"), "codec",
                  comp ? comp : "NONE", "delim", delim ? delim : ",", "obj", 0, "off", 0, "idx", 0, "chunks", 0);
    if (json_array_size(json_object_get(csv, "HeaderList")))
        json_object_set(job, "headers", json_object_get(csv, "HeaderList"));
    return job;
}

static int import_apply(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *cache)
{
    const import_plan_t *p = r->plan;
    bool repeated;
    int rc = ops_transfer_repeat(r, txn, &import_kind, p->token, p->request, &repeated);
    if (rc || repeated)
        return rc;
    const table_t *existing;
    if ((rc = catalog_lookup(cache, txn, r->ns, p->name, &existing)) != 0)
        return rc;
    if (existing)
        return err_set(&r->err, ERR_RESOURCE_IN_USE, "Table already exists: %.*s", STR_FMT(p->name));
    uint32_t tid;
    if ((rc = catalog_next_table_id(txn, &tid)) != 0)
        return rc;
    json_t *desc = json_deep_copy(p->desc);
    json_object_set_new(desc, "ddbd_id", json_integer(tid));
    json_object_set_new(desc, "ddbd_restore", json_true()); /* CREATING while the import fills it */
    index_number_new(desc);
    table_t *t = table_from_json(r->ns, desc);
    char id[BACKUP_ID_LEN + 1];
    backup_new_id(clock_now_ms(), false, id);
    json_t *rec = new_record(r, p, t, id), *job = new_job(r, t, id);
    char jname[BACKUP_ID_LEN + 2];
    snprintf(jname, sizeof jname, "I%s", id);
    rc = catalog_put(txn, t);
    if (!rc)
        rc = backup_rec_put(txn, BACKUP_REC_IMPORT, r->ns, str_from_cstr(id), rec);
    if (!rc)
        rc = backup_job_put(txn, BACKUP_JOB_IMPORT, r->ns, str_from_cstr(jname), job);
    if (!rc) {
        ops_transfer_reply(r, &import_kind, rec);
        backup_jobs_notify();
    }
    json_decref(rec);
    json_decref(job);
    table_free(t);
    return rc;
}

/* The new table's description from TableCreationParameters, through
 * CreateTable's own checks (they read r's body: for a moment, it is the
 * parameters). */
static int creation_params(ddb_req_t *r, import_plan_t *p)
{
    json_t *body = r->body;
    r->body = json_object_get(body, "TableCreationParameters");
    int rc = ops_create_table_desc(r, &p->name, &p->desc);
    r->body = body;
    if (!rc)
        p->name = arena_strdup(&r->arena, p->name);
    return rc;
}

/* ImportTable(S3BucketSource{S3Bucket, S3BucketOwner?, S3KeyPrefix?},
 *   InputFormat, InputFormatOptions{Csv{Delimiter?, HeaderList?}}?,
 *   InputCompressionType?, TableCreationParameters, ClientToken?) */
req_result_t op_import_table(ddb_req_t *r)
{
    import_plan_t *p = arena_calloc(&r->arena, 1, sizeof *p);
    const json_t *src, *params;
    if (req_string(r, "ClientToken", false, &p->token) || req_object(r, "S3BucketSource", true, &src) ||
        req_object(r, "TableCreationParameters", true, &params) || req_constraints_done(r))
        return REQ_FAILED;
    const char *prefix = json_string_value(json_object_get(src, "S3KeyPrefix"));
    if (prefix && !s3dir_key_ok(str_from_cstr(prefix)))
        return req_fail(r, ERR_VALIDATION,
                        "S3KeyPrefix %s cannot be read from --s3-dir (an empty, '.' or '..' path segment)", prefix);
    if (creation_params(r, p) || ops_s3_ready(r))
        return REQ_FAILED;
    p->request = ops_transfer_request(r);
    return req_queue(r, import_apply, p, import_release);
}

/* ---- DescribeImport, ListImports ------------------------------------------------------------ */

/* DescribeImport(ImportArn) */
req_result_t op_describe_import(ddb_req_t *r) { return ops_transfer_describe_op(r, &import_kind); }

static void write_summary(buf_t *b, const json_t *rec)
{
    jw_open(b, '{');
    ops_jw_str_of(b, "ImportArn", rec, "arn");
    ops_jw_str_of(b, "ImportStatus", rec, "status");
    ops_jw_str_of(b, "TableArn", json_object_get(rec, "table"), "arn");
    ops_jw_json_of(b, "S3BucketSource", rec, "source");
    ops_jw_str_of(b, "CloudWatchLogGroupArn", rec, "log_group");
    ops_jw_str_of(b, "InputFormat", rec, "format");
    ops_jw_num_of(b, "StartTime", rec, "start");
    ops_jw_num_of(b, "EndTime", rec, "end");
    jw_close(b, '}');
}

/* ListImports(TableArn?, PageSize? (1-25), NextToken?) */
req_result_t op_list_imports(ddb_req_t *r) { return ops_transfer_list_op(r, &import_kind, "PageSize"); }
