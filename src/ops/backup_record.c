/* ops/backup_record.c - what the backup operations share with each other
 * and with DeleteTable and DescribeTable (ops/table.c): starting a backup
 * (its record and its copy job), the system backup of a table deleted with
 * point-in-time recovery on, the RestoreSummary, and the parameters.
 * It calls no other operation file, so table.c can use it while the
 * restores use table.c's TableDescription. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "jobs/backup_jobs.h"
#include "jobs/history_trim.h"
#include "ops/backup_internal.h"
#include "storage/backup_store.h"
#include "storage/history.h"

/* ---- shared parameters ---------------------------------------------------------- */

static bool name_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
           c == '.';
}

int ops_name_param(ddb_req_t *r, const char *member, const char *field, bool required, str_t *out)
{
    if (req_string(r, member, false, out))
        return -1;
    if (!out->ptr) {
        if (required)
            req_constraint(r, "null", field, "Member must not be null");
        return 0;
    }
    req_check_length(r, *out, field, 3, 255);
    bool ok = out->len > 0;
    for (size_t i = 0; i < out->len; i++)
        ok = ok && name_char_ok(out->ptr[i]);
    if (!ok)
        req_constraint(r, arena_printf(&r->arena, "'%.*s'", STR_FMT(*out)), field,
                       "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
    return 0;
}

int ops_timestamp_param(ddb_req_t *r, const char *member, int64_t *out_ms, bool *present)
{
    return ops_timestamp_value(r, req_member(r, member), out_ms, present);
}

int ops_timestamp_value(ddb_req_t *r, const json_t *v, int64_t *out_ms, bool *present)
{
    *present = v != NULL;
    *out_ms = 0;
    if (!v)
        return 0;
    if (json_is_string(v))
        return err_set(&r->err, ERR_SERIALIZATION, "STRING_VALUE cannot be converted to Timestamp");
    if (!json_is_number(v))
        return err_set(&r->err, ERR_SERIALIZATION, "Unexpected value type in payload");
    double s = json_number_value(v);
    if (!isfinite(s) || fabs(s) > 1e14)
        return err_set(&r->err, ERR_SERIALIZATION, "NUMBER_VALUE cannot be converted to Timestamp");
    *out_ms = llround(s * 1000.0);
    return 0;
}

/* ---- records -------------------------------------------------------------------- */

int ops_backup_start(ddb_req_t *r, store_txn_t *txn, const table_t *t, const char *name, bool system, json_t **out)
{
    table_stats_t st;
    uint32_t data;
    uint64_t seq;
    int rc = catalog_stats_get(txn, t->id, &st);
    if (!rc)
        rc = backup_next_data_id(txn, &data);
    if (!rc)
        rc = history_last_seq(txn, &seq);
    if (rc)
        return rc;
    int64_t now = clock_now_ms();
    char id[BACKUP_ID_LEN + 1];
    backup_new_id(now, system, id);
    const char *table_arn = req_table_arn(r, t->name);
    json_t *rec = json_pack("{s:s,s:s,s:s,s:s,s:f,s:i,s:i,s:I,s:{s:s,s:s,s:s,s:f,s:I,s:I,s:I},s:O,s:i}", "arn",
                            arena_printf(&r->arena, "%s/backup/%s", table_arn, id), "name", name, "type",
                            system ? "SYSTEM" : "USER", "status", "CREATING", "created", (double)now / 1000.0, "size",
                            0, "items", 0, "data", (json_int_t)data, "table", "name", t->name, "id", t->table_uuid,
                            "arn", table_arn, "created", t->created, "size", (json_int_t)st.bytes, "items",
                            (json_int_t)st.items, "ddbd_id", (json_int_t)t->id, "desc", t->desc, "restores", 0);
    if (system)
        json_object_set_new(rec, "expiry", json_real((double)(now + BACKUP_SYSTEM_RETENTION_MS) / 1000.0));
    /* a system backup reads the dropped table's items as they stand and
     * takes them over; a user backup reads the live table at this commit */
    json_t *job = json_pack("{s:{s:s,s:I,s:I,s:I,s:b},s:{s:i,s:s},s:i,s:i}", "src", "from", "table", "id",
                            (json_int_t)t->id, "seq", (json_int_t)seq, "time", (json_int_t)HISTORY_NO_TIME, "drop",
                            system, "pos", "phase", 0, "at", "", "copied", 0, "bytes", 0);
    rc = backup_put(txn, r->ns, str_from_cstr(id), rec);
    if (!rc)
        rc = backup_job_put(txn, BACKUP_JOB_COPY, r->ns, str_from_cstr(id), job);
    if (!rc && !system)
        rc = history_pin(txn, t, +1);
    json_decref(job);
    if (!rc)
        backup_jobs_notify();
    if (!rc && out)
        *out = json_incref(rec);
    json_decref(rec);
    return rc;
}

/* ---- DeleteTable ------------------------------------------------------------- */

int ops_backup_table_deleting(ddb_req_t *r, store_txn_t *txn, const table_t *t, bool *keep_items)
{
    *keep_items = false;
    if (t->restoring)
        return err_set(&r->err, ERR_RESOURCE_IN_USE,
                       "Attempt to change a resource which is still in use: Table is being created: %s", t->name);
    if (json_integer_value(json_object_get(t->desc, "ddbd_pins")) > 0)
        return err_set(&r->err, ERR_RESOURCE_IN_USE,
                       "Attempt to change a resource which is still in use: Table is being backed up: %s", t->name);
    int64_t start;
    int rc = history_drop_table(txn, t->id);
    if (rc || !history_window_start(t->desc, clock_now_ms(), &start))
        return rc;
    /* AWS keeps a system backup of a table deleted with PITR on: it takes
     * the items over, so DeleteTable does not drop them */
    *keep_items = true;
    return ops_backup_start(r, txn, t, arena_printf(&r->arena, "%s%s", t->name, BACKUP_SYSTEM_NAME_SUFFIX), true, NULL);
}

void ops_restore_describe(buf_t *b, const table_t *t)
{
    const json_t *s = json_object_get(t->desc, "RestoreSummary");
    if (!s)
        return;
    jw_key(b, "RestoreSummary");
    jw_open(b, '{');
    static const char *const arns[] = {"SourceBackupArn", "SourceTableArn"};
    for (int i = 0; i < 2; i++) {
        const char *v = json_string_value(json_object_get(s, arns[i]));
        if (v) {
            jw_key(b, arns[i]);
            jw_cstr(b, v);
        }
    }
    jw_key(b, "RestoreDateTime");
    jw_double(b, json_number_value(json_object_get(s, "RestoreDateTime")));
    jw_key(b, "RestoreInProgress");
    jw_bool(b, t->restoring);
    jw_close(b, '}');
}
