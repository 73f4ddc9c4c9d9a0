/* ttl.c - the TTL expiry index and the sweeper (see ttl.h). */
#include "storage/ttl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "storage/itemstore.h"
#include "base/log.h"
#include "streams/stream.h"

#define TTL_HEADER_LEN 4
#define TTL_ENTRY_PREFIX 12 /* table id + expiry second */

static void put_be32(uint8_t *p, uint32_t v)
{
    for (int i = 3; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

static void put_be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

static uint64_t get_be(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* The item's expiry second under attr, or false when it has none: the
 * attribute must be a Number (epoch seconds; a fraction is dropped). */
static bool item_expiry(const value_t *item, const char *attr, int64_t *out)
{
    if (!item || !attr)
        return false;
    const value_t *v = item_get(item, str_from_cstr(attr));
    if (!v || v->type != VT_N || v->s.len > 64)
        return false;
    char text[72];
    memcpy(text, v->s.ptr, v->s.len);
    text[v->s.len] = '\0';
    double d = strtod(text, NULL);
    if (!(d >= 0) || d > 9e15)
        return false; /* negative or absurd: never due */
    *out = (int64_t)floor(d);
    return true;
}

typedef struct entry_key {
    uint8_t b[TTL_ENTRY_PREFIX + KEY_LMDB_MAX];
    size_t len;
} entry_key_t;

static str_t entry_key(entry_key_t *e, uint32_t table_id, int64_t expiry, str_t item_key)
{
    put_be32(e->b, table_id);
    put_be64(e->b + 4, (uint64_t)expiry);
    memcpy(e->b + TTL_ENTRY_PREFIX, item_key.ptr, item_key.len);
    e->len = TTL_ENTRY_PREFIX + item_key.len;
    return (str_t){(const char *)e->b, e->len};
}

static const char *ttl_attr(const table_t *t)
{
    return json_string_value(json_object_get(t->desc, "TimeToLiveAttribute"));
}

int ttl_on_write(store_txn_t *txn, const table_t *t, const key_buf_t *key, const value_t *old_item,
                 const value_t *new_item)
{
    const char *attr = ttl_attr(t);
    if (!attr)
        return 0;
    int64_t was = 0, now = 0;
    bool had = item_expiry(old_item, attr, &was), has = item_expiry(new_item, attr, &now);
    if (had && has && was == now)
        return 0;
    str_t ik = {(const char *)key->b, key->len};
    entry_key_t e;
    if (had) {
        int rc = store_del(txn, STORE_DB_TTL, entry_key(&e, t->id, was, ik));
        if (rc && rc != STORE_NOTFOUND)
            return rc;
    }
    return has ? store_put(txn, STORE_DB_TTL, entry_key(&e, t->id, now, ik), STR_LIT("")) : 0;
}

int ttl_drop_table(store_txn_t *txn, uint32_t table_id)
{
    uint8_t p[4];
    put_be32(p, table_id);
    return store_del_prefix(txn, STORE_DB_TTL, (str_t){(const char *)p, 4}, NULL);
}

/* Indexes every stored item of t under attr. */
static int index_items(store_txn_t *txn, const table_t *t, const char *attr)
{
    key_buf_t prefix;
    key_encode_table(t->id, &prefix);
    store_cursor_t *c;
    int rc = store_cursor_open(txn, STORE_DB_ITEMS, &c);
    if (rc)
        return rc;
    arena_t a;
    arena_init(&a);
    str_t k, v;
    for (rc = store_cursor_seek(c, (str_t){(const char *)prefix.b, prefix.len}, &k, &v); rc == 0;
         rc = store_cursor_next(c, &k, &v)) {
        if (k.len < prefix.len || memcmp(k.ptr, prefix.b, prefix.len) != 0)
            break;
        value_t item;
        int64_t exp;
        arena_clear(&a);
        if (value_decode(&a, (const uint8_t *)v.ptr, v.len, &item) != 0) {
            rc = STORE_ERR_IO;
            break;
        }
        if (!item_expiry(&item, attr, &exp))
            continue;
        entry_key_t e;
        /* a put while a cursor of another database is open is fine in LMDB */
        rc = store_put(txn, STORE_DB_TTL, entry_key(&e, t->id, exp, k), STR_LIT(""));
        if (rc)
            break;
    }
    arena_free(&a);
    store_cursor_close(c);
    return rc == STORE_NOTFOUND ? 0 : rc;
}

int ttl_set_attribute(store_txn_t *txn, const table_t *t, const char *attr)
{
    int rc = ttl_drop_table(txn, t->id);
    if (rc || !attr)
        return rc;
    uint8_t hk[4];
    put_be32(hk, t->id);
    buf_t ck = BUF_INIT;
    catalog_key(t->ns, str_from_cstr(t->name), &ck);
    rc = store_put(txn, STORE_DB_TTL, (str_t){(const char *)hk, 4}, (str_t){ck.data, ck.len});
    buf_free(&ck);
    return rc ? rc : index_items(txn, t, attr);
}

/* ---- sweeping ------------------------------------------------------------ */

typedef struct table_ref {
    uint32_t id;
    char *ns, *name;
} table_ref_t;

/* The tables with TTL enabled (header rows), malloc'ed; *n counts them. */
static int ttl_tables(store_txn_t *txn, table_ref_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    store_cursor_t *c;
    int rc = store_cursor_open(txn, STORE_DB_TTL, &c);
    if (rc)
        return rc;
    size_t cap = 0;
    str_t k, v;
    uint8_t next[4] = {0, 0, 0, 0};
    for (rc = store_cursor_seek(c, (str_t){(const char *)next, 4}, &k, &v); rc == 0;) {
        if (k.len < 4)
            break;
        uint32_t id = (uint32_t)get_be((const uint8_t *)k.ptr, 4);
        if (k.len == TTL_HEADER_LEN) {
            const char *nul = memchr(v.ptr, '\0', v.len);
            if (nul) {
                if (*n == cap) {
                    cap = cap ? cap * 2 : 8;
                    *out = realloc(*out, cap * sizeof **out);
                    if (!*out)
                        abort();
                }
                (*out)[(*n)++] = (table_ref_t){id, strndup(v.ptr, (size_t)(nul - v.ptr)),
                                               strndup(nul + 1, v.len - (size_t)(nul - v.ptr) - 1)};
            }
        }
        if (id == UINT32_MAX)
            break;
        put_be32(next, id + 1);
        rc = store_cursor_seek(c, (str_t){(const char *)next, 4}, &k, &v);
    }
    store_cursor_close(c);
    return rc == STORE_NOTFOUND ? 0 : rc;
}

static void free_tables(table_ref_t *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(t[i].ns);
        free(t[i].name);
    }
    free(t);
}

/* The first due entry of table id (expiry <= now_s), copied into e. */
static int first_due(store_txn_t *txn, uint32_t id, int64_t now_s, entry_key_t *e, bool *found)
{
    *found = false;
    store_cursor_t *c;
    int rc = store_cursor_open(txn, STORE_DB_TTL, &c);
    if (rc)
        return rc;
    uint8_t start[TTL_ENTRY_PREFIX];
    put_be32(start, id);
    put_be64(start + 4, 0);
    str_t k, v;
    rc = store_cursor_seek(c, (str_t){(const char *)start, sizeof start}, &k, &v);
    if (rc == 0 && k.len > TTL_ENTRY_PREFIX && k.len <= sizeof e->b && get_be((const uint8_t *)k.ptr, 4) == id &&
        (int64_t)get_be((const uint8_t *)k.ptr + 4, 8) <= now_s) {
        memcpy(e->b, k.ptr, k.len);
        e->len = k.len;
        *found = true;
    }
    store_cursor_close(c);
    return rc == STORE_NOTFOUND ? 0 : rc;
}

/* Deletes one due item (or, when it is too old to count or its entry is
 * stale, just the entry). */
static int expire_one(store_txn_t *txn, const table_t *t, const entry_key_t *e, int64_t now_s, arena_t *a,
                      bool *deleted)
{
    *deleted = false;
    int64_t expiry = (int64_t)get_be(e->b + 4, 8);
    key_buf_t key;
    key.len = e->len - TTL_ENTRY_PREFIX;
    memcpy(key.b, e->b + TTL_ENTRY_PREFIX, key.len);
    value_t item;
    bool found;
    int rc = itemstore_get(txn, a, t, &key, &item, &found);
    if (rc)
        return rc;
    int64_t cur;
    bool live = found && item_expiry(&item, ttl_attr(t), &cur) && cur == expiry;
    if (!live || expiry < now_s - TTL_IGNORE_OLDER_S) {
        rc = store_del(txn, STORE_DB_TTL, (str_t){(const char *)e->b, e->len});
        return rc == STORE_NOTFOUND ? 0 : rc;
    }
    stream_set_ttl_identity(true);
    rc = itemstore_delete(txn, t, &key, &item, NULL); /* removes the entry too (ttl_on_write) */
    stream_set_ttl_identity(false);
    *deleted = rc == 0;
    return rc;
}

static int sweep_table(store_txn_t *txn, catalog_cache_t *cache, const table_ref_t *ref, int64_t now_s, size_t *budget,
                       ttl_sweep_result_t *out)
{
    const table_t *t;
    int rc = catalog_lookup(cache, txn, ref->ns, str_from_cstr(ref->name), &t);
    if (rc)
        return rc;
    if (!t || t->id != ref->id || !ttl_attr(t))
        return ttl_drop_table(txn, ref->id); /* left behind by a dropped table */
    arena_t a;
    arena_init(&a);
    while (*budget > 0) {
        entry_key_t e;
        bool found, deleted;
        rc = first_due(txn, ref->id, now_s, &e, &found);
        if (rc || !found)
            break;
        arena_clear(&a);
        rc = expire_one(txn, t, &e, now_s, &a, &deleted);
        if (rc)
            break;
        (*budget)--;
        out->expired += deleted;
    }
    arena_free(&a);
    if (!rc && *budget == 0)
        out->more = true;
    return rc;
}

int ttl_sweep_step(store_txn_t *txn, catalog_cache_t *cache, int64_t now_ms, size_t max, ttl_sweep_result_t *out)
{
    memset(out, 0, sizeof *out);
    table_ref_t *tables;
    size_t n;
    int rc = ttl_tables(txn, &tables, &n);
    size_t budget = max;
    for (size_t i = 0; !rc && i < n; i++)
        rc = sweep_table(txn, cache, &tables[i], now_ms / 1000, &budget, out);
    free_tables(tables, n);
    bool more_trim = false;
    if (!rc)
        rc = stream_trim(txn, now_ms, max, &out->trimmed, &more_trim);
    out->more |= more_trim;
    return rc;
}

/* ---- running sweeps through the writer ------------------------------------- */

static bool sweeps_stopping; /* shutdown: no new writer jobs (loop thread) */

typedef struct sweep_run {
    writer_t *w;
    ttl_sweep_result_t step, total;
    ttl_sweep_done done;
    void *ud;
    int steps;
} sweep_run_t;

#define SWEEP_STEP_MAX 1000 /* deletions per writer job: keeps other writes flowing */
#define SWEEP_MAX_STEPS 10000

static int sweep_job(store_txn_t *txn, catalog_cache_t *cache, void *ud)
{
    sweep_run_t *s = ud;
    int rc = ttl_sweep_step(txn, cache, clock_now_ms(), SWEEP_STEP_MAX, &s->step);
    if (rc)
        return rc;
    return s->step.expired || s->step.trimmed || s->step.more ? 0 : -1; /* -1: wrote nothing */
}

static void sweep_job_done(void *ud, int rc)
{
    sweep_run_t *s = ud;
    if (rc == 0 || rc == -1) {
        s->total.expired += s->step.expired;
        s->total.trimmed += s->step.trimmed;
        if (s->step.more && ++s->steps < SWEEP_MAX_STEPS && !sweeps_stopping) {
            writer_submit_job(s->w, sweep_job, sweep_job_done, s);
            return;
        }
        rc = 0;
    }
    s->total.more = false;
    if (s->done)
        s->done(s->ud, rc, &s->total);
    free(s);
}

void ttl_sweep_now(writer_t *w, ttl_sweep_done done, void *ud)
{
    sweep_run_t *s = calloc(1, sizeof *s);
    if (!s)
        abort();
    s->w = w;
    s->done = done;
    s->ud = ud;
    writer_submit_job(w, sweep_job, sweep_job_done, s);
}

/* ---- the background sweeper ---------------------------------------------------- */

static struct {
    uv_timer_t timer;
    store_t *store;
    writer_t *writer;
    bool running; /* a sweep is at the writer */
    bool started;
} sweeper;

/* Anything due? A read transaction, so an idle server never writes. */
static bool sweep_due(int64_t now_ms)
{
    store_txn_t *txn;
    if (store_read_begin(sweeper.store, &txn))
        return false;
    table_ref_t *tables;
    size_t n;
    bool due = false;
    if (ttl_tables(txn, &tables, &n) == 0) {
        for (size_t i = 0; i < n && !due; i++) {
            entry_key_t e;
            first_due(txn, tables[i].id, now_ms / 1000, &e, &due);
        }
        free_tables(tables, n);
    }
    if (!due)
        due = stream_trim_due(txn, now_ms);
    store_read_end(txn);
    return due;
}

static void background_done(void *ud, int rc, const ttl_sweep_result_t *total)
{
    (void)ud;
    sweeper.running = false;
    if (rc)
        log_warn("ttl: background sweep failed: %s", store_strerror(rc));
    else if (total->expired || total->trimmed)
        log_info("ttl: expired %llu items, trimmed %llu stream records", (unsigned long long)total->expired,
                 (unsigned long long)total->trimmed);
}

static void on_tick(uv_timer_t *t)
{
    (void)t;
    if (sweeper.running || !sweep_due(clock_now_ms()))
        return;
    sweeper.running = true;
    ttl_sweep_now(sweeper.writer, background_done, NULL);
}

static uint64_t sweep_interval_ms = TTL_SWEEP_INTERVAL_DEFAULT_MS;

void ttl_sweeper_interval(uint64_t interval_ms) { sweep_interval_ms = interval_ms; }

void ttl_sweeper_start(uv_loop_t *loop, store_t *store, writer_t *w)
{
    uint64_t interval_ms = sweep_interval_ms;
    if (interval_ms == 0)
        return; /* sweeps only on demand (POST /_ddbd/ttl/sweep) */
    sweeper.store = store;
    sweeper.writer = w;
    uv_timer_init(loop, &sweeper.timer);
    uv_timer_start(&sweeper.timer, on_tick, interval_ms, interval_ms);
    uv_unref((uv_handle_t *)&sweeper.timer); /* never keeps the loop alive on its own */
    sweeper.started = true;
}

void ttl_sweeper_stop(void)
{
    sweeps_stopping = true;
    if (!sweeper.started)
        return;
    sweeper.started = false;
    uv_timer_stop(&sweeper.timer);
    uv_close((uv_handle_t *)&sweeper.timer, NULL);
}
