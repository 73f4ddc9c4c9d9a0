/* writer.c - the writer thread and its group commit (see writer.h).
 *
 * Queue discipline: the loop thread appends to `queue` under `lock` and
 * signals; the writer takes the whole queue at once, applies it in one
 * transaction, commits, then appends the batch to `done` and wakes the
 * loop with uv_async_send, which coalesces wake-ups. */
#include "storage/writer.h"

#include <pthread.h>
#include <stdlib.h>

#include "base/log.h"
#include "streams/stream.h"

typedef struct req_list {
    ddb_req_t *head, *tail;
} req_list_t;

struct writer {
    store_t *store;
    catalog_cache_t *catalog; /* the writer thread's own cache */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    req_list_t queue; /* waiting for the writer */
    req_list_t done; /* applied and committed, waiting for the loop */
    bool stopping;
    size_t pending; /* loop thread's count of submitted, not yet done */
    uv_async_t async;
    writer_done_cb done_cb;
};

static void list_push(req_list_t *l, ddb_req_t *r)
{
    r->next_write = NULL;
    if (l->tail)
        l->tail->next_write = r;
    else
        l->head = r;
    l->tail = r;
}

static void list_append(req_list_t *l, req_list_t *more)
{
    if (!more->head)
        return;
    if (l->tail)
        l->tail->next_write = more->head;
    else
        l->head = more->head;
    l->tail = more->tail;
}

static void fail_internal(ddb_req_t *r, int rc)
{
    err_clear(&r->err);
    err_set(&r->err, ERR_INTERNAL, "Internal server error: %s", store_strerror(rc));
    r->apply_rc = -1;
}

/* Runs each request of the batch in its own transaction: the fallback when
 * the shared one hit a storage error, so only the request at fault fails. */
static void apply_one_by_one(writer_t *w, ddb_req_t *head)
{
    for (ddb_req_t *r = head; r; r = r->next_write) {
        err_clear(&r->err);
        buf_reset(&r->out);
        store_txn_t *txn;
        int rc = store_write_begin(w->store, &txn);
        if (rc) {
            fail_internal(r, rc);
            continue;
        }
        r->apply_rc = r->apply(r, txn, w->catalog);
        if (r->apply_rc < -1) {
            store_write_abort(txn);
            fail_internal(r, r->apply_rc);
            continue;
        }
        rc = store_write_commit(txn);
        if (rc)
            fail_internal(r, rc);
    }
}

static void apply_batch(writer_t *w, ddb_req_t *head)
{
    store_txn_t *txn;
    int rc = store_write_begin(w->store, &txn);
    if (rc) {
        log_error("writer: cannot begin a write transaction: %s", store_strerror(rc));
        for (ddb_req_t *r = head; r; r = r->next_write)
            fail_internal(r, rc);
        return;
    }
    for (ddb_req_t *r = head; r; r = r->next_write) {
        r->apply_rc = r->apply(r, txn, w->catalog);
        if (r->apply_rc < -1) {
            rc = r->apply_rc;
            break;
        }
    }
    if (rc == 0)
        rc = store_write_commit(txn);
    else
        store_write_abort(txn);
    if (rc) {
        log_warn("writer: batch failed (%s); retrying its requests one by one", store_strerror(rc));
        apply_one_by_one(w, head);
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
        req_list_t batch = w->queue;
        w->queue = (req_list_t){NULL, NULL};
        pthread_mutex_unlock(&w->lock);

        apply_batch(w, batch.head);

        pthread_mutex_lock(&w->lock);
        list_append(&w->done, &batch);
        uv_async_send(&w->async);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/* A job rides the queue as a request whose apply calls the job's fn; its
 * reply step calls done instead of the server's done_cb. */
typedef struct writer_job {
    writer_job_fn fn;
    writer_job_done done;
    void *ud;
} writer_job_t;

static int job_apply(ddb_req_t *r, store_txn_t *txn, catalog_cache_t *catalog)
{
    writer_job_t *j = r->plan;
    return j->fn(txn, catalog, j->ud);
}

static void job_finish(ddb_req_t *r)
{
    writer_job_t *j = r->plan;
    if (j->done)
        j->done(j->ud, r->err.code == ERR_INTERNAL && r->apply_rc == -1 ? STORE_ERR_IO : r->apply_rc);
    err_clear(&r->err);
    free(j);
    free(r);
}

static void on_async(uv_async_t *h)
{
    writer_t *w = h->data;
    pthread_mutex_lock(&w->lock);
    req_list_t done = w->done;
    w->done = (req_list_t){NULL, NULL};
    pthread_mutex_unlock(&w->lock);
    for (ddb_req_t *r = done.head, *next; r; r = next) {
        next = r->next_write;
        w->pending--;
        if (r->apply == job_apply)
            job_finish(r);
        else
            w->done_cb(r);
    }
    stream_after_commit(); /* stream consumers (triggers) learn of new records */
}

int writer_start(writer_t **out, store_t *store, uv_loop_t *loop, writer_done_cb done)
{
    writer_t *w = calloc(1, sizeof *w);
    if (!w)
        abort();
    w->store = store;
    w->catalog = catalog_cache_new();
    w->done_cb = done;
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

void writer_submit(writer_t *w, ddb_req_t *r)
{
    w->pending++;
    pthread_mutex_lock(&w->lock);
    list_push(&w->queue, r);
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
}

void writer_submit_job(writer_t *w, writer_job_fn fn, writer_job_done done, void *ud)
{
    ddb_req_t *r = calloc(1, sizeof *r);
    writer_job_t *j = calloc(1, sizeof *j);
    if (!r || !j)
        abort();
    *j = (writer_job_t){fn, done, ud};
    r->op = "internal";
    r->apply = job_apply;
    r->plan = j;
    writer_submit(w, r);
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
