/* writer.c - the writer thread, its group commit, and the sync thread
 * that makes commits durable (see writer.h).
 *
 * Queue discipline: the loop thread collects what its callbacks submit
 * during one loop iteration (`local`) and hands the whole list over
 * before the loop next waits for events (a uv_prepare, for what timers
 * submitted) or right after it woke (a uv_check, for what I/O submitted): appended to `queue` under `lock`
 * with one signal. The writer takes the whole queue at once, applies it in
 * one transaction and commits.
 *
 * Durability (durable stores): the store commits with MDB_NOMETASYNC, so
 * a commit flushes its own pages but not its meta page, which the next
 * flush carries. A batch is acknowledged once a flush that started after
 * its commit has finished: the next commit's own (it covers every earlier
 * meta page), or the sync thread's, which flushes whenever something
 * committed is not yet durable. So the writer applies and commits batch
 * N+1 while batch N's flush runs, and no reply leaves before its batch
 * is on disk. Batches that committed nothing (refused writes, reads of
 * the writer's state) wait for what they saw to be durable too.
 *
 * Without fsync (--no-fsync, --in-memory) a batch is done when it
 * commits, and when the writer thread has nothing to do, the loop thread
 * applies the iteration's requests itself: two thread hand-offs less per
 * write, which is most of a lone write's latency. */
#include "storage/writer.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/log.h"

typedef struct item_list {
    writer_item_t *head, *tail;
} item_list_t;

#define MAX_COMMIT_HOOKS 4

typedef enum fault { FAULT_NONE, FAULT_BATCH, FAULT_ALL } fault_t;

struct writer {
    store_t *store;
    catalog_cache_t *catalog; /* the writer thread's own cache */
    catalog_cache_t *inline_catalog; /* the loop thread's, for the writes it applies */
    bool needs_sync; /* commits are durable only after a flush */
    pthread_t thread, sync_thread;
    pthread_mutex_t lock;
    pthread_cond_t wake; /* the writer: queue or stopping */
    pthread_cond_t sync_wake; /* the sync thread: committed > durable, or stopping */
    item_list_t queue; /* waiting for the writer */
    item_list_t unsynced; /* committed, waiting for a flush (in commit order) */
    item_list_t done; /* durable, waiting for the loop */
    uint64_t committed; /* the last transaction the writer committed */
    uint64_t durable; /* transactions up to this one are on disk */
    bool stopping, sync_stopping;
    /* Loop thread only. */
    item_list_t local; /* submitted in this loop iteration */
    size_t n_local;
    size_t pending; /* submitted, not yet done */
    uv_prepare_t prepare;
    uv_check_t check;
    uv_async_t async;
    int open_handles; /* prepare, check and async: w is freed when all have closed */
    struct {
        void (*fn)(void *ud);
        void *ud;
    } on_commit[MAX_COMMIT_HOOKS];
    int n_on_commit;
    struct {
        void (*fn)(void *ud);
        void *ud;
    } on_committed[MAX_COMMIT_HOOKS]; /* writer thread, after each commit */
    int n_on_committed;
    fault_t fault; /* tests only (WRITER_FAULT_ENV) */
};

static void list_push(item_list_t *l, writer_item_t *it)
{
    it->next = NULL;
    if (l->tail)
        l->tail->next = it;
    else
        l->head = it;
    l->tail = it;
}

static void list_append(item_list_t *l, item_list_t *more)
{
    if (!more->head)
        return;
    if (l->tail)
        l->tail->next = more->head;
    else
        l->head = more->head;
    l->tail = more->tail;
    *more = (item_list_t){NULL, NULL};
}

/* ---- applying ------------------------------------------------------------ */

/* Commits txn, unless a test asked this commit to fail. */
static int commit(writer_t *w, store_txn_t *txn, bool batch)
{
    if (w->fault == FAULT_ALL || (w->fault == FAULT_BATCH && batch)) {
        store_write_abort(txn);
        return STORE_ERR_IO;
    }
    int rc = store_write_commit(txn);
    for (int i = 0; i < w->n_on_committed && rc == 0; i++)
        w->on_committed[i].fn(w->on_committed[i].ud);
    return rc;
}

/* Runs one item alone in its own transaction, after reset: the fallback
 * when the shared one hit a storage error, so only the item at fault
 * fails. */
static void apply_alone(writer_t *w, writer_item_t *it, catalog_cache_t *catalog)
{
    if (it->reset)
        it->reset(it);
    store_txn_t *txn;
    int rc = store_write_begin(w->store, &txn);
    if (rc) {
        it->rc = rc;
        return;
    }
    it->rc = it->apply(it, txn, catalog);
    if (it->rc < -1) {
        store_write_abort(txn);
        return;
    }
    if ((rc = commit(w, txn, false)) != 0)
        it->rc = rc;
}

static void apply_batch(writer_t *w, writer_item_t *head, catalog_cache_t *catalog)
{
    store_txn_t *txn;
    int rc = store_write_begin(w->store, &txn);
    if (rc) {
        log_error("writer: cannot begin a write transaction: %s", store_strerror(rc));
        for (writer_item_t *it = head; it; it = it->next)
            it->rc = rc;
        return;
    }
    for (writer_item_t *it = head; it; it = it->next) {
        it->rc = it->apply(it, txn, catalog);
        if (it->rc < -1) {
            rc = it->rc;
            break;
        }
    }
    if (rc == 0)
        rc = commit(w, txn, true);
    else
        store_write_abort(txn);
    if (rc) {
        log_warn("writer: batch failed (%s); retrying its items one by one", store_strerror(rc));
        for (writer_item_t *it = head; it; it = it->next)
            apply_alone(w, it, catalog);
    }
}

/* ---- durability (under lock) ------------------------------------------------ */

/* Moves the unsynced items whose commits are durable to done. */
static void deliver_durable(writer_t *w)
{
    bool any = false;
    while (w->unsynced.head && w->unsynced.head->horizon <= w->durable) {
        writer_item_t *it = w->unsynced.head;
        w->unsynced.head = it->next;
        if (!w->unsynced.head)
            w->unsynced.tail = NULL;
        list_push(&w->done, it);
        any = true;
    }
    if (any)
        uv_async_send(&w->async);
}

/* After a batch: its items wait until what they saw is durable. */
static void batch_committed(writer_t *w, item_list_t *batch, uint64_t last)
{
    for (writer_item_t *it = batch->head; it; it = it->next)
        it->horizon = last;
    if (!w->needs_sync) {
        w->committed = w->durable = last;
        list_append(&w->done, batch);
        uv_async_send(&w->async);
        return;
    }
    /* A commit flushed before writing its meta page: every earlier meta
     * page, each written by an earlier commit, went with that flush. */
    if (last > w->committed && last - 1 > w->durable)
        w->durable = last - 1;
    if (last > w->committed)
        w->committed = last;
    list_append(&w->unsynced, batch);
    deliver_durable(w);
    if (w->committed > w->durable)
        pthread_cond_signal(&w->sync_wake);
}

/* ---- the threads --------------------------------------------------------------- */

static void *writer_main(void *arg)
{
    writer_t *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (!w->queue.head && !w->stopping)
            pthread_cond_wait(&w->wake, &w->lock);
        if (!w->queue.head && w->stopping)
            break;
        item_list_t batch = w->queue;
        w->queue = (item_list_t){NULL, NULL};
        pthread_mutex_unlock(&w->lock);

        apply_batch(w, batch.head, w->catalog);
        uint64_t last = store_last_txnid(w->store);

        pthread_mutex_lock(&w->lock);
        batch_committed(w, &batch, last);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/* Flushes whenever a commit is not yet durable. A failed flush leaves no
 * way to know what reached the disk: its writes are answered with the
 * storage error, never as successes. */
static void *sync_main(void *arg)
{
    writer_t *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (w->committed <= w->durable && !w->sync_stopping)
            pthread_cond_wait(&w->sync_wake, &w->lock);
        if (w->committed <= w->durable)
            break; /* stopping, and everything is on disk */
        uint64_t target = w->committed; /* its meta page is written: the flush will carry it */
        pthread_mutex_unlock(&w->lock);
        int rc = store_sync(w->store);
        pthread_mutex_lock(&w->lock);
        if (rc) {
            log_error("writer: flushing the database failed (%s): the writes it held are answered with an error",
                      store_strerror(rc));
            for (writer_item_t *it = w->unsynced.head; it && it->horizon <= target; it = it->next)
                it->rc = rc;
        }
        if (target > w->durable)
            w->durable = target;
        deliver_durable(w);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/* ---- jobs ------------------------------------------------------------------------ */

/* A job rides the queue as an item whose apply calls the job's fn. */
typedef struct writer_job {
    writer_item_t item;
    writer_job_fn fn;
    writer_job_done done;
    void *ud;
} writer_job_t;

static int job_apply(writer_item_t *it, store_txn_t *txn, catalog_cache_t *catalog)
{
    writer_job_t *j = (writer_job_t *)it;
    return j->fn(txn, catalog, j->ud);
}

static void job_done(writer_item_t *it, int rc)
{
    writer_job_t *j = (writer_job_t *)it;
    if (j->done)
        j->done(j->ud, rc);
    free(j);
}

/* ---- the loop thread's side ---------------------------------------------------------- */

static void finish(writer_t *w, item_list_t *done)
{
    for (writer_item_t *it = done->head, *next; it; it = next) {
        next = it->next;
        w->pending--;
        it->done(it, it->rc);
    }
    for (int i = 0; i < w->n_on_commit; i++)
        w->on_commit[i].fn(w->on_commit[i].ud);
}

static void on_async(uv_async_t *h)
{
    writer_t *w = h->data;
    pthread_mutex_lock(&w->lock);
    item_list_t done = w->done;
    w->done = (item_list_t){NULL, NULL};
    pthread_mutex_unlock(&w->lock);
    finish(w, &done);
}

/* Whether the loop thread may apply the local list itself: no fsync to
 * wait for, the writer thread holding nothing (so order is kept), and no
 * job (a backfill chunk or a TTL sweep is the writer thread's, never the
 * loop's). */
static bool can_apply_inline(const writer_t *w)
{
    if (w->needs_sync || w->pending != w->n_local || w->fault != FAULT_NONE)
        return false;
    for (const writer_item_t *it = w->local.head; it; it = it->next)
        if (it->apply == job_apply)
            return false;
    return true;
}

/* Before the loop waits, or once it woke: what it submitted goes to the writer in one
 * hand-off, or is applied here. Replies may submit more (a pipelined
 * request behind a write): repeat until nothing is left. */
static void hand_over(writer_t *w)
{
    while (w->local.head) {
        item_list_t batch = w->local;
        bool here = can_apply_inline(w);
        w->local = (item_list_t){NULL, NULL};
        w->n_local = 0;
        if (here) {
            apply_batch(w, batch.head, w->inline_catalog);
            finish(w, &batch);
            continue;
        }
        pthread_mutex_lock(&w->lock);
        list_append(&w->queue, &batch);
        pthread_cond_signal(&w->wake);
        pthread_mutex_unlock(&w->lock);
    }
    uv_prepare_stop(&w->prepare);
    uv_check_stop(&w->check);
}

static void on_prepare(uv_prepare_t *h) { hand_over(h->data); }

static void on_check(uv_check_t *h) { hand_over(h->data); }

static fault_t fault_from_env(void)
{
    const char *f = getenv(WRITER_FAULT_ENV);
    if (!f || !*f || !strcmp(f, "0"))
        return FAULT_NONE;
    log_warn("writer: %s=%s: commits fail on purpose (tests only)", WRITER_FAULT_ENV, f);
    return strcmp(f, "all") == 0 ? FAULT_ALL : FAULT_BATCH;
}

int writer_start(writer_t **out, store_t *store, uv_loop_t *loop)
{
    writer_t *w = xcalloc(1, sizeof *w);
    w->store = store;
    w->catalog = catalog_cache_new();
    w->inline_catalog = catalog_cache_new();
    w->needs_sync = store_needs_sync(store);
    /* The last commit's data is on disk (a commit flushes its pages), its
     * meta page maybe not (a kill -9 right after it): one flush at start,
     * by the sync thread, before anything that saw it is answered. */
    w->committed = store_last_txnid(store);
    w->durable = w->needs_sync && w->committed ? w->committed - 1 : w->committed;
    w->fault = fault_from_env();
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, NULL);
    pthread_cond_init(&w->sync_wake, NULL);
    int rc = uv_async_init(loop, &w->async, on_async);
    if (rc)
        return rc;
    w->async.data = w;
    uv_prepare_init(loop, &w->prepare);
    w->prepare.data = w;
    uv_check_init(loop, &w->check);
    w->check.data = w;
    if (pthread_create(&w->thread, NULL, writer_main, w) != 0 ||
        (w->needs_sync && pthread_create(&w->sync_thread, NULL, sync_main, w) != 0))
        return -1;
    if (w->needs_sync && w->committed > w->durable)
        pthread_cond_signal(&w->sync_wake);
    *out = w;
    return 0;
}

void writer_submit(writer_t *w, writer_item_t *it)
{
    w->pending++;
    w->n_local++;
    list_push(&w->local, it);
    if (!uv_is_active((uv_handle_t *)&w->check)) {
        uv_prepare_start(&w->prepare, on_prepare);
        uv_check_start(&w->check, on_check);
    }
}

void writer_submit_job(writer_t *w, writer_job_fn fn, writer_job_done done, void *ud)
{
    writer_job_t *j = xcalloc(1, sizeof *j);
    *j = (writer_job_t){{.apply = job_apply, .done = job_done}, fn, done, ud};
    writer_submit(w, &j->item);
}

void writer_on_commit(writer_t *w, void (*fn)(void *ud), void *ud)
{
    if (w->n_on_commit == MAX_COMMIT_HOOKS)
        abort(); /* a start-up wiring mistake */
    w->on_commit[w->n_on_commit].fn = fn;
    w->on_commit[w->n_on_commit++].ud = ud;
}

void writer_on_committed(writer_t *w, void (*fn)(void *ud), void *ud)
{
    if (w->n_on_committed == MAX_COMMIT_HOOKS)
        abort(); /* a start-up wiring mistake */
    w->on_committed[w->n_on_committed].fn = fn;
    w->on_committed[w->n_on_committed++].ud = ud;
}

size_t writer_pending(writer_t *w) { return w->pending; }

static void on_handle_closed(uv_handle_t *h)
{
    writer_t *w = h->data;
    if (--w->open_handles)
        return;
    catalog_cache_free(w->catalog);
    catalog_cache_free(w->inline_catalog);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->wake);
    pthread_cond_destroy(&w->sync_wake);
    free(w);
}

void writer_stop(writer_t *w)
{
    hand_over(w); /* what this iteration submitted goes first */
    pthread_mutex_lock(&w->lock);
    w->stopping = true;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    if (w->needs_sync) {
        pthread_mutex_lock(&w->lock);
        w->sync_stopping = true;
        pthread_cond_signal(&w->sync_wake);
        pthread_mutex_unlock(&w->lock);
        pthread_join(w->sync_thread, NULL);
    }
    on_async(&w->async); /* deliver what the last batches finished */
    w->open_handles = 3;
    uv_close((uv_handle_t *)&w->prepare, on_handle_closed);
    uv_close((uv_handle_t *)&w->check, on_handle_closed);
    uv_close((uv_handle_t *)&w->async, on_handle_closed);
}
