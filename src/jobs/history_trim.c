/* history_trim.c - trimming the item history, expiring system backups (see
 * history_trim.h). */
#include "jobs/history_trim.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "base/log.h"
#include "storage/backup_store.h"
#include "storage/history.h"

bool history_window_start(const json_t *desc, int64_t now_ms, int64_t *out)
{
    const json_t *pitr = json_object_get(desc, "ddbd_pitr");
    if (!json_is_true(json_object_get(pitr, "on")))
        return false;
    int64_t since = (int64_t)json_integer_value(json_object_get(pitr, "since"));
    int64_t days = (int64_t)json_integer_value(json_object_get(pitr, "days"));
    int64_t window = now_ms - days * HISTORY_DAY_MS;
    *out = since > window ? since : window;
    return true;
}

/* ---- what may go ---------------------------------------------------------------- */

/* The oldest pin on each table a running job reads. */
typedef struct pins {
    struct pin {
        uint32_t id;
        history_pin_t at;
    } * list;
    size_t n;
} pins_t;

static int collect_pin(void *ud, const backup_job_ref_t *j)
{
    pins_t *p = ud;
    const json_t *src = json_object_get(j->job, "src");
    const char *from = json_string_value(json_object_get(src, "from"));
    if (!from || strcmp(from, "table") != 0)
        return 0;
    uint32_t id = (uint32_t)json_integer_value(json_object_get(src, "id"));
    history_pin_t at = {(uint64_t)json_integer_value(json_object_get(src, "seq")),
                        (int64_t)json_integer_value(json_object_get(src, "time"))};
    for (size_t i = 0; i < p->n; i++)
        if (p->list[i].id == id) {
            if (at.seq < p->list[i].at.seq)
                p->list[i].at.seq = at.seq;
            if (at.time_ms < p->list[i].at.time_ms)
                p->list[i].at.time_ms = at.time_ms;
            return 0;
        }
    p->list = xreallocarray(p->list, p->n + 1, sizeof *p->list);
    p->list[p->n++] = (struct pin){id, at};
    return 0;
}

/* How far table ref's history may go: entries with time < before and
 * seq <= max_seq; *drop when the whole history and header go. */
typedef struct bounds {
    int64_t before;
    uint64_t max_seq;
    bool drop;
} bounds_t;

static int bounds_of(store_txn_t *txn, catalog_cache_t *cache, const history_table_ref_t *ref, const pins_t *pins,
                     int64_t now_ms, bounds_t *b)
{
    const table_t *t;
    int rc = catalog_lookup(cache, txn, ref->ns, str_from_cstr(ref->name), &t);
    if (rc)
        return rc;
    if (t && t->id != ref->id)
        t = NULL; /* a new table of the same name */
    const struct pin *pin = NULL;
    for (size_t i = 0; i < pins->n; i++)
        if (pins->list[i].id == ref->id)
            pin = &pins->list[i];
    *b = (bounds_t){INT64_MAX, UINT64_MAX, false};
    if (!t || !history_window_start(t->desc, now_ms, &b->before))
        b->drop = !pin && !(t && t->keep_history);
    if (pin) {
        b->max_seq = pin->at.seq;
        if (pin->at.time_ms != HISTORY_NO_TIME && pin->at.time_ms < b->before)
            b->before = pin->at.time_ms + 1;
    }
    return 0;
}

static bool due(const history_table_ref_t *ref, const bounds_t *b)
{
    return b->drop || (ref->has_entries && ref->oldest_ms < b->before && ref->oldest_seq <= b->max_seq);
}

/* ---- system backups ------------------------------------------------------------ */

typedef struct expired {
    int64_t now_ms;
    size_t max, n;
    char **ns, **id; /* ns[i] / id[i]: an expired system backup */
} expired_t;

static int find_expired(void *ud, const char *ns, str_t id, json_t *rec)
{
    expired_t *e = ud;
    const char *type = json_string_value(json_object_get(rec, "type"));
    const json_t *expiry = json_object_get(rec, "expiry");
    if (!type || strcmp(type, "SYSTEM") != 0 || !expiry || json_number_value(expiry) * 1000 > (double)e->now_ms ||
        json_integer_value(json_object_get(rec, "restores")) > 0 ||
        strcmp(json_string_value(json_object_get(rec, "status")), "AVAILABLE") != 0)
        return 0;
    e->ns = xreallocarray(e->ns, e->n + 1, sizeof *e->ns);
    e->id = xreallocarray(e->id, e->n + 1, sizeof *e->id);
    e->ns[e->n] = xstrdup(ns);
    e->id[e->n] = xstrndup(id.ptr, id.len);
    return ++e->n == e->max;
}

static void expired_free(expired_t *e)
{
    for (size_t i = 0; i < e->n; i++) {
        free(e->ns[i]);
        free(e->id[i]);
    }
    free(e->ns);
    free(e->id);
}

/* ---- the step (writer thread) and the check (loop thread) ------------------------ */

/* Calls fn for each table with history and its bounds; stops on error. */
static int each_bounds(store_txn_t *txn, catalog_cache_t *cache, int64_t now_ms,
                       int (*fn)(void *ud, const history_table_ref_t *ref, const bounds_t *b), void *ud)
{
    pins_t pins = {NULL, 0};
    history_table_ref_t *refs = NULL;
    size_t n = 0;
    int rc = backup_job_each(txn, collect_pin, &pins);
    if (!rc)
        rc = history_tables(txn, &refs, &n);
    for (size_t i = 0; !rc && i < n; i++) {
        bounds_t b;
        rc = bounds_of(txn, cache, &refs[i], &pins, now_ms, &b);
        if (!rc)
            rc = fn(ud, &refs[i], &b);
    }
    history_tables_free(refs, n);
    free(pins.list);
    return rc;
}

typedef struct step {
    store_txn_t *txn;
    size_t budget;
    uint64_t removed;
    bool more;
} step_t;

static int trim_one(void *ud, const history_table_ref_t *ref, const bounds_t *b)
{
    step_t *s = ud;
    if (!due(ref, b))
        return 0;
    if (b->drop) {
        s->removed++; /* the header at least */
        return history_drop_table(s->txn, ref->id);
    }
    if (s->budget == 0) {
        s->more = true;
        return 0;
    }
    uint64_t removed;
    bool more;
    int rc = history_trim(s->txn, ref->id, b->before, b->max_seq, s->budget, &removed, &more);
    s->removed += removed;
    s->budget -= removed < s->budget ? removed : s->budget;
    s->more |= more;
    return rc;
}

int history_trim_step(store_txn_t *txn, catalog_cache_t *cache, int64_t now_ms, size_t max, uint64_t *removed,
                      bool *more)
{
    step_t s = {txn, max, 0, false};
    int rc = each_bounds(txn, cache, now_ms, trim_one, &s);
    expired_t e = {now_ms, 16, 0, NULL, NULL};
    if (!rc)
        rc = backup_each_all(txn, find_expired, &e);
    for (size_t i = 0; !rc && i < e.n; i++) {
        log_info("backup %s: system backup expired, deleted", e.id[i]);
        rc = backup_delete(txn, e.ns[i], str_from_cstr(e.id[i]));
    }
    s.removed += e.n;
    s.more |= e.n == e.max;
    expired_free(&e);
    *removed = s.removed;
    *more = s.more;
    return rc;
}

static int check_one(void *ud, const history_table_ref_t *ref, const bounds_t *b)
{
    *(bool *)ud |= due(ref, b);
    return 0;
}

static struct {
    uv_timer_t timer;
    store_t *store;
    writer_t *writer;
    catalog_cache_t *cache; /* the loop thread's, for the check */
    bool started, running, stopping;
} tr;

static bool trim_due(int64_t now_ms)
{
    store_txn_t *txn;
    if (store_read_begin(tr.store, &txn))
        return false;
    bool is_due = false;
    each_bounds(txn, tr.cache, now_ms, check_one, &is_due);
    if (!is_due) {
        expired_t e = {now_ms, 1, 0, NULL, NULL};
        backup_each_all(txn, find_expired, &e);
        is_due = e.n > 0;
        expired_free(&e);
    }
    store_read_end(txn);
    return is_due;
}

static void trim_done(void *ud, int rc);

static int trim_job(store_txn_t *txn, catalog_cache_t *cache, void *ud)
{
    uint64_t *removed = ud;
    bool more;
    int rc = history_trim_step(txn, cache, clock_now_ms(), HISTORY_TRIM_STEP_MAX, removed, &more);
    return rc ? rc : *removed ? 0 : -1; /* -1: nothing written */
}

static void trim_done(void *ud, int rc)
{
    uint64_t *removed = ud;
    tr.running = false;
    if (rc < -1)
        log_warn("history trim: %s", store_strerror(rc));
    else if (*removed)
        log_debug("history trim: removed %llu entries", (unsigned long long)*removed);
    free(removed);
}

static void on_tick(uv_timer_t *t)
{
    (void)t;
    if (tr.running || tr.stopping || !trim_due(clock_now_ms()))
        return;
    tr.running = true;
    writer_submit_job(tr.writer, trim_job, trim_done, xcalloc(1, sizeof(uint64_t)));
}

void history_trimmer_start(uv_loop_t *loop, store_t *store, writer_t *w)
{
    memset(&tr, 0, sizeof tr);
    tr.store = store;
    tr.writer = w;
    tr.cache = catalog_cache_new();
    uv_timer_init(loop, &tr.timer);
    uv_timer_start(&tr.timer, on_tick, HISTORY_TRIM_INTERVAL_MS, HISTORY_TRIM_INTERVAL_MS);
    uv_unref((uv_handle_t *)&tr.timer); /* never keeps the loop alive on its own */
    tr.started = true;
}

static void on_timer_closed(uv_handle_t *h)
{
    (void)h;
    catalog_cache_free(tr.cache);
    tr.cache = NULL;
}

void history_trimmer_stop(void)
{
    tr.stopping = true;
    if (!tr.started)
        return;
    tr.started = false;
    uv_timer_stop(&tr.timer);
    uv_close((uv_handle_t *)&tr.timer, on_timer_closed);
}
