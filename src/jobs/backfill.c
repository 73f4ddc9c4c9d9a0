/* backfill.c - index backfill driven from the loop thread (see backfill.h).
 *
 * One backfill job is in flight at a time. It finds the first index still
 * CREATING (any namespace), reads the next chunk of its table's items in
 * the writer's transaction, adds their entries, and stores the new
 * position or, at the end, the index as ACTIVE; a job_runner submits the
 * next chunk while there is more to do. The server starts and stops it,
 * UpdateTable notifies it. */
#include "jobs/backfill.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/index.h"
#include "storage/vector_index.h"
#include "jobs/job_runner.h"

static job_runner_t runner;

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
        buf_free(&key);
        return rc; /* 0: deletions finished, and the runner looks again */
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
    }
    buf_free(&key);
    return rc; /* 0: the runner looks again, for this index's next chunk or another's */
}

/* ---- the runner (loop thread) ----------------------------------------------- */

void backfill_start(uv_loop_t *loop, writer_t *w)
{
    job_runner_start(&runner, loop, w, "index backfill", backfill_job, BACKFILL_PAUSE_MS);
}

void backfill_notify(void) { job_runner_notify(&runner); }

void backfill_stop(void) { job_runner_stop(&runner); }

void backfill_close(void) { job_runner_close(&runner); }
