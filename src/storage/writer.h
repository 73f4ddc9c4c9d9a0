/* writer.h - the one writer thread, with group commit.
 *
 * writer_submit() queues a write item. The writer thread takes every queued
 * item, runs each one's apply in one write transaction, commits once, then
 * hands the items back to the loop thread, where each one's done runs,
 * once the commit is on disk (a sync thread flushes while the writer goes
 * on with the next batch; see writer.c): an acknowledged write is always
 * durable (committed, with --no-fsync or --in-memory). Without fsync, the
 * loop thread applies writes itself when the writer thread is idle.
 *
 * When a batch's commit (or an apply) fails with a storage error, the
 * writer runs every item of the batch again, each alone in its own
 * transaction, so that only the item at fault fails. An apply may
 * therefore run twice; see writer_item_t for what that asks of it.
 *
 * The writer knows nothing of requests or DynamoDB: api/ wraps a request
 * in a writer item, jobs (backfill, TTL, trigger checkpoints) use
 * writer_submit_job. */
#ifndef DDBD_WRITER_H
#define DDBD_WRITER_H

#include <uv.h>

#include "storage/catalog.h"
#include "storage/store.h"

typedef struct writer writer_t;
typedef struct writer_item writer_item_t;

struct writer_item {
    /* Writer thread (or the loop thread, see above), inside the batch's
     * write transaction. Returns 0, -1
     * (refused: wrote nothing, the owner keeps its reason) or a STORE_ERR_*
     * (the writer then retries the item alone, and if that fails too, done
     * gets the store error). Every check comes before the first write, so
     * a refusal writes nothing.
     *
     * The contract that makes the retry safe: apply never changes what it
     * was given (its plan). What it produces (a reply, an error) goes
     * where reset can forget it; what its plan holds is freed by the
     * plan's owner after done, never by apply. */
    int (*apply)(writer_item_t *it, store_txn_t *txn, catalog_cache_t *catalog);
    /* Before a retry, where apply ran: forget what the failed run
     * produced (may be NULL). */
    void (*reset)(writer_item_t *it);
    /* Loop thread, once the commit is durable: rc is apply's result, or
     * the store error that stopped the item. */
    void (*done)(writer_item_t *it, int rc);
    writer_item_t *next; /* the writer's queue link */
    int rc;
    uint64_t horizon; /* the last transaction its batch saw: durable before done */
};

int writer_start(writer_t **out, store_t *store, uv_loop_t *loop);
/* Loop thread only. Items submitted in one loop iteration go to the
 * writer together, at its end (a uv_check). */
void writer_submit(writer_t *w, writer_item_t *it);

/* An internal write (TTL expiry, index backfill, a trigger's checkpoint):
 * fn runs on the writer thread inside a batch's write transaction, with
 * the contract of writer_item_t's apply (so it may run twice, and must
 * leave ud as it found it when it fails); then, after the commit, done
 * runs on the loop thread with fn's result (or the store error that
 * stopped it). done may be NULL. Loop thread only. */
typedef int (*writer_job_fn)(store_txn_t *txn, catalog_cache_t *catalog, void *ud);
typedef void (*writer_job_done)(void *ud, int rc);
void writer_submit_job(writer_t *w, writer_job_fn fn, writer_job_done done, void *ud);

/* Loop thread: fn(ud) runs after each batch's items are done (streams
 * registers here to wake its readers). Register at start-up. */
void writer_on_commit(writer_t *w, void (*fn)(void *ud), void *ud);
/* Writer thread: fn(ud) runs right after each successful commit, before
 * the loop hears of it (streams publishes there what is now committed).
 * Register at start-up, before the first write. */
void writer_on_committed(writer_t *w, void (*fn)(void *ud), void *ud);

/* Finishes every queued write, replies included, then joins the thread.
 * Loop thread only; the loop must still run to deliver the replies. */
void writer_stop(writer_t *w);
/* Items queued or in flight. */
size_t writer_pending(writer_t *w);

/* Tests only: with DDBD_TEST_FAIL_BATCH_COMMIT=1 in the environment at
 * start, every batch's commit fails once, so every item runs twice (the
 * retry path). Off otherwise. */
#define WRITER_FAULT_ENV "DDBD_TEST_FAIL_BATCH_COMMIT"

#endif
