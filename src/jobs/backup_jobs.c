/* backup_jobs.c - backup copies and restores, chunk by chunk (see
 * backup_jobs.h).
 *
 * One chunk job is at the writer at a time. It takes the first job row,
 * moves the next chunk of items, and stores the new position (or finishes
 * the job) in the same transaction; a job_runner submits the next chunk
 * while there is work. */
#include "jobs/backup_jobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/endian.h"
#include "base/log.h"
#include "jobs/export_jobs.h"
#include "jobs/history_trim.h"
#include "jobs/import_jobs.h"
#include "jobs/job_runner.h"
#include "storage/backup_store.h"
#include "storage/history.h"
#include "storage/itemstore.h"
#include "storage/snapshot.h"

#define LOG_EVERY_CHUNKS 50

static struct {
    job_runner_t runner;
    size_t chunk; /* items per chunk */
} bj;

/* ---- the job row ------------------------------------------------------------ */

static int job_source(const json_t *job, snapshot_src_t *src, snapshot_pos_t *pos)
{
    const json_t *s = json_object_get(job, "src"), *p = json_object_get(job, "pos");
    const char *from = json_string_value(json_object_get(s, "from"));
    if (!json_is_object(s) || !from)
        return -1;
    *src = (snapshot_src_t){
        .from_backup = strcmp(from, "backup") == 0,
        .id = (uint32_t)json_integer_value(json_object_get(s, "id")),
        .pin = {(uint64_t)json_integer_value(json_object_get(s, "seq")),
                (int64_t)json_integer_value(json_object_get(s, "time"))},
        .drop = json_is_true(json_object_get(s, "drop")),
    };
    return snapshot_pos_parse((int)json_integer_value(json_object_get(p, "phase")),
                              json_string_value(json_object_get(p, "at")), pos);
}

/* The job with its position and counters advanced. */
static json_t *job_advanced(const json_t *job, const snapshot_pos_t *pos, int64_t items, int64_t bytes)
{
    json_t *nj = json_deep_copy(job);
    char hex[2 * KEY_LMDB_MAX + 1];
    snapshot_pos_hex(pos, hex, sizeof hex);
    json_object_set_new(nj, "pos", json_pack("{s:i,s:s}", "phase", pos->phase, "at", hex));
    json_object_set_new(nj, "copied", json_integer(json_integer_value(json_object_get(job, "copied")) + items));
    json_object_set_new(nj, "bytes", json_integer(json_integer_value(json_object_get(job, "bytes")) + bytes));
    json_object_set_new(nj, "chunks", json_integer(json_integer_value(json_object_get(job, "chunks")) + 1));
    return nj;
}

static void log_progress(const backup_job_ref_t *j, const json_t *nj, bool done)
{
    json_int_t chunks = json_integer_value(json_object_get(nj, "chunks"));
    if (!done && chunks % LOG_EVERY_CHUNKS != 0)
        return;
    const char *what = j->kind == BACKUP_JOB_COPY ? "backup" : "restore of table";
    log_info("%s %s: %s%lld items, %lld bytes", what, j->name, done ? "done, " : "",
             (long long)json_integer_value(json_object_get(nj, "copied")),
             (long long)json_integer_value(json_object_get(nj, "bytes")));
}

/* Releases the table pinned by a job that read it (if it still is that
 * table): ref is {"name", "ddbd_id"}. */
static int unpin_table(store_txn_t *txn, catalog_cache_t *cache, const char *ns, const json_t *ref)
{
    const char *name = json_string_value(json_object_get(ref, "name"));
    const table_t *t;
    if (!name)
        return 0;
    int rc = catalog_lookup(cache, txn, ns, str_from_cstr(name), &t);
    if (rc || !t || t->id != (uint32_t)json_integer_value(json_object_get(ref, "ddbd_id")))
        return rc;
    return history_pin(txn, t, -1);
}

/* ---- backup copies ------------------------------------------------------------ */

typedef struct copy_sink {
    store_txn_t *txn;
    uint32_t data;
    int64_t bytes, items;
} copy_sink_t;

static int copy_item(void *ud, const key_buf_t *key, const value_t *item)
{
    copy_sink_t *s = ud;
    int64_t bytes, items;
    int rc = backup_item_put(s->txn, s->data, key, item, &bytes, &items);
    s->bytes += bytes;
    s->items += items;
    return rc;
}

static int copy_finish(store_txn_t *txn, catalog_cache_t *cache, const backup_job_ref_t *j, json_t *rec,
                       const json_t *nj)
{
    json_object_set_new(rec, "status", json_string("AVAILABLE"));
    json_object_set(rec, "size", json_object_get(nj, "bytes"));
    json_object_set(rec, "items", json_object_get(nj, "copied"));
    int rc = backup_put(txn, j->ns, str_from_cstr(j->name), rec);
    if (!rc)
        rc = backup_job_delete(txn, j->kind, j->ns, str_from_cstr(j->name));
    if (!rc && !json_is_true(json_object_get(json_object_get(j->job, "src"), "drop")))
        rc = unpin_table(txn, cache, j->ns, json_object_get(rec, "table"));
    return rc;
}

static int copy_chunk(store_txn_t *txn, catalog_cache_t *cache, const backup_job_ref_t *j)
{
    json_t *rec;
    int rc = backup_get(txn, j->ns, str_from_cstr(j->name), &rec);
    if (rc)
        return rc;
    snapshot_src_t src;
    snapshot_pos_t pos;
    if (!rec || job_source(j->job, &src, &pos)) {
        log_warn("backup %s: its record is gone or its job unreadable; dropping the job", j->name);
        json_decref(rec);
        return backup_job_delete(txn, j->kind, j->ns, str_from_cstr(j->name));
    }
    table_t *t = table_from_json(j->ns, json_deep_copy(json_object_get(rec, "desc"))); /* for the key schema */
    copy_sink_t sink = {txn, (uint32_t)json_integer_value(json_object_get(rec, "data")), 0, 0};
    bool done;
    rc = snapshot_chunk(txn, &src, &t->ks, &pos, bj.chunk, copy_item, &sink, &done);
    table_free(t);
    json_t *nj = rc ? NULL : job_advanced(j->job, &pos, sink.items, sink.bytes);
    if (nj && done)
        rc = copy_finish(txn, cache, j, rec, nj);
    else if (nj)
        rc = backup_job_put(txn, j->kind, j->ns, str_from_cstr(j->name), nj);
    if (!rc)
        log_progress(j, nj, done);
    json_decref(nj);
    json_decref(rec);
    return rc;
}

/* ---- restores ---------------------------------------------------------------- */

typedef struct restore_sink {
    store_txn_t *txn;
    const table_t *t;
    arena_t arena;
    int64_t bytes, items;
} restore_sink_t;

static int restore_item(void *ud, const key_buf_t *key, const value_t *item)
{
    restore_sink_t *s = ud;
    key_buf_t k = *key;
    be32_put(k.b, s->t->id);
    value_t old;
    bool found;
    arena_clear(&s->arena);
    int rc = itemstore_get(s->txn, &s->arena, s->t, &k, &old, &found);
    if (rc)
        return rc;
    s->items += !found;
    s->bytes += (int64_t)item_size(item) - (found ? (int64_t)item_size(&old) : 0);
    return itemstore_put(s->txn, s->t, &k, found ? &old : NULL, item, NULL);
}

/* Releases what the restore read: the source table's pin, or the
 * backup's count of restores. */
static int restore_release(store_txn_t *txn, catalog_cache_t *cache, const backup_job_ref_t *j)
{
    const json_t *backup = json_object_get(j->job, "backup");
    if (!backup)
        return unpin_table(txn, cache, j->ns, json_object_get(j->job, "table"));
    json_t *rec;
    str_t id = str_from_cstr(json_string_value(backup));
    int rc = backup_get(txn, j->ns, id, &rec);
    if (rc || !rec)
        return rc;
    json_int_t n = json_integer_value(json_object_get(rec, "restores")) - 1;
    json_object_set_new(rec, "restores", json_integer(n > 0 ? n : 0));
    rc = backup_put(txn, j->ns, id, rec);
    json_decref(rec);
    return rc;
}

static int restore_finish(store_txn_t *txn, catalog_cache_t *cache, const backup_job_ref_t *j, const table_t *t)
{
    json_t *desc = json_deep_copy(t->desc);
    json_object_del(desc, "ddbd_restore");
    table_t *nt = table_from_json(t->ns, desc);
    int rc = catalog_put(txn, nt);
    table_free(nt);
    if (!rc)
        rc = backup_job_delete(txn, j->kind, j->ns, str_from_cstr(j->name));
    return rc ? rc : restore_release(txn, cache, j);
}

static int restore_chunk(store_txn_t *txn, catalog_cache_t *cache, const backup_job_ref_t *j)
{
    const table_t *t;
    int rc = catalog_lookup(cache, txn, j->ns, str_from_cstr(j->name), &t);
    if (rc)
        return rc;
    snapshot_src_t src;
    snapshot_pos_t pos;
    if (!t || !t->restoring || job_source(j->job, &src, &pos)) {
        log_warn("restore of table %s: the table is gone or the job unreadable; dropping the job", j->name);
        rc = backup_job_delete(txn, j->kind, j->ns, str_from_cstr(j->name));
        return rc ? rc : restore_release(txn, cache, j);
    }
    restore_sink_t sink = {txn, t, {0}, 0, 0};
    arena_init(&sink.arena);
    bool done;
    rc = snapshot_chunk(txn, &src, &t->ks, &pos, bj.chunk, restore_item, &sink, &done);
    arena_free(&sink.arena);
    json_t *nj = rc ? NULL : job_advanced(j->job, &pos, sink.items, sink.bytes);
    if (nj && done)
        rc = restore_finish(txn, cache, j, t);
    else if (nj)
        rc = backup_job_put(txn, j->kind, j->ns, str_from_cstr(j->name), nj);
    if (!rc)
        log_progress(j, nj, done);
    json_decref(nj);
    return rc;
}

/* ---- the chunk job (writer thread) ---------------------------------------------- */

static int chunk_job(store_txn_t *txn, catalog_cache_t *cache, void *ud)
{
    (void)ud;
    backup_job_ref_t j;
    bool found;
    int rc = backup_job_first(txn, &j, &found);
    if (rc || !found)
        return rc ? rc : -1; /* -1: nothing to do, nothing written */
    switch (j.kind) {
    case BACKUP_JOB_COPY: rc = copy_chunk(txn, cache, &j); break;
    case BACKUP_JOB_EXPORT: rc = export_job_chunk(txn, cache, &j, bj.chunk); break;
    case BACKUP_JOB_IMPORT: rc = import_job_chunk(txn, cache, &j, bj.chunk); break;
    default: rc = restore_chunk(txn, cache, &j); break;
    }
    backup_job_ref_free(&j);
    return rc;
}

/* ---- the runner (loop thread) ------------------------------------------------ */

static uint64_t env_number(const char *name, uint64_t dflt)
{
    const char *v = getenv(name);
    char *end;
    unsigned long long n = v && *v ? strtoull(v, &end, 10) : 0;
    if (!v || !*v || *end || n == 0)
        return dflt;
    log_warn("backup jobs: %s=%llu (tests only)", name, n);
    return n;
}

void backup_jobs_start(uv_loop_t *loop, store_t *store, writer_t *w)
{
    bj.chunk = (size_t)env_number("DDBD_TEST_BACKUP_CHUNK", BACKUP_JOB_CHUNK);
    job_runner_start(&bj.runner, loop, w, "backup jobs", chunk_job,
                     env_number("DDBD_TEST_BACKUP_PAUSE_MS", BACKUP_JOB_PAUSE_MS));
    history_trimmer_start(loop, store, w);
}

void backup_jobs_notify(void) { job_runner_notify(&bj.runner); }

void backup_jobs_stop(void)
{
    job_runner_stop(&bj.runner);
    history_trimmer_stop();
}

void backup_jobs_close(void)
{
    export_jobs_release(); /* the writer has stopped: files and readers it left open */
    import_jobs_release();
    job_runner_close(&bj.runner);
}
