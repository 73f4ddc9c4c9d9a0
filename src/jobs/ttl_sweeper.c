/* ttl_sweeper.c - deletes expired items and trims streams (see ttl_sweeper.h). */
#include "jobs/ttl_sweeper.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "base/log.h"
#include "storage/itemstore.h"
#include "storage/ttl_index.h"
#include "streams/stream.h"

/* Deletes one due item (or, when it is too old to count or its entry is
 * stale, just the entry). */
static int expire_one(store_txn_t *txn, const table_t *t, const ttl_entry_t *e, int64_t now_s, arena_t *a,
                      bool *deleted)
{
    *deleted = false;
    int64_t expiry = ttl_entry_expiry(e);
    key_buf_t key;
    ttl_entry_item_key(e, &key);
    value_t item;
    bool found;
    int rc = itemstore_get(txn, a, t, &key, &item, &found);
    if (rc)
        return rc;
    int64_t cur;
    bool live = found && ttl_item_expiry(&item, ttl_attr(t), &cur) && cur == expiry;
    if (!live || expiry < now_s - TTL_IGNORE_OLDER_S)
        return ttl_entry_remove(txn, e);
    stream_set_ttl_identity(true);
    rc = itemstore_delete(txn, t, &key, &item, NULL); /* removes the entry too (ttl_on_write) */
    stream_set_ttl_identity(false);
    *deleted = rc == 0;
    return rc;
}

static int sweep_table(store_txn_t *txn, catalog_cache_t *cache, const ttl_table_ref_t *ref, int64_t now_s,
                       size_t *budget, ttl_sweep_result_t *out)
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
        ttl_entry_t e;
        bool found, deleted;
        rc = ttl_first_due(txn, ref->id, now_s, &e, &found);
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
    ttl_table_ref_t *tables;
    size_t n;
    int rc = ttl_tables(txn, &tables, &n);
    size_t budget = max;
    for (size_t i = 0; !rc && i < n; i++)
        rc = sweep_table(txn, cache, &tables[i], now_ms / 1000, &budget, out);
    ttl_tables_free(tables, n);
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
    sweep_run_t *s = xcalloc(1, sizeof *s);
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
    ttl_table_ref_t *tables;
    size_t n;
    bool due = false;
    if (ttl_tables(txn, &tables, &n) == 0) {
        for (size_t i = 0; i < n && !due; i++) {
            ttl_entry_t e;
            ttl_first_due(txn, tables[i].id, now_ms / 1000, &e, &due);
        }
        ttl_tables_free(tables, n);
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
