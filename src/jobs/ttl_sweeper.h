/* ttl_sweeper.h - deletes expired items and trims old stream records.
 *
 * The sweeper deletes due items (storage/ttl_index.h) through
 * itemstore_delete, so index entries go and each deletion is a REMOVE
 * stream record with the TTL service identity, in writer jobs of bounded
 * size; then it trims streams (stream_trim). It runs on a timer, and on
 * demand (POST /_ddbd/ttl/sweep). Items whose TTL is more than five years
 * in the past are left alone, as AWS leaves them. */
#ifndef DDBD_TTL_SWEEPER_H
#define DDBD_TTL_SWEEPER_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "storage/catalog.h"
#include "storage/store.h"
#include "storage/writer.h"

/* What a sweep did. */
typedef struct ttl_sweep_result {
    uint64_t expired; /* items deleted */
    uint64_t trimmed; /* stream records trimmed */
    bool more; /* stopped at the per-step bound: run another step */
} ttl_sweep_result_t;

/* One bounded sweep step (writer thread, in a job's txn): deletes items
 * due as of now_ms (at most max), then trims streams (at most max records). */
int ttl_sweep_step(store_txn_t *txn, catalog_cache_t *cache, int64_t now_ms, size_t max, ttl_sweep_result_t *out);

/* Loop thread: runs sweep steps through the writer until nothing is due,
 * then calls done (rc 0 or a store error) with the totals. */
typedef void (*ttl_sweep_done)(void *ud, int rc, const ttl_sweep_result_t *total);
void ttl_sweep_now(writer_t *w, ttl_sweep_done done, void *ud);
/* The background sweeper: every interval (ttl_sweeper_interval; default
 * 5 s, 0 turns it off), a sweep when something is due (checked in a read
 * transaction first, so an idle server writes nothing). Stop it before the
 * loop closes. */
#define TTL_SWEEP_INTERVAL_DEFAULT_MS 5000
void ttl_sweeper_interval(uint64_t interval_ms); /* before start (main.c's --ttl-sweep-seconds) */
void ttl_sweeper_start(uv_loop_t *loop, store_t *store, writer_t *w);
void ttl_sweeper_stop(void);

#endif
