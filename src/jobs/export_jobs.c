/* export_jobs.c - exports, chunk by chunk (see export_jobs.h).
 *
 * The job row (JSON): {"src": {"from": "table", "id", "seq", "time"} (the
 * pin to read at; an incremental export's window start, which also keeps
 * the history trimmer off it), "to": {"time"} (incremental: the window's
 * end), "table": {"name", "ddbd_id"}, "pos": {"phase", "at"}, "file":
 * {"key", "start" (the pos it began at), "items", "billed"} (the data file
 * being written), "files": [manifest-files entries], "done_items",
 * "done_billed" (of the finished files), "started", "chunks"}. */
#include "jobs/export_jobs.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/md5.h"
#include "base/rand.h"
#include "base/sha256.h"
#include "model/records.h"
#include "storage/history.h"
#include "storage/s3dir.h"
#include "storage/snapshot.h"

#define LOG_EVERY_CHUNKS 50
#define FILE_BYTES ((uint64_t)256 << 20) /* uncompressed bytes per data file */

/* The data file open on the writer thread, and the job state it matches. */
static struct {
    char *ns, *id;
    json_int_t chunks;
    s3dir_gz_t *gz;
    uint64_t raw;
} cur;

static void cur_drop(void)
{
    s3dir_gz_abort(cur.gz);
    free(cur.ns);
    free(cur.id);
    memset(&cur, 0, sizeof cur);
}

void export_jobs_release(void) { cur_drop(); }

static json_int_t file_items(void)
{
    const char *v = getenv("DDBD_TEST_EXPORT_FILE_ITEMS");
    long n = v ? strtol(v, NULL, 10) : 0;
    return n > 0 ? n : EXPORT_FILE_ITEMS;
}

typedef struct ex {
    store_txn_t *txn;
    catalog_cache_t *cache;
    const backup_job_ref_t *j;
    json_t *rec, *job; /* ours: the record and the row being advanced */
    const table_t *t;
    record_format_t format;
    bool incremental, with_old;
    char *base; /* "<prefix>/AWSDynamoDB/" */
    arena_t arena;
    buf_t line;
    int64_t items, billed; /* this chunk's */
    bool io_failed;
    char why[512];
} ex_t;

static const char *rec_str(const json_t *rec, const char *k) { return json_string_value(json_object_get(rec, k)); }
static json_int_t job_int(const json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }

static void iso(int64_t ms, char out[40]) { clock_format_iso(ms, out, 40); }

/* A new reference to v, or JSON null when absent. */
static json_t *or_null(const json_t *v) { return v ? json_incref((json_t *)(uintptr_t)v) : json_null(); }

static char *key_of(const ex_t *x, bool data_dir, const char *name)
{
    if (data_dir && x->incremental)
        return xasprintf("%sdata/%s", x->base, name);
    return xasprintf("%s%s/%s%s", x->base, x->j->name, data_dir ? "data/" : "", name);
}

/* ---- the end of an export ------------------------------------------------------- */

static int finish(ex_t *x, const char *status)
{
    json_object_set_new(x->rec, "status", json_string(status));
    json_object_set_new(x->rec, "end", json_real(clock_now_epoch()));
    str_t id = str_from_cstr(x->j->name);
    int rc = backup_rec_put(x->txn, BACKUP_REC_EXPORT, x->j->ns, id, x->rec);
    if (!rc)
        rc = backup_job_delete(x->txn, x->j->kind, x->j->ns, id);
    const json_t *tref = json_object_get(x->job, "table");
    if (!rc)
        rc = history_unpin(x->txn, x->cache, x->j->ns, rec_str(tref, "name"), (uint32_t)job_int(tref, "ddbd_id"));
    cur_drop();
    return rc;
}

static int fail_export(ex_t *x, const char *code, const char *msg)
{
    log_warn("export %s failed: %s: %s", x->j->name, code, msg);
    json_object_set_new(x->rec, "failure_code", json_string(code));
    json_object_set_new(x->rec, "failure_message", json_string(msg));
    return finish(x, "FAILED");
}

static int fail_io(ex_t *x)
{
    if (strstr(x->why, "bucket does not exist"))
        return fail_export(x, "S3NoSuchBucket",
                           "The specified bucket does not exist (Service: Amazon S3; Status Code: 404; Error Code: "
                           "NoSuchBucket)");
    return fail_export(x, "S3AccessDenied", x->why);
}

static int put_small(ex_t *x, const char *name, const char *text, char md5hex[2 * MD5_LEN + 1])
{
    char *key = key_of(x, false, name);
    int rc = s3dir_put(rec_str(x->rec, "bucket"), key, text, strlen(text), x->why, sizeof x->why);
    free(key);
    if (!rc && md5hex) {
        uint8_t d[MD5_LEN];
        md5(text, strlen(text), d);
        hex_encode(d, MD5_LEN, md5hex);
    }
    return rc;
}

static int put_manifest(ex_t *x, const char *name, const char *text)
{
    char hex[2 * MD5_LEN + 1], checksum[64];
    snprintf(checksum, sizeof checksum, "%.*s.checksum", (int)(strlen(name) - 5), name);
    return put_small(x, name, text, hex) || put_small(x, checksum, hex, NULL) ? -1 : 0;
}

static json_t *summary(ex_t *x, const char *files_key, json_int_t items, json_int_t billed)
{
    char start[40], end[40], a[40], b[40];
    iso((int64_t)(json_number_value(json_object_get(x->rec, "start")) * 1000 + 0.5), start);
    iso((int64_t)(json_number_value(json_object_get(x->rec, "end")) * 1000 + 0.5), end);
    const json_t *t = json_object_get(x->rec, "table");
    json_t *s = json_object();
    json_object_set_new(s, "version", json_string(x->incremental ? "2023-08-01" : "2020-06-30"));
    json_object_set(s, "exportArn", json_object_get(x->rec, "arn"));
    json_object_set_new(s, "startTime", json_string(start));
    json_object_set_new(s, "endTime", json_string(end));
    json_object_set(s, "tableArn", json_object_get(t, "arn"));
    json_object_set(s, "tableId", json_object_get(t, "id"));
    if (x->incremental) {
        iso((int64_t)(json_number_value(json_object_get(x->rec, "from")) * 1000 + 0.5), a);
        iso((int64_t)(json_number_value(json_object_get(x->rec, "to")) * 1000 + 0.5), b);
        json_object_set_new(s, "exportFromTime", json_string(a));
        json_object_set_new(s, "exportToTime", json_string(b));
    } else {
        iso((int64_t)(json_number_value(json_object_get(x->rec, "export_time")) * 1000 + 0.5), a);
        json_object_set_new(s, "exportTime", json_string(a));
    }
    json_object_set(s, "s3Bucket", json_object_get(x->rec, "bucket"));
    json_object_set_new(s, "s3Prefix", or_null(json_object_get(x->rec, "prefix")));
    const char *sse = rec_str(x->rec, "sse");
    json_object_set_new(s, "s3SseAlgorithm", json_string(sse ? sse : "AES256"));
    json_object_set_new(s, "s3SseKmsKeyId", or_null(json_object_get(x->rec, "kms")));
    json_object_set_new(s, "manifestFilesS3Key", json_string(files_key));
    json_object_set_new(s, "billedSizeBytes", json_integer(billed));
    json_object_set_new(s, "itemCount", json_integer(items));
    json_object_set(s, "outputFormat", json_object_get(x->rec, "format"));
    if (x->incremental) {
        json_object_set(s, "outputView", json_object_get(x->rec, "view"));
        json_object_set_new(s, "exportType", json_string("INCREMENTAL_EXPORT"));
    }
    return s;
}

static int complete(ex_t *x)
{
    json_int_t items = job_int(x->job, "done_items"), billed = job_int(x->job, "done_billed");
    buf_t files = BUF_INIT;
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(x->job, "files"), i, f)
    {
        char *line = xjson_dumps(f, JSON_COMPACT | JSON_PRESERVE_ORDER);
        buf_puts(&files, line);
        buf_putc(&files, '\n');
        free(line);
    }
    buf_putc(&files, '\0');
    json_object_set_new(x->rec, "end", json_real(clock_now_epoch()));
    char *files_key = key_of(x, false, "manifest-files.json"), *summary_key = key_of(x, false, "manifest-summary.json");
    json_t *s = summary(x, files_key, items, billed);
    char *text = xjson_dumps(s, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(s);
    int bad = put_manifest(x, "manifest-files.json", files.data) || put_manifest(x, "manifest-summary.json", text);
    free(text);
    buf_free(&files);
    free(files_key);
    int rc;
    if (bad) {
        rc = fail_io(x);
    } else {
        json_object_set_new(x->rec, "items", json_integer(items));
        json_object_set_new(x->rec, "billed", json_integer(billed));
        json_object_set_new(x->rec, "manifest", json_string(summary_key));
        log_info("export %s: done, %lld items in %zu files", x->j->name, (long long)items,
                 json_array_size(json_object_get(x->job, "files")));
        rc = finish(x, "COMPLETED");
    }
    free(summary_key);
    return rc;
}

/* ---- data files -------------------------------------------------------------------- */

/* A data file name like AWS's: 26 characters of base32. */
static void file_name(const ex_t *x, char out[40])
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
    uint8_t r[26];
    rand_bytes(r, sizeof r);
    for (int i = 0; i < 26; i++)
        out[i] = alphabet[r[i] & 31];
    snprintf(out + 26, 14, "%s", x->format == RECORD_ION ? ".ion.gz" : ".json.gz");
}

/* Makes sure the file the row says is being written is open here; when
 * the open one is not the row's (a restart, a retried commit), the row's
 * file starts over from where it began. */
static int open_file(ex_t *x)
{
    json_t *file = json_object_get(x->job, "file");
    json_int_t chunks = job_int(x->job, "chunks");
    if (file && cur.gz && strcmp(cur.ns, x->j->ns) == 0 && strcmp(cur.id, x->j->name) == 0 && cur.chunks == chunks)
        return 0;
    cur_drop();
    if (file) {
        json_object_set(x->job, "pos", json_object_get(file, "start"));
        json_object_set_new(file, "items", json_integer(0));
        json_object_set_new(file, "billed", json_integer(0));
    } else {
        char name[40];
        file_name(x, name);
        char *key = key_of(x, true, name);
        file = json_pack("{s:s,s:O,s:i,s:i}", "key", key, "start", json_object_get(x->job, "pos"), "items", 0, "billed",
                         0);
        free(key);
        json_object_set_new(x->job, "file", file);
    }
    if (s3dir_gz_open(rec_str(x->rec, "bucket"), rec_str(file, "key"), &cur.gz, x->why, sizeof x->why))
        return x->io_failed = true, 0;
    cur.ns = xstrdup(x->j->ns);
    cur.id = xstrdup(x->j->name);
    cur.chunks = chunks;
    return 0;
}

static int close_file(ex_t *x, bool keep)
{
    json_t *file = json_object_get(x->job, "file");
    if (!keep) {
        cur_drop();
        json_object_del(x->job, "file");
        return 0;
    }
    uint8_t d[MD5_LEN], dd[MD5_LEN];
    uint64_t size;
    int rc = s3dir_gz_close(cur.gz, d, &size, x->why, sizeof x->why);
    cur.gz = NULL;
    cur_drop();
    if (rc)
        return x->io_failed = true, 0;
    buf_t b64 = BUF_INIT;
    base64_encode(&b64, d, MD5_LEN);
    buf_putc(&b64, '\0');
    char hex[2 * MD5_LEN + 1], etag[2 * MD5_LEN + 3];
    md5(d, MD5_LEN, dd); /* a one-part multipart upload's ETag */
    hex_encode(dd, MD5_LEN, hex);
    snprintf(etag, sizeof etag, "%s-1", hex);
    json_t *entry = json_pack("{s:I,s:s,s:s,s:O}", "itemCount", (json_int_t)job_int(file, "items"), "md5Checksum",
                              b64.data, "etag", etag, "dataFileS3Key", json_object_get(file, "key"));
    buf_free(&b64);
    json_t *files = json_object_get(x->job, "files");
    if (!files)
        json_object_set_new(x->job, "files", files = json_array());
    json_array_append_new(files, entry);
    json_object_set_new(x->job, "done_items", json_integer(job_int(x->job, "done_items") + job_int(file, "items")));
    json_object_set_new(x->job, "done_billed", json_integer(job_int(x->job, "done_billed") + job_int(file, "billed")));
    json_object_del(x->job, "file");
    return 0;
}

static int write_line(ex_t *x)
{
    if (s3dir_gz_write(cur.gz, x->line.data, x->line.len, x->why, sizeof x->why)) {
        x->io_failed = true;
        return -1; /* stops the walk; fail_io follows */
    }
    cur.raw += x->line.len;
    return 0;
}

static int put_item(void *ud, const key_buf_t *key, const value_t *item)
{
    (void)key;
    ex_t *x = ud;
    buf_reset(&x->line);
    record_item_line(&x->line, x->format, item);
    x->items++;
    x->billed += (int64_t)item_size(item);
    return write_line(x);
}

static int put_delta(void *ud, const history_delta_t *d)
{
    ex_t *x = ud;
    const value_t *img = d->new_present ? &d->new_item : &d->old_item;
    value_t keys = key_of_item(&x->arena, &x->t->ks, img);
    buf_reset(&x->line);
    record_delta_line(&x->line, x->format, &keys, d->old_present ? &d->old_item : NULL,
                      d->new_present ? &d->new_item : NULL, d->last_ms * 1000, x->with_old);
    x->items++;
    x->billed += (int64_t)item_size(img);
    return write_line(x);
}

/* ---- one chunk --------------------------------------------------------------------- */

/* The next items after pos into the open file; *done at the end. */
static int walk(ex_t *x, snapshot_pos_t *pos, size_t max, bool *done)
{
    const json_t *src = json_object_get(x->job, "src");
    if (!x->incremental) {
        snapshot_src_t s = {
            false, (uint32_t)job_int(src, "id"), {(uint64_t)job_int(src, "seq"), job_int(src, "time")}, false};
        return snapshot_chunk(x->txn, &s, &x->t->ks, pos, max, put_item, x, done);
    }
    history_pin_t from = {(uint64_t)INT64_MAX, job_int(src, "time")};
    history_pin_t to = {(uint64_t)INT64_MAX, job_int(json_object_get(x->job, "to"), "time")};
    uint8_t last[HISTORY_HASH_LEN];
    bool more = false;
    int rc = history_window(x->txn, &x->arena, x->t, pos->at_len == HISTORY_HASH_LEN ? pos->at : NULL, &from, &to, max,
                            put_delta, x, last, &more);
    if (rc)
        return rc;
    if (more) {
        memcpy(pos->at, last, HISTORY_HASH_LEN);
        pos->at_len = HISTORY_HASH_LEN;
    }
    *done = !more;
    return 0;
}

static int chunk(ex_t *x, size_t max)
{
    const json_t *tref = json_object_get(x->job, "table");
    int rc = catalog_lookup(x->cache, x->txn, x->j->ns, str_from_cstr(rec_str(tref, "name")), &x->t);
    if (rc)
        return rc;
    if (!x->t || x->t->id != (uint32_t)job_int(tref, "ddbd_id"))
        return fail_export(x, "TableNotFound", "The table was deleted during the export");
    if (!json_is_true(json_object_get(x->job, "started"))) {
        if (put_small(x, "_started", "", NULL))
            return fail_io(x);
        json_object_set_new(x->job, "started", json_true());
    }
    if (open_file(x) || x->io_failed)
        return x->io_failed ? fail_io(x) : -1;
    const json_t *p = json_object_get(x->job, "pos");
    snapshot_pos_t pos;
    if (snapshot_pos_parse((int)job_int(p, "phase"), rec_str(p, "at"), &pos))
        return fail_export(x, "InternalFailure", "The export's position is unreadable");
    /* a chunk ends where the data file is full */
    json_int_t room = file_items() - job_int(json_object_get(x->job, "file"), "items");
    if (room > 0 && (size_t)room < max)
        max = (size_t)room;
    bool done = false;
    rc = walk(x, &pos, max, &done);
    if (x->io_failed)
        return fail_io(x);
    if (rc)
        return rc;
    char hex[2 * KEY_LMDB_MAX + 1];
    snapshot_pos_hex(&pos, hex, sizeof hex);
    json_object_set_new(x->job, "pos", json_pack("{s:i,s:s}", "phase", pos.phase, "at", hex));
    json_t *file = json_object_get(x->job, "file");
    json_int_t in_file = job_int(file, "items") + x->items;
    json_object_set_new(file, "items", json_integer(in_file));
    json_object_set_new(file, "billed", json_integer(job_int(file, "billed") + x->billed));
    if (done || in_file >= file_items() || cur.raw >= FILE_BYTES) {
        /* the last file of an export that has others stays unwritten when empty */
        bool keep = in_file > 0 || json_array_size(json_object_get(x->job, "files")) == 0;
        if (close_file(x, keep) || x->io_failed)
            return fail_io(x);
    }
    if (done)
        return complete(x);
    json_int_t chunks = job_int(x->job, "chunks") + 1;
    json_object_set_new(x->job, "chunks", json_integer(chunks));
    if (cur.gz)
        cur.chunks = chunks;
    if (chunks % LOG_EVERY_CHUNKS == 0)
        log_info("export %s: %lld items so far", x->j->name, (long long)(job_int(x->job, "done_items") + in_file));
    return backup_job_put(x->txn, x->j->kind, x->j->ns, str_from_cstr(x->j->name), x->job);
}

int export_job_chunk(store_txn_t *txn, catalog_cache_t *cache, const backup_job_ref_t *j, size_t max)
{
    ex_t x = {txn, cache,    j, NULL, NULL,  NULL, RECORD_DYNAMODB_JSON, false, false, NULL,
              {0}, BUF_INIT, 0, 0,    false, ""};
    str_t id = str_from_cstr(j->name);
    int rc = backup_rec_get(txn, BACKUP_REC_EXPORT, j->ns, id, &x.rec);
    if (rc)
        return rc;
    if (!x.rec) {
        log_warn("export %s: its record is gone; dropping the job", j->name);
        cur_drop();
        return backup_job_delete(txn, j->kind, j->ns, id);
    }
    x.job = json_deep_copy(j->job);
    x.format = strcmp(rec_str(x.rec, "format"), "ION") == 0 ? RECORD_ION : RECORD_DYNAMODB_JSON;
    x.incremental = strcmp(rec_str(x.rec, "type"), "INCREMENTAL_EXPORT") == 0;
    x.with_old = x.incremental && strcmp(rec_str(x.rec, "view"), "NEW_AND_OLD_IMAGES") == 0;
    const char *prefix = rec_str(x.rec, "prefix");
    size_t plen = prefix ? strlen(prefix) : 0;
    x.base = plen ? xasprintf("%s%sAWSDynamoDB/", prefix, prefix[plen - 1] == '/' ? "" : "/") : xstrdup("AWSDynamoDB/");
    arena_init(&x.arena);
    rc = chunk(&x, max);
    arena_free(&x.arena);
    buf_free(&x.line);
    free(x.base);
    json_decref(x.job);
    json_decref(x.rec);
    return rc;
}
