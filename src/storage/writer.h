/* writer.h - the one writer thread, with group commit.
 *
 * writer_submit() queues a request whose handler returned REQ_WRITE. The
 * writer thread takes every queued request, runs each one's apply in one
 * write transaction, commits once (one fsync for the whole batch), then
 * hands the requests back to the loop thread, where done_cb sends the
 * replies: an acknowledged write is always committed. */
#ifndef DDBD_WRITER_H
#define DDBD_WRITER_H

#include <uv.h>

#include "ops/request.h"

typedef struct writer writer_t;

typedef void (*writer_done_cb)(ddb_req_t *r);

int writer_start(writer_t **out, store_t *store, uv_loop_t *loop, writer_done_cb done);
/* Loop thread only. */
void writer_submit(writer_t *w, ddb_req_t *r);
/* An internal write (TTL expiry, index backfill, a trigger's checkpoint):
 * fn runs on the writer thread inside a batch's write transaction, with
 * the same contract as req_apply_fn (0, -1 for "wrote nothing", or a
 * STORE_ERR_* that makes the writer retry it alone); then, after the
 * commit, done runs on the loop thread with fn's result (or the store
 * error that stopped it). done may be NULL. Loop thread only. */
typedef int (*writer_job_fn)(store_txn_t *txn, catalog_cache_t *catalog, void *ud);
typedef void (*writer_job_done)(void *ud, int rc);
void writer_submit_job(writer_t *w, writer_job_fn fn, writer_job_done done, void *ud);

/* Finishes every queued write, replies included, then joins the thread.
 * Loop thread only; the loop must still run to deliver the replies. */
void writer_stop(writer_t *w);
/* Requests queued or in flight. */
size_t writer_pending(writer_t *w);

#endif
