/* admin_imports.c - an import's error records (see admin_imports.h). Import
 * ids are unique across namespaces (creation time and 32 random bits), so
 * the unsigned endpoint finds them without one. */
#include "api/admin_imports.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "jobs/import_jobs.h"
#include "storage/backup_store.h"

typedef struct found {
    str_t id;
    bool import;
    buf_t events;
} found_t;

static int import_one(void *ud, const char *ns, str_t id, json_t *rec)
{
    (void)ns;
    (void)rec;
    found_t *f = ud;
    f->import = f->import || str_eq(id, f->id);
    return f->import;
}

static int event_one(void *ud, const char *ns, str_t id, json_t *rec)
{
    (void)ns;
    found_t *f = ud;
    if (id.len <= f->id.len || memcmp(id.ptr, f->id.ptr, f->id.len) != 0 || id.ptr[f->id.len] != '/')
        return 0;
    jw_open(&f->events, '{');
    jw_key(&f->events, "timestamp");
    jw_int(&f->events, json_integer_value(json_object_get(rec, "timestamp")));
    jw_key(&f->events, "message");
    jw_cstr(&f->events, json_string_value(json_object_get(rec, "message")));
    jw_key(&f->events, "ingestionTime");
    jw_int(&f->events, json_integer_value(json_object_get(rec, "timestamp")));
    jw_close(&f->events, '}');
    return 0;
}

void admin_import_errors(admin_call_t *call, const char *method, str_t path, str_t query, str_t body)
{
    (void)method;
    (void)query;
    (void)body;
    static const str_t head = STR_LIT("/_ddbd/imports/"), tail = STR_LIT("/errors");
    if (path.len <= head.len + tail.len || memcmp(path.ptr + path.len - tail.len, tail.ptr, tail.len) != 0)
        return admin_reply_error(call, 404, "no such ddbd endpoint");
    found_t f = {{path.ptr + head.len, path.len - head.len - tail.len}, false, BUF_INIT};
    store_txn_t *txn;
    int rc = store_read_begin(admin_call_env(call)->store, &txn);
    if (rc)
        return admin_reply_error(call, 500, store_strerror(rc));
    buf_t out = BUF_INIT;
    rc = backup_rec_each_all(txn, BACKUP_REC_IMPORT, import_one, &f);
    if (!rc && f.import)
        rc = backup_rec_each_all(txn, IMPORT_LOG_REC, event_one, &f);
    store_read_end(txn);
    if (rc) {
        admin_reply_error(call, 500, store_strerror(rc));
    } else if (!f.import) {
        admin_reply_error(call, 404, "no such import");
    } else {
        buf_puts(&out, "{\"logGroupName\":\"/aws-dynamodb/imports\",\"logStreamName\":");
        char stream[128];
        snprintf(stream, sizeof stream, "%.*s/error", (int)(f.id.len < 100 ? f.id.len : 100), f.id.ptr);
        jw_cstr(&out, stream);
        buf_puts(&out, ",\"events\":[");
        buf_append(&out, f.events.data ? f.events.data : "", f.events.len);
        buf_puts(&out, "]}");
        admin_reply(call, 200, (str_t){out.data, out.len});
    }
    buf_free(&out);
    buf_free(&f.events);
}
