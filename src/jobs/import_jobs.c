/* import_jobs.c - imports and bulk puts, chunk by chunk (see import_jobs.h).
 *
 * The job row (JSON): {"rec": "I" | "K" (an import's or a bulk put's
 * record), "id", "table": {"name", "ddbd_id"}, "bucket", "prefix", "format"
 * (DYNAMODB_JSON | ION | CSV), "codec" (NONE | GZIP | ZSTD), "delim",
 * "headers" (CsvOptions' HeaderList), "objects": [{"key", "size"}], "obj",
 * "off" (decompressed bytes of the object before the next record), "idx"
 * (its index among the object's records), "hdr" (the object's CSV header),
 * "processed", "imported", "errors", "bytes_done" (sizes of the objects
 * done), "put_bytes", "logged", "chunks"}. */
#include "jobs/import_jobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "base/log.h"
#include "model/csv.h"
#include "model/ion.h"
#include "model/number.h"
#include "model/records.h"
#include "storage/index.h"
#include "storage/itemstore.h"
#include "storage/s3dir.h"

#define READ_STEP (64 * 1024)
#define LINE_MAX_BYTES ION_MAX_VALUE_BYTES
#define ITEM_LIMIT (400u * 1024)
#define LOG_EVERY_CHUNKS 50
#define LOG_FIRST_ERRORS 10

/* The object being read on the writer thread, and the job state it matches. */
static struct {
    char *ns, *name;
    json_int_t chunks;
    s3dir_reader_t *r;
    buf_t buf; /* decompressed bytes not yet consumed, from start */
    size_t start;
    bool eof;
} rd;

static void rd_drop(void)
{
    s3dir_close(rd.r);
    free(rd.ns);
    free(rd.name);
    buf_free(&rd.buf);
    memset(&rd, 0, sizeof rd);
}

void import_jobs_release(void) { rd_drop(); }

typedef struct im {
    store_txn_t *txn;
    catalog_cache_t *cache;
    const backup_job_ref_t *j;
    char kind; /* BACKUP_REC_IMPORT or BACKUP_REC_BULK */
    const char *id;
    json_t *rec, *job; /* ours */
    const table_t *t;
    arena_t arena;
    char why[512];
} im_t;

static const char *jstr(const json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }
static json_int_t jint(const json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }
static void jadd(json_t *o, const char *k, json_int_t d) { json_object_set_new(o, k, json_integer(jint(o, k) + d)); }

/* ---- the end ------------------------------------------------------------------------ */

/* The counts as the record shows them. */
static void copy_counts(im_t *x)
{
    static const char *const keys[] = {"processed", "imported", "errors", "put_bytes"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        json_object_set_new(x->rec, keys[i], json_integer(jint(x->job, keys[i])));
    json_int_t raw = jint(x->job, "bytes_done");
    if (rd.r && (size_t)jint(x->job, "obj") < json_array_size(json_object_get(x->job, "objects")))
        raw += (json_int_t)s3dir_read_raw(rd.r);
    json_object_set_new(x->rec, "bytes", json_integer(raw));
}

/* An import's table becomes ACTIVE (or, when nothing was to be kept, goes). */
static int settle_table(im_t *x, bool drop)
{
    if (x->kind != BACKUP_REC_IMPORT || !x->t)
        return 0;
    if (drop) {
        int rc = itemstore_drop_table(x->txn, x->t);
        return rc ? rc : catalog_delete(x->txn, x->j->ns, str_from_cstr(x->t->name));
    }
    json_t *desc = json_deep_copy(x->t->desc);
    json_object_del(desc, "ddbd_restore");
    table_t *nt = table_from_json(x->t->ns, desc);
    int rc = catalog_put(x->txn, nt);
    table_free(nt);
    return rc;
}

static int finish(im_t *x, const char *status, const char *code, const char *msg, bool drop_table)
{
    copy_counts(x);
    json_object_set_new(x->rec, "status", json_string(status));
    json_object_set_new(x->rec, "end", json_real(clock_now_epoch()));
    if (code) {
        json_object_set_new(x->rec, "failure_code", json_string(code));
        json_object_set_new(x->rec, "failure_message", json_string(msg));
    }
    log_info("%s %s: %s, %lld processed, %lld errors", x->kind == BACKUP_REC_IMPORT ? "import" : "bulk put", x->id,
             status, (long long)jint(x->job, "processed"), (long long)jint(x->job, "errors"));
    int rc = backup_rec_put(x->txn, x->kind, x->j->ns, str_from_cstr(x->id), x->rec);
    if (!rc)
        rc = backup_job_delete(x->txn, x->j->kind, x->j->ns, str_from_cstr(x->j->name));
    if (!rc)
        rc = settle_table(x, drop_table);
    rd_drop();
    return rc;
}

static int fail_s3(im_t *x, bool no_bucket)
{
    if (no_bucket)
        return finish(x, "FAILED", "S3NoSuchBucket",
                      "The specified bucket does not exist (Service: Amazon S3; Status Code: 404; Error Code: "
                      "NoSuchBucket)",
                      true);
    return finish(x, "FAILED", "S3AccessDenied", x->why, false);
}

static int complete(im_t *x)
{
    bool errors = jint(x->job, "errors") > 0;
    if (x->kind == BACKUP_REC_BULK)
        return finish(x, errors ? "COMPLETED_WITH_ERRORS" : "COMPLETED", NULL, NULL, false);
    if (errors)
        return finish(x, "FAILED", "ItemValidationError",
                      "Some of the items failed validation checks and were not imported. Please check CloudWatch "
                      "error logs for more details.",
                      false);
    return finish(x, "COMPLETED", NULL, NULL, false);
}

/* ---- errors ------------------------------------------------------------------------- */

static int record_error(im_t *x, const char *msg)
{
    const json_t *obj = json_array_get(json_object_get(x->job, "objects"), (size_t)jint(x->job, "obj"));
    jadd(x->job, "errors", 1);
    json_int_t n = jint(x->job, "logged");
    json_t *event = json_pack("{s:{s:s,s:s,s:I},s:O,s:[s]}", "itemS3Pointer", "bucket", jstr(x->job, "bucket"), "key",
                              obj ? jstr(obj, "key") : "", "itemIndex", (json_int_t)jint(x->job, "idx"), "importArn",
                              json_object_get(x->rec, "arn"), "errorMessages", msg);
    char *text = xjson_dumps(event, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(event);
    if (jint(x->job, "errors") <= LOG_FIRST_ERRORS)
        log_warn("%s %s: %s", x->kind == BACKUP_REC_IMPORT ? "import" : "bulk put", x->id, text);
    int rc = 0;
    if (x->kind == BACKUP_REC_IMPORT && n < IMPORT_LOG_MAX) {
        char id[64];
        snprintf(id, sizeof id, "%s/%08lld", x->id, (long long)n);
        json_t *row = json_pack("{s:I,s:s}", "timestamp", (json_int_t)clock_now_ms(), "message", text);
        rc = backup_rec_put(x->txn, IMPORT_LOG_REC, x->j->ns, str_from_cstr(id), row);
        json_decref(row);
        jadd(x->job, "logged", 1);
    }
    free(text);
    return rc;
}

/* ---- items ------------------------------------------------------------------------- */

static int write_item(im_t *x, const value_t *item)
{
    err_t e = {0};
    key_buf_t key;
    value_t old;
    bool found = false;
    if (key_check_item(&x->t->ks, item, &e))
        return record_error(x, e.msg);
    if (item_size(item) > ITEM_LIMIT)
        return record_error(x, "Item size has exceeded the maximum allowed size");
    key_encode(x->t->id, &x->t->ks, item, &key);
    int rc = itemstore_get(x->txn, &x->arena, x->t, &key, &old, &found);
    if (rc)
        return rc;
    rc = index_check_write(x->txn, x->t, found ? &old : NULL, item, &e);
    if (rc)
        return rc == -1 ? record_error(x, e.msg) : rc;
    rc = itemstore_put(x->txn, x->t, &key, found ? &old : NULL, item, NULL);
    if (!rc) {
        jadd(x->job, "imported", 1);
        jadd(x->job, "put_bytes", (json_int_t)item_size(item));
    }
    return rc;
}

/* The type a CSV column's values take: a key attribute's defined type,
 * S for the rest (the guide: "all columns other than the hash range and
 * keys of your base table and secondary indexes are imported as DynamoDB
 * strings"). */
static vtype_t column_type(const table_t *t, str_t name)
{
    size_t i;
    const json_t *d;
    json_array_foreach(json_object_get(t->desc, "AttributeDefinitions"), i, d)
    {
        if (str_eq_cstr(name, jstr(d, "AttributeName")))
            return vtype_from_name(str_from_cstr(jstr(d, "AttributeType")));
    }
    return VT_S;
}

static int csv_item(im_t *x, const csv_record_t *r, value_t *item, err_t *e)
{
    const json_t *hdr = json_object_get(x->job, "headers");
    if (!json_array_size(hdr))
        hdr = json_object_get(x->job, "hdr");
    if (r->n != json_array_size(hdr))
        return err_set(e, ERR_VALIDATION, "The number of columns (%zu) differs from the header's (%zu)", r->n,
                       json_array_size(hdr));
    member_t *m = arena_calloc(&x->arena, r->n, sizeof *m);
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++) {
        str_t name = str_from_cstr(json_string_value(json_array_get(hdr, i)));
        vtype_t type = column_type(x->t, name);
        if (r->fields[i].len == 0 && type == VT_S && !str_eq(name, x->t->ks.hash.name) &&
            !str_eq(name, x->t->ks.range.name))
            continue; /* an empty cell: no attribute (our choice) */
        m[n].name = arena_strdup(&x->arena, name);
        m[n].v.type = type;
        if (type == VT_N) {
            char norm[NUMBER_TEXT_MAX];
            size_t len;
            if (number_normalize(r->fields[i], norm, &len, e))
                return -1;
            m[n].v.s = arena_strdup(&x->arena, (str_t){norm, len});
        } else if (type == VT_B) {
            uint8_t *out = arena_alloc(&x->arena, r->fields[i].len * 3 / 4 + 4);
            size_t got;
            if (base64_decode(r->fields[i].ptr, r->fields[i].len, out, &got))
                return err_set(e, ERR_VALIDATION, "Invalid Base64 data for the binary key %.*s", STR_FMT(name));
            m[n].v.s = (str_t){(const char *)out, got};
        } else {
            m[n].v.s = r->fields[i];
        }
        n++;
    }
    *item = (value_t){.type = VT_M, .m = {m, n}};
    return 0;
}

/* ---- reading records ------------------------------------------------------------------ */

/* More decompressed bytes into the buffer; false at the object's end. */
static int fill(im_t *x, bool *got)
{
    *got = false;
    if (rd.eof)
        return 0;
    if (rd.start > 0 && rd.start * 2 > rd.buf.len) { /* keep the buffer from growing */
        memmove(rd.buf.data, rd.buf.data + rd.start, rd.buf.len - rd.start);
        rd.buf.len -= rd.start;
        rd.start = 0;
    }
    buf_reserve(&rd.buf, READ_STEP);
    ssize_t n = s3dir_read(rd.r, rd.buf.data + rd.buf.len, READ_STEP, x->why, sizeof x->why);
    if (n < 0)
        return -1;
    rd.buf.len += (size_t)n;
    rd.eof = n == 0;
    *got = n > 0;
    return 0;
}

static int open_object(im_t *x)
{
    json_int_t chunks = jint(x->job, "chunks");
    if (rd.r && strcmp(rd.ns, x->j->ns) == 0 && strcmp(rd.name, x->j->name) == 0 && rd.chunks == chunks)
        return 0;
    rd_drop();
    const json_t *obj = json_array_get(json_object_get(x->job, "objects"), (size_t)jint(x->job, "obj"));
    const char *codec = jstr(x->job, "codec");
    s3dir_codec_t c = strcmp(codec, "GZIP") == 0 ? S3DIR_GZIP : strcmp(codec, "ZSTD") == 0 ? S3DIR_ZSTD : S3DIR_NONE;
    if (s3dir_open(jstr(x->job, "bucket"), jstr(obj, "key"), c, &rd.r, x->why, sizeof x->why))
        return -1;
    rd.ns = xstrdup(x->j->ns);
    rd.name = xstrdup(x->j->name);
    rd.chunks = chunks;
    /* skip what earlier chunks consumed */
    for (json_int_t skip = jint(x->job, "off"); skip > 0;) {
        bool got = false;
        if (fill(x, &got))
            return -1;
        size_t take = rd.buf.len - rd.start < (size_t)skip ? rd.buf.len - rd.start : (size_t)skip;
        rd.start += take;
        skip -= (json_int_t)take;
        if (!got && take == 0)
            break;
    }
    return 0;
}

enum { GOT_RECORD, GOT_END, GOT_BAD };

/* The next record's item: GOT_RECORD (item set, or *skip for a CSV
 * header), GOT_END, GOT_BAD (e says why: the rest of the object goes), or
 * a storage error. */
static int next_record(im_t *x, value_t *item, bool *skip, size_t *consumed, err_t *e)
{
    const char *fmt = jstr(x->job, "format");
    *skip = false;
    *consumed = 0;
    for (;;) {
        const char *p = rd.buf.data ? rd.buf.data + rd.start : "";
        size_t n = rd.buf.len - rd.start, used = 0;
        int rc;
        if (strcmp(fmt, "ION") == 0) {
            value_t top;
            rc = ion_read(&x->arena, p, n, rd.eof, &used, &top, e);
            if (rc == ION_VALUE)
                rc = record_item_of_ion(&top, item, e) ? -2 : ION_VALUE;
        } else if (strcmp(fmt, "CSV") == 0) {
            csv_record_t r;
            const char *d = jstr(x->job, "delim");
            rc = csv_read(&x->arena, p, n, rd.eof, d ? d[0] : ',', &used, &r, e);
            if (rc == CSV_RECORD && !json_array_size(json_object_get(x->job, "headers")) &&
                !json_object_get(x->job, "hdr")) {
                json_t *h = json_array();
                for (size_t i = 0; i < r.n; i++)
                    json_array_append_new(h, json_stringn(r.fields[i].ptr, r.fields[i].len));
                json_object_set_new(x->job, "hdr", h);
                *skip = true;
            } else if (rc == CSV_RECORD) {
                rc = csv_item(x, &r, item, e) ? -2 : CSV_RECORD;
            }
        } else {
            const char *nl = memchr(p, '\n', n);
            size_t len = nl ? (size_t)(nl - p) : n;
            rc = !nl && !rd.eof ? ION_NEED_MORE : n == 0 ? ION_END : ION_VALUE;
            used = nl ? len + 1 : n;
            size_t k = 0;
            while (rc == ION_VALUE && k < len && (p[k] == ' ' || p[k] == '\t' || p[k] == '\r'))
                k++;
            if (rc == ION_VALUE && k == len)
                *skip = true; /* an empty line */
            else if (rc == ION_VALUE)
                rc = record_item_of_json(&x->arena, p, len, item, e) ? -2 : ION_VALUE;
            else if (rc == ION_NEED_MORE && n > LINE_MAX_BYTES)
                rc = err_set(e, ERR_VALIDATION, "A line is longer than %u bytes", LINE_MAX_BYTES);
        }
        if (rc == ION_NEED_MORE) /* ION_NEED_MORE == CSV_NEED_MORE: nothing is consumed yet */
            used = 0;
        if (rc == -2) { /* a record that parsed but is no item: the next one may be */
            rd.start += used;
            *consumed += used;
            return GOT_RECORD;
        }
        if (rc < 0)
            return GOT_BAD;
        rd.start += used;
        *consumed += used;
        if (rc == ION_VALUE) /* ION_VALUE == CSV_RECORD == 0 */
            return GOT_RECORD;
        if (rc == ION_END)
            return GOT_END;
        bool got = false;
        if (fill(x, &got)) {
            err_set(e, ERR_VALIDATION, "%s", x->why);
            return GOT_BAD;
        }
    }
}

/* The next object, after the current one ended (or went bad). */
static void next_object(im_t *x)
{
    const json_t *obj = json_array_get(json_object_get(x->job, "objects"), (size_t)jint(x->job, "obj"));
    jadd(x->job, "bytes_done", jint(obj, "size"));
    jadd(x->job, "obj", 1);
    json_object_set_new(x->job, "off", json_integer(0));
    json_object_set_new(x->job, "idx", json_integer(0));
    json_object_del(x->job, "hdr");
    rd_drop();
}

/* Up to max records; *done when the objects are through. */
static int records(im_t *x, size_t max, bool *done)
{
    size_t nobj = json_array_size(json_object_get(x->job, "objects"));
    *done = false;
    for (size_t n = 0; n < max;) {
        if ((size_t)jint(x->job, "obj") >= nobj) {
            *done = true;
            return 0;
        }
        err_t e = {0};
        if (open_object(x)) {
            jadd(x->job, "processed", 1);
            int rc = record_error(x, x->why);
            if (rc)
                return rc;
            next_object(x);
            continue;
        }
        value_t item;
        bool skip = false;
        size_t consumed;
        int got = next_record(x, &item, &skip, &consumed, &e);
        jadd(x->job, "off", (json_int_t)consumed);
        int rc = 0;
        if (got == GOT_END) {
            next_object(x);
            continue;
        }
        if (skip)
            continue;
        n++;
        jadd(x->job, "processed", 1);
        if (got == GOT_BAD) {
            rc = record_error(x, e.msg);
            if (!rc)
                next_object(x);
        } else {
            rc = e.code ? record_error(x, e.msg) : write_item(x, &item);
            jadd(x->job, "idx", 1);
        }
        arena_clear(&x->arena);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- one chunk ------------------------------------------------------------------------ */

/* The first chunk lists the objects under the prefix. */
static int list_objects(im_t *x, bool *failed)
{
    s3dir_object_t *list;
    size_t n;
    bool more, no_bucket;
    *failed = false;
    const char *prefix = jstr(x->job, "prefix");
    if (s3dir_list(jstr(x->job, "bucket"), prefix ? prefix : "", IMPORT_MAX_OBJECTS, &list, &n, &more, &no_bucket,
                   x->why, sizeof x->why)) {
        *failed = true;
        return fail_s3(x, no_bucket);
    }
    json_t *objs = json_array();
    json_int_t total = 0;
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(objs, json_pack("{s:s,s:I}", "key", list[i].key, "size", (json_int_t)list[i].size));
        total += (json_int_t)list[i].size;
    }
    s3dir_list_free(list, n);
    json_object_set_new(x->job, "objects", objs);
    json_object_set_new(x->rec, "total", json_integer(total));
    if (more) {
        *failed = true;
        snprintf(x->why, sizeof x->why, "More than %d objects match the prefix", IMPORT_MAX_OBJECTS);
        return finish(x, "FAILED", "LimitExceeded", x->why, false);
    }
    return 0;
}

static int chunk(im_t *x, size_t max)
{
    const json_t *tref = json_object_get(x->job, "table");
    int rc = catalog_lookup(x->cache, x->txn, x->j->ns, str_from_cstr(jstr(tref, "name")), &x->t);
    if (rc)
        return rc;
    if (!x->t || x->t->id != (uint32_t)jint(tref, "ddbd_id")) {
        x->t = NULL;
        return finish(x, "FAILED", "TableNotFound", "The table was deleted", false);
    }
    const char *status = jstr(x->rec, "status");
    if (strcmp(status, "CANCELLING") == 0)
        return finish(x, "CANCELLED", "BulkOperationCancelled", "The operation was cancelled", false);
    bool failed = false;
    if (!json_object_get(x->job, "objects") && ((rc = list_objects(x, &failed)) != 0 || failed))
        return rc;
    bool done = false;
    if ((rc = records(x, max, &done)) != 0)
        return rc;
    if (done)
        return complete(x);
    json_int_t chunks = jint(x->job, "chunks") + 1;
    json_object_set_new(x->job, "chunks", json_integer(chunks));
    if (rd.r)
        rd.chunks = chunks;
    if (chunks % LOG_EVERY_CHUNKS == 0)
        log_info("%s %s: %lld records so far", x->kind == BACKUP_REC_IMPORT ? "import" : "bulk put", x->id,
                 (long long)jint(x->job, "processed"));
    copy_counts(x);
    rc = backup_rec_put(x->txn, x->kind, x->j->ns, str_from_cstr(x->id), x->rec);
    return rc ? rc : backup_job_put(x->txn, x->j->kind, x->j->ns, str_from_cstr(x->j->name), x->job);
}

int import_job_chunk(store_txn_t *txn, catalog_cache_t *cache, const backup_job_ref_t *j, size_t max)
{
    im_t x = {txn, cache, j, 0, NULL, NULL, NULL, NULL, {0}, ""};
    const char *kind = jstr(j->job, "rec");
    x.kind = kind && kind[0] == BACKUP_REC_BULK ? BACKUP_REC_BULK : BACKUP_REC_IMPORT;
    x.id = jstr(j->job, "id");
    int rc = x.id ? backup_rec_get(txn, x.kind, j->ns, str_from_cstr(x.id), &x.rec) : 0;
    if (rc)
        return rc;
    if (!x.rec) {
        log_warn("import job %s: its record is gone; dropping the job", j->name);
        rd_drop();
        return backup_job_delete(txn, j->kind, j->ns, str_from_cstr(j->name));
    }
    x.job = json_deep_copy(j->job);
    arena_init(&x.arena);
    rc = chunk(&x, max);
    arena_free(&x.arena);
    json_decref(x.job);
    json_decref(x.rec);
    return rc;
}
