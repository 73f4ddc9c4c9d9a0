/* ttl.h - Time to Live: the expiry index and the sweeper.
 *
 * STORE_DB_TTL: table id (u32 BE) . expiry second (u64 BE) . item key
 * (keys.h encoding, table id included) -> empty. Kept by itemstore.c
 * (ttl_on_write) for tables whose catalog JSON has "TimeToLiveAttribute",
 * built for existing items when TTL is enabled (ttl_index_table) and
 * dropped when it is disabled or the table deleted (ttl_drop_table).
 *
 * The sweeper deletes due items through itemstore_delete (so index
 * entries go and each deletion is a REMOVE stream record with the TTL
 * service identity) in writer jobs of bounded size. It runs on a timer,
 * and on demand from POST /_ddbd/ttl/sweep. Items whose TTL is more than
 * five years in the past are not indexed, as AWS ignores them. */
#ifndef DDBD_TTL_H
#define DDBD_TTL_H

#include <stdbool.h>
#include <stdint.h>

#include "ddbd/catalog.h"
#include "ddbd/keys.h"
#include "ddbd/store.h"
#include "ddbd/value.h"

/* itemstore.c: keeps the expiry entry of one item write (old/new NULL
 * when absent). No-op for tables without TTL. */
int ttl_on_write(store_txn_t *txn, const table_t *t, const key_buf_t *key, const value_t *old_item,
                 const value_t *new_item);
/* Builds the index for every item of t under attr (UpdateTimeToLive). */
int ttl_index_table(store_txn_t *txn, const table_t *t, const char *attr);
/* Removes every expiry entry of the table. */
int ttl_drop_table(store_txn_t *txn, uint32_t table_id);

/* What one sweep did. */
typedef struct ttl_sweep_result {
    uint64_t expired;        /* items deleted */
    uint64_t trimmed;        /* stream records trimmed */
    bool more;               /* stopped at the per-job bound */
} ttl_sweep_result_t;

/* One bounded sweep step (writer thread, in a job's txn): deletes due items
 * (at most max) as of now_ms, then trims streams. */
int ttl_sweep_step(store_txn_t *txn, catalog_cache_t *cache, int64_t now_ms, size_t max, ttl_sweep_result_t *out);

#endif
