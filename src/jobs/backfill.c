/* backfill.c - index backfill driven from the loop thread (see backfill.h).
 *
 * One backfill job is in flight at a time. It finds the first index still
 * CREATING (any namespace), reads the next chunk of its table's items in
 * the writer's transaction, adds their entries, and stores the new
 * position or, at the end, the index as ACTIVE. Its done callback arms a
 * timer for the next job while there is more to do. State is this file's
 * alone: the server starts and stops it, UpdateTable notifies it. */
#include "jobs/backfill.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/index.h"
#include "storage/vector_index.h"
#include "base/log.h"

static struct {
    uv_loop_t *loop;
    writer_t *writer;
    uv_async_t notify;
    uv_timer_t timer;
    bool started, stopping;
    bool running; /* a job is queued or running */
    bool again; /* notified while running */
    bool more; /* set by the job: work remains */
} bf;

/* ---- the job (writer thread) ---------------------------------------------- */

/* Any index being created or deleted carries this member. */
static const char status_mark[] = "\"ddbd_status\":";

/* The catalog key (ns \0 name) of the first table with an index being
 * created or deleted, copied to out; false when there is none. */
static bool find_in_flight(store_txn_t *txn, buf_t *out)
{
    store_cursor_t *cur;
    if (store_cursor_open(txn, STORE_DB_CATALOG, &cur))
        return false;
    str_t k, v;
    bool found = false;
    for (int rc = store_cursor_seek(cur, STR_NULL, &k, &v); rc == 0 && !found; rc = store_cursor_next(cur, &k, &v))
        if (memmem(v.ptr, v.len, status_mark, sizeof status_mark - 1)) {
            buf_append(out, k.ptr, k.len);
            found = true;
        }
    store_cursor_close(cur);
    return found;
}

static void hex_encode(const uint8_t *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
}

static size_t hex_decode(const char *s, uint8_t *out, size_t cap)
{
    size_t n = 0;
    for (; s && s[0] && s[1] && n < cap; s += 2) {
        unsigned x;
        if (sscanf(s, "%2x", &x) != 1)
            break;
        out[n++] = (uint8_t)x;
    }
    return n;
}

/* Adds the entries of up to BACKFILL_CHUNK items after *pos; *pos becomes
 * the last key handled, *done whether the table has no more. */
/* The index a job fills: a secondary index or a vector index. */
typedef struct target {
    const table_index_t *ix;
    const vector_index_t *vi;
    const char *name;
    const char *list; /* its description list */
} target_t;

static int backfill_chunk(store_txn_t *txn, const table_t *t, const target_t *tg, key_buf_t *pos, bool *done)
{
    key_buf_t prefix;
    key_encode_table(t->id, &prefix);
    if (pos->len == 0)
        *pos = prefix;
    store_cursor_t *cur;
    int rc = store_cursor_open(txn, STORE_DB_ITEMS, &cur);
    if (rc)
        return rc;
    arena_t a;
    arena_init(&a);
    str_t k, v;
    rc = store_cursor_seek(cur, (str_t){(const char *)pos->b, pos->len}, &k, &v);
    if (rc == 0 && k.len == pos->len && memcmp(k.ptr, pos->b, k.len) == 0)
        rc = store_cursor_next(cur, &k, &v);
    int n = 0;
    *done = true;
    for (; rc == 0; rc = store_cursor_next(cur, &k, &v)) {
        if (k.len < prefix.len || memcmp(k.ptr, prefix.b, prefix.len) != 0)
            break;
        if (n == BACKFILL_CHUNK) {
            *done = false;
            break;
        }
        value_t item;
        if (value_decode(&a, (const uint8_t *)v.ptr, v.len, &item)) {
            rc = STORE_ERR_IO;
            break;
        }
        memcpy(pos->b, k.ptr, k.len);
        pos->len = k.len;
        /* entry_put writes to the index database: the items cursor stays valid */
        rc = tg->ix ? index_backfill_item(txn, t, tg->ix, pos, &item) : vindex_backfill_item(txn, t, tg->vi, &item);
        if (rc)
            break;
        n++;
    }
    store_cursor_close(cur);
    arena_free(&a);
    return rc == STORE_NOTFOUND ? 0 : rc;
}

/* Removes the definitions of deleted indexes (their entries went with
 * the UpdateTable). Returns 1 when there were none. */
static int finish_deletes(store_txn_t *txn, const table_t *t)
{
    json_t *desc = json_deep_copy(t->desc);
    static const char *const lists[] = {"GlobalSecondaryIndexes", "VectorIndexes"};
    bool removed = false;
    for (int l = 0; l < 2; l++) {
        json_t *list = json_object_get(desc, lists[l]);
        for (size_t i = json_array_size(list); i-- > 0;) {
            const char *status = json_string_value(json_object_get(json_array_get(list, i), "ddbd_status"));
            if (status && strcmp(status, "DELETING") == 0) {
                json_array_remove(list, i);
                removed = true;
            }
        }
        if (list && !json_array_size(list))
            json_object_del(desc, lists[l]);
    }
    if (!removed) {
        json_decref(desc);
        return 1;
    }
    table_t *nt = table_from_json(t->ns, desc);
    int rc = catalog_put(txn, nt);
    table_free(nt);
    return rc;
}

/* The index's stored description with the new position, or ACTIVE. */
static int store_progress(store_txn_t *txn, const table_t *t, const target_t *tg, const key_buf_t *pos, bool done)
{
    json_t *desc = json_deep_copy(t->desc);
    size_t i;
    json_t *g;
    json_array_foreach(json_object_get(desc, tg->list), i, g)
    {
        if (strcmp(json_string_value(json_object_get(g, "IndexName")), tg->name) != 0)
            continue;
        if (done) {
            json_object_del(g, "ddbd_status");
            json_object_del(g, "ddbd_backfill");
        } else {
            char hex[2 * KEY_LMDB_MAX + 1];
            hex_encode(pos->b, pos->len, hex);
            json_object_set_new(g, "ddbd_backfill", json_string(hex));
        }
    }
    table_t *nt = table_from_json(t->ns, desc);
    int rc = catalog_put(txn, nt);
    table_free(nt);
    return rc;
}

static int backfill_job(store_txn_t *txn, catalog_cache_t *catalog, void *ud)
{
    (void)ud;
    bf.more = false; /* written here, read by done on the loop thread after the commit */
    buf_t key = BUF_INIT;
    if (!find_in_flight(txn, &key)) {
        buf_free(&key);
        return -1;
    }
    const char *ns = key.data; /* ns \0 name */
    size_t nslen = strlen(ns);
    const table_t *t;
    int rc = catalog_lookup(catalog, txn, ns, (str_t){key.data + nslen + 1, key.len - nslen - 1}, &t);
    if (rc || (t && (rc = finish_deletes(txn, t)) != 1)) {
        bf.more = rc == 0; /* look again: another index may be in flight */
        buf_free(&key);
        return rc;
    }
    rc = -1; /* wrote nothing, unless an index is being created */
    target_t tg = {0};
    for (size_t i = 0; t && i < t->n_indexes && !tg.name; i++)
        if (t->indexes[i].creating)
            tg = (target_t){&t->indexes[i], NULL, t->indexes[i].name, "GlobalSecondaryIndexes"};
    for (size_t i = 0; t && i < t->n_vindexes && !tg.name; i++)
        if (t->vindexes[i].creating)
            tg = (target_t){NULL, &t->vindexes[i], t->vindexes[i].name, "VectorIndexes"};
    if (tg.name) {
        const char *hex = NULL;
        size_t at;
        json_t *g;
        json_array_foreach(json_object_get(t->desc, tg.list), at, g)
        {
            if (strcmp(json_string_value(json_object_get(g, "IndexName")), tg.name) == 0)
                hex = json_string_value(json_object_get(g, "ddbd_backfill"));
        }
        key_buf_t pos;
        pos.len = hex_decode(hex, pos.b, sizeof pos.b);
        bool done;
        rc = backfill_chunk(txn, t, &tg, &pos, &done);
        if (!rc)
            rc = store_progress(txn, t, &tg, &pos, done);
        bf.more = true; /* look again: this index's next chunk, or another's */
    }
    buf_free(&key);
    return rc;
}

/* ---- scheduling (loop thread) ---------------------------------------------- */

static void job_done(void *ud, int rc);
static void on_timer(uv_timer_t *h);

static void submit_job(void)
{
    if (bf.stopping || bf.running)
        return;
    bf.running = true;
    bf.again = false;
    writer_submit_job(bf.writer, backfill_job, job_done, NULL);
}

static void job_done(void *ud, int rc)
{
    (void)ud;
    bf.running = false;
    if (rc < -1)
        log_error("index backfill: %s", store_strerror(rc));
    if (bf.stopping)
        return;
    if (bf.more || bf.again)
        uv_timer_start(&bf.timer, on_timer, BACKFILL_PAUSE_MS, 0);
}

static void on_timer(uv_timer_t *h)
{
    (void)h;
    submit_job();
}

static void on_notify(uv_async_t *h)
{
    (void)h;
    if (bf.running)
        bf.again = true;
    else
        submit_job();
}

void backfill_start(uv_loop_t *loop, writer_t *w)
{
    memset(&bf, 0, sizeof bf);
    bf.loop = loop;
    bf.writer = w;
    uv_async_init(loop, &bf.notify, on_notify);
    uv_timer_init(loop, &bf.timer);
    bf.started = true;
    submit_job();
}

void backfill_notify(void)
{
    if (bf.started && !bf.stopping)
        uv_async_send(&bf.notify);
}

void backfill_stop(void)
{
    bf.stopping = true;
    if (bf.started)
        uv_timer_stop(&bf.timer);
}

void backfill_close(void)
{
    if (!bf.started)
        return;
    bf.started = false;
    uv_close((uv_handle_t *)&bf.notify, NULL);
    uv_close((uv_handle_t *)&bf.timer, NULL);
}
