/* writer.c - the writer thread and its group commit (see writer.h).
 *
 * Queue discipline: the loop thread appends to `queue` under `lock` and
 * signals; the writer takes the whole queue at once, applies it in one
 * transaction, commits, then appends the batch to `done` and wakes the
 * loop with uv_async_send, which coalesces wake-ups. */
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
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    item_list_t queue; /* waiting for the writer */
    item_list_t done; /* applied and committed, waiting for the loop */
    bool stopping;
    size_t pending; /* loop thread's count of submitted, not yet done */
    uv_async_t async;
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
}

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
static void apply_alone(writer_t *w, writer_item_t *it)
{
    if (it->reset)
        it->reset(it);
    store_txn_t *txn;
    int rc = store_write_begin(w->store, &txn);
    if (rc) {
        it->rc = rc;
        return;
    }
    it->rc = it->apply(it, txn, w->catalog);
    if (it->rc < -1) {
        store_write_abort(txn);
        return;
    }
    if ((rc = commit(w, txn, false)) != 0)
        it->rc = rc;
}

static void apply_batch(writer_t *w, writer_item_t *head)
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
        it->rc = it->apply(it, txn, w->catalog);
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
            apply_alone(w, it);
    }
}

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

        apply_batch(w, batch.head);

        pthread_mutex_lock(&w->lock);
        list_append(&w->done, &batch);
        uv_async_send(&w->async);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

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

static void on_async(uv_async_t *h)
{
    writer_t *w = h->data;
    pthread_mutex_lock(&w->lock);
    item_list_t done = w->done;
    w->done = (item_list_t){NULL, NULL};
    pthread_mutex_unlock(&w->lock);
    for (writer_item_t *it = done.head, *next; it; it = next) {
        next = it->next;
        w->pending--;
        it->done(it, it->rc);
    }
    for (int i = 0; i < w->n_on_commit; i++)
        w->on_commit[i].fn(w->on_commit[i].ud);
}

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
    w->fault = fault_from_env();
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, NULL);
    int rc = uv_async_init(loop, &w->async, on_async);
    if (rc)
        return rc;
    w->async.data = w;
    if (pthread_create(&w->thread, NULL, writer_main, w) != 0)
        return -1;
    *out = w;
    return 0;
}

void writer_submit(writer_t *w, writer_item_t *it)
{
    w->pending++;
    pthread_mutex_lock(&w->lock);
    list_push(&w->queue, it);
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
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

static void on_async_closed(uv_handle_t *h)
{
    writer_t *w = h->data;
    catalog_cache_free(w->catalog);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->wake);
    free(w);
}

void writer_stop(writer_t *w)
{
    pthread_mutex_lock(&w->lock);
    w->stopping = true;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    on_async(&w->async); /* deliver what the last batch finished */
    uv_close((uv_handle_t *)&w->async, on_async_closed);
}
