/* ttl.h - Time to Live: the expiry index and the sweeper.
 *
 * STORE_DB_TTL holds, per table with TTL enabled:
 *   table id (u32 BE)                                   -> catalog key (ns \0 name)
 *   table id (u32 BE) . expiry second (u64 BE) . item key -> empty
 * The first row lets the sweeper find the table of an entry; the item key
 * is the item's own LMDB key (keys.h). Entries are kept by itemstore.c
 * (ttl_on_write) for tables whose catalog JSON has "TimeToLiveAttribute",
 * built for existing items when TTL is enabled and dropped when it is
 * disabled or the table deleted (ttl_set_attribute, ttl_drop_table).
 *
 * The sweeper deletes due items through itemstore_delete (so index
 * entries go and each deletion is a REMOVE stream record with the TTL
 * service identity) in writer jobs of bounded size, then trims streams
 * (stream_trim). It runs on a timer, and on demand (POST /_ddbd/ttl/sweep).
 * Items whose TTL is more than five years in the past are left alone, as
 * AWS leaves them. Only Number attributes count (epoch seconds). */
#ifndef DDBD_TTL_H
#define DDBD_TTL_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "storage/catalog.h"
#include "model/keys.h"
#include "storage/store.h"
#include "model/value.h"
#include "storage/writer.h"

#define TTL_IGNORE_OLDER_S (5ll * 365 * 24 * 3600) /* five years */

/* itemstore.c: keeps the expiry entry of one item write (old/new NULL
 * when absent). No-op for tables without TTL. */
int ttl_on_write(store_txn_t *txn, const table_t *t, const key_buf_t *key, const value_t *old_item,
                 const value_t *new_item);
/* UpdateTimeToLive (after the new description is stored): attr NULL drops
 * the table's index; otherwise builds it for every item under attr. */
int ttl_set_attribute(store_txn_t *txn, const table_t *t, const char *attr);
/* Removes every expiry entry of the table (DeleteTable). */
int ttl_drop_table(store_txn_t *txn, uint32_t table_id);

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
